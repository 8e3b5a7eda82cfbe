"""``tts synth "TEXT" -l LANG [-o out.wav]``: text to speech with a voice bundle."""

from __future__ import annotations

import argparse
import logging
import os
import struct
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import numpy as np
import soundfile

from base.errors import TTSError
from base.files import atomic_path
from tts.audio_encoding import UNKNOWN_SIZE, pcm16, wav_header
from tts.commands import (
    add_command,
    add_postfilter_option,
    add_precision_option,
    add_voice_option,
    add_waveglow_options,
)
from tts.vocoding import check_sigma_denoise

log = logging.getLogger(__name__)

# Output formats by extension: soundfile's format and sample type.
FORMATS = {".wav": ("WAV", "PCM_16"), ".flac": ("FLAC", "PCM_16"), ".ogg": ("OGG", "VORBIS")}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(subparsers, "synth", run)
    parser.add_argument("text", nargs="?", help="the text (or use --text-file)")
    parser.add_argument(
        "-l", "--lang", default=None, help="language: hinglish, hi (hindi), bn (bengali), benglish, en (english)"
    )
    parser.add_argument(
        "-o",
        "--output",
        default=None,
        help="output .wav, .flac or .ogg; '-' writes wav to stdout (default: a name from the text)",
    )
    add_voice_option(parser)
    parser.add_argument("--speaker", default="0", help="speaker index or name (default 0)")
    add_waveglow_options(parser)
    parser.add_argument("--text-file", type=Path, default=None, help="read the text from a UTF-8 file ('-': stdin)")
    parser.add_argument(
        "--vocoder",
        choices=("auto", "waveglow", "griffinlim"),
        default="auto",
        help="auto (default): the better of the two by the copy-synthesis scores in the voice's "
        "voice.json, WaveGlow when it has none (the log says which and why); waveglow or "
        "griffinlim: that one",
    )
    add_postfilter_option(parser, default="the voice's (voice.json postfilter)")
    parser.add_argument(
        "--engine",
        choices=("torch", "onnx"),
        default=None,
        help="runtime; default the bundle's own (onnx bundles: `tts export onnx`)",
    )
    parser.add_argument("--batch-size", type=int, default=8, help="sentences decoded together (default 8)")
    parser.add_argument("--device", default="cpu", help="torch device (cpu, cuda)")
    add_precision_option(
        parser, default="the voice's: tts.voice.DEFAULT_PRECISION where it runs, an ONNX voice's export"
    )


def read_text(args: argparse.Namespace) -> str:
    if args.text is not None and args.text_file is not None:
        raise TTSError("give the text or --text-file, not both")
    if args.text_file is None:
        if args.text is None:
            raise TTSError('no text: tts synth "TEXT" -l LANG, or --text-file FILE')
        return args.text
    try:
        # stdin is read as bytes and decoded like a file, so bad UTF-8 is refused the same way.
        data = sys.stdin.buffer.read() if str(args.text_file) == "-" else args.text_file.read_bytes()
        return data.decode("utf-8")
    except FileNotFoundError:
        raise TTSError(f"--text-file {args.text_file}: no such file") from None
    except UnicodeDecodeError as exc:
        source = "stdin" if str(args.text_file) == "-" else args.text_file
        raise TTSError(f"--text-file {source}: not UTF-8 text (byte {exc.start})") from None


def default_output(raw: str) -> Path:
    """The first file name from the first words of the text, in the current directory (the file
    written is the first of ``stem.wav``, ``stem_2.wav``, ... free when it is complete)."""
    # Words are runs of letters, marks and digits: Devanagari and Bengali vowel signs are marks,
    # which regular expressions' \w leaves out.
    kept = "".join(ch if unicodedata.category(ch)[0] in "LMN" else " " for ch in raw.lower())
    words = kept.split()[:4]
    stem = "tts_" + ("_".join(words)[:40] or "speech")
    return Path(f"{stem}.wav")


def _numbered(path: Path, n: int) -> Path:
    return path if n == 1 else path.with_name(f"{path.stem}_{n}{path.suffix}")


def output_format(output: str) -> tuple[str, str]:
    suffix = Path(output).suffix.lower()
    if suffix not in FORMATS:
        raise TTSError(f"{output}: unknown audio format {suffix or '(no extension)'!r}; use .wav, .flac or .ogg")
    return FORMATS[suffix]


def open_voice(args: argparse.Namespace):
    """The voice of ``--voice`` or ``-l``. An ONNX bundle loads without PyTorch."""
    from tts.voice import load_voice
    from tts.voice_manifest import locate_voice, read_voice_manifest, voice_for_language

    path = locate_voice(args.voice) if args.voice is not None else voice_for_language(args.lang)
    if args.device != "cpu":
        if (args.engine or read_voice_manifest(path).engine) == "onnx":
            raise TTSError("the ONNX engine runs on the CPU; drop --device")
        from tts.commands.vocode import check_device

        check_device(args.device)
    return load_voice(
        path,
        device=args.device,
        engine=args.engine,
        vocoder_kind=args.vocoder,
        postfilter=args.postfilter,
        precision=args.precision,
    )


