"""Public API of the text frontend: languages, normalized form, symbols, sequences, tags."""

from __future__ import annotations

import pytest

import text
from text import TextError
from text.symbols import BENGALI, DEVANAGARI, LATIN, PUNCTUATION


@pytest.mark.parametrize(
    ("alias", "code"),
    [
        ("english", "en"),
        ("Hindi", "hi"),
        ("bangla", "bn"),
        ("bengali", "bn"),
        ("hi-en", "hinglish"),
        ("bn-en", "benglish"),
        ("HINGLISH", "hinglish"),
    ],
)
def test_aliases_resolve_to_the_same_inventory(alias: str, code: str) -> None:
    assert text.symbols(alias) == text.symbols(code)
    assert text.normalize("12", alias) == text.normalize("12", code)


def test_unknown_language_is_a_clear_error_listing_supported_ones() -> None:
    with pytest.raises(TextError) as err:
        text.normalize("hello", "klingon")
    message = str(err.value)
    assert "'klingon'" in message
    for code in ("en", "hi", "bn", "hinglish", "benglish"):
        assert code in message


def test_issue_examples() -> None:
    assert text.normalize("namaste, how are you", "hinglish") == "नमस्ते, how are you"
    assert text.normalize("aap kaise ho? main theek hoon", "hinglish") == "आप कैसे हो? मैं ठीक हूँ"
    assert text.normalize("kal meeting 3 baje hai", "hinglish") == "कल meeting तीन बजे है"
    assert text.normalize("ami bhalo achi, thank you", "benglish") == "আমি ভালো আছি, thank you"
    assert text.normalize("मैं office जा रहा हूँ", "hinglish") == "मैं office जा रहा हूँ"


def test_english_is_lower_case_and_punctuation_is_kept() -> None:
    assert text.normalize("Hello,   World!  How are YOU?", "en") == "hello, world! how are you?"
    assert text.normalize("Wait... what?!", "en") == "wait. what?"
    assert text.normalize("a; b: c - d", "en") == "a; b: c - d"


def test_danda_kept_in_indic_and_dot_in_english() -> None:
    assert text.normalize("मैं ठीक हूँ॥", "hi") == "मैं ठीक हूँ।"
    assert text.normalize("ঠিক আছে।", "bn") == "ঠিক আছে।"
    assert text.normalize("ok।", "en") == "ok."


def test_inventories_have_padding_first_and_fixed_blocks() -> None:
    en = text.symbols("en")
    assert en[0] == "_" and en[1:8] == list(PUNCTUATION) and en[8] == " "
    assert en[9:] == list(LATIN)
    hi = text.symbols("hi")
    assert hi[8] == "।" and hi[9] == " " and hi[10:] == list(DEVANAGARI)
    assert text.symbols("bn")[10:] == list(BENGALI)
    assert text.symbols("hinglish")[10:] == list(LATIN) + list(DEVANAGARI)
    assert text.symbols("benglish")[10:] == list(LATIN) + list(BENGALI)
    for lang in text.supported_languages():
        inventory = text.symbols(lang)
        assert len(inventory) == len(set(inventory)), lang


def test_inventory_ids_are_stable() -> None:
    # Trained models depend on these numbers: changing them is a breaking change.
    assert [len(text.symbols(lang)) for lang in ("en", "hi", "bn", "hinglish", "benglish")] == [36, 88, 79, 115, 106]
    assert text.symbols("hinglish").index("a") == 10
    assert text.symbols("hinglish").index("क") == 56  # 10 + 27 Latin + 3 signs + 16 vowels


def test_english_main_and_hindi_main_have_different_ids() -> None:
    english = text.text_to_sequence("the main office", "hinglish")
    hindi = text.text_to_sequence("main theek hoon", "hinglish")
    table = text.symbols("hinglish")
    assert "".join(table[i] for i in english) == "the main office"
    assert "".join(table[i] for i in hindi) == "मैं ठीक हूँ"
    assert not set(english[4:8]) & set(hindi[:3])


@pytest.mark.parametrize("lang", ["en", "hi", "bn", "hinglish", "benglish"])
def test_sequence_round_trip(lang: str) -> None:
    sample = {
        "en": "Dr. Rao paid $3.50 on 15/08/1947.",
        "hi": "सन् 1999 में 25 लोग आए।",
        "bn": "আমার ৳৫০০ আছে।",
        "hinglish": "kal meeting 3 baje hai",
        "benglish": "ami 5 ta boi porechi",
    }[lang]
    ids = text.text_to_sequence(sample, lang)
    assert ids and 0 not in ids
    assert text.sequence_to_text(ids, lang) == text.normalize(sample, lang)
    assert text.sequence_to_text([0, *ids, 0, 0], lang) == text.normalize(sample, lang)


@pytest.mark.parametrize("bad", [[999], [-1], ["a"], [1.0], [True]])
def test_sequence_to_text_rejects_ids_outside_the_inventory(bad: list) -> None:
    with pytest.raises(TextError, match="not in the 'en' inventory"):
        text.sequence_to_text(bad, "en")


def test_tag_tokens_shows_each_decision() -> None:
    assert text.tag_tokens("kal meeting 3 baje hai", "hinglish") == [
        ("kal", "hi"),
        ("meeting", "en"),
        ("3", "hi"),
        ("baje", "hi"),
        ("hai", "hi"),
    ]
    assert text.tag_tokens("I have 3 cats", "hinglish") == [("I", "en"), ("have", "en"), ("3", "en"), ("cats", "en")]
    assert text.tag_tokens("मैं office जा रहा हूँ", "hinglish") == [
        ("मैं", "hi"),
        ("office", "en"),
        ("जा", "hi"),
        ("रहा", "hi"),
        ("हूँ", "hi"),
    ]
    assert text.tag_tokens("ami bhalo achi", "bn") == [("ami", "bn"), ("bhalo", "bn"), ("achi", "bn")]
    assert text.tag_tokens("আমি ok", "en") == [("আমি", "bn"), ("ok", "en")]
