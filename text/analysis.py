"""From raw text to tagged tokens: clean, tokenize, merge abbreviations, decide languages.

Every word gets the language it is read in: Latin-script words by :mod:`text.language_id`
(native-script neighbours take part as fixed context), native-script words by their script.
Numbers, money, times, dates and abbreviations take the language of the words around them in
their clause; when the word before and the word after differ, the Indic one wins
("meeting 3 baje" -> hi, "I have 3 cats" -> en).
"""

from __future__ import annotations

from collections.abc import Sequence

from text.errors import TextError
from text.language_id import tag_words
from text.languages import Language, resolve_language
from text.scripts import SCRIPT_TAG
from text.spelling import fold_latin, is_acronym
from text.tokens import Token, tokenize
from text.unicode_cleanup import clean_unicode
from text.vocabulary import VOCABULARIES

# Longest input accepted in one call; longer text should be split (split_sentences) first.
MAX_CHARACTERS = 100_000
_UNITS = frozenset({"km", "kg", "cm", "mm"})
_NEEDS_NUMBER_AFTER = frozenset({"no"})  # "No. 5" is "number five"; "I said no." is not
_INDIC_SCRIPTS = frozenset({"devanagari", "bengali", "indic"})
_FIXED_COST = 100.0  # keeps a native-script word on its side of the language decision


def clean_input(text: object) -> str:
    """Check and clean user text; raises TextError when there is nothing to read."""
    if not isinstance(text, str):
        raise TextError(f"text must be a string, got {type(text).__name__}")
    if len(text) > MAX_CHARACTERS:
        raise TextError(
            f"text has {len(text)} characters, more than {MAX_CHARACTERS}; "
            "split it into sentences or paragraphs first (text.split_sentences)"
        )
    cleaned = clean_unicode(text)
    if not cleaned:
        raise TextError("text is empty or only white space; give some words to read")
    return cleaned


def _is_dotted_abbreviation(tokens: Sequence[Token], i: int) -> bool:
    token = tokens[i]
    key = token.text.lower()
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    after = tokens[i + 2] if i + 2 < len(tokens) else None
    return (
        token.kind == "word"
        and key in VOCABULARIES["en"].abbreviations
        and key not in _UNITS
        and nxt is not None
        and nxt.kind == "punct"
        and nxt.text.startswith(".")
        and not nxt.space_before
        and (key not in _NEEDS_NUMBER_AFTER or (after is not None and after.kind == "number"))
    )


def merge_abbreviations(tokens: Sequence[Token]) -> list[Token]:
    """ "Dr" + "." -> one abbreviation token; "km" after a number -> an abbreviation too."""
    result: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if _is_dotted_abbreviation(tokens, i):
            result.append(Token(token.text, "abbreviation", token.script, token.space_before))
            rest = tokens[i + 1].text[1:]
            if rest or i + 2 == len(tokens):  # "etc." at the very end still ends the sentence
                result.append(Token(rest or ".", "punct"))
            i += 2
            continue
        is_unit = token.kind == "word" and token.text.lower() in _UNITS and result and result[-1].kind == "number"
        result.append(Token(token.text, "abbreviation", token.script, token.space_before) if is_unit else token)
        i += 1
    return result


def _fixed_costs(token: Token) -> tuple[float, float] | None:
    if token.script == "latin" and is_acronym(token.text):
        return (0.0, _FIXED_COST)  # spelled out letter by letter, as English letters
    if token.script == "latin":
        return None  # decided by the language model
    if token.script in _INDIC_SCRIPTS:
        return (_FIXED_COST, 0.0)
    return (0.0, _FIXED_COST)  # letters of other scripts are read as English after unidecode


def _script_tag(script: str | None) -> str:
    return "hi" if script == "indic" else SCRIPT_TAG.get(script or "", "en")


def _tag_words(tokens: Sequence[Token], language: Language) -> list[Token]:
    tagged = list(tokens)
    positions = [i for i, t in enumerate(tokens) if t.kind == "word"]
    if language.native is None:
        for i in positions:
            tagged[i] = tokens[i].tagged(_script_tag(tokens[i].script))
        return tagged
    words, breaks, fixed = [], [], []
    previous = -1
    for i in positions:
        token = tokens[i]
        words.append(fold_latin(token.text) if token.script == "latin" else token.text)
        breaks.append(any(t.kind == "punct" for t in tokens[previous + 1 : i]))
        fixed.append(_fixed_costs(token))
        previous = i
    for i, tag in zip(positions, tag_words(words, breaks, language.native, fixed)):
        script = tokens[i].script
        tagged[i] = tokens[i].tagged(tag if script in ("latin", "other") else _script_tag(script))
    return tagged


def _nearest_word_tag(tokens: Sequence[Token], i: int, step: int) -> str | None:
    """Tag of the nearest word from ``i`` in direction ``step``, within the clause."""
    j = i + step
    while 0 <= j < len(tokens) and not (tokens[j].kind == "punct" and tokens[j].text != "-"):
        if tokens[j].kind == "word":
            return tokens[j].tag
        j += step
    return None


def _context_tag(tokens: Sequence[Token], i: int, native: str) -> str:
    """Neighbours that agree decide; if they differ, the Indic language, which is the matrix
    language of code-mixed text: "meeting 3 baje", "mujhe 2 tickets" -> Hindi numbers."""
    # A Devanagari word in Benglish (or Bengali in Hinglish) is context for the Indic side.
    neighbours = (_nearest_word_tag(tokens, i, -1), _nearest_word_tag(tokens, i, 1))
    tags = {t if t == "en" else native for t in neighbours if t}
    return tags.pop() if len(tags) == 1 else native


def _tag_non_words(tokens: Sequence[Token], language: Language) -> list[Token]:
    default = language.native or "en"
    if not language.is_code_mixed:
        return [t if t.tag else t.tagged(default) for t in tokens]
    return [t if t.tag else t.tagged(_context_tag(tokens, i, default)) for i, t in enumerate(tokens)]


def analyse(text: str, lang: str) -> list[Token]:
    """Clean, tokenize and tag ``text``: every token gets the language it is read in."""
    language = resolve_language(lang)
    tokens = merge_abbreviations(tokenize(clean_input(text)))
    return _tag_non_words(_tag_words(tokens, language), language)
