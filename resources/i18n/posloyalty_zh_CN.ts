<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name />
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="323" />
        <source>Too many wrong PINs for %1: try again in %2 s</source>
        <translation>%1 的 PIN 错误次数过多:请 %2 秒后再试</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="329" />
        <source>%1 is locked after too many wrong PINs: a manager must unlock it (or wait %2 min)</source>
        <translation>%1 因 PIN 错误次数过多已被锁定:需由店长解锁(或等待 %2 分钟)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="334" />
        <source>%1 is not a manager</source>
        <translation>%1 不是店长</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="336" />
        <source>Wrong manager id or PIN</source>
        <translation>店长编号或 PIN 错误</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="338" />
        <source>Wrong cashier id or PIN</source>
        <translation>收银员编号或 PIN 错误</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="340" />
        <source>Adjustment refused: %1</source>
        <translation>调整被拒绝:%1</translation>
    </message>
</context>
<context>
    <name>AdjustDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="537" />
        <source>Points adjustment (manager)</source>
        <translation>积分调整(店长)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="547" />
        <source>Member</source>
        <translation>会员</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="548" />
        <source>Points (+/-)</source>
        <translation>积分(+/-)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="549" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="550" />
        <source>Manager id</source>
        <translation>店长编号</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="551" />
        <source>Manager PIN</source>
        <translation>店长密码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="573" />
        <source>Adjusted %1 points for %2; balance %3</source>
        <translation>已为 %2 调整 %1 积分,余额 %3</translation>
    </message>
</context>
<context>
    <name>CameraPanel</name>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="144" />
        <source>No camera is connected; use the barcode scanner</source>
        <extracomment>The window's on/off key for the camera (set by :func:`attach_camera`).</extracomment>
        <translation>未连接摄像头,请使用扫码枪</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="150" />
        <source>Camera error: %1</source>
        <translation>摄像头故障:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="156" />
        <source>Show the code to the camera (%1)</source>
        <translation>请将二维码对准摄像头(%1)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="163" />
        <source>Camera off</source>
        <translation>摄像头已关闭</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="186" />
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
</context>
<context>
    <name>CameraScanner</name>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="104" />
        <source>Camera frame not read: %1</source>
        <translation>摄像头画面无法读取:%1</translation>
    </message>
</context>
<context>
    <name>CartModel</name>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="89" />
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="90" />
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="91" />
        <source>Price</source>
        <translation>单价</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="92" />
        <source>Discount</source>
        <translation>优惠</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="93" />
        <source>Net</source>
        <translation>实付</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="94" />
        <source>Points</source>
        <translation>积分</translation>
    </message>
