"""Phoneme input: espeak-ng (the real library, from the espeakng-loader wheel) reads each word in
the language of its script; punctuation is kept; one table serves every language."""

from __future__ import annotations

import pytest

import text
from base.errors import TTSError
from text.espeak import engine
from text.phonemes import PHONEME_SYMBOLS, script_voice, to_phonemes
from tts.text_processor import TextProcessor


def test_code_mixed_words_are_read_by_the_voice_of_their_script():
    mixed = to_phonemes(text.normalize("मैं office जा रहा हूँ", "hinglish"))
    espeak = engine()
    # Each run of words phonemized alone by its own voice gives the same symbols.
    assert mixed == " ".join(
        [espeak.phonemes("मैं", "hi"), espeak.phonemes("office", "en"), espeak.phonemes("जा रहा हूँ", "hi")]
    )
    # "office" by English rules, not Hindi ones: espeak-ng's Hindi voice would give other vowels.
    assert "ˈɒfɪs" in mixed
    bengali = to_phonemes(text.normalize("ami bhalo achi, thank you", "benglish"))
    assert bengali.endswith(", θˈaŋk juː")


def test_punctuation_is_kept_and_attached_to_the_word_before():
    ipa = to_phonemes("नमस्ते, how are you?")
    assert ipa == "nəmˈʌsteː, hˈaʊ ɑː juː?"
    assert to_phonemes("बड़ी बात है।").endswith("।")


def test_espeak_retroflex_flap_is_one_symbol_and_dot_stays_punctuation():
    ipa = to_phonemes("बड़ा")
    assert "ɽ" in ipa and "." not in ipa


@pytest.mark.parametrize(
    "language, sentence",
    [
        ("en", "The quick brown fox jumps over 13 lazy dogs at 10:30."),
        ("hi", "कल सुबह दिल्ली में भारी बारिश हुई, सड़कें बंद रहीं।"),
        ("bn", "আজ সকালে কলকাতায় খুব বৃষ্টি হয়েছে।"),
        ("hinglish", "kal meeting 3 baje hai, please time pe aana"),
        ("benglish", "ami aaj office jabo na, khub tired"),
    ],
)
def test_every_language_phonemizes_into_the_one_table(language, sentence):
    ipa = to_phonemes(text.normalize(sentence, language))
    assert ipa and set(ipa) <= set(PHONEME_SYMBOLS)
    assert len(set(PHONEME_SYMBOLS)) == len(PHONEME_SYMBOLS) and PHONEME_SYMBOLS[0] == "_"


def test_a_word_outside_the_scripts_is_named():
    with pytest.raises(text.TextError, match="cannot phonemize 'abcघ'"):
        script_voice("abcघ")
    with pytest.raises(text.TextError, match="'abcघ'"):
        to_phonemes("hello abcघ")


def test_a_phoneme_text_processor_maps_text_to_phoneme_ids_and_names_bad_words():
    processor = TextProcessor(PHONEME_SYMBOLS, ("hinglish", "hi", "en"), "phonemes")
    ids = processor("namaste, how are you", "hinglish")
    assert "".join(PHONEME_SYMBOLS[i] for i in ids) == "nəmˈʌsteː, hˈaʊ ɑː juː"
    with pytest.raises(TTSError, match="abcघ"):
        processor.ids("abcघ")
    with pytest.raises(TTSError, match="phoneme table"):
        TextProcessor.check_languages(text.symbols("hi"), ["hi"], "phonemes")
    with pytest.raises(TTSError, match="unknown text input 'letters'"):
        TextProcessor(PHONEME_SYMBOLS, ("hi",), "letters")
