"""The HQ HTTP API (FastAPI) over :class:`~posloyalty.hq.services.HqService`.

Endpoints (all JSON; sync endpoints need ``Authorization: Bearer <token>`` and the protocol
version header):

- ``GET  /v1/health``  liveness and the protocol version (no credential)
- ``POST /v1/enroll``  exchange an enrolment code for a terminal credential
- ``POST /v1/push``    a :class:`~posloyalty.sync.protocol.PushBatch` -> ``PushResult``
- ``POST /v1/pull``    a :class:`~posloyalty.sync.protocol.PullRequest` -> ``PullResponse``
- ``POST /v1/lookup``  a :class:`~posloyalty.sync.protocol.LookupRequest` -> ``LookupResponse``
  (a member the till's slice does not hold; see ``hq.lookup``)
- ``/v1/registration-links`` and the shopper's page ``/r/{token}``: see ``hq.selfreg_web``
- ``/office/...``: the back office (HTML pages for operators): see ``hq.backoffice.web``
- ``/v1/members/sign-in/code``, ``/v1/members/sign-in``, ``/v1/members/me``: a member signing
  in with an SMS code (``hq.member_web``); ``/m/``: the member's card page (``hq.card_web``)
- ``/v1/admin/...``: revoke cards, rotate a member's secret (operator token; ``hq.admin_web``)

Errors are ``{"detail": "..."}``: 400 bad input or protocol version, 401 no or unknown
credential, 403 revoked terminal or another terminal's batch, 413 body too large, 422 schema
violation, 429 rate limit (with Retry-After).
"""

