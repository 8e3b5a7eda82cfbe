"""Objective evaluation of a voice against espeak-ng references (``tts eval``).

The synthetic corpora are spoken by espeak-ng, so espeak-ng's own rendering of a sentence the
voice never saw is the speech the voice should reproduce. The sentences are by default the
**unseen set** (:mod:`tts.evalsets`: 60 sentences per language written for evaluation and kept
out of every training corpus), or held-out phrasebook sentences (``sentence_set="heldout"``).
For each language this module measures:

* **MCD** (mel-cepstral distortion, dB) between the voice's mel and the reference mel, aligned by
  DTW: the acoustic model's error. It is compared with a **baseline** that knows nothing of the
  text: the training set's mean log-mel frame repeated for the reference's length. A voice that
  learned anything scores well below it (``mcd_ratio`` < 1).
* **Sentence identification**: is the voice's *audio* nearer (DTW on cepstra with the mean
  removed, :func:`identification_features`) to espeak-ng's rendering of the right sentence than
  to that of any other sentence of the language? Reported as the fraction identified (chance is
  one in the number of sentences) and as the mean ratio of the distance to the right rendering
  over the mean distance to the wrong ones (1 knows nothing; lower is better). It is measured on
  the audio of the voice's default vocoder and on Griffin-Lim's, so that an acoustic error (both
  fail) can be told from a vocoder error (only the default fails). :func:`calibrate_identification`
  gives the same scores for outputs of known quality: espeak-ng's own mel (the ceiling) and
  text-blind or scrambled outputs (the floors).
* **Gate stops**: how many sentences the decoder ended by its stop token.
* **Copy synthesis** (the vocoder alone): the reference mels are vocoded with WaveGlow and with
  Griffin-Lim (:mod:`tts.griffinlim`) and compared with the reference audio by wide-band PESQ
  (1-4.5) and STOI (0-1).

The cepstrum here is the real cepstrum of the natural-log mel frame, scaled as a cepstrum is
(``log X(w) = c0 + sum_d c_d cos(d w)`` over the mel axis), so MCD values fall in the range
papers report (a few dB); it is computed from the model's own features, not SPTK's
mel-generalized cepstrum of a WORLD envelope, so compare voices evaluated with this module with
each other rather than with published figures.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Collection, Mapping, Sequence

import numpy as np

from base.errors import TTSError
from base.files import atomic_path
from tts.griffinlim import ITERATIONS, griffin_lim
from tts.postfilter import postfilter

log = logging.getLogger(__name__)

MCD_CONSTANT = 10.0 / math.log(10.0)  # dB per neper, times sqrt(2) below
N_CEPS = 25
HELD_OUT_SEED = 1000  # the training corpora are generated with seed 0
WAVEGLOW_SIGMA = 0.666
VOCODER_SEED = 0
PESQ_RATE = 16000
SENTENCE_SETS = ("unseen", "heldout")
HELD_OUT_SENTENCES = 50  # the held-out set's default size
ID_CEPS = 12  # identification features: c1..c12 and their deltas
ID_DELTA_SPAN = 2  # deltas: the regression slope over +-2 frames
# DTW step weights for librosa's steps (1,1), (0,1), (1,0): the symmetric form (see dtw_distance).
_DTW_WEIGHTS = np.array([2.0, 1.0, 1.0])
CALIBRATION_SEED = 0
EVAL_EXTRA_HINT = "install the evaluation extras: pip install 'swaratts[eval]'"


# -- metrics ------------------------------------------------------------------------------------


def mel_cepstrum(log_mel: np.ndarray, n_ceps: int = N_CEPS) -> np.ndarray:
    """Cepstral coefficients of each frame: ``c_d = (2 / n_mel) * sum_k log_mel_k cos(pi d (k + 1/2) / n_mel)``,
    the DCT-II over the mel axis scaled so that ``log_mel = c0 / 2 + sum_d c_d cos(...)``.

    Args:
        log_mel: ``[n_mel, frames]`` natural-log mel spectrogram.
        n_ceps: coefficients kept (``c0`` .. ``c{n_ceps-1}``), at most ``n_mel``.

    Returns:
        ``[n_ceps, frames]`` float64.
    """
    from scipy.fft import dct

    log_mel = _as_mel(log_mel, "log_mel")
    if not 1 <= n_ceps <= log_mel.shape[0]:
        raise ValueError(f"n_ceps must be between 1 and n_mel ({log_mel.shape[0]}), got {n_ceps}")
    return dct(log_mel, type=2, axis=0)[:n_ceps] / log_mel.shape[0]


def cepstral_distances(ceps_a: np.ndarray, ceps_b: np.ndarray) -> np.ndarray:
    """MCD in dB of every pair of frames: ``[frames_a, frames_b]``, ``c0`` excluded.

    ``(10 / ln 10) * sqrt(2 * sum_{d >= 1} (a_d - b_d)^2)``.
    """
    from scipy.spatial.distance import cdist

    return MCD_CONSTANT * math.sqrt(2.0) * cdist(ceps_a[1:].T, ceps_b[1:].T, metric="euclidean")


def mcd_aligned(log_mel_a: np.ndarray, log_mel_b: np.ndarray, n_ceps: int = N_CEPS) -> float:
    """MCD (dB) of two equally long mels frame by frame, without alignment (``c0`` excluded)."""
    a, b = _as_mel(log_mel_a, "log_mel_a"), _as_mel(log_mel_b, "log_mel_b")
    if a.shape != b.shape:
        raise ValueError(f"mcd_aligned needs equal shapes, got {a.shape} and {b.shape}; use mcd_dtw")
    diff = mel_cepstrum(a, n_ceps)[1:] - mel_cepstrum(b, n_ceps)[1:]
    return float(np.mean(MCD_CONSTANT * np.sqrt(2.0 * (diff * diff).sum(0))))


def mcd_dtw(log_mel_a: np.ndarray, log_mel_b: np.ndarray, n_ceps: int = N_CEPS) -> float:
    """Mel-cepstral distortion (dB) of two log-mels of any lengths, aligned by DTW.

    Frames are matched by dynamic time warping (steps (1,1), (1,0), (0,1), equal weights) on the
    per-frame MCD of coefficients ``1..n_ceps-1``; the result is the mean MCD over the warping
    path. ``c0`` (overall level) is excluded, so a gain change alone costs nothing. Symmetric.
    """
    import librosa

    a, b = _as_mel(log_mel_a, "log_mel_a"), _as_mel(log_mel_b, "log_mel_b")
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"the mels have different mel channels: {a.shape[0]} and {b.shape[0]}")
    if a.shape[1] == 0 or b.shape[1] == 0:
        raise ValueError("cannot compare an empty mel (0 frames)")
    cost = cepstral_distances(mel_cepstrum(a, n_ceps), mel_cepstrum(b, n_ceps))
    _, path = librosa.sequence.dtw(C=cost, backtrack=True)
    return float(cost[path[:, 0], path[:, 1]].mean())


def mean_frame_baseline(mean_frame: Sequence[float] | np.ndarray, frames: int) -> np.ndarray:
    """The text-blind baseline: ``mean_frame`` ``[n_mel]`` repeated ``frames`` times ``[n_mel, frames]``."""
    mean = np.asarray(mean_frame, dtype=np.float64)
    if mean.ndim != 1 or mean.size == 0:
        raise ValueError(f"mean_frame must be a non-empty [n_mel] vector, got shape {mean.shape}")
    if frames < 1:
        raise ValueError(f"frames must be at least 1, got {frames}")
    return np.repeat(mean[:, None], frames, axis=1)


def copy_synthesis_scores(reference_audio: Any, generated_audio: Any, sample_rate: int) -> dict[str, float]:
    """PESQ (wide-band, at 16 kHz) and STOI of ``generated_audio`` against ``reference_audio``.

    Both are cut to the shorter of the two first (vocoders return ``frames * hop`` samples).

    Returns:
        ``{"pesq": 1.0-4.64, "stoi": 0-1}``.

    Raises:
        TTSError: the packages are missing, or the pair cannot be scored (too short, silent,
            non-finite samples, no speech found by PESQ).
    """
    try:
        import pesq as pesq_module
        import pystoi
        import soxr
    except ImportError as exc:
        raise TTSError(f"copy-synthesis scores need pesq, pystoi and soxr ({exc}); {EVAL_EXTRA_HINT}") from None
    reference = _as_audio(reference_audio, "reference_audio")
    generated = _as_audio(generated_audio, "generated_audio")
    n = min(reference.size, generated.size)
    reference, generated = reference[:n], generated[:n]
    if n < sample_rate // 4:
        raise TTSError(f"audio too short to score: {n} samples ({n / sample_rate:.2f} s); need at least 0.25 s")
    for audio, what in ((reference, "reference"), (generated, "generated")):
        if not np.isfinite(audio).all():
            raise TTSError(f"the {what} audio holds NaN or infinite samples")
        if not np.any(audio):
            raise TTSError(f"the {what} audio is silent (all zeros): PESQ cannot score it")
    if sample_rate != PESQ_RATE:
        ref16 = soxr.resample(reference, sample_rate, PESQ_RATE, quality="HQ")
        deg16 = soxr.resample(generated, sample_rate, PESQ_RATE, quality="HQ")
    else:
        ref16, deg16 = reference, generated
    try:
        pesq_score = float(pesq_module.pesq(PESQ_RATE, ref16.astype(np.float64), deg16.astype(np.float64), "wb"))
    except pesq_module.NoUtterancesError:
        raise TTSError("PESQ found no speech in the reference audio") from None
    except pesq_module.PesqError as exc:
        raise TTSError(f"PESQ cannot score this audio: {type(exc).__name__}: {exc}") from None
    stoi_score = float(pystoi.stoi(reference, generated, sample_rate, extended=False))
    return {"pesq": pesq_score, "stoi": stoi_score}


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
    ceps = mel_cepstrum(_as_mel(log_mel, "log_mel"), ID_CEPS + 1)[1:]
    if ceps.shape[1] == 0:
        raise ValueError("cannot identify an empty mel (0 frames)")
    ceps = ceps - ceps.mean(axis=1, keepdims=True)
    padded = np.pad(ceps, ((0, 0), (ID_DELTA_SPAN, ID_DELTA_SPAN)), mode="edge")
    frames = ceps.shape[1]
    delta = sum(k * (padded[:, ID_DELTA_SPAN + k: ID_DELTA_SPAN + k + frames]
                     - padded[:, ID_DELTA_SPAN - k: ID_DELTA_SPAN - k + frames])
                for k in range(1, ID_DELTA_SPAN + 1))
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

    samples = torch.from_numpy(_as_audio(audio, "audio").astype(np.float32))
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


def distance_matrix(outputs: Sequence[np.ndarray], references: Sequence[np.ndarray], progress: bool = False,
                    desc: str = "dtw") -> np.ndarray:
    """:func:`dtw_distance` of every output to every reference: ``[len(outputs), len(references)]``.

    One matrix product per output gives its frame distances to all references, and librosa's
    compiled DTW aligns each pair: 60 x 60 sentences of about 250 frames took 10 s on this
    project's 2-core machine with training running beside it."""
    from tqdm import tqdm

    stacked = np.concatenate(references).astype(np.float64)
    bounds = np.cumsum([0] + [len(r) for r in references])
    distances = np.empty((len(outputs), len(references)))
    for row, output in enumerate(tqdm(outputs, desc=desc, unit="sentence", disable=not progress)):
        cost = _euclidean(np.asarray(output, np.float64), stacked)
        for column in range(len(references)):
            distances[row, column] = _dtw(cost[:, bounds[column]: bounds[column + 1]])
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
            "sentences": n, "candidates": self.candidates, "identified": int(self.identified.sum()),
            "identified_fraction": round(float(self.identified.mean()), 4), "chance": round(1.0 / self.candidates, 4),
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
    return Identification(identified=right < nearest_wrong, rank=rank,
                          right_wrong=right / np.nanmean(wrong, axis=1), candidates=candidates)


