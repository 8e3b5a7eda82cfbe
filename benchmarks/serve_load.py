"""Load on ``tts serve``: requests per second and latency percentiles for a voice, loopback only.

    python benchmarks/serve_load.py --json benchmarks/results/serve-load-hinglish.json

Starts ``tts serve --voice VOICE --jobs JOBS`` on a free loopback port (a process of its own, as
users run it), sends one warm-up request, then for each concurrency a fixed number of
``POST /v1/audio/speech`` requests (WAV, the voice's default vocoder, one sentence) from that
many clients, each sending its next request when its last one is answered. Bounded: at most
``--requests`` per concurrency and ``--max-seconds`` in all; the server is stopped after.
Latency is a request's wall time at the client, from sending to the last byte.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import soundfile

from tts.bench.machine import cpu_model, physical_cores

TEXT = "kal meeting 3 baje hai, please time pe aana."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(voice: str, jobs: int, port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "tts.cli", "serve", "--voice", voice, "--jobs", str(jobs), "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/healthz"
    for _ in range(1200):  # the voices load first
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: {server.stderr.read() if server.stderr else ''}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start within 120 s")


def one_request(client: httpx.Client, url: str, voice: str) -> tuple[float, float]:
    """(latency in seconds, audio seconds) of one synthesis."""
    start = time.perf_counter()
    response = client.post(url, json={"model": "tts-1", "input": TEXT, "voice": voice})
    latency = time.perf_counter() - start
    response.raise_for_status()
    audio, rate = soundfile.read(io.BytesIO(response.content), dtype="float32")
    return latency, len(audio) / rate


def load(url: str, voice: str, requests: int, concurrency: int, deadline: float) -> dict[str, Any]:
    """``requests`` requests from ``concurrency`` clients (closed loop), stopping at ``deadline``."""
    lock = threading.Lock()
    issued = [0]
    latencies: list[float] = []
    audio: list[float] = []
    errors: list[str] = []

    def client() -> None:
        with httpx.Client(timeout=120) as http:
            while True:
                with lock:
                    if issued[0] >= requests or time.monotonic() > deadline:
                        return
                    issued[0] += 1
                try:
                    latency, seconds = one_request(http, url, voice)
                except (httpx.HTTPError, RuntimeError) as exc:
                    with lock:
                        errors.append(str(exc)[:200])
                    continue
                with lock:
                    latencies.append(latency)
                    audio.append(seconds)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    done = len(latencies)
    return {
        "concurrency": concurrency,
        "requests": done,
        "errors": len(errors),
        "error_examples": errors[:3],
        "seconds": round(wall, 2),
        "requests_per_second": round(done / wall, 3) if done else 0.0,
        "latency_p50": round(float(np.percentile(latencies, 50)), 3) if done else None,
        "latency_p95": round(float(np.percentile(latencies, 95)), 3) if done else None,
        "latency_max": round(max(latencies), 3) if done else None,
        "audio_seconds_per_request": round(float(np.mean(audio)), 3) if done else None,
        "x_realtime": round(sum(audio) / wall, 2) if done else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voice", default="hinglish", help="the voice to serve and ask for (default hinglish)")
    parser.add_argument("--jobs", type=int, default=2, help="the server's workers (default 2: one per core here)")
    parser.add_argument("--concurrency", type=int, action="append", help="clients at once (repeat; default 1 and 4)")
    parser.add_argument("--requests", type=int, default=24, help="requests per concurrency (default 24)")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="time for all the loads (default 60)")
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    parser.add_argument(
        "--note", default="", help="what else the machine was doing (recorded with the figures, e.g. a training job)"
    )
    args = parser.parse_args()
    concurrencies = args.concurrency or [1, 4]
    port = free_port()
    load_before = list(os.getloadavg())
    server = start_server(args.voice, args.jobs, port)
    url = f"http://127.0.0.1:{port}/v1/audio/speech"
    try:
        with httpx.Client(timeout=120) as http:
            one_request(http, url, args.voice)  # warm-up: first-call costs are not the server's steady state
        deadline = time.monotonic() + args.max_seconds
        runs = [load(url, args.voice, args.requests, c, deadline) for c in concurrencies]
    finally:
        server.send_signal(signal.SIGINT)  # uvicorn's graceful stop
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    result = {
        "schema": 1,
        "created": time.strftime("%Y-%m-%d"),
        "command": "python benchmarks/serve_load.py " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
        "voice": args.voice,
        "endpoint": "POST /v1/audio/speech (wav, the voice's default vocoder, not streamed)",
        "text": TEXT,
        "server": {"jobs": args.jobs, "torch_threads_per_job": max(1, (os.cpu_count() or 1) // args.jobs)},
        "machine": {
            "cpu_model": cpu_model(),
            "logical_cpus": os.cpu_count(),
            "physical_cores": physical_cores(),
            "load_average_before": [round(v, 2) for v in load_before],
            "load_average_after": [round(v, 2) for v in os.getloadavg()],
            "note": args.note,
        },
        "runs": runs,
    }
    for run in runs:
        print(
            f"concurrency {run['concurrency']}: {run['requests']} requests in {run['seconds']} s, "
            f"{run['requests_per_second']} req/s, p50 {run['latency_p50']} s, p95 {run['latency_p95']} s, "
            f"{run['errors']} errors"
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 0 if all(run["errors"] == 0 for run in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
