"""HQ's HTTP edge: who the client is, rate limits that hold across worker processes, the
API docs switch, and bodies that are not text.

- **Client address.** The socket peer. ``X-Forwarded-For`` is read only when the peer is a
  configured trusted proxy (``POSLOYALTY_HQ_TRUSTED_PROXIES``, addresses or networks): the
  client is then the right-most address in the header that is not itself a trusted proxy.
  uvicorn's own proxy-header handling must be off (``proxy_headers=False``), so the peer is
  the real one.
- **Rate limits.** Token buckets; with ``POSLOYALTY_HQ_REDIS_URL`` they live in Redis (one
  atomic Lua script per request) and so hold across every HQ worker process; without it (the
  embedded default) in the process. If Redis fails, the process's own bucket decides.
- **API docs** (``/docs``, ``/redoc``, ``/openapi.json``) exist only with ``POSLOYALTY_HQ_DEV=1``.
- **Bodies.** A JSON body that is not UTF-8, carries a lone UTF-16 surrogate (``"\\ud800"``),
  or uses ``NaN`` / ``Infinity`` (which Python's JSON reader takes but JSON has not) gets 400
  before any endpoint sees it.
- **Logs.** No personal data: an unexpected error is logged as its type and where it happened
  (:func:`redacted`), never its message (which may quote a phone or a name) nor the request;
  the database engine hides statement parameters; there is no access log.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = [
    "EdgeConfig",
    "EdgeConfigError",
    "ErrorsMiddleware",
    "Limiter",
    "LocalLimiter",
    "RedisLimiter",
    "body_problem",
    "client_address",
    "make_limiter",
    "redacted",
]

log = logging.getLogger("posloyalty.hq.edge")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class EdgeConfigError(ValueError):
    """A setting of HQ's HTTP edge does not read."""


def _networks(text: str) -> tuple[Network, ...]:
    nets: list[Network] = []
    for raw in text.replace(";", ",").split(","):
        part = raw.strip()
        if part:
            try:
                nets.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise EdgeConfigError(
                    f"POSLOYALTY_HQ_TRUSTED_PROXIES: {part!r} is not an IP address or network"
                ) from None
    return tuple(nets)


@dataclass(frozen=True)
class EdgeConfig:
    #: Redis for rate limits shared by every worker (None: in-process limits).
    redis_url: str | None = None
    #: Prefix of HQ's Redis keys (tests give each run its own).
    redis_prefix: str = "posloyalty:hq:"
    #: Peers whose X-Forwarded-For is believed.
    trusted_proxies: tuple[Network, ...] = field(default=())
    #: Serve /docs, /redoc and /openapi.json (development only).
    docs: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> EdgeConfig:
        return cls(
            redis_url=environ.get("POSLOYALTY_HQ_REDIS_URL") or None,
            redis_prefix=environ.get("POSLOYALTY_HQ_REDIS_PREFIX") or "posloyalty:hq:",
            trusted_proxies=_networks(environ.get("POSLOYALTY_HQ_TRUSTED_PROXIES", "")),
            docs=environ.get("POSLOYALTY_HQ_DEV", "") not in ("", "0"),
        )


# --------------------------------------------------------------------------- client address


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    ip = _ip(address)
    return ip is not None and any(ip in net for net in proxies)


def client_address(peer: str | None, forwarded_for: str | None, config: EdgeConfig) -> str:
    """The client a request comes from (see the module docstring)."""
    if peer is None:
        return "?"
    if not forwarded_for or not _trusted(peer, config.trusted_proxies):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if _ip(hop) is None:
            return peer  # a garbled header: the proxy itself is the client we know
        if not _trusted(hop, config.trusted_proxies):
            return hop
    return peer


# --------------------------------------------------------------------------- rate limits


class Limiter(Protocol):
    def take(self, key: str) -> float:
        """0 when allowed; else the seconds to wait before the next request may pass."""
        ...