</context>
<context>
    <name>CashierWindow</name>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="445" />
        <source>Member %1 identified</source>
        <extracomment>Emitted after every repaint with the view shown (customer display, benchmarks). Emitted when a sale was committed, with its receipt. The receipt printer setting as configured (``file:...``, ``network:...``). The background integrity check and the gate it sets on commits. How long a message stays (ms): information, then refusals. How long a first Esc stays armed (ms). Member codes registered at this till and not yet on a receipt (their card QR). A sync worker this window started (after an enrolment) and stops on close. Keys beside the scan field (product search, favourites), sized like the others. Keys for every other action (touch), park, recall and reprint.</extracomment>
        <translation>已识别会员 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="447" />
        <source>Coupon %1 applied</source>
        <translation>已使用优惠券 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="449" />
        <location filename="../../src/posloyalty/ui/product_search.py" line="55" />
        <source>Added %1</source>
        <translation>已添加 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="457" />
        <source>Subtotal %1</source>
        <translation>小计 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="459" />
        <source>You save %1</source>
        <translation>已优惠 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="462" />
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="794" />
        <source>Points used: %1 (%2)</source>
        <translation>已用积分:%1(%2)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="469" />
        <source>Points to earn: %1</source>
        <translation>本单可得积分:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="476" />
        <source>Member day: %1</source>
        <translation>会员日:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="514" />
        <source>Happy birthday! Birthday benefits apply</source>
        <translation>生日快乐!享受生日礼遇</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="526" />
        <source>Phone %1 · %2</source>
        <translation>手机 %1 · %2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="529" />
        <source>Points available: %1</source>
        <translation>可用积分:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="532" />
        <source>Pending: %1</source>
        <translation>待生效:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="536" />
        <source>Growth: %1</source>
        <translation>成长值:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="540" />
        <source>Spend %1 more for %2</source>
        <translation>再消费 %1 升级为%2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="546" />
        <source>%1 counts towards the tier from %2</source>
        <translation>%1 自 %2 起计入等级</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="556" />
        <source>Coupons held: %1</source>
        <translation>持有优惠券:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="559" />
        <source>First purchase: welcome!</source>
        <translation>首次购物:欢迎!</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="560" />
        <source>Welcome back: first visit in %1 days</source>
        <translation>欢迎回来:%1 天未到店</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="569" />
        <source>Not verified yet (HQ offline)</source>
        <translation>尚未验证(总部离线)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="570" />
        <source>Not verified yet (HQ slow to answer)</source>
        <translation>尚未验证(总部响应慢)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="571" />
        <source>Not verified: HQ does not know this member code</source>
        <translation>未验证:总部不认识此会员码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="572" />
        <source>Not verified: scan the member's phone code</source>
        <translation>未验证:请扫描会员手机上的动态码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="573" />
        <source>Not verified yet</source>
        <translation>尚未验证</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="575" />
        <source>: no tier discount, points stay pending, no points spending until HQ confirms</source>
        <translation>:无等级折扣,积分待生效,总部确认前不能使用积分</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="578" />
        <source>Points can be spent only with the member's phone code</source>
        <translation>仅可凭会员手机动态码使用积分</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="584" />
        <source>posloyalty: cashier</source>
        <translation>posloyalty 收银台</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="585" />
        <source>Member</source>
        <translation>会员</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="586" />
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="588" />
        <source>No member. Scan the member code (F2: look up by phone or register)</source>
        <translation>未识别会员。请扫描会员码(F2:按手机号查找或注册)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="591" />
        <source>Scan anywhere, or type a code or SKU and press Enter</source>
        <translation>随时扫码,或输入条码/货号后按回车</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="594" />
        <source>F1 Help</source>
        <translation>F1 帮助</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="595" />
        <source>F2 Member</source>
        <translation>F2 会员</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="596" />
        <source>F3 Coupon</source>
        <translation>F3 优惠券</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="597" />
        <source>F4 Points</source>
        <translation>F4 积分</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="598" />
        <source>F5 Pay</source>
        <translation>F5 付款</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="599" />
        <source>F8 Return</source>
        <translation>F8 退货</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="600" />
        <source>F9 Void line</source>
        <translation>F9 删除商品</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="601" />
        <source>* Quantity</source>
        <translation>* 数量</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="602" />
        <source>F10 Settings</source>
        <translation>F10 设置</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="603" />
        <source>F12 End of day</source>
        <translation>F12 日结</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="604" />
        <source>Esc Cancel</source>
        <translation>Esc 取消</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="609" />
        <source>Cashier %1</source>
        <translation>收银员 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="686" />
        <source>Checking HQ…</source>
        <translation>正在连接总部…</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="688" />
        <source>● Online</source>
        <translation>● 在线</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="688" />
        <source>○ Offline</source>
        <translation>○ 离线</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="690" />
        <source>⚠ Sync stopped</source>
        <translation>⚠ 同步已停止</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="695" />
        <source>Uploads waiting: %1</source>
        <translation>待上传:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="700" />
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="702" />
        <source>Last contact: %1</source>
        <translation>最近同步:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="715" />
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="724" />
        <source>The terminal database failed its integrity check: %1</source>
        <translation>终端数据库完整性检查未通过:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="735" />
        <source>The terminal database is damaged: nothing was saved. Scanning still works; restore the database from a backup</source>
        <translation>终端数据库已损坏:未保存任何内容。扫描仍可使用;请从备份恢复数据库</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="799" />
        <source>Points taken back</source>
        <translation>已取消积分抵扣</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="844" />
        <source>Sale %1 complete.</source>
        <translation>交易 %1 已完成。</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="846" />
        <source>Change: %1</source>
        <translation>找零:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="848" />
        <source>(the sale is stored)</source>
        <translation>(交易已保存)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="888" />
        <source>There is no line to void</source>
        <translation>没有可删除的商品</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="896" />
        <source>Voided line %1: %2</source>
        <translation>已作废第 %1 行:%2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="912" />
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="947" />
        <source>There is no line to change</source>
        <translation>没有可修改的商品行</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="956" />
        <source>Quantity of %1: %2</source>
        <translation>%1 数量:%2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="994" />
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="1006" />
        <source>Press Esc again to cancel this sale</source>
        <translation>再按 Esc 取消本次交易</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="1001" />
        <source>Sale cancelled</source>
        <translation>交易已取消</translation>
    </message>
    <message>
        <location filename="../../ui/cashier.ui" line="58" />
        <source>Scan or type a code</source>
        <translation>扫码或输入</translation>
    </message>
    <message>
        <location filename="../../ui/cashier.ui" line="206" />
        <source>Sale</source>
        <translation>本单</translation>
    </message>
</context>
<context>
    <name>CouponDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="501" />
        <source>Coupon</source>
        <translation>优惠券</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="504" />
        <source>Coupon code</source>
        <translation>券码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="509" />
        <source>Held by the member:</source>
        <translation>会员持有:</translation>
    </message>
