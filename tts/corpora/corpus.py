"""What every corpus reader returns: utterances, and the problems met while reading them.

Readers never stop at a bad line or a missing recording: they collect a :class:`Problem` naming
the file and line and go on, so one typo in a 13 000-line transcript does not cost a corpus. Only
a corpus that cannot be read at all (no transcript file, a manifest without a ``text`` column)
raises :class:`base.errors.TTSError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Utterance:
    """One recording and its transcript, as found in a corpus.

    Attributes:
        audio_path: the recording (any format :func:`base.audio.load_wav` reads, any rate).
        text: the transcript as written in the corpus (not normalized).
        speaker: speaker name, unique within the corpus.
        language: language code (``en``, ``hi``, ``bn``, ``hinglish``, ...) or None when the
            corpus does not say.
        utt_id: identifier, unique within the corpus.
    """

    audio_path: Path
    text: str
    speaker: str
    language: str | None
    utt_id: str


@dataclass(frozen=True)
class Problem:
    """Something wrong with one entry of a corpus; the entry was left out."""

    file: Path
    line: int | None
    reason: str

    def __str__(self) -> str:
        return f"{location(self.file, self.line)}: {self.reason}"


def location(file: Path, line: int | None) -> str:
    """``file, line N``, or just ``file`` when the entry has no line of its own."""
    return f"{file}, line {line}" if line is not None else str(file)


@dataclass(frozen=True)
class CorpusReadResult:
    """The usable utterances of a corpus, in file order, and the entries that were left out."""

    utterances: list[Utterance]
    problems: list[Problem]

    @property
    def speakers(self) -> list[str]:
        """Speaker names in order of first appearance."""
        return list(dict.fromkeys(u.speaker for u in self.utterances))


@dataclass
class CorpusCollector:
    """Accumulates one reader's utterances and problems, with the checks every format shares.

    :meth:`add` keeps an utterance only when its text is not empty, its recording exists and
    its ``utt_id`` was not used before (later stages name files after it).
    """

    utterances: list[Utterance] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    _first_seen: dict[str, str] = field(default_factory=dict)

    def problem(self, file: Path, line: int | None, reason: str) -> None:
        self.problems.append(Problem(file, line, reason))

    def add(self, utterance: Utterance, file: Path, line: int | None) -> None:
        """Keep ``utterance`` (read from ``file`` at ``line``) or record why it was left out."""
        if not utterance.text.strip():
            self.problem(file, line, f"empty transcript for {utterance.utt_id!r}")
        elif not utterance.audio_path.is_file():
            self.problem(file, line, f"recording {utterance.audio_path} not found")
        elif utterance.utt_id in self._first_seen:
            self.problem(
                file,
                line,
                f"utterance id {utterance.utt_id!r} already used ({self._first_seen[utterance.utt_id]}); "
                "ids must be unique",
            )
        else:
            self._first_seen[utterance.utt_id] = location(file, line)
            self.utterances.append(utterance)

    def result(self) -> CorpusReadResult:
        return CorpusReadResult(list(self.utterances), list(self.problems))
