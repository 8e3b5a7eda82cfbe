"""Code-mixed Hinglish / Benglish: per-word language decisions and informal transliteration."""

from __future__ import annotations

import pytest

import text
from text.language_id import viterbi
from text.spelling import romanized_to_native
from text.transliterate import rules_to_native

HINDI_WORDS = {
    "namaste": "नमस्ते",
    "aap": "आप",
    "kaise": "कैसे",
    "ho": "हो",
    "main": "मैं",
    "theek": "ठीक",
    "hoon": "हूँ",
    "accha": "अच्छा",
    "nahi": "नहीं",
    "kya": "क्या",
}
BENGALI_WORDS = {
    "ami": "আমি",
    "bhalo": "ভালো",
    "achi": "আছি",
    "tumi": "তুমি",
    "kemon": "কেমন",
    "ki": "কী",
}


@pytest.mark.parametrize(("roman", "native"), HINDI_WORDS.items())
def test_issue_hindi_words(roman: str, native: str) -> None:
    assert text.normalize(roman, "hi") == native


@pytest.mark.parametrize(("roman", "native"), BENGALI_WORDS.items())
def test_issue_bengali_words(roman: str, native: str) -> None:
    assert text.normalize(roman, "bn") == native


@pytest.mark.parametrize(
    ("roman", "lang", "native"),
    [
        # Words outside the lexicon, spelled by the informal rules.
        ("kitaabon", "hi", "किताबों"),
        ("samajhna", "hi", "समझना"),
        ("mushkil", "hi", "मुश्किल"),
        ("dost", "hi", "दोस्त"),
        ("pyaar", "hi", "प्यार"),
        ("patthar", "hi", "पत्थर"),
        ("hindi", "hi", "हिंदी"),
        ("karein", "hi", "करें"),
        ("dawai", "hi", "दवाई"),
        ("apni", "bn", "আপনি"),
        ("bangla", "bn", "বাংলা"),
        ("khai", "bn", "খাই"),
        ("kemon", "bn", "কেমন"),
        ("bhalo", "bn", "ভালো"),
    ],
)
def test_informal_spelling_rules(roman: str, lang: str, native: str) -> None:
    assert rules_to_native(roman, lang) == native


def test_itrans_pitfalls_are_avoided() -> None:
    # indic-transliteration's ITRANS gives आप्, अच्च and ভলো for these.
    assert romanized_to_native("aap", "hi") == "आप"
    assert romanized_to_native("accha", "hi") == "अच्छा"
    assert romanized_to_native("bhalo", "bn") == "ভালো"


@pytest.mark.parametrize(
    ("sentence", "lang", "tags"),
    [
        ("main theek hoon", "hinglish", ["hi", "hi", "hi"]),
        ("the main office is closed", "hinglish", ["en", "en", "en", "en", "en"]),
        ("wo ghar pe hi hai", "hinglish", ["hi", "hi", "hi", "hi", "hi"]),
        ("hi how are you", "hinglish", ["en", "en", "en", "en"]),
        ("ye kaam to karna padega", "hinglish", ["hi", "hi", "hi", "hi", "hi"]),
        ("I want to go home", "hinglish", ["en", "en", "en", "en", "en"]),
        ("mujhe is baare mein pata hai", "hinglish", ["hi"] * 6),
        ("this is my phone", "hinglish", ["en"] * 4),
        ("tum kahan ho", "hinglish", ["hi", "hi", "hi"]),
        ("tumi ki korcho", "benglish", ["bn", "bn", "bn"]),
        ("ki is your name", "benglish", ["bn", "en", "en", "en"]),
        ("ami office e achi", "benglish", ["bn", "en", "bn", "bn"]),
    ],
)
def test_ambiguous_words_take_the_language_of_their_neighbours(sentence: str, lang: str, tags: list[str]) -> None:
    assert [tag for _, tag in text.tag_tokens(sentence, lang)] == tags


def test_viterbi_pays_for_switching() -> None:
    # The middle word slightly prefers tag 1, but two switches cost more than staying.
    assert viterbi([(0.0, 5.0), (0.5, 0.0), (0.0, 5.0)], [0.0, 1.5, 1.5]) == [0, 0, 0]
    assert viterbi([(0.0, 5.0), (5.0, 0.0), (0.0, 5.0)], [0.0, 1.5, 1.5]) == [0, 1, 0]
    assert viterbi([], []) == []


def test_native_script_keeps_its_own_tag_in_code_mixed_text() -> None:
    assert text.normalize("আমি office যাচ্ছি", "benglish") == "আমি office যাচ্ছি"
    assert text.tag_tokens("আমি office যাচ্ছি", "benglish")[0] == ("আমি", "bn")


def test_other_indic_script_is_transliterated_with_a_note(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="text"):
        assert text.normalize("আমি ভালো আছি", "hi") == "आमि भालो आछि"
    assert "transliterated bengali" in caplog.text
    assert text.normalize("मैं ठीक हूँ", "bn") == "মৈং ঠীক হূঁ"
    assert text.normalize("નમસ્તે", "hi") == "नमस्ते"  # Gujarati


def test_english_text_with_indic_words_is_romanized() -> None:
    assert text.normalize("मैं ठीक हूँ, thanks", "en") == "main theek hoon, thanks"
    assert text.normalize("আমি ভালো আছি", "en") == "ami bhalo achhi"


def test_english_in_hindi_only_text_is_written_in_devanagari() -> None:
    assert text.normalize("मैं office जा रहा हूँ", "hi") == "मैं ऑफ़िस जा रहा हूँ"
    assert text.normalize("ATM कहाँ है", "hi") == "ए टी एम कहाँ है"
    assert text.normalize("ami office jacchi", "bn") == "আমি অফিস যাচ্ছি"
