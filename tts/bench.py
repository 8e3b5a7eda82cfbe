"""``tts bench``: how fast the toolkit runs on this machine, as a table and a JSON record.

Sections (each can be run alone, see :data:`SECTIONS`):

* ``machine``: CPU model, cores, torch threads, and the measured fp32 matrix-multiply rate
  (a 2048 x 2048 product), the yardstick the vocoder's achieved GFLOP/s is compared against.
* ``vocoder``: ``WaveGlow.infer`` on 2, 10 and 60 s of mel at once (random weights: the speed
  depends on the architecture only) for the published 256-channel model, the shipped presets and
  the voice's vocoder: kHz of audio per second, times real time, achieved GFLOP/s from an analytic
  count (:func:`waveglow_flops`) and its fraction of the matmul rate; and the peak RSS of
  vocoding each length, measured in a fresh subprocess through the chunked path the voices use
  (:mod:`tts.vocoding`), so that the figure is that of one synthesis and nothing else.
* ``acoustic``: Tacotron2 milliseconds per decoder step and times real time (encoder, decoder
  and postnet), batch 1 and 8, for the reference config, the ``tiny`` preset (with the
  reference's 148 symbols) and the voice's config, random weights, decoding a fixed number of
  steps (the gate is disabled, so every run does the same work).
* ``end_to_end`` (needs ``--voice``): time to first audio through ``voice.stream`` and the
  real-time factor of a 10-word sentence and a 10-sentence paragraph, and the peak RSS, in a
  fresh subprocess, with the voice's default vocoder (recorded as ``vocoder``).
* ``training``: training throughput of both stages with the ``tiny`` presets on a synthetic
  prepared data directory (harmonic tones with a moving pitch and their mels, written in the
  layout ``tts prepare`` writes, in a temporary directory): a few optimizer steps (forward,
  loss, backward, Adam) after one warm-up step.

Every timing is the median of several runs after a warm-up; long runs stop repeating once a
time budget is spent (the number of runs is recorded). ``quick`` shrinks lengths, steps and
repeats so that the whole bench runs in well under a minute (the CLI test uses it).

Engines: the timings run through an :class:`Engine` (``ENGINES``); only ``torch`` exists now.
An ONNX engine registers itself in ``ENGINES`` with the same three methods.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from base.files import atomic_write_text

SCHEMA = "swaratts-bench/1"
SECTIONS = ("machine", "vocoder", "acoustic", "end_to_end", "training")
VOCODER_PRESETS = ("small", "balanced", "fast")
ACOUSTIC_PRESETS = ("tiny",)

# A 10-word sentence (the first) and a 10-sentence paragraph (all of them) per language.
SAMPLE_TEXTS: dict[str, list[str]] = {
    "en": [
        "The quick brown fox jumped over the lazy dog today.",
        "Rain fell softly on the old tin roof all night.",
        "My grandfather waters the plants in the garden every evening.",
        "This book has many interesting stories written for young children.",
        "The train reached the station on time and passengers got off.",
        "We should keep our city clean and green for everyone.",
        "Last night the sky was full of bright shining stars.",
        "Mother cooked a delicious meal and called everyone to the table.",
        "A sports competition has been organised at the school today.",
        "Watching the sun set from the river bank feels wonderful.",
    ],
    "hi": [
        "आज सुबह हम सब लोग पार्क में टहलने गए थे।",
        "बारिश के मौसम में हवा बहुत ठंडी हो जाती है।",
        "मेरे दादाजी हर शाम बगीचे में पौधों को पानी देते हैं।",
        "इस किताब में बच्चों के लिए कई रोचक कहानियाँ लिखी हैं।",
        "रेलगाड़ी समय पर स्टेशन पहुँची और यात्री उतरने लगे।",
        "हमें अपने शहर को साफ़ और हरा भरा रखना चाहिए।",
        "कल रात आसमान में बहुत सारे तारे चमक रहे थे।",
        "माँ ने रसोई में स्वादिष्ट खाना बनाया और सबको बुलाया।",
        "विद्यालय में आज खेल प्रतियोगिता का आयोजन किया गया है।",
        "नदी के किनारे बैठकर सूरज को डूबते देखना अच्छा लगता है।",
    ],
    "bn": [
        "আজ খুব সকালে আমরা সবাই মিলে নদীর ধারে অনেকক্ষণ হেঁটেছিলাম।",
        "বর্ষাকালে আকাশ প্রায়ই কালো মেঘে ঢেকে থাকে।",
        "আমার দাদু প্রতিদিন সন্ধ্যায় বাগানে গাছে জল দেন।",
        "এই বইটিতে ছোটদের জন্য অনেক মজার গল্প আছে।",
        "ট্রেন ঠিক সময়ে স্টেশনে পৌঁছাল এবং যাত্রীরা নামতে লাগল।",
        "আমাদের শহরকে পরিষ্কার ও সবুজ রাখা উচিত।",
        "গতকাল রাতে আকাশে অনেক তারা ঝলমল করছিল।",
        "মা রান্নাঘরে সুস্বাদু খাবার রান্না করে সবাইকে ডাকলেন।",
        "আজ বিদ্যালয়ে একটি খেলার প্রতিযোগিতার আয়োজন করা হয়েছে।",
        "নদীর তীরে বসে সূর্যাস্ত দেখতে খুব ভালো লাগে।",
    ],
}
SAMPLE_TEXTS["hinglish"] = SAMPLE_TEXTS["hi"]
SAMPLE_TEXTS["benglish"] = SAMPLE_TEXTS["bn"]


@dataclass(frozen=True)
class BenchSettings:
    """What to measure and how long to try. :meth:`quick_settings` gives the CLI test's."""

    voice: str | None = None
    engine: str = "torch"
    sections: tuple[str, ...] = SECTIONS
    threads: int | None = None  # torch intra-op threads; None keeps torch's default
    repeats: int = 5  # timed runs per measurement (after one warm-up), fewer when over budget
    budget_seconds: float = 60.0  # stop repeating a measurement once this much time is spent
    vocoder_seconds: tuple[float, ...] = (2.0, 10.0, 60.0)
    rss_seconds: tuple[float, ...] = (2.0, 5.0, 10.0, 60.0)  # 5 s: the reference of the RSS ratio
    vocoder_presets: tuple[str, ...] = VOCODER_PRESETS
    published_vocoder: dict[str, Any] = field(default_factory=dict)  # WaveGlowConfig overrides
    base_acoustic: dict[str, Any] = field(default_factory=dict)  # Tacotron2Config overrides
    acoustic_presets: tuple[str, ...] = ACOUSTIC_PRESETS
    acoustic_steps: int = 200
    acoustic_text_length: int = 60
    acoustic_batches: tuple[int, ...] = (1, 8)
    training_steps: int = 5
    quick: bool = False

    @classmethod
    def quick_settings(cls, **changes: Any) -> "BenchSettings":
        values: dict[str, Any] = dict(
            repeats=2, budget_seconds=5.0, vocoder_seconds=(0.25, 0.5), rss_seconds=(0.5,),
            vocoder_presets=("fast",), acoustic_steps=8, acoustic_text_length=16, training_steps=1,
            quick=True,
        )
        values.update(changes)
        return cls(**values)


