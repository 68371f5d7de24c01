<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name />
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="72" />
        <source>Too many wrong PINs for %1: try again in %2 s</source>
        <translation>%1 的 PIN 错误次数过多:请 %2 秒后再试</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="78" />
        <source>%1 is locked after too many wrong PINs: a manager must unlock it (or wait %2 min)</source>
        <translation>%1 因 PIN 错误次数过多已被锁定:需由店长解锁(或等待 %2 分钟)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="83" />
        <source>%1 is not a manager</source>
        <translation>%1 不是店长</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="85" />
        <source>Wrong manager id or PIN</source>
        <translation>店长编号或 PIN 错误</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="87" />
        <source>Wrong cashier id or PIN</source>
        <translation>收银员编号或 PIN 错误</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="89" />
        <source>Adjustment refused: %1</source>
        <translation>调整被拒绝:%1</translation>
    </message>
</context>
<context>
    <name>AdjustDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="605" />
        <source>Member</source>
        <translation>会员</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="606" />
        <source>Points (+/-)</source>
        <translation>积分(+/-)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="607" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="608" />
        <source>Manager id</source>
        <translation>店长编号</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="609" />
        <source>Manager PIN</source>
        <translation>店长密码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="631" />
        <source>Adjusted %1 points for %2; balance %3</source>
        <translation>已为 %2 调整 %1 积分,余额 %3</translation>
    </message>
</context>
<context>
    <name>CameraPanel</name>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="142" />
        <source>No camera is connected; use the barcode scanner</source>
        <extracomment>The window's on/off key for the camera (set by :func:`attach_camera`).</extracomment>
        <translation>未连接摄像头,请使用扫码枪</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="148" />
        <source>Camera error: %1</source>
        <translation>摄像头故障:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="154" />
        <source>Show the code to the camera (%1)</source>
        <translation>请将二维码对准摄像头(%1)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="161" />
        <source>Camera off</source>
        <translation>摄像头已关闭</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="184" />
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
</context>
<context>
    <name>CameraScanner</name>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="102" />
        <source>Camera frame not read: %1</source>
        <translation>摄像头画面无法读取:%1</translation>
    </message>
</context>
<context>
    <name>CartModel</name>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="94" />
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="95" />
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="96" />
        <source>Price</source>
        <translation>单价</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="97" />
        <source>Discount</source>
        <translation>优惠</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="98" />
        <source>Net</source>
        <translation>实付</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="99" />
        <source>Points</source>
        <translation>积分</translation>
    </message>
