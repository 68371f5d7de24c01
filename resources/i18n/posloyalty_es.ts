<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="es_ES">
<context>
    <name />
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="323" />
        <source>Too many wrong PINs for %1: try again in %2 s</source>
        <translation>Demasiados PIN incorrectos para %1: inténtelo de nuevo en %2 s</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="329" />
        <source>%1 is locked after too many wrong PINs: a manager must unlock it (or wait %2 min)</source>
        <translation>%1 está bloqueado por demasiados PIN incorrectos: un encargado debe desbloquearlo (o espere %2 min)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="334" />
        <source>%1 is not a manager</source>
        <translation>%1 no es encargado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="336" />
        <source>Wrong manager id or PIN</source>
        <translation>Id de encargado o PIN incorrecto</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="338" />
        <source>Wrong cashier id or PIN</source>
        <translation>Id de cajero o PIN incorrecto</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="340" />
        <source>Adjustment refused: %1</source>
        <translation>Ajuste rechazado: %1</translation>
    </message>
</context>
<context>
    <name>AdjustDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="537" />
        <source>Points adjustment (manager)</source>
        <translation>Ajuste de puntos (encargado)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="547" />
        <source>Member</source>
        <translation>Socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="548" />
        <source>Points (+/-)</source>
        <translation>Puntos (+/-)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="549" />
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="550" />
        <source>Manager id</source>
        <translation>Id del encargado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="551" />
        <source>Manager PIN</source>
        <translation>PIN del encargado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="573" />
        <source>Adjusted %1 points for %2; balance %3</source>
        <translation>Ajustados %1 puntos a %2; saldo %3</translation>
    </message>
</context>
<context>
    <name>CameraPanel</name>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="144" />
        <source>No camera is connected; use the barcode scanner</source>
        <extracomment>The window's on/off key for the camera (set by :func:`attach_camera`).</extracomment>
        <translation>No hay cámara conectada; use el lector de códigos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="150" />
        <source>Camera error: %1</source>
        <translation>Error de la cámara: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="156" />
        <source>Show the code to the camera (%1)</source>
        <translation>Muestre el código a la cámara (%1)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="163" />
        <source>Camera off</source>
        <translation>Cámara apagada</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="186" />
        <source>Camera</source>
        <translation>Cámara</translation>
    </message>
</context>
<context>
    <name>CameraScanner</name>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="104" />
        <source>Camera frame not read: %1</source>
        <translation>No se pudo leer la imagen de la cámara: %1</translation>
    </message>
</context>
<context>
    <name>CartModel</name>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="89" />
        <source>Item</source>
        <translation>Artículo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="90" />
        <source>Qty</source>
        <translation>Cant.</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="91" />
        <source>Price</source>
        <translation>Precio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="92" />
        <source>Discount</source>
        <translation>Descuento</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="93" />
        <source>Net</source>
        <translation>Neto</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="94" />
        <source>Points</source>
        <translation>Puntos</translation>
    </message>
