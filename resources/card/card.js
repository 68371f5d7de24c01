// The member's own card: sign in with phone + SMS code, then show the rotating member code.
// The code is computed here with WebCrypto exactly as the tills verify it
// (posloyalty.domain.codes.make_dynamic): counter = unix seconds // 30; MAC = HMAC-SHA256 under
// the member's secret over "posloyalty/M1\0" + member id + "\0" + counter (8 bytes, big endian),
// its first 16 bytes as a number mod 36^11 in base 36 (11 characters); the code is
// "M1" + counter mod 36^3 (3 base-36 characters) + MAC + member id + a Damm check character.
"use strict";

const TEXTS = {
  "zh-CN": {
    title: "我的会员卡", intro: "用手机号和短信验证码登录，即可在收银台出示会员码。",
    phone: "手机号码", send: "发送验证码", code: "短信验证码", signin: "登录",
    sent: "验证码已发送，5 分钟内有效。", wrong: "验证码不正确或已过期，请重新获取。",
    bad_phone: "手机号格式不正确。", busy: "操作太频繁，请稍后再试。", offline_signin: "没有网络，请联网后登录。",
    show: "结账时请向收银员出示此码", left: "{s} 秒后更新", tier: "会员等级", points: "可用积分",
    pending: "待生效积分", growth: "成长值", expiring: "即将过期积分", coupons: "我的优惠券",
    offline: "离线显示：余额为上次联网时的数据，会员码照常有效。", signout: "退出登录",
    pending_on: "{d} 生效", expires_on: "{d} 过期", valid_until: "有效期至 {d}",
    next_tier: "升级到{t}还需", need_growth: "{n} 成长值", need_spend: "消费 ¥{n}", need_count: "{n} 笔消费", or: " 或 ",
    top_tier: "已是最高等级", activity: "最近记录", sale: "消费", return: "退货",
    kinds: { earn: "获得积分", redeem: "积分抵现", expire: "积分过期", reverse: "积分冲回", adjust: "积分调整", bonus: "奖励积分" },
    show_big: "放大会员码", close: "关闭", replaced: "您已在另一台设备上登录，此设备上的会员卡已失效。如需在此使用，请重新登录。",
  },
  en: {
    title: "My member card", intro: "Sign in with your mobile number and an SMS code to show your member code at the till.",
    phone: "Mobile number", send: "Send code", code: "SMS code", signin: "Sign in",
    sent: "A code is on its way; it is valid for 5 minutes.", wrong: "That code is wrong or has expired; ask for a new one.",
    bad_phone: "That is not a valid mobile number.", busy: "Too many attempts; please try again later.",
    offline_signin: "No connection: sign in when you are online.",
    show: "Show this code to the cashier", left: "New code in {s} s", tier: "Member level", points: "Points available",
    pending: "Points pending", growth: "Growth", expiring: "Points expiring soon", coupons: "My coupons",
    offline: "Offline: the balance is from your last connection; the member code works as usual.", signout: "Sign out",
    pending_on: "from {d}", expires_on: "expire {d}", valid_until: "valid until {d}",
    next_tier: "Still needed for {t}", need_growth: "{n} growth", need_spend: "¥{n} spent", need_count: "{n} purchases", or: " or ",
    top_tier: "You are at the top level", activity: "Recent activity", sale: "Purchase", return: "Return",
    kinds: { earn: "Points earned", redeem: "Points spent", expire: "Points expired", reverse: "Points reversed", adjust: "Points adjusted", bonus: "Bonus points" },
    show_big: "Show code for scanning", close: "Close", replaced: "You signed in on another device, so this card no longer works here. Sign in again to use it on this device.",
  },
  es: {
    title: "Mi tarjeta de socio", intro: "Entra con tu móvil y un código SMS para mostrar tu código de socio en caja.",
    phone: "Número de móvil", send: "Enviar código", code: "Código SMS", signin: "Entrar",
    sent: "Te hemos enviado un código; vale 5 minutos.", wrong: "El código no es correcto o ha caducado; pide uno nuevo.",
    bad_phone: "El número de móvil no es válido.", busy: "Demasiados intentos; inténtalo más tarde.",
    offline_signin: "Sin conexión: entra cuando tengas red.",
    show: "Muestra este código en caja", left: "Nuevo código en {s} s", tier: "Nivel de socio", points: "Puntos disponibles",
    pending: "Puntos pendientes", growth: "Crecimiento", expiring: "Puntos que caducan pronto", coupons: "Mis cupones",
    offline: "Sin conexión: el saldo es el de tu última conexión; el código de socio funciona igual.", signout: "Salir",
    pending_on: "desde el {d}", expires_on: "caducan el {d}", valid_until: "válido hasta el {d}",
    next_tier: "Te falta para {t}", need_growth: "{n} de crecimiento", need_spend: "¥{n} en compras", need_count: "{n} compras", or: " o ",
    top_tier: "Ya tienes el nivel más alto", activity: "Actividad reciente", sale: "Compra", return: "Devolución",
    kinds: { earn: "Puntos ganados", redeem: "Puntos canjeados", expire: "Puntos caducados", reverse: "Puntos anulados", adjust: "Puntos ajustados", bonus: "Puntos de regalo" },
    show_big: "Mostrar código para escanear", close: "Cerrar", replaced: "Has entrado en otro dispositivo, así que esta tarjeta ya no funciona aquí. Vuelve a entrar para usarla en este dispositivo.",
  },
};
const LANGS = { "zh-CN": "中文", en: "English", es: "Español" };
const STEP = 30;
const B36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