</context>
<context>
    <name>CustomerDisplay</name>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="104" />
        <source>Welcome to %1</source>
        <extracomment>How long a finished sale stays on the display (ms) before it goes idle. The display shows a finished sale (thanks and change), not a sale in progress.</extracomment>
        <translation>欢迎光临 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="106" />
        <source>Scan to join and save today</source>
        <translation>扫码入会,今天就省钱</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="109" />
        <source>Thank you! See you soon</source>
        <translation>谢谢惠顾,欢迎再次光临!</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="112" />
        <source>Member day: %1</source>
        <translation>会员日:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="116" />
        <source>%1 · %2 · %3 points</source>
        <translation>%1 · %2 · %3 积分</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="124" />
        <source>You save %1</source>
        <translation>已优惠 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="129" />
        <source>Points to earn: %1</source>
        <translation>本单可得积分:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="134" />
        <source>Total %1</source>
        <translation>合计 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="137" />
        <source>Change: %1</source>
        <translation>找零:%1</translation>
    </message>
    <message>
        <location filename="../../ui/customer_display.ui" line="6" />
        <source>Customer display</source>
        <translation>顾客屏</translation>
    </message>
</context>
<context>
    <name>EodDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="40" />
        <source>End of day and cash drawer</source>
        <translation>日结与钱箱</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="48" />
        <source>Why (bank drop, change from the bank…)</source>
        <translation>原因(存银行、换零钱…)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="49" />
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="126" />
        <source>Opening float</source>
        <translation>备用金</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="50" />
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="127" />
        <source>Cash in</source>
        <translation>存入现金</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="51" />
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="128" />
        <source>Cash out</source>
        <translation>取出现金</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="52" />
        <source>Count the drawer (blind)</source>
        <translation>盲点钱箱</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="53" />
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="54" />
        <source>Cash drawer (today)</source>
        <translation>钱箱(今日)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="56" />
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="57" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="70" />
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="105" />
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="93" />
        <source>Type the day as YYYY-MM-DD</source>
        <translation>日期格式:YYYY-MM-DD</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="106" />
        <source>Sales</source>
        <translation>销售</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="107" />
        <source>Returns</source>
        <translation>退货</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="108" />
        <source>Net</source>
        <translation>实付</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="110" />
        <source>Tenders (sales, refunds, net)</source>
        <translation>支付方式(销售、退款、净额)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="117" />
        <source>Tenders total</source>
        <translation>支付方式合计</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="119" />
        <source>Discounts (points included)</source>
        <translation>优惠(含积分抵扣)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="125" />
        <source>Cash drawer</source>
        <translation>钱箱</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="129" />
        <source>Cash sales</source>
        <translation>现金销售</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="130" />
        <source>Cash refunds</source>
        <translation>现金退款</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="133" />
        <source>Expected cash: shown after the blind count</source>
        <translation>应有现金:盲点数后显示</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="136" />
        <source>Expected in drawer</source>
        <translation>钱箱应有</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="137" />
        <source>Counted</source>
        <translation>实点</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="138" />
        <source>Difference</source>
        <translation>差额</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="156" />
        <source>Type the amount in yuan, like 200 or 12.50</source>
        <translation>请输入金额(元),如 200 或 12.50</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="167" />
        <source>Opening float %1 recorded</source>
        <translation>已记录备用金 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="168" />
        <source>Cash in %1 recorded</source>
        <translation>已记录存入现金 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="169" />
        <source>Cash out %1 recorded</source>
        <translation>已记录取出现金 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="170" />
        <source>Count %1 recorded</source>
        <translation>已记录点数 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="142" />
        <source>Points issued</source>
        <translation>发放积分</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="143" />
        <source>Points redeemed</source>
        <translation>使用积分</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="144" />
        <source>New members</source>
        <translation>新会员</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="145" />
        <source>Members served</source>
        <translation>服务会员数</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/eod_dialog.py" line="146" />
        <source>Uploads waiting</source>
        <translation>待上传</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="32" />
        <location filename="../../src/posloyalty/ui/error_text.py" line="36" />
        <source>Nothing was scanned</source>
        <translation>没有扫描到内容</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="40" />
        <source>Unknown product code %1</source>
        <translation>未知商品码 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="44" />
        <source>%1 is not a member, coupon or product code</source>
        <translation>%1 不是会员码、优惠券码或商品码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="50" />
        <source>%1 was misread (check character); scan it again</source>
        <translation>%1 读取有误(校验位),请重新扫描</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="56" />
        <source>%1 was misread (check digit); scan it again</source>
        <translation>%1 读取有误(校验位),请重新扫描</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="62" />
        <source>%1 was misread (wrong length); scan it again</source>
        <translation>%1 读取有误(长度不对),请重新扫描</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="68" />
        <source>%1 is too long to be a code</source>
        <translation>%1 太长,不是有效的码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="72" />
        <source>There is no line to void</source>
        <translation>没有可删除的商品</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="76" />
        <source>There is no line to change</source>
        <translation>没有可修改的商品行</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="80" />
        <source>There is no line %1</source>
        <translation>没有第 %1 行</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="84" />
        <source>There is no payment %1</source>
        <translation>没有第 %1 笔付款</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="88" />
        <source>The quantity is already 1; void the line to take it off</source>
        <translation>数量已经是 1;如需删除请作废该行</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="94" />
        <source>The quantity must be a whole number from 1 to 9999</source>
        <translation>数量必须是 1 到 9999 的整数</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="100" />
        <source>Nothing is left to pay</source>
        <translation>已无待付金额</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="104" />
        <source>A payment must be above ¥0.00</source>
        <translation>付款金额必须大于 ¥0.00</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="108" />
        <source>A payment of ¥%2 is more than the ¥%3 still due</source>
        <translation>付款 ¥%2 超过了待付的 ¥%3</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="114" />
        <source>¥%1 is still due; take a payment first</source>
        <translation>还需支付 ¥%1,请先收款</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="118" />
        <source>Type the member's full 11-digit phone number</source>
        <translation>请输入会员完整的11位手机号</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="124" />
        <source>No member with phone %1 here</source>
        <translation>本店没有手机号为 %1 的会员</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="128" />
        <source>Identify the member before applying a member coupon</source>
        <translation>请先识别会员再使用会员券</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="134" />
        <source>Coupon %1 is already applied</source>
        <translation>优惠券 %1 已使用在本单</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="138" />
        <source>Coupon %1 was already used</source>
        <translation>优惠券 %1 已被使用</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="142" />
        <source>Coupon %1 is not held by this member</source>
        <translation>该会员没有优惠券 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="146" />
        <source>Only an identified member can pay with points</source>
        <translation>只有已识别的会员才能用积分支付</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="152" />
        <source>No points can be redeemed on this sale right now</source>
        <translation>本单目前不能使用积分</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="158" />
        <source>No member identified: scan the member's code first</source>
        <translation>未识别会员:请先扫描会员码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="164" />
        <source>HQ has not confirmed this member yet</source>
        <translation>总部尚未确认该会员</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="168" />
        <source>Points can only be spent with the member's dynamic code (phone app)</source>
        <translation>只有出示会员动态码(手机App)才能使用积分</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="174" />
        <source>No sale %1 on this till</source>
        <translation>本机没有交易 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="178" />
        <source>Everything of sale %1 was already returned</source>
        <translation>交易 %1 已全部退货</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="184" />
        <source>%1 is itself a return; return the original sale</source>
        <translation>%1 本身是退货单,请对原交易退货</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="190" />
        <source>A refund above ¥%1 needs a manager's id and PIN</source>
        <translation>超过 ¥%1 的退款需要店长编号和密码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="196" />
        <source>The sale was not paid by %1 (or it was refunded already)</source>
        <translation>该交易没有用 %1 支付(或已退回)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="202" />
        <source>Give a reason for moving cash in or out of the drawer</source>
        <translation>存取现金请填写原因</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="208" />
        <source>Type an amount above zero</source>
        <translation>请输入大于零的金额</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="212" />
        <source>The drawer already has today's opening float; record more as cash in</source>
        <translation>今天已记录备用金;追加请记为存入现金</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="218" />
        <source>The drawer should hold only ¥%1; cannot take out more</source>
        <translation>钱箱应有现金仅 ¥%1,不能取出更多</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="224" />
        <source>There is no sale to park</source>
        <translation>没有可挂起的交易</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="228" />
        <source>Payment has started: go back to the basket before parking</source>
        <translation>已开始收款:请先返回购物车再挂单</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="234" />
        <source>Finish or park the sale in progress before recalling another</source>
        <translation>请先完成或挂起当前交易再取单</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="240" />
        <source>That parked sale was recalled already</source>
        <translation>该挂单已被取回</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="244" />
        <source>Type the item's price above ¥0.00</source>
        <translation>请输入大于 ¥0.00 的商品价格</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="248" />
        <source>Name the item (or type its barcode)</source>
        <translation>请填写商品名称(或条码)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="252" />
        <source>Payment has started: go back to the basket to add an item</source>
        <translation>已开始付款:请先返回购物篮再添加商品</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="258" />
        <source>Type at least %1 characters of the name or code</source>
        <translation>请至少输入名称或编码的 %1 个字符</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="264" />
        <source>Type the receipt number</source>
        <translation>请输入小票号</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="268" />
        <source>No receipt %1 at this till</source>
        <translation>本收银台没有小票 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="272" />
        <source>%1 is a return: its slip was printed with the return</source>
        <translation>%1 是退货单:退货凭条已在退货时打印</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="278" />
        <source>%1 is not an amount in yuan like 12.30</source>
        <translation>%1 不是有效的金额(如 12.30)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="282" />
        <source>The amount cannot be negative</source>
        <translation>金额不能为负</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="286" />
        <source>%1 has more than two decimals</source>
        <translation>%1 超过两位小数</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/error_text.py" line="301" />
        <source>(scanned %1)</source>
        <translation>(扫描内容 %1)</translation>
    </message>
