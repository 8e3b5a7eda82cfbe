"""``tts export voice|onnx``: make a voice bundle from checkpoints, or an ONNX bundle from a voice."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

from base.errors import TTSError
from tts import postfilter
from tts.commands import add_command, add_out_options, add_postfilter_option, add_precision_option, add_voice_option


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="make a voice bundle (voice) or an ONNX voice (onnx)",
        description="Package models for synthesis.",
    )
    kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True)

    voice = add_command(kinds, "voice", run_voice)
    voice.add_argument("--acoustic", type=Path, required=True, help="Tacotron2 checkpoint")
    voice.add_argument("--vocoder", type=Path, required=True, help="WaveGlow checkpoint")
    voice.add_argument(
        "--lang",
        action="append",
        default=None,
        help="a language the voice speaks (repeat; the first is its default). Default: "
        "its training language and every language its symbols cover",
    )
    add_out_options(voice, "bundle directory to write")
    voice.add_argument("--name", default=None, help="voice name (default: the directory name)")
    voice.add_argument("--description", default="", help="one line about the voice")
    voice.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="prepared training data: records its mean mel frame (the `tts eval` baseline)",
    )
    voice.add_argument(
        "--command",
        action="append",
        default=[],
        dest="recorded_commands",
        help="a command that produced the models, recorded in voice.json (repeat)",
    )
    voice.add_argument("--fp32", action="store_true", help="keep fp32 weights (default: fp16 storage)")
    add_postfilter_option(voice, default=f"{postfilter.DEFAULT}")

    onnx = add_command(kinds, "onnx", run_onnx)
    add_voice_option(onnx, required=True)
    add_out_options(onnx, "directory to write")
    add_precision_option(onnx, default="fp32 (int8: the decoder step's LSTM cells in int8)")


def check_out(out: Path, force: bool) -> None:
    """Refuse to write over what is already at ``out`` (a voice a user made) unless ``force``."""
    if out.exists() and not out.is_dir():
        raise TTSError(f"--out {out}: is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise TTSError(f"--out {out}: already holds files (a voice?); give --force to replace them, or another --out")


def run_voice(args: argparse.Namespace) -> int:
    """A voice bundle from acoustic and vocoder checkpoints.

    Write a voice bundle (voice.json with sha256 of each file, acoustic.pt, vocoder.pt) from
    training checkpoints: this project's, NVIDIA's or DeepLearningExamples'. Put it in $TTS_VOICES
    (or ~/.local/share/swaratts/voices) to use it by name.
    """
    from tts.bundle import export_voice

    for path in (args.acoustic, args.vocoder):
        if not path.is_file():
            raise TTSError(f"{path}: no such checkpoint")
    check_out(args.out, args.force)
    export_command = "tts " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:2] == ["export"] else None
    training: dict[str, Any] = {"commands": list(args.recorded_commands) + ([export_command] if export_command else [])}
    if args.data_dir is not None:
        training["data_dir"] = str(args.data_dir)
    out = export_voice(
        args.acoustic,
        args.vocoder,
        args.out,
        languages=args.lang,
        name=args.name,
        description=args.description,
        training=training,
        half=not args.fp32,
        data_dir=args.data_dir,
        **({} if args.postfilter is None else {"postfilter": args.postfilter}),
    )
    print(out)
    return 0


def run_onnx(args: argparse.Namespace) -> int:
    """An ONNX voice for the torch-free runtime.

    Export a voice to ONNX graphs (encoder, one decoder step, postnet, vocoder), verified against
    PyTorch with onnxruntime; synthesize with `tts synth --engine onnx --voice DIR`.
    """
    from tts.onnx.export import export_voice_onnx
    from tts.voice import load_voice

    check_out(args.out, args.force)
    voice = load_voice(args.voice, engine="torch", precision="fp32")  # exported from the fp32 models
    print(export_voice_onnx(voice, args.out, precision=args.precision or "fp32"))
    return 0