def calibrate_identification(references: Sequence[Reference], mean_frame: np.ndarray, mel_config: Any, trim: Any,
                             progress: bool = False) -> dict[str, Any]:
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
        features = [audio_features(griffin_lim(mel, mel_config, n_iter=ITERATIONS, seed=VOCODER_SEED),
                                   mel_config, trim)
                    for mel in tqdm(outputs, desc=f"calibration {name}", unit="sentence", disable=not progress)]
        distances[name] = distance_matrix(features, reference_features)
    n = len(references)
    other = np.roll(np.arange(n), -1)  # output i is sentence i + 1's
    floor_other = distances["ceiling_griffinlim"][other].copy()
    floor_other[np.arange(n), other] = np.nan
    distances["floor_other_sentence"] = floor_other
    order = ("ceiling_griffinlim", "floor_mean_frame", "floor_other_sentence", "shuffled_frames")
    return {name: identify(distances[name]).summary() for name in order}


def _as_mel(mel: Any, name: str) -> np.ndarray:
    if hasattr(mel, "detach"):
        mel = mel.detach().float().cpu().numpy()
    mel = np.asarray(mel, dtype=np.float64)
    if mel.ndim != 2:
        raise ValueError(f"{name} must be [n_mel, frames], got shape {mel.shape}")
    return mel