class LocalLimiter:
    """Token buckets by key in this process: ``rate`` per second, at most ``burst`` saved."""

    def __init__(self, rate: float, burst: int, now: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self._now = rate, burst, now
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        with self._lock:
            now = self._now()
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate


# One bucket per key as a hash {tokens, ts}; Redis's own clock, so every worker agrees.
_BUCKET_LUA = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local v = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(v[1]) or burst
local ts = tonumber(v[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return tostring(wait)
"""


class RedisLimiter:
    """The same token buckets, kept in Redis and updated atomically by a Lua script."""

    def __init__(self, client: Any, name: str, rate: float, burst: int, prefix: str) -> None:
        self.rate, self.burst = rate, burst
        self._key = f"{prefix}rl:{name}:"
        self._script = client.register_script(_BUCKET_LUA)
        self._fallback = LocalLimiter(rate, burst)

    def take(self, key: str) -> float:
        import redis

        try:
            wait = self._script(keys=[self._key + key], args=[self.rate, self.burst])
        except redis.RedisError as exc:
            log.warning(
                "rate limit store unreachable (%s); limiting in this process", type(exc).__name__
            )
            return self._fallback.take(key)
        return float(wait)


def make_limiter(config: EdgeConfig, name: str, rate: float, burst: int) -> Limiter:
    if config.redis_url is None:
        return LocalLimiter(rate, burst)
    import redis

    client = _clients.get(config.redis_url)
    if client is None:
        client = _clients.setdefault(
            config.redis_url,
            redis.Redis.from_url(config.redis_url, socket_timeout=2, socket_connect_timeout=2),
        )
    return RedisLimiter(client, name, rate, burst, config.redis_prefix)


_clients: dict[str, Any] = {}


# --------------------------------------------------------------------------- bodies

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class _NotJsonNumber(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _NotJsonNumber(name)


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def body_problem(content_type: str, body: bytes) -> str | None:
    """Why a request body cannot be text for HQ (None: it can)."""
    if "json" not in content_type.lower() or not body:
        return None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "the request body is not valid UTF-8 text"
    surrogate = _SURROGATE_ESCAPE.search(body) is not None
    # Two substring searches: a fifth of the regex alternation's time on a push's body.
    constant = b"NaN" in body or b"Infinity" in body
    if not surrogate and not constant:  # the common case: nothing more to check
        return None
    try:
        value = json.loads(body, parse_constant=_refuse_constant)
    except _NotJsonNumber as exc:
        return (
            f"the request body holds {exc}, which is not a JSON number: send numbers as "
            "JSON numbers"
        )
    except ValueError:
        return None  # not JSON at all: the endpoint's own validation says so
    if _has_lone_surrogate(value):
        return (
            "the request body holds a lone UTF-16 surrogate (\\ud800-\\udfff), which is not "
            "a character: send text as valid Unicode"
        )
    return None


# --------------------------------------------------------------------------- errors and logs


def redacted(exc: BaseException | None) -> str:
    """An exception for the log: its type and the frames it passed, not its message."""
    if exc is None:
        return "(no exception)"
    frames = traceback.extract_tb(exc.__traceback__)[-6:]
    where = " <- ".join(
        f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in reversed(frames)
    )
    cause = exc.__cause__ or exc.__context__
    also = f"; while handling {type(cause).__name__}" if cause is not None else ""
    return f"{type(exc).__module__}.{type(exc).__qualname__} at {where or '?'}{also}"


Scope = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]


class ErrorsMiddleware:
    """Turns an unexpected error into a plain 500 and a log line without personal data (the
    server's own handler would log the message and traceback text)."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Any]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            # The path only (no query string, which a form may carry); never the body.
            route = scope.get("route")
            path = getattr(route, "path", None) or "(unrouted)"
            log.error("HQ request %s %s failed: %s", scope.get("method"), path, redacted(exc))
            if started:
                return
            body = (
                b'{"detail":"HQ could not handle this request (an internal error; it is logged)"}'
            )
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
