"""The unseen evaluation set: well formed, shipped with the package, and in no synthetic corpus."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

import text
from base.errors import TTSError
from tts.corpora.sentences import generate_sentences
from tts.evalsets import UNSEEN_LANGUAGES, UNSEEN_SET, unseen_sentences

ROOT = Path(__file__).resolve().parents[2]
NATIVE = {"hinglish": re.compile(r"[\u0900-\u097F]"), "benglish": re.compile(r"[\u0980-\u09FF]")}


@pytest.mark.parametrize("language", UNSEEN_LANGUAGES)
def test_each_language_has_50_distinct_sentences_that_normalize(language):
    sentences = unseen_sentences(language)
    assert len(sentences) >= 50
    assert len(set(sentences)) == len(sentences)
    normalized = [text.normalize(s, language) for s in sentences]  # raises on a sentence it cannot read
    assert all(n.strip() for n in normalized)
    # Distinct as the voice reads them too: two spellings of one sentence would count twice.
    assert len(set(normalized)) == len(normalized)
    assert not any(s.startswith("#") for s in sentences)  # the header comment is not a sentence
    # Varied: short and long, questions and exclamations.
    words = [len(s.split()) for s in sentences]
    assert min(words) <= 4 and max(words) >= 15
    assert sum(s.endswith("?") for s in sentences) >= 5 and sum(s.endswith("!") for s in sentences) >= 3


@pytest.mark.parametrize("language", ["hinglish", "benglish"])
def test_code_mixed_sets_are_typed_both_ways(language):
    """About two thirds typed in Latin letters, the rest in native script with the English words in Latin."""
    sentences = unseen_sentences(language)
    native = [s for s in sentences if NATIVE[language].search(s)]
    assert 0.25 <= len(native) / len(sentences) <= 0.45
    assert all(re.search(r"[A-Za-z]", s) for s in native)  # code-mixed, not plain hi / bn


def test_unseen_sentences_errors_and_copies():
    with pytest.raises(TTSError, match="unseen-v1 evaluation set has no sentences for language 'fr'; choose one of"):
        unseen_sentences("fr")
    first = unseen_sentences("en")
    first.clear()
    assert unseen_sentences("en")  # the caller's list is its own
    assert UNSEEN_SET == "unseen-v1"


def test_the_set_is_package_data():
    """`pip install` ships the files: pyproject's package-data globs match every one of them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["tts"]
    package = ROOT / "tts"
    shipped = {p for pattern in globs for p in package.glob(pattern)}
    assert {package / "data" / UNSEEN_SET / f"{language}.txt" for language in UNSEEN_LANGUAGES} <= shipped


@pytest.fixture(scope="module")
def unseen_normalized():
    """Every unseen sentence as the frontend reads it, in any language."""
    return {
        text.normalize(s, language): (language, s) for language in UNSEEN_LANGUAGES for s in unseen_sentences(language)
    }


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("language", UNSEEN_LANGUAGES)
def test_no_synthetic_corpus_contains_an_unseen_sentence(language, seed, unseen_normalized):
    """What a voice is evaluated on is never what it was trained on: no sentence of a synthetic
    corpus reads (normalized) as any unseen sentence. A code-mixed corpus also holds plain
    hi / bn and en sentences, each normalized in its own language."""
    generated = generate_sentences(language, 3000, seed)
    assert len(generated) == 3000
    clashes = {
        (s.text, unseen_normalized[n])
        for s in generated
        if (n := text.normalize(s.text, getattr(s, "language", language))) in unseen_normalized
    }
    assert not clashes


def test_a_corpus_leaves_out_what_reads_as_an_unseen_sentence(monkeypatch, tmp_path):
    """The exclusion itself, planted: an unseen set holding, in another spelling, sentences the
    generator makes first gets none of them into a corpus (they are compared as the frontend
    reads them, not as typed)."""
    import tts.evalsets
    from tts.corpora.synthetic import plan_corpus

    made = [s.text for s in generate_sentences("en", 20, 0)]
    planted = [t[0].swapcase() + t[1:] for t in made[:5]]  # "i would like ..." for "I would like ..."
    assert not set(planted) & set(made)
    planted_read = {text.normalize(t, "en") for t in planted}
    assert planted_read == {text.normalize(t, "en") for t in made[:5]}
    real = tts.evalsets.unseen_sentences
    monkeypatch.setattr(
        tts.evalsets, "unseen_sentences", lambda language: real(language) + (planted if language == "en" else [])
    )
    plan = plan_corpus(tmp_path, "en", 20, 1, 0)
    assert len(plan) == 20
    assert not {item.spoken for item in plan} & planted_read
