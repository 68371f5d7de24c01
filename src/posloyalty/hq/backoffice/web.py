"""The back office's pages under ``/office`` (Jinja2 templates, htmx for partial updates).

Every page needs a signed-in operator (else a redirect to the sign-in page); every form post
needs the session's CSRF token (a hidden ``csrf`` field, or the ``X-CSRF-Token`` header htmx
sends) and must come from this site. Refusals are pages: 400 bad input (nothing stored), 403
not allowed (a role, or another store's member or figures), 404 unknown.
"""

# No ``from __future__ import annotations``: FastAPI reads the endpoint annotations.
import csv
import datetime as dt
import inspect
import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from posloyalty.hq import admin, reports, rollout
from posloyalty.hq.backoffice import (
    audit,
    auth,
    conflicts_desk,
    member_actions,
    members_desk,
    rules_desk,
    stores_desk,
)
from posloyalty.hq.backoffice.i18n import LANGS, NAMES, choose_lang, translate
from posloyalty.hq.backoffice.roles import ROLES, Action, allowed
from posloyalty.hq.errors import (
    BadRequest,
    Forbidden,
    HqError,
    NotFound,
    Refused,
    Unreachable,
)
from posloyalty.hq.ledger import active_rules
from posloyalty.hq.models import Operator, RuleDocument, RulePublication, Store
from posloyalty.hq.selfreg_web import same_origin
from posloyalty.hq.services import HqService
from posloyalty.hq.sms import SmsError, SmsProvider
from posloyalty.resources import resources_dir
from posloyalty.sync.protocol import CARD_PATH

__all__ = ["COOKIE", "mount"]

COOKIE = "posl_office"
LANG_COOKIE = "posl_office_lang"
PREFIX = "/office"
T = TypeVar("T")
_STATIC = resources_dir() / "backoffice" / "static"
_STATIC_FILES = {"htmx.min.js", "echarts.min.js", "office.css", "office.js"}
_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' "
    "'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
_STATUS = {BadRequest: 400, Forbidden: 403, NotFound: 404, Refused: 409, Unreachable: 502}
#: How members join (``members.channel``): the report filter's choices.
CHANNELS = ("till", "link", "import")


class _Redirect(Exception):
    def __init__(self, url: str) -> None:
        self.url = url


@dataclass(frozen=True, slots=True)
class Ctx:
    """One request's operator (None on the sign-in page) and language."""

    who: auth.Signed | None
    lang: str
    path: str

    def t(self, key: str, **values: Any) -> str:
        return translate(self.lang, key, **values)

    def value(self, v: Any) -> Any:
        """A report cell: words the catalogue knows (``val_<word>``) translated."""
        if not isinstance(v, str):
            return v
        shown = translate(self.lang, f"val_{v}")
        return v if shown == f"val_{v}" else shown

    def can(self, action: Action) -> bool:
        return self.who is not None and allowed(self.who.role, action)