def _as_audio(audio: Any, name: str) -> np.ndarray:
    if hasattr(audio, "detach"):
        audio = audio.detach().float().cpu().numpy()
    audio = np.asarray(audio, dtype=np.float64)
    if audio.ndim != 1:
        raise ValueError(f"{name} must be mono [T], got shape {audio.shape}")
    return audio


# -- held-out sentences and their references -----------------------------------------------------


def held_out_sentences(language: str, count: int, exclude: Collection[str], seed: int = HELD_OUT_SEED,
                       normalized_exclude: Collection[str] = ()) -> list[str]:
    """``count`` phrasebook sentences of ``language`` (as typed) that are not in ``exclude``.

    They are the first sentences of ``generate_sentences(language, n, seed)`` whose text is not
    in ``exclude`` (the training transcripts) and, when ``normalized_exclude`` is given, whose
    normalization (``text.normalize``) is not in it either (the normalized texts of a prepared
    training set). The same arguments give the same sentences.

    Raises:
        TTSError: unknown language, or the phrasebook has fewer than ``count`` sentences left.
    """
    import text
    from tts.corpora.sentences import generate_sentences, languages

    if language not in languages():
        raise TTSError(f"no sentences for language {language!r}; choose one of {', '.join(languages())}")
    if count < 1:
        raise TTSError(f"the number of sentences must be at least 1, got {count}")
    exclude = set(exclude)
    normalized_exclude = set(normalized_exclude)
    verdicts: dict[str, bool] = {}

    def keep(sentence_text: str) -> bool:
        if sentence_text not in verdicts:
            verdicts[sentence_text] = sentence_text not in exclude and (
                not normalized_exclude or text.normalize(sentence_text, language) not in normalized_exclude)
        return verdicts[sentence_text]

    # The first n sentences do not depend on how many are asked for, so growing n only extends
    # the list; count + |exclude| always suffices, if the phrasebook can make that many. When it
    # cannot make n, the most it can make is searched for between the last n it made and n.
    limit = count + len(exclude) + len(normalized_exclude)
    n, kept = min(limit, 2 * count + 20), []
    made, too_many = 0, None
    while True:
        try:
            candidates = generate_sentences(language, n, seed)
        except TTSError:  # the phrasebook cannot make n distinct sentences
            too_many = n
        else:
            made, kept = n, [s.text for s in candidates if keep(s.text)]
            if len(kept) >= count or n >= limit:
                break
        if too_many is None:
            n = min(limit, 2 * n)
        elif too_many - made > 1:
            n = (made + too_many) // 2
        else:
            break
    if len(kept) < count:
        raise TTSError(f"the {language} phrasebook cannot give {count} sentences outside the training set "
                       f"({len(kept)} found); ask for fewer with --sentences")
    return kept[:count]


