"""Hindi and Bengali number words.

Integers below 100 crore come from ``indic-numtowords`` (AI4Bharat, MIT licence), whose tables
were checked against the spoken forms (25 -> पच्चीस / পঁচিশ, 100000 -> एक लाख / এক লাখ). It reads
anything longer than nine digits digit by digit, so larger amounts are composed here in crores;
decimals, years and ordinals are not in the package and are written here too.
"""

from __future__ import annotations

from indic_numtowords import num2words

from text.numbers_en import LARGEST_CARDINAL

_CRORE = {"hi": "करोड़", "bn": "কোটি"}
_HUNDRED_SUFFIX = {"hi": " सौ", "bn": "শো"}  # 19 + सौ -> उन्नीस सौ; 19 + শো -> উনিশশো
_ORDINALS = {
    "hi": ("पहला", "दूसरा", "तीसरा", "चौथा", "पाँचवाँ", "छठा"),
    "bn": ("প্রথম", "দ্বিতীয়", "তৃতীয়", "চতুর্থ", "পঞ্চম", "ষষ্ঠ", "সপ্তম", "অষ্টম", "নবম", "দশম"),
}
_ORDINAL_SUFFIX = {"hi": "वाँ", "bn": "তম"}


def _below_hundred_crore(n: int, lang: str) -> str:
    words = num2words(str(n), lang=lang)
    # The package spells six "छः" (with visarga); "छह" is the spelling that matches its sound.
    return " ".join("छह" if w == "छः" else w for w in words.split())


def digits(text: str, lang: str) -> str:
    """Read a string of digits one by one."""
    return " ".join(_below_hundred_crore(int(d), lang) for d in text)


def cardinal(n: int, lang: str) -> str:
    """Cardinal words of a non-negative integer in Hindi (``hi``) or Bengali (``bn``)."""
    if n > LARGEST_CARDINAL:
        return digits(str(n), lang)
    if n < 10**9:
        return _below_hundred_crore(n, lang)
    crores, rest = divmod(n, 10**7)
    words = f"{cardinal(crores, lang)} {_CRORE[lang]}"
    return f"{words} {cardinal(rest, lang)}" if rest else words


def year(n: int, lang: str) -> str:
    """A year as it is said: 1999 -> उन्नीस सौ निन्यानवे / উনিশশো নিরানব্বই; 2024 as a cardinal."""
    century, rest = divmod(n, 100)
    if not 11 <= century <= 19:
        return cardinal(n, lang)
    words = cardinal(century, lang) + _HUNDRED_SUFFIX[lang]
    return f"{words} {cardinal(rest, lang)}" if rest else words


def ordinal(n: int, lang: str) -> str:
    """Ordinal words: 1 -> पहला / প্রথম, 7 -> सातवाँ / সপ্তম, 21 -> इक्कीसवाँ / একুশতম."""
    table = _ORDINALS[lang]
    if 1 <= n <= len(table):
        return table[n - 1]
    return cardinal(n, lang) + _ORDINAL_SUFFIX[lang]
