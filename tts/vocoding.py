"""Vocoding a mel of any length in chunks, in bounded memory, without clicks at the joins.

The mel is cut into chunks of ``chunk_frames``; each is vocoded with ``context_frames`` of mel on
either side, so the flows see the same neighbourhood they would see in one pass, and adjacent
chunks overlap by ``fade_frames`` in which they are cross-faded with a raised-cosine ramp. With a
WaveGlow the latent noise of the whole utterance is drawn once and each chunk reads its own slice,
so both sides of a join render the same noise and agree closely before the fade.
"""

from __future__ import annotations

import logging
import math
import numbers
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from base.errors import TTSError

log = logging.getLogger(__name__)

# WaveGlow's sampling settings when none are given, everywhere (the voice API, tts synth,
# tts vocode): the paper's sigma, and no denoising (NVIDIA's inference default).
DEFAULT_SIGMA = 0.666
DEFAULT_DENOISE = 0.0

# vocode(start_frame, end_frame) -> audio of those frames, (end - start) * hop samples
RangeVocoder = Callable[[int, int], np.ndarray]


@dataclass(frozen=True)
class ChunkConfig:
    """Chunking of the vocoder (in mel frames; a frame is ``hop_length`` samples)."""

    chunk_frames: int = 256
    context_frames: int = 24
    fade_frames: int = 8

    def __post_init__(self) -> None:
        if self.fade_frames < 1 or self.fade_frames % 2:
            raise ValueError(f"fade_frames must be even and >= 2, got {self.fade_frames}")
        if self.context_frames < self.fade_frames // 2:
            raise ValueError("context_frames must cover at least half the fade")
        if self.chunk_frames < 2 * self.fade_frames:
            raise ValueError("chunk_frames must be at least twice fade_frames")


SIGMA_WARN = 2.0  # WaveGlow is sampled at 0.5-1.0; far above it the flows amplify noise


def check_sigma_denoise(sigma: float, denoise: float, prefix: str = "") -> None:
    """Refuse a WaveGlow ``sigma`` that is not a finite number >= 0 and a ``denoise`` outside [0, 1]
    (NaN included); warn when ``sigma`` is far above what WaveGlow is sampled at. ``prefix``
    (``"--"`` on the command line) goes before the names in messages.

    Raises:
        TTSError: naming the value and the accepted range.
    """
    for name, value in (("sigma", sigma), ("denoise", denoise)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise TTSError(f"{prefix}{name} must be a finite number, got {value!r}")
    if sigma < 0:
        raise TTSError(f"{prefix}sigma must be >= 0 (WaveGlow samples at 0.5-1.0; default 0.666), got {sigma}")
    if not 0 <= denoise <= 1:
        raise TTSError(f"{prefix}denoise must be between 0 and 1 (typically 0.01-0.1), got {denoise}")
    if sigma > SIGMA_WARN:
        log.warning("%ssigma %g is far above the 0.5-1.0 WaveGlow is sampled at: expect loud noise", prefix, sigma)


def chunk_bounds(frames: int, chunk_frames: int) -> list[int]:
    """Chunk boundaries ``[0, ..., frames]``; a last chunk shorter than half a chunk is merged
    into the one before it (so no chunk is shorter than the fade)."""
    bounds = list(range(0, frames, chunk_frames)) + [frames]
    if len(bounds) > 2 and frames - bounds[-2] < chunk_frames // 2:
        del bounds[-2]
    return bounds


def fade_in(n: int) -> np.ndarray:
    """Raised-cosine ramp from 0 to 1 over ``n`` samples (equal gain: ``fade_in + fade_out = 1``)."""
    return (0.5 - 0.5 * np.cos(math.pi * (np.arange(n) + 0.5) / n)).astype(np.float32)


def vocode_in_chunks(
    vocode: RangeVocoder, frames: int, hop_length: int, config: ChunkConfig = ChunkConfig()
) -> Iterator[np.ndarray]:
    """Audio of ``frames`` mel frames, yielded piece by piece as each chunk is vocoded.

    The pieces concatenate to ``frames * hop_length`` samples. Memory is that of one chunk plus
    its context, whatever ``frames`` is.
    """
    half = config.fade_frames * hop_length // 2
    bounds = chunk_bounds(frames, config.chunk_frames)
    tail: np.ndarray | None = None
    for a, b in zip(bounds[:-1], bounds[1:]):
        a0, b0 = max(0, a - config.context_frames), min(frames, b + config.context_frames)
        audio = np.asarray(vocode(a0, b0), dtype=np.float32)
        start = a * hop_length - (half if a > 0 else 0)
        end = b * hop_length + (half if b < frames else 0)
        piece = audio[start - a0 * hop_length : end - a0 * hop_length].copy()
        if tail is not None:
            ramp = fade_in(len(tail))
            piece[: len(tail)] = tail * (1 - ramp) + piece[: len(tail)] * ramp
        if b < frames:
            tail = piece[-2 * half :]
            yield piece[: -2 * half]
        else:
            yield piece
