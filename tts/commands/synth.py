"""``tts synth "TEXT" -l LANG [-o out.wav]``: text to speech with a voice bundle."""

from __future__ import annotations

import argparse
import io
import logging
import os
import re
import sys
from pathlib import Path

import numpy as np
import soundfile

from tts.errors import TTSError

log = logging.getLogger(__name__)

# Output formats by extension: soundfile's format and sample type.
FORMATS = {".wav": ("WAV", "PCM_16"), ".flac": ("FLAC", "PCM_16"), ".ogg": ("OGG", "VORBIS")}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "synth", help="speak text with a voice (bundled, yours, or a bundle path)",
        description="Synthesize speech. Without --voice, the voice for -l LANG is used (see `tts voices`). "
        "Long text is split into sentences and spoken in batches, in bounded memory.",
    )
    parser.add_argument("text", nargs="?", help="the text (or use --text-file)")
    parser.add_argument("-l", "--lang", default=None,
                        help="language: hinglish, hi (hindi), bn (bengali), benglish, en (english)")
    parser.add_argument("-o", "--output", default=None,
                        help="output .wav, .flac or .ogg; '-' writes wav to stdout (default: a name from the text)")
    parser.add_argument("--voice", default=None, help="voice name (`tts voices`) or bundle directory/archive")
    parser.add_argument("--speaker", default="0", help="speaker index or name (default 0)")
    parser.add_argument("--sigma", type=float, default=0.666, help="WaveGlow latent scale (default 0.666)")
    parser.add_argument("--denoise", type=float, default=0.01,
                        help="WaveGlow denoiser strength, 0 disables (default 0.01)")
    parser.add_argument("--seed", type=int, default=None, help="seed for reproducible audio")
    parser.add_argument("--text-file", type=Path, default=None, help="read the text from a UTF-8 file ('-': stdin)")
    parser.add_argument("--vocoder", choices=("auto", "waveglow", "griffinlim"), default="auto",
                        help="auto (default): the better of the two by the copy-synthesis scores in the voice's "
                        "voice.json, WaveGlow when it has none (the log says which and why); waveglow or "
                        "griffinlim: that one")
    parser.add_argument("--postfilter", type=float, default=None, metavar="BETA",
                        help="spectral-contrast factor for the predicted mels, 1 (off) to 2; default the "
                        "voice's (voice.json postfilter)")
    parser.add_argument("--engine", choices=("torch", "onnx"), default=None,
                        help="runtime; default the bundle's own (onnx bundles: `tts export onnx`)")
    parser.add_argument("--batch-size", type=int, default=8, help="sentences decoded together (default 8)")
    parser.add_argument("--device", default="cpu", help="torch device (cpu, cuda)")
    parser.set_defaults(func=run)


def read_text(args: argparse.Namespace) -> str:
    if args.text is not None and args.text_file is not None:
        raise TTSError("give the text or --text-file, not both")
    if args.text_file is None:
        if args.text is None:
            raise TTSError('no text: tts synth "TEXT" -l LANG, or --text-file FILE')
        return args.text
    if str(args.text_file) == "-":
        return sys.stdin.read()
    try:
        return args.text_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TTSError(f"--text-file {args.text_file}: no such file") from None
    except UnicodeDecodeError as exc:
        raise TTSError(f"--text-file {args.text_file}: not UTF-8 text (byte {exc.start})") from None


def default_output(raw: str) -> Path:
    """A new file name in the current directory from the first words of the text."""
    words = re.findall(r"\w+", raw.lower())[:4]
    stem = "tts_" + ("_".join(words)[:40] or "speech")
    path = Path(f"{stem}.wav")
    n = 2
    while path.exists():
        path = Path(f"{stem}_{n}.wav")
        n += 1
    return path


def output_format(output: str) -> tuple[str, str]:
    suffix = Path(output).suffix.lower()
    if suffix not in FORMATS:
        raise TTSError(f"{output}: unknown audio format {suffix or '(no extension)'!r}; use .wav, .flac or .ogg")
    return FORMATS[suffix]


