<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="es_ES">
<context>
    <name />
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="72" />
        <source>Too many wrong PINs for %1: try again in %2 s</source>
        <translation>Demasiados PIN incorrectos para %1: inténtelo de nuevo en %2 s</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="78" />
        <source>%1 is locked after too many wrong PINs: a manager must unlock it (or wait %2 min)</source>
        <translation>%1 está bloqueado por demasiados PIN incorrectos: un encargado debe desbloquearlo (o espere %2 min)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="83" />
        <source>%1 is not a manager</source>
        <translation>%1 no es encargado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="85" />
        <source>Wrong manager id or PIN</source>
        <translation>Id de encargado o PIN incorrecto</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="87" />
        <source>Wrong cashier id or PIN</source>
        <translation>Id de cajero o PIN incorrecto</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="89" />
        <source>Adjustment refused: %1</source>
        <translation>Ajuste rechazado: %1</translation>
    </message>
</context>
<context>
    <name>AdjustDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="605" />
        <source>Member</source>
        <translation>Socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="606" />
        <source>Points (+/-)</source>
        <translation>Puntos (+/-)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="607" />
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="608" />
        <source>Manager id</source>
        <translation>Id del encargado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="609" />
        <source>Manager PIN</source>
        <translation>PIN del encargado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="631" />
        <source>Adjusted %1 points for %2; balance %3</source>
        <translation>Ajustados %1 puntos a %2; saldo %3</translation>
    </message>
</context>
<context>
    <name>CameraPanel</name>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="142" />
        <source>No camera is connected; use the barcode scanner</source>
        <extracomment>The window's on/off key for the camera (set by :func:`attach_camera`).</extracomment>
        <translation>No hay cámara conectada; use el lector de códigos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="148" />
        <source>Camera error: %1</source>
        <translation>Error de la cámara: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="154" />
        <source>Show the code to the camera (%1)</source>
        <translation>Muestre el código a la cámara (%1)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="161" />
        <source>Camera off</source>
        <translation>Cámara apagada</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="184" />
        <source>Camera</source>
        <translation>Cámara</translation>
    </message>
</context>
<context>
    <name>CameraScanner</name>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="102" />
        <source>Camera frame not read: %1</source>
        <translation>No se pudo leer la imagen de la cámara: %1</translation>
    </message>
</context>
<context>
    <name>CartModel</name>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="94" />
        <source>Item</source>
        <translation>Artículo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="95" />
        <source>Qty</source>
        <translation>Cant.</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="96" />
        <source>Price</source>
        <translation>Precio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="97" />
        <source>Discount</source>
        <translation>Descuento</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="98" />
        <source>Net</source>
        <translation>Neto</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="99" />
        <source>Points</source>
        <translation>Puntos</translation>
    </message>
