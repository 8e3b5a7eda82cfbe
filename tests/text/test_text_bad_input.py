"""Bad input: empty text, emoji, control characters, addresses, long paragraphs, odd scripts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import text
from text import TextError

LANGS = ["en", "hi", "bn", "hinglish", "benglish"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("empty", ["", "   ", "\n\t ", "\u200b\u200d", "\x00\x01"])
def test_empty_text_is_a_clear_error(lang: str, empty: str) -> None:
    with pytest.raises(TextError, match="empty"):
        text.normalize(empty, lang)
    with pytest.raises(TextError, match="empty"):
        text.text_to_sequence(empty, lang)


@pytest.mark.parametrize("nothing", ["😀😀", "...", "?!", "***", "🙏 🎉"])
def test_text_with_nothing_to_speak_is_a_clear_error(nothing: str) -> None:
    with pytest.raises(TextError, match="nothing to speak"):
        text.text_to_sequence(nothing, "hinglish")


def test_non_string_input_is_a_clear_error() -> None:
    with pytest.raises(TextError, match="must be a string, got bytes"):
        text.normalize(b"hello", "en")  # type: ignore[arg-type]
    with pytest.raises(TextError, match="must be a string, got NoneType"):
        text.normalize(None, "en")  # type: ignore[arg-type]


def test_emoji_are_dropped_with_a_warning_naming_them(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="text"):
        assert text.normalize("great job 👍 yaar", "hinglish") == "great job यार"
    assert "U+1F44D" in caplog.text and "THUMBS UP SIGN" in caplog.text


def test_control_and_invisible_characters_are_removed(caplog) -> None:
    assert text.normalize("hello\x07 world\u200b\r\n again", "en") == "hello world again"
    assert "dropped control characters that cannot be spoken: U+0007" in caplog.text
    assert text.normalize("क्\u200dष", "hi") == "क्ष"


def test_symbols_are_spoken_or_silent() -> None:
    assert text.normalize("salt & pepper", "en") == "salt and pepper"
    assert text.normalize('(hello) "world"', "en") == "hello world"
    assert text.normalize("2 + 2 = 4", "hi") == "दो प्लस दो बराबर चार"


def test_urls_and_emails_are_spoken_in_english() -> None:
    assert text.normalize("mail me at a.b@example.com", "en") == "mail me at a dot b at example dot com"
    assert text.normalize("visit https://www.google.com/maps", "hinglish") == (
        "visit w w w dot google dot com slash maps"
    )


def test_urls_are_dropped_with_a_warning_in_indic_only_text(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="text"):
        assert text.normalize("देखिए www.example.com पर", "hi") == "देखिए पर"
    assert "www.example.com" in caplog.text


def test_mixed_scripts_in_one_word_are_split() -> None:
    assert text.normalize("officeमें", "hinglish") == "office में"
    assert text.tag_tokens("officeমে", "benglish") == [("office", "en"), ("মে", "bn")]
    assert text.normalize("3baje", "hinglish") == "तीन बजे"


def test_latin_with_diacritics_is_folded() -> None:
    assert text.normalize("Café naïve résumé", "en") == "cafe naive resume"


def test_other_scripts_are_read_as_latin_letters(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="text"):
        assert text.normalize("привет", "en") == "privet"
    assert "privet" not in caplog.text and "привет" in caplog.text


PARAGRAPH_SENTENCES = {
    "en": "On 15/08/1947, Dr. Rao paid ₹250 at 10:30 for 3 books! ",
    "hi": "सन् 1999 में 25 लोग ₹250 देकर 10:30 बजे आए। ",
    "bn": "আমি ৳৫০০ দিয়ে ১০:৩০ টায় ২৫টা বই কিনেছি। ",
    "hinglish": "kal meeting 3 baje hai, please time pe aana yaar! ",
    "benglish": "ami kal office e 10 ta meeting korbo, tumi kemon acho? ",
}


@pytest.mark.parametrize("lang", LANGS)
def test_long_paragraph_is_normalized_whole(lang: str) -> None:
    # Its speed is measured by benchmarks/text_speed.py, not asserted here.
    sentence = PARAGRAPH_SENTENCES[lang]
    paragraph = (sentence * (10_000 // len(sentence) + 1))[:10_000]
    ids = text.text_to_sequence(paragraph, lang)
    one = text.text_to_sequence(sentence, lang)
    assert len(ids) > 0.9 * len(one) * (10_000 // len(sentence))


def test_overlong_input_is_a_clear_error() -> None:
    with pytest.raises(TextError, match="split it"):
        text.normalize("a" * 100_001, "en")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.sampled_from(LANGS))
def test_normalize_never_crashes_and_stays_in_the_inventory(sample: str, lang: str) -> None:
    try:
        normalized = text.normalize(sample, lang)
    except TextError:
        return
    inventory = set(text.symbols(lang)) - {"_"}
    assert normalized and set(normalized) <= inventory
    assert normalized == normalized.strip() and "  " not in normalized


INDIC_ALPHABET = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789.,?!-:;'₹$%/@&")
    + [chr(c) for c in range(0x0900, 0x0980)]
    + [chr(c) for c in range(0x0980, 0x0A00)]
    + ["\u200c", "\u200d", "।", "॥", "😀"]
)


@settings(max_examples=200, deadline=None)
@given(st.text(INDIC_ALPHABET, max_size=80), st.sampled_from(LANGS))
def test_indic_heavy_input_never_crashes_and_round_trips(sample: str, lang: str) -> None:
    try:
        ids = text.text_to_sequence(sample, lang)
    except TextError:
        return
    assert 0 not in ids
    assert text.sequence_to_text(ids, lang) == text.normalize(sample, lang)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_split_sentences_never_crashes(sample: str) -> None:
    try:
        sentences = text.split_sentences(sample, "hinglish")
    except TextError:
        return
    assert all(s and s == s.strip() for s in sentences)


NUMBERISH = st.lists(
    st.sampled_from(
        [
            "0",
            "7",
            "12",
            "1999",
            "1,00,000",
            "3.5",
            "-",
            "%",
            "₹",
            "$",
            "৳",
            "Rs.",
            "INR",
            "/",
            ":",
            ".",
            ",",
            " ",
            "st",
            "nd",
            "pm",
            "a.m.",
            "lakh",
            "k",
            "cr",
            "हज़ार",
            "লাখ",
            "কোটি",
            "/-",
            "०",
            "৯",
            "baje",
            "सन्",
            "में",
            "সালে",
            "Dr.",
            "No.",
            "etc.",
            "e.g.",
            "U.S.",
            "x@y.in",
        ]
    ),
    max_size=12,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(NUMBERISH, st.sampled_from(LANGS))
def test_number_heavy_input_never_crashes(sample: str, lang: str) -> None:
    try:
        normalized = text.normalize(sample, lang)
    except TextError:
        return
    assert set(normalized) <= set(text.symbols(lang)) - {"_"}
