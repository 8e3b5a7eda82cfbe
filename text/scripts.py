"""Which script a character belongs to, and conversion between Indic scripts.

Script names used throughout the package: ``latin``, ``devanagari``, ``bengali``, ``indic``
(another Brahmic script of India, e.g. Gujarati or Tamil) and ``other`` (any other letter).
"""

from __future__ import annotations

import logging
import unicodedata

from indic_transliteration import sanscript

log = logging.getLogger(__name__)

# Word tag of the language each native script is read as.
SCRIPT_TAG = {"latin": "en", "devanagari": "hi", "bengali": "bn"}

# Blocks U+0A00-0D7F, in order: Gurmukhi, Gujarati, Oriya, Tamil, Telugu, Kannada, Malayalam.
_OTHER_INDIC_SCHEMES = (
    sanscript.GURMUKHI,
    sanscript.GUJARATI,
    sanscript.ORIYA,
    sanscript.TAMIL,
    sanscript.TELUGU,
    sanscript.KANNADA,
    sanscript.MALAYALAM,
)
_SCHEME_OF_SCRIPT = {"devanagari": sanscript.DEVANAGARI, "bengali": sanscript.BENGALI}


def script_of(ch: str) -> str | None:
    """The script of a letter or combining mark, or None for anything else (digits, symbols)."""
    cp = ord(ch)
    if ch.isascii():
        return "latin" if ch.isalpha() else None
    category = unicodedata.category(ch)
    if category[0] not in "LM":
        return None
    if 0x0900 <= cp <= 0x097F:
        return "devanagari"
    if 0x0980 <= cp <= 0x09FF:
        return "bengali"
    if 0x0A00 <= cp <= 0x0D7F:
        return "indic"
    if 0x00C0 <= cp <= 0x024F or 0x1E00 <= cp <= 0x1EFF:
        return "latin"
    return "other"


def _scheme_of_indic_block(ch: str) -> str:
    return _OTHER_INDIC_SCHEMES[(ord(ch) - 0x0A00) // 0x80]


def convert_indic(word: str, source_script: str, target_tag: str) -> str:
    """Transliterate a word from one Indic script into Devanagari (``hi``) or Bengali (``bn``)."""
    source = _SCHEME_OF_SCRIPT.get(source_script) or _scheme_of_indic_block(word[0])
    target = sanscript.DEVANAGARI if target_tag == "hi" else sanscript.BENGALI
    return unicodedata.normalize("NFC", sanscript.transliterate(word, source, target))