</context>
<context>
    <name>CashierWindow</name>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="466" />
        <source>Member %1 identified</source>
        <extracomment>Emitted after every repaint with the view shown (customer display, benchmarks). Emitted when a sale was committed, with its receipt. The receipt printer setting as configured (``file:...``, ``network:...``). How long a message stays (ms): information, then refusals. How long a first Esc stays armed (ms). Member codes registered at this till and not yet on a receipt (their card QR). A sync worker this window started (after an enrolment) and stops on close.</extracomment>
        <translation>Socio %1 identificado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="468" />
        <source>Coupon %1 applied</source>
        <translation>Cupón %1 aplicado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="470" />
        <source>Added %1</source>
        <translation>Añadido %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="478" />
        <source>Subtotal %1</source>
        <translation>Subtotal %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="480" />
        <source>You save %1</source>
        <translation>Ahorra %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="483" />
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="793" />
        <source>Points used: %1 (%2)</source>
        <translation>Puntos usados: %1 (%2)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="490" />
        <source>Points to earn: %1</source>
        <translation>Puntos a ganar: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="497" />
        <source>Member day: %1</source>
        <translation>Día del socio: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="535" />
        <source>Happy birthday! Birthday benefits apply</source>
        <translation>¡Feliz cumpleaños! Se aplican las ventajas de cumpleaños</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="547" />
        <source>Phone %1 · %2</source>
        <translation>Teléfono %1 · %2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="550" />
        <source>Points available: %1</source>
        <translation>Puntos disponibles: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="553" />
        <source>Pending: %1</source>
        <translation>Pendientes: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="557" />
        <source>Growth: %1</source>
        <translation>Crecimiento: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="561" />
        <source>Spend %1 more for %2</source>
        <translation>Gaste %1 más para %2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="567" />
        <source>%1 counts towards the tier from %2</source>
        <translation>%1 cuenta para el nivel desde el %2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="577" />
        <source>Coupons held: %1</source>
        <translation>Cupones: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="580" />
        <source>First purchase: welcome!</source>
        <translation>Primera compra: ¡bienvenido!</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="581" />
        <source>Welcome back: first visit in %1 days</source>
        <translation>Bienvenido de nuevo: primera visita en %1 días</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="590" />
        <source>Not verified yet (HQ offline)</source>
        <translation>Aún sin verificar (central sin conexión)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="591" />
        <source>Not verified yet (HQ slow to answer)</source>
        <translation>Aún sin verificar (la central tarda en responder)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="592" />
        <source>Not verified: HQ does not know this member code</source>
        <translation>Sin verificar: la central no conoce este código de socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="593" />
        <source>Not verified: scan the member's phone code</source>
        <translation>Sin verificar: escanee el código del móvil del socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="594" />
        <source>Not verified yet</source>
        <translation>Aún sin verificar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="596" />
        <source>: no tier discount, points stay pending, no points spending until HQ confirms</source>
        <translation>: sin descuento de nivel, los puntos quedan pendientes y no se pueden gastar hasta que la central confirme</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="599" />
        <source>Points can be spent only with the member's phone code</source>
        <translation>Los puntos solo se gastan con el código del móvil del socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="605" />
        <source>posloyalty: cashier</source>
        <translation>posloyalty: caja</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="606" />
        <source>Member</source>
        <translation>Socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="607" />
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="609" />
        <source>No member. Scan the member code (F2: look up by phone or register)</source>
        <translation>Sin socio. Escanee el código de socio (F2: buscar por teléfono o registrar)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="612" />
        <source>Scan anywhere, or type a code or SKU and press Enter</source>
        <translation>Escanee en cualquier momento, o escriba un código o SKU y pulse Intro</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="615" />
        <source>F1 Help</source>
        <translation>F1 Ayuda</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="616" />
        <source>F2 Member</source>
        <translation>F2 Socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="617" />
        <source>F3 Coupon</source>
        <translation>F3 Cupón</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="618" />
        <source>F4 Points</source>
        <translation>F4 Puntos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="619" />
        <source>F5 Pay</source>
        <translation>F5 Pagar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="620" />
        <source>F8 Return</source>
        <translation>F8 Devolución</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="621" />
        <source>F9 Void line</source>
        <translation>F9 Anular línea</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="622" />
        <source>* Quantity</source>
        <translation>* Cantidad</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="623" />
        <source>F10 Settings</source>
        <translation>F10 Ajustes</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="624" />
        <source>F12 End of day</source>
        <translation>F12 Cierre</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="625" />
        <source>Esc Cancel</source>
        <translation>Esc Cancelar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="629" />
        <source>Cashier %1</source>
        <translation>Cajero %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="706" />
        <source>Checking HQ…</source>
        <translation>Comprobando la central…</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="708" />
        <source>● Online</source>
        <translation>● En línea</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="708" />
        <source>○ Offline</source>
        <translation>○ Sin conexión</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="710" />
        <source>⚠ Sync stopped</source>
        <translation>⚠ Sincronización detenida</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="715" />
        <source>Uploads waiting: %1</source>
        <translation>Envíos pendientes: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="720" />
        <source>never</source>
        <translation>nunca</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="722" />
        <source>Last contact: %1</source>
        <translation>Último contacto: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="730" />
        <source>The terminal database failed its integrity check: %1</source>
        <translation>La base de datos del terminal no superó la comprobación de integridad: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="798" />
        <source>Points taken back</source>
        <translation>Puntos retirados</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="843" />
        <source>Sale %1 complete.</source>
        <translation>Venta %1 completada.</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="845" />
        <source>Change: %1</source>
        <translation>Cambio: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="847" />
        <source>(the sale is stored)</source>
        <translation>(la venta está guardada)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="881" />
        <source>There is no line to void</source>
        <translation>No hay ninguna línea que anular</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="889" />
        <source>Voided line %1: %2</source>
        <translation>Línea %1 anulada: %2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="905" />
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="940" />
        <source>There is no line to change</source>
        <translation>No hay ninguna línea que cambiar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="949" />
        <source>Quantity of %1: %2</source>
        <translation>Cantidad de %1: %2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="987" />
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="999" />
        <source>Press Esc again to cancel this sale</source>
        <translation>Pulse Esc otra vez para cancelar la venta</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="994" />
        <source>Sale cancelled</source>
        <translation>Venta cancelada</translation>
    </message>
    <message>
        <location filename="../../ui/cashier.ui" line="58" />
        <source>Scan or type a code</source>
        <translation>Escanee o escriba un código</translation>
    </message>
    <message>
        <location filename="../../ui/cashier.ui" line="206" />
        <source>Sale</source>
        <translation>Venta</translation>
    </message>
