"""Measure code-mixed language identification and transliteration on the labelled sets.

Usage: ``python -m text.evaluate [--split test|dev] [--errors]``

The sets (``text/data/eval_{hinglish,benglish}_{dev,test}.txt``) are sentences written for this
project; each token is either an English word or ``roman=native`` (a Hindi/Bengali word with its
gold spelling). Reported per language pair:

* LID accuracy: the share of tokens whose predicted tag (en / hi / bn) is the gold tag;
* transliteration exact match: the share of Hindi/Bengali tokens that come out exactly as the
  gold native spelling (end to end: a token wrongly tagged English counts as wrong).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field

from text.analysis import analyse
from text.languages import resolve_language
from text.lexicon import DATA_DIR
from text.spelling import fold_latin, romanized_to_native

PAIRS = ("hinglish", "benglish")
# Targets from issue 4; tests/text/test_text_evaluate.py asserts them on the test split.
LID_TARGET = 0.95
TRANSLITERATION_TARGET = 0.90


@dataclass
class Scores:
    """Counts of one evaluation run, with the errors for inspection."""

    tokens: int = 0
    tags_correct: int = 0
    indic_tokens: int = 0
    spellings_correct: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def lid_accuracy(self) -> float:
        return self.tags_correct / self.tokens

    @property
    def transliteration_accuracy(self) -> float:
        return self.spellings_correct / self.indic_tokens


def read_set(pair: str, split: str) -> list[list[tuple[str, str | None]]]:
    """Sentences of (romanized word, gold native spelling or None for English)."""
    sentences = []
    for line in (DATA_DIR / f"eval_{pair}_{split}.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            sentence = []
            for token in line.split():
                word, _, native = token.partition("=")
                sentence.append((word, native or None))
            sentences.append(sentence)
    return sentences


def evaluate(pair: str, split: str) -> Scores:
    """Score the frontend on one labelled set."""
    native_tag = resolve_language(pair).native
    assert native_tag is not None
    scores = Scores()
    for sentence in read_set(pair, split):
        words = [t for t in analyse(" ".join(w for w, _ in sentence), pair) if t.kind == "word"]
        sentence = [(w, gold) for w, gold in sentence if w.isalpha()]  # numbers are not scored
        if [t.text for t in words] != [w for w, _ in sentence]:
            raise AssertionError(f"tokenization changed the words of {sentence}")
        for token, (word, gold) in zip(words, sentence):
            gold_tag = "en" if gold is None else native_tag
            scores.tokens += 1
            scores.tags_correct += token.tag == gold_tag
            if gold is None:
                if token.tag != gold_tag:
                    scores.errors.append(f"{word}: tagged {token.tag}, gold en")
                continue
            scores.indic_tokens += 1
            predicted = romanized_to_native(fold_latin(word), native_tag) if token.tag == native_tag else word
            scores.spellings_correct += predicted == gold
            if predicted != gold:
                scores.errors.append(f"{word}: {predicted} ({token.tag}), gold {gold}")
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m text.evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("test", "dev"), default="test")
    parser.add_argument("--errors", action="store_true", help="list every wrong token")
    args = parser.parse_args(argv)
    print(f"{'pair':<10} {'split':<5} {'tokens':>6} {'LID acc':>8} {'indic':>6} {'translit EM':>11}")
    for pair in PAIRS:
        s = evaluate(pair, args.split)
        print(
            f"{pair:<10} {args.split:<5} {s.tokens:>6} {s.lid_accuracy:>8.1%} "
            f"{s.indic_tokens:>6} {s.transliteration_accuracy:>11.1%}"
        )
        if args.errors:
            for error in s.errors:
                print(f"    {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
