"""Preparing a corpus for training: validated, trimmed audio, normalized text, cached mels.

For every utterance a corpus reader returns, :func:`prepare_corpus`

* normalizes the transcript with the text frontend (dropping it if nothing speakable is left),
  and for a phoneme voice (``text_input="phonemes"``) turns it into espeak-ng IPA
  (:func:`text.to_phonemes`), which is what the prepared manifests then hold;
* reads the audio (resampled to the mel config's rate, mono), refuses unreadable, silent, too
  short or too long clips, counts clipped samples, and trims leading and trailing silence
  (untrimmed silence is the first cause of attention failures and of decoding that never
  stops);
* writes the trimmed audio and its mel-spectrogram (``base.audio``) into the prepared layout of
  :mod:`tts.training.data`, in parallel with a progress bar.

Finished utterances are skipped on a second run, so a run killed half-way continues where it
stopped; manifests and the report are written atomically at the end. Train/validation split is
a fixed-seed shuffle.
"""

from __future__ import annotations

import json
import logging
import os
import random
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from base.audio import MelConfig, load_wav, mel_spectrogram, save_wav
from base.config import DictConfig
from base.errors import AudioError, TTSError
from base.files import atomic_path
from tts.corpora import Utterance, read_corpus
from tts.corpora.registry import get_reader
from tts.text_processor import TEXT_INPUTS
from tts.training.data import PreparedUtterance, write_split

log = logging.getLogger(__name__)

SETTINGS_FILE = "prepare.json"
REPORT_FILE = "report.json"


@dataclass(frozen=True)
class PrepareConfig(DictConfig):
    """Settings of data preparation."""

    min_duration: float = 0.3  # seconds, after trimming
    max_duration: float = 20.0
    trim_top_db: float = 40.0  # silence = this many dB below the clip's peak
    trim_margin: float = 0.05  # seconds of silence left at each end
    silence_peak: float = 1e-3  # a clip whose peak is below this is silent
    clip_level: float = 0.999  # samples at or above this magnitude count as clipped
    max_clipped_fraction: float = 0.01  # more clipped samples than this drops the clip
    val_fraction: float = 0.05
    min_val: int = 1
    seed: int = 1234
    mel_config: dict = field(default_factory=lambda: MelConfig().to_dict())

    @property
    def mel(self) -> MelConfig:
        return MelConfig.from_dict(self.mel_config)


@dataclass(frozen=True)
class _Outcome:
    """What happened to one utterance."""

    utt_id: str
    kept: PreparedUtterance | None = None
    reason: str | None = None
    seconds: float = 0.0
    clipped_samples: int = 0


def prepare_corpus(
    corpus_format: str,
    corpus_path: str | os.PathLike,
    lang: str,
    out_dir: str | os.PathLike,
    config: PrepareConfig = PrepareConfig(),
    workers: int = 1,
    force: bool = False,
    text_input: str = "characters",
    **reader_options: Any,
) -> dict[str, Any]:
    """Prepare ``corpus_path`` (read as ``corpus_format``) into ``out_dir``; returns the report.

    ``text_input`` is what the acoustic model will read: ``characters`` (the normalized text,
    with ``lang``'s symbol table) or ``phonemes`` (its IPA, with the phoneme table).
    """
    import text  # the shell composes the frontend; the base of tts never imports it

    get_reader(corpus_format)  # an unknown format is reported before anything else
    if text_input not in TEXT_INPUTS:
        raise TTSError(f"unknown text input {text_input!r}; choose one of {', '.join(TEXT_INPUTS)}")
    lang_code = text.resolve_language(lang).code
    out_dir = Path(out_dir)
    settings = {
        "prepare_config": config.to_dict(),
        "mel_config": config.mel_config,
        "language": lang_code,
        "text_input": text_input,
        "symbols": list(text.PHONEME_SYMBOLS) if text_input == "phonemes" else text.symbols(lang_code),
        "corpus": {"format": corpus_format, "path": str(corpus_path), "options": reader_options},
    }
    _check_settings(out_dir, settings, force)

    corpus = read_corpus(corpus_format, corpus_path, **reader_options)
    if not corpus.utterances:
        raise TTSError(f"{corpus_path}: the {corpus_format} corpus has no usable utterances")
    duplicates = [u for u, n in Counter(u.utt_id for u in corpus.utterances).items() if n > 1]
    if duplicates:
        raise TTSError(f"{corpus_path}: utterance ids are not unique: {duplicates[:5]}")
    (out_dir / "audio").mkdir(parents=True, exist_ok=True)
    (out_dir / "mels").mkdir(exist_ok=True)
    (out_dir / SETTINGS_FILE).write_text(json.dumps(settings, indent=2, ensure_ascii=False), encoding="utf-8")

    jobs = [(u, lang_code, out_dir, config, text_input) for u in corpus.utterances]
    outcomes = _run_jobs(jobs, workers)

    kept = [o.kept for o in outcomes if o.kept is not None]
    if len(kept) < 2:
        raise TTSError(
            f"{corpus_path}: only {len(kept)} utterance(s) survived preparation; see {out_dir / REPORT_FILE}"
        )
    train, val = _split(kept, config)
    write_split(out_dir, "train", train)
    write_split(out_dir, "val", val)
    report = _report(corpus, outcomes, train, val, config)
    tmp = out_dir / f".{REPORT_FILE}.tmp"
    tmp.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, out_dir / REPORT_FILE)
    return report