</context>
<context>
    <name>CouponDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="477" />
        <source>Coupon code</source>
        <translation>Código del cupón</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="482" />
        <source>Held by the member:</source>
        <translation>Del socio:</translation>
    </message>
</context>
<context>
    <name>CustomerDisplay</name>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="102" />
        <source>Welcome to %1</source>
        <extracomment>How long a finished sale stays on the display (ms) before it goes idle. The display shows a finished sale (thanks and change), not a sale in progress.</extracomment>
        <translation>Bienvenido a %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="104" />
        <source>Scan to join and save today</source>
        <translation>Escanee para hacerse socio y ahorrar hoy</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="107" />
        <source>Thank you! See you soon</source>
        <translation>¡Gracias! Hasta pronto</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="110" />
        <source>Member day: %1</source>
        <translation>Día del socio: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="114" />
        <source>%1 · %2 · %3 points</source>
        <translation>%1 · %2 · %3 puntos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="122" />
        <source>You save %1</source>
        <translation>Ahorra %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="127" />
        <source>Points to earn: %1</source>
        <translation>Puntos a ganar: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="132" />
        <source>Total %1</source>
        <translation>Total %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="135" />
        <source>Change: %1</source>
        <translation>Cambio: %1</translation>
    </message>
    <message>
        <location filename="../../ui/customer_display.ui" line="6" />
        <source>Customer display</source>
        <translation>Pantalla del cliente</translation>
    </message>
</context>
<context>
    <name>EodDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="929" />
        <location filename="../../src/posloyalty/ui/dialogs.py" line="951" />
        <source>Day</source>
        <translation>Día</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="944" />
        <source>Type the day as YYYY-MM-DD</source>
        <translation>Escriba el día como AAAA-MM-DD</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="952" />
        <source>Sales</source>
        <translation>Ventas</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="953" />
        <source>Returns</source>
        <translation>Devoluciones</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="954" />
        <source>Net</source>
        <translation>Neto</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="956" />
        <source>Payments</source>
        <translation>Pagos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="958" />
        <source>Discounts</source>
        <translation>Descuentos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="961" />
        <source>Points issued</source>
        <translation>Puntos emitidos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="962" />
        <source>Points redeemed</source>
        <translation>Puntos canjeados</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="963" />
        <source>New members</source>
        <translation>Socios nuevos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="964" />
        <source>Members served</source>
        <translation>Socios atendidos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="965" />
        <source>Uploads waiting</source>
        <translation>Envíos pendientes</translation>
    </message>