</context>
<context>
    <name>CashierWindow</name>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="445" />
        <source>Member %1 identified</source>
        <extracomment>Emitted after every repaint with the view shown (customer display, benchmarks). Emitted when a sale was committed, with its receipt. The receipt printer setting as configured (``file:...``, ``network:...``). The background integrity check and the gate it sets on commits. How long a message stays (ms): information, then refusals. How long a first Esc stays armed (ms). Member codes registered at this till and not yet on a receipt (their card QR). A sync worker this window started (after an enrolment) and stops on close. Keys beside the scan field (product search, favourites), sized like the others. Keys for every other action (touch), park, recall and reprint.</extracomment>
        <translation>Socio %1 identificado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="447" />
        <source>Coupon %1 applied</source>
        <translation>Cupón %1 aplicado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="449" />
        <location filename="../../src/posloyalty/ui/product_search.py" line="55" />
        <source>Added %1</source>
        <translation>Añadido %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="457" />
        <source>Subtotal %1</source>
        <translation>Subtotal %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="459" />
        <source>You save %1</source>
        <translation>Ahorra %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="462" />
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="794" />
        <source>Points used: %1 (%2)</source>
        <translation>Puntos usados: %1 (%2)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="469" />
        <source>Points to earn: %1</source>
        <translation>Puntos a ganar: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="476" />
        <source>Member day: %1</source>
        <translation>Día del socio: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="514" />
        <source>Happy birthday! Birthday benefits apply</source>
        <translation>¡Feliz cumpleaños! Se aplican las ventajas de cumpleaños</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="526" />
        <source>Phone %1 · %2</source>
        <translation>Teléfono %1 · %2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="529" />
        <source>Points available: %1</source>
        <translation>Puntos disponibles: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="532" />
        <source>Pending: %1</source>
        <translation>Pendientes: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="536" />
        <source>Growth: %1</source>
        <translation>Crecimiento: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="540" />
        <source>Spend %1 more for %2</source>
        <translation>Gaste %1 más para %2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="546" />
        <source>%1 counts towards the tier from %2</source>
        <translation>%1 cuenta para el nivel desde el %2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="556" />
        <source>Coupons held: %1</source>
        <translation>Cupones: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="559" />
        <source>First purchase: welcome!</source>
        <translation>Primera compra: ¡bienvenido!</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="560" />
        <source>Welcome back: first visit in %1 days</source>
        <translation>Bienvenido de nuevo: primera visita en %1 días</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="569" />
        <source>Not verified yet (HQ offline)</source>
        <translation>Aún sin verificar (central sin conexión)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="570" />
        <source>Not verified yet (HQ slow to answer)</source>
        <translation>Aún sin verificar (la central tarda en responder)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="571" />
        <source>Not verified: HQ does not know this member code</source>
        <translation>Sin verificar: la central no conoce este código de socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="572" />
        <source>Not verified: scan the member's phone code</source>
        <translation>Sin verificar: escanee el código del móvil del socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="573" />
        <source>Not verified yet</source>
        <translation>Aún sin verificar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="575" />
        <source>: no tier discount, points stay pending, no points spending until HQ confirms</source>
        <translation>: sin descuento de nivel, los puntos quedan pendientes y no se pueden gastar hasta que la central confirme</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="578" />
        <source>Points can be spent only with the member's phone code</source>
        <translation>Los puntos solo se gastan con el código del móvil del socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="584" />
        <source>posloyalty: cashier</source>
        <translation>posloyalty: caja</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="585" />
        <source>Member</source>
        <translation>Socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="586" />
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="588" />
        <source>No member. Scan the member code (F2: look up by phone or register)</source>
        <translation>Sin socio. Escanee el código de socio (F2: buscar por teléfono o registrar)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="591" />
        <source>Scan anywhere, or type a code or SKU and press Enter</source>
        <translation>Escanee en cualquier momento, o escriba un código o SKU y pulse Intro</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="594" />
        <source>F1 Help</source>
        <translation>F1 Ayuda</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="595" />
        <source>F2 Member</source>
        <translation>F2 Socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="596" />
        <source>F3 Coupon</source>
        <translation>F3 Cupón</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="597" />
        <source>F4 Points</source>
        <translation>F4 Puntos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="598" />
        <source>F5 Pay</source>
        <translation>F5 Pagar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="599" />
        <source>F8 Return</source>
        <translation>F8 Devolución</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="600" />
        <source>F9 Void line</source>
        <translation>F9 Anular</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="601" />
        <source>* Quantity</source>
        <translation>* Cantidad</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="602" />
        <source>F10 Settings</source>
        <translation>F10 Ajustes</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="603" />
        <source>F12 End of day</source>
        <translation>F12 Cierre</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="604" />
        <source>Esc Cancel</source>
        <translation>Esc Cancelar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="609" />
        <source>Cashier %1</source>
        <translation>Cajero %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="686" />
        <source>Checking HQ…</source>
        <translation>Comprobando la central…</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="688" />
        <source>● Online</source>
        <translation>● En línea</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="688" />
        <source>○ Offline</source>
        <translation>○ Sin conexión</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="690" />
        <source>⚠ Sync stopped</source>
        <translation>⚠ Sincronización detenida</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="695" />
        <source>Uploads waiting: %1</source>
        <translation>Envíos pendientes: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="700" />
        <source>never</source>
        <translation>nunca</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="702" />
        <source>Last contact: %1</source>
        <translation>Último contacto: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="715" />
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="724" />
        <source>The terminal database failed its integrity check: %1</source>
        <translation>La base de datos del terminal no superó la comprobación de integridad: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="735" />
        <source>The terminal database is damaged: nothing was saved. Scanning still works; restore the database from a backup</source>
        <translation>La base de datos del terminal está dañada: no se guardó nada. El escaneo sigue funcionando; restaure la base de datos desde una copia de seguridad</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="799" />
        <source>Points taken back</source>
        <translation>Puntos retirados</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="844" />
        <source>Sale %1 complete.</source>
        <translation>Venta %1 completada.</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="846" />
        <source>Change: %1</source>
        <translation>Cambio: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="848" />
        <source>(the sale is stored)</source>
        <translation>(la venta está guardada)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="888" />
        <source>There is no line to void</source>
        <translation>No hay ninguna línea que anular</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="896" />
        <source>Voided line %1: %2</source>
        <translation>Línea %1 anulada: %2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="912" />
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="947" />
        <source>There is no line to change</source>
        <translation>No hay ninguna línea que cambiar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="956" />
        <source>Quantity of %1: %2</source>
        <translation>Cantidad de %1: %2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="994" />
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="1006" />
        <source>Press Esc again to cancel this sale</source>
        <translation>Pulse Esc otra vez para cancelar la venta</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="1001" />
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
        <location filename="../../src/posloyalty/ui/dialogs.py" line="501" />
        <source>Coupon</source>
        <translation>Cupón</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="504" />
        <source>Coupon code</source>
        <translation>Código del cupón</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="509" />
        <source>Held by the member:</source>
        <translation>Del socio:</translation>
    </message>