def _check_settings(out_dir: Path, settings: dict, force: bool) -> None:
    """Refuse to mix caches made with other settings into one prepared directory."""
    path = out_dir / SETTINGS_FILE
    if not path.is_file() or force:
        return
    previous = json.loads(path.read_text(encoding="utf-8"))
    previous.setdefault("text_input", "characters")  # prepared before phoneme input existed
    current = json.loads(json.dumps(settings))
    # One corpus, given once relative and once absolute (or through a symlink), is the same corpus.
    for record in (previous, current):
        corpus = record.get("corpus")
        if isinstance(corpus, dict) and isinstance(corpus.get("path"), str):
            record["corpus"] = {**corpus, "path": os.path.realpath(corpus["path"])}
    changed = sorted(k for k in settings if previous.get(k) != current[k])
    if changed:
        raise TTSError(
            f"{out_dir} was prepared with other settings ({', '.join(changed)} differ); "
            "choose another --out, or pass --force to redo it with the new settings"
        )


def _run_jobs(jobs: list[tuple], workers: int) -> list[_Outcome]:
    from tqdm import tqdm

    bar = dict(total=len(jobs), desc="prepare", unit="utt", dynamic_ncols=True)
    if workers <= 1:
        return [_prepare_one(*job) for job in tqdm(jobs, **bar)]
    with ProcessPoolExecutor(max_workers=workers, initializer=_worker_init) as pool:
        return list(tqdm(pool.map(_prepare_one_packed, jobs, chunksize=8), **bar))


def _worker_init() -> None:
    import torch

    torch.set_num_threads(1)  # the parallelism is across processes


def _prepare_one_packed(job: tuple) -> _Outcome:
    return _prepare_one(*job)


def _prepare_one(utt: Utterance, lang: str, out_dir: Path, config: PrepareConfig, text_input: str) -> _Outcome:
    import text

    language = lang
    if utt.language:
        try:
            language = text.resolve_language(utt.language).code
        except text.TextError:
            return _Outcome(utt.utt_id, reason=f"unknown language {utt.language!r}")
    try:
        normalized = text.normalize(utt.text, language)
    except text.TextError as exc:
        return _Outcome(utt.utt_id, reason=f"text: {exc}")
    if not normalized.strip():
        return _Outcome(utt.utt_id, reason="text: nothing speakable")
    if text_input == "phonemes":
        try:
            normalized = text.to_phonemes(normalized)
        except text.TextError as exc:
            return _Outcome(utt.utt_id, reason=f"phonemes: {exc}")

    name = _safe_name(utt.utt_id)
    audio_path, mel_path = out_dir / "audio" / f"{name}.wav", out_dir / "mels" / f"{name}.npy"
    mel_config = config.mel
    if mel_path.is_file() and audio_path.is_file():  # finished by an earlier run, unless damaged since
        n_frames = _cached_frames(mel_path, audio_path, mel_config)
        if n_frames is not None:
            seconds = (n_frames - 1) * mel_config.hop_length / mel_config.sampling_rate
            return _Outcome(
                utt.utt_id, _kept(utt, audio_path, mel_path, normalized, language, n_frames), seconds=seconds
            )

    try:
        audio = load_wav(utt.audio_path, mel_config.sampling_rate)
    except AudioError as exc:
        return _Outcome(utt.utt_id, reason=f"audio: {exc}")
    peak = float(audio.abs().max())
    if peak < config.silence_peak:
        return _Outcome(utt.utt_id, reason="audio: silent")
    clipped = int((audio.abs() >= config.clip_level).sum())
    if clipped > config.max_clipped_fraction * audio.numel():
        return _Outcome(utt.utt_id, reason="audio: clipped", clipped_samples=clipped)
    audio = _trim(audio, mel_config.sampling_rate, config)
    seconds = audio.numel() / mel_config.sampling_rate
    if seconds < config.min_duration:
        return _Outcome(utt.utt_id, reason="audio: too short", seconds=seconds)
    if seconds > config.max_duration:
        return _Outcome(utt.utt_id, reason="audio: too long", seconds=seconds)

    mel = mel_spectrogram(audio, mel_config)
    save_wav(audio_path, audio, mel_config.sampling_rate)
    # The mel is written last and atomically: its presence marks the utterance as finished.
    with atomic_path(mel_path, suffix=".tmp.npy") as tmp:
        np.save(tmp, mel.numpy().astype(np.float32))
    kept = _kept(utt, audio_path, mel_path, normalized, language, mel.size(1))
    return _Outcome(utt.utt_id, kept, seconds=seconds, clipped_samples=clipped)


