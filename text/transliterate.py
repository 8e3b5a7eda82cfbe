"""Informal Latin spelling -> Devanagari or Bengali script, by rule.

This is the fallback for romanized words that are not in the lexicon (see
:mod:`text.lexicon`). Strict schemes such as ITRANS assume every consonant without a vowel letter
joins the next one (aap -> आप्, accha -> अच्च); chat spelling is different, so:

* a consonant followed by a consonant keeps its inherent vowel (करना "karna", আপনি "apni")
  unless the pair is one that Hindi and Bengali write as a conjunct: doubled letters
  (pakka, accha), a letter and its aspirate (patthar), stop + r (prem), consonant + y/w before a
  vowel (kya, swagat), s/sh + stop (namaste, mushkil), nasal + h (tumhara) and a word-final pair
  (dost, dard);
* n before a consonant is the anusvara in Hindi (hindi -> हिंदी) and ন্ before a dental in Bengali;
* vowel length: aa/ee/oo are long; a final a/i/u is long in Hindi (kya, nahi, tu); in Bengali a
  is आ, o after a consonant is the inherent vowel except at the end (kemon, bhalo) and a final i
  stays short (ami -> আমি);
* a vowel after a vowel is written as an independent vowel letter (aao -> आओ, khai -> খাই).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CONSONANT_UNITS = (
    "ksh",
    "chh",
    "kh",
    "gh",
    "ch",
    "jh",
    "th",
    "dh",
    "ph",
    "bh",
    "sh",
    "k",
    "g",
    "c",
    "j",
    "t",
    "d",
    "n",
    "p",
    "f",
    "b",
    "m",
    "y",
    "r",
    "l",
    "v",
    "w",
    "s",
    "h",
    "z",
    "q",
    "x",
)
_VOWEL_UNITS = ("aa", "ee", "ii", "oo", "uu", "ai", "au", "ei", "ou", "a", "e", "i", "o", "u")
_UNIT = re.compile("|".join(sorted(_CONSONANT_UNITS + _VOWEL_UNITS, key=len, reverse=True)))
_ASPIRATE = {"k": "kh", "g": "gh", "c": "ch", "ch": "chh", "j": "jh", "t": "th", "d": "dh", "p": "ph", "b": "bh"}
_TAKES_R = {"k", "kh", "g", "gh", "t", "th", "d", "dh", "p", "ph", "b", "bh", "sh", "s", "v", "j", "f"}
_TAKES_W = {"s", "d", "t", "k", "j", "sh"}
_SIBILANT_CLUSTER = {"t", "th", "k", "kh", "p", "ph", "w", "v", "y", "r"}
_NASAL_H = {"m", "n", "l"}


@dataclass(frozen=True)
class _Script:
    consonants: dict[str, str]
    vowels: dict[str, str]  # independent vowel letters
    signs: dict[str, str]  # vowel signs ("" = inherent vowel)
    virama: str
    anusvara: str
    final_signs: dict[str, str]  # vowel signs at the end of a word, where they differ


_HINDI = _Script(
    consonants={
        "k": "क",
        "kh": "ख",
        "g": "ग",
        "gh": "घ",
        "c": "क",
        "ch": "च",
        "chh": "छ",
        "j": "ज",
        "jh": "झ",
        "t": "त",
        "th": "थ",
        "d": "द",
        "dh": "ध",
        "n": "न",
        "p": "प",
        "ph": "फ",
        "f": "फ़",
        "b": "ब",
        "bh": "भ",
        "m": "म",
        "y": "य",
        "r": "र",
        "l": "ल",
        "v": "व",
        "w": "व",
        "sh": "श",
        "s": "स",
        "h": "ह",
        "z": "ज़",
        "q": "क़",
        "x": "क्स",
        "ksh": "क्ष",
    },
    vowels={
        "a": "अ",
        "aa": "आ",
        "i": "इ",
        "ee": "ई",
        "ii": "ई",
        "u": "उ",
        "oo": "ऊ",
        "uu": "ऊ",
        "e": "ए",
        "ai": "ऐ",
        "ei": "ए",
        "o": "ओ",
        "au": "औ",
        "ou": "औ",
    },
    signs={
        "a": "",
        "aa": "ा",
        "i": "ि",
        "ee": "ी",
        "ii": "ी",
        "u": "ु",
        "oo": "ू",
        "uu": "ू",
        "e": "े",
        "ai": "ै",
        "ei": "े",
        "o": "ो",
        "au": "ौ",
        "ou": "ौ",
    },
    virama="्",
    anusvara="ं",
    final_signs={"a": "ा", "i": "ी", "u": "ू"},
)
_BENGALI = _Script(
    consonants={
        "k": "ক",
        "kh": "খ",
        "g": "গ",
        "gh": "ঘ",
        "c": "ক",
        "ch": "চ",
        "chh": "ছ",
        "j": "জ",
        "jh": "ঝ",
        "t": "ত",
        "th": "থ",
        "d": "দ",
        "dh": "ধ",
        "n": "ন",
        "p": "প",
        "ph": "ফ",
        "f": "ফ",
        "b": "ব",
        "bh": "ভ",
        "m": "ম",
        "y": "য়",
        "r": "র",
        "l": "ল",
        "v": "ভ",
        "w": "ও",
        "sh": "শ",
        "s": "স",
        "h": "হ",
        "z": "জ",
        "q": "ক",
        "x": "ক্স",
        "ksh": "ক্ষ",
    },
    vowels={
        "a": "আ",
        "aa": "আ",
        "i": "ই",
        "ee": "ঈ",
        "ii": "ঈ",
        "u": "উ",
        "oo": "ঊ",
        "uu": "ঊ",
        "e": "এ",
        "ai": "আই",
        "ei": "এই",
        "o": "ও",
        "au": "আউ",
        "ou": "ঔ",
    },
    signs={
        "a": "া",
        "aa": "া",
        "i": "ি",
        "ee": "ী",
        "ii": "ী",
        "u": "ু",
        "oo": "ূ",
        "uu": "ূ",
        "e": "ে",
        "ai": "াই",
        "ei": "েই",
        "o": "",
        "au": "াউ",
        "ou": "ৌ",
    },
    virama="্",
    anusvara="ং",
    final_signs={"o": "ো"},
)
_SCRIPTS = {"hi": _HINDI, "bn": _BENGALI}
_VOWEL_SET = set(_VOWEL_UNITS)
_BENGALI_NASAL_CLUSTER = {"t", "th", "d", "dh"}  # ন্ত, ন্থ, ন্দ, ন্ধ


def _units(word: str) -> list[str]:
    return _UNIT.findall(word)


def _joins(unit: str, nxt: str, after: str | None, lang: str) -> bool:
    """Whether consonant ``unit`` is written with a virama before consonant ``nxt``."""
    if after is None:  # word-final pair: dost, dard
        return True
    next_has_vowel = after in _VOWEL_SET
    if nxt == unit or _ASPIRATE.get(unit) == nxt or (unit == "c" and nxt == "chh"):
        return True
    if nxt == "r" and unit in _TAKES_R:
        return True
    if nxt == "y" and next_has_vowel:
        return True
    if nxt in ("w", "v") and unit in _TAKES_W and next_has_vowel:
        return True
    if unit in ("s", "sh") and nxt in _SIBILANT_CLUSTER:
        return True
    if nxt == "h" and unit in _NASAL_H and next_has_vowel:
        return True
    return lang == "bn" and unit == "n" and nxt in _BENGALI_NASAL_CLUSTER


def _is_anusvara(unit: str, nxt: str | None, after: str | None, lang: str) -> bool:
    if nxt is None or nxt in _VOWEL_SET:
        return False
    if lang == "hi":
        return (unit == "n" and nxt not in ("n", "y", "h", "v", "w")) or (unit == "m" and nxt in ("p", "b", "bh"))
    # Bengali writes ং for "ng" before a consonant or at the end (bangla, rong).
    return unit == "n" and nxt == "g" and (after is None or after not in _VOWEL_SET)


def rules_to_native(word: str, lang: str) -> str:
    """Transliterate one lower-case romanized word into Devanagari (``hi``) or Bengali (``bn``)."""
    script = _SCRIPTS[lang]
    units = _units(word)  # a fresh list: "c" + "ch" rewrites its neighbour below
    out: list[str] = []
    previous_was_consonant = False
    i = 0
    while i < len(units):
        unit = units[i]
        nxt = units[i + 1] if i + 1 < len(units) else None
        after = units[i + 2] if i + 2 < len(units) else None
        is_last = nxt is None
        if unit in _VOWEL_SET:
            if previous_was_consonant:
                out.append(_vowel_sign(unit, units, i, script, lang))
            else:
                out.append(_final_vowel_letter(unit, is_last and i > 0, script, lang))
            previous_was_consonant = False
        elif _is_anusvara(unit, nxt, after, lang):
            out.append(script.anusvara)
            if lang == "bn":
                i += 1  # "ng" is one sound: the g is part of ং
            previous_was_consonant = False
        elif lang == "hi" and unit == "n" and is_last and _ends_nasal_vowel(units):
            out.append(script.anusvara)  # hain -> हैं, mein -> में, kitaabon -> किताबों
        else:
            if unit == "y" and lang == "bn" and i == 0:
                out.append("য")  # initial y is the letter য (yadi), medial y is য় (hoy)
            elif unit == "c" and nxt in ("ch", "chh"):
                out.append(script.consonants["ch"])  # accha, acchha -> च्छ
                units[i + 1] = "chh"
            else:
                out.append(script.consonants[unit])
            if nxt is not None and nxt not in _VOWEL_SET and _joins(unit, nxt, after, lang):
                out.append(script.virama)
            previous_was_consonant = True
        i += 1
    return unicodedata.normalize("NFC", "".join(out))


def _ends_nasal_vowel(units: list[str]) -> bool:
    """hain, mein, karein; and the oblique plural -on of longer words (kitaabon, logon)."""
    if len(units) < 3:
        return False
    return units[-2] in ("ai", "ei", "e") or (units[-2] == "o" and _syllable_count(units) > 1)


def _vowel_sign(unit: str, units: list[str], i: int, script: _Script, lang: str) -> str:
    is_last = i == len(units) - 1
    if not is_last:
        return script.signs[unit]
    if lang == "hi" and unit == "ai" and _syllable_count(units) > 1:
        return "ाई"  # padhai -> पढ़ाई, mithai -> मिठाई (but hai -> है)
    return script.final_signs.get(unit, script.signs[unit])


def _final_vowel_letter(unit: str, is_final: bool, script: _Script, lang: str) -> str:
    # A word-final independent i/u after a vowel is long in Hindi: aai -> आई, jaau -> जाऊ.
    if is_final and lang == "hi" and unit in ("i", "u"):
        return script.vowels[unit * 2]
    return script.vowels[unit]


def _syllable_count(units: list[str]) -> int:
    return sum(1 for u in units if u in _VOWEL_SET)