def open_voice(args: argparse.Namespace):
    """The voice of ``--voice`` or ``-l``. ONNX bundles go straight to the ONNX runtime, so that
    path never imports PyTorch."""
    from tts.voice_manifest import locate_voice, read_voice_manifest, voice_for_language

    path = locate_voice(args.voice) if args.voice is not None else voice_for_language(args.lang)
    manifest = read_voice_manifest(path)
    if (args.engine or manifest.engine) == "onnx" and manifest.engine == "onnx":
        if args.device != "cpu":
            raise TTSError("the ONNX engine runs on the CPU; drop --device")
        from tts.onnx.runtime import OnnxVoice

        return OnnxVoice(path, vocoder_kind=args.vocoder, postfilter=args.postfilter)
    from tts.voice import load_voice

    if args.device != "cpu":
        from tts.commands.vocode import check_device

        check_device(args.device)
    return load_voice(path, device=args.device, engine=args.engine, vocoder_kind=args.vocoder,
                      postfilter=args.postfilter)


def run(args: argparse.Namespace) -> int:
    raw = read_text(args)
    if not raw.strip():
        raise TTSError("the text is empty")
    if args.sigma < 0:
        raise TTSError(f"--sigma must be >= 0, got {args.sigma}")
    if not 0 <= args.denoise <= 1:
        raise TTSError(f"--denoise must be between 0 and 1 (typically 0.01-0.1), got {args.denoise}")
    if args.batch_size < 1:
        raise TTSError(f"--batch-size must be >= 1, got {args.batch_size}")
    to_stdout = args.output == "-"
    output = None if to_stdout else Path(args.output) if args.output else default_output(raw)
    fmt, subtype = output_format("stdout.wav" if output is None else str(output))
    if output is not None and not output.parent.resolve().is_dir():
        raise TTSError(f"{output}: the folder {output.parent} does not exist")
    if args.voice is None and args.lang is None:
        raise TTSError("say which language (-l hinglish, hi, bn, benglish, en) or which voice (--voice)")
    voice = open_voice(args)
    speaker = args.speaker if not str(args.speaker).isdigit() else int(args.speaker)
    pieces = voice.pieces(raw, args.lang)  # checks the text before any output is opened
    stream = voice.stream(raw, args.lang, speaker=speaker, sigma=args.sigma, denoise=args.denoise,
                          seed=args.seed, batch_size=args.batch_size, progress=True)
    if to_stdout:
        audio = np.concatenate(list(stream))
        buffer = io.BytesIO()
        soundfile.write(buffer, audio, voice.sample_rate, format=fmt, subtype=subtype)
        sys.stdout.buffer.write(buffer.getvalue())
        sys.stdout.buffer.flush()
        seconds = len(audio) / voice.sample_rate
    else:
        seconds = _write_streaming(output, stream, voice.sample_rate, fmt, subtype)
        print(output)
    log.info("%.2f s of audio, %d sentence%s, voice %s", seconds, len(pieces), "s" if len(pieces) > 1 else "",
             voice.name)
    return 0


def _write_streaming(output: Path, pieces, sample_rate: int, fmt: str, subtype: str) -> float:
    """Write audio pieces to ``output`` as they come, through a temporary file, then rename."""
    tmp = output.with_name(f".{output.name}.tmp")
    samples = 0
    try:
        try:
            f = soundfile.SoundFile(str(tmp), "w", sample_rate, 1, format=fmt, subtype=subtype)
        except (soundfile.LibsndfileError, OSError) as exc:
            raise TTSError(f"{output}: cannot write there ({exc})") from None
        with f:
            for piece in pieces:
                f.write(piece)
                samples += len(piece)
        os.replace(tmp, output)
    finally:
        if tmp.exists():
            tmp.unlink()
    return samples / sample_rate
