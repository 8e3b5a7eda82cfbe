"""Reading numbers, money, times, dates, initials and symbols aloud, in English, Hindi or Bengali.

Each function takes the token text and the language tag to read it in (``en``, ``hi``, ``bn``)
and returns the spoken words, space-separated, in that language's script.
"""

from __future__ import annotations

import re

from text import numbers_en, numbers_indic
from text.vocabulary import VOCABULARIES, YEAR_AFTER, YEAR_BEFORE, currency_symbol

_INDIAN_GROUPING = re.compile(r"\d{1,2}(?:,\d{2})+,\d{3}")
# The tokenizer has already checked the scale word; \S+ keeps its combining marks (हज़ार).
_MONEY = re.compile(r"(?P<prefix>[$£€₹৳]|[A-Za-z]+\.?)\s?(?P<amount>[\d,]+(?:\.\d+)?)\s?(?P<scale>\S+)?")
_TIME = re.compile(r"(?P<h>\d{1,2})(?::(?P<m>\d{2}))?(?::(?P<s>\d{2}))?\s?(?P<ampm>[AaPp])?")
_SCALE_ALIASES = {
    "lakhs": "lakh",
    "lac": "lakh",
    "lacs": "lakh",
    "crores": "crore",
    "cr": "crore",
    "हज़ार": "thousand",
    "লাখ": "lakh",
    "लाख": "lakh",
    "करोड़": "crore",
    "কোটি": "crore",
    "হাজার": "thousand",
}
# Bengali tells the time with a classifier: সাতটা, দুটো, তিনটে.
_BENGALI_HOURS = "বারোটা একটা দুটো তিনটে চারটে পাঁচটা ছটা সাতটা আটটা নটা দশটা এগারোটা".split()


def cardinal(n: int, tag: str) -> str:
    """Cardinal words of a non-negative integer."""
    return numbers_en.cardinal(n) if tag == "en" else numbers_indic.cardinal(n, tag)


def digits(text: str, tag: str) -> str:
    """Read a string of digits one by one."""
    return numbers_en.digits(text) if tag == "en" else numbers_indic.digits(text, tag)


def _integer(text: str, tag: str, year_context: bool) -> str:
    """An integer as written (digits, maybe with commas)."""
    plain = text.replace(",", "")
    if len(plain) > 1 and plain.startswith("0"):
        return digits(plain, tag)  # 007, 0091: codes are read digit by digit
    n = int(plain)
    if "," not in text and 1100 <= n <= 2099 and (tag == "en" or year_context):
        return numbers_en.year(n) if tag == "en" else numbers_indic.year(n, tag)
    if tag == "en":
        return numbers_en.cardinal(n, indian=bool(_INDIAN_GROUPING.fullmatch(text)))
    return numbers_indic.cardinal(n, tag)


def _decimal(text: str, tag: str) -> str:
    whole, _, fraction = text.partition(".")
    words = _integer(whole or "0", tag, year_context=False)
    return f"{words} {VOCABULARIES[tag].point} {digits(fraction, tag)}"


def is_year_context(tag: str, previous_word: str, next_word: str) -> bool:
    """Whether neighbouring words mark a number as a year ("सन् 1999", "1999 में")."""
    return tag != "en" and (previous_word in YEAR_BEFORE[tag] or next_word in YEAR_AFTER[tag])


def number(text: str, tag: str, year_context: bool = False) -> str:
    """25, -3.5, 1,00,000, 22nd, 50%."""
    vocabulary = VOCABULARIES[tag]
    if text.endswith("%"):
        return f"{number(text[:-1], tag)} {vocabulary.percent}"
    if text.startswith("-"):
        return f"{vocabulary.minus} {number(text[1:], tag)}"
    if text[-2:].lower() in ("st", "nd", "rd", "th"):
        n = int(text[:-2].replace(",", ""))
        return numbers_en.ordinal(n) if tag == "en" else numbers_indic.ordinal(n, tag)
    if "." in text:
        return _decimal(text, tag)
    return _integer(text, tag, year_context)


def money(text: str, tag: str) -> str:
    """₹250, Rs. 10.50, $3 million, ৳500."""
    vocabulary = VOCABULARIES[tag]
    match = _MONEY.match(text.replace("/-", ""))
    if match is None:  # the tokenizer only produces money tokens this pattern reads
        raise AssertionError(f"not a money token: {text!r}")
    currency = vocabulary.currencies[currency_symbol(match["prefix"])]
    amount = match["amount"]
    if match["scale"]:
        scale = match["scale"].lower()
        scale = vocabulary.scale_words[_SCALE_ALIASES.get(scale, scale)]
        return f"{number(amount, tag)} {scale} {currency.units}"
    whole, _, fraction = amount.partition(".")
    whole_value = int(whole.replace(",", "") or "0")
    cents = int((fraction + "00")[:2]) if fraction else 0
    words = []
    if whole_value or not cents:
        unit = currency.unit if whole_value == 1 else currency.units
        words.append(f"{number(whole, tag)} {unit}")
    if cents:
        subunit = currency.subunit if cents == 1 else currency.subunits
        words.append(f"{cardinal(cents, tag)} {subunit}")
    return (" and " if tag == "en" else " ").join(words)