</context>
<context>
    <name>CashierWindow</name>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="466" />
        <source>Member %1 identified</source>
        <extracomment>Emitted after every repaint with the view shown (customer display, benchmarks). Emitted when a sale was committed, with its receipt. The receipt printer setting as configured (``file:...``, ``network:...``). How long a message stays (ms): information, then refusals. How long a first Esc stays armed (ms). Member codes registered at this till and not yet on a receipt (their card QR). A sync worker this window started (after an enrolment) and stops on close.</extracomment>
        <translation>已识别会员 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="468" />
        <source>Coupon %1 applied</source>
        <translation>已使用优惠券 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="470" />
        <source>Added %1</source>
        <translation>已添加 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="478" />
        <source>Subtotal %1</source>
        <translation>小计 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="480" />
        <source>You save %1</source>
        <translation>已优惠 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="483" />
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="793" />
        <source>Points used: %1 (%2)</source>
        <translation>已用积分:%1(%2)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="490" />
        <source>Points to earn: %1</source>
        <translation>本单可得积分:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="497" />
        <source>Member day: %1</source>
        <translation>会员日:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="535" />
        <source>Happy birthday! Birthday benefits apply</source>
        <translation>生日快乐!享受生日礼遇</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="547" />
        <source>Phone %1 · %2</source>
        <translation>手机 %1 · %2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="550" />
        <source>Points available: %1</source>
        <translation>可用积分:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="553" />
        <source>Pending: %1</source>
        <translation>待生效:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="557" />
        <source>Growth: %1</source>
        <translation>成长值:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="561" />
        <source>Spend %1 more for %2</source>
        <translation>再消费 %1 升级为%2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="567" />
        <source>%1 counts towards the tier from %2</source>
        <translation>%1 自 %2 起计入等级</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="577" />
        <source>Coupons held: %1</source>
        <translation>持有优惠券:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="580" />
        <source>First purchase: welcome!</source>
        <translation>首次购物:欢迎!</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="581" />
        <source>Welcome back: first visit in %1 days</source>
        <translation>欢迎回来:%1 天未到店</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="590" />
        <source>Not verified yet (HQ offline)</source>
        <translation>尚未验证(总部离线)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="591" />
        <source>Not verified yet (HQ slow to answer)</source>
        <translation>尚未验证(总部响应慢)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="592" />
        <source>Not verified: HQ does not know this member code</source>
        <translation>未验证:总部不认识此会员码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="593" />
        <source>Not verified: scan the member's phone code</source>
        <translation>未验证:请扫描会员手机上的动态码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="594" />
        <source>Not verified yet</source>
        <translation>尚未验证</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="596" />
        <source>: no tier discount, points stay pending, no points spending until HQ confirms</source>
        <translation>:无等级折扣,积分待生效,总部确认前不能使用积分</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="599" />
        <source>Points can be spent only with the member's phone code</source>
        <translation>仅可凭会员手机动态码使用积分</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="605" />
        <source>posloyalty: cashier</source>
        <translation>posloyalty 收银台</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="606" />
        <source>Member</source>
        <translation>会员</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="607" />
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="609" />
        <source>No member. Scan the member code (F2: look up by phone or register)</source>
        <translation>未识别会员。请扫描会员码(F2:按手机号查找或注册)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="612" />
        <source>Scan anywhere, or type a code or SKU and press Enter</source>
        <translation>随时扫码,或输入条码/货号后按回车</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="615" />
        <source>F1 Help</source>
        <translation>F1 帮助</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="616" />
        <source>F2 Member</source>
        <translation>F2 会员</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="617" />
        <source>F3 Coupon</source>
        <translation>F3 优惠券</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="618" />
        <source>F4 Points</source>
        <translation>F4 积分</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="619" />
        <source>F5 Pay</source>
        <translation>F5 付款</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="620" />
        <source>F8 Return</source>
        <translation>F8 退货</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="621" />
        <source>F9 Void line</source>
        <translation>F9 删除商品</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="622" />
        <source>* Quantity</source>
        <translation>* 数量</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="623" />
        <source>F10 Settings</source>
        <translation>F10 设置</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="624" />
        <source>F12 End of day</source>
        <translation>F12 日结</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="625" />
        <source>Esc Cancel</source>
        <translation>Esc 取消</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="629" />
        <source>Cashier %1</source>
        <translation>收银员 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="706" />
        <source>Checking HQ…</source>
        <translation>正在连接总部…</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="708" />
        <source>● Online</source>
        <translation>● 在线</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="708" />
        <source>○ Offline</source>
        <translation>○ 离线</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="710" />
        <source>⚠ Sync stopped</source>
        <translation>⚠ 同步已停止</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="715" />
        <source>Uploads waiting: %1</source>
        <translation>待上传:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="720" />
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="722" />
        <source>Last contact: %1</source>
        <translation>最近同步:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="730" />
        <source>The terminal database failed its integrity check: %1</source>
        <translation>终端数据库完整性检查未通过:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="798" />
        <source>Points taken back</source>
        <translation>已取消积分抵扣</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="843" />
        <source>Sale %1 complete.</source>
        <translation>交易 %1 已完成。</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="845" />
        <source>Change: %1</source>
        <translation>找零:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="847" />
        <source>(the sale is stored)</source>
        <translation>(交易已保存)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="881" />
        <source>There is no line to void</source>
        <translation>没有可删除的商品</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="889" />
        <source>Voided line %1: %2</source>
        <translation>已作废第 %1 行:%2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="905" />
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="940" />
        <source>There is no line to change</source>
        <translation>没有可修改的商品行</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="949" />
        <source>Quantity of %1: %2</source>
        <translation>%1 数量:%2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="987" />
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="999" />
        <source>Press Esc again to cancel this sale</source>
        <translation>再按 Esc 取消本次交易</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/cashier_window.py" line="994" />
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
        <location filename="../../src/posloyalty/ui/dialogs.py" line="477" />
        <source>Coupon code</source>
        <translation>券码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="482" />
        <source>Held by the member:</source>
        <translation>会员持有:</translation>
    </message>