</context>
<context>
    <name>CustomerDisplay</name>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="104" />
        <source>Welcome to %1</source>
        <extracomment>How long a finished sale stays on the display (ms) before it goes idle. The display shows a finished sale (thanks and change), not a sale in progress.</extracomment>
        <translation>Bienvenido a %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="106" />
        <source>Scan to join and save today</source>
        <translation>Escanee para hacerse socio y ahorrar hoy</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="109" />
        <source>Thank you! See you soon</source>
        <translation>¡Gracias! Hasta pronto</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="112" />
        <source>Member day: %1</source>
        <translation>Día del socio: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="116" />
        <source>%1 · %2 · %3 points</source>
        <translation>%1 · %2 · %3 puntos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="124" />
        <source>You save %1</source>
        <translation>Ahorra %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="129" />
        <source>Points to earn: %1</source>
        <translation>Puntos a ganar: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="134" />
        <source>Total %1</source>
        <translation>Total %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="137" />
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
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="40" />
        <source>End of day and cash drawer</source>
        <translation>Cierre del día y caja</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="48" />
        <source>Why (bank drop, change from the bank…)</source>
        <translation>Motivo (depósito al banco, cambio del banco…)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="49" />
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="126" />
        <source>Opening float</source>
        <translation>Fondo inicial</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="50" />
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="127" />
        <source>Cash in</source>
        <translation>Entrada de efectivo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="51" />
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="128" />
        <source>Cash out</source>
        <translation>Salida de efectivo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="52" />
        <source>Count the drawer (blind)</source>
        <translation>Contar la caja (a ciegas)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="53" />
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="54" />
        <source>Cash drawer (today)</source>
        <translation>Caja (hoy)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="56" />
        <source>Amount</source>
        <translation>Importe</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="57" />
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="70" />
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="105" />
        <source>Day</source>
        <translation>Día</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="93" />
        <source>Type the day as YYYY-MM-DD</source>
        <translation>Escriba el día como AAAA-MM-DD</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="106" />
        <source>Sales</source>
        <translation>Ventas</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="107" />
        <source>Returns</source>
        <translation>Devoluciones</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="108" />
        <source>Net</source>
        <translation>Neto</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="110" />
        <source>Tenders (sales, refunds, net)</source>
        <translation>Medios de pago (ventas, devoluciones, neto)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="117" />
        <source>Tenders total</source>
        <translation>Total de medios de pago</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="119" />
        <source>Discounts (points included)</source>
        <translation>Descuentos (puntos incluidos)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="125" />
        <source>Cash drawer</source>
        <translation>Caja</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="129" />
        <source>Cash sales</source>
        <translation>Ventas en efectivo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="130" />
        <source>Cash refunds</source>
        <translation>Devoluciones en efectivo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="133" />
        <source>Expected cash: shown after the blind count</source>
        <translation>Efectivo esperado: se muestra tras el arqueo ciego</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="136" />
        <source>Expected in drawer</source>
        <translation>Esperado en caja</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="137" />
        <source>Counted</source>
        <translation>Contado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="138" />
        <source>Difference</source>
        <translation>Diferencia</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="156" />
        <source>Type the amount in yuan, like 200 or 12.50</source>
        <translation>Escriba el importe en yuanes, como 200 o 12.50</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="167" />
        <source>Opening float %1 recorded</source>
        <translation>Fondo inicial %1 registrado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="168" />
        <source>Cash in %1 recorded</source>
        <translation>Entrada de efectivo %1 registrada</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="169" />
        <source>Cash out %1 recorded</source>
        <translation>Salida de efectivo %1 registrada</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="170" />
        <source>Count %1 recorded</source>
        <translation>Arqueo %1 registrado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="142" />
        <source>Points issued</source>
        <translation>Puntos emitidos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="143" />
        <source>Points redeemed</source>
        <translation>Puntos canjeados</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="144" />
        <source>New members</source>
        <translation>Socios nuevos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="145" />
        <source>Members served</source>
        <translation>Socios atendidos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="146" />
        <source>Uploads waiting</source>
        <translation>Envíos pendientes</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="32" />
        <location filename="../../src/posloyalty/ui/error_text.py" line="36" />
        <source>Nothing was scanned</source>
        <translation>No se escaneó nada</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="40" />
        <source>Unknown product code %1</source>
        <translation>Código de producto desconocido %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="44" />
        <source>%1 is not a member, coupon or product code</source>
        <translation>%1 no es un código de socio, cupón ni producto</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="50" />
        <source>%1 was misread (check character); scan it again</source>
        <translation>%1 se leyó mal (carácter de control); escanéelo de nuevo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="56" />
        <source>%1 was misread (check digit); scan it again</source>
        <translation>%1 se leyó mal (dígito de control); escanéelo de nuevo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="62" />
        <source>%1 was misread (wrong length); scan it again</source>
        <translation>%1 se leyó mal (longitud incorrecta); escanéelo de nuevo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="68" />
        <source>%1 is too long to be a code</source>
        <translation>%1 es demasiado largo para ser un código</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="72" />
        <source>There is no line to void</source>
        <translation>No hay ninguna línea que anular</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="76" />
        <source>There is no line to change</source>
        <translation>No hay ninguna línea que cambiar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="80" />
        <source>There is no line %1</source>
        <translation>No hay línea %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="84" />
        <source>There is no payment %1</source>
        <translation>No hay pago %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="88" />
        <source>The quantity is already 1; void the line to take it off</source>
        <translation>La cantidad ya es 1; anule la línea para quitarla</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="94" />
        <source>The quantity must be a whole number from 1 to 9999</source>
        <translation>La cantidad debe ser un número entero de 1 a 9999</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="100" />
        <source>Nothing is left to pay</source>
        <translation>No queda nada por pagar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="104" />
        <source>A payment must be above ¥0.00</source>
        <translation>Un pago debe ser mayor que ¥0.00</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="108" />
        <source>A payment of ¥%2 is more than the ¥%3 still due</source>
        <translation>Un pago de ¥%2 supera los ¥%3 pendientes</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="114" />
        <source>¥%1 is still due; take a payment first</source>
        <translation>Faltan ¥%1; cobre primero</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="118" />
        <source>Type the member's full 11-digit phone number</source>
        <translation>Escriba el móvil completo de 11 dígitos del socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="124" />
        <source>No member with phone %1 here</source>
        <translation>No hay ningún socio con el móvil %1 aquí</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="128" />
        <source>Identify the member before applying a member coupon</source>
        <translation>Identifique al socio antes de aplicar un cupón de socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="134" />
        <source>Coupon %1 is already applied</source>
        <translation>El cupón %1 ya está aplicado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="138" />
        <source>Coupon %1 was already used</source>
        <translation>El cupón %1 ya se usó</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="142" />
        <source>Coupon %1 is not held by this member</source>
        <translation>Este socio no tiene el cupón %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="146" />
        <source>Only an identified member can pay with points</source>
        <translation>Solo un socio identificado puede pagar con puntos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="152" />
        <source>No points can be redeemed on this sale right now</source>
        <translation>Ahora no se pueden canjear puntos en esta venta</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="158" />
        <source>No member identified: scan the member's code first</source>
        <translation>Ningún socio identificado: escanee primero el código del socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="164" />
        <source>HQ has not confirmed this member yet</source>
        <translation>La central aún no ha confirmado a este socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="168" />
        <source>Points can only be spent with the member's dynamic code (phone app)</source>
        <translation>Los puntos solo se gastan con el código dinámico del socio (app del móvil)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="174" />
        <source>No sale %1 on this till</source>
        <translation>No hay ninguna venta %1 en esta caja</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="178" />
        <source>Everything of sale %1 was already returned</source>
        <translation>Todo lo de la venta %1 ya se devolvió</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="184" />
        <source>%1 is itself a return; return the original sale</source>
        <translation>%1 ya es una devolución; devuelva la venta original</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="190" />
        <source>A refund above ¥%1 needs a manager's id and PIN</source>
        <translation>Un reembolso de más de ¥%1 necesita el id y el PIN de un encargado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="196" />
        <source>The sale was not paid by %1 (or it was refunded already)</source>
        <translation>La venta no se pagó con %1 (o ya se reembolsó)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="202" />
        <source>Give a reason for moving cash in or out of the drawer</source>
        <translation>Indique un motivo para meter o sacar efectivo de la caja</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="208" />
        <source>Type an amount above zero</source>
        <translation>Escriba un importe mayor que cero</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="212" />
        <source>The drawer already has today's opening float; record more as cash in</source>
        <translation>La caja ya tiene el fondo inicial de hoy; registre más como entrada de efectivo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="218" />
        <source>The drawer should hold only ¥%1; cannot take out more</source>
        <translation>La caja solo debería tener ¥%1; no se puede sacar más</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="224" />
        <source>There is no sale to park</source>
        <translation>No hay ninguna venta que aparcar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="228" />
        <source>Payment has started: go back to the basket before parking</source>
        <translation>El pago ha empezado: vuelva a la cesta antes de aparcar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="234" />
        <source>Finish or park the sale in progress before recalling another</source>
        <translation>Termine o aparque la venta en curso antes de recuperar otra</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="240" />
        <source>That parked sale was recalled already</source>
        <translation>Esa venta aparcada ya se recuperó</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="244" />
        <source>Type the item's price above ¥0.00</source>
        <translation>Escriba el precio del artículo, mayor que ¥0.00</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="248" />
        <source>Name the item (or type its barcode)</source>
        <translation>Indique el nombre del artículo (o su código de barras)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="252" />
        <source>Payment has started: go back to the basket to add an item</source>
        <translation>El pago ha empezado: vuelva a la cesta para añadir un artículo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="258" />
        <source>Type at least %1 characters of the name or code</source>
        <translation>Escriba al menos %1 caracteres del nombre o código</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="264" />
        <source>Type the receipt number</source>
        <translation>Escriba el número de ticket</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="268" />
        <source>No receipt %1 at this till</source>
        <translation>No hay ticket %1 en esta caja</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="272" />
        <source>%1 is a return: its slip was printed with the return</source>
        <translation>%1 es una devolución: su comprobante se imprimió con la devolución</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="278" />
        <source>%1 is not an amount in yuan like 12.30</source>
        <translation>%1 no es un importe en yuanes como 12.30</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="282" />
        <source>The amount cannot be negative</source>
        <translation>El importe no puede ser negativo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="286" />
        <source>%1 has more than two decimals</source>
        <translation>%1 tiene más de dos decimales</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="301" />
        <source>(scanned %1)</source>
        <translation>(escaneado %1)</translation>
    </message>
