"""Symbol inventories: the one place that defines which symbols exist and their ids.

Trained models depend on these ids, so they are fixed here and must never be reordered; a new
symbol may only be appended to the end of a block in a new, versioned inventory.

Every inventory is built from the same blocks, in this order:

====================  ==========================================================================
block                 symbols
====================  ==========================================================================
padding               ``_`` (id 0, always)
punctuation           ``, . ? ! ; : -`` (the marks that shape prosody)
danda                 ``।`` (only for languages written in an Indic script)
space                 `` `` (word boundary)
Latin                 ``a``-``z`` and the apostrophe ``'`` (English; lower case only)
Devanagari            U+0901-0903, U+0905-0939, U+093C-094D, U+0960-0963 (Hindi)
Bengali               U+0981-0983, U+0985-098C, U+098F-0990, U+0993-09A8, U+09AA-09B0, U+09B2,
                      U+09B6-09B9, U+09BC-09C4, U+09C7-09C8, U+09CB-09CE, U+09D7, U+09E0-09E3,
                      U+09F0-09F1 (Bengali)
====================  ==========================================================================

Inventories per language: ``en`` = padding, punctuation, space, Latin; ``hi`` = padding,
punctuation, danda, space, Devanagari; ``bn`` = the same with Bengali; ``hinglish`` = padding,
punctuation, danda, space, Latin, Devanagari; ``benglish`` = the same with Bengali. Because each
script has its own symbols, English "main" and Hindi "मैं" never share an id.

Nukta consonants appear in their canonical (NFC) decomposed form, e.g. क़ is ``क`` + ``़``, so
U+0958-095F and U+09DC-09DF are deliberately not in the inventory.
"""

from __future__ import annotations

from functools import cache

from text.languages import resolve_language

PAD = "_"
SPACE = " "
PUNCTUATION = (",", ".", "?", "!", ";", ":", "-")
DANDA = "।"


def _code_point_ranges(*ranges: tuple[int, int]) -> tuple[str, ...]:
    """Characters of inclusive code-point ranges, in order."""
    return tuple(chr(c) for first, last in ranges for c in range(first, last + 1))


LATIN = tuple("abcdefghijklmnopqrstuvwxyz'")
DEVANAGARI = _code_point_ranges((0x0901, 0x0903), (0x0905, 0x0939), (0x093C, 0x094D), (0x0960, 0x0963))
BENGALI = _code_point_ranges(
    (0x0981, 0x0983),
    (0x0985, 0x098C),
    (0x098F, 0x0990),
    (0x0993, 0x09A8),
    (0x09AA, 0x09B0),
    (0x09B2, 0x09B2),
    (0x09B6, 0x09B9),
    (0x09BC, 0x09C4),
    (0x09C7, 0x09C8),
    (0x09CB, 0x09CE),
    (0x09D7, 0x09D7),
    (0x09E0, 0x09E3),
    (0x09F0, 0x09F1),
)

SCRIPT_LETTERS: dict[str, tuple[str, ...]] = {
    "en": LATIN,
    "hi": DEVANAGARI,
    "bn": BENGALI,
}


@cache
def _inventory(code: str) -> tuple[str, ...]:
    language = resolve_language(code)
    blocks: list[str] = [PAD, *PUNCTUATION]
    if language.native is not None:
        blocks.append(DANDA)
    blocks.append(SPACE)
    if language.keeps_english:
        blocks.extend(LATIN)
    if language.native is not None:
        blocks.extend(SCRIPT_LETTERS[language.native])
    return tuple(blocks)


def symbols(lang: str) -> list[str]:
    """The symbol inventory of ``lang``; a symbol's index is its id (id 0 is padding)."""
    return list(_inventory(resolve_language(lang).code))


@cache
def symbol_to_id(code: str) -> dict[str, int]:
    """Mapping symbol -> id for a canonical language code."""
    return {s: i for i, s in enumerate(_inventory(code))}


def output_letters(code: str) -> frozenset[str]:
    """Letters (not punctuation/space/padding) allowed in normalized text of ``code``."""
    language = resolve_language(code)
    letters: set[str] = set()
    if language.keeps_english:
        letters.update(LATIN)
    if language.native is not None:
        letters.update(SCRIPT_LETTERS[language.native])
    return frozenset(letters)
