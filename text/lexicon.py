"""The shipped word lists: romanized Hindi/Bengali spellings, English words and loan words.

``text/data/hinglish_lexicon.tsv`` and ``benglish_lexicon.tsv`` list native words, most common
first, with hand-written chat spellings; every word's regular spelling variants
(:func:`text.romanize.romanize_variants`) are added here. Each romanized spelling gets a cost
(lower = more likely): common words and hand-written spellings are cheap, rare words and
generated variants dearer; when two words share a spelling the cheaper one wins.
``english_words.tsv`` gives SCOWL frequency levels for English words. Files are read once, on
first use.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from text.romanize import romanize_variants

DATA_DIR = Path(__file__).resolve().parent / "data"
_LEXICON_FILES = {"hi": "hinglish_lexicon.tsv", "bn": "benglish_lexicon.tsv"}
# (rank below which, cost added): the 300 most common words cost nothing extra.
_RANK_COSTS = ((300, 0.0), (1000, 0.4))
_RARE_WORD_COST = 0.8
_GENERATED_SPELLING_COST = 0.3
_PER_VARIANT_COST = 0.15
_MAX_SPELLING_COST = 1.2
# A generated spelling that is also a common English word ("late" for लाते) is rarely meant as
# the Hindi/Bengali word; hand-written spellings ("main", "to") are exempt: they were chosen.
_ENGLISH_COLLISION_COST = 2.5


@dataclass(frozen=True)
class RomanizedEntry:
    """A romanized spelling's native word and its cost (lower = more likely Indic)."""

    native: str
    cost: float


def data_lines(name: str) -> list[str]:
    """Non-comment, non-empty lines of a file in text/data."""
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def _rank_cost(rank: int) -> float:
    return next((cost for limit, cost in _RANK_COSTS if rank < limit), _RARE_WORD_COST)


@cache
def native_words(lang: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(native word, hand-written spellings) of the lexicon of ``lang``, most common first."""
    rows = []
    for line in data_lines(_LEXICON_FILES[lang]):
        native, _, spellings = line.partition("\t")
        rows.append((unicodedata.normalize("NFC", native), tuple(s for s in spellings.split(",") if s)))
    return tuple(rows)


@cache
def romanized_lexicon(lang: str) -> dict[str, RomanizedEntry]:
    """Romanized spelling -> native word and cost, for ``hi`` or ``bn``."""
    lexicon: dict[str, RomanizedEntry] = {}
    for rank, (native, manual) in enumerate(native_words(lang)):
        base = _rank_cost(rank)
        costs: dict[str, float] = {}
        for i, spelling in enumerate(manual):
            costs.setdefault(spelling, base + 0.1 * min(i, 2))
        for i, variant in enumerate(romanize_variants(native, lang)):
            generated = min(_GENERATED_SPELLING_COST + _PER_VARIANT_COST * i, _MAX_SPELLING_COST)
            if english_levels().get(variant, 99) <= 20:
                generated += _ENGLISH_COLLISION_COST
            costs.setdefault(variant, base + generated)
        for spelling, cost in costs.items():
            if spelling not in lexicon or cost < lexicon[spelling].cost:
                lexicon[spelling] = RomanizedEntry(native, cost)
    return lexicon


@cache
def common_spellings(lang: str) -> tuple[str, ...]:
    """The hand-written and first generated spelling of every word: training text for LID."""
    spellings: list[str] = []
    for native, manual in native_words(lang):
        spellings.extend(manual)
        spellings.extend(romanize_variants(native, lang)[:1])
    return tuple(spellings)


@cache
def english_levels() -> dict[str, int]:
    """English word -> SCOWL level (10 = among the most common, 20, 35)."""
    levels: dict[str, int] = {}
    for line in data_lines("english_words.tsv"):
        word, _, level = line.partition("\t")
        levels[word] = int(level)
    return levels


@cache
def english_loanwords() -> dict[str, tuple[str, str]]:
    """English word -> (Devanagari, Bengali) spelling, for English inside Hindi/Bengali text."""
    rows = (line.split("\t") for line in data_lines("english_loanwords.tsv"))
    return {english: (hindi, bengali) for english, hindi, bengali in rows}
