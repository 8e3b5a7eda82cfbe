"""From tagged tokens to the normalized text: every token read aloud in its language's script.

Punctuation that shapes prosody is kept (one mark per pause: "?!" -> "?", "..." -> "."), attached
to the word before it; a spaced dash stays a spaced dash. Whatever cannot be spoken (emoji,
stray symbols, letters outside the inventory) is dropped with one warning naming it; notes about
script conversions are logged at INFO level.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence

from text import verbalize
from text.errors import TextError
from text.languages import Language
from text.scripts import SCRIPT_TAG
from text.spelling import (
    english_to_native,
    fold_latin,
    is_acronym,
    native_to_latin,
    native_to_native,
    romanized_to_native,
)
from text.symbols import DANDA, PUNCTUATION, output_letters
from text.tokens import Token
from text.vocabulary import SILENT, VOCABULARIES

log = logging.getLogger(__name__)

_SENTENCE_END = (".", "?", "!", DANDA)
# Characters outside the inventory that have a spoken form: the sacred syllable om.
_INDIC_RULES = {"ॐ": "ओम"}


def _read_word(token: Token, language: Language, notes: set[str]) -> str:
    script, tag, word = token.script or "other", token.tag or "en", token.text
    native = language.native
    if script in ("latin", "other"):
        if script == "other":
            notes.add(f"read {word!r} (a script this frontend does not speak) as Latin letters")
        folded = fold_latin(word)
        if is_acronym(word):
            return verbalize.spell_letters(folded, "en" if language.keeps_english else _default_tag(language))
        if tag != "en":
            return romanized_to_native(folded, tag)
        if language.keeps_english:
            return folded
        notes.add(f"wrote English words in {language.name} script; use a code-mixed language to keep them English")
        return english_to_native(folded, _default_tag(language))
    if native is None:
        notes.add(f"wrote {script} words in Latin letters for English")
        return native_to_latin(word, script)
    if SCRIPT_TAG.get(script) != native:
        notes.add(f"transliterated {script} words into the script of {language.name}")
    return native_to_native(word, script, native)


def _default_tag(language: Language) -> str:
    """The tag whose vocabulary reads numbers in a monolingual language."""
    return language.native or "en"


def _word_text(tokens: Sequence[Token], i: int) -> str:
    if 0 <= i < len(tokens) and tokens[i].kind == "word":
        return fold_latin(tokens[i].text) if tokens[i].script == "latin" else tokens[i].text
    return ""


def _read_abbreviation(tokens: Sequence[Token], i: int, tag: str) -> str:
    key = tokens[i].text.lower()
    if key == "st" and tag == "en":
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        capitalized = nxt is not None and nxt.kind == "word" and nxt.text[:1].isupper()
        return "saint" if capitalized else "street"
    return VOCABULARIES[tag].abbreviations[key]


def read_token(tokens: Sequence[Token], i: int, language: Language, notes: set[str], dropped: list[str]) -> str:
    """The spoken form of ``tokens[i]`` (not punctuation); "" when nothing is spoken."""
    token = tokens[i]
    tag = token.tag or _default_tag(language)
    if token.kind == "word":
        return _read_word(token, language, notes)
    if token.kind in ("url", "email"):
        if language.keeps_english:
            return verbalize.address(fold_latin(token.text) if not token.text.isascii() else token.text)
        dropped.append(token.text)
        return ""
    if token.kind == "number":
        year = verbalize.is_year_context(tag, _word_text(tokens, i - 1), _word_text(tokens, i + 1))
        return verbalize.number(token.text, tag, year)
    readers = {"money": verbalize.money, "time": verbalize.time, "date": verbalize.date, "initials": verbalize.initials}
    if token.kind in readers:
        return readers[token.kind](token.text, tag)
    if token.kind == "abbreviation":
        return _read_abbreviation(tokens, i, tag)
    spoken = VOCABULARIES[tag].symbols.get(token.text)
    if spoken is not None:
        return spoken
    if token.text not in SILENT:
        dropped.append(token.text)
    return ""


def _punctuation_mark(text: str, language: Language) -> str:
    """One prosodic mark for a run of punctuation: "?!" -> "?", "..." -> "."."""
    for mark in ("?", "!", DANDA, ".", ";", ":", ",", "-"):
        if mark in text:
            if mark == DANDA and language.native is None:
                return "."
            return mark
    raise AssertionError(f"not punctuation: {text!r}")


def _strength(mark: str) -> int:
    return 2 if mark in _SENTENCE_END else 1


def _filter_letters(text: str, allowed: frozenset[str], dropped: list[str]) -> str:
    """Apply rules for known stray characters, drop (and report) anything else not allowed."""
    kept = []
    for ch in text:
        if ch in allowed or ch == " ":
            kept.append(ch)
        elif ch in _INDIC_RULES:
            kept.append(_INDIC_RULES[ch])
        else:
            dropped.append(ch)
    return "".join(kept)


def render(tokens: Sequence[Token], language: Language) -> str:
    """The normalized text of tagged tokens."""
    allowed = output_letters(language.code)
    notes: set[str] = set()
    dropped: list[str] = []
    out: list[str] = []  # words and punctuation marks, in order
    glue_next = False  # a hyphen written without spaces joins the words around it
    for i, token in enumerate(tokens):
        if token.kind == "punct":
            mark = _punctuation_mark(token.text, language)
            if not out:
                continue  # nothing spoken yet: leading punctuation has no pause to mark
            if out[-1] in PUNCTUATION or out[-1] == DANDA:
                if _strength(mark) > _strength(out[-1]):
                    out[-1] = mark
                continue
            if mark == "-" and not token.space_before and i + 1 < len(tokens) and not tokens[i + 1].space_before:
                glue_next = True
                continue
            out.append(mark)
            continue
        spoken = _filter_letters(read_token(tokens, i, language, notes, dropped), allowed, dropped)
        spoken = " ".join(spoken.split())
        if not spoken:
            if token.kind == "word":
                dropped.append(token.text)  # letters that no rule could write: report them
            continue
        if spoken == "बजे" and out and out[-1].endswith(("बजे", "मिनट")):
            continue  # "10:30 बजे" is read "दस बजकर तीस मिनट": the written बजे is already said
        if glue_next and out and out[-1] not in PUNCTUATION:
            out[-1] = f"{out[-1]}-{spoken}"
        else:
            out.append(spoken)
        glue_next = False
    for note in sorted(notes):
        log.info("%s", note)
    if dropped:
        names = ", ".join(f"{c!r} ({_describe(c)})" for c in dict.fromkeys(dropped))
        log.warning("dropped what cannot be spoken in %s: %s", language.code, names)
    text = _join(out)
    if not text:
        raise TextError(
            "text has nothing to speak after normalization "
            f"(only punctuation, symbols or emoji); it read {''.join(t.text for t in tokens)[:80]!r}"
        )
    return text


def _describe(text: str) -> str:
    if len(text) != 1:
        return "address" if "@" in text or "." in text else "token"
    return f"U+{ord(text):04X} {unicodedata.name(text, 'unnamed')}"


def _join(pieces: Sequence[str]) -> str:
    text = ""
    for piece in pieces:
        if piece == "-":
            text += " -"
        elif piece in PUNCTUATION or piece == DANDA:
            text += piece
        else:
            text += (" " if text else "") + piece
    return text.rstrip(" -") if text.endswith(" -") else text