def training_texts(corpus: str | Path | None = None, data_dir: str | Path | None = None) -> tuple[set[str], set[str]]:
    """Transcripts a voice was trained on: raw ones from a ``manifest`` corpus and normalized ones
    from a prepared directory (``train.tsv`` and ``val.tsv``). Returns ``(raw, normalized)``."""
    raw: set[str] = set()
    normalized: set[str] = set()
    if corpus is not None:
        from tts.corpora import read_corpus

        result = read_corpus("manifest", str(corpus))
        raw.update(u.text for u in result.utterances)
    if data_dir is not None:
        from tts.training.data import read_split

        for split in ("train", "val"):
            if (Path(data_dir) / f"{split}.tsv").is_file():
                normalized.update(item.text for item in read_split(data_dir, split))
    return raw, normalized


@dataclass(frozen=True)
class Reference:
    """A held-out sentence and espeak-ng's rendering of it, trimmed like training audio."""

    text: str  # as typed
    normalized: str  # what the voice reads and espeak-ng speaks
    wav: Path  # the cached, untrimmed espeak-ng output
    audio: np.ndarray  # trimmed, float32 [T]
    mel: np.ndarray  # [n_mel, frames] of the trimmed audio


def make_references(sentences: Sequence[str], language: str, mel_config: Any, workdir: str | Path,
                    style_index: int = 0, trim: Any = None, progress: bool = False) -> list[Reference]:
    """espeak-ng's rendering of each sentence, made as the synthetic corpus makes its clips.

    The voice is ``VOICES[language]`` with ``SPEAKER_STYLES[style_index]``; the text spoken is
    ``text.normalize(sentence, language)``. Wavs are cached in ``workdir/references`` by their
    settings, engine version and text, so a second evaluation speaks nothing again. The audio is trimmed like
    ``tts prepare`` trims training clips (``trim``: a :class:`tts.prepare.PrepareConfig`).
    """
    import text
    from tqdm import tqdm

    from base.audio import load_wav, mel_spectrogram
    from tts.corpora.synthetic import AMPLITUDE, SPEAKER_STYLES, VOICES, espeak_version, speak
    from tts.prepare import PrepareConfig, _trim

    if language not in VOICES:
        raise TTSError(f"no espeak-ng reference voice for language {language!r}; choose one of {', '.join(VOICES)}")
    if not 0 <= style_index < len(SPEAKER_STYLES):
        raise TTSError(f"reference style must be between 0 and {len(SPEAKER_STYLES) - 1}, got {style_index}")
    trim = trim or PrepareConfig()
    style, espeak_voice = SPEAKER_STYLES[style_index], VOICES[language]
    # The engine's version names the folder too: another espeak-ng speaks differently, and a
    # cached reference must be what this one says.
    engine = re.sub(r"[^a-z0-9.]+", "-", espeak_version().lower()).strip("-")
    folder = Path(workdir) / "references" / language / f"{style.name(espeak_voice)}_a{AMPLITUDE}_{engine}"
    folder.mkdir(parents=True, exist_ok=True)
    references = []
    for sentence in tqdm(sentences, desc=f"references {language}", unit="sentence", disable=not progress):
        spoken = text.normalize(sentence, language)
        wav = folder / f"{hashlib.sha1(spoken.encode('utf-8')).hexdigest()[:20]}.wav"
        if not wav.is_file():
            # Spoken to a file of this process's own, then renamed: evaluations sharing a
            # workdir never read each other's half-written references.
            with atomic_path(wav, suffix=".tmp.wav") as tmp:
                speak(spoken, espeak_voice, style, tmp)
        audio = _trim(load_wav(wav, mel_config.sampling_rate), mel_config.sampling_rate, trim)
        mel = mel_spectrogram(audio, mel_config).numpy()
        references.append(Reference(sentence, spoken, wav, audio.numpy(), mel))
    return references