</context>
<context>
    <name>CustomerDisplay</name>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="102" />
        <source>Welcome to %1</source>
        <extracomment>How long a finished sale stays on the display (ms) before it goes idle. The display shows a finished sale (thanks and change), not a sale in progress.</extracomment>
        <translation>欢迎光临 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="104" />
        <source>Scan to join and save today</source>
        <translation>扫码入会,今天就省钱</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="107" />
        <source>Thank you! See you soon</source>
        <translation>谢谢惠顾,欢迎再次光临!</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="110" />
        <source>Member day: %1</source>
        <translation>会员日:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="114" />
        <source>%1 · %2 · %3 points</source>
        <translation>%1 · %2 · %3 积分</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="122" />
        <source>You save %1</source>
        <translation>已优惠 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="127" />
        <source>Points to earn: %1</source>
        <translation>本单可得积分:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="132" />
        <source>Total %1</source>
        <translation>合计 %1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/customer_display.py" line="135" />
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
        <location filename="../../src/posloyalty/ui/dialogs.py" line="929" />
        <location filename="../../src/posloyalty/ui/dialogs.py" line="951" />
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="944" />
        <source>Type the day as YYYY-MM-DD</source>
        <translation>日期格式:YYYY-MM-DD</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="952" />
        <source>Sales</source>
        <translation>销售</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="953" />
        <source>Returns</source>
        <translation>退货</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="954" />
        <source>Net</source>
        <translation>实付</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="956" />
        <source>Payments</source>
        <translation>支付方式</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="958" />
        <source>Discounts</source>
        <translation>优惠</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="961" />
        <source>Points issued</source>
        <translation>发放积分</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="962" />
        <source>Points redeemed</source>
        <translation>使用积分</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="963" />
        <source>New members</source>
        <translation>新会员</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="964" />
        <source>Members served</source>
        <translation>服务会员数</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="965" />
        <source>Uploads waiting</source>
        <translation>待上传</translation>
    </message>
</context>
<context>
    <name>HelpDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="976" />
        <source>This help</source>
        <translation>本帮助</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="977" />
        <source>Member: look up by phone, or register</source>
        <translation>会员:按手机号查找或注册</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="978" />
        <source>Coupon code</source>
        <translation>券码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="979" />
        <source>Pay with the most points allowed (again: undo)</source>
        <translation>用最多可用积分抵扣(再按:撤销)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="980" />
        <source>Pay</source>
        <translation>付款</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="981" />
        <source>Points adjustment (manager PIN)</source>
        <translation>积分调整(店长密码)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="982" />
        <source>Language: 中文 / English / Español</source>
        <translation>语言:中文 / English / Español</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="983" />
        <source>Return against a receipt</source>
        <translation>凭小票退货</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="984" />
        <source>Void the selected (or last) line</source>
        <translation>删除选中(或最后一个)商品</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="985" />
        <source>Quantity of the selected (or last) line; type 3* to set 3</source>
        <translation>修改选中(或最后一行)商品的数量;输入 3* 设为 3</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="986" />
        <source>One more / one fewer of the selected (or last) line</source>
        <translation>选中(或最后一行)商品数量加一 / 减一</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="987" />
        <source>Settings and enrolment with HQ (manager PIN)</source>
        <translation>设置及总部注册(需店长密码)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="988" />
        <source>Cashier sign-in</source>
        <translation>收银员登录</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="989" />
        <source>End-of-day report</source>
        <translation>日结报表</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="990" />
        <source>Clear the field; twice: cancel the sale</source>
        <translation>清空输入;按两次:取消交易</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="994" />
        <source>Scan anywhere: member codes, product barcodes and coupons.</source>
        <translation>随时扫码:会员码、商品条码和优惠券。</translation>
    </message>
</context>
<context>
    <name>MemberDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="361" />
        <source>11-digit mobile number</source>
        <translation>11位手机号</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="362" />
        <source>Find (Enter)</source>
        <translation>查找(回车)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="363" />
        <source>Register new member (F2)</source>
        <translation>注册新会员(F2)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="365" />
        <source>Phone number</source>
        <translation>手机号</translation>
    </message>
