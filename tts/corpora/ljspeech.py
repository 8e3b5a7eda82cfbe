"""LJSpeech layout: ``metadata.csv`` with ``id|raw text|normalized text`` lines and ``wavs/<id>.wav``.

The same layout is used by many single-speaker corpora made with LJSpeech-style tools; lines with
only ``id|text`` are accepted too. The raw text is read by default: normalizing it is the text
frontend's job, and the raw column is what users type.
"""

from __future__ import annotations

from pathlib import Path

from base.errors import TTSError
from tts.corpora.corpus import CorpusCollector, CorpusReadResult, Utterance
from tts.corpora.registry import register_format

METADATA = "metadata.csv"


@register_format("ljspeech")
def read_ljspeech(
    path: Path, speaker: str | None = None, language: str | None = "en", normalized: bool = False
) -> CorpusReadResult:
    """Read an LJSpeech folder (or its ``metadata.csv``).

    Args:
        path: the corpus folder, holding ``metadata.csv`` and ``wavs/``, or ``metadata.csv`` itself.
        speaker: speaker name; the folder's name by default.
        language: language of the transcripts.
        normalized: read the third (normalized) column instead of the raw text, where present.
    """
    metadata = path if path.is_file() else path / METADATA
    if not metadata.is_file():
        raise TTSError(f"{path}: no {METADATA}; an LJSpeech corpus has {METADATA} and wavs/")
    root = metadata.parent
    speaker = speaker or root.resolve().name
    collector = CorpusCollector()
    with open(metadata, encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            fields = line.split("|")
            if len(fields) not in (2, 3) or not fields[0].strip():
                collector.problem(
                    metadata,
                    line_number,
                    f"expected 'id|text' or 'id|raw text|normalized text', got {len(fields)} field(s)",
                )
                continue
            utt_id = fields[0].strip()
            text = fields[2] if normalized and len(fields) == 3 and fields[2].strip() else fields[1]
            utterance = Utterance(root / "wavs" / f"{utt_id}.wav", text.strip(), speaker, language, utt_id)
            collector.add(utterance, metadata, line_number)
    return collector.result()
