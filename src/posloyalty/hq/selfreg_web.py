"""HTTP side of self-service registration: the terminal's link endpoints and the shopper's page.

- ``POST /v1/registration-links`` (terminal credential): a new signed link for the customer
  display's QR code -> :class:`LinkResponse`.
- ``GET /v1/registration-links/{link_id}`` (terminal credential): whether that link of this
  terminal was used, and for which member -> :class:`LinkStatusResponse`.
- ``GET /r/{token}``: the form (HTML), in the language of ``?lang=``, else Accept-Language,
  else Simplified Chinese.
- ``POST /r/{token}``: the submitted form (``application/x-www-form-urlencoded``; the signed
  token in a hidden field, the Origin or Referer must be this site). ``action=send_code`` sends
  a one-time SMS code to the phone typed (per-phone and per-address limits) and shows the form
  again; otherwise the form must carry that code -> the result page.

Refusals are pages in the shopper's language: 400 invalid or forged link or invalid input,
403 cross-site submit, 410 expired, used or revoked link, 429 too many attempts.
"""

# No ``from __future__ import annotations``: FastAPI reads the endpoint annotations, which
# refer to the ``caller`` dependency passed in.
import datetime as dt
import logging
import math
import sys
from collections.abc import Callable, Mapping
from typing import Annotated, Any
from urllib.parse import parse_qs, quote, urlsplit

from fastapi import Body, Depends, FastAPI, Path, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from posloyalty.hq import selfreg_page as page
from posloyalty.hq.edge import redacted
from posloyalty.hq.enrolment import Caller
from posloyalty.hq.phone_codes import TooManyCodes
from posloyalty.hq.selfreg import (
    DEFAULT_PHONE_PATTERN,
    MAX_LINK_TTL,
    MIN_LINK_TTL,
    FormProblem,
    LinkProblem,
    SelfRegForm,
    SelfRegistration,
    parse_token,
)
from posloyalty.hq.sms import SmsError
from posloyalty.sync.protocol import ErrorBody

log = logging.getLogger("posloyalty.hq.selfreg")

#: A form post is a few hundred bytes; anything much larger is not from the page.
MAX_FORM_BYTES = 4096

#: Take one token from a rate limiter: 0 when allowed, else seconds to wait.
Limiter = Callable[[str], float]

_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
        "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Same-origin only: the token in the URL never leaves in a Referer, and our own form
    # posts still carry Origin (no-referrer would turn it into "null").
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class LinkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    #: How long the link stays valid; None: HQ's configured default (5 minutes).
    ttl_seconds: int | None = Field(
        default=None, ge=int(MIN_LINK_TTL.total_seconds()), le=int(MAX_LINK_TTL.total_seconds())
    )


class LinkResponse(BaseModel):
    url: str
    link_id: str
    token: str
    expires_at: dt.datetime


class LinkStatusResponse(BaseModel):
    link_id: str
    used: bool
    #: The member the link registered (or found: ``created`` False); None while unused.
    member_id: str | None = None
    created: bool | None = None


def same_origin(headers: Mapping[str, str], public_url: str | None) -> bool:
    """Whether a form post comes from this site: Sec-Fetch-Site, then Origin, then Referer
    (a client that sends none of them, not a browser, is let through: the token decides)."""
    allowed = {headers.get("host", "").lower()}
    if public_url:
        allowed.add(urlsplit(public_url).netloc.lower())
    site = headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = headers.get("origin")
    if origin is not None:
        return origin != "null" and urlsplit(origin).netloc.lower() in allowed
    referer = headers.get("referer")
    if referer:
        return urlsplit(referer).netloc.lower() in allowed
    return True


def _html(body: str, status: int, lang: str, extra: dict[str, str] | None = None) -> HTMLResponse:
    headers = {**_SECURITY_HEADERS, "Content-Language": lang, **(extra or {})}
    return HTMLResponse(body, status_code=status, headers=headers)


