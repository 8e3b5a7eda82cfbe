"""Measurements that need a fresh process (peak RSS, a torch-free run), run as
``python -m tts.bench --worker KIND REQUEST``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any


def _workers() -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
    # Imported here: the sections import run_worker from this module.
    from tts.bench.end_to_end import worker_end_to_end
    from tts.bench.models import worker_vocoder_rss

    return {"vocoder-rss": worker_vocoder_rss, "end-to-end": worker_end_to_end}


def run_worker(kind: str, request: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Run a worker in a fresh Python process; its last stdout line is the JSON result."""
    env = dict(os.environ)
    if request.get("threads"):
        env["OMP_NUM_THREADS"] = str(request["threads"])
    command = [sys.executable, "-m", "tts.bench", "--worker", kind, json.dumps(request)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return {"error": f"worker {kind} failed (exit {done.returncode}): {tail[0]}"}
    try:
        return json.loads(lines[-1])
    except json.JSONDecodeError:
        return {"error": f"worker {kind} printed no result"}


def worker_main(argv: Sequence[str]) -> int:
    """``python -m tts.bench --worker KIND REQUEST``: run one worker, print its JSON result."""
    kind, request = argv[0], json.loads(argv[1])
    if request.get("threads") and request.get("engine", "torch") == "torch":
        import torch

        torch.set_num_threads(int(request["threads"]))
    import logging

    logging.disable(logging.WARNING)
    result = _workers()[kind](request)
    print(json.dumps(result))
    return 0
