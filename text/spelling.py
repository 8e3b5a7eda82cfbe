"""Writing one word in the script of the language it is read in.

* romanized Hindi/Bengali -> native script: the lexicon's spelling, else the informal-spelling
  rules of :mod:`text.transliterate`;
* English in a Hindi-only or Bengali-only text -> native script, from a small table of loan
  words (office -> ऑफ़िस / অফিস), else read as if romanized;
* a native word in English text -> its informal Latin spelling (:mod:`text.romanize`);
* a word in another Indic script -> the target script (indic-transliteration);
* other Latin letters are folded to ASCII (café -> cafe) with unidecode.
"""

from __future__ import annotations

import re

from unidecode import unidecode

from text.lexicon import english_levels, english_loanwords, romanized_lexicon
from text.romanize import romanize
from text.scripts import SCRIPT_TAG, convert_indic
from text.transliterate import rules_to_native

_NOT_LATIN_LETTER = re.compile(r"[^a-z']+")


def fold_latin(word: str) -> str:
    """Lower-case ASCII letters (and apostrophes) of a Latin-script word: "Café" -> "cafe"."""
    return _NOT_LATIN_LETTER.sub("", unidecode(word).lower()).strip("'")


def is_acronym(word: str) -> bool:
    """ATM, UPI, IIT: 2-5 capitals that are not a common English word are spelled out."""
    lower = word.lower()
    return (
        2 <= len(word) <= 5
        and word.isascii()
        and word.isupper()
        and (lower not in english_levels() or not any(v in lower for v in "aeiouy"))
    )


def romanized_to_native(word: str, native: str) -> str:
    """A romanized Hindi (``hi``) or Bengali (``bn``) word in its own script."""
    entry = romanized_lexicon(native).get(word)
    return entry.native if entry is not None else rules_to_native(word.replace("'", ""), native)


def english_to_native(word: str, native: str) -> str:
    """An English word as Hindi or Bengali script writes it."""
    loan = english_loanwords().get(word)
    if loan is not None:
        return loan[0] if native == "hi" else loan[1]
    return rules_to_native(word.replace("'", ""), native)


def native_to_native(word: str, script: str, native: str) -> str:
    """A word of any Indic script in the script of ``native`` (unchanged if already in it)."""
    if SCRIPT_TAG.get(script) == native:
        return word
    return convert_indic(word, script, native)


def native_to_latin(word: str, script: str) -> str:
    """A word of an Indic script in informal Latin spelling."""
    if script not in ("devanagari", "bengali"):
        word, script = convert_indic(word, script, "hi"), "devanagari"
    return romanize(word, SCRIPT_TAG[script])