</context>
<context>
    <name>PaymentDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="114" />
        <location filename="../../ui/payment.ui" line="6" />
        <source>Payment</source>
        <translation>付款</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="172" />
        <source>Still to pay: %1</source>
        <translation>待付:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="175" />
        <source>Change: %1</source>
        <translation>找零:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="180" />
        <source>No member: points cannot pay.</source>
        <translation>非会员:不能使用积分。</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="184" />
        <source>Points cannot pay: %1</source>
        <translation>不能使用积分:%1</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="188" />
        <source>Available %1 points. Points may pay at most %2% of the sale; up to %3 points (%4) now.</source>
        <translation>可用 %1 积分。积分最多抵扣订单的 %2%;本单最多可用 %3 积分(%4)。</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="200" />
        <source>HQ has not confirmed this member's balance recently, so at most %1 points a day; %2 left today.</source>
        <translation>总部近期未确认该会员的积分余额,每天最多可用 %1 积分;今天还可用 %2。</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="205" />
        <source>Offline allowance: HQ has not confirmed the balance recently, so at most %1 points a day; %2 left today.</source>
        <translation>离线额度:总部近期未确认余额,每天最多 %1 积分;今天还剩 %2。</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="317" />
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
    <name>PaymentsModel</name>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="183" />
        <source>Method</source>
        <translation>方式</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="183" />
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="183" />
        <source>Tendered</source>
        <translation>实收</translation>
    </message>
</context>
<context>
    <name>QuantityDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="660" />
        <location filename="../../src/posloyalty/ui/dialogs.py" line="670" />
        <source>Quantity</source>
        <translation>数量</translation>
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
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="25" />
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="26" />
        <source>Card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="27" />
        <source>Gift card</source>
        <translation>礼品卡</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="38" />
        <source>Store</source>
        <translation>门店</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="42" />
        <source>Cashier</source>
        <translation>收银员</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="53" />
        <source>Subtotal</source>
        <translation>小计</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="58" />
        <source>Saved</source>
        <translation>已省</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="65" />
        <source>Points used</source>
        <translation>积分抵扣</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="72" />
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="79" />
        <source>Change</source>
        <translation>找零</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="85" />
        <source>You saved</source>
        <translation>共节省</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="91" />
        <source>Member</source>
        <translation>会员</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="94" />
        <source>pending</source>
        <translation>待生效</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="95" />
        <source>Points earned</source>
        <translation>本次积分</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="99" />
        <source>Points balance</source>
        <translation>积分余额</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="106" />
        <source>Points pending</source>
        <translation>待生效积分</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="114" />
        <source>Tier</source>
        <translation>等级</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="126" />
        <source>Spend %1 more for %2</source>
        <translation>再消费 %1 升级为%2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="135" />
        <source>Your member card</source>
        <translation>您的会员卡</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/receipt_doc.py" line="138" />
        <source>Keep this receipt for returns</source>
        <translation>退货请保留小票</translation>
    </message>
</context>
<context>
    <name>RegistrationDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="398" />
        <source>The shopper agrees to membership and to the use of their data</source>
        <translation>顾客同意入会并同意使用其个人信息</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="402" />
        <source>Phone</source>
        <translation>手机号</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="403" />
        <source>Name (optional)</source>
        <translation>姓名(选填)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="404" />
        <source>Birthday (optional)</source>
        <translation>生日(选填)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="413" />
        <source>Register</source>
        <translation>注册</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="455" />
        <source>%1 points</source>
        <translation>%1 积分</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="459" />
        <source>Registered %1. Welcome gifts: %2</source>
        <translation>已注册 %1。新人礼:%2</translation>
    </message>
</context>
<context>
    <name>ReturnDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="508" />
        <source>Scan the receipt barcode</source>
        <translation>扫描小票条码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="516" />
        <source>Refund</source>
        <translation>退款</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="518" />
        <source>Receipt code</source>
        <translation>小票号</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="522" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="547" />
        <source>Sale %1 of %2, total %3</source>
        <translation>交易 %1,%2,合计 %3</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="558" />
        <source>Scan the receipt first</source>
        <translation>请先扫描小票</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="562" />
        <source>Nothing chosen to return</source>
        <translation>未选择退货商品</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="571" />
        <source>Refunded %1 (%2). Points taken back %3, points refunded %4.</source>
        <translation>已退款 %1(%2)。扣回积分 %3,退还积分 %4。</translation>
    </message>