# No ``from __future__ import annotations``: FastAPI reads the endpoint annotations, which
# refer to dependencies defined inside create_app.
import json
import math
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from posloyalty.hq import admin_web, card_web, member_web, selfreg_web
from posloyalty.hq.backoffice import web as backoffice
from posloyalty.hq.edge import (
    EdgeConfig,
    ErrorsMiddleware,
    body_problem,
    client_address,
    make_limiter,
)
from posloyalty.hq.enrolment import Caller
from posloyalty.hq.errors import (
    BadRequest,
    Forbidden,
    HqError,
    NotAuthenticated,
    NotFound,
    Refused,
    Unreachable,
)
from posloyalty.hq.selfreg import SelfRegConfig, SelfRegistration
from posloyalty.hq.services import HqService
from posloyalty.hq.sms import SmsProvider, provider_from_env
from posloyalty.sync.protocol import (
    MAX_BODY_BYTES,
    PROTOCOL_VERSION,
    VERSION_HEADER,
    EnrollRequest,
    EnrollResponse,
    ErrorBody,
    LookupRequest,
    LookupResponse,
    PullRequest,
    PullResponse,
    PushBatch,
    PushResult,
    version_problem,
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_STATUS: dict[type[HqError], int] = {
    BadRequest: 400,
    NotAuthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Refused: 409,
    Unreachable: 502,
}


class LimitsMiddleware:
    """Refuses bodies over ``limit`` bytes (413) and JSON bodies that are not Unicode text
    (400, :func:`posloyalty.hq.edge.body_problem`) before the app reads them; stamps the
    protocol version on every response."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((VERSION_HEADER.lower().encode(), str(PROTOCOL_VERSION).encode()))
                message["headers"] = headers
            await send(message)

        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await _reply(stamped, 400, "Content-Length is not a number")
                return
            if int(declared) > self.limit:
                await _reply(stamped, 413, f"request body over {self.limit} bytes")
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # client went away
            body = message.get("body", b"")
            size += len(body)
            if size > self.limit:
                await _reply(stamped, 413, f"request body over {self.limit} bytes")
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        whole = b"".join(chunks)
        content_type = dict(scope.get("headers", [])).get(b"content-type", b"")
        problem = body_problem(content_type.decode("latin-1"), whole)
        if problem is not None:
            await _reply(stamped, 400, problem)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": whole, "more_body": False}
            return await receive()

        await self.app(scope, replay, stamped)


async def _reply(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorBody} for code in codes}


def create_app(
    service: HqService,
    selfreg: SelfRegConfig | None = None,
    edge: EdgeConfig | None = None,
    sms: SmsProvider | None = None,
    operator_token: str | None = None,
) -> FastAPI:
    """The HQ API bound to ``service``; ``selfreg`` configures self-service registration
    (default: :meth:`SelfRegConfig.from_env`), ``edge`` the client address, rate limits and
    API docs (default: :meth:`EdgeConfig.from_env`); ``sms`` sends one-time codes (default:
    :func:`~posloyalty.hq.sms.provider_from_env`); ``operator_token`` opens the operator API
    (default: ``$POSLOYALTY_HQ_OPERATOR_TOKEN``; none: that API refuses)."""
    edge = edge or EdgeConfig.from_env(os.environ)
    app = FastAPI(
        title="posloyalty HQ",
        version=str(PROTOCOL_VERSION),
        description="Terminal enrolment and sync (push outbox items, pull the store's slice).",
        # The API's map is for developers, not for whoever finds the server (POSLOYALTY_HQ_DEV).
        docs_url="/docs" if edge.docs else None,
        redoc_url="/redoc" if edge.docs else None,
        openapi_url="/openapi.json" if edge.docs else None,
    )
    app.add_middleware(LimitsMiddleware, limit=MAX_BODY_BYTES)
    app.add_middleware(ErrorsMiddleware)  # outermost of ours: errors of everything inside
    # Snapshot pages compress several times over; clients send Accept-Encoding: gzip.
    app.add_middleware(GZipMiddleware, minimum_size=4096, compresslevel=5)
    cfg = service.config
    terminal_limits = make_limiter(edge, "terminal", cfg.rate_per_s, cfg.rate_burst)
    enroll_limits = make_limiter(edge, "enroll", cfg.enroll_rate_per_s, cfg.enroll_burst)

    def client_of(request: Request) -> str:
        peer = request.client.host if request.client else None
        return client_address(peer, request.headers.get("x-forwarded-for"), edge)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # A missing, malformed or newer protocol version gets a clear 400, not a schema error.
        header = VERSION_HEADER.lower()
        locations = [tuple(str(p).lower() for p in e.get("loc", ()))[:2] for e in exc.errors()]
        if ("header", header) in locations:
            problem = version_problem(request.headers.get(header))
            if problem is not None:
                return JSONResponse({"detail": problem}, status_code=400)
        return await request_validation_exception_handler(request, exc)

    @app.exception_handler(HqError)
    async def _hq_error(_request: Request, exc: HqError) -> JSONResponse:
        status = next((code for cls, code in _STATUS.items() if isinstance(exc, cls)), 400)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"detail": str(exc)}, status_code=status, headers=headers)

    bearer = HTTPBearer(auto_error=False, description="the terminal credential from /v1/enroll")

    def protocol(
        version: Annotated[
            int,
            Header(
                alias=VERSION_HEADER,
                ge=1,
                le=PROTOCOL_VERSION,
                description="the sync protocol version the client speaks",
            ),
        ],
    ) -> int:
        return version

    def caller(
        _version: Annotated[int, Depends(protocol)],
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Caller:
        who = service.authenticate(f"Bearer {credentials.credentials}" if credentials else None)
        wait = terminal_limits.take(who.terminal_id)
        if wait:
            raise HTTPException(
                429,
                f"too many requests from terminal {who.terminal_id}; slow down",
                headers={"Retry-After": str(math.ceil(wait))},
            )
        return who

    @app.get("/v1/health")
    def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "protocol_version": PROTOCOL_VERSION,
            "server_time": service.clock.now().isoformat(),
        }

    @app.post("/v1/enroll", response_model=EnrollResponse, responses=_errors(400, 403, 413, 429))
    def enroll(
        body: EnrollRequest, request: Request, _version: Annotated[int, Depends(protocol)]
    ) -> EnrollResponse:
        wait = enroll_limits.take(client_of(request))
        if wait:
            raise HTTPException(
                429,
                "too many enrolment attempts; wait and try again",
                headers={"Retry-After": str(math.ceil(wait))},
            )
        return service.enroll(body.code, body.name)

    @app.post("/v1/push", response_model=PushResult, responses=_errors(400, 401, 403, 413, 429))
    def push(batch: PushBatch, who: Annotated[Caller, Depends(caller)]) -> Response:
        # Serialised once here (FastAPI would validate a 1,000-item result again).
        return Response(service.push(who, batch).model_dump_json(), media_type="application/json")

    @app.post(
        "/v1/pull", response_model=PullResponse, responses=_errors(400, 401, 403, 409, 413, 429)
    )
    def pull(body: PullRequest, who: Annotated[Caller, Depends(caller)]) -> Response:
        # Encoded by the protocol module: FastAPI would validate every change of a page again.
        return Response(service.pull_json(who, body), media_type="application/json")

    @app.post(
        "/v1/lookup", response_model=LookupResponse, responses=_errors(400, 401, 403, 413, 429)
    )
    def lookup(body: LookupRequest, who: Annotated[Caller, Depends(caller)]) -> Response:
        return Response(service.lookup(who, body).model_dump_json(), media_type="application/json")

    reg = selfreg or SelfRegConfig.from_env(os.environ)
    sms = sms if sms is not None else provider_from_env(os.environ)
    registration = SelfRegistration(
        service, reg, sms, limiters=lambda name, rate, burst: make_limiter(edge, name, rate, burst)
    )
    page_limits = make_limiter(edge, "selfreg-ip", reg.ip_rate_per_s, reg.ip_burst).take
    selfreg_web.mount(
        app,
        registration,
        caller,
        make_limiter(edge, "selfreg-link", reg.token_rate_per_s, reg.token_burst).take,
        page_limits,
        client_of=client_of,
    )
    member_web.mount(
        app, service, registration.codes, page_limits, reg.phone_pattern, client_of=client_of
    )
    card_web.mount(app)
    admin_web.mount(
        app, service, operator_token or os.environ.get(admin_web.OPERATOR_TOKEN_ENV) or None
    )
    backoffice.mount(app, service, sms, reg.public_url)
    return app
