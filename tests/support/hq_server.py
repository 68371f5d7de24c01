"""A real HQ (uvicorn on loopback, in a thread) for the HQ tests.

Its own module, not conftest.py: test files import it by name, and several test directories
have a conftest.py, so ``from conftest import ...`` finds whichever was loaded first.
"""

from __future__ import annotations

import io
import socket
import threading
import time

import uvicorn

from posloyalty.hq.api import create_app
from posloyalty.hq.edge import EdgeConfig
from posloyalty.hq.selfreg import SelfRegConfig
from posloyalty.hq.services import HqService
from posloyalty.hq.sms import ConsoleSms


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RunningServer:
    """A real uvicorn on loopback in a thread; SMS codes go to :attr:`sms` (the console
    provider, writing to a buffer), where a test reads them as a shopper's phone would."""

    def __init__(
        self,
        service: HqService,
        selfreg: SelfRegConfig | None = None,
        *,
        edge: EdgeConfig | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.sms = ConsoleSms(io.StringIO())
        config = uvicorn.Config(
            create_app(service, selfreg, edge or EdgeConfig(), self.sms),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            access_log=False,
            proxy_headers=False,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> RunningServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
