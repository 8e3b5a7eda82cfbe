"""Phoneme input: normalized text to espeak-ng IPA, one symbol table for all five languages.

A phoneme voice reads IPA instead of letters. The acoustic model then no longer has to learn
English spelling, or that Hindi's inherent vowel is sometimes silent: espeak-ng's rules do that,
and the corpora the bundled voices learn from are spoken by the same rules.

:func:`to_phonemes` takes the *normalized* text (:func:`text.normalize`), where every word is
written in the script of the language it is read in: the frontend's per-token language tag is
the word's script. Each run of words in one script is phonemized by that language's espeak-ng
voice (Latin by ``en``, Devanagari by ``hi``, Bengali by ``bn``), so "मैं office जा रहा हूँ"
reads "office" by English rules and the rest by Hindi ones. Punctuation is kept as it is (it
shapes prosody), words stay separated by spaces.

``PHONEME_SYMBOLS`` is versioned like :mod:`text.symbols`: ids are fixed, new symbols may only
be appended in a new version.
"""

from __future__ import annotations

import re

from text.errors import TextError
from text.symbols import BENGALI, DANDA, DEVANAGARI, LATIN, PAD, PUNCTUATION, SPACE

PHONEME_SET_VERSION = 1

# What espeak-ng 1.52 writes for the en, hi and bn voices (measured on the 30 000 most frequent
# words of each language), then IPA it may write for rarer words. "ɽ" stands for espeak-ng's
# "r." (Hindi ड़, Bengali ড়), so that "." is only ever punctuation.
_IPA = "abcdefhijklmnopqrstuvwxyzæçðŋœøɐɑɒɓɔɕɖɗəɘɚɛɜɞɟɠɡɢɣɤɥɦɧɨɪɫɬɭɮɯɰɱɲɳɴɵɶɸɹɺɻɽɾʀʁʂʃʄʈʉʊʋʌʍʎʏʐʑʒʔʕʘʙʛʜʝʟʡʢβθχᵻʰʲʷˈˌːˑ̩̃̊"
PHONEME_SYMBOLS: tuple[str, ...] = (PAD, *PUNCTUATION, DANDA, SPACE, *_IPA)

# The espeak-ng voice that reads each script.
_SCRIPT_VOICES = (("en", frozenset(LATIN)), ("hi", frozenset(DEVANAGARI)), ("bn", frozenset(BENGALI)))
_MARKS = frozenset((*PUNCTUATION, DANDA))
_PIECES = re.compile(r"([,.?!;:\-।])")
# espeak-ng marks a word it reads by another language's rules: "(en)ˈɒfɪs(hi)".
_LANGUAGE_MARK = re.compile(r"\([a-z-]+\)")
_TABLE = frozenset(PHONEME_SYMBOLS)


def phoneme_symbols() -> list[str]:
    """The phoneme symbol table (index = id; id 0 is padding), shared by all languages."""
    return list(PHONEME_SYMBOLS)


def script_voice(word: str) -> str:
    """The espeak-ng voice that reads ``word``: the language of its script.

    Raises:
        TextError: the word mixes scripts or has a letter of none (normalized text never does).
    """
    for voice, letters in _SCRIPT_VOICES:
        if all(ch in letters for ch in word):
            return voice
    raise TextError(
        f"cannot phonemize {word!r}: its letters are not all in one of the Latin, Devanagari "
        "or Bengali alphabets; pass the text through text.normalize first"
    )


def to_phonemes(normalized: str) -> str:
    """IPA of normalized text, punctuation kept: ``"नमस्ते, how are you"`` ->
    ``"nəmˈʌsteː, hˈaʊ ɑː juː"``.

    Raises:
        TextError: a word that espeak-ng cannot phonemize into the symbol table (the message
            names the word), or espeak-ng missing.
    """
    from text.espeak import engine

    espeak = engine()
    out: list[str] = []
    for piece in _PIECES.split(normalized):
        piece = piece.strip()
        if not piece:
            continue
        if piece in _MARKS:
            # "a, b" -> "ə, b": the mark sticks to the word before it, a space follows.
            if out and out[-1] == SPACE:
                out.pop()
            out.extend((piece, SPACE))
            continue
        for voice, words in _runs(piece.split()):
            ipa = _clean(espeak.phonemes(" ".join(words), voice))
            if not ipa:
                raise TextError(f"espeak-ng ({voice}) gives no phonemes for {' '.join(words)!r}")
            bad = sorted(set(ipa) - _TABLE)
            if bad:
                raise TextError(
                    f"cannot phonemize {_culprit(words, voice, espeak)!r}: espeak-ng ({voice}) "
                    f"reads it with symbols {bad} that are not in the phoneme table"
                )
            out.extend((ipa, SPACE))
    return "".join(out).strip()


def _runs(words: list[str]) -> list[tuple[str, list[str]]]:
    """Consecutive words grouped by the voice that reads them."""
    runs: list[tuple[str, list[str]]] = []
    for word in words:
        voice = script_voice(word)
        if runs and runs[-1][0] == voice:
            runs[-1][1].append(word)
        else:
            runs.append((voice, [word]))
    return runs


def _clean(ipa: str) -> str:
    ipa = _LANGUAGE_MARK.sub("", ipa).replace("r.", "ɽ").replace(".", "")
    return " ".join(ipa.split())


def _culprit(words: list[str], voice: str, espeak) -> str:
    """The first word whose phonemes leave the table (the whole run if none alone does)."""
    for word in words:
        if set(_clean(espeak.phonemes(word, voice))) - _TABLE:
            return word
    return " ".join(words)