</context>
<context>
    <name>FavouritesDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="189" />
        <source>Favourites</source>
        <translation>Favoritos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="207" />
        <source>Close</source>
        <extracomment>The grid's keys by SKU, in the grid's order.</extracomment>
        <translation>Cerrar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="222" />
        <source>Added %1</source>
        <translation>Añadido %1</translation>
    </message>
</context>
<context>
    <name>HelpDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="865" />
        <source>Help</source>
        <translation>Ayuda</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="867" />
        <source>This help</source>
        <translation>Esta ayuda</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="868" />
        <source>Member: look up by phone, or register</source>
        <translation>Socio: buscar por teléfono o registrar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="869" />
        <source>Coupon code</source>
        <translation>Código del cupón</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="870" />
        <source>Pay with the most points allowed (again: undo)</source>
        <translation>Pagar con el máximo de puntos (otra vez: deshacer)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="871" />
        <source>Pay</source>
        <translation>Pagar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="872" />
        <source>Points adjustment (manager PIN)</source>
        <translation>Ajuste de puntos (PIN del encargado)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="873" />
        <source>Language: 中文 / English / Español</source>
        <translation>Idioma: 中文 / English / Español</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="874" />
        <source>Return against a receipt</source>
        <translation>Devolución con tique</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="875" />
        <source>Void the selected (or last) line</source>
        <translation>Anular la línea elegida (o la última)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="876" />
        <source>Quantity of the selected (or last) line; type 3* to set 3</source>
        <translation>Cantidad de la línea seleccionada (o la última); escriba 3* para poner 3</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="877" />
        <source>One more / one fewer of the selected (or last) line</source>
        <translation>Una unidad más / menos de la línea seleccionada (o la última)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="878" />
        <source>Settings and enrolment with HQ (manager PIN)</source>
        <translation>Ajustes y alta en la central (PIN del encargado)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="879" />
        <source>Cashier sign-in</source>
        <translation>Inicio de sesión del cajero</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="880" />
        <source>End of day and cash drawer</source>
        <translation>Cierre del día y caja</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="881" />
        <source>Park the sale (挂单)</source>
        <translation>Aparcar la venta (挂单)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="882" />
        <source>Recall a parked sale (取单)</source>
        <translation>Recuperar una venta aparcada (取单)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="883" />
        <source>Print a receipt again by its number (a copy)</source>
        <translation>Reimprimir un ticket por su número (copia)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="884" />
        <source>An item without a price, at the price typed (manager PIN)</source>
        <translation>Un artículo sin precio, al precio escrito (PIN del encargado)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="885" />
        <source>Find a product by part of its name, SKU or barcode</source>
        <translation>Buscar un producto por parte de su nombre, SKU o código de barras</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="886" />
        <source>Favourites: the most sold items, one tap adds one</source>
        <translation>Favoritos: los artículos más vendidos, un toque añade uno</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="887" />
        <source>Clear the field; twice: cancel the sale</source>
        <translation>Borra el campo; dos veces: cancela la venta</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="891" />
        <source>Scan anywhere: member codes, product barcodes and coupons.</source>
        <translation>Escanee en cualquier momento: códigos de socio, de producto y cupones.</translation>
    </message>
