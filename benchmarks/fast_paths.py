"""The inference fast paths against the straightforward computation, timed back to back.

    python benchmarks/fast_paths.py [--threads N] [--repeats N] [--seconds S] [--steps N]
                                    [--only vocoder|acoustic]

WaveGlow: ``reverse`` with ``fast_inference`` on and off (same weights, same noise; the max abs
difference of the audio is printed too) for the published config and the vocoder presets.
Tacotron2: the decoding loop (``Decoder.infer``) against the reference loop (``Decoder.infer_stepwise``: one
``Decoder.step`` per step, outputs stacked at the end), for the reference config and
the ``tiny`` preset, batch 1 and 8 (outputs compared bit for bit).

Runs alternate between the two paths, so a busy machine slows both alike: the ratios hold up
under load better than the absolute times do. Prints min and median over the runs.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time

import torch

import acoustic
import vocoder
from tts.training.config import read_config_file


def interleaved(fns: dict, repeats: int) -> dict:
    for fn in fns.values():
        fn()  # warm-up
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def report(label: str, times: dict, unit: float = 1.0, suffix: str = "s") -> None:
    (base_name, base), (fast_name, fast) = times.items()
    print(
        f"{label}: {base_name} min {min(base) * unit:.4g} {suffix} (median {statistics.median(base) * unit:.4g}), "
        f"{fast_name} min {min(fast) * unit:.4g} {suffix} (median {statistics.median(fast) * unit:.4g}): "
        f"x{min(base) / min(fast):.2f}"
    )


def bench_vocoder(seconds: float, repeats: int) -> None:
    configs = {"published": vocoder.WaveGlowConfig()}
    for preset in ("small", "balanced", "fast"):
        configs[preset] = vocoder.WaveGlowConfig.from_dict(read_config_file("vocoder", preset).model)
    for name, config in configs.items():
        torch.manual_seed(0)
        model = vocoder.WaveGlow(config).eval()
        with torch.no_grad():  # couplings that are not the identity
            for p in model.parameters():
                p.add_(0.02 * torch.randn_like(p))
        frames = max(1, round(seconds * 22050 / 256))
        mel = torch.randn(1, config.n_mel_channels, frames)
        z = 0.666 * torch.randn(1, config.n_group, frames * 256 // config.n_group)

        def run(fast: bool):
            def call():
                model.fast_inference = fast
                with torch.inference_mode():
                    return model.reverse(mel, z)

            return call

        diff = (run(False)() - run(True)()).abs().max().item()
        times = interleaved({"plain": run(False), "fast": run(True)}, repeats)
        audio = frames * 256 / 22050
        report(
            f"WaveGlow {name} ({audio:.2f} s of audio, max abs diff {diff:.1e})",
            {k: [t / audio for t in v] for k, v in times.items()},
            suffix="s per audio s",
        )


def bench_acoustic(steps: int, repeats: int) -> None:
    configs = {
        "reference": acoustic.Tacotron2Config(),
        "tiny": acoustic.Tacotron2Config(**read_config_file("acoustic", "tiny").model),
    }
    for name, config in configs.items():
        config = config.replace(prenet_dropout=0.0, max_decoder_steps=steps, max_frames_per_symbol=None)
        torch.manual_seed(0)
        model = acoustic.Tacotron2(config).eval()
        with torch.no_grad():
            model.decoder.gate_layer.linear_layer.bias.fill_(-1e4)  # a fixed number of steps
        for batch in (1, 8):
            text = torch.randint(1, config.n_symbols, (batch, 60))
            with torch.inference_mode():
                memory = model.encode(text, torch.full((batch,), 60))
            mask = torch.ones(batch, 60, dtype=torch.bool)
            limits = torch.full((batch,), steps)

            def run(fn):
                def call():
                    with torch.inference_mode():
                        return fn(memory, mask, limits)

                return call

            old = run(model.decoder.infer_stepwise)
            new = run(model.decoder.infer)
            same = all(torch.equal(a, b) for a, b in zip(old(), new()))
            times = interleaved({"old loop": old, "new loop": new}, repeats)
            report(
                f"Tacotron2 {name} batch {batch} (bit-identical: {same})",
                {k: [t / steps for t in v] for k, v in times.items()},
                unit=1e3,
                suffix="ms/step",
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, help="torch threads (default torch's)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.0, help="audio per vocoder run")
    parser.add_argument("--steps", type=int, default=100, help="decoder steps per acoustic run")
    parser.add_argument("--only", choices=("vocoder", "acoustic"), help="one of the two models")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    logging.disable(logging.WARNING)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    if args.only != "acoustic":
        bench_vocoder(args.seconds, args.repeats)
    if args.only != "vocoder":
        bench_acoustic(args.steps, args.repeats)


if __name__ == "__main__":
    main()