def _day_part(hour: int, ampm: str | None, tag: str) -> str:
    """Hindi and Bengali say the part of the day before the time instead of am/pm."""
    if tag == "hi":
        names = ("रात", "सुबह", "दोपहर", "शाम", "रात")
    else:
        names = ("রাত", "সকাল", "দুপুর", "সন্ধ্যা", "রাত")
    hour24 = hour % 12 + (12 if ampm == "p" else 0)
    for limit, name in zip((4, 12, 16, 20, 24), names):
        if hour24 < limit:
            return name
    raise AssertionError("unreachable: hour24 < 24")


def time(text: str, tag: str) -> str:
    """10:30, 7 pm, 7:05 a.m."""
    match = _TIME.match(text)
    if match is None:
        raise AssertionError(f"not a time token: {text!r}")
    hour, minutes = int(match["h"]), int(match["m"] or 0)
    ampm = match["ampm"].lower() if match["ampm"] else None
    if tag == "en":
        words = [numbers_en.cardinal(hour)]
        if minutes == 0 and not ampm:
            words.append("o'clock")
        elif 0 < minutes < 10:
            words += ["oh", numbers_en.cardinal(minutes)]
        elif minutes:
            words.append(numbers_en.cardinal(minutes))
        if ampm:
            words += [ampm, "m"]
        return " ".join(words)
    prefix = [_day_part(hour, ampm, tag)] if ampm else []
    if tag == "hi":
        hour_words = numbers_indic.cardinal(hour, "hi")
        if minutes == 0:
            return " ".join(prefix + [hour_words, "बजे"])
        return " ".join(prefix + [hour_words, "बजकर", cardinal(minutes, tag), "मिनट"])
    hour_words = _BENGALI_HOURS[hour % 12] if hour <= 12 else numbers_indic.cardinal(hour, "bn") + "টা"
    if minutes == 0:
        return " ".join(prefix + [hour_words])
    return " ".join(prefix + [hour_words, "বেজে", cardinal(minutes, tag), "মিনিট"])


def date(text: str, tag: str) -> str:
    """15/08/1947, 15-08-47: day first, as written in India (month first only if day > 12)."""
    first, second, year = (int(p) for p in re.split(r"[/.-]", text))
    day, month = (first, second) if second <= 12 else (second, first)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return " ".join(_integer(p, tag, False) for p in re.split(r"[/.-]", text))
    month_name = VOCABULARIES[tag].months[month - 1]
    year_text = re.split(r"[/.-]", text)[2]
    if len(year_text) == 2:
        year_words = digits(year_text, tag) if year_text.startswith("0") else cardinal(year, tag)
    else:
        year_words = numbers_en.year(year) if tag == "en" else numbers_indic.year(year, tag)
    day_words = numbers_en.ordinal(day) if tag == "en" else cardinal(day, tag)
    return f"{day_words} {month_name} {year_words}"


def spell_letters(letters: str, tag: str) -> str:
    """Read Latin letters one by one: "ATM" -> "a t m" / "ए टी एम"."""
    names = VOCABULARIES[tag].letters
    return " ".join(names[c] for c in letters.lower() if c in names)


def initials(text: str, tag: str) -> str:
    """e.g., i.e., U.S.A."""
    letters = text.replace(".", "").lower()
    vocabulary = VOCABULARIES[tag]
    if letters == "eg":
        return vocabulary.example
    if letters == "ie":
        return vocabulary.that_is
    return spell_letters(letters, tag)


_ADDRESS_SYMBOLS = {".": "dot", "@": "at", "/": "slash", "-": "dash", "_": "underscore"}


def address(text: str) -> str:
    """An e-mail address or URL, read in English: "a.b@x.org" -> "a dot b at x dot org"."""
    words: list[str] = []
    for part in re.findall(r"[a-z]+|\d+|.", re.sub(r"^https?://", "", text.lower())):
        if part.isdigit():
            words.append(numbers_en.cardinal(int(part)) if len(part) < 5 else numbers_en.digits(part))
        elif part.isalpha():
            words.append(spell_letters(part, "en") if part == "www" else part)
        elif part in _ADDRESS_SYMBOLS:
            words.append(_ADDRESS_SYMBOLS[part])
    return " ".join(words)
