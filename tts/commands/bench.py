"""``tts bench [--voice V] [--json out.json] [--quick]``: measure the toolkit's speed here."""

from __future__ import annotations

import argparse
import sys

from base.errors import TTSError
from tts.commands import add_command, add_json_option, add_precision_option, add_voice_option


def register(subparsers: argparse._SubParsersAction) -> None:
    from tts.bench import SECTIONS

    parser = add_command(subparsers, "bench", run)
    add_voice_option(parser, help="a voice name or bundle path: adds its models and the end-to-end timings")
    add_json_option(parser)
    parser.add_argument(
        "--quick", action="store_true", help="short lengths, few steps and repeats: a smoke test, not a measurement"
    )
    parser.add_argument("--engine", default="torch", help="inference engine (default torch)")
    parser.add_argument(
        "--only", metavar="SECTIONS", help=f"comma-separated sections to run (default all): {', '.join(SECTIONS)}"
    )
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    add_precision_option(parser, default="tts.voice.DEFAULT_PRECISION where it runs (an ONNX voice: its export's)")
    parser.add_argument("--repeats", type=int, help="timed runs per measurement (default 5, --quick 2)")
    parser.add_argument(
        "--no-rss", action="store_true", help="skip the vocoder peak-memory runs (one fresh process per length)"
    )


def run(args: argparse.Namespace) -> int:
    """Measure synthesis and training speed on this machine.

    Benchmark this machine: fp32 matmul rate; WaveGlow speed (kHz, times real time, GFLOP/s and
    the fraction of the matmul rate) and peak memory for 2, 10 and 60 s of audio, for the
    published 256-channel model, the shipped vocoder presets and the voice's vocoder; Tacotron2
    milliseconds per decoder step at batch 1 and 8; with --voice, time to first audio and
    real-time factor of a sentence and a paragraph; and training throughput of both stages (tiny
    presets, synthetic data). Prints tables; --json also writes the figures.
    """
    from rich.console import Console

    from tts import bench

    changes: dict = {"voice": args.voice, "engine": args.engine, "threads": args.threads, "precision": args.precision}
    if args.only:
        sections = tuple(s.strip().replace("-", "_") for s in args.only.split(",") if s.strip())
        unknown = sorted(set(sections) - set(bench.SECTIONS))
        if unknown:
            raise TTSError(f"--only: unknown sections {', '.join(unknown)}; choose from {', '.join(bench.SECTIONS)}")
        changes["sections"] = sections
    if args.threads is not None and args.threads < 1:
        raise TTSError("--threads must be >= 1")
    if args.repeats is not None:
        if args.repeats < 1:
            raise TTSError("--repeats must be >= 1")
        changes["repeats"] = args.repeats
    if args.no_rss:
        changes["rss_seconds"] = ()
    settings = bench.BenchSettings.quick_settings(**changes) if args.quick else bench.BenchSettings(**changes)
    bench.get_engine(settings.engine)  # an unknown engine fails before anything runs

    err = Console(stderr=True)
    record = bench.run_bench(settings, progress=lambda message: err.print(f"[dim]bench: {message}[/dim]"))
    console = Console()
    for table in bench.render(record):
        console.print(table)
    if args.json_path:
        path = bench.write_json(record, args.json_path)
        print(f"results written to {path}", file=sys.stderr)
    return 0
