"""IISc SYSPIN corpora: ``wavs/*.wav`` and a ``*_Transcripts.json`` per speaker.

The JSON holds ``{"Transcripts": {utt_id: {"Transcript": text, "Domain": domain}}}``; the
recording of ``utt_id`` is ``wavs/<utt_id>.wav`` beside the JSON. Every ``*_Transcripts.json``
under the given folder is read. The speaker is the JSON's name without ``_Transcripts.json``
(``IISc_SYSPINProject_Hindi_Female_Spk001_HC``) and the language is the language named in it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from base.errors import TTSError
from tts.corpora.corpus import CorpusCollector, CorpusReadResult, Utterance
from tts.corpora.languages import find_language
from tts.corpora.registry import register_format

SUFFIX = "_Transcripts.json"


@register_format("syspin")
def read_syspin(path: Path, language: str | None = None) -> CorpusReadResult:
    """Read every ``*_Transcripts.json`` under ``path`` (or ``path`` itself if it is one).

    Args:
        path: a SYSPIN speaker folder, a folder of them, or a ``*_Transcripts.json``.
        language: language code for all utterances; by default from the JSON's file name.
    """
    transcripts = [path] if path.is_file() else sorted(path.rglob(f"*{SUFFIX}"))
    if not transcripts:
        raise TTSError(f"{path}: no *{SUFFIX} found; a SYSPIN corpus has wavs/ and a *{SUFFIX}")
    collector = CorpusCollector()
    for transcript in transcripts:
        speaker = transcript.name.removesuffix(SUFFIX)
        _read_transcript(transcript, speaker, language or find_language(speaker.split("_")), collector)
    return collector.result()


def _read_transcript(transcript: Path, speaker: str, language: str | None, collector: CorpusCollector) -> None:
    source = transcript.read_text(encoding="utf-8")
    try:
        entries = json.loads(source)["Transcripts"]
    except json.JSONDecodeError as exc:
        collector.problem(transcript, exc.lineno, f"not valid JSON ({exc.msg}); the whole file was skipped")
        return
    except (KeyError, TypeError):
        collector.problem(transcript, None, 'no "Transcripts" object at the top; the whole file was skipped')
        return
    if not isinstance(entries, dict):
        collector.problem(transcript, None, '"Transcripts" is not an object of utt_id: {...}; file skipped')
        return
    for utt_id, entry in entries.items():
        line = _line_of_key(source, utt_id)
        text = _transcript_text(entry)
        if text is None:
            collector.problem(transcript, line, f'{utt_id!r} has no "Transcript" string')
            continue
        audio_path = transcript.parent / "wavs" / f"{utt_id}.wav"
        collector.add(Utterance(audio_path, text.strip(), speaker, language, utt_id), transcript, line)


def _transcript_text(entry: Any) -> str | None:
    text = entry.get("Transcript") if isinstance(entry, dict) else None
    return text if isinstance(text, str) else None


def _line_of_key(source: str, key: str) -> int | None:
    """The 1-based line where ``"key":`` first appears in the JSON text (for problem reports)."""
    offset = source.find(json.dumps(key, ensure_ascii=False))
    return None if offset < 0 else source.count("\n", 0, offset) + 1