def reference_style(voice: Any, speaker: int) -> int:
    """The espeak-ng speaker style that spoke the voice's speaker ``speaker`` in its synthetic
    corpus (matched by the speaker's name, e.g. ``hi_f3_p65_s150``); 0 when it is not one."""
    from tts.corpora.synthetic import SPEAKER_STYLES

    speakers = list(getattr(voice, "speakers", None) or getattr(voice.manifest, "speakers", []) or [])
    if 0 <= speaker < len(speakers):
        name = str(speakers[speaker])
        for index, style in enumerate(SPEAKER_STYLES):
            if name.endswith("_" + style.name("x").split("_", 1)[1]):
                return index
    return 0


# -- the driver ---------------------------------------------------------------------------------


def evaluate_voice(
    voice: Any,
    languages: Sequence[str] | None = None,
    sentences: int | None = None,
    workdir: str | Path | None = None,
    progress: bool = True,
    speaker: int = 0,
    data_dir: str | Path | None = None,
    corpus: str | Path | None = None,
    style: int | None = None,
    vocoder_sentences: int | None = None,
    seed: int = HELD_OUT_SEED,
    batch_size: int = 8,
    compare: Mapping[str, Any] | None = None,
    acoustic: bool = True,
    sentence_set: str = "unseen",
    calibrate: bool = False,
) -> dict[str, Any]:
    """Evaluate ``voice`` (a :class:`tts.voice.Voice`) on sentences it never saw (module docstring).

    Args:
        voice: the loaded voice (``mel``, ``vocode``, ``vocoder_kind``, ``manifest``, ``mel_config``, ...).
        languages: languages to evaluate; default every language the voice speaks.
        sentences: sentences per language: the first ``sentences`` of the unseen set (default
            all of them), or that many held-out phrasebook sentences (default 50).
        workdir: where references are cached (default: a temporary folder, deleted after).
        speaker: the voice's speaker index to synthesize with.
        data_dir: the prepared training data: the baseline's mean frame when ``voice.json``
            records none, its transcripts are excluded, its trim settings are used.
            Default: ``training.data_dir`` of ``voice.json`` when that folder exists.
        corpus: the training corpus (``manifest.tsv``) whose transcripts to exclude. Default:
            ``<data_dir>/../corpus/manifest.tsv``, else ``data/<voice name>/corpus/manifest.tsv``,
            when it exists.
        style: espeak-ng speaker style of the references; default the one matching the voice's
            speaker name (a synthetic corpus speaker), else 0.
        vocoder_sentences: how many of the first language's references the vocoders copy-
            synthesize (default all of them). The vocoder comparison is done once per voice, on
            the first language: a vocoder never sees the text.
        seed: seed of the held-out sentences (training corpora use 0); the unseen set has none.
        compare: more vocoders to copy-synthesize the same references with, by name: voices
            that differ from ``voice`` only in their WaveGlow (:meth:`tts.voice.Voice.with_vocoder`).
        acoustic: score the acoustic model (MCD, identification, gate stops); False scores the
            vocoders alone, on references of the first language only.
        sentence_set: ``"unseen"`` (:mod:`tts.evalsets`, written for evaluation) or ``"heldout"``
            (phrasebook sentences outside the training transcripts).
        calibrate: also identify outputs of known quality (:func:`calibrate_identification`)
            in each evaluated language.

    Returns:
        ``{"voice", "path", "settings", "languages": {lang: {...}}, "vocoder": {...},
        "seconds"}``, and ``"calibration": {lang: {...}}`` with ``calibrate``; ``vocoder`` holds
        ``waveglow`` and ``griffinlim`` and, with ``compare``, ``compared`` (name -> the same
        scores).
    """
    import tempfile

    started = time.monotonic()
    if sentence_set not in SENTENCE_SETS:
        raise TTSError(f"unknown sentence set {sentence_set!r}; choose one of {', '.join(SENTENCE_SETS)}")
    if sentences is not None and sentences < (2 if acoustic else 1):
        # Identification picks each output's sentence among the language's sentences.
        raise TTSError(f"--sentences must be at least {2 if acoustic else 1}"
                       f"{' (identification picks among them)' if acoustic else ''}, got {sentences}")
    if sentence_set == "heldout" and sentences is None:
        sentences = HELD_OUT_SENTENCES
    manifest = voice.manifest
    name = getattr(voice, "name", None) or manifest.name
    codes = _languages(voice, languages, sentence_set)
    if not acoustic:
        codes = codes[:1]
    data_dir = _data_dir(manifest, data_dir)
    corpus = _corpus(name, data_dir, corpus)
    mean_frame, baseline_source = _mean_frame(manifest, data_dir, voice.mel_config.n_mel_channels)
    trim = _trim_config(data_dir)
    raw_exclude, normalized_exclude = training_texts(corpus, data_dir)
    if not raw_exclude and not normalized_exclude:
        log.warning("no training transcripts found (pass --corpus or --data-dir): %s",
                    "held-out sentences may include training sentences" if sentence_set == "heldout"
                    else "cannot check that the unseen sentences were not trained on")
    from tts.corpora.synthetic import AMPLITUDE, SPEAKER_STYLES, espeak_version
    from tts.evalsets import UNSEEN_SET

    style_index = reference_style(voice, speaker) if style is None else style
    if not 0 <= style_index < len(SPEAKER_STYLES):
        raise TTSError(f"--style must be between 0 and {len(SPEAKER_STYLES) - 1}, got {style_index}")
    default_vocoder = getattr(voice, "vocoder_kind", "waveglow")

    settings = {
        "set": UNSEEN_SET if sentence_set == "unseen" else "heldout",
        "sentences": sentences if sentences is not None else "all",
        "sentence_seed": seed if sentence_set == "heldout" else None, "speaker": speaker,
        "excluded": {"corpus": str(corpus) if corpus else None, "data_dir": str(data_dir) if data_dir else None,
                     "transcripts": len(raw_exclude), "normalized_transcripts": len(normalized_exclude)},
        "reference": {"engine": espeak_version(), "style": style_index,
                      "variant": SPEAKER_STYLES[style_index].variant, "pitch": SPEAKER_STYLES[style_index].pitch,
                      "rate": SPEAKER_STYLES[style_index].rate, "amplitude": AMPLITUDE,
                      "trim_top_db": trim.trim_top_db, "trim_margin": trim.trim_margin},
        "mcd": {"n_ceps": N_CEPS, "c0": "excluded", "cepstrum": "orthonormal DCT-II of the natural-log mel",
                "alignment": "DTW (librosa.sequence.dtw), mean over the path"},
        "identification": {
            "features": f"c1-c{ID_CEPS} of the log-mel of the trimmed audio, utterance mean removed, "
                        f"and their deltas (+-{ID_DELTA_SPAN} frames)",
            "distance": "DTW, steps (1,1) x2, (1,0), (0,1); accumulated Euclidean cost / (frames + frames - 1)",
            "identified": "the right reference is strictly the nearest of the language's references",
            "right_wrong_ratio": "mean over sentences of distance to the right reference / mean distance "
                                 "to the wrong ones",
            "vocoders": _identification_vocoders(default_vocoder),
        },
        "default_vocoder": default_vocoder,
        "baseline": {"source": baseline_source},
        "mel_config": voice.mel_config.to_dict(),
        "waveglow": {"sigma": WAVEGLOW_SIGMA, "seed": VOCODER_SEED, "denoise": 0.0},
        "griffinlim": {"n_iter": ITERATIONS, "seed": VOCODER_SEED},
        "postfilter": float(getattr(voice, "postfilter", 1.0)),
        "pesq": f"wide-band, references and outputs resampled to {PESQ_RATE} Hz (soxr HQ)",
        "stoi": "classic (extended=False) at the voice's sample rate",
    }
    result: dict[str, Any] = {"voice": name, "path": _shown_path(getattr(voice, "path", "")), "settings": settings,
                              "languages": {}}
    if calibrate:
        result["calibration"] = {}
    with tempfile.TemporaryDirectory(prefix="tts-eval-") as scratch:
        folder = Path(workdir) if workdir is not None else Path(scratch)
        first_references = None
        for code in codes:
            texts = _sentences(sentence_set, code, sentences, seed, raw_exclude, normalized_exclude)
            references = make_references(texts, code, voice.mel_config, folder, style_index, trim, progress)
            if acoustic:
                result["languages"][code] = _score_language(voice, code, references, mean_frame, speaker,
                                                            batch_size, progress, trim)
                if sentence_set == "unseen":
                    result["languages"][code]["in_training"] = _trained_on(code, texts, raw_exclude,
                                                                           normalized_exclude)
            if calibrate:
                result["calibration"][code] = calibrate_identification(references, mean_frame, voice.mel_config,
                                                                       trim, progress)
            if first_references is None:
                first_references = (code, references)
        code, references = first_references
        result["vocoder"] = _score_vocoders(voice, code, references[:vocoder_sentences], progress, compare or {})
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


