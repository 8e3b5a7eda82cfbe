"""The whole bench: its sections run in order into one JSON-ready record."""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Callable
from typing import Any

from base.cpu import check_precision
from tts.bench.end_to_end import bench_end_to_end
from tts.bench.engines import get_engine
from tts.bench.machine import machine_info
from tts.bench.models import bench_acoustic, bench_vocoder
from tts.bench.settings import SCHEMA, SECTIONS, BenchSettings
from tts.bench.training import bench_training

# -- the whole bench -------------------------------------------------------------------------


def run_bench(settings: BenchSettings, progress: Callable[[str], None] = lambda message: None) -> dict[str, Any]:
    """Run the sections of ``settings`` and return the JSON-ready record."""
    import torch

    unknown = sorted(set(settings.sections) - set(SECTIONS))
    if unknown:
        from base.errors import TTSError

        raise TTSError(f"unknown bench sections: {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    if settings.threads:
        torch.set_num_threads(settings.threads)
    if settings.precision is not None:
        check_precision(settings.precision)
    elif settings.engine == "torch":
        from tts.torch_parts import default_precision

        settings = dataclasses.replace(settings, precision=default_precision())
    engine = get_engine(settings.engine)
    supported = getattr(engine, "sections", SECTIONS)
    if set(settings.sections) - set(supported):
        from base.errors import TTSError

        raise TTSError(
            f"the {engine.name} engine benchmarks {', '.join(supported)} only: pass --only {','.join(supported)}"
        )
    record: dict[str, Any] = {
        "schema": SCHEMA,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "quick": settings.quick,
        "engine": settings.engine,
        "precision": settings.precision,
        "voice": settings.voice,
        "settings": {k: v for k, v in dataclasses.asdict(settings).items()},
    }
    progress("machine")
    record["machine"] = machine_info(settings)
    voice = None
    if settings.voice and ("vocoder" in settings.sections or "acoustic" in settings.sections):
        voice = engine.load_voice(settings.voice, precision=settings.precision)
    peak = record["machine"]["matmul_gflops"]
    if "vocoder" in settings.sections:
        record["vocoder"] = bench_vocoder(settings, engine, peak, voice, progress)
    if "acoustic" in settings.sections:
        record["acoustic"] = bench_acoustic(settings, engine, voice, progress)
    if "end_to_end" in settings.sections:
        record["end_to_end"] = bench_end_to_end(settings, progress)
    if "training" in settings.sections:
        record["training"] = bench_training(settings, progress)
    return record