def _cached_frames(mel_path: Path, audio_path: Path, mel_config: MelConfig) -> int | None:
    """Frames of a cached mel that an earlier run finished, if it and its wav are intact: the mel
    a finite float32 ``[n_mel, frames]`` array and the wav readable at the right rate and of the
    matching length. ``None`` (logged) when either is damaged, e.g. truncated: prepare it again."""
    import soundfile

    try:
        mel = np.load(mel_path, allow_pickle=False)
        info = soundfile.info(str(audio_path))
    except (OSError, ValueError, EOFError, RuntimeError) as exc:
        log.warning(
            "%s: the cached files are damaged (%s); preparing this utterance again",
            mel_path,
            " ".join(str(exc).split())[:120],
        )
        return None
    frames = info.frames // mel_config.hop_length + 1
    if (
        mel.ndim != 2
        or mel.shape[0] != mel_config.n_mel_channels
        or mel.dtype != np.float32
        or mel.shape[1] != frames
        or info.samplerate != mel_config.sampling_rate
        or not np.isfinite(mel).all()
    ):
        log.warning(
            "%s: the cached mel does not fit its wav (%s, %d samples at %d Hz); preparing this utterance again",
            mel_path,
            mel.shape,
            info.frames,
            info.samplerate,
        )
        return None
    return int(mel.shape[1])


def _trim(audio, sampling_rate: int, config: PrepareConfig):
    import librosa

    _, (start, end) = librosa.effects.trim(audio.numpy(), top_db=config.trim_top_db, frame_length=1024, hop_length=256)
    margin = int(config.trim_margin * sampling_rate)
    return audio[max(0, start - margin) : min(audio.numel(), end + margin)]


def _kept(utt: Utterance, audio: Path, mel: Path, normalized: str, language: str, n_frames: int) -> PreparedUtterance:
    return PreparedUtterance(utt.utt_id, audio, mel, normalized, utt.speaker, language, n_frames)


def _safe_name(utt_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in utt_id)


def _split(kept: list[PreparedUtterance], config: PrepareConfig) -> tuple[list, list]:
    order = sorted(kept, key=lambda u: u.utt_id)
    random.Random(config.seed).shuffle(order)
    n_val = max(config.min_val, round(config.val_fraction * len(order)))
    n_val = min(n_val, len(order) - 1)
    val = sorted(order[:n_val], key=lambda u: u.utt_id)
    train = sorted(order[n_val:], key=lambda u: u.utt_id)
    return train, val


def _report(corpus, outcomes: list[_Outcome], train: list, val: list, config: PrepareConfig) -> dict[str, Any]:
    dropped = Counter(o.reason for o in outcomes if o.reason)
    audio_of = {u.utt_id: str(u.audio_path) for u in corpus.utterances}
    dropped_files = [
        {
            "utt_id": o.utt_id,
            "audio": audio_of.get(o.utt_id, ""),
            "reason": o.reason,
            **({"seconds": round(o.seconds, 3)} if o.seconds else {}),
        }
        for o in outcomes
        if o.reason
    ]
    for row in dropped_files:
        log.debug("dropped %s (%s): %s", row["utt_id"], row["audio"], row["reason"])
    dropped.update(f"corpus: {p.reason.split(':')[0]}" for p in corpus.problems)
    seconds = {o.utt_id: o.seconds for o in outcomes if o.kept is not None}
    speakers: dict[str, dict[str, float]] = defaultdict(lambda: {"utterances": 0, "hours": 0.0})
    for item in train + val:
        speakers[item.speaker]["utterances"] += 1
        speakers[item.speaker]["hours"] += seconds[item.utt_id] / 3600
    return {
        "utterances_read": len(corpus.utterances) + len(corpus.problems),
        "kept": len(train) + len(val),
        "train": len(train),
        "val": len(val),
        "hours": round(sum(seconds.values()) / 3600, 4),
        "dropped": dict(sorted(dropped.items())),
        "dropped_files": dropped_files,
        "clipped_clips": sum(1 for o in outcomes if o.clipped_samples),
        "speakers": {
            k: {"utterances": v["utterances"], "hours": round(v["hours"], 4)} for k, v in sorted(speakers.items())
        },
        "problems": [str(p) for p in corpus.problems[:100]],
    }
