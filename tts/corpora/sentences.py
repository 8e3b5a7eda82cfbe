"""Sentences for the synthetic corpus, drawn from the templates of :mod:`tts.corpora.phrasebook`.

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

from tts.corpora.phrasebook import PHRASEBOOK, Slots
from tts.errors import TTSError

# Share of code-mixed sentences typed in Latin letters; the rest are typed in native script.
ROMANIZED_SHARE = 0.7
CODE_MIXED = ("hinglish", "benglish")

# Draws per requested sentence before concluding the phrasebook cannot give that many distinct ones.
_DRAWS_PER_SENTENCE = 50

_SLOT = re.compile(r"\{(\w+)\}")
_INDIC_WORD = re.compile(r"^(?P<roman>[^=]+)=(?P<native>[^=]+?)(?P<punct>[?!,.।]*)$")


@dataclass(frozen=True)
class Sentence:
    """A sentence as typed (``text``, the transcript) and as given to espeak-ng (``spoken``)."""

    text: str
    spoken: str


def languages() -> list[str]:
    """Language codes the phrasebook has sentences for."""
    return list(PHRASEBOOK)


def generate_sentences(language: str, count: int, seed: int) -> list[Sentence]:
    """``count`` distinct sentences of ``language``, the same ones for the same ``seed``.

    The first ``n`` sentences do not depend on ``count``, so a larger corpus with the same seed
    extends a smaller one.

    Raises:
        TTSError: unknown language, or more sentences asked for than the phrasebook can make.
    """
    if language not in PHRASEBOOK:
        raise TTSError(f"no sentences for language {language!r}; choose one of {', '.join(PHRASEBOOK)}")
    templates, slots = PHRASEBOOK[language]
    # A string seed is hashed with SHA-512 by `random`, stable across runs and Python versions.
    rng = random.Random(f"{language}:{seed}")
    romanized_share = ROMANIZED_SHARE if language in CODE_MIXED else 0.0
    sentences: dict[str, Sentence] = {}
    for _ in range(count * _DRAWS_PER_SENTENCE):
        if len(sentences) == count:
            break
        sentence = render(rng.choice(templates), slots, rng, romanized=rng.random() < romanized_share)
        sentences.setdefault(sentence.text, sentence)
    if len(sentences) < count:
        raise TTSError(
            f"the {language} phrasebook gave only {len(sentences)} distinct sentences of the {count} "
            "asked for; ask for fewer utterances"
        )
    return list(sentences.values())


def render(template: str, slots: Slots, rng: random.Random, romanized: bool) -> Sentence:
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
        fills = [render(rng.choice(slots[name]), slots, rng, romanized) for name in _SLOT.findall(token)]
        typed.append(_SLOT.sub(lambda _, it=iter(fills): next(it).text, token))
        spoken.append(_SLOT.sub(lambda _, it=iter(fills): next(it).spoken, token))
    return Sentence(" ".join(typed), " ".join(spoken))