def run(args: argparse.Namespace) -> int:
    """Speak text with a voice (bundled, yours, or a bundle path).

    Synthesize speech. Without --voice, the voice for -l LANG is used (see `tts voices`). Long text
    is split into sentences and spoken in batches, in bounded memory.
    """
    raw = read_text(args)
    if not raw.strip():
        raise TTSError("the text is empty")
    check_sigma_denoise(args.sigma, args.denoise, prefix="--")
    if args.batch_size < 1:
        raise TTSError(f"--batch-size must be >= 1, got {args.batch_size}")
    to_stdout = args.output == "-"
    numbered = not to_stdout and not args.output  # a name of our choosing: take the next free one
    output = None if to_stdout else Path(args.output) if args.output else default_output(raw)
    fmt, subtype = output_format("stdout.wav" if output is None else str(output))
    if output is not None and not output.parent.resolve().is_dir():
        raise TTSError(f"{output}: the folder {output.parent} does not exist")
    if args.voice is None and args.lang is None:
        raise TTSError("say which language (-l hinglish, hi, bn, benglish, en) or which voice (--voice)")
    voice = open_voice(args)
    speaker = args.speaker if not str(args.speaker).isdigit() else int(args.speaker)
    pieces = voice.pieces(raw, args.lang)  # checks the text before any output is opened
    stream = voice.stream(
        raw,
        args.lang,
        speaker=speaker,
        sigma=args.sigma,
        denoise=args.denoise,
        seed=args.seed,
        batch_size=args.batch_size,
        progress=True,
    )
    if output is None:
        seconds = write_wav_stream(sys.stdout.buffer, stream, voice.sample_rate)
    else:
        output, seconds = _write_streaming(output, stream, voice.sample_rate, fmt, subtype, numbered)
        print(output)
    log.info(
        "%.2f s of audio, %d sentence%s, voice %s", seconds, len(pieces), "s" if len(pieces) > 1 else "", voice.name
    )
    return 0


def write_wav_stream(out: BinaryIO, pieces: Iterable[np.ndarray], sample_rate: int) -> float:
    """Write float audio pieces to ``out`` as 16-bit mono WAV while they are made, in bounded
    memory (``-o -``). The header's sizes say "unknown" and are filled in at the end when ``out``
    can seek (a file), as streaming WAV writers do for pipes. A piece with non-finite samples
    stops the stream with an error before it is written. Returns the seconds written."""
    header = wav_header(sample_rate)
    out.write(header)
    samples = 0
    for piece in pieces:
        out.write(pcm16(piece))
        samples += len(piece)
    out.flush()
    try:
        seekable = out.seekable()
    except (AttributeError, OSError, ValueError):
        seekable = False
    if seekable and 2 * samples + 36 <= UNKNOWN_SIZE:
        end = out.tell()
        out.seek(end - 2 * samples - len(header) + 4)
        out.write(struct.pack("<I", 2 * samples + 36))
        out.seek(end - 2 * samples - 4)
        out.write(struct.pack("<I", 2 * samples))
        out.seek(end)
        out.flush()
    return samples / sample_rate


def _write_streaming(
    output: Path, pieces, sample_rate: int, fmt: str, subtype: str, numbered: bool = False
) -> tuple[Path, float]:
    """Write audio pieces as they come to a temporary file of this process's own in the output's
    folder, then move it into place atomically. Returns the path written and the seconds.

    Concurrent writers never mix their audio. The output is claimed only when the audio is
    complete: a name that did not exist when writing began is created exclusively (``O_EXCL``),
    which fails if another process created it meanwhile; an existing file is replaced only if nobody
    rewrote it meanwhile. The process that finds the name taken gives up with an error and
    removes its audio, unless the name was its own choice (``numbered``): then it takes the next
    free ``NAME_2.wav``, ``NAME_3.wav``, ...
    """
    seen = _identity(output)
    claimed: list[Path] = []
    samples = 0
    try:
        with atomic_path(output, place=lambda tmp: claimed.append(_claim(tmp, output, seen, numbered))) as tmp:
            try:
                f = soundfile.SoundFile(str(tmp), "w", sample_rate, 1, format=fmt, subtype=subtype)
            except (soundfile.LibsndfileError, OSError) as exc:
                raise TTSError(f"{output}: cannot write there ({exc})") from None
            with f:
                low, high = np.inf, -np.inf
                for piece in pieces:
                    if not np.isfinite(piece).all():
                        raise TTSError(
                            f"{output}: the voice produced non-finite samples; nothing was written "
                            "(check --sigma and --denoise, or the voice's files)"
                        )
                    if len(piece):
                        low, high = min(low, float(piece.min())), max(high, float(piece.max()))
                    f.write(piece)
                    samples += len(piece)
            if samples and low == high:
                raise TTSError(
                    f"{output}: the voice produced {samples} samples all equal to {low:g}, not speech; "
                    "nothing was written (check the voice's files)"
                )
    except OSError as exc:  # the folder takes no new file
        raise TTSError(f"{output}: cannot write there ({exc.strerror or exc})") from None
    output = claimed[0]
    return output, samples / sample_rate


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size


def _claim(tmp: Path, output: Path, seen: tuple[int, int, int, int] | None, numbered: bool) -> Path:
    n = 1
    while True:
        candidate = _numbered(output, n)
        if seen is None or numbered:
            try:
                # Exclusive creation claims the name (a placeholder for the moment of the rename).
                os.close(os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            except FileExistsError:
                if not numbered:
                    raise TTSError(
                        f"{output}: another process wrote this file while this one was speaking; "
                        "its file is kept and this audio was not saved: choose another -o"
                    ) from None
                n += 1
                continue
            os.replace(tmp, candidate)
            return candidate
        if _identity(output) != seen:
            raise TTSError(
                f"{output}: another process rewrote this file while this one was speaking; its file "
                "is kept and this audio was not saved: choose another -o"
            )
        os.replace(tmp, output)
        return output