</context>
<context>
    <name>MemberDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="384" />
        <source>Member</source>
        <extracomment>Close is a touch target like every key (it was 25 px high at 1920x1080).</extracomment>
        <translation>Socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="386" />
        <source>11-digit mobile number or member id</source>
        <translation>Móvil de 11 dígitos o número de socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="387" />
        <source>Find (Enter)</source>
        <translation>Buscar (Intro)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="388" />
        <source>Register new member (F2)</source>
        <translation>Registrar socio nuevo (F2)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="390" />
        <source>Phone number or member id</source>
        <translation>Teléfono o número de socio</translation>
    </message>
</context>
<context>
    <name>OpenPriceDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/open_price_dialog.py" line="23" />
        <source>Open-price item (manager)</source>
        <translation>Artículo de precio libre (encargado)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/open_price_dialog.py" line="25" />
        <source>Item name or barcode</source>
        <translation>Nombre o código de barras del artículo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/open_price_dialog.py" line="32" />
        <source>Item</source>
        <translation>Artículo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/open_price_dialog.py" line="33" />
        <source>Price</source>
        <translation>Precio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/open_price_dialog.py" line="34" />
        <source>Manager id</source>
        <translation>Id del encargado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/open_price_dialog.py" line="35" />
        <source>Manager PIN</source>
        <translation>PIN del encargado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/open_price_dialog.py" line="52" />
        <source>Type the price in yuan, like 12.50</source>
        <translation>Escriba el precio en yuanes, como 12.50</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/open_price_dialog.py" line="59" />
        <source>Added %1 at the price typed</source>
        <translation>Añadido %1 al precio escrito</translation>
    </message>
