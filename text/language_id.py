"""Word-level language identification for Latin-script words: English or romanized Hindi/Bengali.

Each word gets a cost per tag (lower = more likely):

* English: from the word's SCOWL frequency level if it is a known English word;
* Hindi/Bengali: from the romanized lexicon's cost if it is a known spelling;
* a word unknown to a side costs ``OOV_COST`` plus a penalty from a character trigram model
  trained on English words and on romanized Indic spellings: "kitaabon" looks Hindi,
  "throughput" English.

The tags of a sentence are then chosen together by Viterbi, paying ``SWITCH_COST`` each time the
language changes between neighbouring words (less across punctuation, where speakers often
switch). So a word that is both English and Hindi ("main", "to", "is", "the", "par", "ho") takes
the language of its neighbours: "main theek hoon" -> hi, "the main office" -> en.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from text.lexicon import common_spellings, english_levels, romanized_lexicon

ENGLISH_LEVEL_COST = {10: 0.0, 20: 0.8, 35: 2.0}
OOV_COST = 3.0
NGRAM_WEIGHT = 3.0  # cost per nat of per-character log-likelihood ratio
SWITCH_COST = 1.5
SWITCH_COST_AT_PUNCTUATION = 0.7
_BOUNDARY = "#"
_INTERPOLATION = (0.6, 0.3, 0.1)  # trigram, bigram, unigram weights


@dataclass(frozen=True)
class CharTrigramModel:
    """An interpolated character trigram model over lower-case words."""

    trigrams: Counter[str]
    bigrams: Counter[str]
    unigrams: Counter[str]
    total: int

    @classmethod
    def train(cls, words: Iterable[str]) -> CharTrigramModel:
        trigrams: Counter[str] = Counter()
        bigrams: Counter[str] = Counter()
        unigrams: Counter[str] = Counter()
        for word in words:
            padded = _BOUNDARY * 2 + word + _BOUNDARY
            for i in range(2, len(padded)):
                trigrams[padded[i - 2 : i + 1]] += 1
                bigrams[padded[i - 1 : i + 1]] += 1
                unigrams[padded[i]] += 1
        return cls(trigrams, bigrams, unigrams, sum(unigrams.values()))

    def mean_log_prob(self, word: str) -> float:
        """Average log-probability per character (natural log), boundary included."""
        padded = _BOUNDARY * 2 + word + _BOUNDARY
        w3, w2, w1 = _INTERPOLATION
        vocabulary = len(self.unigrams) + 1
        total = 0.0
        for i in range(2, len(padded)):
            tri, bi, uni = padded[i - 2 : i + 1], padded[i - 1 : i + 1], padded[i]
            # Context counts are approximated by the lower-order n-gram counts of the prefix.
            p3 = self.trigrams[tri] / self.bigrams[tri[:2]] if self.bigrams[tri[:2]] else 0.0
            p2 = self.bigrams[bi] / self.unigrams[bi[0]] if self.unigrams[bi[0]] else 0.0
            p1 = (self.unigrams[uni] + 1) / (self.total + vocabulary)
            total += math.log(w3 * p3 + w2 * p2 + w1 * p1)
        return total / (len(padded) - 2)


@cache
def _english_model() -> CharTrigramModel:
    # The common levels only: rare words add noise (and loan words such as "guru") for no gain.
    return CharTrigramModel.train(w for w, level in english_levels().items() if level <= 20)


@cache
def _romanized_model(native: str) -> CharTrigramModel:
    return CharTrigramModel.train(common_spellings(native))


def emission_costs(word: str, native: str) -> tuple[float, float]:
    """(English cost, Indic cost) of a lower-case Latin word; ``native`` is ``hi`` or ``bn``."""
    level = english_levels().get(word)
    entry = romanized_lexicon(native).get(word)
    if level is not None and entry is not None:
        return ENGLISH_LEVEL_COST[level], entry.cost
    ratio = _romanized_model(native).mean_log_prob(word) - _english_model().mean_log_prob(word)
    english = ENGLISH_LEVEL_COST[level] if level is not None else OOV_COST + NGRAM_WEIGHT * max(0.0, ratio)
    indic = entry.cost if entry is not None else OOV_COST + NGRAM_WEIGHT * max(0.0, -ratio)
    return english, indic


def viterbi(costs: Sequence[tuple[float, float]], switch_costs: Sequence[float]) -> list[int]:
    """Cheapest tag sequence (0 = first tag, 1 = second) given per-word costs.

    ``switch_costs[i]`` is the price of changing tag between word ``i - 1`` and word ``i``
    (``switch_costs[0]`` is unused).
    """
    if not costs:
        return []
    best = list(costs[0])
    back: list[tuple[int, int]] = []
    for (cost0, cost1), switch in zip(costs[1:], switch_costs[1:]):
        from0 = (best[0], best[1] + switch)
        from1 = (best[0] + switch, best[1])
        choice = (0 if from0[0] <= from0[1] else 1, 0 if from1[0] <= from1[1] else 1)
        back.append(choice)
        best = [min(from0) + cost0, min(from1) + cost1]
    tag = 0 if best[0] <= best[1] else 1
    path = [tag]
    for choice in reversed(back):
        tag = choice[tag]
        path.append(tag)
    return path[::-1]


def tag_words(
    words: Sequence[str],
    after_punctuation: Sequence[bool],
    native: str,
    fixed_costs: Sequence[tuple[float, float] | None] | None = None,
) -> list[str]:
    """Tag each lower-case Latin word ``en`` or ``native``.

    ``after_punctuation[i]`` says whether a punctuation mark separates word ``i`` from the one
    before, which makes a language switch there cheaper. ``fixed_costs[i]``, when given and not
    None, replaces the costs of word ``i``: native-script words take part in the decision as
    context without being re-decided.
    """
    fixed = fixed_costs or [None] * len(words)
    costs = [f if f is not None else emission_costs(w, native) for w, f in zip(words, fixed)]
    switches = [SWITCH_COST_AT_PUNCTUATION if p else SWITCH_COST for p in after_punctuation]
    return ["en" if t == 0 else native for t in viterbi(costs, switches)]
