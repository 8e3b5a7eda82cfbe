"""A bounded pool of synthesis workers for the server's event loop.

Synthesis is CPU work in PyTorch or numpy, which release the GIL: it runs on a fixed number of
worker threads (:class:`concurrent.futures.ThreadPoolExecutor`), sharing the voices loaded once.
Requests are *admitted* before any work starts: at most ``workers + queue`` at a time (running or
waiting for a worker); beyond that :meth:`SynthesisPool.admit` raises :class:`PoolBusy`, which the
server answers with 503 and ``Retry-After``. A request holds its :class:`Ticket` until its work is
over, streamed or not.

Work is an iterator of audio pieces, advanced one piece at a time on a worker, so that between
pieces it can be stopped: when its client disconnects (:meth:`SynthesisPool.collect` watches for
that; a streamed response is closed by the server), or when it has run longer than the time limit
(:class:`SynthesisTimeout`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import time
from collections.abc import AsyncGenerator, Awaitable, Iterator
from typing import Any

log = logging.getLogger(__name__)

_DONE = object()  # what a step returns when the work has no more pieces


class PoolBusy(Exception):
    """Every worker is busy and the queue is full."""


class SynthesisTimeout(Exception):
    """The work ran past the time limit."""


class ClientGone(Exception):
    """The client disconnected before its work was done."""


class Ticket:
    """A request's admission: its place among the admitted until :meth:`release` (idempotent)."""

    def __init__(self, pool: SynthesisPool) -> None:
        self._pool = pool
        self._released = False

    def release(self) -> None:
        with self._pool._lock:
            if not self._released:
                self._released = True
                self._pool._admitted -= 1


class _Work:
    """An iterator of pieces advanced on the workers one step at a time, stoppable between steps."""

    def __init__(self, pieces: Iterator[Any], timeout: float) -> None:
        self.pieces = pieces
        self.timeout = timeout
        self.cancelled = threading.Event()
        self.deadline: float | None = None  # set when the first step starts
        self.lock = threading.Lock()  # a step and the close never run at once
        self.failed = False  # a step raised (a timeout, the voice's error): not a stop by the client

    def step(self) -> Any:
        with self.lock:
            if self.cancelled.is_set():
                return _DONE
            now = time.monotonic()
            if self.deadline is None:
                self.deadline = now + self.timeout
            try:
                if now > self.deadline:
                    raise SynthesisTimeout(f"synthesis ran past the server's limit of {self.timeout:g} s")
                return next(self.pieces, _DONE)
            except BaseException:
                self.failed = True
                raise

    def run(self) -> list[Any]:
        """Every piece (on one worker, checking between pieces)."""
        pieces = []
        while (piece := self.step()) is not _DONE:
            pieces.append(piece)
        return pieces

    def close(self) -> None:
        self.cancelled.set()
        with self.lock:
            close = getattr(self.pieces, "close", None)
            if close is not None:
                close()


class SynthesisPool:
    """``workers`` threads, and room for ``queue`` more admitted requests (module docstring).

    Args:
        workers: worker threads (syntheses at once).
        queue: admitted requests that may wait for a worker.
        timeout: seconds one request's work may run.
    """

    def __init__(self, workers: int, queue: int, timeout: float) -> None:
        if workers < 1 or queue < 0:
            raise ValueError(f"need workers >= 1 and queue >= 0, got {workers} and {queue}")
        self.workers = workers
        self.queue = queue
        self.timeout = timeout
        self._executor = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="tts-synthesis")
        self._lock = threading.Lock()
        self._admitted = 0
        self._running = 0
        self._stopped = 0  # works stopped before their end: their clients went away

    def admit(self) -> Ticket:
        """A ticket for one request.

        Raises:
            PoolBusy: ``workers + queue`` requests are admitted already.
        """
        with self._lock:
            if self._admitted >= self.workers + self.queue:
                raise PoolBusy(
                    f"all {self.workers} workers are busy and {self.queue} requests are waiting; try again shortly"
                )
            self._admitted += 1
        return Ticket(self)

    def stats(self) -> dict[str, int]:
        """Workers, queue size, the requests admitted and running now, and how many were stopped
        because their clients went away."""
        with self._lock:
            return {
                "workers": self.workers,
                "queue": self.queue,
                "admitted": self._admitted,
                "running": self._running,
                "stopped": self._stopped,
            }

    def _count_stopped(self) -> None:
        with self._lock:
            self._stopped += 1

    def _counted(self, work: _Work, method: str) -> Any:
        with self._lock:
            self._running += 1
        try:
            return getattr(work, method)()
        finally:
            with self._lock:
                self._running -= 1

    async def collect(self, ticket: Ticket, pieces: Iterator[Any], disconnected: Awaitable[Any]) -> list[Any]:
        """Every piece of ``pieces``, made on one worker; the ticket is released when the work is over.

        Raises:
            ClientGone: ``disconnected`` finished first (the work stops at its next piece).
            SynthesisTimeout: the work ran past the time limit.
        """
        work = _Work(pieces, self.timeout)
        watcher = asyncio.ensure_future(disconnected)
        try:
            future = self._executor.submit(self._counted, work, "run")
        except BaseException:
            watcher.cancel()
            ticket.release()
            raise
        future.add_done_callback(lambda _: ticket.release())
        waiting = asyncio.wrap_future(future)
        try:
            done, _ = await asyncio.wait({waiting, watcher}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            watcher.cancel()
        if waiting not in done:
            work.cancelled.set()
            future.cancel()  # not started yet: never starts (and the ticket goes)
            self._count_stopped()
            raise ClientGone("the client disconnected")
        return waiting.result()

    async def stream(self, ticket: Ticket, pieces: Iterator[Any]) -> AsyncGenerator[Any, None]:
        """The pieces of ``pieces`` as they are made, each step on a worker. Closing the iterator
        (the client went away) stops the work at its next piece; the ticket is released once the
        work is closed.

        Raises:
            SynthesisTimeout: the work ran past the time limit (after the pieces made before it).
        """
        work = _Work(pieces, self.timeout)
        loop = asyncio.get_running_loop()
        finished = False
        try:
            while (piece := await loop.run_in_executor(self._executor, self._counted, work, "step")) is not _DONE:
                yield piece
            finished = True
        finally:
            if not finished and not work.failed:
                self._count_stopped()
            work.cancelled.set()
            # Closed on a worker, after any step still running there (the work's lock).
            try:
                closing = self._executor.submit(work.close)
            except RuntimeError:  # the pool is shut down
                ticket.release()
            else:
                closing.add_done_callback(lambda _: ticket.release())

    def shutdown(self) -> None:
        """Stop taking work; queued work is dropped, running work finishes on its thread."""
        self._executor.shutdown(wait=False, cancel_futures=True)