</context>
<context>
    <name>FavouritesDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="189" />
        <source>Favourites</source>
        <translation>常用商品</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="207" />
        <source>Close</source>
        <extracomment>The grid's keys by SKU, in the grid's order.</extracomment>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="222" />
        <source>Added %1</source>
        <translation>已添加 %1</translation>
    </message>
</context>
<context>
    <name>HelpDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="865" />
        <source>Help</source>
        <translation>帮助</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="867" />
        <source>This help</source>
        <translation>本帮助</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="868" />
        <source>Member: look up by phone, or register</source>
        <translation>会员:按手机号查找或注册</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="869" />
        <source>Coupon code</source>
        <translation>券码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="870" />
        <source>Pay with the most points allowed (again: undo)</source>
        <translation>用最多可用积分抵扣(再按:撤销)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="871" />
        <source>Pay</source>
        <translation>付款</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="872" />
        <source>Points adjustment (manager PIN)</source>
        <translation>积分调整(店长密码)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="873" />
        <source>Language: 中文 / English / Español</source>
        <translation>语言:中文 / English / Español</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="874" />
        <source>Return against a receipt</source>
        <translation>凭小票退货</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="875" />
        <source>Void the selected (or last) line</source>
        <translation>删除选中(或最后一个)商品</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="876" />
        <source>Quantity of the selected (or last) line; type 3* to set 3</source>
        <translation>修改选中(或最后一行)商品的数量;输入 3* 设为 3</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="877" />
        <source>One more / one fewer of the selected (or last) line</source>
        <translation>选中(或最后一行)商品数量加一 / 减一</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="878" />
        <source>Settings and enrolment with HQ (manager PIN)</source>
        <translation>设置及总部注册(需店长密码)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="879" />
        <source>Cashier sign-in</source>
        <translation>收银员登录</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="880" />
        <source>End of day and cash drawer</source>
        <translation>日结与钱箱</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="881" />
        <source>Park the sale (挂单)</source>
        <translation>挂单</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="882" />
        <source>Recall a parked sale (取单)</source>
        <translation>取单</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="883" />
        <source>Print a receipt again by its number (a copy)</source>
        <translation>按小票号重打小票(副本)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="884" />
        <source>An item without a price, at the price typed (manager PIN)</source>
        <translation>无价商品按输入价格销售(需店长密码)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="885" />
        <source>Find a product by part of its name, SKU or barcode</source>
        <translation>按名称、货号或条码的一部分查找商品</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="886" />
        <source>Favourites: the most sold items, one tap adds one</source>
        <translation>常用商品:最畅销的商品,点一下加一件</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="887" />
        <source>Clear the field; twice: cancel the sale</source>
        <translation>清空输入;按两次:取消交易</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="891" />
        <source>Scan anywhere: member codes, product barcodes and coupons.</source>
        <translation>随时扫码:会员码、商品条码和优惠券。</translation>
    </message>