</context>
<context>
    <name>HelpDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="976" />
        <source>This help</source>
        <translation>Esta ayuda</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="977" />
        <source>Member: look up by phone, or register</source>
        <translation>Socio: buscar por teléfono o registrar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="978" />
        <source>Coupon code</source>
        <translation>Código del cupón</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="979" />
        <source>Pay with the most points allowed (again: undo)</source>
        <translation>Pagar con el máximo de puntos (otra vez: deshacer)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="980" />
        <source>Pay</source>
        <translation>Pagar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="981" />
        <source>Points adjustment (manager PIN)</source>
        <translation>Ajuste de puntos (PIN del encargado)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="982" />
        <source>Language: 中文 / English / Español</source>
        <translation>Idioma: 中文 / English / Español</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="983" />
        <source>Return against a receipt</source>
        <translation>Devolución con tique</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="984" />
        <source>Void the selected (or last) line</source>
        <translation>Anular la línea elegida (o la última)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="985" />
        <source>Quantity of the selected (or last) line; type 3* to set 3</source>
        <translation>Cantidad de la línea seleccionada (o la última); escriba 3* para poner 3</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="986" />
        <source>One more / one fewer of the selected (or last) line</source>
        <translation>Una unidad más / menos de la línea seleccionada (o la última)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="987" />
        <source>Settings and enrolment with HQ (manager PIN)</source>
        <translation>Ajustes y alta en la central (PIN del encargado)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="988" />
        <source>Cashier sign-in</source>
        <translation>Inicio de sesión del cajero</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="989" />
        <source>End-of-day report</source>
        <translation>Informe de cierre</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="990" />
        <source>Clear the field; twice: cancel the sale</source>
        <translation>Borra el campo; dos veces: cancela la venta</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="994" />
        <source>Scan anywhere: member codes, product barcodes and coupons.</source>
        <translation>Escanee en cualquier momento: códigos de socio, de producto y cupones.</translation>
    </message>
</context>
<context>
    <name>MemberDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="361" />
        <source>11-digit mobile number</source>
        <translation>Móvil de 11 dígitos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="362" />
        <source>Find (Enter)</source>
        <translation>Buscar (Intro)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="363" />
        <source>Register new member (F2)</source>
        <translation>Registrar socio nuevo (F2)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="365" />
        <source>Phone number</source>
        <translation>Número de teléfono</translation>
    </message>
</context>
<context>
    <name>PaymentDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="114" />
        <location filename="../../ui/payment.ui" line="6" />
        <source>Payment</source>
        <translation>Pago</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="172" />
        <source>Still to pay: %1</source>
        <translation>Por pagar: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="175" />
        <source>Change: %1</source>
        <translation>Cambio: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="180" />
        <source>No member: points cannot pay.</source>
        <translation>Sin socio: no se puede pagar con puntos.</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="184" />
        <source>Points cannot pay: %1</source>
        <translation>No se puede pagar con puntos: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="188" />
        <source>Available %1 points. Points may pay at most %2% of the sale; up to %3 points (%4) now.</source>
        <translation>Disponibles %1 puntos. Los puntos pagan como máximo el %2% de la venta; ahora hasta %3 puntos (%4).</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="200" />
        <source>HQ has not confirmed this member's balance recently, so at most %1 points a day; %2 left today.</source>
        <translation>La central no ha confirmado el saldo de este socio recientemente: como máximo %1 puntos al día; hoy quedan %2.</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="205" />
        <source>Offline allowance: HQ has not confirmed the balance recently, so at most %1 points a day; %2 left today.</source>
        <translation>Límite sin conexión: la central no ha confirmado el saldo recientemente, como máximo %1 puntos al día; quedan %2 hoy.</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="317" />
        <source>%1 is still to pay</source>
        <translation>Faltan %1 por pagar</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="14" />
        <source>Due</source>
        <translation>A pagar</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="68" />
        <source>Pay with points</source>
        <translation>Pagar con puntos</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="93" />
        <source>Apply points</source>
        <translation>Usar puntos</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="103" />
        <source>Most allowed</source>
        <translation>Máximo permitido</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="120" />
        <source>Cash handed over</source>
        <translation>Efectivo entregado</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="127" />
        <source>e.g. 100</source>
        <translation>p. ej. 100</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="134" />
        <source>Cash</source>
        <translation>Efectivo</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="148" />
        <source>Card amount</source>
        <translation>Importe con tarjeta</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="155" />
        <location filename="../../ui/payment.ui" line="183" />
        <source>empty: all that remains</source>
        <translation>vacío: todo lo que falta</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="162" />
        <source>Card</source>
        <translation>Tarjeta</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="176" />
        <source>Gift card amount</source>
        <translation>Importe con tarjeta regalo</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="190" />
        <source>Gift card</source>
        <translation>Tarjeta regalo</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="220" />
        <source>Remove payment</source>
        <translation>Quitar pago</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="237" />
        <source>Esc Back to basket</source>
        <translation>Esc Volver a la cesta</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="247" />
        <source>F5 Complete sale</source>
        <translation>F5 Cerrar venta</translation>
    </message>