</context>
<context>
    <name>PaymentDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="115" />
        <location filename="../../ui/payment.ui" line="6" />
        <source>Payment</source>
        <translation>Pago</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="180" />
        <source>Still to pay: %1</source>
        <translation>Por pagar: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="183" />
        <source>Change: %1</source>
        <translation>Cambio: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="189" />
        <source>No member: points cannot pay.</source>
        <translation>Sin socio: no se puede pagar con puntos.</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="193" />
        <source>Points cannot pay: %1</source>
        <translation>No se puede pagar con puntos: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="197" />
        <source>Available %1 points. Points may pay at most %2% of the sale; up to %3 points (%4) now.</source>
        <translation>Disponibles %1 puntos. Los puntos pagan como máximo el %2% de la venta; ahora hasta %3 puntos (%4).</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="209" />
        <source>HQ has not confirmed this member's balance recently, so at most %1 points a day; %2 left today.</source>
        <translation>La central no ha confirmado el saldo de este socio recientemente: como máximo %1 puntos al día; hoy quedan %2.</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="214" />
        <source>Offline allowance: HQ has not confirmed the balance recently, so at most %1 points a day; %2 left today.</source>
        <translation>Límite sin conexión: la central no ha confirmado el saldo recientemente, como máximo %1 puntos al día; quedan %2 hoy.</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="335" />
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
    <name>PaymentPad</name>
    <message>
        <location filename="../../src/posloyalty/ui/payment_pad.py" line="48" />
        <source>Cash received</source>
        <translation>Efectivo recibido</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/payment_pad.py" line="51" />
        <source>WeChat Pay</source>
        <translation>WeChat Pay</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/payment_pad.py" line="52" />
        <source>Alipay</source>
        <translation>Alipay</translation>
    </message>
</context>
<context>
    <name>PaymentsModel</name>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="178" />
        <source>Method</source>
        <translation>Forma de pago</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="178" />
        <source>Amount</source>
        <translation>Importe</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="178" />
        <source>Tendered</source>
        <translation>Entregado</translation>
    </message>
</context>
<context>
    <name>ProductSearchDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="69" />
        <source>Find a product</source>
        <extracomment>Pause after the last key before the catalogue is asked (ms).</extracomment>
        <translation>Buscar un producto</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="72" />
        <source>Part of the name, SKU or barcode</source>
        <translation>Parte del nombre, SKU o código de barras</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="80" />
        <source>Add</source>
        <translation>Añadir</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="81" />
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="152" />
        <source>No product matches %1</source>
        <extracomment>The text the list shows results for (a late answer for older text is dropped).</extracomment>
        <translation>Ningún producto coincide con %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="165" />
        <source>Choose a product from the list</source>
        <translation>Elija un producto de la lista</translation>
    </message>
</context>
<context>
    <name>QuantityDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="603" />
        <location filename="../../src/posloyalty/ui/dialogs.py" line="613" />
        <source>Quantity</source>
        <translation>Cantidad</translation>
    </message>
</context>
<context>
    <name>RecallDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="172" />
        <source>Recall a parked sale</source>
        <translation>Recuperar una venta aparcada</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="177" />
        <source>%1 · %2 items · %3 · member %4 · cashier %5</source>
        <translation>%1 · %2 artículos · %3 · socio %4 · cajero %5</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="188" />
        <source>Recall</source>
        <translation>Recuperar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="202" />
        <source>Choose a parked sale</source>
        <translation>Elija una venta aparcada</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="210" />
        <source>Sale recalled</source>
        <translation>Venta recuperada</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="212" />
        <source>(left off: %1)</source>
        <translation>(no recuperado: %1)</translation>
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
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="19" />
        <source>Points</source>
        <translation>Puntos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="26" />
        <source>Cash</source>
        <translation>Efectivo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="27" />
        <source>Card</source>
        <translation>Tarjeta</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="28" />
        <source>Gift card</source>
        <translation>Tarjeta regalo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="29" />
        <source>WeChat Pay</source>
        <translation>WeChat Pay</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="30" />
        <source>Alipay</source>
        <translation>Alipay</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="48" />
        <source>Store</source>
        <translation>Tienda</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="52" />
        <source>Cashier</source>
        <translation>Cajero</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="63" />
        <source>Subtotal</source>
        <translation>Subtotal</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="68" />
        <source>Saved</source>
        <translation>Ahorro</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="75" />
        <source>Points used</source>
        <translation>Puntos usados</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="82" />
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="89" />
        <source>Change</source>
        <translation>Cambio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="95" />
        <source>You saved</source>
        <translation>Ha ahorrado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="101" />
        <source>Member</source>
        <translation>Socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="104" />
        <source>pending</source>
        <translation>pendiente</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="105" />
        <source>Points earned</source>
        <translation>Puntos ganados</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="109" />
        <source>Points balance</source>
        <translation>Saldo de puntos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="116" />
        <source>Points pending</source>
        <translation>Puntos pendientes</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="124" />
        <source>Tier</source>
        <translation>Nivel</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="136" />
        <source>Spend %1 more for %2</source>
        <translation>Gaste %1 más para %2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="145" />
        <source>Your points and card online:</source>
        <translation>Tus puntos y tu tarjeta en línea:</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="152" />
        <source>Your member card</source>
        <translation>Su tarjeta de socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="154" />
        <source>Scan for your member card</source>
        <translation>Escanea para ver tu tarjeta de socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="160" />
        <source>Keep this receipt for returns</source>
        <translation>Guarde este tique para devoluciones</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="233" />
        <source>COPY</source>
        <translation>COPIA</translation>
    </message>