function omega(b) { const b1 = b >> 1, b0 = b & 1; return ((b1 ^ b0) << 1) | b1; }
const DAMM = Array.from({ length: 36 }, (_, x) => Array.from({ length: 36 }, (_, y) =>
  9 * (omega(Math.floor(x / 9)) ^ Math.floor(y / 9)) + (2 * (x % 9) + (y % 9)) % 9));

function checkChar(body) {
  let state = 0;
  for (const c of body) state = DAMM[state][B36.indexOf(c)];
  return B36[DAMM[state].indexOf(0)];
}

function base36(value, width) {
  let text = "";
  while (value > 0n) { text = B36[Number(value % 36n)] + text; value /= 36n; }
  return (text || "0").padStart(width, "0");
}

function hexBytes(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
  return out;
}

async function dynamicCode(memberId, secretHex, nowMs) {
  const counter = Math.floor(nowMs / 1000 / STEP);
  const head = new TextEncoder().encode("posloyalty/M1\0" + memberId + "\0");
  const message = new Uint8Array(head.length + 8);
  message.set(head);
  new DataView(message.buffer).setBigUint64(head.length, BigInt(counter));
  const key = await crypto.subtle.importKey("raw", hexBytes(secretHex), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const digest = new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
  let value = 0n;
  for (let i = 0; i < 16; i++) value = (value << 8n) | BigInt(digest[i]);
  const body = "M1" + base36(BigInt(counter % 46656), 3) + base36(value % 36n ** 11n, 11) + memberId;
  return body + checkChar(body);
}

function chooseLang() {
  const asked = new URLSearchParams(location.search).get("lang") || localStorage.getItem("lang");
  if (asked && TEXTS[asked]) return asked;
  for (const tag of navigator.languages || [navigator.language || ""]) {
    const primary = tag.toLowerCase().split("-")[0];
    if (primary === "zh") return "zh-CN";
    if (TEXTS[primary]) return primary;
  }
  return "zh-CN";
}

const lang = chooseLang();
localStorage.setItem("lang", lang);
const t = TEXTS[lang];
const $ = (id) => document.getElementById(id);

function paintTexts() {
  document.documentElement.lang = lang;
  document.title = t.title;
  $("title").textContent = t.title;
  $("signin-intro").textContent = t.intro;
  $("phone-label").textContent = t.phone;
  $("send-code").textContent = t.send;
  $("code-label").textContent = t.code;
  $("sign-in").textContent = t.signin;
  $("show-hint").textContent = t.show;
  $("sign-out").textContent = t.signout;
  $("offline").textContent = t.offline;
  $("activity-title").textContent = t.activity;
  $("coupons-title").textContent = t.coupons;
  $("show-big").textContent = t.show_big;
  $("big-close").textContent = t.close;
  const nav = $("langs");
  nav.replaceChildren(...Object.entries(LANGS).map(([code, name]) => {
    const a = document.createElement("a");
    a.href = "/m/?lang=" + encodeURIComponent(code);
    a.lang = code;
    a.textContent = name;
    if (code === lang) a.setAttribute("aria-current", "page");
    return a;
  }));
}

function stored() {
  try { return JSON.parse(localStorage.getItem("card") || "null"); } catch (e) { return null; }
}

async function api(path, options) {
  const response = await fetch(path, Object.assign({ headers: { "Content-Type": "application/json" } }, options || {}));
  return response;
}

function day(iso) { return iso ? String(iso).slice(0, 10) : ""; }
function yuan(fen) {
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  return sign + Math.floor(abs / 100) + "." + String(abs % 100).padStart(2, "0");
}

async function refreshAccount(card) {
  try {
    const response = await api("/v1/members/me/card", { headers: { Authorization: "Bearer " + card.token } });
    if (response.status === 401) { signOut(response.headers.get("X-Session-Ended") === "replaced" ? t.replaced : ""); return; }
    if (!response.ok) throw new Error(String(response.status));
    const fresh = await response.json();
    Object.assign(card, { member_id: fresh.member_id, secret: fresh.secret, account: fresh.account });
    localStorage.setItem("card", JSON.stringify(card));
    $("offline").hidden = true;
  } catch (e) {
    $("offline").hidden = false;
  }
  paintAccount(card);
}

function listOf(id, items) {
  $(id).replaceChildren(...items.map((text) => {
    const li = document.createElement("li");
    li.textContent = text;
    return li;
  }));
}

function neededText(a) {
  if (!a.next_tier) return t.top_tier;
  const parts = [];
  if (a.needed_growth) parts.push(t.need_growth.replace("{n}", a.needed_growth));
  if (a.needed_spend_fen) parts.push(t.need_spend.replace("{n}", yuan(a.needed_spend_fen)));
  if (a.needed_count) parts.push(t.need_count.replace("{n}", a.needed_count));
  return parts.join(t.or);
}

function paintAccount(card) {
  const a = card.account || {};
  const tier = (a.tier_name || a.tier || "—") + (a.tier_valid_until ? " · " + t.valid_until.replace("{d}", day(a.tier_valid_until)) : "");
  const rows = [["tier", t.tier, tier], ["points", t.points, a.points_available ?? 0],
    ["pending", t.pending, a.points_pending ?? 0], ["growth", t.growth, a.growth ?? 0]];
  if (a.next_tier !== undefined) rows.splice(1, 0, ["needed", t.next_tier.replace("{t}", a.next_tier_name || a.next_tier || ""), neededText(a)]);
  $("account").replaceChildren(...rows.flatMap(([key, k, v]) => {
    const dt = document.createElement("dt"); dt.textContent = k;
    const dd = document.createElement("dd"); dd.textContent = String(v); dd.dataset.field = key;
    return [dt, dd];
  }));
  listOf("pending-lots", (a.pending_lots || []).map((p) => p.points + " · " + t.pending_on.replace("{d}", day(p.at))));
  const expiring = a.expiring_soon || (a.expiring_points ? [{ points: a.expiring_points, at: a.next_expiry }] : []);
  $("expiring-title").textContent = t.expiring;
  $("expiring-title").hidden = expiring.length === 0;
  listOf("expiring", expiring.map((p) => p.points + " · " + t.expires_on.replace("{d}", day(p.at))));
  listOf("coupons", (a.coupons || []).map((c) => (c.name || c.template) + " · " + t.valid_until.replace("{d}", day(c.valid_until))));
  $("coupons-title").hidden = (a.coupons || []).length === 0;
  listOf("activity", (a.activity || []).map((r) => {
    const what = r.kind === "points" ? (t.kinds[r.entry_kind] || r.entry_kind) + " " + (r.points > 0 ? "+" : "") + r.points
      : (r.kind === "return" ? t.return : t.sale) + " " + (r.total_fen < 0 ? "-" : "") + "¥" + yuan(Math.abs(r.total_fen));
    return day(r.at) + " · " + what;
  }));
  $("activity-title").hidden = (a.activity || []).length === 0;
}

let timer = null;
async function paintCode(card) {
  const now = Date.now();
  const code = await dynamicCode(card.member_id, card.secret, now);
  const qr = qrcode(0, "M");
  qr.addData(code, "Alphanumeric");
  qr.make();
  const box = $("qr");
  box.innerHTML = qr.createSvgTag({ cellSize: 6, margin: 24, scalable: true });
  box.setAttribute("aria-label", code);
  box.dataset.code = code;
  $("code-text").textContent = code;
  if (!$("big").hidden) {
    const big = $("big-qr");
    big.innerHTML = qr.createSvgTag({ cellSize: 10, margin: 40, scalable: true });
    big.dataset.code = code;
    $("big-code").textContent = code;
  }
  const left = STEP - Math.floor(now / 1000) % STEP;
  $("code-left").textContent = t.left.replace("{s}", String(left));
}

function showCard(card) {
  $("signin").hidden = true;
  $("card").hidden = false;
  paintAccount(card);
  paintCode(card);
  if (timer) clearInterval(timer);
  let ticks = 0;
  timer = setInterval(() => {
    paintCode(card);
    // Now and then ask HQ again: a newer balance, or this device replaced by another sign-in.
    if (++ticks % 60 === 0) refreshAccount(card);
  }, 1000);
  refreshAccount(card);
}

function signOut(message) {
  localStorage.removeItem("card");
  if (timer) clearInterval(timer);
  timer = null;
  $("card").hidden = true;
  $("big").hidden = true;
  $("signin").hidden = false;
  $("signin-message").textContent = message || "";
}

function showBig(card) {
  $("big").hidden = false;
  $("card").hidden = true;
  paintCode(card);
}

function closeBig() {
  $("big").hidden = true;
  $("card").hidden = false;
}

async function start(token) {
  const card = { token: token };
  const response = await api("/v1/members/me/card", { headers: { Authorization: "Bearer " + token } });
  if (!response.ok) { signOut(t.wrong); return; }
  const fresh = await response.json();
  Object.assign(card, fresh);
  localStorage.setItem("card", JSON.stringify(card));
  showCard(card);
}

function wireSignIn() {
  let phone = "";
  $("phone-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    phone = $("phone").value;
    try {
      const r = await api("/v1/members/sign-in/code", { method: "POST", body: JSON.stringify({ phone: phone }) });
      $("signin-message").textContent = r.status === 202 ? t.sent : r.status === 429 ? t.busy : t.bad_phone;
      if (r.status === 202) { $("code-form").hidden = false; $("code").focus(); }
    } catch (e) { $("signin-message").textContent = t.offline_signin; }
  });
  $("code-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const r = await api("/v1/members/sign-in", { method: "POST", body: JSON.stringify({ phone: phone, code: $("code").value }) });
      if (!r.ok) { $("signin-message").textContent = r.status === 429 ? t.busy : t.wrong; return; }
      await start((await r.json()).token);
    } catch (e) { $("signin-message").textContent = t.offline_signin; }
  });
  $("sign-out").addEventListener("click", () => signOut(""));
  $("show-big").addEventListener("click", () => { const card = stored(); if (card) showBig(card); });
  $("big-close").addEventListener("click", closeBig);
}

paintTexts();
wireSignIn();
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/m/sw.js", { scope: "/m/" }).catch(() => {});
}
// Right after self-registration the page is opened with a session in the fragment (never sent
// to a server, not in any Referer): take it and clear it from the address bar.
const fragment = new URLSearchParams(location.hash.slice(1));
const handed = fragment.get("s");
if (handed) {
  history.replaceState(null, "", location.pathname + location.search);
  start(handed).catch(() => { $("signin").hidden = false; $("signin-message").textContent = t.offline_signin; });
} else if (stored()) {
  showCard(stored());
} else {
  $("signin").hidden = false;
}