</context>
<context>
    <name>MemberDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="384" />
        <source>Member</source>
        <extracomment>Close is a touch target like every key (it was 25 px high at 1920x1080).</extracomment>
        <translation>会员</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="386" />
        <source>11-digit mobile number or member id</source>
        <translation>11位手机号或会员号</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="387" />
        <source>Find (Enter)</source>
        <translation>查找(回车)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="388" />
        <source>Register new member (F2)</source>
        <translation>注册新会员(F2)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="390" />
        <source>Phone number or member id</source>
        <translation>手机号或会员号</translation>
    </message>
</context>
<context>
    <name>OpenPriceDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/open_price_dialog.py" line="23" />
        <source>Open-price item (manager)</source>
        <translation>自定价商品(店长)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/open_price_dialog.py" line="25" />
        <source>Item name or barcode</source>
        <translation>商品名称或条码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/open_price_dialog.py" line="32" />
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/open_price_dialog.py" line="33" />
        <source>Price</source>
        <translation>单价</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/open_price_dialog.py" line="34" />
        <source>Manager id</source>
        <translation>店长编号</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/open_price_dialog.py" line="35" />
        <source>Manager PIN</source>
        <translation>店长密码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/open_price_dialog.py" line="52" />
        <source>Type the price in yuan, like 12.50</source>
        <translation>请输入价格(元),如 12.50</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/open_price_dialog.py" line="59" />
        <source>Added %1 at the price typed</source>
        <translation>已按输入价格添加 %1</translation>
    </message>
