"""Sentences composed from frequent words: phonetic variety that templates cannot give.

The phrasebook's templates are natural but small (a few hundred distinct words per language), so
a model trained on them alone never hears most syllables of the language. Composed sentences
draw words from ``wordfreq``'s offline lists of the most frequent words of English, Hindi and
Bengali (Zipf-smoothed, so common words come often and rare ones still come), which covers the
phones and phone pairs of everyday text. They are not grammatical; espeak-ng reads them with the
same rules and sentence prosody as any other sentence, which is what a voice learns from it.

Code-mixed sentences put English words among Hindi or Bengali ones, and are typed romanized or
in native script like the templates' (:mod:`tts.corpora.sentences`).
"""

from __future__ import annotations

import random
from functools import cache

from base.errors import TTSError
from text.romanize import romanize_variants
from text.symbols import output_letters

# Words drawn from, per language, and how much rarer words are favoured: weights are
# frequency ** SMOOTHING (1 would be the text's own distribution, 0 uniform).
VOCABULARY_SIZE = 8000
SMOOTHING = 0.4
# Share of English words in a composed code-mixed sentence.
ENGLISH_SHARE = 0.3
_NATIVE = {"hinglish": "hi", "benglish": "bn"}
_ENDINGS = (".", ".", ".", "?", "!")


@cache
def vocabulary(language: str) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """The ``VOCABULARY_SIZE`` most frequent words of ``en``, ``hi`` or ``bn`` that the text
    frontend writes in its own alphabet, with their sampling weights."""
    try:
        import wordfreq
    except ImportError:
        raise TTSError("composed sentences need the wordfreq package: pip install wordfreq") from None
    letters = output_letters(language)
    words, weights = [], []
    for word in wordfreq.top_n_list(language, 3 * VOCABULARY_SIZE):
        # Single letters are mostly tokenizer debris ("s", "t" of contractions).
        if (len(word) < 2 and word not in ("a", "i")) or not all(ch in letters for ch in word):
            continue
        words.append(word)
        weights.append(wordfreq.word_frequency(word, language) ** SMOOTHING)
        if len(words) == VOCABULARY_SIZE:
            break
    return tuple(words), tuple(weights)


def compose(language: str, rng: random.Random, romanized: bool = False) -> tuple[str, str]:
    """One composed sentence of ``language`` (``en``, ``hi``, ``bn``, ``hinglish``, ``benglish``):
    3-14 words, sometimes a comma, ending in . ? or !.

    Returns:
        ``(typed, native)``: as a user would type it (romanized when ``romanized``), and with its
        Hindi or Bengali words in native script.
    """
    native = _NATIVE.get(language, language)
    count = rng.randint(3, 14)
    words = _draw(native, count, rng)
    if language in _NATIVE:
        english = _draw("en", count, rng)
        words = [english[i] if rng.random() < ENGLISH_SHARE else w for i, w in enumerate(words)]
    typed = [w if w.isascii() or not romanized else rng.choice(romanize_variants(w, native) or [w]) for w in words]
    if count > 6 and rng.random() < 0.5:
        cut = rng.randint(2, count - 2)
        typed[cut - 1] += ","
        words[cut - 1] += ","
    ending = rng.choice(_ENDINGS)
    return _capitalized(" ".join(typed) + ending), _capitalized(" ".join(words) + ending)


def _capitalized(sentence: str) -> str:
    return sentence[0].upper() + sentence[1:]


def _draw(language: str, count: int, rng: random.Random) -> list[str]:
    words, weights = vocabulary(language)
    return rng.choices(words, weights=weights, k=count)
