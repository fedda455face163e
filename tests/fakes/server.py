"""The life cycle shared by the fake HTTP services: a threaded http.server bound on
construction (a free port of 127.0.0.1 unless told), served from a daemon thread.

    class FakeThing(FakeServer):
        thread_name = "fake-thing"

        def _handler_class(self) -> type[BaseHTTPRequestHandler]:
            ...                          # the request handler, closing over the fake

    with FakeThing() as fake:            # start() ... stop()
        fake.url                         # http://127.0.0.1:PORT
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class FakeServer:
    thread_name = "fake-server"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        return self.base_url

    def start(self) -> Self:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=self.thread_name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