</context>
<context>
    <name>PaymentDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="115" />
        <location filename="../../ui/payment.ui" line="6" />
        <source>Payment</source>
        <translation>付款</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="180" />
        <source>Still to pay: %1</source>
        <translation>待付:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="183" />
        <source>Change: %1</source>
        <translation>找零:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="189" />
        <source>No member: points cannot pay.</source>
        <translation>非会员:不能使用积分。</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="193" />
        <source>Points cannot pay: %1</source>
        <translation>不能使用积分:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="197" />
        <source>Available %1 points. Points may pay at most %2% of the sale; up to %3 points (%4) now.</source>
        <translation>可用 %1 积分。积分最多抵扣订单的 %2%;本单最多可用 %3 积分(%4)。</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="209" />
        <source>HQ has not confirmed this member's balance recently, so at most %1 points a day; %2 left today.</source>
        <translation>总部近期未确认该会员的积分余额,每天最多可用 %1 积分;今天还可用 %2。</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="214" />
        <source>Offline allowance: HQ has not confirmed the balance recently, so at most %1 points a day; %2 left today.</source>
        <translation>离线额度:总部近期未确认余额,每天最多 %1 积分;今天还剩 %2。</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="335" />
        <source>%1 is still to pay</source>
        <translation>还需支付 %1</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="14" />
        <source>Due</source>
        <translation>应付</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="68" />
        <source>Pay with points</source>
        <translation>积分抵扣</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="93" />
        <source>Apply points</source>
        <translation>使用积分</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="103" />
        <source>Most allowed</source>
        <translation>最多可用</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="120" />
        <source>Cash handed over</source>
        <translation>收到现金</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="127" />
        <source>e.g. 100</source>
        <translation>例如 100</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="134" />
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="148" />
        <source>Card amount</source>
        <translation>刷卡金额</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="155" />
        <location filename="../../ui/payment.ui" line="183" />
        <source>empty: all that remains</source>
        <translation>留空:支付剩余全部</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="162" />
        <source>Card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="176" />
        <source>Gift card amount</source>
        <translation>礼品卡金额</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="190" />
        <source>Gift card</source>
        <translation>礼品卡</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="220" />
        <source>Remove payment</source>
        <translation>删除支付</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="237" />
        <source>Esc Back to basket</source>
        <translation>Esc 返回购物车</translation>
    </message>
    <message>
        <location filename="../../ui/payment.ui" line="247" />
        <source>F5 Complete sale</source>
        <translation>F5 完成交易</translation>
    </message>
</context>
<context>
    <name>PaymentPad</name>
    <message>
        <location filename="../../src/posloyalty/ui/payment_pad.py" line="48" />
        <source>Cash received</source>
        <translation>收到现金</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/payment_pad.py" line="51" />
        <source>WeChat Pay</source>
        <translation>微信支付</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/payment_pad.py" line="52" />
        <source>Alipay</source>
        <translation>支付宝</translation>
    </message>
</context>
<context>
    <name>PaymentsModel</name>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="178" />
        <source>Method</source>
        <translation>方式</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="178" />
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="178" />
        <source>Tendered</source>
        <translation>实收</translation>
    </message>
</context>
<context>
    <name>ProductSearchDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="69" />
        <source>Find a product</source>
        <extracomment>Pause after the last key before the catalogue is asked (ms).</extracomment>
        <translation>查找商品</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="72" />
        <source>Part of the name, SKU or barcode</source>
        <translation>名称、货号或条码的一部分</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="80" />
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="81" />
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="152" />
        <source>No product matches %1</source>
        <extracomment>The text the list shows results for (a late answer for older text is dropped).</extracomment>
        <translation>没有与 %1 匹配的商品</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="165" />
        <source>Choose a product from the list</source>
        <translation>请从列表中选择商品</translation>
    </message>
</context>
<context>
    <name>QuantityDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="603" />
        <location filename="../../src/posloyalty/ui/dialogs.py" line="613" />
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
</context>
<context>
    <name>RecallDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="172" />
        <source>Recall a parked sale</source>
        <translation>取单</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="177" />
        <source>%1 · %2 items · %3 · member %4 · cashier %5</source>
        <translation>%1 · %2 件 · %3 · 会员 %4 · 收银员 %5</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="188" />
        <source>Recall</source>
        <translation>取单</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="202" />
        <source>Choose a parked sale</source>
        <translation>请选择挂单</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="210" />
        <source>Sale recalled</source>
        <translation>已取单</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="212" />
        <source>(left off: %1)</source>
        <translation>(未恢复:%1)</translation>
    </message>
</context>
<context>
    <name>Receipt</name>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="14" />
        <source>Member prices</source>
        <translation>会员价</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="15" />
        <source>Tier discount</source>
        <translation>等级折扣</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="16" />
        <source>Member day</source>
        <translation>会员日</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="17" />
        <source>Coupons</source>
        <translation>优惠券</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="18" />
        <source>Birthday</source>
        <translation>生日</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="19" />
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="26" />
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="27" />
        <source>Card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="28" />
        <source>Gift card</source>
        <translation>礼品卡</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="29" />
        <source>WeChat Pay</source>
        <translation>微信支付</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="30" />
        <source>Alipay</source>
        <translation>支付宝</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="48" />
        <source>Store</source>
        <translation>门店</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="52" />
        <source>Cashier</source>
        <translation>收银员</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="63" />
        <source>Subtotal</source>
        <translation>小计</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="68" />
        <source>Saved</source>
        <translation>已省</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="75" />
        <source>Points used</source>
        <translation>积分抵扣</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="82" />
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="89" />
        <source>Change</source>
        <translation>找零</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="95" />
        <source>You saved</source>
        <translation>共节省</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="101" />
        <source>Member</source>
        <translation>会员</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="104" />
        <source>pending</source>
        <translation>待生效</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="105" />
        <source>Points earned</source>
        <translation>本次积分</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="109" />
        <source>Points balance</source>
        <translation>积分余额</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="116" />
        <source>Points pending</source>
        <translation>待生效积分</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="124" />
        <source>Tier</source>
        <translation>等级</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="136" />
        <source>Spend %1 more for %2</source>
        <translation>再消费 %1 升级为%2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="145" />
        <source>Your points and card online:</source>
        <translation>在线查看积分和会员卡：</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="152" />
        <source>Your member card</source>
        <translation>您的会员卡</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="154" />
        <source>Scan for your member card</source>
        <translation>扫码打开您的会员卡</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="160" />
        <source>Keep this receipt for returns</source>
        <translation>退货请保留小票</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="233" />
        <source>COPY</source>
        <translation>重打</translation>
    </message>
