"""Native script -> informal Latin spelling, the way people type Hindi and Bengali in chat.

Used to build the romanized lexicon from native-script word lists (every common way of typing
a word), to train the character model that recognises romanized Indic words, and to write Hindi
or Bengali words in Latin letters when the target language is English.

The inherent vowel is written ``a`` in Hindi and ``o`` in Bengali and dropped where speakers drop
it: at the end of a word and in the middle of a word between two vowelled syllables (the
standard schwa-deletion rule, applied right to left), so नमस्ते -> "namaste", समझना -> "samajhna",
করছি -> "korchi".
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

_VIRAMA = {"hi": "\u094d", "bn": "\u09cd"}
_NUKTA = {"hi": "\u093c", "bn": "\u09bc"}
_INHERENT = {"hi": "a", "bn": "o"}

# Each letter maps to its spelling options, most common first.
_HINDI_CONSONANTS = {
    "क": ["k"],
    "ख": ["kh"],
    "ग": ["g"],
    "घ": ["gh"],
    "ङ": ["n"],
    "च": ["ch"],
    "छ": ["chh", "ch"],
    "ज": ["j"],
    "झ": ["jh"],
    "ञ": ["n"],
    "ट": ["t"],
    "ठ": ["th"],
    "ड": ["d"],
    "ढ": ["dh"],
    "ण": ["n"],
    "त": ["t"],
    "थ": ["th"],
    "द": ["d"],
    "ध": ["dh"],
    "न": ["n"],
    "ऩ": ["n"],
    "प": ["p"],
    "फ": ["ph", "f"],
    "ब": ["b"],
    "भ": ["bh"],
    "म": ["m"],
    "य": ["y"],
    "र": ["r"],
    "ऱ": ["r"],
    "ल": ["l"],
    "ळ": ["l"],
    "ऴ": ["l"],
    "व": ["v", "w"],
    "श": ["sh"],
    "ष": ["sh"],
    "स": ["s"],
    "ह": ["h"],
    "क़": ["q", "k"],
    "ख़": ["kh"],
    "ग़": ["g"],
    "ज़": ["z", "j"],
    "फ़": ["f"],
    "ड़": ["d", "r"],
    "ढ़": ["dh", "rh"],
    "य़": ["y"],
}
_HINDI_VOWELS = {  # independent vowel: (options), vowel sign: (options)
    "अ": ["a"],
    "आ": ["aa", "a"],
    "इ": ["i"],
    "ई": ["ee", "i"],
    "उ": ["u"],
    "ऊ": ["oo", "u"],
    "ऋ": ["ri"],
    "ए": ["e"],
    "ऐ": ["ai", "e"],
    "ओ": ["o"],
    "औ": ["au", "ou"],
    "ऑ": ["o"],
    "ऍ": ["e"],
    "ऎ": ["e"],
    "ऒ": ["o"],
    "ॠ": ["ri"],
    "ऌ": ["li"],
    "ॡ": ["li"],
    "ा": ["aa", "a"],
    "ि": ["i"],
    "ी": ["ee", "i"],
    "ु": ["u"],
    "ू": ["oo", "u"],
    "ृ": ["ri"],
    "ॄ": ["ri"],
    "े": ["e"],
    "ै": ["ai", "e"],
    "ो": ["o"],
    "ौ": ["au", "ou"],
    "ॉ": ["o"],
    "ॅ": ["e"],
    "ॆ": ["e"],
    "ॊ": ["o"],
    "ॢ": ["li"],
    "ॣ": ["li"],
}
_BENGALI_CONSONANTS = {
    "ক": ["k"],
    "খ": ["kh"],
    "গ": ["g"],
    "ঘ": ["gh"],
    "ঙ": ["ng"],
    "চ": ["ch"],
    "ছ": ["chh", "ch"],
    "জ": ["j"],
    "ঝ": ["jh"],
    "ঞ": ["n"],
    "ট": ["t"],
    "ঠ": ["th"],
    "ড": ["d"],
    "ঢ": ["dh"],
    "ণ": ["n"],
    "ত": ["t"],
    "থ": ["th"],
    "দ": ["d"],
    "ধ": ["dh"],
    "ন": ["n"],
    "প": ["p"],
    "ফ": ["ph", "f"],
    "ব": ["b"],
    "ভ": ["bh"],
    "ম": ["m"],
    "য": ["j"],
    "র": ["r"],
    "ল": ["l"],
    "শ": ["sh"],
    "ষ": ["sh"],
    "স": ["s", "sh"],
    "হ": ["h"],
    "ড়": ["r"],
    "ঢ়": ["rh"],
    "য়": ["y"],
    "ৎ": ["t"],
    "ৰ": ["r"],
    "ৱ": ["w"],
}
_BENGALI_VOWELS = {
    "অ": ["o"],
    "আ": ["a"],
    "ই": ["i"],
    "ঈ": ["i", "ee"],
    "উ": ["u"],
    "ঊ": ["u", "oo"],
    "ঋ": ["ri"],
    "এ": ["e"],
    "ঐ": ["oi"],
    "ও": ["o"],
    "ঔ": ["ou"],
    "ঌ": ["li"],
    "ৠ": ["ri"],
    "া": ["a"],
    "ি": ["i"],
    "ী": ["i", "ee"],
    "ু": ["u"],
    "ূ": ["u", "oo"],
    "ৃ": ["ri"],
    "ৄ": ["ri"],
    "ে": ["e"],
    "ৈ": ["oi"],
    "ো": ["o"],
    "ৌ": ["ou"],
    "ৗ": ["ou"],
    "ৢ": ["li"],
    "ৣ": ["li"],
}
_TABLES = {
    "hi": (_HINDI_CONSONANTS, _HINDI_VOWELS, {"ं": ["n"], "ँ": ["n", ""], "ः": ["h"]}),
    "bn": (_BENGALI_CONSONANTS, _BENGALI_VOWELS, {"ং": ["ng"], "ঁ": ["n", ""], "ঃ": ["h"]}),
}
_LABIALS = ("p", "b", "m")
# Unaspirated letter + virama + its aspirated partner is a geminate typed in several ways:
# अच्छा -> "accha", "achha", "acha"; पत्थर -> "patthar", "pathar".
_ASPIRATE_PAIRS = {
    "k": "kh",
    "g": "gh",
    "ch": "chh",
    "j": "jh",
    "t": "th",
    "d": "dh",
    "p": "ph",
    "b": "bh",
}
# Bengali often pronounces a final inherent vowel, as "o": বড় "boro", করব "korbo", হল "holo".
# After the consonants of verb endings (-ব, -ল, -ছ, -ত) that is the usual spelling, so those
# words list it first.
_BENGALI_FINAL_O_FIRST = ("b", "l", "chh", "t")
_FINAL_VOWEL_ORDER = {"aa": "a", "ee": "i", "oo": "u"}  # "kya", "nahi", "tu" at the end
# Spelling variants per word are capped: long words would otherwise have hundreds.
MAX_VARIANTS = 24


@dataclass
class _Syllable:
    consonant: list[str]  # spelling options of the consonant, empty for a bare vowel
    vowel: list[str]  # spelling options of the vowel; [] = no vowel (virama or deleted schwa)
    inherent: bool = False  # the vowel is the inherent one (candidate for deletion)
    cluster: bool = False  # the consonant carries a virama: it joins the next one
    dropped_final: bool = False  # its inherent vowel was deleted at the end of the word
    coda: list[str] | None = None  # anusvara / chandrabindu / visarga after the vowel


def _syllables(word: str, lang: str) -> list[_Syllable] | None:
    consonants, vowels, codas = _TABLES[lang]
    virama, nukta = _VIRAMA[lang], _NUKTA[lang]
    result: list[_Syllable] = []
    i = 0
    while i < len(word):
        ch = word[i]
        if i + 1 < len(word) and word[i + 1] == nukta and ch + nukta in consonants:
            ch, i = ch + nukta, i + 1
        i += 1
        if ch in consonants:
            result.append(_Syllable(list(consonants[ch]), [_INHERENT[lang]], inherent=True))
            if i < len(word) and word[i] == virama:
                result[-1].vowel, result[-1].inherent, result[-1].cluster = [], False, True
                i += 1
            elif i < len(word) and word[i] in vowels:
                result[-1].vowel, result[-1].inherent = list(vowels[word[i]]), False
                i += 1
        elif ch in vowels:
            result.append(_Syllable([], list(vowels[ch])))
        elif ch in codas and result:
            result[-1].coda = list(codas[ch])
        elif ch == nukta or ch == virama:
            continue
        else:
            return None
    return result


def _delete_schwas(syllables: list[_Syllable], keep_final: bool = False) -> None:
    """Drop inherent vowels that are not pronounced (word-final and V C _ C V).

    With ``keep_final`` the final inherent vowel is kept and the middle ones are judged with it
    in place: Bengali করব is "korbo", not "korobo".
    """
    last = syllables[-1]
    preceded_by_cluster = len(syllables) > 1 and syllables[-2].cluster
    if last.inherent and len(syllables) > 1 and not last.coda and not preceded_by_cluster and not keep_final:
        last.vowel, last.dropped_final = [], True
    for i in range(len(syllables) - 2, 0, -1):
        s, before, after = syllables[i], syllables[i - 1], syllables[i + 1]
        if (
            s.inherent
            and not s.coda
            and before.vowel
            and not before.cluster
            and not before.coda  # ज़िंदगी keeps its schwa: "zindagi", not "zindgi"
            and after.consonant
            and after.vowel
            and not s.cluster
        ):
            s.vowel = []


def _consonant_options(s: _Syllable, following: str) -> list[str]:
    if not s.cluster or not following:
        return s.consonant
    base = s.consonant[0]
    if following == base or _ASPIRATE_PAIRS.get(base) == following:
        # Doubled letters are often typed once; च्छ is also typed "cch".
        return ["c", "", base] if base == "ch" else [base, ""]
    return s.consonant


def _vowel_options(s: _Syllable, is_last: bool) -> list[str]:
    if is_last and not s.coda and s.vowel and s.vowel[0] in _FINAL_VOWEL_ORDER:
        return [_FINAL_VOWEL_ORDER[s.vowel[0]], s.vowel[0]]
    return s.vowel


def _coda_options(s: _Syllable, following: str, is_last: bool) -> list[str]:
    assert s.coda is not None
    if s.coda[0] != "n":
        return s.coda
    if following.startswith(_LABIALS):
        return ["m", "n"]  # संभाल -> "sambhal"
    if is_last:
        return ["n", ""]  # नहीं -> "nahin", "nahi"
    return s.coda


def _options(syllables: list[_Syllable], lang: str) -> list[list[str]]:
    slots: list[list[str]] = []
    for i, s in enumerate(syllables):
        is_last = i == len(syllables) - 1
        following = "" if is_last or not syllables[i + 1].consonant else syllables[i + 1].consonant[0]
        if s.consonant:
            slots.append(_consonant_options(s, following))
        if s.vowel:
            slots.append(_vowel_options(s, is_last))
        if s.coda:
            slots.append(_coda_options(s, following, is_last))
    return slots


def _spellings(syllables: list[_Syllable], lang: str) -> list[str]:
    slots = _options(syllables, lang)
    variants = ["".join(opts[0] for opts in slots)]
    # Spread the capped set: every single-slot deviation first, then the full product.
    for i, opts in enumerate(slots):
        for alternative in opts[1:]:
            variants.append("".join(alternative if j == i else o[0] for j, o in enumerate(slots)))
    for combination in itertools.islice(itertools.product(*slots), MAX_VARIANTS * 4):
        variants.append("".join(combination))
    return variants


def romanize_variants(word: str, lang: str) -> list[str]:
    """Common informal Latin spellings of a native word, the most common first.

    Returns [] when the word contains characters of another script.
    """
    syllables = _syllables(word, lang)
    if not syllables:
        return []
    _delete_schwas(syllables)
    variants = _spellings(syllables, lang)
    if lang == "bn" and syllables[-1].dropped_final:
        spoken_final = _syllables(word, lang) or []
        _delete_schwas(spoken_final, keep_final=True)
        alternatives = _spellings(spoken_final, lang)
        verb_ending = syllables[-1].consonant[0] in _BENGALI_FINAL_O_FIRST
        variants = alternatives + variants if verb_ending else variants + alternatives
    unique = list(dict.fromkeys(v for v in variants if v))
    return unique[:MAX_VARIANTS]


def romanize(word: str, lang: str) -> str:
    """The most common informal Latin spelling of a native word (ASCII, lower case)."""
    variants = romanize_variants(word, lang)
    return variants[0] if variants else ""
