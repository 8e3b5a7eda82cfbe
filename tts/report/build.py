"""Making a listening report: the evaluation run with an observer that keeps its audio, pictures
drawn, and one folder written whole."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from base.errors import TTSError
from base.files import atomic_path, atomic_write_text
from tts.eval.references import Reference

log = logging.getLogger(__name__)

REPORT_FORMAT = "swaratts-report"
REPORT_JSON = "report.json"
INDEX = "index.html"
DEFAULT_SENTENCES = 3
KINDS = ("waveglow", "griffinlim")


@dataclass
class Sentence:
    """One sentence of the report: its files (relative to the report folder) and its scores."""

    language: str
    index: int
    text: str
    normalized: str
    audio: dict[str, str] = field(default_factory=dict)  # espeak, copy-KIND, tts-KIND -> file
    pictures: dict[str, str] = field(default_factory=dict)  # mel, alignment -> file
    copy_synthesis: dict[str, dict[str, float] | None] = field(default_factory=dict)  # KIND -> pesq, stoi
    metrics: dict[str, Any] = field(default_factory=dict)  # the sentence's item of `tts eval`

    def to_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "index": self.index,
            "text": self.text,
            "normalized": self.normalized,
            "audio": self.audio,
            "pictures": self.pictures,
            "copy_synthesis": self.copy_synthesis,
            "metrics": self.metrics,
        }


class _Keeper:
    """The evaluation's observer (:class:`tts.eval.runner.EvalObserver`): writes the audio it is
    given and draws the pictures, as the evaluation goes."""

    def __init__(self, voice: Any, folder: Path, speaker: int) -> None:
        self.voice = voice
        self.folder = folder
        self.speaker = speaker
        self.sentences: list[Sentence] = []
        self._by_reference: dict[int, Sentence] = {}

    def sentence(
        self, language: str, reference: Reference, mel: np.ndarray, stopped: bool, audio: Mapping[str, np.ndarray]
    ) -> None:
        index = sum(s.language == language for s in self.sentences) + 1
        item = Sentence(language, index, reference.text, reference.normalized)
        self.sentences.append(item)
        self._by_reference[id(reference)] = item
        stem = f"{language}-{index:02d}"
        item.audio["espeak"] = self._wav(f"{stem}-espeak.wav", reference.audio)
        for kind in KINDS:
            if kind in audio:
                item.audio[f"tts-{kind}"] = self._wav(f"{stem}-tts-{kind}.wav", audio[kind])
        from tts.report.pictures import alignment_picture, mel_picture

        voice = self.voice
        seconds_per_frame = voice.mel_config.hop_length / voice.sample_rate
        item.pictures["mel"] = self._picture(f"{stem}-mel.png", mel_picture, reference.mel, mel, seconds_per_frame)
        aligned = getattr(voice.acoustic, "decode_aligned", None)
        if aligned is not None:  # the torch acoustic model; the ONNX graphs do not return the alignment
            ids = voice.text_processor.ids(reference.normalized)
            [(_, _, alignment)] = aligned([ids], self.speaker, voice.language_id(language))
            frames_per_step = int(getattr(voice.acoustic.config, "n_frames_per_step", 1))
            item.pictures["alignment"] = self._picture(
                f"{stem}-alignment.png", alignment_picture, alignment, frames_per_step
            )

    def copy_synthesis(
        self, language: str, reference: Reference, kind: str, audio: np.ndarray, scores: Mapping[str, float] | None
    ) -> None:
        item = self._by_reference.get(id(reference))
        if item is None or kind not in KINDS:
            return
        item.audio[f"copy-{kind}"] = self._wav(f"{item.language}-{item.index:02d}-copy-{kind}.wav", audio)
        item.copy_synthesis[kind] = None if scores is None else {k: round(float(v), 4) for k, v in scores.items()}

    def _wav(self, name: str, audio: np.ndarray) -> str:
        import soundfile

        path = self.folder / "audio" / name
        with atomic_path(path, suffix=".tmp.wav") as tmp:
            soundfile.write(str(tmp), np.clip(audio, -1.0, 1.0), self.voice.sample_rate, subtype="PCM_16", format="WAV")
        return f"audio/{name}"

    def _picture(self, name: str, draw: Any, *args: Any) -> str:
        draw(*args, self.folder / "pictures" / name)
        return f"pictures/{name}"


def write_report(
    voice: Any,
    out: str | os.PathLike,
    languages: Sequence[str] | None = None,
    sentences: int = DEFAULT_SENTENCES,
    sentence_set: str = "unseen",
    speaker: int | str = 0,
    workdir: str | Path | None = None,
    data_dir: str | Path | None = None,
    corpus: str | Path | None = None,
    progress: bool = False,
    command: str | None = None,
) -> dict[str, Any]:
    """Write a listening report of ``voice`` (a :class:`tts.voice.Voice`) into the folder ``out``:
    ``index.html``, its audio and pictures beside it, and ``report.json``.

    For ``sentences`` evaluation sentences per language (the first of the unseen set, or held-out
    phrasebook sentences: ``sentence_set`` as in :func:`tts.eval.runner.evaluate_voice`) it keeps
    espeak-ng's reference, the reference mel through Griffin-Lim and through the voice's WaveGlow
    (copy synthesis), the voice's speech through each vocoder, the mel and alignment pictures,
    and the sentence's scores from ``tts eval`` (identification needs two sentences or more).

    The report is made in a folder of its own beside ``out`` and moved into place when it is
    complete; a previous report at ``out`` is replaced, anything else there is refused.

    Returns:
        What ``report.json`` holds.

    Raises:
        TTSError: ``out`` holds something that is not a report, or the evaluation's own errors.
    """
    from tts.eval.runner import evaluate_voice

    out = Path(out)
    _check_out(out)
    if sentences < 1:
        raise TTSError(f"--sentences must be at least 1, got {sentences}")
    started = time.monotonic()
    # Both vocoders speak every sentence: the evaluation vocodes with the voice's default and
    # Griffin-Lim, so the default is made WaveGlow here (the voice's own default is recorded).
    scored = voice.using("waveglow") if "waveglow" in voice.vocoders else voice
    speaker_index = voice.speaker_id(speaker)
    codes = [voice.text_processor.language(code) for code in languages] if languages else list(voice.languages)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)  # a folder as mkdir makes it (mkdtemp's is private)
    try:
        keeper = _Keeper(scored, staging, speaker_index)
        results: dict[str, Any] = {}
        for code in dict.fromkeys(codes):
            results[code] = evaluate_voice(
                scored,
                languages=[code],
                sentences=sentences,
                workdir=workdir,
                progress=progress,
                speaker=speaker_index,
                data_dir=data_dir,
                corpus=corpus,
                sentence_set=sentence_set,
                identification=sentences >= 2,
                observer=keeper,
            )
            items = results[code]["languages"][code]["items"]
            for item, metrics in zip((s for s in keeper.sentences if s.language == code), items):
                item.metrics = metrics
        report = _summary(voice, results, keeper.sentences, speaker_index, command, time.monotonic() - started)
        from tts.report.page import render_page

        atomic_write_text(staging / REPORT_JSON, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        atomic_write_text(staging / INDEX, render_page(report))
        _move_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("report of voice %r: %s (%d sentences)", voice.name, out / INDEX, len(keeper.sentences))
    return report


def _summary(
    voice: Any,
    results: Mapping[str, dict[str, Any]],
    items: Sequence[Sentence],
    speaker: int,
    command: str | None,
    seconds: float,
) -> dict[str, Any]:
    languages = {}
    for code, result in results.items():
        scores = dict(result["languages"][code])
        scores.pop("items", None)
        scores["copy_synthesis"] = {kind: result["vocoder"][kind] for kind in KINDS}
        languages[code] = scores
    first = next(iter(results.values()))
    settings = dict(first["settings"])
    settings.pop("default_vocoder", None)  # the evaluation's (WaveGlow here), not the voice's
    return {
        "format": REPORT_FORMAT,
        "voice": voice.name,
        "path": first["path"],
        "default_vocoder": voice.vocoder_kind,
        "speaker": voice.speakers[speaker] if voice.speakers else speaker,
        "created": time.strftime("%Y-%m-%d %H:%M"),
        "command": command,
        "seconds": round(seconds, 1),
        "settings": settings,
        "languages": languages,
        "sentences": [item.to_dict() for item in items],
    }


def _is_report(folder: Path) -> bool:
    try:
        return json.loads((folder / REPORT_JSON).read_text(encoding="utf-8")).get("format") == REPORT_FORMAT
    except (OSError, ValueError, AttributeError):
        return False


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise TTSError(f"--out {out}: is a file; give a folder for the report")
    if out.is_dir() and any(out.iterdir()) and not _is_report(out):
        raise TTSError(
            f"--out {out}: the folder holds files that are not a report; give a new or empty folder "
            "(a previous report there is replaced)"
        )


def _move_into_place(staging: Path, out: Path) -> None:
    """Rename the finished report onto ``out``; a previous report there is moved aside first and
    removed after, so ``out`` is always one whole report."""
    _check_out(out)  # again: something may have appeared there meanwhile
    if not out.exists():
        os.replace(staging, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
    os.replace(out, old / out.name)
    os.replace(staging, out)
    shutil.rmtree(old, ignore_errors=True)
