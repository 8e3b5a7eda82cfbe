"""English number words: cardinals (Western and Indian grouping), ordinals, years, digits.

Written here rather than taken from ``inflect``: inflect 7 takes 2-3 s to import on a 2-core
machine (its typeguard instrumentation), longer than the whole normalization budget, and its
hyphenated, comma-separated output would need undoing anyway. Words are joined by spaces only,
so a number never introduces punctuation into the normalized text.
"""

from __future__ import annotations

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_WESTERN_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (10**3, "thousand"))
_INDIAN_SCALES = ((10**7, "crore"), (10**5, "lakh"), (10**3, "thousand"))
_IRREGULAR_ORDINALS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}
# Above this, a number is read digit by digit (an account or phone number, not a quantity).
LARGEST_CARDINAL = 10**15 - 1


def _below_hundred(n: int) -> list[str]:
    if n < 20:
        return [_ONES[n]]
    tens, ones = divmod(n, 10)
    return [_TENS[tens]] + ([_ONES[ones]] if ones else [])


def _below_thousand(n: int) -> list[str]:
    hundreds, rest = divmod(n, 100)
    words = [_ONES[hundreds], "hundred"] if hundreds else []
    return words + (_below_hundred(rest) if rest or not hundreds else [])


def _scaled(n: int, scales: tuple[tuple[int, str], ...]) -> list[str]:
    words: list[str] = []
    for size, name in scales:
        count, n = divmod(n, size)
        if count:
            words += _scaled(count, scales) + [name]
    if n or not words:
        words += _below_thousand(n)
    return words


def digits(text: str) -> str:
    """Read a string of digits one by one: "0091" -> "zero zero nine one"."""
    return " ".join(_ONES[int(d)] for d in text)


def cardinal(n: int, indian: bool = False) -> str:
    """Cardinal words of a non-negative integer; ``indian`` uses lakh and crore."""
    if n > LARGEST_CARDINAL:
        return digits(str(n))
    return " ".join(_scaled(n, _INDIAN_SCALES if indian else _WESTERN_SCALES))


def ordinal(n: int) -> str:
    """Ordinal words: 1 -> "first", 22 -> "twenty second", 100 -> "one hundredth"."""
    words = cardinal(n).split()
    last = words[-1]
    if last in _IRREGULAR_ORDINALS:
        words[-1] = _IRREGULAR_ORDINALS[last]
    elif last.endswith("y"):
        words[-1] = last[:-1] + "ieth"
    else:
        words[-1] = last + "th"
    return " ".join(words)


def year(n: int) -> str:
    """A year as it is said: 1999 -> "nineteen ninety nine", 2005 -> "two thousand five"."""
    century, rest = divmod(n, 100)
    if not 11 <= century <= 20 or 2000 <= n <= 2009:
        return cardinal(n)
    if rest == 0:
        return f"{cardinal(century)} hundred"
    if rest < 10:
        return f"{cardinal(century)} oh {_ONES[rest]}"
    return f"{cardinal(century)} {cardinal(rest)}"
