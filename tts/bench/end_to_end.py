"""The ``end_to_end`` section: a voice speaking a sentence and a paragraph, in a fresh process."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from tts.bench.engines import get_engine
from tts.bench.machine import peak_rss_mb
from tts.bench.settings import SAMPLE_TEXTS, BenchSettings
from tts.bench.workers import run_worker

# -- end to end ------------------------------------------------------------------------------


def bench_end_to_end(settings: BenchSettings, progress: Callable[[str], None]) -> dict[str, Any]:
    if not settings.voice:
        return {"skipped": "no --voice given"}
    progress("end to end")
    request = {
        "voice": settings.voice,
        "engine": settings.engine,
        "precision": settings.precision,
        "threads": settings.threads,
        "repeats": settings.repeats,
        "budget_seconds": settings.budget_seconds,
        "quick": settings.quick,
    }
    return run_worker("end-to-end", request, timeout=3600.0)


def worker_end_to_end(request: dict[str, Any]) -> dict[str, Any]:
    import numpy as np

    voice = get_engine(request["engine"]).load_voice(request["voice"], precision=request.get("precision"))
    language = next((code for code in voice.languages if code in SAMPLE_TEXTS), None)
    texts = SAMPLE_TEXTS[language or "en"]
    cases = {"sentence": texts[0], "paragraph": " ".join(texts[:3] if request["quick"] else texts)}
    voice.synthesize(texts[1], language=language, seed=0)  # warm-up
    out: dict[str, Any] = {
        "voice": voice.name,
        "language": language or "en",
        "vocoder": voice.vocoder_kind,
        "precision": voice.precision,
    }
    for case, text in cases.items():
        runs: list[tuple[float, float, int]] = []
        spent = 0.0
        while len(runs) < max(1, request["repeats"]) and (not runs or spent < request["budget_seconds"]):
            start = time.perf_counter()
            first: float | None = None
            samples = 0
            for chunk in voice.stream(text, language=language, seed=0):
                if first is None:
                    first = time.perf_counter() - start
                samples += np.asarray(chunk).size
            total = time.perf_counter() - start
            spent += total
            runs.append((total if first is None else first, total, samples))
        first = statistics.median(r[0] for r in runs)
        total = statistics.median(r[1] for r in runs)
        audio_seconds = runs[0][2] / voice.sample_rate
        out[case] = {
            "words": len(text.split()),
            "runs": len(runs),
            "audio_seconds": round(audio_seconds, 3),
            "first_audio_seconds": round(first, 4),
            "total_seconds": round(total, 4),
            "rtf": round(total / audio_seconds, 4) if audio_seconds else None,
            "x_realtime": round(audio_seconds / total, 3) if total else None,
        }
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    out["torch_loaded"] = "torch" in sys.modules
    return out
