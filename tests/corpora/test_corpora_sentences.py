"""Generated sentences: typed like people type, spoken in the voice's own script, deterministic."""

from __future__ import annotations

import re

import pytest

import text
from base.errors import TTSError
from tts.corpora import sentences as sentences_module
from tts.corpora.phrasebook import PHRASEBOOK
from tts.corpora.sentences import generate_sentences, languages

LATIN = re.compile(r"[A-Za-z]")
DEVANAGARI = re.compile(r"[\u0900-\u097F]")
BENGALI = re.compile(r"[\u0980-\u09FF]")


@pytest.mark.parametrize("language", ["en", "hi", "bn", "hinglish", "benglish"])
def test_same_seed_same_sentences_other_seed_other_sentences(language):
    first = generate_sentences(language, 50, seed=0)
    assert first == generate_sentences(language, 50, seed=0)
    assert first != generate_sentences(language, 50, seed=1)
    assert len({s.text for s in first}) == 50
    assert generate_sentences(language, 80, seed=0)[:50] == first  # a bigger corpus extends a smaller one


def test_every_template_slot_has_vocabulary_and_no_notation_leaks():
    for language in languages():
        templates, slots = PHRASEBOOK[language]
        for template in templates:
            assert set(re.findall(r"\{(\w+)\}", template)) <= set(slots), template
        for sentence in generate_sentences(language, 300, seed=3):
            for form in (sentence.text, sentence.spoken):
                assert not re.search(r"[{}=|]", form), form


def test_hinglish_is_mostly_romanized_and_spoken_with_hindi_words_in_devanagari():
    sentences = [s for s in generate_sentences("hinglish", 300, seed=0) if s.language == "hinglish"]
    romanized = [s for s in sentences if not DEVANAGARI.search(s.text)]
    native = [s for s in sentences if DEVANAGARI.search(s.text)]
    assert 0.55 < len(romanized) / len(sentences) < 0.85 and native
    # typed in Latin letters, but the Hindi words reach espeak-ng in Devanagari
    assert all(DEVANAGARI.search(s.spoken) for s in romanized)
    # native-script sentences are typed and spoken alike, with English words left in Latin letters
    assert all(s.text == s.spoken for s in native)
    assert any(LATIN.search(s.text) for s in native)
    texts = " ".join(s.text for s in romanized).split()
    assert {"hai", "main"} & set(texts) and {"meeting", "office", "please"} & set(texts)


def test_benglish_code_mixing_and_transcripts_are_not_normalized():
    sentences = generate_sentences("benglish", 200, seed=0)
    assert {s.language for s in sentences} == {"benglish", "bn", "en"}
    assert any(not BENGALI.search(s.text) and BENGALI.search(s.spoken) for s in sentences)
    assert any(BENGALI.search(s.text) and LATIN.search(s.text) for s in sentences)
    assert any(re.search(r"\d", s.text) for s in sentences)  # digits stay digits


@pytest.mark.parametrize("language, script", [("hi", DEVANAGARI), ("bn", BENGALI)])
def test_monolingual_indic_sentences_are_in_native_script(language, script):
    for sentence in generate_sentences(language, 100, seed=0):
        assert script.search(sentence.text) and not LATIN.search(sentence.text)
        assert sentence.text == sentence.spoken


def test_errors_name_the_language_or_the_limit(monkeypatch):
    with pytest.raises(TTSError, match="no sentences for language 'ta'"):
        generate_sentences("ta", 5, seed=0)
    monkeypatch.setattr(sentences_module, "PHRASEBOOK", {"toy": (("see you at {hour}",), {"hour": ("1", "2")})})
    assert {s.text for s in generate_sentences("toy", 2, seed=0)} == {"see you at 1", "see you at 2"}
    with pytest.raises(TTSError, match="the toy phrasebook gave only 2 distinct sentences of the 3 asked for"):
        generate_sentences("toy", 3, seed=0)


@pytest.mark.parametrize("language, native", [("hinglish", DEVANAGARI), ("benglish", BENGALI)])
def test_code_mixed_corpora_mix_in_plain_sentences_of_both_languages(language, native):
    sentences = generate_sentences(language, 1000, seed=0)
    shares = {
        code: sum(s.language == code for s in sentences) / len(sentences) for code in {s.language for s in sentences}
    }
    assert set(shares) == {language, native is DEVANAGARI and "hi" or "bn", "en"}
    assert 0.5 < shares[language] < 0.7 and 0.1 < shares["en"] < 0.3
    for sentence in sentences:
        if sentence.language == "en":
            assert not native.search(sentence.text) and LATIN.search(sentence.text)
        elif sentence.language != language:
            assert native.search(sentence.text) and not LATIN.search(sentence.text)


@pytest.mark.parametrize("language", ["en", "hi", "bn"])
def test_composed_sentences_bring_many_more_words_than_the_templates(language):
    sentences = generate_sentences(language, 1000, seed=0)
    words = {w.strip(",.?!").lower() for s in sentences for w in s.text.split()}
    template_words = set()
    templates, slots = PHRASEBOOK[language]
    for piece in (*templates, *(v for values in slots.values() for v in values)):
        template_words.update(w.strip(",.?!।").lower() for w in re.split(r"[\s=|]+", piece))
    assert len(words - template_words) > 2000


def test_excluded_sentences_are_never_generated():
    first = generate_sentences("hinglish", 40, seed=0)
    banned = frozenset(text.normalize(s.text, s.language) for s in first[::2])
    again = generate_sentences("hinglish", 40, seed=0, exclude=banned)
    assert not banned & {text.normalize(s.text, s.language) for s in again} and len(again) == 40
    assert {s.text for s in first[1::2]} <= {s.text for s in again}