def _sentences(sentence_set: str, language: str, count: int | None, seed: int, raw_exclude: set[str],
               normalized_exclude: set[str]) -> list[str]:
    """The evaluation sentences of ``language``: the first ``count`` of the unseen set, or
    ``count`` held-out phrasebook sentences."""
    if sentence_set == "heldout":
        return held_out_sentences(language, count, raw_exclude, seed, normalized_exclude)
    from tts.evalsets import UNSEEN_SET, unseen_sentences

    texts = unseen_sentences(language)
    if count is not None and count > len(texts):
        raise TTSError(f"--sentences {count}: the {UNSEEN_SET} set has {len(texts)} {language} sentences; "
                       f"ask for at most {len(texts)}")
    return texts[:count]


def _trained_on(language: str, texts: Sequence[str], raw: set[str], normalized: set[str]) -> int:
    """How many of the unseen ``texts`` are among the training transcripts (should be none):
    a voice trained on them would be scored on sentences it has learned."""
    import text

    found = sum(t in raw or text.normalize(t, language) in normalized for t in texts)
    if found:
        log.warning("%d of the %d unseen %s sentences are in the voice's training transcripts: its scores "
                    "overstate how it reads new text", found, len(texts), language)
    return found


def _identification_vocoders(default_vocoder: str) -> list[str]:
    """The vocoders whose audio is identified: the voice's default, then Griffin-Lim (once, when
    it is the default)."""
    return [default_vocoder] if default_vocoder == "griffinlim" else [default_vocoder, "griffinlim"]


