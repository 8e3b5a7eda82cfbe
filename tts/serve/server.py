"""Running the application on uvicorn: in the foreground (``tts serve``), or on a thread for tests
and benchmarks (:class:`BackgroundServer`). The socket is bound here, so that port 0 (any free
port) gives a URL to print."""

from __future__ import annotations

import logging
import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

from base.errors import TTSError
from tts.serve.config import ServeConfig

log = logging.getLogger(__name__)

BACKLOG = 128  # connections the kernel holds before the server accepts them


def bind(config: ServeConfig) -> socket.socket:
    """A listening TCP socket on ``config.host``:``config.port``.

    Raises:
        TTSError: the address cannot be bound (in use, or not this machine's).
    """
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((config.host, config.port))
    except OSError as exc:
        sock.close()
        raise TTSError(
            f"cannot listen on {config.host}:{config.port} ({exc.strerror or exc}); choose another --port or --host"
        ) from None
    sock.listen(BACKLOG)
    sock.setblocking(False)
    return sock


def url_of(sock: socket.socket) -> str:
    """The http:// URL of a bound socket."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def _uvicorn(app: Any, access_log: bool) -> uvicorn.Server:
    # uvicorn's own logging set-up would replace the command line's: it logs through ours.
    config = uvicorn.Config(app, log_config=None, access_log=access_log, lifespan="on", timeout_graceful_shutdown=5)
    return uvicorn.Server(config)


def run_server(app: Any, config: ServeConfig) -> None:
    """Serve ``app`` until interrupted (Ctrl-C)."""
    sock = bind(config)
    if not config.loopback:
        log.warning(
            "listening on %s: other machines can reach this server, which has no authentication; "
            "the default, 127.0.0.1, keeps it to this machine",
            config.host,
        )
    log.info("serving on %s (open it in a browser; Ctrl-C stops)", url_of(sock))
    _uvicorn(app, access_log=True).run(sockets=[sock])


class BackgroundServer:
    """``app`` served by uvicorn on a thread, on a free loopback port unless ``config`` names one::

    with BackgroundServer(app) as server:
        httpx.get(server.url + "healthz")
    """

    def __init__(self, app: Any, config: ServeConfig | None = None, access_log: bool = False) -> None:
        self.config = config or ServeConfig(port=0)
        self._server = _uvicorn(app, access_log)
        self._sock = bind(self.config)
        self.url = url_of(self._sock)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, name="tts-serve", daemon=True
        )

    def __enter__(self) -> BackgroundServer:
        self._thread.start()
        while not self._server.started and self._thread.is_alive():
            time.sleep(0.01)
        if not self._server.started:
            self._sock.close()
            raise TTSError("the server did not start; see the log")
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._server.should_exit = True
        self._thread.join()
        self._sock.close()