</context>
<context>
    <name>ReceiptDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="349" />
        <source>Receipt</source>
        <translation>Tique</translation>
    </message>
</context>
<context>
    <name>RegistrationDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="418" />
        <source>Register a member</source>
        <translation>Registrar socio</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="424" />
        <source>The shopper agrees to membership and to the use of their data</source>
        <translation>El cliente acepta hacerse socio y el uso de sus datos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="428" />
        <source>Phone</source>
        <translation>Teléfono</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="429" />
        <source>Name (optional)</source>
        <translation>Nombre (opcional)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="430" />
        <source>Birthday (optional)</source>
        <translation>Cumpleaños (opcional)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="439" />
        <source>Register</source>
        <translation>Registrar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="481" />
        <source>%1 points</source>
        <translation>%1 puntos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="485" />
        <source>Registered %1. Welcome gifts: %2</source>
        <translation>Registrado %1. Regalos de bienvenida: %2</translation>
    </message>
</context>
<context>
    <name>ReprintDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="243" />
        <source>Print a receipt again</source>
        <translation>Reimprimir un ticket</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="248" />
        <location filename="../../src/posloyalty/ui/product_search.py" line="263" />
        <source>Receipt number</source>
        <translation>Número de ticket</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="254" />
        <source>Print copy</source>
        <translation>Imprimir copia</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="256" />
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="295" />
        <source>Receipt %1 printed again</source>
        <translation>Ticket %1 reimpreso</translation>
    </message>
</context>
<context>
    <name>ReturnDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="49" />
        <source>Scan the receipt barcode</source>
        <translation>Escanee el código de barras del tique</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="46" />
        <source>Return</source>
        <translation>Devolución</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="67" />
        <source>Manager id</source>
        <translation>Id del encargado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="68" />
        <source>Manager PIN</source>
        <translation>PIN del encargado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="70" />
        <source>Review refund</source>
        <translation>Revisar reembolso</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="71" />
        <source>Confirm refund</source>
        <translation>Confirmar reembolso</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="72" />
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="78" />
        <source>Receipt code</source>
        <translation>Código del tique</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="83" />
        <source>Refund by</source>
        <translation>Reembolsar por</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="84" />
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="125" />
        <source>Sale %1 of %2, total %3</source>
        <translation>Venta %1 del %2, total %3</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="156" />
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="239" />
        <source>Scan the receipt first</source>
        <translation>Escanee primero el tique</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="162" />
        <source>Nothing chosen to return</source>
        <translation>No se ha elegido nada para devolver</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="196" />
        <source>Original tenders</source>
        <translation>Medios de pago originales</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="199" />
        <source>%1 first (up to %2)</source>
        <translation>%1 primero (hasta %2)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="209" />
        <source>%1 × %2: %3</source>
        <translation>%1 × %2: %3</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="215" />
        <source>Refund %1</source>
        <translation>Reembolso %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="217" />
        <source>By tender: %1</source>
        <translation>Por medio de pago: %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="223" />
        <source>Points taken back %1, points given back %2</source>
        <translation>Puntos retirados %1, puntos devueltos %2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="229" />
        <source>A manager approves refunds above %1: manager id and PIN</source>
        <translation>Un encargado aprueba los reembolsos de más de %1: id y PIN del encargado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="242" />
        <source>Review the refund first</source>
        <translation>Revise primero el reembolso</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="255" />
        <source>Refunded %1 (%2). Points taken back %3, points refunded %4.</source>
        <translation>Reembolsado %1 (%2). Puntos retirados %3, puntos devueltos %4.</translation>
    </message>