def _score_language(voice: Any, language: str, references: list[Reference], mean_frame: np.ndarray,
                    speaker: int, batch_size: int, progress: bool, trim: Any) -> dict[str, Any]:
    """MCD, gate stops and sentence identification (per vocoder) of the voice on ``references``."""
    from tqdm import tqdm

    vocoders: dict[str, Callable[[np.ndarray], np.ndarray]] = {}
    for kind in _identification_vocoders(getattr(voice, "vocoder_kind", "waveglow")):
        if kind == "griffinlim":
            vocoders[kind] = lambda mel: griffin_lim(mel, voice.mel_config, n_iter=ITERATIONS,
                                                     seed=VOCODER_SEED)
        else:
            vocoders[kind] = lambda mel: voice.vocode(mel,
                                                      sigma=WAVEGLOW_SIGMA, seed=VOCODER_SEED)
    items = []
    features: dict[str, list[np.ndarray]] = {kind: [] for kind in vocoders}
    with tqdm(total=len(references), desc=f"synthesis {language}", unit="sentence", disable=not progress) as bar:
        for first in range(0, len(references), batch_size):
            batch = references[first: first + batch_size]
            outputs = voice.mel([r.normalized for r in batch], language, speaker)
            for reference, (mel, stopped) in zip(batch, outputs):
                mel = _as_mel(mel, "voice mel")
                baseline = mean_frame_baseline(mean_frame, reference.mel.shape[1])
                items.append({
                    "text": reference.text, "normalized": reference.normalized,
                    "mcd_voice": round(mcd_dtw(mel, reference.mel), 4),
                    "mcd_baseline": round(mcd_dtw(baseline, reference.mel), 4),
                    "stopped_by_gate": bool(stopped), "frames": int(mel.shape[1]),
                    "reference_frames": int(reference.mel.shape[1]),
                })
                # Identified is what the voice says: its mel postfiltered as synthesis does (the
                # MCD above is the acoustic model's own prediction).
                spoken = postfilter(mel, getattr(voice, "postfilter", 1.0))
                for kind, vocode in vocoders.items():
                    features[kind].append(audio_features(vocode(spoken), voice.mel_config, trim))
                bar.update()
    reference_features = [identification_features(r.mel) for r in references]
    identification = {}
    for kind, outputs in features.items():
        found = identify(distance_matrix(outputs, reference_features, progress, desc=f"identification {kind}"))
        identification[kind] = found.summary()
        for item, identified, rank, ratio in zip(items, found.identified, found.rank, found.right_wrong):
            item.setdefault("identification", {})[kind] = {"identified": bool(identified), "rank": int(rank),
                                                           "right_wrong": round(float(ratio), 4)}
    mcd_voice = float(np.mean([i["mcd_voice"] for i in items]))
    mcd_baseline = float(np.mean([i["mcd_baseline"] for i in items]))
    stopped = sum(i["stopped_by_gate"] for i in items)
    return {
        "sentences": len(items), "stopped_by_gate": stopped, "hit_limit": len(items) - stopped,
        "mcd_voice": round(mcd_voice, 4), "mcd_baseline": round(mcd_baseline, 4),
        "mcd_ratio": round(mcd_voice / mcd_baseline, 4) if mcd_baseline > 0 else None,
        "identification": identification,
        "items": items,
    }