@dataclass(frozen=True, slots=True)
class SignedCtx(Ctx):
    """A page behind sign-in: the operator is known."""

    who: auth.Signed


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(resources_dir() / "backoffice" / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["yuan"] = lambda fen: (
        "" if fen is None else f"{'-' if fen < 0 else ''}{abs(fen) // 100}.{abs(fen) % 100:02d}"
    )
    env.filters["when"] = lambda at: "" if at is None else at.strftime("%Y-%m-%d %H:%M")
    env.filters["day"] = lambda at: "" if at is None else at.strftime("%Y-%m-%d")
    return env


def mount(
    app: FastAPI,
    service: HqService,
    sms: SmsProvider | None = None,
    public_url: str | None = None,
) -> APIRouter:
    """Serve the back office on ``app`` under /office; returns its router (its routes).
    ``sms`` sends members their card link (none: that action is refused), whose address
    starts with ``public_url`` (default: the address the operator reached HQ at)."""
    env = _env()
    router = APIRouter(prefix=PREFIX, include_in_schema=False)

    def now() -> dt.datetime:
        return service.clock.now()

    def page(ctx: Ctx, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        body = env.get_template(template).render(
            ctx=ctx, t=ctx.t, langs=LANGS, lang_names=NAMES, roles=ROLES, **values
        )
        headers = {**_HEADERS, "Content-Language": ctx.lang}
        return HTMLResponse(body, status_code=status, headers=headers)

    def lang_of(request: Request) -> str:
        return choose_lang(
            request.query_params.get("lang"),
            request.cookies.get(LANG_COOKIE),
            request.headers.get("accept-language"),
        )

    def signed(request: Request) -> SignedCtx:
        token = request.cookies.get(COOKIE)
        with service.db.transaction(writer=False) as s:
            who = auth.load_session(s, token, now())
        lang = lang_of(request)
        if who is None:
            raise _Redirect(f"{PREFIX}/login?next={quote(request.url.path)}")
        return SignedCtx(who, lang, request.url.path)

    async def posted(request: Request) -> SignedCtx:
        """A signed-in form post: same site and the session's CSRF token, or 403."""
        ctx = await run_in_threadpool(signed, request)  # a database read: off the event loop
        form = await request.form()
        token = request.headers.get("x-csrf-token") or str(form.get("csrf") or "")
        if not same_origin(request.headers, None) or token != ctx.who.csrf:
            raise Forbidden(ctx.t("csrf_refused"))
        return ctx

    Signed = Annotated[SignedCtx, Depends(signed)]
    Posted = Annotated[SignedCtx, Depends(posted)]

    def read(work: Callable[[Session], T]) -> T:
        with service.db.transaction(writer=False) as s:
            return work(s)

    def write(work: Callable[[Session], T]) -> T:
        return service.db.run(work)

    def need(ctx: Ctx, action: Action) -> None:
        if not ctx.can(action):
            raise Forbidden(ctx.t("not_allowed"))

    @app.exception_handler(_Redirect)
    async def _redirect(_request: Request, exc: _Redirect) -> Response:
        return RedirectResponse(exc.url, status_code=303)

    def refusal(request: Request, exc: HqError) -> HTMLResponse | None:
        if not request.url.path.startswith(PREFIX):
            return None
        status = next((code for cls, code in _STATUS.items() if isinstance(exc, cls)), 400)
        token = request.cookies.get(COOKIE)
        with service.db.transaction(writer=False) as s:
            who = auth.load_session(s, token, now())
        ctx = Ctx(who, lang_of(request), request.url.path)
        fragment = request.headers.get("hx-request") == "true"
        return page(ctx, "error.html", status, message=str(exc), fragment=fragment)

    # The app's HqError handler answers JSON; pages under /office answer a page instead.
    json_handler = app.exception_handlers.get(HqError)

    async def _hq_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HqError)
        answer = await run_in_threadpool(refusal, request, exc)
        if answer is not None:
            return answer
        assert json_handler is not None
        result = json_handler(request, exc)
        return await result if inspect.isawaitable(result) else result

    app.exception_handlers[HqError] = _hq_error

    # ------------------------------------------------------------------ static and language

    @router.get("/static/{name}")
    def static(name: str) -> FileResponse:
        if name not in _STATIC_FILES:
            raise NotFound(f"no file {name}")
        media = "text/css" if name.endswith(".css") else "text/javascript"
        return FileResponse(
            _STATIC / name, media_type=media, headers={"Cache-Control": "max-age=3600"}
        )

    @router.get("/lang/{lang}")
    def set_lang(lang: str, request: Request) -> Response:
        back = request.query_params.get("next") or f"{PREFIX}/"
        if not back.startswith(f"{PREFIX}/"):
            back = f"{PREFIX}/"
        response = RedirectResponse(back, status_code=303)
        if lang in LANGS:
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", path=PREFIX)
        return response

    # ------------------------------------------------------------------ sign in and out

    @router.get("/login")
    def login_form(request: Request, next: str = "") -> HTMLResponse:
        return page(
            Ctx(None, lang_of(request), request.url.path), "login.html", next=next, problem=""
        )

    @router.post("/login")
    def login(
        request: Request,
        username: Annotated[str, Form(max_length=64)],
        password: Annotated[str, Form(max_length=256)],
        totp: Annotated[str, Form(max_length=16)] = "",
        next: Annotated[str, Form(max_length=500)] = "",
    ) -> Response:
        ctx = Ctx(None, lang_of(request), request.url.path)
        if not same_origin(request.headers, None):
            raise Forbidden(ctx.t("csrf_refused"))

        def work(s: Session) -> tuple[auth.SignIn, str]:
            result = auth.sign_in(s, username.strip(), password, totp, now())
            if result.operator is None:
                return result, ""
            token, _csrf = auth.start_session(s, result.operator, now())
            return result, token

        result, token = write(work)
        if not token:
            status = 401 if result.problem != "locked" else 423
            return page(
                ctx, "login.html", status, next=next, problem=result.problem, username=username
            )
        back = (
            next
            if next.startswith(f"{PREFIX}/") and not next.startswith(f"{PREFIX}/login")
            else f"{PREFIX}/"
        )
        response = RedirectResponse(back, status_code=303)
        response.set_cookie(
            COOKIE,
            token,
            max_age=int(auth.SESSION_TTL.total_seconds()),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path=PREFIX,
        )
        return response

    @router.post("/logout")
    def logout(ctx: Posted) -> Response:
        write(lambda s: auth.end_session(s, ctx.who, now()))
        response = RedirectResponse(f"{PREFIX}/login", status_code=303)
        response.delete_cookie(COOKIE, path=PREFIX)
        return response

    # ------------------------------------------------------------------ members

    @router.get("/")
    def home(ctx: Signed) -> Response:
        return RedirectResponse(f"{PREFIX}/members", status_code=303)

    @router.get("/members")
    def members(
        ctx: Signed, request: Request, q: Annotated[str, Query(max_length=200)] = ""
    ) -> HTMLResponse:
        rows = read(lambda s: members_desk.search(s, ctx.who, q)) if q.strip() else []
        template = (
            "_member_rows.html" if request.headers.get("hx-request") == "true" else "members.html"
        )
        return page(ctx, template, q=q, rows=rows)

    @router.get("/members/{member_id}")
    def member(ctx: Signed, member_id: str) -> HTMLResponse:
        file = read(lambda s: members_desk.member_file(s, ctx.who, member_id, now()))
        return page(
            ctx, "member.html", m=file, revealed=None, max_adjust=members_desk.MAX_ADJUST_POINTS
        )

    @router.post("/members/{member_id}/reveal")
    def reveal(
        ctx: Posted, member_id: str, reason: Annotated[str, Form(max_length=500)] = ""
    ) -> HTMLResponse:
        profile = write(lambda s: members_desk.reveal(s, ctx.who, member_id, reason, now()))
        return page(ctx, "_revealed.html", p=profile)

    @router.post("/members/{member_id}/adjust")
    def adjust(
        ctx: Posted,
        member_id: str,
        points: Annotated[str, Form(max_length=12)] = "",
        reason: Annotated[str, Form(max_length=500)] = "",
    ) -> Response:
        try:
            amount = int(points.strip())
        except ValueError:
            raise BadRequest(ctx.t("points_whole_number")) from None
        write(lambda s: members_desk.adjust_points(s, ctx.who, member_id, amount, reason, now()))
        return RedirectResponse(f"{PREFIX}/members/{member_id}?adjusted={amount}", status_code=303)

    _ACTIONS: dict[str, Callable[[Session, auth.Signed, str, str, dt.datetime], Any]] = {
        "revoke_cards": member_actions.revoke_cards,
        "rotate_secret": member_actions.rotate_secret,
        "erase": member_actions.erase,
    }

    @router.post("/members/{member_id}/act/{action}")
    def member_act(
        ctx: Posted,
        member_id: str,
        action: str,
        reason: Annotated[str, Form(max_length=500)] = "",
    ) -> Response:
        act = _ACTIONS.get(action)
        if act is None:
            raise NotFound(f"no action {action!r}")
        write(lambda s: act(s, ctx.who, member_id, reason, now()))
        return RedirectResponse(f"{PREFIX}/members/{member_id}?done={action}", status_code=303)

    @router.post("/members/{member_id}/send-link")
    def member_send_link(
        ctx: Posted,
        request: Request,
        member_id: str,
        reason: Annotated[str, Form(max_length=500)] = "",
    ) -> Response:
        if sms is None:
            raise Unreachable("HQ has no SMS provider configured")
        phone = read(lambda s: member_actions.link_recipient(s, ctx.who, member_id, reason, now()))
        url = (public_url or str(request.base_url)).rstrip("/") + CARD_PATH
        try:
            sms.send_link(phone, url)
        except SmsError as exc:
            raise Unreachable(f"the link could not be sent: {exc}") from None
        write(lambda s: member_actions.record_link_sent(s, ctx.who, member_id, reason, url, now()))
        return RedirectResponse(
            f"{PREFIX}/members/{member_id}?done=send_card_link", status_code=303
        )

    @router.post("/members/{member_id}/merge")
    def member_merge(
        ctx: Posted,
        member_id: str,
        duplicate: Annotated[str, Form(max_length=40)] = "",
        reason: Annotated[str, Form(max_length=500)] = "",
    ) -> Response:
        write(lambda s: member_actions.merge(s, ctx.who, member_id, duplicate, reason, now()))
        return RedirectResponse(f"{PREFIX}/members/{member_id}?done=merge", status_code=303)

    # ------------------------------------------------------------------ conflicts and stores

    @router.get("/conflicts")
    def conflicts(ctx: Signed, resolved: bool = False) -> HTMLResponse:

        def work(s: Session) -> tuple[list[conflicts_desk.Queued], dict[int, Any]]:
            rows = conflicts_desk.queue(s, ctx.who, resolved=resolved)
            return rows, {
                q.conflict.id: conflicts_desk.history(s, q.conflict.id) for q in rows
            } if resolved else {}

        rows, history = read(work)
        return page(ctx, "conflicts.html", rows=rows, history=history, resolved=resolved)

    @router.post("/conflicts/{conflict_id}/resolve")
    def resolve(
        ctx: Posted,
        conflict_id: int,
        action: Annotated[str, Form(max_length=8)] = "",
        reason: Annotated[str, Form(max_length=500)] = "",
    ) -> Response:
        write(
            lambda s: conflicts_desk.resolve_conflict(
                s, ctx.who, conflict_id, action, reason, now()
            )
        )
        return RedirectResponse(f"{PREFIX}/conflicts?resolved=1", status_code=303)

    def stores_page(ctx: SignedCtx, issued: tuple[str, str, str] | None = None) -> HTMLResponse:

        def work(s: Session) -> tuple[list[Store], list[admin.TerminalHealth]]:
            shops = list(s.scalars(select(Store).order_by(Store.id)))
            tills = admin.health(s)
            if not allowed(ctx.who.role, "chain_wide"):
                shops = [x for x in shops if x.id in ctx.who.stores]
                tills = [x for x in tills if x.store_id in ctx.who.stores]
            return shops, tills

        shops, tills = read(work)
        return page(ctx, "stores.html", shops=shops, tills=tills, now=now(), issued=issued)

    @router.get("/stores")
    def stores(ctx: Signed) -> HTMLResponse:
        return stores_page(ctx)

    @router.post("/stores/{store_id}/code")
    def store_code(ctx: Posted, store_id: str) -> HTMLResponse:
        code = write(lambda s: stores_desk.issue_code(s, ctx.who, store_id, now()))
        # Shown once: HQ keeps only its hash.
        return stores_page(ctx, (store_id, code, stores_desk.qr_svg(code)))

    @router.post("/stores/{store_id}/region")
    def store_region(
        ctx: Posted,
        store_id: str,
        region: Annotated[str, Form(max_length=32)] = "",
        reason: Annotated[str, Form(max_length=500)] = "",
    ) -> Response:
        write(lambda s: stores_desk.set_region(s, ctx.who, store_id, region, reason, now()))
        return RedirectResponse(f"{PREFIX}/stores", status_code=303)

    @router.post("/tills/{terminal_id}/{action}")
    def till_act(
        ctx: Posted,
        terminal_id: str,
        action: str,
        reason: Annotated[str, Form(max_length=500)] = "",
    ) -> Response:
        act = {"revoke": stores_desk.revoke_till, "clear-chain": stores_desk.clear_chain}.get(
            action
        )
        if act is None:
            raise NotFound(f"no action {action!r}")
        write(lambda s: act(s, ctx.who, terminal_id, reason, now()))
        return RedirectResponse(f"{PREFIX}/stores?done={action}", status_code=303)

    # ------------------------------------------------------------------ rules

    @router.get("/rules")
    def rules(ctx: Signed) -> HTMLResponse:
        at = now()
        # A scheduled revision whose time has come shows (and is) in force.
        service.db.run(lambda s: rollout.settle(s, at), writer=False)

        def work(s: Session) -> tuple[list[RuleDocument], list[RulePublication]]:
            return rules_desk.revisions(s), rules_desk.scheduled(s, at)

        docs, pending = read(work)
        # A revision only scheduled is not rolled back to: it waits for its time (or Cancel).
        scheduled = {(p.doc_id, p.revision) for p in pending}
        return page(ctx, "rules.html", docs=docs, pending=pending, scheduled=scheduled)

    @router.post("/rules/scheduled/{publication}/cancel")
    def rules_cancel(ctx: Posted, publication: int) -> Response:
        write(lambda s: rules_desk.cancel(s, ctx.who, publication, now()))
        return RedirectResponse(f"{PREFIX}/rules?cancelled=1", status_code=303)

    @router.get("/rules/edit")
    def rules_edit(ctx: Signed, doc: str = "", revision: int = 0) -> HTMLResponse:
        need(ctx, "edit_rules")

        def work(s: Session) -> str:
            if doc:
                row = s.get(RuleDocument, (doc, revision))
                if row is None:
                    raise NotFound(f"no revision {revision} of {doc!r}")
                return row.text
            active = rules_desk.active_document(s)
            return active.text if active is not None else ""

        def scope(s: Session) -> tuple[list[str], list[str]]:
            return list(s.scalars(select(Store.id).order_by(Store.id))), stores_desk.regions(s)

        shops, regions = read(scope)
        return page(ctx, "rules_edit.html", text=read(work), shops=shops, regions=regions)

    @router.post("/rules/check")
    def rules_check(
        ctx: Posted, text: Annotated[str, Form(max_length=200_000)] = ""
    ) -> HTMLResponse:
        need(ctx, "edit_rules")
        check = rules_desk.check_text(text)

        def work(s: Session) -> tuple[list[tuple[str, str]], rules_desk.Preview | None]:
            active = rules_desk.active_document(s)
            diff = rules_desk.diff_lines(active.text if active else "", text)
            shown = rules_desk.preview(s, check.rules, now()) if check.rules is not None else None
            return diff, shown

        diff, shown = read(work)
        return page(ctx, "_rules_check.html", check=check, diff=diff, preview=shown)

    @router.post("/rules/publish")
    def rules_publish(
        ctx: Posted,
        text: Annotated[str, Form(max_length=200_000)] = "",
        effective_at: Annotated[str, Form(max_length=64)] = "",
        store: Annotated[list[str] | None, Form(max_length=64)] = None,
        region: Annotated[list[str] | None, Form(max_length=64)] = None,
    ) -> Response:
        need(ctx, "edit_rules")  # before looking at the text
        check = rules_desk.check_text(text)
        if check.rules is None:
            raise BadRequest(f"{check.path}: {check.problem}" if check.path else check.problem)
        when = rules_desk.parse_instant(effective_at)
        stores, regions = tuple(store or ()), tuple(region or ())
        write(
            lambda s: rules_desk.publish(
                s, ctx.who, text, now(), effective_at=when, stores=stores, regions=regions
            )
        )
        done = "scheduled" if when is not None else "published"
        return RedirectResponse(f"{PREFIX}/rules?{done}=1", status_code=303)

    @router.post("/rules/{doc_id}/{revision}/activate")
    def rules_activate(ctx: Posted, doc_id: str, revision: int) -> Response:
        write(lambda s: rules_desk.roll_back(s, ctx.who, doc_id, revision, now()))
        return RedirectResponse(f"{PREFIX}/rules?published=1", status_code=303)

    # ------------------------------------------------------------------ reports

    def scope_of(  # noqa: PLR0917 (the filters)
        ctx: SignedCtx,
        start: str,
        end: str,
        store: str,
        region: str = "",
        tier: str = "",
        channel: str = "",
    ) -> reports.Scope:
        base = _scope_of(ctx, start, end, store, region)
        return replace(base, tier=tier or None, channel=channel or None)

    def _scope_of(ctx: SignedCtx, start: str, end: str, store: str, region: str) -> reports.Scope:
        today = now().date()
        try:
            first = dt.date.fromisoformat(start) if start else today.replace(day=1)
            last = dt.date.fromisoformat(end) if end else today
        except ValueError:
            raise BadRequest(ctx.t("bad_date")) from None
        if last < first:
            raise BadRequest(ctx.t("bad_period"))
        if store:
            if not allowed(ctx.who.role, "chain_wide") and store not in ctx.who.stores:
                raise Forbidden(ctx.t("other_store"))
            return reports.Scope(first, last, frozenset({store}))
        chain_wide = allowed(ctx.who.role, "chain_wide")
        if region:
            # A store manager asking a region sees their own stores in it.
            mine = None if chain_wide else frozenset(ctx.who.stores)
            return reports.Scope(first, last, mine, region=region)
        if not chain_wide:
            return reports.Scope(first, last, frozenset(ctx.who.stores))
        return reports.Scope(first, last, None)

    @router.get("/reports")
    def report_page(  # noqa: PLR0917 (FastAPI parameters)
        ctx: Signed,
        name: str = "members",
        start: Annotated[str, Query(alias="from", max_length=10)] = "",
        end: Annotated[str, Query(alias="to", max_length=10)] = "",
        store: Annotated[str, Query(max_length=32)] = "",
        region: Annotated[str, Query(max_length=32)] = "",
        tier: Annotated[str, Query(max_length=32)] = "",
        channel: Annotated[str, Query(max_length=8)] = "",
    ) -> HTMLResponse:
        if name not in reports.REPORTS:
            raise NotFound(f"no report {name!r}")
        scope = scope_of(ctx, start, end, store, region, tier, channel)
        table = write(lambda s: reports.run_report(s, name, scope, now()))
        shops = read(lambda s: [x.id for x in s.scalars(select(Store).order_by(Store.id))])
        areas = read(stores_desk.regions)
        rules = read(active_rules)
        tiers = list(rules.tiers.ids()) if rules is not None else []
        if not allowed(ctx.who.role, "chain_wide"):
            shops = [x for x in shops if x in ctx.who.stores]
        peak = (
            max((abs(float(r[table.bar])) for r in table.rows), default=0) if table.bar >= 0 else 0
        )
        return page(
            ctx,
            "reports.html",
            name=name,
            names=list(reports.REPORTS),
            table=table,
            scope=scope,
            store=store,
            shops=shops,
            region=region,
            regions=areas,
            tier=tier,
            tiers=tiers,
            channel=channel,
            channels=CHANNELS,
            peak=peak or 1,
            chart={
                "labels": [str(ctx.value(r[0])) for r in table.rows],
                "values": [r[table.bar] for r in table.rows] if table.bar >= 0 else [],
            },
        )

    @router.get("/reports/{name}.{fmt}")
    def report_export(  # noqa: PLR0917 (FastAPI parameters)
        ctx: Signed,
        name: str,
        fmt: str,
        start: Annotated[str, Query(alias="from", max_length=10)] = "",
        end: Annotated[str, Query(alias="to", max_length=10)] = "",
        store: Annotated[str, Query(max_length=32)] = "",
        region: Annotated[str, Query(max_length=32)] = "",
        tier: Annotated[str, Query(max_length=32)] = "",
        channel: Annotated[str, Query(max_length=8)] = "",
    ) -> Response:
        if name not in reports.REPORTS or fmt not in ("csv", "xlsx"):
            raise NotFound(f"no report {name}.{fmt}")
        scope = scope_of(ctx, start, end, store, region, tier, channel)
        table = write(lambda s: reports.run_report(s, name, scope, now()))
        header = [ctx.t(f"col_{c}") for c in table.columns]
        rows = [[ctx.value(v) for v in r] for r in table.rows]
        filename = f"{name}-{scope.start}-{scope.end}.{fmt}"
        disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
        if fmt == "csv":
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(rows)
            # With a byte order mark: Excel opens UTF-8 (Chinese) CSV correctly.
            return Response(
                ("\ufeff" + out.getvalue()).encode(),
                media_type="text/csv; charset=utf-8",
                headers=disposition,
            )
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = name[:31]
        sheet.append(header)
        for r in rows:
            sheet.append(r)
        data = io.BytesIO()
        book.save(data)
        return Response(
            data.getvalue(),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers=disposition,
        )

    # ------------------------------------------------------------------ audit, operators, account

    @router.get("/audit")
    def audit_page(ctx: Signed, target: Annotated[str, Query(max_length=128)] = "") -> HTMLResponse:
        need(ctx, "view_audit")
        rows = read(lambda s: audit.events(s, target=target or None))
        return page(ctx, "audit.html", rows=rows, target=target)

    @router.get("/operators")
    def operators(ctx: Signed) -> HTMLResponse:
        need(ctx, "manage_operators")
        rows = read(lambda s: list(s.scalars(select(Operator).order_by(Operator.username))))
        return page(ctx, "operators.html", rows=rows)

    @router.post("/operators")
    def operator_create(
        ctx: Posted,
        username: Annotated[str, Form(max_length=64)] = "",
        password: Annotated[str, Form(max_length=256)] = "",
        role: Annotated[str, Form(max_length=16)] = "",
        stores: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        need(ctx, "manage_operators")
        by = ctx.who.username
        write(
            lambda s: auth.create_operator(
                s, username.strip(), password, role, now(), stores.replace(",", " ").split(), by=by
            )
        )
        return RedirectResponse(f"{PREFIX}/operators", status_code=303)

    @router.get("/account")
    def account(ctx: Signed) -> HTMLResponse:
        has_totp = read(
            lambda s: (
                (op := s.get(Operator, ctx.who.operator_id)) is not None
                and op.totp_secret is not None
            )
        )
        secret = auth.new_totp_secret()
        return page(
            ctx,
            "account.html",
            has_totp=has_totp,
            secret=secret,
            uri=auth.totp_uri(secret, ctx.who.username),
        )

    @router.post("/account/totp")
    def account_totp(
        ctx: Posted,
        code: Annotated[str, Form(max_length=16)] = "",
        secret: Annotated[str, Form(max_length=64)] = "",
        off: Annotated[str, Form(max_length=1)] = "",
    ) -> Response:

        def work(s: Session) -> None:
            op = s.get(Operator, ctx.who.operator_id)
            assert op is not None
            auth.set_totp(s, op, None if off else secret, code, now())

        write(work)
        return RedirectResponse(f"{PREFIX}/account", status_code=303)

    @router.post("/account/password")
    def account_password(
        ctx: Posted,
        current: Annotated[str, Form(max_length=256)] = "",
        password: Annotated[str, Form(max_length=256)] = "",
    ) -> Response:

        def work(s: Session) -> None:
            op = s.get(Operator, ctx.who.operator_id)
            assert op is not None
            if not auth.password_matches(op, current):
                raise BadRequest(ctx.t("wrong_password"))
            auth.change_password(s, op, password, now())

        write(work)
        return RedirectResponse(f"{PREFIX}/login", status_code=303)

    app.include_router(router)
    return router
