"""Sentence identification: is a voice's audio nearest to espeak-ng's rendering of the right
sentence (DTW on mean-normalised cepstra)? And its calibration."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from base.errors import TTSError
from tts.eval.metrics import VOCODER_SEED, as_audio_array, as_mel_array, mean_frame_baseline, mel_cepstrum
from tts.eval.references import Reference
from tts.griffinlim import ITERATIONS, griffin_lim

log = logging.getLogger(__name__)

ID_CEPS = 12  # identification features: c1..c12 and their deltas
ID_DELTA_SPAN = 2  # deltas: the regression slope over +-2 frames
_DTW_WEIGHTS = np.array([2.0, 1.0, 1.0])
CALIBRATION_SEED = 0


# -- sentence identification ------------------------------------------------------------------------


def identification_features(log_mel: Any) -> np.ndarray:
    """What sentence identification compares: per frame, cepstra ``c1..c12`` of the log-mel
    with the utterance's mean removed, and their deltas.

    Why these features:

    * **Cepstra** (the cosine series of the log-mel frame, :func:`mel_cepstrum`, as for MCD)
      keep the spectral envelope, which says what sound is being made, and drop the fine
      structure: the pitch harmonics, which a voice may place differently from espeak-ng without
      being less intelligible, and which Griffin-Lim's phase estimate smears. Twelve
      coefficients are the usual MFCC choice; the 80 log-mel bands themselves are strongly
      correlated and carry the harmonics.
    * **No c0, and the utterance mean removed** (cepstral mean normalisation): a constant level
      or spectral tilt, which is what a vocoder's colouring mostly is, costs nothing, so the
      voice's WaveGlow and Griffin-Lim outputs are judged on what is said.
    * **Deltas** (the regression slope over +-2 frames): frame-to-frame change, so that matching
      depends on the order of the sounds and not only on which sounds occur. Measured on the
      Hindi unseen set: with their frames shuffled in time, the sentences' mels are still
      identified in 80 % of cases from static cepstra alone and in 52 % with the deltas added;
      through Griffin-Lim (which smears the shuffled frames), in 25 % and 17 % (chance: 1.7 %).

    Args:
        log_mel: ``[n_mel, frames]`` natural-log mel spectrogram (at least 1 frame).

    Returns:
        ``[frames, 24]`` float64.
    """
    ceps = mel_cepstrum(as_mel_array(log_mel, "log_mel"), ID_CEPS + 1)[1:]
    if ceps.shape[1] == 0:
        raise ValueError("cannot identify an empty mel (0 frames)")
    ceps = ceps - ceps.mean(axis=1, keepdims=True)
    padded = np.pad(ceps, ((0, 0), (ID_DELTA_SPAN, ID_DELTA_SPAN)), mode="edge")
    frames = ceps.shape[1]
    delta = sum(
        k
        * (
            padded[:, ID_DELTA_SPAN + k : ID_DELTA_SPAN + k + frames]
            - padded[:, ID_DELTA_SPAN - k : ID_DELTA_SPAN - k + frames]
        )
        for k in range(1, ID_DELTA_SPAN + 1)
    )
    delta = delta / (2 * sum(k * k for k in range(1, ID_DELTA_SPAN + 1)))
    return np.concatenate([ceps, delta]).T


def audio_features(audio: Any, mel_config: Any, trim: Any) -> np.ndarray:
    """:func:`identification_features` of ``audio`` ``[T]``: trimmed like the references (``trim``:
    a :class:`tts.prepare.PrepareConfig`), then analysed with ``mel_config``, the voice's mel.

    Audio too short for one STFT frame is zero-padded; audio that trims to nearly nothing (a
    silent output) is used untrimmed."""
    import torch

    from base.audio import mel_spectrogram
    from tts.prepare import _trim

    samples = torch.from_numpy(as_audio_array(audio, "audio").astype(np.float32))
    if samples.numel() > mel_config.filter_length and bool(samples.abs().max() > 0):
        trimmed = _trim(samples, mel_config.sampling_rate, trim)
        if trimmed.numel() > mel_config.filter_length:
            samples = trimmed
    if samples.numel() <= mel_config.filter_length // 2:
        samples = torch.nn.functional.pad(samples, (0, mel_config.filter_length - samples.numel()))
    return identification_features(mel_spectrogram(samples, mel_config).numpy())


def dtw_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """Mean frame distance of two feature sequences ``[frames, dims]`` along their best alignment.

    Euclidean frame distances; steps (1,1) weighted 2, (1,0) and (0,1) weighted 1 (Sakoe and
    Chiba's symmetric form) and the first cell 1, so every path from corner to corner weighs
    ``frames_a + frames_b - 1``: the accumulated cost divided by that is a weighted mean frame
    distance, comparable between references of different lengths (a constant frame distance
    ``d`` gives ``d``). No band constraint: a voice may speak faster or slower than espeak-ng.
    Symmetric.
    """
    return _dtw(_euclidean(np.asarray(features_a, np.float64), np.asarray(features_b, np.float64)))


def distance_matrix(
    outputs: Sequence[np.ndarray],
    references: Sequence[np.ndarray],
    progress: bool = False,
    desc: str = "dtw",
    frame_distance: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """:func:`dtw_distance` of every output to every reference: ``[len(outputs), len(references)]``.
    ``frame_distance(a [n, d], b [m, d]) -> [n, m]``: the frame distances (default Euclidean).

    One matrix product per output gives its frame distances to all references, and librosa's
    compiled DTW aligns each pair: 60 x 60 sentences of about 250 frames took 10 s on this
    project's 2-core machine with training running beside it."""
    from tqdm import tqdm

    stacked = np.concatenate(references).astype(np.float64)
    bounds = np.cumsum([0] + [len(r) for r in references])
    distances = np.empty((len(outputs), len(references)))
    for row, output in enumerate(tqdm(outputs, desc=desc, unit="sentence", disable=not progress)):
        cost = (frame_distance or _euclidean)(np.asarray(output, np.float64), stacked)
        for column in range(len(references)):
            distances[row, column] = _dtw(cost[:, bounds[column] : bounds[column + 1]])
    return distances


def _euclidean(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distances of the rows of ``a`` ``[n, d]`` and ``b`` ``[m, d]``: ``[n, m]``, by
    ``|a|^2 + |b|^2 - 2 a.b`` (a BLAS product, ten times faster than scipy's cdist here)."""
    squared = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * (a @ b.T)
    return np.sqrt(np.maximum(squared, 0.0))


def _dtw(cost: np.ndarray) -> float:
    import librosa

    accumulated = librosa.sequence.dtw(C=cost, weights_mul=_DTW_WEIGHTS, backtrack=False)
    return float(accumulated[-1, -1] / (cost.shape[0] + cost.shape[1] - 1))


@dataclass(frozen=True)
class Identification:
    """Sentence identification from a distance matrix (:func:`identify`)."""

    identified: np.ndarray  # bool [n]: the right reference is strictly the nearest candidate
    rank: np.ndarray  # int [n]: 1 + the wrong candidates at most as near as the right one
    right_wrong: np.ndarray  # float [n]: distance to the right one / mean distance to the wrong ones
    candidates: int  # references each output is matched against

    def summary(self) -> dict[str, Any]:
        n = len(self.identified)
        return {
            "sentences": n,
            "candidates": self.candidates,
            "identified": int(self.identified.sum()),
            "identified_fraction": round(float(self.identified.mean()), 4),
            "chance": round(1.0 / self.candidates, 4),
            "right_wrong_ratio": round(float(self.right_wrong.mean()), 4),
            "mean_rank": round(float(self.rank.mean()), 2),
        }


def identify(distances: np.ndarray) -> Identification:
    """Which outputs are nearest to their own reference.

    Args:
        distances: ``[n, n]``; ``distances[i, j]`` is output ``i``'s distance to reference ``j``,
            whose right reference is ``j = i``. NaN marks a reference that is not a candidate
            for that output (the calibration's "another sentence" floor).

    Ties count against the output (a tie for nearest is not identified). Chance is
    ``1 / candidates``.
    """
    distances = np.asarray(distances, dtype=np.float64)
    n = distances.shape[0]
    if distances.ndim != 2 or distances.shape != (n, n) or n < 2:
        raise ValueError(f"distances must be a square matrix of at least 2 sentences, got shape {distances.shape}")
    right = np.diag(distances).copy()
    if np.isnan(right).any():
        raise ValueError("the right reference of every output must be a candidate (NaN on the diagonal)")
    wrong = distances.copy()
    np.fill_diagonal(wrong, np.nan)
    nearest_wrong = np.nanmin(wrong, axis=1)
    rank = 1 + np.sum(wrong <= right[:, None], axis=1)  # NaN compares False
    candidates = int(np.max(np.sum(~np.isnan(distances), axis=1)))
    return Identification(
        identified=right < nearest_wrong,
        rank=rank,
        right_wrong=right / np.nanmean(wrong, axis=1),
        candidates=candidates,
    )


def calibrate_identification(
    references: Sequence[Reference], mean_frame: np.ndarray, mel_config: Any, trim: Any, progress: bool = False
) -> dict[str, Any]:
    """What sentence identification gives for outputs of known quality, on ``references``
    (each through Griffin-Lim, like the voice's Griffin-Lim row, then :func:`audio_features`):

    * ``ceiling_griffinlim``: the reference's own mel: a perfect acoustic model.
    * ``floor_mean_frame``: ``mean_frame`` repeated for the reference's length: an output that
      says nothing of the text. Lands at chance.
    * ``floor_other_sentence``: the ceiling output of another sentence of the set (sentence
      ``i + 1`` for ``i``), matched against the others: fluent speech of the wrong text. That
      sentence is left out of the candidates, so chance is ``1 / (n - 1)``.
    * ``shuffled_frames``: the reference's mel with its frames in random order (seed 0): the
      right sounds in the wrong order. It lands a little above chance (measured on the unseen
      set: 7-20 % identified against 1.7 %, right/wrong 0.95-0.97), as a sentence is partly told
      apart by which sounds it has at all.

    Measured on the unseen set (60 sentences, style 1, the bundled voices' mean frames): the
    ceiling identifies 60 of 60 in every language at right/wrong 0.136-0.141; the mean frame 1
    of 60 at 1.00; another sentence 0-1 of 60 at 1.00-1.01.

    Returns:
        ``{name: Identification.summary()}``.
    """
    from tqdm import tqdm

    if len(references) < 3:
        raise TTSError(f"calibration needs at least 3 sentences per language, got {len(references)}")
    rng = np.random.default_rng(CALIBRATION_SEED)
    reference_features = [identification_features(r.mel) for r in references]
    mels = {
        "ceiling_griffinlim": [r.mel for r in references],
        "floor_mean_frame": [mean_frame_baseline(mean_frame, r.mel.shape[1]) for r in references],
        "shuffled_frames": [r.mel[:, rng.permutation(r.mel.shape[1])] for r in references],
    }
    distances = {}
    for name, outputs in mels.items():
        features = [
            audio_features(griffin_lim(mel, mel_config, n_iter=ITERATIONS, seed=VOCODER_SEED), mel_config, trim)
            for mel in tqdm(outputs, desc=f"calibration {name}", unit="sentence", disable=not progress)
        ]
        distances[name] = distance_matrix(features, reference_features)
    n = len(references)
    other = np.roll(np.arange(n), -1)  # output i is sentence i + 1's
    floor_other = distances["ceiling_griffinlim"][other].copy()
    floor_other[np.arange(n), other] = np.nan
    distances["floor_other_sentence"] = floor_other
    order = ("ceiling_griffinlim", "floor_mean_frame", "floor_other_sentence", "shuffled_frames")
    return {name: identify(distances[name]).summary() for name in order}