# -- measuring -------------------------------------------------------------------------------


def median_time(fn: Callable[[], Any], repeats: int, budget_seconds: float, warmup: bool = True
                ) -> tuple[float, int]:
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
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def current_rss_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


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
    }


# -- analytic operation counts ---------------------------------------------------------------


def waveglow_flops(config: Any, n_samples: int, batch: int = 1) -> int:
    """Floating-point operations (2 per multiply-add) of every convolution in
    :meth:`vocoder.WaveGlow.reverse` for ``n_samples`` of audio: the mel upsampler (when the
    config has one), and per flow the inverse 1x1 convolution and the coupling network (start,
    conditioning, input layers -- dense or depthwise + pointwise --, residual/skip, end layers).
    Elementwise work (gates, coupling, interpolation) is not counted. This is the reference
    computation; the fast inference path does somewhat fewer operations (it folds the skip
    outputs into the end layer and the start layer into the first input layer), so the achieved
    rate it is divided by is an effective one."""
    c = config
    groups = n_samples // c.n_group
    macs = 0
    if c.mel_conditioning == "upsampled":
        frames = -(-n_samples // c.upsample_stride)
        macs += frames * c.n_mel_channels * c.n_mel_channels * c.upsample_kernel_size
    n, layers, k = c.n_channels, c.n_layers, c.kernel_size
    remaining, per_group = c.n_group, 0
    for flow in range(c.n_flows):
        if flow > 0 and flow % c.n_early_every == 0:
            remaining -= c.n_early_size
        half = remaining // 2
        per_group += remaining * remaining  # inverse 1x1 convolution
        per_group += n * half  # start
        per_group += 2 * n * layers * c.n_cond_channels  # conditioning
        if getattr(c, "depthwise", False):
            per_group += layers * (n * k + 2 * n * n)
        else:
            per_group += layers * 2 * n * n * k
        per_group += (layers - 1) * 2 * n * n + n * n  # residual / skip
        per_group += 2 * half * n  # end
    macs += per_group * groups
    return 2 * macs * batch


def count_parameters(model: Any) -> int:
    return sum(p.numel() for p in model.parameters())


# -- engines ---------------------------------------------------------------------------------


class Engine:
    """How the bench runs models. ``vocoder(config)`` returns ``(model, vocode)`` where
    ``vocode(mel [1, n_mel, frames])`` synthesizes audio; ``acoustic(config)`` returns a model
    with ``infer(text, lengths)`` and ``decoder.infer``; ``load_voice(name, vocoder_kind)`` loads a
    voice (``vocoder_kind`` None: its measured default, see :func:`tts.voice_manifest.choose_vocoder`)."""

    name = "torch"

    def vocoder(self, config: Any) -> tuple[Any, Callable[[Any], Any]]:
        import torch

        import vocoder

        model = vocoder.WaveGlow(config).eval()
        generator = torch.Generator().manual_seed(0)
        return model, lambda mel: model.infer(mel, sigma=0.666, generator=generator)

    def acoustic(self, config: Any) -> Any:
        import acoustic

        return acoustic.Tacotron2(config).eval()

    def load_voice(self, name: str, vocoder_kind: str | None = None) -> Any:
        from tts.voice import load_voice

        return load_voice(name, engine=self.name, vocoder_kind=vocoder_kind)


class OnnxEngine(Engine):
    """The torch-free runtime (:mod:`tts.onnx.runtime`) on an ONNX voice (``tts export onnx``).
    It benchmarks whole voices only: the ``end_to_end`` section, in a process without torch."""

    name = "onnx"
    sections = ("machine", "end_to_end")

    def vocoder(self, config: Any) -> tuple[Any, Callable[[Any], Any]]:
        raise NotImplementedError

    def acoustic(self, config: Any) -> Any:
        raise NotImplementedError

    def load_voice(self, name: str, vocoder_kind: str | None = None) -> Any:
        from tts.voice import load_voice

        return load_voice(name, engine="onnx", vocoder_kind=vocoder_kind)


ENGINES: dict[str, Callable[[], Engine]] = {"torch": Engine, "onnx": OnnxEngine}


def get_engine(name: str) -> Engine:
    from base.errors import TTSError

    if name not in ENGINES:
        raise TTSError(f"unknown bench engine {name!r}; available: {', '.join(sorted(ENGINES))}")
    return ENGINES[name]()


# -- vocoder ---------------------------------------------------------------------------------


def vocoder_configs(settings: BenchSettings, voice: Any | None) -> list[tuple[str, Any]]:
    """(name, WaveGlowConfig) pairs to measure: published, presets, the voice's."""
    import vocoder
    from tts.training.config import read_config_file

    configs = [("published", vocoder.WaveGlowConfig(**settings.published_vocoder))]
    for preset in settings.vocoder_presets:
        try:
            model = read_config_file("vocoder", preset).model
        except Exception:  # a preset that is not there (yet) is simply not measured
            continue
        configs.append((f"preset:{preset}", vocoder.WaveGlowConfig.from_dict(model)))
    if voice is not None:
        configs.append((f"voice:{voice.name}", voice.vocoders["waveglow"].model.config))
    return configs


def _bench_mel(frames: int, n_mel: int, seed: int = 0) -> Any:
    """A log-mel-like input: smooth in time, values in the range of real log-mels."""
    import torch

    g = torch.Generator().manual_seed(seed)
    mel = -6.0 + 1.5 * torch.randn(1, n_mel, frames, generator=g)
    return torch.nn.functional.avg_pool1d(mel, 5, stride=1, padding=2, count_include_pad=False)


def bench_vocoder(settings: BenchSettings, engine: Engine, peak_gflops: float, voice: Any | None,
                  progress: Callable[[str], None]) -> list[dict[str, Any]]:
    from base.audio import MelConfig

    mel_config = voice.mel_config if voice is not None else MelConfig()
    rate, hop = mel_config.sampling_rate, mel_config.hop_length
    results = []
    for name, config in vocoder_configs(settings, voice):
        progress(f"vocoder {name}")
        model, vocode = engine.vocoder(config)
        parameters = count_parameters(model)
        vocode(_bench_mel(max(2, rate // hop // 2), config.n_mel_channels))  # warm-up: caches, allocator
        rows = []
        for seconds in settings.vocoder_seconds:
            frames = max(1, round(seconds * rate / hop))
            mel = _bench_mel(frames, config.n_mel_channels)
            n_samples = frames * hop
            elapsed, runs = median_time(lambda: vocode(mel), settings.repeats, settings.budget_seconds,
                                        warmup=False)
            flops = waveglow_flops(config, n_samples)
            audio_seconds = n_samples / rate
            rows.append({
                "seconds": seconds,
                "audio_seconds": round(audio_seconds, 4),
                "runs": runs,
                "compute_seconds": round(elapsed, 4),
                "khz": round(n_samples / elapsed / 1e3, 3),
                "x_realtime": round(audio_seconds / elapsed, 4),
                "gflops": round(flops / elapsed / 1e9, 3),
                "peak_fraction": round(flops / elapsed / 1e9 / peak_gflops, 4) if peak_gflops else None,
            })
        del model, vocode
        rss: dict[float, dict[str, Any]] = {}
        for seconds in settings.rss_seconds:
            progress(f"vocoder {name}: peak RSS of {seconds:g} s")
            rss[seconds] = _vocoder_rss(config, seconds, mel_config, settings,
                                        voice.path if voice is not None and name.startswith("voice:") else None)
        for row in rows:
            row["peak_rss_mb"] = rss.get(row["seconds"], {}).get("peak_rss_mb")
        results.append({
            "name": name,
            "config": config.to_dict(),
            "parameters": parameters,
            "gflop_per_audio_second": round(waveglow_flops(config, rate) / 1e9, 4),
            "lengths": rows,
            "rss": [{"seconds": s, **r} for s, r in rss.items()],
            "rss_ratio_60_to_5": _ratio(rss, 60.0, 5.0),
        })
    return results


def _ratio(rss: dict[float, dict[str, Any]], a: float, b: float) -> float | None:
    if a in rss and b in rss and rss[a].get("peak_rss_mb") and rss[b].get("peak_rss_mb"):
        return round(rss[a]["peak_rss_mb"] / rss[b]["peak_rss_mb"], 3)
    return None


def _vocoder_rss(config: Any, seconds: float, mel_config: Any, settings: BenchSettings,
                 voice_path: Path | None) -> dict[str, Any]:
    request = {"config": config.to_dict(), "seconds": seconds, "mel_config": mel_config.to_dict(),
               "voice": str(voice_path) if voice_path else None, "threads": settings.threads,
               "engine": settings.engine}
    return _run_worker("vocoder-rss", request, timeout=max(600.0, 30 * seconds))


def _worker_vocoder_rss(request: dict[str, Any]) -> dict[str, Any]:
    """Vocode ``seconds`` of mel the way a voice does (chunked, :mod:`tts.vocoding`), in this
    fresh process; report its peak RSS."""
    import numpy as np

    import vocoder
    from base.audio import MelConfig

    mel_config = MelConfig.from_dict(request["mel_config"])
    config = vocoder.WaveGlowConfig.from_dict(request["config"])
    frames = max(1, round(request["seconds"] * mel_config.sampling_rate / mel_config.hop_length))
    mel = _bench_mel(frames, config.n_mel_channels)[0]
    if request.get("voice"):
        # This section measures WaveGlow configs: the voice's WaveGlow, whatever its default vocoder.
        voice = get_engine(request["engine"]).load_voice(request["voice"], vocoder_kind="waveglow")
        vocode, mode = (lambda m: voice.vocode(m)), "voice.vocode"
    else:
        model = vocoder.WaveGlow(config).eval()
        vocode, mode = _chunked_vocoder(model, mel_config)
    before = current_rss_mb()
    start = time.perf_counter()
    audio = np.asarray(vocode(mel))
    elapsed = time.perf_counter() - start
    assert audio.size == frames * mel_config.hop_length, (audio.size, frames)
    return {"mode": mode, "rss_before_mb": round(before, 1), "peak_rss_mb": round(peak_rss_mb(), 1),
            "compute_seconds": round(elapsed, 4),
            "x_realtime": round(audio.size / mel_config.sampling_rate / elapsed, 3)}


def _chunked_vocoder(model: Any, mel_config: Any) -> tuple[Callable[[Any], Any], str]:
    """``mel [n_mel, frames] -> audio`` through :func:`tts.vocoding.vocode_in_chunks` as
    ``Voice.vocode`` does (one latent for the utterance, sliced per chunk), or the whole mel at
    once where the chunked path is not there."""
    import numpy as np
    import torch

    try:
        from tts.vocoding import ChunkConfig, vocode_in_chunks
    except ImportError:
        return (lambda mel: model.infer(mel.unsqueeze(0))[0].numpy()), "whole mel"
    hop, n_group = mel_config.hop_length, model.config.n_group

    def vocode(mel: Any) -> Any:
        z = torch.randn(n_group, mel.size(1) * hop // n_group, generator=torch.Generator().manual_seed(0))

        @torch.inference_mode()
        def piece(start: int, end: int) -> Any:
            chunk_z = (0.666 * z[:, start * hop // n_group: end * hop // n_group]).unsqueeze(0)
            return model.reverse(mel[:, start:end].unsqueeze(0), chunk_z)[0].clamp(-1, 1).numpy()

        return np.concatenate(list(vocode_in_chunks(piece, mel.size(1), hop, ChunkConfig())))

    return vocode, "chunked"


# -- acoustic --------------------------------------------------------------------------------


def acoustic_configs(settings: BenchSettings, voice: Any | None) -> list[tuple[str, Any]]:
    import acoustic
    from tts.training.config import read_config_file

    configs = [("base", acoustic.Tacotron2Config(**settings.base_acoustic))]
    for preset in settings.acoustic_presets:
        try:
            model = read_config_file("acoustic", preset).model
        except Exception:  # a preset that is not there is simply not measured
            continue
        configs.append((f"preset:{preset}", acoustic.Tacotron2Config(**model)))
    if voice is not None:
        configs.append((f"voice:{voice.name}", voice.acoustic.model.config))
    return configs


def bench_acoustic(settings: BenchSettings, engine: Engine, voice: Any | None,
                   progress: Callable[[str], None]) -> list[dict[str, Any]]:
    import torch

    from base.audio import MelConfig

    mel_config = voice.mel_config if voice is not None else MelConfig()
    results = []
    steps = settings.acoustic_steps
    for name, config in acoustic_configs(settings, voice):
        # A fixed amount of work: no dropout, the gate never fires, the step limit is `steps`.
        fixed = config.replace(prenet_dropout=0.0, max_decoder_steps=steps, max_frames_per_symbol=None)
        torch.manual_seed(0)
        model = engine.acoustic(fixed)
        with torch.no_grad():
            model.decoder.gate_layer.linear_layer.bias.fill_(-1e4)
        r = fixed.n_frames_per_step
        for batch in settings.acoustic_batches:
            progress(f"acoustic {name}, batch {batch}")
            n = settings.acoustic_text_length
            text = torch.randint(1, fixed.n_symbols, (batch, n), generator=torch.Generator().manual_seed(batch))
            lengths = torch.full((batch,), n)
            ids = {}
            if fixed.n_speakers:
                ids["speaker"] = torch.zeros(batch, dtype=torch.long)
            if fixed.n_languages:
                ids["language"] = torch.zeros(batch, dtype=torch.long)

            def full() -> Any:
                with torch.inference_mode():
                    return model.infer(text, lengths, **ids)

            with torch.inference_mode():
                memory = model.encode(text, lengths, **ids)
            mask = torch.ones(batch, n, dtype=torch.bool)
            limits = torch.full((batch,), steps)

            def decoder_only() -> Any:
                with torch.inference_mode():
                    return model.decoder.infer(memory, mask, limits)

            import logging

            logger = logging.getLogger("acoustic.model")
            level, logger.disabled = logger.disabled, True  # "the gate did not stop" is the point here
            try:
                total, runs = median_time(full, settings.repeats, settings.budget_seconds)
                loop, _ = median_time(decoder_only, settings.repeats, settings.budget_seconds)
            finally:
                logger.disabled = level
            audio_seconds = batch * steps * r * mel_config.hop_length / mel_config.sampling_rate
            results.append({
                "name": name,
                "parameters": count_parameters(model),
                "frames_per_step": r,
                "batch": batch,
                "text_length": n,
                "steps": steps,
                "runs": runs,
                "ms_per_step": round(loop / steps * 1e3, 3),
                "seconds": round(total, 4),
                "x_realtime": round(audio_seconds / total, 3),
            })
    return results


# -- end to end ------------------------------------------------------------------------------


def bench_end_to_end(settings: BenchSettings, progress: Callable[[str], None]) -> dict[str, Any]:
    if not settings.voice:
        return {"skipped": "no --voice given"}
    progress("end to end")
    request = {"voice": settings.voice, "engine": settings.engine, "threads": settings.threads,
               "repeats": settings.repeats, "budget_seconds": settings.budget_seconds,
               "quick": settings.quick}
    return _run_worker("end-to-end", request, timeout=3600.0)


def _worker_end_to_end(request: dict[str, Any]) -> dict[str, Any]:
    import numpy as np

    voice = get_engine(request["engine"]).load_voice(request["voice"])
    language = next((code for code in voice.languages if code in SAMPLE_TEXTS), None)
    texts = SAMPLE_TEXTS[language or "en"]
    cases = {"sentence": texts[0], "paragraph": " ".join(texts[:3] if request["quick"] else texts)}
    voice.synthesize(texts[1], language=language, seed=0)  # warm-up
    out: dict[str, Any] = {"voice": voice.name, "language": language or "en", "vocoder": voice.vocoder_kind}
    for case, text in cases.items():
        runs = []
        spent = 0.0
        while len(runs) < max(1, request["repeats"]) and (not runs or spent < request["budget_seconds"]):
            start = time.perf_counter()
            first, samples = None, 0
            for chunk in voice.stream(text, language=language, seed=0):
                if first is None:
                    first = time.perf_counter() - start
                samples += np.asarray(chunk).size
            total = time.perf_counter() - start
            spent += total
            runs.append((first, total, samples))
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


# -- training --------------------------------------------------------------------------------


def make_synthetic_prepared_data(root: Path, n_items: int = 8, seconds: float = 1.0, seed: int = 0,
                                 n_val: int = 0, texts: Sequence[str] | None = None, speakers: int = 1,
                                 spread: float = 0.2) -> Path:
    """A prepared data directory (``tts prepare``'s layout: wavs, mels, ``train.tsv`` and, with
    ``n_val``, ``val.tsv``, ``prepare.json``) of harmonic tones with a moving pitch, each about
    ``seconds`` long (± ``spread``), with English ``texts`` (default: the bench's sample
    sentences) and ``speakers`` speakers taking turns. Also the tests' small training set."""
    import numpy as np
    import torch

    import text
    from base.audio import MelConfig, mel_spectrogram, save_wav
    from tts.training.data import PreparedUtterance, write_split

    config = MelConfig()
    rng = np.random.default_rng(seed)
    (root / "audio").mkdir(parents=True, exist_ok=True)
    (root / "mels").mkdir(exist_ok=True)
    lines = list(texts) if texts is not None else [s.lower().rstrip(".") for s in SAMPLE_TEXTS["en"]]
    items = []
    for i in range(n_items + n_val):
        n = int(seconds * config.sampling_rate * rng.uniform(1 - spread, 1 + spread))
        t = np.arange(n) / config.sampling_rate
        f0 = rng.uniform(100, 250) * (1 + 0.2 * np.sin(2 * math.pi * rng.uniform(0.5, 2) * t))
        phase = 2 * math.pi * np.cumsum(f0) / config.sampling_rate
        wave = sum(0.3 / k * np.sin(k * phase) for k in range(1, 6)) + 0.005 * rng.standard_normal(n)
        audio = torch.from_numpy(wave.astype(np.float32))
        utt = f"utt{i:03d}"
        save_wav(root / "audio" / f"{utt}.wav", audio, config.sampling_rate)
        mel = mel_spectrogram(audio, config)
        np.save(root / "mels" / f"{utt}.npy", mel.numpy())
        items.append(PreparedUtterance(utt, root / "audio" / f"{utt}.wav", root / "mels" / f"{utt}.npy",
                                       lines[i % len(lines)], f"spk{i % speakers}", "en", mel.size(1)))
    write_split(root, "train", items[:n_items])
    if n_val:
        write_split(root, "val", items[n_items:])
    settings = {"mel_config": config.to_dict(), "language": "en", "symbols": text.symbols("en")}
    (root / "prepare.json").write_text(json.dumps(settings), encoding="utf-8")
    return root


def bench_training(settings: BenchSettings, progress: Callable[[str], None]) -> list[dict[str, Any]]:
    import torch
    from torch.utils.data import DataLoader

    from tts.training.acoustic_task import AcousticTask
    from tts.training.config import read_config_file
    from tts.training.vocoder_task import VocoderTask

    results = []
    with tempfile.TemporaryDirectory(prefix="tts-bench-") as tmp:
        progress("training: synthetic data")
        data_dir = make_synthetic_prepared_data(Path(tmp) / "data")
        for stage, task_cls in (("acoustic", AcousticTask), ("vocoder", VocoderTask)):
            progress(f"training {stage}")
            config = read_config_file(stage, "tiny")
            task, training = task_cls.from_config(data_dir, config)
            torch.manual_seed(training.seed)
            model = task.build_model()
            task.train_mode(model)
            optimizer = torch.optim.Adam(model.parameters(), lr=training.learning_rate)
            loader = DataLoader(task.train_dataset(), batch_size=training.batch_size, shuffle=True,
                                collate_fn=task.collate, drop_last=False,
                                generator=torch.Generator().manual_seed(0))
            batches = [batch for _, batch in zip(range(settings.training_steps + 1), _cycle(loader))]

            def step(batch: dict[str, Any], index: int) -> None:
                optimizer.zero_grad(set_to_none=True)
                loss, _ = task.training_loss(model, batch, index)
                loss.backward()
                optimizer.step()

            step(batches[0], 0)  # warm-up
            samples = frames = 0
            start = time.perf_counter()
            for index, batch in enumerate(batches[1:], start=1):
                step(batch, index)
                if stage == "acoustic":
                    samples += batch["text"].size(0)
                    frames += int(batch["mel_lengths"].sum())
                else:
                    samples += batch["audio"].size(0)
                    frames += batch["mel"].size(0) * batch["mel"].size(2)
            elapsed = time.perf_counter() - start
            results.append({
                "stage": stage,
                "preset": "tiny",
                "data": "synthetic tones, prepared layout (tts.bench.make_synthetic_prepared_data)",
                "batch_size": training.batch_size,
                "steps": len(batches) - 1,
                "parameters": count_parameters(model),
                "seconds": round(elapsed, 4),
                "samples_per_second": round(samples / elapsed, 3),
                "mel_frames_per_second": round(frames / elapsed, 1),
            })
    return results


def _cycle(iterable: Iterable[Any]) -> Iterable[Any]:
    while True:
        yield from iterable


# -- subprocess workers ----------------------------------------------------------------------

_WORKERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "vocoder-rss": _worker_vocoder_rss,
    "end-to-end": _worker_end_to_end,
}


def _run_worker(kind: str, request: dict[str, Any], timeout: float) -> dict[str, Any]:
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


def _worker_main(argv: Sequence[str]) -> int:
    kind, request = argv[0], json.loads(argv[1])
    if request.get("threads") and request.get("engine", "torch") == "torch":
        import torch

        torch.set_num_threads(int(request["threads"]))
    import logging

    logging.disable(logging.WARNING)
    result = _WORKERS[kind](request)
    print(json.dumps(result))
    return 0


# -- the whole bench -------------------------------------------------------------------------


def run_bench(settings: BenchSettings, progress: Callable[[str], None] = lambda message: None
              ) -> dict[str, Any]:
    """Run the sections of ``settings`` and return the JSON-ready record."""
    import torch

    unknown = sorted(set(settings.sections) - set(SECTIONS))
    if unknown:
        from base.errors import TTSError

        raise TTSError(f"unknown bench sections: {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    if settings.threads:
        torch.set_num_threads(settings.threads)
    engine = get_engine(settings.engine)
    supported = getattr(engine, "sections", SECTIONS)
    if set(settings.sections) - set(supported):
        from base.errors import TTSError

        raise TTSError(f"the {engine.name} engine benchmarks {', '.join(supported)} only: "
                       f"pass --only {','.join(supported)}")
    record: dict[str, Any] = {
        "schema": SCHEMA,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "quick": settings.quick,
        "engine": settings.engine,
        "voice": settings.voice,
        "settings": {k: v for k, v in dataclasses.asdict(settings).items()},
    }
    progress("machine")
    record["machine"] = machine_info(settings)
    voice = None
    if settings.voice and ("vocoder" in settings.sections or "acoustic" in settings.sections):
        voice = engine.load_voice(settings.voice)
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


def write_json(record: dict[str, Any], path: str | os.PathLike) -> Path:
    """Write ``record`` to ``path`` atomically (a temporary file renamed over it)."""
    return atomic_write_text(path, json.dumps(record, indent=2, ensure_ascii=False) + "\n")


def render(record: dict[str, Any]) -> list[Any]:
    """The record as ``rich`` tables."""
    from rich.table import Table

    tables = []
    m = record["machine"]
    table = Table(title="Machine", show_header=False)
    table.add_column("what")
    table.add_column("value")
    table.add_row("CPU", str(m["cpu_model"]))
    table.add_row("cores / logical CPUs / torch threads",
                  f"{m['physical_cores']} / {m['logical_cpus']} / {m['torch_threads']}")
    table.add_row("fp32 matmul (GFLOP/s)", f"{m['matmul_gflops']:.1f}")
    table.add_row("torch", str(m["torch_version"]))
    if m.get("load_average"):
        table.add_row("load average", " ".join(f"{v:.2f}" for v in m["load_average"]))
    tables.append(table)

    if record.get("vocoder"):
        table = Table(title=f"Vocoder (WaveGlow.infer, {record['engine']}, random weights)")
        table.caption = ("GFLOP: analytic count of the reference computation; GFLOP/s: that count over "
                         "the time taken; peak: its fraction of the matmul rate")
        for column in ("config", "audio s", "runs", "kHz", "x real time", "GFLOP/s", "peak", "peak RSS MB"):
            table.add_column(column, justify="left" if column == "config" else "right")
        for entry in record["vocoder"]:
            for i, row in enumerate(entry["lengths"]):
                label = (f"{entry['name']} ({entry['parameters'] / 1e6:.1f} M params, "
                         f"{entry['gflop_per_audio_second']:.3g} GFLOP per audio s)") if i == 0 else ""
                table.add_row(
                    label, f"{row['seconds']:g}", str(row["runs"]), f"{row['khz']:.1f}", f"{row['x_realtime']:.2f}",
                    f"{row['gflops']:.1f}",
                    f"{row['peak_fraction']:.0%}" if row.get("peak_fraction") is not None else "-",
                    f"{row['peak_rss_mb']:.0f}" if row.get("peak_rss_mb") else "-",
                )
        tables.append(table)
        rss_rows = [(e["name"], r) for e in record["vocoder"] for r in e["rss"]]
        if rss_rows:
            table = Table(title="Vocoder memory (fresh process per length; chunked as the voices vocode)",
                          caption="x real time here: one cold run (it includes packing the weights)")
            for column in ("config", "audio s", "mode", "RSS before MB", "peak RSS MB", "x real time"):
                table.add_column(column, justify="left" if column in ("config", "mode") else "right")
            for name, r in rss_rows:
                if "error" in r:
                    table.add_row(name, f"{r['seconds']:g}", r["error"], "", "", "")
                    continue
                table.add_row(name, f"{r['seconds']:g}", r["mode"], f"{r['rss_before_mb']:.0f}",
                              f"{r['peak_rss_mb']:.0f}", f"{r['x_realtime']:.2f}")
            tables.append(table)

    if record.get("acoustic"):
        table = Table(title=f"Acoustic model (Tacotron2, {record['engine']}, fixed-length decoding)")
        for column in ("config", "M params", "r", "batch", "steps", "ms / step", "x real time"):
            table.add_column(column, justify="left" if column == "config" else "right", no_wrap=column == "config")
        for row in record["acoustic"]:
            table.add_row(row["name"], f"{row['parameters'] / 1e6:.2f}", str(row["frames_per_step"]),
                          str(row["batch"]), str(row["steps"]), f"{row['ms_per_step']:.2f}",
                          f"{row['x_realtime']:.2f}")
        tables.append(table)

    e2e = record.get("end_to_end")
    if e2e:
        table = Table(title="End to end (voice.stream)")
        if "skipped" in e2e or "error" in e2e:
            table.add_column("status")
            table.add_row(e2e.get("skipped") or e2e.get("error"))
        else:
            for column in ("text", "words", "audio s", "first audio s", "total s", "RTF", "x real time"):
                table.add_column(column, justify="left" if column == "text" else "right")
            for case in ("sentence", "paragraph"):
                row = e2e[case]
                table.add_row(case, str(row["words"]), f"{row['audio_seconds']:.2f}",
                              f"{row['first_audio_seconds']:.3f}", f"{row['total_seconds']:.3f}",
                              f"{row['rtf']:.3f}", f"{row['x_realtime']:.2f}")
            table.caption = (f"voice {e2e['voice']} ({e2e['language']}), vocoder {e2e['vocoder']}, "
                             f"peak RSS {e2e['peak_rss_mb']:.0f} MB")
        tables.append(table)

    if record.get("training"):
        table = Table(title="Training throughput (tiny presets, synthetic prepared data)")
        for column in ("stage", "M params", "batch", "steps", "samples/s", "mel frames/s"):
            table.add_column(column, justify="left" if column == "stage" else "right")
        for row in record["training"]:
            table.add_row(row["stage"], f"{row['parameters'] / 1e6:.2f}", str(row["batch_size"]),
                          str(row["steps"]), f"{row['samples_per_second']:.2f}",
                          f"{row['mel_frames_per_second']:.0f}")
        tables.append(table)
    return tables


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--worker":
        sys.exit(_worker_main(sys.argv[2:]))
    print("run the bench with `tts bench`", file=sys.stderr)
    sys.exit(2)