def mount(
    app: FastAPI,
    selfreg: SelfRegistration,
    caller: Callable[..., Caller],
    token_limits: Limiter,
    ip_limits: Limiter,
    *,
    client_of: Callable[[Request], str],
) -> None:
    """Add the self-registration endpoints to ``app``; ``caller`` is the app's terminal
    authentication dependency, ``client_of`` the client address of a request (hq.edge)."""
    config = selfreg.config
    mainland = config.phone_pattern == DEFAULT_PHONE_PATTERN
    errors: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorBody} for code in (400, 401, 403, 413, 429)
    }

    @app.post("/v1/registration-links", response_model=LinkResponse, responses=errors)
    def create_link(
        request: Request,
        who: Annotated[Caller, Depends(caller)],
        body: Annotated[LinkRequest | None, Body()] = None,
    ) -> LinkResponse:
        seconds = body.ttl_seconds if body is not None else None
        ttl = dt.timedelta(seconds=seconds) if seconds is not None else None
        issued = selfreg.issue(who, ttl)
        base = (config.public_url or str(request.base_url)).rstrip("/")
        return LinkResponse(
            url=f"{base}/r/{issued.token}",
            link_id=issued.link_id,
            token=issued.token,
            expires_at=issued.expires_at,
        )

    @app.get(
        "/v1/registration-links/{link_id}", response_model=LinkStatusResponse, responses=errors
    )
    def link_status(
        link_id: Annotated[str, Path(pattern=r"^[0-9a-fA-F]{16}$")],
        who: Annotated[Caller, Depends(caller)],
    ) -> LinkStatusResponse:
        status = selfreg.status(who, link_id)
        return LinkStatusResponse(
            link_id=status.link_id,
            used=status.used,
            member_id=status.member_id,
            created=status.created,
        )

    def busy(lang: str, wait: float, switch: str | None) -> HTMLResponse:
        seconds = str(max(1, math.ceil(wait)))
        body = page.problem_page(lang, "busy", switch_path=switch, seconds=seconds)
        return _html(body, 429, lang, {"Retry-After": seconds})

    def link_refused(lang: str, problem: LinkProblem, switch: str) -> HTMLResponse:
        return _html(
            page.problem_page(lang, problem.reason, switch_path=switch), problem.status, lang
        )

    def broken(lang: str) -> HTMLResponse:
        # The type and place only: the message may quote what the shopper typed.
        log.error("self-registration page failed: %s", redacted(sys.exc_info()[1]))
        return _html(page.problem_page(lang, "error"), 500, lang)

    @app.get("/r/{token}", response_class=HTMLResponse, include_in_schema=False)
    async def show_form(token: str, request: Request) -> HTMLResponse:
        lang = page.choose_lang(
            request.query_params.get("lang"),
            accept_language=request.headers.get("accept-language"),
        )
        switch = quote(token, safe="")
        wait = ip_limits(client_of(request))
        if wait:
            return busy(lang, wait, switch)
        try:
            _, gift = await run_in_threadpool(selfreg.open, token)
        except LinkProblem as problem:
            return link_refused(lang, problem, switch)
        except Exception:
            return broken(lang)
        return _html(page.form_page(lang, token, gift=gift, mainland=mainland), 200, lang)

    @app.post("/r/{token}", response_class=HTMLResponse, include_in_schema=False)
    async def submit_form(token: str, request: Request) -> HTMLResponse:
        raw = await request.body()
        try:
            parsed = parse_qs(
                raw[:MAX_FORM_BYTES].decode("utf-8", "replace"),
                keep_blank_values=True,
                max_num_fields=16,
            )
        except ValueError:
            parsed = {}
        fields = {k: v[0] for k, v in parsed.items()}
        lang = page.choose_lang(
            fields.get("lang"),
            request.query_params.get("lang"),
            accept_language=request.headers.get("accept-language"),
        )
        switch = quote(token, safe="")
        if not same_origin(request.headers, config.public_url):
            return _html(page.problem_page(lang, "origin", switch_path=switch), 403, lang)
        wait = ip_limits(client_of(request))
        if wait:
            return busy(lang, wait, switch)
        # The hidden field is the credential; the path must name the same link.
        signed = fields.get("token", "")
        try:
            if signed != token or len(raw) > MAX_FORM_BYTES:
                raise LinkProblem("invalid")
            parse_token(signed)
        except LinkProblem as problem:
            return link_refused(lang, problem, switch)
        wait = token_limits(signed)
        if wait:
            return busy(lang, wait, switch)
        form = SelfRegForm(
            phone=fields.get("phone", ""),
            consent=fields.get("consent", "") == "yes",
            name=fields.get("name", ""),
            birthday=fields.get("birthday", ""),
            code=fields.get("code", "")[:12],
        )
        values = page.FormValues(form.phone[:24], form.name[:64], form.birthday[:10], form.consent)

        async def again(status: int, errors: dict[str, str], sent_to: str = "") -> HTMLResponse:
            try:
                gift = await run_in_threadpool(selfreg.gift)
            except Exception:
                return broken(lang)
            body = page.form_page(
                lang,
                token,
                gift=gift,
                values=values,
                errors=errors,
                mainland=mainland,
                sent_to=sent_to,
            )
            return _html(body, status, lang)

        if fields.get("action") == "send_code":
            try:
                masked = await run_in_threadpool(
                    selfreg.send_code, signed, form.phone, client_of(request)
                )
            except LinkProblem as problem:
                return link_refused(lang, problem, switch)
            except FormProblem as problem:
                return await again(400, problem.errors)
            except TooManyCodes:
                return await again(429, {"code": "code_too_many"})
            except SmsError:
                log.exception("the SMS provider did not take a registration code")
                return await again(502, {"code": "code_send_failed"})
            except Exception:
                return broken(lang)
            return await again(200, {}, masked)
        try:
            done = await run_in_threadpool(selfreg.register, signed, form, lang=lang)
        except LinkProblem as problem:
            return link_refused(lang, problem, switch)
        except FormProblem as problem:
            return await again(400, problem.errors)
        except Exception:
            return broken(lang)
        body = page.done_page(
            lang,
            created=done.created,
            member_id=done.member_id,
            phone_masked=done.phone_masked,
            gift=done.gift if done.created else "",
            coupons=done.coupons,
            # The session rides in the fragment: never sent to a server, never in a Referer.
            card_url=f"/m/?lang={quote(lang)}#s={quote(done.session, safe='')}",
        )
        return _html(body, 200, lang)