</context>
<context>
    <name>ReturnLinesModel</name>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="225" />
        <source>Item</source>
        <translation>Artículo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="225" />
        <source>Sold</source>
        <translation>Vendido</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="225" />
        <source>Still returnable</source>
        <translation>Aún devolvible</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="225" />
        <source>Return</source>
        <translation>Devolución</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="649" />
        <source>Settings and enrolment</source>
        <translation>Ajustes y alta</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="662" />
        <source>None: receipts are previewed only</source>
        <translation>Ninguna: los tiques solo se previsualizan</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="665" />
        <source>Store</source>
        <translation>Tienda</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="666" />
        <source>Terminal</source>
        <translation>Terminal</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="667" />
        <location filename="../../src/posloyalty/ui/dialogs.py" line="680" />
        <source>HQ address</source>
        <translation>Dirección de la central</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="668" />
        <source>Enrolment</source>
        <translation>Alta</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="669" />
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="670" />
        <source>Receipt printer</source>
        <translation>Impresora de tiques</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="677" />
        <source>Enrol</source>
        <translation>Dar de alta</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="678" />
        <source>Enrol with HQ (manager)</source>
        <translation>Alta en la central (encargado)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="681" />
        <source>Enrolment code</source>
        <translation>Código de alta</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="682" />
        <source>Manager id</source>
        <translation>Id del encargado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="683" />
        <source>Manager PIN</source>
        <translation>PIN del encargado</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="710" />
        <source>none</source>
        <translation>ninguna</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="715" />
        <source>Enrolled (online)</source>
        <translation>Dado de alta (en línea)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="717" />
        <source>Enrolled (offline)</source>
        <translation>Dado de alta (sin conexión)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="720" />
        <source>Revoked by HQ: enrol again with a new code</source>
        <translation>Revocado por la central: dé de alta de nuevo con un código nuevo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="722" />
        <source>Not enrolled: sales are kept here until it is</source>
        <translation>Sin alta: las ventas se guardan aquí hasta que la tenga</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="728" />
        <source>Finish or cancel the sale before enrolling</source>
        <translation>Termine o cancele la venta antes de dar de alta</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="731" />
        <source>Still reading the settings; try again</source>
        <translation>Aún se leen los ajustes; inténtelo de nuevo</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="735" />
        <location filename="../../src/posloyalty/ui/dialogs.py" line="817" />
        <source>Type the HQ address, starting with http:// or https://</source>
        <translation>Escriba la dirección de la central, empezando por http:// o https://</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="739" />
        <source>Type the one-time enrolment code from HQ</source>
        <translation>Escriba el código de alta de un solo uso de la central</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="778" />
        <source>Enrolled: store %1, terminal %2</source>
        <translation>Dado de alta: tienda %1, terminal %2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="793" />
        <source>Enrolling…</source>
        <translation>Dando de alta…</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="798" />
        <source>Nothing was changed.</source>
        <translation>No se ha cambiado nada.</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="801" />
        <source>HQ cannot be reached at %1: check the address and the network.</source>
        <translation>No se puede contactar con la central en %1: compruebe la dirección y la red.</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="811" />
        <source>HQ refused the code: it is unknown, already used or expired. Ask HQ for a new one.</source>
        <translation>La central rechazó el código: es desconocido, ya se usó o caducó. Pida uno nuevo a la central.</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="818" />
        <source>HQ refused the enrolment: %1</source>
        <translation>La central rechazó el alta: %1</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="827" />
        <source>Cashier sign-in</source>
        <translation>Inicio de sesión del cajero</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="832" />
        <source>Cashier id</source>
        <translation>Id de cajero</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="833" />
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="843" />
        <source>Finish or cancel the sale before changing cashier</source>
        <translation>Termine o cancele la venta antes de cambiar de cajero</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="856" />
        <source>Signed in as %1</source>
        <translation>Sesión iniciada como %1</translation>
    </message>
</context>
<context>
    <name>Tiers</name>
    <message>
        <location filename="../../src/posloyalty/ui/tier_names.py" line="20" />
        <source>Regular</source>
        <translation>Normal</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/tier_names.py" line="21" />
        <source>Silver</source>
        <translation>Plata</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/tier_names.py" line="22" />
        <source>Gold</source>
        <translation>Oro</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/tier_names.py" line="23" />
        <source>Platinum</source>
        <translation>Platino</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/tier_names.py" line="24" />
        <source>Diamond</source>
        <translation>Diamante</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/tier_names.py" line="25" />
        <source>VIP</source>
        <translation>VIP</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/tier_names.py" line="26" />
        <source>SVIP</source>
        <translation>SVIP</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/tier_names.py" line="27" />
        <source>One star</source>
        <translation>Una estrella</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/tier_names.py" line="28" />
        <source>Two stars</source>
        <translation>Dos estrellas</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/tier_names.py" line="29" />
        <source>Three stars</source>
        <translation>Tres estrellas</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/tier_names.py" line="30" />
        <source>Four stars</source>
        <translation>Cuatro estrellas</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/tier_names.py" line="31" />
        <source>Five stars</source>
        <translation>Cinco estrellas</translation>
    </message>
</context>
<context>
    <name>TouchKeys</name>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="86" />
        <source>F6 Adjust</source>
        <translation>F6 Ajustar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="87" />
        <source>F7 中文/EN/ES</source>
        <translation>F7 中文/EN/ES</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="88" />
        <source>F11 Sign in</source>
        <translation>F11 Cajero</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="89" />
        <source>+1</source>
        <translation>+1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="90" />
        <source>-1</source>
        <translation>-1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="91" />
        <source>Park</source>
        <translation>Aparcar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="92" />
        <source>Recall</source>
        <translation>Recuperar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="93" />
        <source>Reprint</source>
        <translation>Reimprimir</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="94" />
        <source>Open price</source>
        <translation>Precio libre</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="95" />
        <source>Ctrl+F Find</source>
        <translation>Ctrl+F Buscar</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="96" />
        <source>Ctrl+G Favourites</source>
        <translation>Ctrl+G Favoritos</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="109" />
        <source>Sale parked (%1 items, %2). Recall it with Ctrl+R.</source>
        <translation>Venta aparcada (%1 artículos, %2). Recupérela con Ctrl+R.</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="123" />
        <source>No parked sales</source>
        <translation>No hay ventas aparcadas</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="152" />
        <source>No favourites yet: they are the items this store sells most</source>
        <translation>Aún no hay favoritos: son los artículos que más vende esta tienda</translation>
    </message>
</context>
<context>
    <name>panel</name>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="202" />
        <source>Camera</source>
        <translation>Cámara</translation>
    </message>
</context>
</TS>