</context>
<context>
    <name>ReceiptDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="349" />
        <source>Receipt</source>
        <translation>小票</translation>
    </message>
</context>
<context>
    <name>RegistrationDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="418" />
        <source>Register a member</source>
        <translation>注册会员</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="424" />
        <source>The shopper agrees to membership and to the use of their data</source>
        <translation>顾客同意入会并同意使用其个人信息</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="428" />
        <source>Phone</source>
        <translation>手机号</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="429" />
        <source>Name (optional)</source>
        <translation>姓名(选填)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="430" />
        <source>Birthday (optional)</source>
        <translation>生日(选填)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="439" />
        <source>Register</source>
        <translation>注册</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="481" />
        <source>%1 points</source>
        <translation>%1 积分</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="485" />
        <source>Registered %1. Welcome gifts: %2</source>
        <translation>已注册 %1。新人礼:%2</translation>
    </message>
</context>
<context>
    <name>ReprintDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="243" />
        <source>Print a receipt again</source>
        <translation>重打小票</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="248" />
        <location filename="../../src/posloyalty/ui/product_search.py" line="263" />
        <source>Receipt number</source>
        <translation>小票号</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="254" />
        <source>Print copy</source>
        <translation>打印副本</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="256" />
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/product_search.py" line="295" />
        <source>Receipt %1 printed again</source>
        <translation>已重打小票 %1</translation>
    </message>
</context>
<context>
    <name>ReturnDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="49" />
        <source>Scan the receipt barcode</source>
        <translation>扫描小票条码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="46" />
        <source>Return</source>
        <translation>退货</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="67" />
        <source>Manager id</source>
        <translation>店长编号</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="68" />
        <source>Manager PIN</source>
        <translation>店长密码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="70" />
        <source>Review refund</source>
        <translation>查看退款</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="71" />
        <source>Confirm refund</source>
        <translation>确认退款</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="72" />
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="78" />
        <source>Receipt code</source>
        <translation>小票号</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="83" />
        <source>Refund by</source>
        <translation>退款方式</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="84" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="125" />
        <source>Sale %1 of %2, total %3</source>
        <translation>交易 %1,%2,合计 %3</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="156" />
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="239" />
        <source>Scan the receipt first</source>
        <translation>请先扫描小票</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="162" />
        <source>Nothing chosen to return</source>
        <translation>未选择退货商品</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="196" />
        <source>Original tenders</source>
        <translation>原支付方式</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="199" />
        <source>%1 first (up to %2)</source>
        <translation>优先 %1(最多 %2)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="209" />
        <source>%1 × %2: %3</source>
        <translation>%1 × %2:%3</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="215" />
        <source>Refund %1</source>
        <translation>退款 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="217" />
        <source>By tender: %1</source>
        <translation>按支付方式:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="223" />
        <source>Points taken back %1, points given back %2</source>
        <translation>扣回积分 %1,退还积分 %2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="229" />
        <source>A manager approves refunds above %1: manager id and PIN</source>
        <translation>超过 %1 的退款需店长批准:请输入店长编号和密码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="242" />
        <source>Review the refund first</source>
        <translation>请先查看退款</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/return_dialog.py" line="255" />
        <source>Refunded %1 (%2). Points taken back %3, points refunded %4.</source>
        <translation>已退款 %1(%2)。扣回积分 %3,退还积分 %4。</translation>
    </message>
