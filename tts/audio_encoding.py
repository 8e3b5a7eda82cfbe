"""Audio as bytes: 16-bit PCM, WAV headers for streams of unknown length, and whole WAV / FLAC files
in memory. Shared by ``tts synth -o -`` (WAV on stdout) and ``tts serve`` (audio over HTTP)."""

from __future__ import annotations

import io
import struct

import numpy as np

from base.errors import TTSError

# What a response or pipe can carry: raw 16-bit little-endian PCM, WAV or FLAC (both 16-bit mono).
ENCODINGS = ("wav", "flac", "pcm")
MEDIA_TYPES = {"wav": "audio/wav", "flac": "audio/flac", "pcm": "audio/pcm"}
UNKNOWN_SIZE = 0xFFFFFFFF  # a streamed WAV's sizes before its end is known (readers take the data as it comes)


def wav_header(sample_rate: int, samples: int | None = None) -> bytes:
    """The 44-byte header of a 16-bit mono PCM WAV of ``samples`` samples; ``None``: a stream whose
    length is not known yet (both sizes :data:`UNKNOWN_SIZE`, as streaming WAV writers do)."""
    data = UNKNOWN_SIZE if samples is None or 2 * samples + 36 > UNKNOWN_SIZE else 2 * samples
    riff = UNKNOWN_SIZE if data == UNKNOWN_SIZE else data + 36
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        riff,
        b"WAVE",
        b"fmt ",
        16,
        1,
        1,
        sample_rate,
        2 * sample_rate,
        2,
        16,
        b"data",
        data,
    )


def check_finite(piece: np.ndarray) -> np.ndarray:
    """``piece``, checked to hold finite samples only.

    Raises:
        TTSError: non-finite samples (a broken voice), which no encoding can carry.
    """
    if not np.isfinite(piece).all():
        raise TTSError(
            "the voice produced non-finite samples; the stream was cut before them "
            "(check --sigma and --denoise, or the voice's files)"
        )
    return piece


def pcm16(piece: np.ndarray) -> bytes:
    """Float audio in [-1, 1] as 16-bit little-endian PCM (clipped, rounded; non-finite samples
    raise :class:`TTSError`, :func:`check_finite`)."""
    return np.round(np.clip(check_finite(piece), -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def encode_audio(audio: np.ndarray, sample_rate: int, encoding: str) -> bytes:
    """``audio`` (float32 ``[T]`` in [-1, 1]) as a whole file of ``encoding`` (:data:`ENCODINGS`)."""
    if encoding == "pcm":
        return pcm16(audio)
    if encoding == "wav":
        return wav_header(sample_rate, len(audio)) + pcm16(audio)
    if encoding != "flac":
        raise TTSError(f"unknown audio encoding {encoding!r}; use one of {', '.join(ENCODINGS)}")
    import soundfile

    buffer = io.BytesIO()
    soundfile.write(buffer, np.clip(check_finite(audio), -1.0, 1.0), sample_rate, subtype="PCM_16", format="FLAC")
    return buffer.getvalue()
