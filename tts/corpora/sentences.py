"""Sentences for the synthetic corpus: templates of :mod:`tts.corpora.phrasebook`, and sentences
composed from frequent words (:mod:`tts.corpora.composed`) for phonetic variety.

A corpus of ``en``, ``hi`` or ``bn`` mixes the two sources (``SOURCES``). A code-mixed corpus also
has monolingual sentences of both its languages, labelled with their own language, so that a
Hinglish voice learns to read plain Hindi and plain English too.

Each :class:`Sentence` has two forms: ``text``, what a user would type (the transcript), and
``spoken``, what espeak-ng is asked to say. They differ only in code-mixed sentences typed in
Latin letters: ``kal meeting 3 baje hai`` is spoken as ``कल meeting 3 बजे है`` so that the Hindi
voice pronounces the Hindi words as Hindi (from Latin letters espeak-ng would use English rules).

Code-mixed languages are typed both ways, as people do: most sentences fully romanized
(``kal meeting 3 baje hai``), the rest in native script with the English words in Latin
(``कल meeting 3 बजे है``).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

import text
from base.errors import TTSError
from tts.corpora import composed
from tts.corpora.phrasebook import PHRASEBOOK, Slots

# Share of code-mixed sentences typed in Latin letters; the rest are typed in native script.
ROMANIZED_SHARE = 0.7
CODE_MIXED = ("hinglish", "benglish")

# Draws per requested sentence before concluding the phrasebook cannot give that many distinct ones.
_DRAWS_PER_SENTENCE = 50

_SLOT = re.compile(r"\{(\w+)\}")
_INDIC_WORD = re.compile(r"^(?P<roman>[^=]+)=(?P<native>[^=]+?)(?P<punct>[?!,.।]*)$")


# Where a corpus's sentences come from, with their shares: (source, language of the sentence),
# where "template" draws from the phrasebook and "composed" from frequent words.
SOURCES: dict[str, tuple[tuple[str, str, float], ...]] = {
    "en": (("template", "en", 0.3), ("composed", "en", 0.7)),
    "hi": (("template", "hi", 0.3), ("composed", "hi", 0.7)),
    "bn": (("template", "bn", 0.3), ("composed", "bn", 0.7)),
    "hinglish": (
        ("template", "hinglish", 0.3),
        ("composed", "hinglish", 0.3),
        ("composed", "hi", 0.2),
        ("composed", "en", 0.2),
    ),
    "benglish": (
        ("template", "benglish", 0.3),
        ("composed", "benglish", 0.3),
        ("composed", "bn", 0.2),
        ("composed", "en", 0.2),
    ),
}


@dataclass(frozen=True)
class Sentence:
    """A sentence as typed (``text``, the transcript), as given to espeak-ng (``spoken``), and
    the language it is in (a code-mixed corpus also has plain ``hi``/``bn`` and ``en`` ones)."""

    text: str
    spoken: str
    language: str


def languages() -> list[str]:
    """Language codes the phrasebook has sentences for."""
    return list(PHRASEBOOK)


def generate_sentences(language: str, count: int, seed: int, exclude: frozenset[str] = frozenset()) -> list[Sentence]:
    """``count`` distinct sentences of ``language``, the same ones for the same ``seed``.

    The first ``n`` sentences do not depend on ``count``, so a larger corpus with the same seed
    extends a smaller one. Sentences whose normalized text (:func:`text.normalize`) is in
    ``exclude`` (e.g. the normalized evaluation sentences) are never given.

    Raises:
        TTSError: unknown language, or more sentences asked for than the phrasebook can make.
    """
    if language not in PHRASEBOOK:
        raise TTSError(f"no sentences for language {language!r}; choose one of {', '.join(PHRASEBOOK)}")
    templates, slots = PHRASEBOOK[language]
    sources = SOURCES.get(language, (("template", language, 1.0),))
    # A string seed is hashed with SHA-512 by `random`, stable across runs and Python versions.
    rng = random.Random(f"{language}:{seed}")
    sentences: dict[str, Sentence] = {}
    for _ in range(count * _DRAWS_PER_SENTENCE):
        if len(sentences) == count:
            break
        source, sentence_language, _share = rng.choices(sources, weights=[w for *_, w in sources])[0]
        romanized = sentence_language in CODE_MIXED and rng.random() < ROMANIZED_SHARE
        if source == "template":
            sentence = render(rng.choice(templates), slots, rng, romanized=romanized, language=sentence_language)
        else:
            typed, spoken = composed.compose(sentence_language, rng, romanized=romanized)
            sentence = Sentence(typed, spoken, sentence_language)
        if not exclude or text.normalize(sentence.text, sentence.language) not in exclude:
            sentences.setdefault(sentence.text, sentence)
    if len(sentences) < count:
        raise TTSError(
            f"the {language} phrasebook gave only {len(sentences)} distinct sentences of the {count} "
            "asked for; ask for fewer utterances"
        )
    return list(sentences.values())


def _filled(token: str, values: list[str]) -> str:
    """``token`` with its slots replaced by ``values``, in order."""
    remaining = iter(values)
    return _SLOT.sub(lambda _: next(remaining), token)


def render(template: str, slots: Slots, rng: random.Random, romanized: bool, language: str) -> Sentence:
    """Fill ``template``'s slots at random and spell it romanized or in native script."""
    typed: list[str] = []
    spoken: list[str] = []
    for token in template.split():
        word = _INDIC_WORD.match(token)
        if word is not None:
            spelling = rng.choice(word["roman"].split("|")) if romanized else word["native"]
            typed.append(spelling + word["punct"])
            spoken.append(word["native"] + word["punct"])
            continue
        # A slot may sit inside a token, with a suffix attached ("{hour}টায়", "{person}কে").
        fills = [render(rng.choice(slots[name]), slots, rng, romanized, language) for name in _SLOT.findall(token)]
        typed.append(_filled(token, [f.text for f in fills]))
        spoken.append(_filled(token, [f.spoken for f in fills]))
    return Sentence(" ".join(typed), " ".join(spoken), language)