</context>
<context>
    <name>ReturnLinesModel</name>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="225" />
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="225" />
        <source>Sold</source>
        <translation>已售</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="225" />
        <source>Still returnable</source>
        <translation>可退数量</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="225" />
        <source>Return</source>
        <translation>退货</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="649" />
        <source>Settings and enrolment</source>
        <translation>设置与注册</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="662" />
        <source>None: receipts are previewed only</source>
        <translation>无:小票仅可预览</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="665" />
        <source>Store</source>
        <translation>门店</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="666" />
        <source>Terminal</source>
        <translation>终端</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="667" />
        <location filename="../../src/posloyalty/ui/dialogs.py" line="680" />
        <source>HQ address</source>
        <translation>总部地址</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="668" />
        <source>Enrolment</source>
        <translation>注册状态</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="669" />
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="670" />
        <source>Receipt printer</source>
        <translation>小票打印机</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="677" />
        <source>Enrol</source>
        <translation>注册</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="678" />
        <source>Enrol with HQ (manager)</source>
        <translation>在总部注册(店长)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="681" />
        <source>Enrolment code</source>
        <translation>注册码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="682" />
        <source>Manager id</source>
        <translation>店长编号</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="683" />
        <source>Manager PIN</source>
        <translation>店长密码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="710" />
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="715" />
        <source>Enrolled (online)</source>
        <translation>已注册(在线)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="717" />
        <source>Enrolled (offline)</source>
        <translation>已注册(离线)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="720" />
        <source>Revoked by HQ: enrol again with a new code</source>
        <translation>已被总部撤销:请用新注册码重新注册</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="722" />
        <source>Not enrolled: sales are kept here until it is</source>
        <translation>未注册:交易先保存在本机,注册后再上传</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="728" />
        <source>Finish or cancel the sale before enrolling</source>
        <translation>请先完成或取消当前交易再注册</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="731" />
        <source>Still reading the settings; try again</source>
        <translation>仍在读取设置,请重试</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="735" />
        <location filename="../../src/posloyalty/ui/dialogs.py" line="817" />
        <source>Type the HQ address, starting with http:// or https://</source>
        <translation>请输入总部地址,以 http:// 或 https:// 开头</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="739" />
        <source>Type the one-time enrolment code from HQ</source>
        <translation>请输入总部提供的一次性注册码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="778" />
        <source>Enrolled: store %1, terminal %2</source>
        <translation>注册成功:门店 %1,终端 %2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="793" />
        <source>Enrolling…</source>
        <translation>正在注册…</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="798" />
        <source>Nothing was changed.</source>
        <translation>未做任何更改。</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="801" />
        <source>HQ cannot be reached at %1: check the address and the network.</source>
        <translation>无法连接总部 %1:请检查地址和网络。</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="811" />
        <source>HQ refused the code: it is unknown, already used or expired. Ask HQ for a new one.</source>
        <translation>总部拒绝了注册码:码无效、已使用或已过期。请向总部索取新码。</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="818" />
        <source>HQ refused the enrolment: %1</source>
        <translation>总部拒绝注册:%1</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="827" />
        <source>Cashier sign-in</source>
        <translation>收银员登录</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="832" />
        <source>Cashier id</source>
        <translation>收银员编号</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="833" />
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="843" />
        <source>Finish or cancel the sale before changing cashier</source>
        <translation>请先完成或取消当前交易再换班</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="856" />
        <source>Signed in as %1</source>
        <translation>已登录:%1</translation>
    </message>
</context>
<context>
    <name>Tiers</name>
    <message>
        <location filename="../../src/posloyalty/ui/tier_names.py" line="20" />
        <source>Regular</source>
        <translation>普通会员</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/tier_names.py" line="21" />
        <source>Silver</source>
        <translation>银卡</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/tier_names.py" line="22" />
        <source>Gold</source>
        <translation>金卡</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/tier_names.py" line="23" />
        <source>Platinum</source>
        <translation>白金卡</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/tier_names.py" line="24" />
        <source>Diamond</source>
        <translation>钻石卡</translation>
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
        <translation>一星会员</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/tier_names.py" line="28" />
        <source>Two stars</source>
        <translation>二星会员</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/tier_names.py" line="29" />
        <source>Three stars</source>
        <translation>三星会员</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/tier_names.py" line="30" />
        <source>Four stars</source>
        <translation>四星会员</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/tier_names.py" line="31" />
        <source>Five stars</source>
        <translation>五星会员</translation>
    </message>
</context>
<context>
    <name>TouchKeys</name>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="86" />
        <source>F6 Adjust</source>
        <translation>F6 调整积分</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="87" />
        <source>F7 中文/EN/ES</source>
        <translation>F7 中文/EN/ES</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="88" />
        <source>F11 Sign in</source>
        <translation>F11 登录</translation>
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
        <translation>挂单</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="92" />
        <source>Recall</source>
        <translation>取单</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="93" />
        <source>Reprint</source>
        <translation>重打小票</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="94" />
        <source>Open price</source>
        <translation>自定价</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="95" />
        <source>Ctrl+F Find</source>
        <translation>Ctrl+F 查找</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="96" />
        <source>Ctrl+G Favourites</source>
        <translation>Ctrl+G 常用</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="109" />
        <source>Sale parked (%1 items, %2). Recall it with Ctrl+R.</source>
        <translation>已挂单(%1 件,%2)。按 Ctrl+R 取单。</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="123" />
        <source>No parked sales</source>
        <translation>没有挂单</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/touch_keys.py" line="152" />
        <source>No favourites yet: they are the items this store sells most</source>
        <translation>暂无常用商品:常用商品为本店最畅销的商品</translation>
    </message>
</context>
<context>
    <name>panel</name>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="202" />
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
</context>
</TS>