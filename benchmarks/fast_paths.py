"""The inference fast paths and int8 against the straightforward computation, timed back to back.

    python benchmarks/fast_paths.py [--threads N] [--repeats N] [--seconds S] [--steps N]
                                    [--only vocoder,acoustic,voice] [--vocoders published,small,...]
                                    [--voice NAME] [--json PATH]

WaveGlow: ``reverse`` on the plain path (``fast_inference`` off: NVIDIA's computation), the fast
path, and the int8 model (``vocoder.quantize``), same weights, same noise (the int8 audio's
signal-to-error ratio against fp32 is recorded), for the published config and the presets.
Tacotron2: the reference loop (``Decoder.infer_stepwise``: one ``Decoder.step`` per step, outputs
stacked at the end: NVIDIA's loop), the fast loop (``Decoder.infer``, bit-identical) and the fast
loop of the int8 model (``acoustic.quantize``), for the reference config and the ``tiny`` preset,
batch 1 and 8. ``onnx``: onnxruntime's decoder step graph in fp32 and int8 (the graph
``tts export onnx --precision int8`` writes). ``voice``: the voice speaking a sentence and a paragraph in fp32 and in
int8 (``load_voice(precision=...)``, its default vocoder and WaveGlow), and the peak RSS of each
in a fresh process (``tts bench``'s end-to-end worker).

Runs alternate between the variants, so a busy machine slows all alike: the ratios hold up under
load better than the absolute times do. Prints min and median over the runs; ``--json`` writes
them with the machine's CPU features and the int8 kernels chosen for it.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import math
import statistics
import time
from collections.abc import Callable
from typing import Any

import torch

import acoustic
import vocoder
from acoustic.quantize import MIN_INT8_WEIGHTS
from tts.bench import SAMPLE_TEXTS, write_json
from tts.bench.machine import cpu_model, cpu_precision_info, physical_cores
from tts.bench.workers import run_worker
from tts.training.config import read_config_file

VOCODERS = ("published", "small", "balanced", "fast")


def interleaved(fns: dict[str, Callable[[], Any]], repeats: int) -> dict[str, list[float]]:
    for fn in fns.values():
        fn()  # warm-up
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def summary(times: dict[str, list[float]], scale: float) -> dict[str, dict[str, float]]:
    """min and median of each variant's times times ``scale``, and the gain of each over the first."""
    base = min(next(iter(times.values())))
    return {
        name: {
            "min": min(t) * scale,
            "median": statistics.median(t) * scale,
            "runs": len(t),
            "gain_over_first": base / min(t),
        }
        for name, t in times.items()
    }


def report(label: str, row: dict[str, dict[str, float]], unit: str) -> None:
    parts = [
        f"{name} {v['min']:.4g} {unit} (median {v['median']:.4g}, x{v['gain_over_first']:.2f})"
        for name, v in row.items()
    ]
    print(f"{label}: " + "; ".join(parts), flush=True)


def snr_db(reference: torch.Tensor, other: torch.Tensor) -> float:
    error = float(((reference - other).double() ** 2).sum())
    return math.inf if error == 0 else 10 * math.log10(float((reference.double() ** 2).sum()) / error)


