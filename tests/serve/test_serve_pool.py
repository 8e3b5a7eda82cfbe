"""The server's worker pool on its own: admission is bounded, work stops between pieces when its
client goes or its time is up, and every ticket comes back."""

from __future__ import annotations

import asyncio
import threading

import pytest

from tts.serve.pool import ClientGone, PoolBusy, SynthesisPool, SynthesisTimeout


def gated_pieces(gate: threading.Event, made: list[int], n: int = 5):
    """``n`` pieces, each made only once ``gate`` is open; ``made`` records them."""
    for i in range(n):
        gate.wait()
        made.append(i)
        yield i


async def _until(condition) -> None:
    while not condition():
        await asyncio.sleep(0.005)


def test_admission_is_bounded_by_workers_and_queue():
    pool = SynthesisPool(workers=2, queue=1, timeout=60)
    tickets = [pool.admit() for _ in range(3)]
    with pytest.raises(PoolBusy, match="all 2 workers are busy and 1 requests are waiting"):
        pool.admit()
    assert pool.stats()["admitted"] == 3
    tickets[0].release()
    tickets[0].release()  # a ticket goes back once
    assert pool.stats()["admitted"] == 2
    pool.admit()
    pool.shutdown()


def test_collect_makes_every_piece_and_returns_the_ticket():
    async def main():
        pool = SynthesisPool(workers=1, queue=0, timeout=60)
        gate = threading.Event()
        gate.set()
        never = asyncio.get_running_loop().create_future()  # a client that stays
        pieces = await pool.collect(pool.admit(), gated_pieces(gate, []), never)
        await _until(lambda: pool.stats()["admitted"] == 0)
        pool.shutdown()
        return pieces

    assert asyncio.run(main()) == [0, 1, 2, 3, 4]


def test_a_client_that_goes_stops_its_work_at_the_next_piece():
    async def main():
        pool = SynthesisPool(workers=1, queue=0, timeout=60)
        gate, made = threading.Event(), []
        gone = asyncio.get_running_loop().create_future()
        ticket = pool.admit()
        task = asyncio.ensure_future(pool.collect(ticket, gated_pieces(gate, made), gone))
        await _until(lambda: pool.stats()["running"] == 1)  # the worker waits at the gate, in piece 0
        gone.set_result(None)
        with pytest.raises(ClientGone):
            await task
        assert pool.stats()["admitted"] == 1  # the worker is still in its piece: the ticket is held
        gate.set()
        await _until(lambda: pool.stats()["admitted"] == 0)
        stats = pool.stats()
        pool.shutdown()
        return made, stats

    made, stats = asyncio.run(main())
    assert made == [0]  # the piece under way was finished, no other was begun
    assert stats["stopped"] == 1 and stats["running"] == 0


def test_work_past_the_time_limit_stops_with_a_timeout():
    async def main():
        pool = SynthesisPool(workers=1, queue=0, timeout=0.05)

        def slow():
            for i in range(100):
                threading.Event().wait(0.02)
                yield i

        never = asyncio.get_running_loop().create_future()
        with pytest.raises(SynthesisTimeout, match="past the server's limit of 0.05 s"):
            await pool.collect(pool.admit(), slow(), never)
        await _until(lambda: pool.stats()["admitted"] == 0)
        pool.shutdown()

    asyncio.run(main())


def test_a_stream_closed_early_closes_its_work_and_returns_the_ticket():
    async def main():
        pool = SynthesisPool(workers=1, queue=0, timeout=60)
        gate, made, closed = threading.Event(), [], threading.Event()
        gate.set()

        def pieces():
            try:
                yield from gated_pieces(gate, made)
            finally:
                closed.set()

        stream = pool.stream(pool.admit(), pieces())
        first = await stream.__anext__()
        await stream.aclose()  # the client went away after one piece
        await _until(lambda: pool.stats()["admitted"] == 0)
        stats = pool.stats()
        pool.shutdown()
        return first, made, closed.is_set(), stats

    first, made, closed, stats = asyncio.run(main())
    assert first == 0 and made == [0] and closed
    assert stats["stopped"] == 1
