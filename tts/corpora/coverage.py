"""How much of a language a corpus's text covers: distinct words, phones and phone pairs.

Phones come from espeak-ng's IPA of the normalized text (:func:`text.to_phonemes`): a phone is
one IPA letter with the marks that modify it (``aː``, ``tʰ``, ``ɛ̃``); stress marks, spaces and
punctuation are not phones. A voice can only learn the phones its corpus has, so
:func:`missing_phones` compares a corpus with the phones espeak-ng uses for the language's
frequent words.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import text

log = logging.getLogger(__name__)

# Marks that belong to the letter before them.
_MODIFIERS = frozenset("ːˑʰʲʷ\u0303\u0329\u030a")
_NOT_PHONES = frozenset("ˈˌ _,.?!;:-।")
# A phone this common in the language's frequent words (share of all phones) must be in a corpus.
MIN_SHARE = 1e-3


def phones(ipa: str) -> list[str]:
    """The phones of an IPA string, in order: ``"tʰˈeːk"`` -> ``["tʰ", "eː", "k"]``."""
    out: list[str] = []
    for ch in ipa:
        if ch in _NOT_PHONES:
            continue
        if ch in _MODIFIERS and out:
            out[-1] += ch
        else:
            out.append(ch)
    return out


@dataclass
class Coverage:
    """Words, phones and phone pairs (within words) of one language's texts, with counts."""

    sentences: int = 0
    words: Counter = field(default_factory=Counter)
    phones: Counter = field(default_factory=Counter)
    pairs: Counter = field(default_factory=Counter)

    def add(self, normalized: str) -> None:
        """Count one normalized sentence."""
        self.sentences += 1
        self.words.update(w.strip(",.?!;:-।") for w in normalized.split())
        for word in text.to_phonemes(normalized).split():
            units = phones(word)
            self.phones.update(units)
            self.pairs.update(zip(units, units[1:]))

    def share_of(self, other: Coverage) -> dict[str, float]:
        """The share of ``other``'s word, phone and pair *occurrences* that this coverage has
        seen (e.g. how much of an evaluation set a corpus prepares a voice for)."""

        def share(mine: Counter, theirs: Counter) -> float:
            total = sum(theirs.values())
            return sum(n for key, n in theirs.items() if key in mine) / total if total else 1.0

        return {
            "words": share(self.words, other.words),
            "phones": share(self.phones, other.phones),
            "phone_pairs": share(self.pairs, other.pairs),
        }


def measure(normalized_texts: Iterable[str]) -> Coverage:
    """The :class:`Coverage` of normalized sentences."""
    coverage = Coverage()
    for sentence in normalized_texts:
        coverage.add(sentence)
    return coverage


@cache
def reference_phones(language: str) -> dict[str, float]:
    """Each phone espeak-ng uses for the frequent words of ``language`` (``en``, ``hi``, ``bn``;
    a code-mixed language counts both of its own), with its share of all phones."""
    from tts.corpora.composed import vocabulary

    counts: Counter = Counter()
    for code in {"hinglish": ("hi", "en"), "benglish": ("bn", "en")}.get(language, (language,)):
        words, _ = vocabulary(code)
        # Phonemized in batches of words: one call per word would be slow and gives the same IPA.
        for start in range(0, len(words), 200):
            counts.update(phones(text.to_phonemes(" ".join(words[start : start + 200]))))
    total = sum(counts.values())
    return {phone: n / total for phone, n in counts.items()}


def missing_phones(coverage: Coverage, language: str, min_share: float = MIN_SHARE) -> list[str]:
    """Phones common in ``language`` (at least ``min_share`` of its phones) that ``coverage``
    never has, most common first."""
    reference = reference_phones(language)
    return sorted(
        (p for p, share in reference.items() if share >= min_share and p not in coverage.phones),
        key=lambda p: -reference[p],
    )
