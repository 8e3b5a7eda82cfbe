"""The machine ``tts bench`` runs on, and how it times things: CPU, cores, RSS, the fp32 matmul
rate."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from tts.bench.settings import BenchSettings

# -- measuring -------------------------------------------------------------------------------


def median_time(fn: Callable[[], Any], repeats: int, budget_seconds: float, warmup: bool = True) -> tuple[float, int]:
    """Median wall time of ``fn()`` over up to ``repeats`` runs after a warm-up run; repeating
    stops once ``budget_seconds`` have been spent (at least one timed run). Returns
    ``(median seconds, runs)``."""
    if warmup:
        fn()
    times: list[float] = []
    spent = 0.0
    while len(times) < max(1, repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
        spent += times[-1]
        if spent >= budget_seconds:
            break
    return statistics.median(times), len(times)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (VmHWM, else ru_maxrss)."""
    peak = _proc_status_mb("VmHWM:")
    if peak is not None:
        return peak
    import resource

    rusage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rusage / 2**20 if sys.platform == "darwin" else rusage / 1024


def current_rss_mb() -> float:
    """Resident set size of this process now, in MB (NaN where /proc is not there)."""
    rss = _proc_status_mb("VmRSS:")
    return float("nan") if rss is None else rss


def _proc_status_mb(field: str) -> float | None:
    """A ``kB`` field of ``/proc/self/status`` in MB, None where there is none."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            for line in info:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def physical_cores() -> int:
    """Distinct (package, core) pairs in /proc/cpuinfo; the logical CPU count where unknown."""
    try:
        cores, package = set(), "0"
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            for line in info:
                key, _, value = line.partition(":")
                key = key.strip().lower()
                if key == "physical id":
                    package = value.strip()
                elif key == "core id":
                    cores.add((package, value.strip()))
        if cores:
            return len(cores)
    except OSError:
        pass
    return os.cpu_count() or 1


def matmul_gflops(size: int = 2048, repeats: int = 5) -> float:
    """Measured fp32 GFLOP/s of a ``size x size`` matrix product (median, after a warm-up)."""
    import torch

    a, b = torch.randn(size, size), torch.randn(size, size)
    seconds, _ = median_time(lambda: torch.mm(a, b), repeats, budget_seconds=10.0)
    return 2 * size**3 / seconds / 1e9


def machine_info(settings: BenchSettings) -> dict[str, Any]:
    import torch

    return {
        "cpu_model": cpu_model(),
        "logical_cpus": os.cpu_count(),
        "physical_cores": physical_cores(),
        "torch_threads": torch.get_num_threads(),
        "torch_version": torch.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "matmul_gflops": round(matmul_gflops(1024 if settings.quick else 2048, 2 if settings.quick else 5), 2),
        **cpu_precision_info(),
    }


def cpu_precision_info() -> dict[str, Any]:
    """The CPU's features below fp32 and the int8 / bf16 kernels chosen from them (:mod:`base.cpu`)."""
    from base.cpu import cpu_features, low_precision
    from base.errors import TTSError

    found = cpu_features()
    try:
        kernels = low_precision().reason
    except TTSError as exc:
        kernels = str(exc)
    return {
        "cpu_features": found.describe(),
        "vnni": found.vnni,
        "native_bf16": found.native_bf16,
        "int8_kernels": kernels,
    }
