"""The settings of ``tts serve``: where it listens and how much work it takes on."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass

from base.config import DictConfig
from base.errors import TTSError

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 5002  # Coqui's tts-server's port


def available_cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class ServeConfig(DictConfig):
    """How the server listens and how much it takes on.

    Attributes:
        host, port: where it listens; the loopback address by default, so that only this machine
            can reach it (port 0: any free port).
        jobs: syntheses run at once, one worker thread each (default: one per core).
        queue: admitted requests that may wait for a worker; a request beyond ``jobs + queue``
            gets 503 with ``Retry-After``.
        max_chars: the longest text a request may send (longer: 413).
        timeout: seconds one synthesis may run (checked between pieces of audio; past it: 504,
            or the end of a streamed response).
        retry_after: the seconds a 503 asks the client to wait.
        max_body: the largest request body in bytes (larger: 413).
    """

    host: str = LOOPBACK
    port: int = DEFAULT_PORT
    jobs: int = 0  # 0: available_cores()
    queue: int = 16
    max_chars: int = 2000
    timeout: float = 60.0
    retry_after: int = 1
    max_body: int = 1 << 20

    def __post_init__(self) -> None:
        for name, low in (("port", 0), ("jobs", 0), ("queue", 0), ("max_chars", 1), ("retry_after", 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise TTSError(f"{name} must be an integer >= {low}, got {value!r}")
        if self.port > 65535:
            raise TTSError(f"port must be at most 65535, got {self.port}")
        if not self.timeout > 0:
            raise TTSError(f"timeout must be a positive number of seconds, got {self.timeout!r}")
        if self.max_body < 4 * self.max_chars:  # UTF-8 takes up to 4 bytes a character
            raise TTSError(f"max_body ({self.max_body}) must hold max_chars ({self.max_chars}) of UTF-8 text")

    @property
    def workers(self) -> int:
        """Worker threads: ``jobs``, or one per available core."""
        return self.jobs or available_cores()

    @property
    def loopback(self) -> bool:
        """Whether ``host`` is reachable from this machine only."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False
