"""The self-service registration page: its texts in three languages and its HTML.

Server-rendered, no framework: a form, a result page and an error page, each a complete
document with inline CSS (and a few lines of inline JS that only stop a double submit). Every
value put into the HTML is escaped here.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

LANGS = ("zh-CN", "en", "es")
DEFAULT_LANG = "zh-CN"
_NATIVE = {"zh-CN": "中文", "en": "English", "es": "Español"}

TEXTS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "card_link": "打开我的会员卡",
        "code_label": "短信验证码",
        "code_hint": "先点“发送验证码”，再填写收到的 6 位数字",
        "send_code": "发送验证码",
        "code_sent": "验证码已发送到 {phone}，5 分钟内有效。",
        "code_missing": "请填写短信验证码（先点“发送验证码”）。",
        "code_wrong": "验证码不正确或已过期，请重新获取。",
        "code_too_many": "获取验证码太频繁，请稍后再试。",
        "code_send_failed": "验证码发送失败，请稍后再试。",
        "done_known": "这个手机号已是会员，会员号如下。",
        "title": "注册会员",
        "lang_nav": "语言",
        "intro": "填写手机号即可成为会员，结账时积分、享会员价。",
        "gift": "入会礼：{gift}",
        "errors_heading": "请修改以下内容：",
        "phone_label": "手机号码",
        "phone_hint": "中国大陆手机号，11 位数字，例如 138 1234 5678",
        "phone_hint_other": "请输入手机号码",
        "name_label": "姓名（选填）",
        "birthday_label": "生日（选填）",
        "birthday_hint": "用于生日优惠",
        "consent_heading": "我们保存什么、为什么保存",
        "consent_text": (
            "我们保存您的手机号，用于在收银台识别您并避免重复注册；如您填写姓名和生日，"
            "用于称呼您和发放生日优惠；以及您在本品牌门店的消费记录，用于计算积分和会员等级。"
            "我们不会把这些信息提供给第三方。您可以随时在门店要求注销会员并删除这些信息。"
        ),
        "consent_label": "我已阅读并同意按上述方式保存和使用我的信息",
        "submit": "注册",
        "phone_missing": "请填写手机号码。",
        "phone_format": (
            "手机号格式不正确：请输入 11 位中国大陆手机号，以 1 开头、第二位为 3–9（例如 13812345678）。"
        ),
        "phone_format_other": "手机号格式不正确，请检查后重新输入。",
        "name_invalid": "姓名最多 64 个字符，且不能包含特殊控制字符。",
        "birthday_invalid": "生日日期无效，请重新选择。",
        "consent_required": "请勾选同意：没有您的同意，我们不能为您注册会员。",
        "done_title": "注册成功",
        "done_welcome": "欢迎成为会员！",
        "done_member": "会员号",
        "done_phone": "手机号",
        "done_next": "结账时向收银员报手机号或会员号，即可积分并享受会员价。",
        "done_gift": "请向收银员领取入会礼：{gift}",
        "done_coupons": "新会员券已存入您的账户：{coupons}",
        "exists_title": "您已经是会员",
        "exists_text": "手机号 {phone} 已经注册过会员，无需重复注册。结账时向收银员报手机号即可。",
        "invalid_title": "链接无效",
        "invalid_text": "这个二维码链接无效或不完整。请重新扫描收银台屏幕上的二维码。",
        "expired_title": "链接已过期",
        "expired_text": "二维码链接只在几分钟内有效，现已过期。请让收银员刷新二维码后重新扫描。",
        "used_title": "链接已使用",
        "used_text": (
            "这个二维码已经完成过一次注册，不能再次使用。如需再注册，请让收银员刷新二维码。"
        ),
        "revoked_title": "链接已失效",
        "revoked_text": "这台收银机已停用，链接不再有效。请在收银台登记。",
        "origin_title": "无法提交",
        "origin_text": "请求不是从注册页面发出的。请重新扫描收银台屏幕上的二维码。",
        "busy_title": "请稍候",
        "busy_text": "操作太频繁，请等待 {seconds} 秒后再试。",
        "error_title": "系统繁忙",
        "error_text": "系统暂时出现问题，请稍后再试，或在收银台登记。",
    },
    "en": {
        "card_link": "Open my member card",
        "code_label": "SMS code",
        "code_hint": 'Tap "Send code", then type the 6 digits you receive',
        "send_code": "Send code",
        "code_sent": "A code was sent to {phone}; it is valid for 5 minutes.",
        "code_missing": 'Please type the SMS code (tap "Send code" first).',
        "code_wrong": "That code is wrong or has expired; ask for a new one.",
        "code_too_many": "Too many codes were asked for; please try again later.",
        "code_send_failed": "The code could not be sent; please try again shortly.",
        "done_known": "This number was already a member; here is the member number.",
        "title": "Become a member",
        "lang_nav": "Language",
        "intro": "Join with your mobile number: collect points and get member prices at the till.",
        "gift": "Welcome gift: {gift}",
        "errors_heading": "Please correct the following:",
        "phone_label": "Mobile number",
        "phone_hint": "Mainland China mobile, 11 digits, e.g. 138 1234 5678",
        "phone_hint_other": "Your mobile number",
        "name_label": "Name (optional)",
        "birthday_label": "Birthday (optional)",
        "birthday_hint": "For birthday offers",
        "consent_heading": "What we store and why",
        "consent_text": (
            "We store your mobile number to recognise you at the till and avoid duplicate "
            "memberships; your name and birthday if you give them, to greet you and send "
            "birthday offers; and your purchases in our stores, to count your points and member "
            "level. We do not share this with third parties. You can ask any store to end your "
            "membership and delete this data at any time."
        ),
        "consent_label": "I have read this and agree that my data is stored and used as described",
        "submit": "Register",
        "phone_missing": "Please enter your mobile number.",
        "phone_format": (
            "That is not a valid mobile number: enter an 11-digit mainland China mobile number "
            "starting with 1 and then 3-9 (e.g. 13812345678)."
        ),
        "phone_format_other": "That is not a valid mobile number; please check it.",
        "name_invalid": "The name can have at most 64 characters and no control characters.",
        "birthday_invalid": "That birthday is not a valid date; please choose it again.",
        "consent_required": "Please tick the box to agree: we cannot register you without it.",
        "done_title": "You are registered",
        "done_welcome": "Welcome, you are now a member!",
        "done_member": "Member number",
        "done_phone": "Mobile",
        "done_next": "At the till, give the cashier your mobile or member number to collect "
        "points and get member prices.",
        "done_gift": "Ask the cashier for your welcome gift: {gift}",
        "done_coupons": "New-member coupons added to your account: {coupons}",
        "exists_title": "You are already a member",
        "exists_text": "{phone} is already registered; there is nothing more to do. "
        "Give the cashier your mobile number at the till.",
        "invalid_title": "Invalid link",
        "invalid_text": "This QR code link is not valid or is incomplete. Please scan the QR code "
        "on the till's screen again.",
        "expired_title": "Link expired",
        "expired_text": "QR code links are valid for a few minutes only, and this one has expired. "
        "Ask the cashier to refresh the QR code and scan it again.",
        "used_title": "Link already used",
        "used_text": "This QR code has already been used to register and cannot be used again. "
        "Ask the cashier to refresh the QR code to register someone else.",
        "revoked_title": "Link no longer valid",
        "revoked_text": "This till has been taken out of service, so its link no longer works. "
        "Please register at the till.",
        "origin_title": "Cannot submit",
        "origin_text": "This request did not come from the registration page. Please scan the "
        "QR code on the till's screen again.",
        "busy_title": "Please wait",
        "busy_text": "Too many attempts. Please wait {seconds} seconds and try again.",
        "error_title": "Something went wrong",
        "error_text": "We have a temporary problem. Please try again shortly, or register at "
        "the till.",
    },
    "es": {
        "card_link": "Abrir mi tarjeta de socio",
        "code_label": "Código SMS",
        "code_hint": 'Pulsa "Enviar código" y escribe los 6 dígitos que recibas',
        "send_code": "Enviar código",
        "code_sent": "Hemos enviado un código a {phone}; vale 5 minutos.",
        "code_missing": 'Escribe el código SMS (pulsa antes "Enviar código").',
        "code_wrong": "El código no es correcto o ha caducado; pide uno nuevo.",
        "code_too_many": "Se han pedido demasiados códigos; inténtalo más tarde.",
        "code_send_failed": "No se pudo enviar el código; inténtalo de nuevo en un rato.",
        "done_known": "Este número ya era socio; este es su número de socio.",
        "title": "Hazte socio",
        "lang_nav": "Idioma",
        "intro": "Únete con tu número de móvil: acumula puntos y consigue precios de socio en caja.",
        "gift": "Regalo de bienvenida: {gift}",
        "errors_heading": "Corrige lo siguiente:",
        "phone_label": "Número de móvil",
        "phone_hint": "Móvil de China continental, 11 dígitos, p. ej. 138 1234 5678",
        "phone_hint_other": "Tu número de móvil",
        "name_label": "Nombre (opcional)",
        "birthday_label": "Fecha de nacimiento (opcional)",
        "birthday_hint": "Para ofertas de cumpleaños",
        "consent_heading": "Qué guardamos y por qué",
        "consent_text": (
            "Guardamos tu número de móvil para reconocerte en caja y evitar altas duplicadas; tu "
            "nombre y fecha de nacimiento si nos los das, para saludarte y enviarte ofertas de "
            "cumpleaños; y tus compras en nuestras tiendas, para calcular tus puntos y tu nivel "
            "de socio. No los compartimos con terceros. Puedes pedir en cualquier tienda que "
            "demos de baja tu cuenta y borremos estos datos cuando quieras."
        ),
        "consent_label": "He leído esto y acepto que mis datos se guarden y usen como se describe",
        "submit": "Registrarme",
        "phone_missing": "Introduce tu número de móvil.",
        "phone_format": (
            "El número de móvil no es válido: introduce un móvil de China continental de 11 "
            "dígitos que empiece por 1 y luego 3-9 (p. ej. 13812345678)."
        ),
        "phone_format_other": "El número de móvil no es válido; revísalo.",
        "name_invalid": "El nombre puede tener como máximo 64 caracteres y ningún carácter de "
        "control.",
        "birthday_invalid": "La fecha de nacimiento no es válida; elígela de nuevo.",
        "consent_required": "Marca la casilla para aceptar: sin tu consentimiento no podemos "
        "registrarte.",
        "done_title": "Registro completado",
        "done_welcome": "¡Bienvenido, ya eres socio!",
        "done_member": "Número de socio",
        "done_phone": "Móvil",
        "done_next": "En caja, di tu número de móvil o de socio para acumular puntos y obtener "
        "precios de socio.",
        "done_gift": "Pide tu regalo de bienvenida en caja: {gift}",
        "done_coupons": "Cupones de nuevo socio añadidos a tu cuenta: {coupons}",
        "exists_title": "Ya eres socio",
        "exists_text": "El número {phone} ya está registrado; no hace falta hacer nada más. "
        "Di tu número de móvil en caja.",
        "invalid_title": "Enlace no válido",
        "invalid_text": "Este enlace del código QR no es válido o está incompleto. Vuelve a "
        "escanear el código QR de la pantalla de la caja.",
        "expired_title": "Enlace caducado",
        "expired_text": "Los enlaces de código QR solo valen unos minutos y este ha caducado. "
        "Pide en caja que actualicen el código QR y vuelve a escanearlo.",
        "used_title": "Enlace ya utilizado",
        "used_text": "Este código QR ya se ha usado para un registro y no puede usarse otra vez. "
        "Pide en caja que actualicen el código QR para registrar a otra persona.",
        "revoked_title": "Enlace sin validez",
        "revoked_text": "Esta caja está fuera de servicio y su enlace ya no funciona. "
        "Regístrate en caja.",
        "origin_title": "No se puede enviar",
        "origin_text": "Esta solicitud no viene de la página de registro. Vuelve a escanear el "
        "código QR de la pantalla de la caja.",
        "busy_title": "Espera un momento",
        "busy_text": "Demasiados intentos. Espera {seconds} segundos y vuelve a intentarlo.",
        "error_title": "Algo ha fallado",
        "error_text": "Tenemos un problema temporal. Inténtalo de nuevo en un rato o regístrate "
        "en caja.",
    },
}


def choose_lang(*explicit: str | None, accept_language: str | None = None) -> str:
    """The first supported of the ``explicit`` choices (the switch, the form's hidden field),
    else the best supported language in ``Accept-Language``, else Simplified Chinese."""
    for choice in explicit:
        if choice in LANGS:
            return choice
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "")[:500].split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        lang = {"zh": "zh-CN", "en": "en", "es": "es"}.get(primary)
        if lang is not None and quality > 0:
            ranked.append((-quality, position, lang))
    return min(ranked)[2] if ranked else DEFAULT_LANG


def text(lang: str, key: str, **values: str) -> str:
    """A text of the page in ``lang`` (not escaped)."""
    template = TEXTS.get(lang, TEXTS[DEFAULT_LANG])[key]
    return template.format(**values) if values else template


_CSS = """
*{box-sizing:border-box}
body{margin:0;font:17px/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",
"Microsoft YaHei",sans-serif;color:#1b1b1b;background:#f4f5f7}
main{max-width:30rem;margin:0 auto;padding:1rem 1.25rem 2rem;background:#fff;min-height:100vh}
nav{display:flex;gap:.5rem;justify-content:flex-end;font-size:.95rem}
nav a{color:#0b57d0;padding:.4rem .5rem;text-decoration:none;border-radius:.3rem}
nav a[aria-current]{color:#1b1b1b;font-weight:600;background:#eef1f6}
h1{font-size:1.5rem;margin:.5rem 0}
.gift{background:#fff4e0;border-left:4px solid #e08a00;padding:.6rem .8rem;margin:1rem 0}
.field{margin:1.1rem 0}
label{display:block;font-weight:600;margin-bottom:.3rem}
input[type=tel],input[type=text],input[type=date]{width:100%;font-size:1.1rem;padding:.7rem;
border:1px solid #8a8f98;border-radius:.4rem;background:#fff;color:inherit}
input[aria-invalid=true]{border:2px solid #b3261e}
.hint{color:#555;font-size:.9rem;margin:.25rem 0 0}
.error{color:#b3261e;font-weight:600;margin:.3rem 0 0}
.summary{border:2px solid #b3261e;border-radius:.4rem;padding:.5rem .9rem;margin:1rem 0}
.summary ul{margin:.3rem 0;padding-left:1.2rem}
.consent{background:#f7f8fa;border-radius:.4rem;padding:.7rem .9rem}
.consent h2{font-size:1rem;margin:0 0 .3rem}
.consent p{font-size:.92rem;margin:0 0 .6rem}
.check{display:flex;gap:.6rem;align-items:flex-start}
.check input{width:1.5rem;height:1.5rem;margin:.1rem 0 0;flex:none}
.check label{font-weight:600;margin:0}
button{width:100%;font-size:1.15rem;padding:.85rem;border:0;border-radius:.5rem;
background:#0b57d0;color:#fff;font-weight:600;margin-top:.5rem}
button:disabled{background:#7a9ad6}
a.button{display:block;text-align:center;font-size:1.15rem;padding:.85rem;border-radius:.5rem;
background:#0b57d0;color:#fff;font-weight:600;text-decoration:none}
button.secondary{background:#fff;color:#0b57d0;border:2px solid #0b57d0;margin-top:.4rem}
.notice{background:#e8f0fe;border-radius:.4rem;padding:.5rem .8rem}
.big{font-size:1.9rem;font-weight:700;letter-spacing:.08em;margin:.2rem 0 .8rem}
dl{margin:1rem 0}dt{color:#555;font-size:.9rem}dd{margin:0 0 .6rem}
"""

_JS = """
document.querySelector('form').addEventListener('submit', function (e) {
  if (this.dataset.sending) { e.preventDefault(); return; }
  this.dataset.sending = '1';
});
window.addEventListener('pageshow', function () {
  delete document.querySelector('form').dataset.sending;
});
"""


def _e(value: str) -> str:
    return html.escape(value, quote=True)


def _document(lang: str, title: str, body: str, switch_path: str | None) -> str:
    nav = ""
    if switch_path is not None:
        links = "".join(
            f'<a href="{_e(switch_path)}?lang={quote(code)}" hreflang="{code}" lang="{code}"'
            + (' aria-current="page"' if code == lang else "")
            + f">{_NATIVE[code]}</a>"
            for code in LANGS
        )
        nav = f'<nav aria-label="{_e(text(lang, "lang_nav"))}">{links}</nav>'
    return (
        f'<!doctype html>\n<html lang="{_e(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex, nofollow">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{nav}\n{body}\n</main>\n</body>\n</html>\n"
    )


@dataclass(frozen=True, slots=True)
class FormValues:
    """What to put back into the form after a refused submit (the shopper's own input)."""

    phone: str = ""
    name: str = ""
    birthday: str = ""
    consent: bool = False


def form_page(
    lang: str,
    token: str,
    *,
    gift: str = "",
    values: FormValues | None = None,
    errors: Mapping[str, str] | None = None,
    mainland: bool = True,
    sent_to: str = "",
) -> str:
    """The registration form; ``errors`` maps a field to a problem code; ``sent_to``: the
    masked number a code was just sent to."""
    values = values or FormValues()
    errors = dict(errors or {})
    t = TEXTS.get(lang, TEXTS[DEFAULT_LANG])
    summary = ""
    if errors:
        items = "".join(
            f'<li><a href="#{field}">{_e(t[code])}</a></li>' for field, code in errors.items()
        )
        summary = (
            f'<div class="summary" role="alert" tabindex="-1" id="problems">'
            f"<p>{_e(t['errors_heading'])}</p><ul>{items}</ul></div>"
        )

    def field(name: str, kind: str, label: str, value: str, extra: str, *, hint: str = "") -> str:
        described = [f"{name}-hint"] if hint else []
        error = ""
        if name in errors:
            described.append(f"{name}-error")
            error = f'<p class="error" id="{name}-error">{_e(t[errors[name]])}</p>'
        return (
            f'<div class="field"><label for="{name}">{_e(label)}</label>'
            f'<input id="{name}" name="{name}" type="{kind}" value="{_e(value)}" {extra}'
            + (f' aria-describedby="{" ".join(described)}"' if described else "")
            + (' aria-invalid="true"' if name in errors else "")
            + ">"
            + (f'<p class="hint" id="{name}-hint">{_e(hint)}</p>' if hint else "")
            + error
            + "</div>"
        )

    consent_error = ""
    consent_described = "consent-text"
    if "consent" in errors:
        consent_error = f'<p class="error" id="consent-error">{_e(t[errors["consent"]])}</p>'
        consent_described += " consent-error"
    body = (
        f"<h1>{_e(t['title'])}</h1>\n<p>{_e(t['intro'])}</p>\n"
        + (f'<p class="gift">{_e(text(lang, "gift", gift=gift))}</p>\n' if gift else "")
        + summary
        + f'\n<form method="post" action="{_e(quote(token, safe=""))}" novalidate>\n'
        f'<input type="hidden" name="token" value="{_e(token)}">\n'
        f'<input type="hidden" name="lang" value="{_e(lang)}">\n'
        + field(
            "phone",
            "tel",
            t["phone_label"],
            values.phone,
            'inputmode="tel" autocomplete="tel-national" maxlength="24" required '
            'aria-required="true"',
            hint=t["phone_hint"] if mainland else t["phone_hint_other"],
        )
        + f'<button type="submit" name="action" value="send_code" class="secondary" '
        f"formnovalidate>{_e(t['send_code'])}</button>\n"
        + (
            f'<p class="notice" role="status">{_e(text(lang, "code_sent", phone=sent_to))}</p>'
            if sent_to
            else ""
        )
        + field(
            "code",
            "text",
            t["code_label"],
            "",
            'inputmode="numeric" autocomplete="one-time-code" maxlength="6" pattern="[0-9]*"',
            hint=t["code_hint"],
        )
        + field("name", "text", t["name_label"], values.name, 'autocomplete="name" maxlength="64"')
        + field(
            "birthday",
            "date",
            t["birthday_label"],
            values.birthday,
            'autocomplete="bday" min="1900-01-01"',
            hint=t["birthday_hint"],
        )
        + f'<div class="field consent"><h2>{_e(t["consent_heading"])}</h2>'
        f'<p id="consent-text">{_e(t["consent_text"])}</p><div class="check">'
        f'<input type="checkbox" id="consent" name="consent" value="yes" required '
        f'aria-required="true" aria-describedby="{consent_described}"'
        + (" checked" if values.consent else "")
        + (' aria-invalid="true"' if "consent" in errors else "")
        + f'><label for="consent">{_e(t["consent_label"])}</label></div>{consent_error}</div>\n'
        f'<button type="submit" name="action" value="register">{_e(t["submit"])}</button>\n'
        "</form>\n"
        f"<script>{_JS}</script>"
        + ("<script>document.getElementById('problems').focus();</script>" if errors else "")
    )
    return _document(lang, t["title"], body, quote(token, safe=""))


def done_page(
    lang: str,
    *,
    created: bool,
    member_id: str,
    phone_masked: str,
    gift: str = "",
    coupons: tuple[str, ...] = (),
    card_url: str = "",
) -> str:
    """The page after a registration: the member's id and masked phone. Only the phone's
    proven owner (the SMS code) gets here, so a number that was already a member is told so."""
    t = TEXTS.get(lang, TEXTS[DEFAULT_LANG])
    body = (
        f"<h1>{_e(t['done_title'] if created else t['exists_title'])}</h1>\n"
        f'<p role="status">{_e(t["done_welcome"] if created else t["done_known"])}</p>\n<dl>'
        f'<dt>{_e(t["done_member"])}</dt><dd class="big">{_e(member_id)}</dd>'
        f"<dt>{_e(t['done_phone'])}</dt><dd>{_e(phone_masked)}</dd></dl>\n"
        + (f'<p class="gift">{_e(text(lang, "done_gift", gift=gift))}</p>\n' if gift else "")
        + (
            f"<p>{_e(text(lang, 'done_coupons', coupons='、'.join(coupons) if lang == 'zh-CN' else ', '.join(coupons)))}</p>\n"
            if coupons
            else ""
        )
        + f"<p>{_e(t['done_next'])}</p>"
        + (
            f'<p><a class="button" id="card-link" href="{_e(card_url)}">{_e(t["card_link"])}</a></p>'
            if card_url
            else ""
        )
    )
    return _document(lang, t["done_title"], body, None)


def problem_page(lang: str, problem: str, *, switch_path: str | None = None, **values: str) -> str:
    """A page explaining ``problem`` (invalid, expired, used, revoked, origin, busy, error)."""
    title = text(lang, f"{problem}_title")
    body = (
        f'<h1>{_e(title)}</h1>\n<p role="alert">{_e(text(lang, f"{problem}_text", **values))}</p>'
    )
    return _document(lang, title, body, switch_path)