</context>
<context>
    <name>PaymentsModel</name>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="183" />
        <source>Method</source>
        <translation>Forma de pago</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="183" />
        <source>Amount</source>
        <translation>Importe</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="183" />
        <source>Tendered</source>
        <translation>Entregado</translation>
    </message>
</context>
<context>
    <name>QuantityDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="660" />
        <location filename="../../src/posloyalty/ui/dialogs.py" line="670" />
        <source>Quantity</source>
        <translation>Cantidad</translation>
    </message>
</context>
<context>
    <name>Receipt</name>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="14" />
        <source>Member prices</source>
        <translation>Precios de socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="15" />
        <source>Tier discount</source>
        <translation>Descuento de nivel</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="16" />
        <source>Member day</source>
        <translation>Día del socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="17" />
        <source>Coupons</source>
        <translation>Cupones</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="18" />
        <source>Birthday</source>
        <translation>Cumpleaños</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="25" />
        <source>Cash</source>
        <translation>Efectivo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="26" />
        <source>Card</source>
        <translation>Tarjeta</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="27" />
        <source>Gift card</source>
        <translation>Tarjeta regalo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="38" />
        <source>Store</source>
        <translation>Tienda</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="42" />
        <source>Cashier</source>
        <translation>Cajero</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="53" />
        <source>Subtotal</source>
        <translation>Subtotal</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="58" />
        <source>Saved</source>
        <translation>Ahorro</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="65" />
        <source>Points used</source>
        <translation>Puntos usados</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="72" />
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="79" />
        <source>Change</source>
        <translation>Cambio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="85" />
        <source>You saved</source>
        <translation>Ha ahorrado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="91" />
        <source>Member</source>
        <translation>Socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="94" />
        <source>pending</source>
        <translation>pendiente</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="95" />
        <source>Points earned</source>
        <translation>Puntos ganados</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="99" />
        <source>Points balance</source>
        <translation>Saldo de puntos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="106" />
        <source>Points pending</source>
        <translation>Puntos pendientes</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="114" />
        <source>Tier</source>
        <translation>Nivel</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="126" />
        <source>Spend %1 more for %2</source>
        <translation>Gaste %1 más para %2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="135" />
        <source>Your member card</source>
        <translation>Su tarjeta de socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="138" />
        <source>Keep this receipt for returns</source>
        <translation>Guarde este tique para devoluciones</translation>
    </message>
</context>
<context>
    <name>RegistrationDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="398" />
        <source>The shopper agrees to membership and to the use of their data</source>
        <translation>El cliente acepta hacerse socio y el uso de sus datos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="402" />
        <source>Phone</source>
        <translation>Teléfono</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="403" />
        <source>Name (optional)</source>
        <translation>Nombre (opcional)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="404" />
        <source>Birthday (optional)</source>
        <translation>Cumpleaños (opcional)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="413" />
        <source>Register</source>
        <translation>Registrar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="455" />
        <source>%1 points</source>
        <translation>%1 puntos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="459" />
        <source>Registered %1. Welcome gifts: %2</source>
        <translation>Registrado %1. Regalos de bienvenida: %2</translation>
    </message>
</context>
<context>
    <name>ReturnDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="508" />
        <source>Scan the receipt barcode</source>
        <translation>Escanee el código de barras del tique</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="516" />
        <source>Refund</source>
        <translation>Reembolsar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="518" />
        <source>Receipt code</source>
        <translation>Código del tique</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="522" />
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="547" />
        <source>Sale %1 of %2, total %3</source>
        <translation>Venta %1 del %2, total %3</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="558" />
        <source>Scan the receipt first</source>
        <translation>Escanee primero el tique</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="562" />
        <source>Nothing chosen to return</source>
        <translation>No se ha elegido nada para devolver</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="571" />
        <source>Refunded %1 (%2). Points taken back %3, points refunded %4.</source>
        <translation>Reembolsado %1 (%2). Puntos retirados %3, puntos devueltos %4.</translation>
    </message>
