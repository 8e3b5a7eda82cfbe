"""Splitting text into sentences at . ? ! । (and ॥), but not inside "Dr." or "3.5"."""

from __future__ import annotations

import re

from text.analysis import clean_input
from text.languages import resolve_language
from text.vocabulary import VOCABULARIES

# A sentence ends at a run of end marks followed by white space or the end of the text.
_END = re.compile(r"[.?!।]+(?=\s|$)")
_WORD_BEFORE = re.compile(r"([^\W\d_]+)$")


def _is_abbreviation_dot(text: str, end: int) -> bool:
    """Whether the "." ending at ``end`` belongs to an abbreviation or an initial."""
    match = _WORD_BEFORE.search(text, 0, end)
    if match is None:
        return False
    word = match.group(1)
    known = word.lower() in VOCABULARIES["en"].abbreviations and word.lower() != "etc"
    initial = len(word) == 1 and word.isupper()  # A. P. J. Abdul Kalam
    return known or initial


def split_sentences(text: str, lang: str) -> list[str]:
    """Sentences of ``text``, each stripped, in order; ``lang`` is checked but all languages split alike."""
    resolve_language(lang)
    cleaned = clean_input(text)
    sentences: list[str] = []
    start = 0
    for match in _END.finditer(cleaned):
        if match.group() == "." and _is_abbreviation_dot(cleaned, match.start()):
            continue
        sentences.append(cleaned[start : match.end()].strip())
        start = match.end()
    rest = cleaned[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences
