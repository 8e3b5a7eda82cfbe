"""``tts eval --voice NAME``: objective scores of a voice on sentences it never saw.

The sub-command is ``eval`` (the module is ``evaluate``: ``eval`` is a Python builtin).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

from base.errors import TTSError
from base.files import atomic_write_text
from tts.commands import (
    add_command,
    add_json_option,
    add_postfilter_option,
    add_precision_option,
    add_sentence_set_option,
    add_voice_option,
)

_SHORT = {"waveglow": "WaveGlow", "griffinlim": "Griffin-Lim"}  # vocoder names in the identification table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(subparsers, "eval", run)
    add_voice_option(parser, required=True)
    parser.add_argument(
        "--lang",
        "-l",
        "--language",
        action="append",
        default=None,
        dest="language",
        help="language to evaluate (repeat; default every language of the voice)",
    )
    add_sentence_set_option(parser)
    parser.add_argument(
        "--sentences",
        type=int,
        default=None,
        help="sentences per language: the first N of the unseen set (default all 60), "
        "or N held-out sentences (default 50)",
    )
    parser.add_argument("--speaker", type=int, default=0, help="speaker index of the voice (default 0)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="prepared training data: baseline mean frame when voice.json has none, transcripts "
        "to exclude (default: training.data_dir of voice.json when it exists)",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="training corpus manifest.tsv whose sentences to exclude "
        "(default: data/VOICE/corpus/manifest.tsv when it exists)",
    )
    parser.add_argument(
        "--style",
        type=int,
        default=None,
        help="espeak-ng speaker style of the references, 0-7 (default: the voice speaker's own, else 0)",
    )
    parser.add_argument(
        "--vocoder-sentences",
        type=int,
        default=None,
        help="copy-synthesize only this many references (default all of the first language)",
    )
    parser.add_argument(
        "--compare-vocoder",
        action="append",
        default=[],
        metavar="NAME=CHECKPOINT",
        help="also copy-synthesize with this WaveGlow (a checkpoint file, or a training run "
        "folder: its latest checkpoint); repeat to compare several, e.g. the vocoder presets",
    )
    parser.add_argument(
        "--vocoder-only", action="store_true", help="score the vocoders alone (copy synthesis), not the acoustic model"
    )
    parser.add_argument(
        "--record-vocoder-quality",
        action="store_true",
        help="write the copy-synthesis PESQ and STOI of WaveGlow and Griffin-Lim into the voice's "
        "voice.json, where they choose its default vocoder (usually with --vocoder-only)",
    )
    parser.add_argument(
        "--calibrate",
        action="store_true",
        help="also identify outputs of known quality per language: espeak-ng's own mel through "
        "Griffin-Lim (the ceiling), the mean frame, another sentence, shuffled frames (floors)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="folder to cache the espeak-ng references in (default: a temporary folder)",
    )
    add_json_option(parser, "the full results (per-sentence scores, settings)")
    add_postfilter_option(parser, default="the voice's own, as `tts synth` applies it")
    parser.add_argument("--device", default="cpu", help="torch device (cpu, cuda)")
    add_precision_option(parser, default="the voice's (as `tts synth` loads it)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")


def run(args: argparse.Namespace) -> int:
    """Score a voice against espeak-ng on sentences it never saw (identification, MCD, PESQ, STOI).

    Synthesize the unseen evaluation set (sentences written for evaluation, in no training corpus)
    or held-out phrasebook sentences, and compare with espeak-ng's rendering of them: sentence
    identification (is the voice's audio nearest, by DTW, to the right sentence's rendering?) with
    the default vocoder and with Griffin-Lim, mel-cepstral distortion (DTW) against a text-blind
    baseline (the training set's mean mel frame), gate stops, and the vocoder alone (WaveGlow vs
    Griffin-Lim copy synthesis of the reference mels, PESQ wide-band and STOI).
    """
    import tts
    from tts.eval import evaluate_voice

    if args.sentences is not None and args.sentences < 1:
        raise TTSError(f"--sentences must be at least 1, got {args.sentences}")
    if args.vocoder_sentences is not None and args.vocoder_sentences < 1:
        raise TTSError(f"--vocoder-sentences must be at least 1, got {args.vocoder_sentences}")
    if args.json_path is not None and args.json_path.is_dir():
        raise TTSError(f"{args.json_path}: is a folder; give a file name for --json")
    compared = [_parse_compare(spec) for spec in args.compare_vocoder]
    names = [name for name, _ in compared]
    if len(set(names)) < len(names) or {"waveglow", "griffinlim"} & set(names):
        raise TTSError(f"--compare-vocoder names must be distinct and not 'waveglow' or 'griffinlim', got {names}")
    if args.record_vocoder_quality and Path(args.voice).expanduser().is_file():
        # An archive is unpacked into a cache: scores written there would change nothing the user keeps.
        raise TTSError(
            f"--record-vocoder-quality writes into a voice folder, and {args.voice} is an archive; "
            "unpack it and give the folder"
        )
    voice = tts.load_voice(str(args.voice), device=args.device, postfilter=args.postfilter, precision=args.precision)
    compare, sources = {}, {}
    for name, path in compared:
        compare[name], sources[name] = _compared_voice(voice, path, args.device)
    result = evaluate_voice(
        voice,
        languages=args.language,
        sentences=args.sentences,
        workdir=args.workdir,
        progress=not args.no_progress,
        speaker=voice.speaker_id(args.speaker) if hasattr(voice, "speaker_id") else args.speaker,
        data_dir=args.data_dir,
        corpus=args.corpus,
        style=args.style,
        vocoder_sentences=args.vocoder_sentences,
        compare=compare,
        acoustic=not args.vocoder_only,
        sentence_set=args.sentence_set,
        calibrate=args.calibrate,
    )
    result["settings"]["precision"] = voice.precision
    if sources:
        result["settings"]["compared"] = sources
    command = "tts " + " ".join(shlex.quote(a) for a in _argv(args))
    result["settings"]["command"] = command
    print_results(result)
    if args.json_path is not None:
        write_json(args.json_path, result)
        print(f"results: {args.json_path}")
    if args.record_vocoder_quality:
        _record_vocoder_quality(Path(voice.path), result, command)
    return 0


def _record_vocoder_quality(bundle: Path, result: dict[str, Any], command: str) -> None:
    """Write the copy-synthesis means of WaveGlow and Griffin-Lim into ``bundle/voice.json``."""
    from tts.voice_manifest import choose_vocoder, record_vocoder_quality

    vocoders = result["vocoder"]
    scores = {}
    for kind in ("waveglow", "griffinlim"):
        if vocoders[kind]["pesq"] is None or vocoders[kind]["stoi"] is None:
            raise TTSError(
                f"no reference could be scored with {kind} ({'; '.join(vocoders[kind]['failed'][:1])}): "
                "nothing recorded in voice.json"
            )
        scores[kind] = {"pesq": vocoders[kind]["pesq"], "stoi": vocoders[kind]["stoi"]}
    sentence_set = result["settings"]["set"]
    what = "held-out" if sentence_set == "heldout" else sentence_set
    references = f"{vocoders['sentences']} {what} {vocoders['language']} espeak-ng references"
    manifest = record_vocoder_quality(bundle, scores, source=command, references=references)
    kind, reason = choose_vocoder(manifest.vocoder_quality)
    print(f"recorded in {bundle / 'voice.json'}: the voice now vocodes with {kind} by default ({reason})")


def _parse_compare(spec: str) -> tuple[str, Path]:
    name, sep, path = spec.partition("=")
    if not sep or not name.strip() or not path.strip():
        raise TTSError(f"--compare-vocoder takes NAME=CHECKPOINT (e.g. fast=exp/vocoder-presets/fast), got {spec!r}")
    return name.strip(), Path(path.strip())


def _compared_voice(voice: Any, path: Path, device: str) -> tuple[Any, dict[str, Any]]:
    """``voice`` with the WaveGlow of ``path`` (a checkpoint, or a run folder's latest one), in the
    voice's precision, and what to record of it."""
    import vocoder
    from tts.torch_parts import TorchWaveGlow
    from tts.training.state import CheckpointDirectory

    if path.is_dir():
        folder = path / "checkpoints" if (path / "checkpoints").is_dir() else path
        latest = CheckpointDirectory(folder, keep_last=1).latest()
        if latest is None:
            raise TTSError(
                f"{path}: no step_*.pt checkpoint in {folder}; give a checkpoint file or a training run folder"
            )
        path = latest
    elif not path.is_file():
        raise TTSError(f"{path}: no such checkpoint file or run folder")
    checkpoint = vocoder.read_checkpoint(path)
    model = vocoder.load_checkpoint(checkpoint, device)
    if voice.precision == "int8":
        model = vocoder.quantize(model, inplace=True)
    compared = voice.with_vocoder(TorchWaveGlow(model, device), checkpoint.mel_config, source=str(path))
    config = checkpoint.config
    record = {
        "checkpoint": str(path),
        "step": checkpoint.extra.get("training", {}).get("step"),
        "parameters": sum(p.numel() for p in model.parameters()),
        "n_flows": config.n_flows,
        "n_group": config.n_group,
        "n_channels": config.n_channels,
        "n_layers": config.n_layers,
        "mel_conditioning": config.mel_conditioning,
        "depthwise": config.depthwise,
    }
    return compared, record


def _argv(args: argparse.Namespace) -> list[str]:
    if sys.argv[1:2] == ["eval"]:
        return sys.argv[1:]
    # Called in-process (tts.cli.main([...])): rebuild the options that matter.
    argv = ["eval", "--voice", str(args.voice), "--set", args.sentence_set, "--speaker", str(args.speaker)]
    for language in args.language or []:
        argv += ["--lang", language]
    for flag, value in (
        ("--sentences", args.sentences),
        ("--data-dir", args.data_dir),
        ("--corpus", args.corpus),
        ("--style", args.style),
        ("--vocoder-sentences", args.vocoder_sentences),
        ("--postfilter", args.postfilter),
    ):
        if value is not None:
            argv += [flag, str(value)]
    for spec in args.compare_vocoder:
        argv += ["--compare-vocoder", spec]
    for flag, on in (
        ("--vocoder-only", args.vocoder_only),
        ("--calibrate", args.calibrate),
        ("--record-vocoder-quality", args.record_vocoder_quality),
    ):
        if on:
            argv.append(flag)
    return argv


def write_json(path: Path, result: dict[str, Any]) -> None:
    """Write ``result`` as UTF-8 JSON, atomically."""
    atomic_write_text(path, json.dumps(result, indent=2, ensure_ascii=False) + "\n")


def print_results(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    settings = result["settings"]
    set_name = "held-out" if settings["set"] == "heldout" else settings["set"]
    labels = {
        "waveglow": f"WaveGlow (sigma {settings['waveglow']['sigma']})",
        "griffinlim": f"Griffin-Lim ({settings['griffinlim']['n_iter']} iterations)",
    }
    for language, scores in result["languages"].items():
        table = Table(title=f"{result['voice']}: {language}, {scores['sentences']} {set_name} sentences")
        table.add_column("")
        table.add_column("value", justify="right")
        table.add_row("MCD voice (dB, DTW)", f"{scores['mcd_voice']:.2f}")
        table.add_row("MCD mean-frame baseline (dB)", f"{scores['mcd_baseline']:.2f}")
        ratio = scores["mcd_ratio"]
        table.add_row("voice / baseline", "-" if ratio is None else f"{ratio:.3f}")
        table.add_row("stopped by the gate", str(scores["stopped_by_gate"]))
        table.add_row("hit the step limit", str(scores["hit_limit"]))
        if scores.get("in_training"):
            table.add_row("[red]sentences trained on[/red]", str(scores["in_training"]))
        console.print(table)
        _identification_table(
            console,
            f"{language}: sentence identification",
            {
                _SHORT[kind] + (" (default)" if kind == settings["default_vocoder"] else ""): summary
                for kind, summary in scores["identification"].items()
            },
        )
    for language, calibration in result.get("calibration", {}).items():
        _identification_table(
            console,
            f"{language}: identification calibrated (each through Griffin-Lim)",
            {
                "ceiling: espeak-ng's mel": calibration["ceiling_griffinlim"],
                "floor: mean frame": calibration["floor_mean_frame"],
                "floor: other sentence": calibration["floor_other_sentence"],
                "shuffled frames": calibration["shuffled_frames"],
            },
        )
    vocoders = result["vocoder"]
    table = Table(title=f"vocoder copy synthesis: {vocoders['sentences']} {vocoders['language']} references")
    table.add_column("vocoder")
    table.add_column("PESQ (wb)", justify="right")
    table.add_column("STOI", justify="right")
    rows = [("waveglow", labels["waveglow"], vocoders["waveglow"])]
    rows += [(name, f"{name}: {labels['waveglow']}", scores) for name, scores in vocoders.get("compared", {}).items()]
    rows.append(("griffinlim", labels["griffinlim"], vocoders["griffinlim"]))
    for _, label, scores in rows:
        table.add_row(label, _fmt(scores["pesq"]), _fmt(scores["stoi"], 3))
    console.print(table)
    for kind, _, scores in rows:
        for failure in scores["failed"]:
            console.print(f"{kind}: not scored: {failure}", markup=False)
    console.print(f"took {result['seconds']:.0f} s")


def _identification_table(console: Any, title: str, rows: dict[str, dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table(title=title)
    table.add_column("audio", no_wrap=True)
    for column in ("identified", "chance", "right/wrong", "mean rank"):
        table.add_column(column, justify="right")
    for label, summary in rows.items():
        table.add_row(
            label,
            f"{summary['identified']}/{summary['sentences']} ({summary['identified_fraction']:.0%})",
            f"{summary['chance']:.1%}",
            f"{summary['right_wrong_ratio']:.3f}",
            f"{summary['mean_rank']:.1f}",
        )
    console.print(table)


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"