</context>
<context>
    <name>ReturnLinesModel</name>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="230" />
        <source>Item</source>
        <translation>Artículo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="230" />
        <source>Sold</source>
        <translation>Vendido</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="230" />
        <source>Still returnable</source>
        <translation>Aún devolvible</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="230" />
        <source>Return</source>
        <translation>Devolución</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="706" />
        <source>Settings and enrolment</source>
        <translation>Ajustes y alta</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="719" />
        <source>None: receipts are previewed only</source>
        <translation>Ninguna: los tiques solo se previsualizan</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="722" />
        <source>Store</source>
        <translation>Tienda</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="723" />
        <source>Terminal</source>
        <translation>Terminal</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="724" />
        <location filename="../../src/posloyalty/ui/dialogs.py" line="737" />
        <source>HQ address</source>
        <translation>Dirección de la central</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="725" />
        <source>Enrolment</source>
        <translation>Alta</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="726" />
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="727" />
        <source>Receipt printer</source>
        <translation>Impresora de tiques</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="734" />
        <source>Enrol</source>
        <translation>Dar de alta</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="735" />
        <source>Enrol with HQ (manager)</source>
        <translation>Alta en la central (encargado)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="738" />
        <source>Enrolment code</source>
        <translation>Código de alta</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="739" />
        <source>Manager id</source>
        <translation>Id del encargado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="740" />
        <source>Manager PIN</source>
        <translation>PIN del encargado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="767" />
        <source>none</source>
        <translation>ninguna</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="772" />
        <source>Enrolled (online)</source>
        <translation>Dado de alta (en línea)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="774" />
        <source>Enrolled (offline)</source>
        <translation>Dado de alta (sin conexión)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="777" />
        <source>Revoked by HQ: enrol again with a new code</source>
        <translation>Revocado por la central: dé de alta de nuevo con un código nuevo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="779" />
        <source>Not enrolled: sales are kept here until it is</source>
        <translation>Sin alta: las ventas se guardan aquí hasta que la tenga</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="785" />
        <source>Finish or cancel the sale before enrolling</source>
        <translation>Termine o cancele la venta antes de dar de alta</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="788" />
        <source>Still reading the settings; try again</source>
        <translation>Aún se leen los ajustes; inténtelo de nuevo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="792" />
        <location filename="../../src/posloyalty/ui/dialogs.py" line="874" />
        <source>Type the HQ address, starting with http:// or https://</source>
        <translation>Escriba la dirección de la central, empezando por http:// o https://</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="796" />
        <source>Type the one-time enrolment code from HQ</source>
        <translation>Escriba el código de alta de un solo uso de la central</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="835" />
        <source>Enrolled: store %1, terminal %2</source>
        <translation>Dado de alta: tienda %1, terminal %2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="850" />
        <source>Enrolling…</source>
        <translation>Dando de alta…</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="855" />
        <source>Nothing was changed.</source>
        <translation>No se ha cambiado nada.</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="858" />
        <source>HQ cannot be reached at %1: check the address and the network.</source>
        <translation>No se puede contactar con la central en %1: compruebe la dirección y la red.</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="868" />
        <source>HQ refused the code: it is unknown, already used or expired. Ask HQ for a new one.</source>
        <translation>La central rechazó el código: es desconocido, ya se usó o caducó. Pida uno nuevo a la central.</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="875" />
        <source>HQ refused the enrolment: %1</source>
        <translation>La central rechazó el alta: %1</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="888" />
        <source>Cashier id</source>
        <translation>Id de cajero</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="889" />
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="899" />
        <source>Finish or cancel the sale before changing cashier</source>
        <translation>Termine o cancele la venta antes de cambiar de cajero</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="912" />
        <source>Signed in as %1</source>
        <translation>Sesión iniciada como %1</translation>
    </message>
</context>
<context>
    <name>panel</name>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="200" />
        <source>Camera</source>
        <translation>Cámara</translation>
    </message>
</context>
<context>
    <name>window</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="330" />
        <source>Receipt</source>
        <translation>Tique</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="359" />
        <source>Member</source>
        <translation>Socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="392" />
        <source>Register a member</source>
        <translation>Registrar socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="474" />
        <source>Coupon</source>
        <translation>Cupón</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="506" />
        <source>Return</source>
        <translation>Devolución</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="595" />
        <source>Points adjustment (manager)</source>
        <translation>Ajuste de puntos (encargado)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="883" />
        <source>Cashier sign-in</source>
        <translation>Inicio de sesión del cajero</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="922" />
        <source>End of day</source>
        <translation>Cierre del día</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="974" />
        <source>Help</source>
        <translation>Ayuda</translation>
    </message>
</context>
</TS>