"""The ``vocoder`` and ``acoustic`` sections: the models alone, random weights, fixed work."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tts.bench.engines import Engine, get_engine
from tts.bench.flops import count_parameters, waveglow_flops
from tts.bench.machine import current_rss_mb, median_time, peak_rss_mb
from tts.bench.settings import BenchSettings
from tts.bench.workers import run_worker

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


def bench_vocoder(
    settings: BenchSettings, engine: Engine, peak_gflops: float, voice: Any | None, progress: Callable[[str], None]
) -> list[dict[str, Any]]:
    from base.audio import MelConfig

    mel_config = voice.mel_config if voice is not None else MelConfig()
    rate, hop = mel_config.sampling_rate, mel_config.hop_length
    results = []
    for name, config in vocoder_configs(settings, voice):
        progress(f"vocoder {name}")
        model, vocode = engine.vocoder(config)
        parameters = count_parameters(model)
        engine.quantized(model, settings.precision or "fp32")
        vocode(_bench_mel(max(2, rate // hop // 2), config.n_mel_channels))  # warm-up: caches, allocator
        rows: list[dict[str, Any]] = []
        for seconds in settings.vocoder_seconds:
            frames = max(1, round(seconds * rate / hop))
            mel = _bench_mel(frames, config.n_mel_channels)
            n_samples = frames * hop

            def once(vocode: Callable[[Any], Any] = vocode, mel: Any = mel) -> Any:
                return vocode(mel)

            elapsed, runs = median_time(once, settings.repeats, settings.budget_seconds, warmup=False)
            flops = waveglow_flops(config, n_samples)
            audio_seconds = n_samples / rate
            rows.append(
                {
                    "seconds": seconds,
                    "audio_seconds": round(audio_seconds, 4),
                    "runs": runs,
                    "compute_seconds": round(elapsed, 4),
                    "khz": round(n_samples / elapsed / 1e3, 3),
                    "x_realtime": round(audio_seconds / elapsed, 4),
                    "gflops": round(flops / elapsed / 1e9, 3),
                    "peak_fraction": round(flops / elapsed / 1e9 / peak_gflops, 4) if peak_gflops else None,
                }
            )
        del model, vocode
        rss: dict[float, dict[str, Any]] = {}
        for seconds in settings.rss_seconds:
            progress(f"vocoder {name}: peak RSS of {seconds:g} s")
            rss[seconds] = _vocoder_rss(
                config,
                seconds,
                mel_config,
                settings,
                voice.path if voice is not None and name.startswith("voice:") else None,
            )
        for row in rows:
            row["peak_rss_mb"] = rss.get(float(row["seconds"]), {}).get("peak_rss_mb")
        results.append(
            {
                "name": name,
                "config": config.to_dict(),
                "parameters": parameters,
                "gflop_per_audio_second": round(waveglow_flops(config, rate) / 1e9, 4),
                "lengths": rows,
                "rss": [{"seconds": s, **r} for s, r in rss.items()],
                "rss_ratio_60_to_5": _ratio(rss, 60.0, 5.0),
            }
        )
    return results


def _ratio(rss: dict[float, dict[str, Any]], a: float, b: float) -> float | None:
    if a in rss and b in rss and rss[a].get("peak_rss_mb") and rss[b].get("peak_rss_mb"):
        return round(rss[a]["peak_rss_mb"] / rss[b]["peak_rss_mb"], 3)
    return None


def _vocoder_rss(
    config: Any, seconds: float, mel_config: Any, settings: BenchSettings, voice_path: Path | None
) -> dict[str, Any]:
    request = {
        "config": config.to_dict(),
        "seconds": seconds,
        "mel_config": mel_config.to_dict(),
        "voice": str(voice_path) if voice_path else None,
        "threads": settings.threads,
        "engine": settings.engine,
        "precision": settings.precision,
    }
    return run_worker("vocoder-rss", request, timeout=max(600.0, 30 * seconds))


def worker_vocoder_rss(request: dict[str, Any]) -> dict[str, Any]:
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
        voice = get_engine(request["engine"]).load_voice(
            request["voice"], vocoder_kind="waveglow", precision=request.get("precision")
        )
        vocode, mode = (lambda m: voice.vocode(m)), "voice.vocode"
    else:
        engine = get_engine(request["engine"])
        model = engine.quantized(vocoder.WaveGlow(config).eval(), request.get("precision", "fp32"))
        vocode, mode = _chunked_vocoder(model, mel_config)
    before = current_rss_mb()
    start = time.perf_counter()
    audio = np.asarray(vocode(mel))
    elapsed = time.perf_counter() - start
    assert audio.size == frames * mel_config.hop_length, (audio.size, frames)
    return {
        "mode": mode,
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "compute_seconds": round(elapsed, 4),
        "x_realtime": round(audio.size / mel_config.sampling_rate / elapsed, 3),
    }


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
            chunk_z = (0.666 * z[:, start * hop // n_group : end * hop // n_group]).unsqueeze(0)
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


def bench_acoustic(
    settings: BenchSettings, engine: Engine, voice: Any | None, progress: Callable[[str], None]
) -> list[dict[str, Any]]:
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
        parameters = count_parameters(model)
        model = engine.quantized(model, settings.precision or "fp32")
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
            results.append(
                {
                    "name": name,
                    "parameters": parameters,
                    "frames_per_step": r,
                    "batch": batch,
                    "text_length": n,
                    "steps": steps,
                    "runs": runs,
                    "ms_per_step": round(loop / steps * 1e3, 3),
                    "seconds": round(total, 4),
                    "x_realtime": round(audio_seconds / total, 3),
                }
            )
    return results
