"""Text to symbol ids for one voice: the text frontend plus the voice's own symbol table.

A voice reads either the normalized text's letters (``characters``, NVIDIA's way) or its
espeak-ng IPA (``phonemes``, :mod:`text.phonemes`). Imports neither torch nor any model code, so
the torch-free ONNX runtime uses it as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import text
from base.errors import TTSError

# Longer sentences are cut at punctuation or spaces: attention and the step limit are trained on
# sentence-sized inputs, and a piece this long is about 20 s of speech.
MAX_PIECE_CHARS = 250

TEXT_INPUTS = ("characters", "phonemes")


@dataclass(frozen=True)
class TextProcessor:
    """Normalizes text of the voice's languages and maps it to the ids of the voice's symbols.

    Args:
        symbols: the symbol table the acoustic model was trained on (index = id).
        languages: codes of the languages the voice speaks, its default first (e.g.
            ``("hinglish", "hi", "en")``): every symbol their normalization produces must be in
            ``symbols``.
        text_input: ``characters`` (the model reads the normalized letters) or ``phonemes``
            (it reads their espeak-ng IPA; ``symbols`` is then :data:`text.phonemes.PHONEME_SYMBOLS`).
    """

    symbols: tuple[str, ...]
    languages: tuple[str, ...]
    text_input: str = "characters"

    def __post_init__(self) -> None:
        if not self.languages:
            raise TTSError("a voice needs at least one language")
        if self.text_input not in TEXT_INPUTS:
            raise TTSError(f"unknown text input {self.text_input!r}; choose one of {', '.join(TEXT_INPUTS)}")
        object.__setattr__(self, "_index", {s: i for i, s in enumerate(self.symbols)})

    def language(self, language: str | None = None) -> str:
        """The code of ``language`` (a code or alias such as ``hindi``), or the voice's default.

        Raises:
            TTSError: the voice does not speak it.
        """
        if language is None:
            return self.languages[0]
        try:
            code = text.resolve_language(language).code
        except text.TextError as exc:
            raise TTSError(str(exc)) from None
        if code not in self.languages:
            raise TTSError(f"this voice speaks {', '.join(self.languages)}, not {language!r}")
        return code

    def normalize(self, raw: str, language: str | None = None) -> str:
        """``raw`` as the voice reads it (numbers as words, Indic words in native script)."""
        code = self.language(language)
        try:
            return text.normalize(raw, code)
        except text.TextError as exc:
            raise TTSError(str(exc)) from None

    def split(self, raw: str, language: str | None = None) -> list[str]:
        """``raw`` split into sentences (raw text, not yet normalized)."""
        code = self.language(language)
        try:
            return text.split_sentences(raw, code)
        except text.TextError as exc:
            raise TTSError(str(exc)) from None

    def pieces(self, raw: str, language: str | None = None) -> list[str]:
        """``raw`` as normalized, sentence-sized pieces to synthesize one by one: sentences, a
        sentence over ``MAX_PIECE_CHARS`` cut further at punctuation or spaces, and pieces with
        nothing to say (only punctuation) dropped.

        Raises:
            TTSError: not a string, empty text, or text that normalizes to nothing speakable.
        """
        if not isinstance(raw, str):
            raise TTSError(f"the text must be a string, got {type(raw).__name__} {raw!r:.40}")
        if not raw.strip():
            raise TTSError("the text is empty")
        pieces: list[str] = []
        for sentence in self.split(raw, language):
            normalized = self.normalize(sentence, language)
            pieces.extend(p for p in cut(normalized, MAX_PIECE_CHARS) if _speakable(p))
        if not pieces:
            raise TTSError(f"nothing to synthesize: {raw[:60]!r} normalizes to no speakable text")
        return pieces

    def symbols_of(self, normalized: str) -> str:
        """What the acoustic model reads of already-normalized text: the text itself, or its
        phonemes.

        Raises:
            TTSError: espeak-ng cannot phonemize a word (the message names it).
        """
        if self.text_input == "characters":
            return normalized
        try:
            return text.to_phonemes(normalized)
        except text.TextError as exc:
            raise TTSError(str(exc)) from None

    def ids(self, normalized: str) -> list[int]:
        """Symbol ids of already-normalized text (phonemized first by a phoneme voice).

        Raises:
            TTSError: a symbol is not in the voice's symbol table, or a word has no phonemes.
        """
        index: dict[str, int] = self._index  # type: ignore[attr-defined]
        symbols = self.symbols_of(normalized)
        missing = sorted({ch for ch in symbols if ch not in index})
        if missing:
            raise TTSError(
                f"{'phonemes' if self.text_input == 'phonemes' else 'characters'} {missing} of "
                f"{normalized[:60]!r} are not in the voice's symbol table "
                f"(it speaks {', '.join(self.languages)})"
            )
        return [index[ch] for ch in symbols]

    def __call__(self, raw: str, language: str | None = None) -> list[int]:
        """Normalize ``raw`` and return its ids."""
        return self.ids(self.normalize(raw, language))

    @staticmethod
    def check_languages(symbols: Sequence[str], languages: Sequence[str], text_input: str = "characters") -> None:
        """Raise :class:`TTSError` unless every symbol of each language is in ``symbols`` (for a
        phoneme voice: unless ``symbols`` is the phoneme table, which every language shares)."""
        if text_input == "phonemes":
            if tuple(symbols) != text.PHONEME_SYMBOLS:
                raise TTSError(
                    f"a phoneme voice must use the phoneme table of {len(text.PHONEME_SYMBOLS)} "
                    f"symbols (text.PHONEME_SYMBOLS), not this table of {len(symbols)}"
                )
            return
        table = set(symbols)
        for language in languages:
            missing = sorted(set(text.symbols(language)) - table)
            if missing:
                raise TTSError(
                    f"the voice's symbol table lacks {len(missing)} symbols of {language} "
                    f"(e.g. {missing[:5]}); it cannot speak {language}"
                )


def cut(normalized: str, limit: int) -> list[str]:
    """Split text longer than ``limit`` characters, preferring punctuation, then spaces."""
    if len(normalized) <= limit:
        return [normalized]
    pieces, rest = [], normalized
    while len(rest) > limit:
        window = rest[:limit]
        punct = max(window.rfind(p) for p in ",;:।")
        split_at = punct + 1 if punct > limit // 3 else window.rfind(" ")
        if split_at <= 0:
            split_at = limit
        pieces.append(rest[:split_at].strip())
        rest = rest[split_at:].strip()
    pieces.append(rest)
    return [p for p in pieces if p]


def _speakable(normalized: str) -> bool:
    return any(ch.isalnum() for ch in normalized)
