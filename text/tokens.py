"""Splitting cleaned text into typed tokens.

Kinds, tried in this order at each position: ``email``, ``url``, ``date`` (15/08/1947),
``time`` (10:30, 7 pm), ``money`` (₹250, Rs. 5 lakh, $3.50), ``number`` (25, -3.5, 1,00,000,
22nd, 50%), ``initials`` (U.S.A., e.g.), ``word`` (a run of letters of one script: a word that
mixes scripts is split where the script changes), ``punct``, ``space`` and ``other`` (any other
single character: symbols, emoji).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from text.scripts import script_of

_SCALE_WORDS = r"thousand|million|billion|trillion|lakhs?|lacs?|crores?|cr|k|हज़ार|लाख|करोड़|হাজার|লাখ|কোটি"
_PATTERN = re.compile(
    r"""
    (?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)
  | (?P<url>(?:https?://|www\.)[^\s]+[^\s.,;:!?)'"]
      | [A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|org|net|in|io|gov|edu|co|info|ai|dev|uk|bd)\b(?:/[^\s]*[^\s.,;:!?)'"])?)
  | (?P<date>\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?!\d))
  | (?P<time>\d{1,2}(?::\d{2}){1,2}(?:\s?(?:[AaPp](?:\.\s?[Mm]\.|\s?[Mm]\b)))?|\d{1,2}\s?(?:[AaPp](?:\.\s?[Mm]\.|\s?[Mm]\b)))
  | (?P<money>(?:[$£€₹৳]|\b(?:[Rr][Ss]|INR|Tk|TK)\.?)\s?\d(?:[\d,]*\d)?(?:\.\d+)?(?:\s?(?:"""
    + _SCALE_WORDS
    + r""")(?![^\W\d_]))?(?:/-)?)
  | (?P<number>(?:(?<![\w.])-)?\d(?:[\d,]*\d)?(?:(?:st|nd|rd|th)(?![^\W\d_])|(?:\.\d+)?%?))
  | (?P<initials>\b(?:[A-Za-z]\.){2,})
  | (?P<word>[^\W\d_](?:[^\W\d_]|['\u0900-\u0963\u0971-\u097f\u0980-\u09e3\u09f0\u09f1\u0a00-\u0d7f])*)
  | (?P<punct>[,.?!;:।-]+)
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    """One token of the input.

    Attributes:
        text: the token as written (after Unicode clean-up).
        kind: see the module docstring.
        script: for words, their script (see :mod:`text.scripts`); else None.
        space_before: whether white space preceded the token.
        tag: the language the token is read in (``en``, ``hi``, ``bn``); set by the normalizer.
    """

    text: str
    kind: str
    script: str | None = None
    space_before: bool = False
    tag: str | None = None

    def tagged(self, tag: str) -> Token:
        return replace(self, tag=tag)


def _split_by_script(word: str) -> list[tuple[str, str]]:
    """Runs of one script: "officeमें" -> [("office", "latin"), ("में", "devanagari")]."""
    runs: list[tuple[str, str]] = []
    for ch in word:
        # Marks, apostrophes and other script-less characters stay with the run they follow.
        script = script_of(ch) if ch != "'" else None
        if runs and (script is None or script == runs[-1][1]):
            runs[-1] = (runs[-1][0] + ch, runs[-1][1])
        else:
            runs.append((ch, script or "other"))
    return runs


def tokenize(text: str) -> list[Token]:
    """Split cleaned text into tokens; white space is recorded on the token that follows it."""
    tokens: list[Token] = []
    space = False
    for match in _PATTERN.finditer(text):
        kind = match.lastgroup or "other"  # every alternative of the pattern is a named group
        value = match.group()
        if kind == "space":
            space = True
            continue
        if kind == "word":
            for i, (run, script) in enumerate(_split_by_script(value)):
                tokens.append(Token(run.strip("'"), "word", script, space if i == 0 else True))
        else:
            tokens.append(Token(value, kind, None, space))
        space = False
    return [t for t in tokens if t.text]