</context>
<context>
    <name>ReturnLinesModel</name>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="230" />
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="230" />
        <source>Sold</source>
        <translation>已售</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="230" />
        <source>Still returnable</source>
        <translation>可退数量</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/models.py" line="230" />
        <source>Return</source>
        <translation>退货</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="706" />
        <source>Settings and enrolment</source>
        <translation>设置与注册</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="719" />
        <source>None: receipts are previewed only</source>
        <translation>无:小票仅可预览</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="722" />
        <source>Store</source>
        <translation>门店</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="723" />
        <source>Terminal</source>
        <translation>终端</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="724" />
        <location filename="../../src/posloyalty/ui/dialogs.py" line="737" />
        <source>HQ address</source>
        <translation>总部地址</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="725" />
        <source>Enrolment</source>
        <translation>注册状态</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="726" />
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="727" />
        <source>Receipt printer</source>
        <translation>小票打印机</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="734" />
        <source>Enrol</source>
        <translation>注册</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="735" />
        <source>Enrol with HQ (manager)</source>
        <translation>在总部注册(店长)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="738" />
        <source>Enrolment code</source>
        <translation>注册码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="739" />
        <source>Manager id</source>
        <translation>店长编号</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="740" />
        <source>Manager PIN</source>
        <translation>店长密码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="767" />
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="772" />
        <source>Enrolled (online)</source>
        <translation>已注册(在线)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="774" />
        <source>Enrolled (offline)</source>
        <translation>已注册(离线)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="777" />
        <source>Revoked by HQ: enrol again with a new code</source>
        <translation>已被总部撤销:请用新注册码重新注册</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="779" />
        <source>Not enrolled: sales are kept here until it is</source>
        <translation>未注册:交易先保存在本机,注册后再上传</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="785" />
        <source>Finish or cancel the sale before enrolling</source>
        <translation>请先完成或取消当前交易再注册</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="788" />
        <source>Still reading the settings; try again</source>
        <translation>仍在读取设置,请重试</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="792" />
        <location filename="../../src/posloyalty/ui/dialogs.py" line="874" />
        <source>Type the HQ address, starting with http:// or https://</source>
        <translation>请输入总部地址,以 http:// 或 https:// 开头</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="796" />
        <source>Type the one-time enrolment code from HQ</source>
        <translation>请输入总部提供的一次性注册码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="835" />
        <source>Enrolled: store %1, terminal %2</source>
        <translation>注册成功:门店 %1,终端 %2</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="850" />
        <source>Enrolling…</source>
        <translation>正在注册…</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="855" />
        <source>Nothing was changed.</source>
        <translation>未做任何更改。</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="858" />
        <source>HQ cannot be reached at %1: check the address and the network.</source>
        <translation>无法连接总部 %1:请检查地址和网络。</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="868" />
        <source>HQ refused the code: it is unknown, already used or expired. Ask HQ for a new one.</source>
        <translation>总部拒绝了注册码:码无效、已使用或已过期。请向总部索取新码。</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="875" />
        <source>HQ refused the enrolment: %1</source>
        <translation>总部拒绝注册:%1</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="888" />
        <source>Cashier id</source>
        <translation>收银员编号</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="889" />
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="899" />
        <source>Finish or cancel the sale before changing cashier</source>
        <translation>请先完成或取消当前交易再换班</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="912" />
        <source>Signed in as %1</source>
        <translation>已登录:%1</translation>
    </message>
</context>
<context>
    <name>panel</name>
    <message>
        <location filename="../../src/posloyalty/ui/camera.py" line="200" />
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
</context>
<context>
    <name>window</name>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="330" />
        <source>Receipt</source>
        <translation>小票</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="359" />
        <source>Member</source>
        <translation>会员</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="392" />
        <source>Register a member</source>
        <translation>注册会员</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="474" />
        <source>Coupon</source>
        <translation>优惠券</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="506" />
        <source>Return</source>
        <translation>退货</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="595" />
        <source>Points adjustment (manager)</source>
        <translation>积分调整(店长)</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="883" />
        <source>Cashier sign-in</source>
        <translation>收银员登录</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="922" />
        <source>End of day</source>
        <translation>日结</translation>
    </message>
    <message>
        <location filename="../../src/posloyalty/ui/dialogs.py" line="974" />
        <source>Help</source>
        <translation>帮助</translation>
    </message>
</context>
</TS>