def _score_vocoders(voice: Any, language: str, references: list[Reference], progress: bool,
                    compare: Mapping[str, Any]) -> dict[str, Any]:
    """Copy synthesis of ``references`` by the voice's WaveGlow, Griffin-Lim and the voices of
    ``compare``; every WaveGlow with the same latent noise."""
    from tqdm import tqdm

    def waveglow(v: Any) -> Callable[[Reference], np.ndarray]:
        if v.vocoder_kind != "waveglow":  # a voice that defaults to Griffin-Lim
            v = v.using("waveglow")
        return lambda ref: v.vocode(ref.mel, sigma=WAVEGLOW_SIGMA,
                                    seed=VOCODER_SEED)

    vocoders: dict[str, Callable[[Reference], np.ndarray]] = {
        "waveglow": waveglow(voice),
        "griffinlim": lambda ref: griffin_lim(ref.mel, voice.mel_config, n_iter=ITERATIONS, seed=VOCODER_SEED),
    }
    vocoders.update({f"compared:{name}": waveglow(v) for name, v in compare.items()})
    rate = voice.sample_rate
    scores: dict[str, list[dict[str, float]]] = {kind: [] for kind in vocoders}
    failures: dict[str, list[str]] = {kind: [] for kind in vocoders}
    for reference in tqdm(references, desc="copy synthesis", unit="sentence", disable=not progress):
        for kind, vocode in vocoders.items():
            try:
                scores[kind].append(copy_synthesis_scores(reference.audio, vocode(reference), rate))
            except TTSError as exc:
                failures[kind].append(f"{reference.text[:40]!r}: {exc}")

    def summary(kind: str) -> dict[str, Any]:
        done = scores[kind]
        return {
            "pesq": round(float(np.mean([s["pesq"] for s in done])), 4) if done else None,
            "stoi": round(float(np.mean([s["stoi"] for s in done])), 4) if done else None,
            "scored": len(done), "failed": failures[kind][:5],
        }

    result: dict[str, Any] = {"language": language, "sentences": len(references),
                              "waveglow": summary("waveglow"), "griffinlim": summary("griffinlim")}
    if compare:
        result["compared"] = {name: summary(f"compared:{name}") for name in compare}
    return result


def _shown_path(path: str | os.PathLike) -> str:
    """``path`` relative to the working directory when it lies inside it: results files then
    name the voice the same way on every machine."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _languages(voice: Any, languages: Sequence[str] | None, sentence_set: str) -> list[str]:
    from tts.corpora.sentences import languages as phrasebook_languages
    from tts.corpora.synthetic import VOICES
    from tts.evalsets import UNSEEN_LANGUAGES, UNSEEN_SET

    spoken = list(getattr(voice, "languages", None) or voice.manifest.languages)
    if not languages:
        codes = spoken
    else:
        codes = []
        for language in languages:
            code = voice.text_processor.language(language)  # resolves aliases; TTSError if not spoken
            if code not in codes:
                codes.append(code)
    available = UNSEEN_LANGUAGES if sentence_set == "unseen" else phrasebook_languages()
    what = f"{UNSEEN_SET} sentences" if sentence_set == "unseen" else "held-out sentences"
    unsupported = [c for c in codes if c not in available or c not in VOICES]
    if unsupported:
        raise TTSError(f"cannot evaluate {', '.join(unsupported)}: {what} and espeak-ng references "
                       f"exist for {', '.join(c for c in available if c in VOICES)} only")
    return codes


def _data_dir(manifest: Any, data_dir: str | Path | None) -> Path | None:
    if data_dir is not None:
        data_dir = Path(data_dir)
        if not (data_dir / "train.tsv").is_file():
            raise TTSError(f"{data_dir}: not a prepared data directory (no train.tsv); run `tts prepare` first")
        return data_dir
    recorded = (manifest.training or {}).get("data_dir")
    if recorded and (Path(recorded) / "train.tsv").is_file():
        return Path(recorded)
    return None


def _corpus(name: str, data_dir: Path | None, corpus: str | Path | None) -> Path | None:
    if corpus is not None:
        corpus = Path(corpus)
        if corpus.is_dir():
            corpus = corpus / "manifest.tsv"
        if not corpus.is_file():
            raise TTSError(f"{corpus}: no such corpus manifest")
        return corpus
    candidates = ([data_dir.parent / "corpus" / "manifest.tsv"] if data_dir else []) + \
        [Path("data") / name / "corpus" / "manifest.tsv"]
    return next((c for c in candidates if c.is_file()), None)


def _mean_frame(manifest: Any, data_dir: Path | None, n_mel: int) -> tuple[np.ndarray, str]:
    recorded = (manifest.training or {}).get("mel_mean")
    if recorded is not None:
        mean, source = np.asarray(recorded, dtype=np.float64), "voice.json training.mel_mean"
    elif data_dir is not None:
        from tts.bundle import mean_mel_frame

        mean, source = np.asarray(mean_mel_frame(data_dir), dtype=np.float64), f"mean frame of {data_dir}/train.tsv"
    else:
        raise TTSError(f"voice {manifest.name!r} records no mean mel frame (training.mel_mean) for the baseline; "
                       "pass --data-dir with its prepared training data")
    if mean.shape != (n_mel,):
        raise TTSError(f"the baseline's mean frame ({source}) has {mean.size} values, the voice's mels {n_mel}")
    return mean, source


def _trim_config(data_dir: Path | None) -> Any:
    """The training data's trim settings (``prepare.json``), else ``tts prepare``'s defaults."""
    from tts.prepare import PrepareConfig

    if data_dir is not None and (data_dir / "prepare.json").is_file():
        try:
            values = json.loads((data_dir / "prepare.json").read_text(encoding="utf-8"))["prepare_config"]
            return PrepareConfig.from_dict(values)
        except (KeyError, TypeError, ValueError, json.JSONDecodeError):
            log.warning("%s: unreadable prepare settings; trimming with the defaults", data_dir / "prepare.json")
    return PrepareConfig()