def bench_vocoder(names: list[str], seconds: float, repeats: int) -> list[dict[str, Any]]:
    rows = []
    for name in names:
        if name == "published":
            config = vocoder.WaveGlowConfig()
        else:
            config = vocoder.WaveGlowConfig.from_dict(read_config_file("vocoder", name).model)
        torch.manual_seed(0)
        model = vocoder.WaveGlow(config).eval()
        with torch.no_grad():  # couplings that are not the identity
            for p in model.parameters():
                p.add_(0.02 * torch.randn_like(p))
        int8 = vocoder.quantize(model)
        frames = max(1, round(seconds * 22050 / 256))
        mel = torch.randn(1, config.n_mel_channels, frames)
        z = 0.666 * torch.randn(1, config.n_group, frames * 256 // config.n_group)

        def run(net: vocoder.WaveGlow, fast: bool) -> Callable[[], torch.Tensor]:
            def call() -> torch.Tensor:
                net.fast_inference = fast
                with torch.inference_mode():
                    return net.reverse(mel, z)

            return call

        plain, fast = run(model, False)(), run(model, True)()
        quantized = run(int8, True)()
        times = interleaved({"plain": run(model, False), "fast": run(model, True), "int8": run(int8, True)}, repeats)
        audio = frames * 256 / 22050
        row = summary(times, 1 / audio)
        report(f"WaveGlow {name} ({audio:.2f} s of audio)", row, "s per audio s")
        rows.append(
            {
                "name": name,
                "audio_seconds": round(audio, 3),
                "unit": "seconds per audio second",
                "times": row,
                "fast_max_abs_diff": float((plain - fast).abs().max()),
                "int8_snr_db": round(snr_db(fast, quantized), 2),
            }
        )
    return rows


def bench_acoustic(steps: int, repeats: int) -> list[dict[str, Any]]:
    configs = {
        "reference": acoustic.Tacotron2Config(),
        "tiny": acoustic.Tacotron2Config(**read_config_file("acoustic", "tiny").model),
    }
    rows = []
    for name, config in configs.items():
        config = config.replace(prenet_dropout=0.0, max_decoder_steps=steps, max_frames_per_symbol=None)
        torch.manual_seed(0)
        model = acoustic.Tacotron2(config).eval()
        with torch.no_grad():
            model.decoder.gate_layer.linear_layer.bias.fill_(-1e4)  # a fixed number of steps
        int8 = acoustic.quantize(model)
        cells = [model.decoder.attention_rnn, model.decoder.decoder_rnn]
        smallest = min(cell.weight_ih.numel() + cell.weight_hh.numel() for cell in cells)
        # Below acoustic.quantize's threshold the cells stay fp32; time them forced to int8 too.
        forced = acoustic.quantize(model, min_weights=smallest) if smallest < MIN_INT8_WEIGHTS else None
        for batch in (1, 8):
            text = torch.randint(1, config.n_symbols, (batch, 60))
            with torch.inference_mode():
                memory = model.encode(text, torch.full((batch,), 60))
            mask = torch.ones(batch, 60, dtype=torch.bool)
            limits = torch.full((batch,), steps)

            def run(fn: Callable[..., Any]) -> Callable[[], Any]:
                def call() -> Any:
                    with torch.inference_mode():
                        return fn(memory, mask, limits)

                return call

            old, new, quantized = (
                run(model.decoder.infer_stepwise),
                run(model.decoder.infer),
                run(int8.decoder.infer),
            )
            same = all(torch.equal(a, b) for a, b in zip(old(), new()))
            mel, mel8 = new()[0], quantized()[0]
            variants = {"plain": old, "fast": new, "int8": quantized}
            if forced is not None:
                variants["int8, cells forced"] = run(forced.decoder.infer)
            times = interleaved(variants, repeats)
            row = summary(times, 1e3 / steps)
            report(f"Tacotron2 {name} batch {batch} (fast bit-identical: {same})", row, "ms/step")
            rows.append(
                {
                    "name": name,
                    "batch": batch,
                    "steps": steps,
                    "unit": "ms per decoder step",
                    "times": row,
                    "fast_bit_identical": same,
                    "int8_mel_rms_error": float(((mel8 - mel) ** 2).mean().sqrt()),
                    "mel_rms": float((mel**2).mean().sqrt()),
                }
            )
    return rows


def bench_onnx(steps: int, repeats: int, threads: int | None) -> list[dict[str, Any]]:
    """onnxruntime's decoder step graph in fp32 and int8 (``tts export onnx --precision int8``: its
    LSTM cells as MatMulInteger), random weights, ``steps`` steps on a 60-symbol memory."""
    import tempfile
    from pathlib import Path

    import numpy as np
    import onnxruntime as ort

    from tts.onnx.export import INT8_GRAPH, export_graphs, quantize_graph
    from tts.onnx.runtime import GRAPH_FILES, session_options
    from tts.testing import random_waveglow

    configs = {
        "reference": acoustic.Tacotron2Config(),
        "tiny-long": acoustic.Tacotron2Config(**read_config_file("acoustic", "tiny-long").model),
    }
    rows = []
    for name, config in configs.items():
        config = config.replace(prenet_dropout=0.0)
        torch.manual_seed(0)
        model = acoustic.Tacotron2(config).eval()
        with tempfile.TemporaryDirectory() as tmp:
            export_graphs(model, random_waveglow("micro", upsample_kernel_size=256), tmp)
            fp32 = Path(tmp) / GRAPH_FILES[INT8_GRAPH]
            int8 = Path(tmp) / "int8.onnx"
            int8.write_bytes(fp32.read_bytes())
            quantize_graph(int8, {4 * config.attention_rnn_dim, 4 * config.decoder_rnn_dim})
            options = session_options(threads or torch.get_num_threads())
            sessions = {
                p: ort.InferenceSession(str(f), options, providers=["CPUExecutionProvider"])
                for p, f in (("fp32", fp32), ("int8", int8))
            }
        rng = np.random.default_rng(0)
        feeds = {}
        for i in sessions["fp32"].get_inputs():
            shape = [d if isinstance(d, int) else 60 for d in i.shape]
            feeds[i.name] = (
                np.ones(shape, dtype=bool)
                if i.type == "tensor(bool)"
                else rng.standard_normal(shape).astype(np.float32)
            )

        def loop(session: Any) -> Callable[[], None]:
            def call() -> None:
                for _ in range(steps):
                    session.run(None, feeds)

            return call

        row = summary(interleaved({p: loop(s) for p, s in sessions.items()}, repeats), 1e3 / steps)
        report(f"onnxruntime decoder step, {name}", row, "ms/step")
        rows.append({"name": name, "steps": steps, "unit": "ms per decoder step", "times": row})
    return rows


def bench_voice(name: str, repeats: int, threads: int | None, onnx: dict[str, str]) -> dict[str, Any]:
    """The voice in fp32 and int8 in this process (interleaved), and its ONNX exports in ``onnx``
    (label -> folder), its default vocoder and WaveGlow; then the peak RSS of each torch
    precision in a fresh process."""
    import numpy as np

    from tts.voice import load_voice

    voices = {p: load_voice(name, precision=p) for p in ("fp32", "int8")}
    voices.update({label: load_voice(folder, threads=threads) for label, folder in onnx.items()})
    language = next(code for code in voices["fp32"].languages if code in SAMPLE_TEXTS)
    texts = SAMPLE_TEXTS[language]
    cases = {"sentence": texts[0], "paragraph": " ".join(texts)}
    out: dict[str, Any] = {"voice": name, "language": language, "cases": []}
    for kind in (voices["fp32"].vocoder_kind, "waveglow"):
        for case, text in cases.items():
            fns = {}
            for precision, voice in voices.items():
                speaker = voice.using(kind)

                def call(speaker: Any = speaker, text: str = text) -> Any:
                    return np.concatenate(list(speaker.stream(text, language=language, seed=0)))

                fns[precision] = call
            audio_seconds = fns["fp32"]().size / voices["fp32"].sample_rate
            row = summary(interleaved(fns, repeats), 1.0)
            report(f"{name} {case}, {kind} ({audio_seconds:.1f} s of audio)", row, "s")
            out["cases"].append(
                {
                    "case": case,
                    "vocoder": kind,
                    "words": len(text.split()),
                    "audio_seconds": audio_seconds,
                    "times": row,
                }
            )
    out["peak_rss_mb"] = {}
    for precision in ("fp32", "int8"):
        request = {
            "voice": name,
            "engine": "torch",
            "precision": precision,
            "threads": threads,
            "repeats": 1,
            "budget_seconds": 1.0,
            "quick": False,
        }
        result = run_worker("end-to-end", request, timeout=1800.0)
        out["peak_rss_mb"][precision] = result.get("peak_rss_mb", result.get("error"))
    print(f"{name} peak RSS (fresh process, sentence and paragraph): {out['peak_rss_mb']}", flush=True)
    return out


def published_rss(seconds: float, threads: int | None) -> dict[str, Any]:
    """Peak RSS of vocoding ``seconds`` with the published WaveGlow, chunked as voices do, per precision."""
    from base.audio import MelConfig

    out = {}
    for precision in ("fp32", "int8"):
        request = {
            "config": vocoder.WaveGlowConfig().to_dict(),
            "seconds": seconds,
            "mel_config": MelConfig().to_dict(),
            "voice": None,
            "threads": threads,
            "engine": "torch",
            "precision": precision,
        }
        result = run_worker("vocoder-rss", request, timeout=1800.0)
        out[precision] = result.get("peak_rss_mb", result.get("error"))
    print(f"WaveGlow published, {seconds:g} s chunked, peak RSS: {out}", flush=True)
    return {"seconds": seconds, "peak_rss_mb": out}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--threads", type=int, help="torch threads (default torch's)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.0, help="audio per vocoder run")
    parser.add_argument("--steps", type=int, default=100, help="decoder steps per acoustic run")
    parser.add_argument("--only", default="vocoder,acoustic", help="comma-separated: vocoder, acoustic, onnx, voice")
    parser.add_argument("--vocoders", default=",".join(VOCODERS), help=f"WaveGlow configs: {', '.join(VOCODERS)}")
    parser.add_argument("--voice", default="hinglish", help="the voice of the 'voice' part (default hinglish)")
    parser.add_argument("--rss-seconds", type=float, default=10.0, help="audio of the published WaveGlow RSS runs")
    parser.add_argument(
        "--onnx",
        action="append",
        default=[],
        metavar="LABEL=DIR",
        help="an ONNX export of --voice to time beside it (repeat; e.g. 'onnx int8=voices/hinglish-int8')",
    )
    parser.add_argument("--json", dest="json_path", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    logging.disable(logging.WARNING)
    parts = {p.strip() for p in args.only.split(",") if p.strip()}
    record: dict[str, Any] = {
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": "python benchmarks/fast_paths.py "
        + f"--threads {args.threads} --repeats {args.repeats} --only {args.only}"
        + (f" --vocoders {args.vocoders}" if "vocoder" in parts else "")
        + (f" --voice {args.voice}" if "voice" in parts else ""),
        "machine": {
            "cpu_model": cpu_model(),
            "physical_cores": physical_cores(),
            "torch_threads": torch.get_num_threads(),
            "torch_version": torch.__version__,
            **cpu_precision_info(),
        },
    }
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; {record['machine']['int8_kernels']}")
    if "vocoder" in parts:
        names = [n.strip() for n in args.vocoders.split(",") if n.strip()]
        record["vocoder"] = bench_vocoder(names, args.seconds, args.repeats)
        if "published" in names and args.rss_seconds > 0:
            record["vocoder_rss"] = published_rss(args.rss_seconds, args.threads)
    if "acoustic" in parts:
        record["acoustic"] = bench_acoustic(args.steps, args.repeats)
    if "onnx" in parts:
        record["onnx"] = bench_onnx(args.steps, args.repeats, args.threads)
    if "voice" in parts:
        onnx = dict(spec.split("=", 1) for spec in args.onnx)
        record["voice"] = bench_voice(args.voice, args.repeats, args.threads, onnx)
    if args.json_path:
        print(f"written to {write_json(record, args.json_path)}")


if __name__ == "__main__":
    main()
