"""Packaging properties: no torch, no project imports, data files present, sentence splitting, Unicode."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import text
from text.unicode_cleanup import clean_unicode

TEXT_DIR = Path(text.__file__).parent


def test_import_text_does_not_import_torch() -> None:
    code = (
        "import sys, text; text.normalize('kal 3 baje', 'hinglish'); "
        "assert 'torch' not in sys.modules, 'torch imported'; "
        "assert not any(m == 'tts' or m.startswith(('tts.', 'acoustic', 'vocoder')) for m in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_text_imports_nothing_else_of_the_project() -> None:
    for path in TEXT_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] not in ("tts", "acoustic", "vocoder"), path
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] not in ("tts", "acoustic", "vocoder", "torch"), path


def test_data_files_have_provenance_headers() -> None:
    for path in (TEXT_DIR / "data").glob("*.t*"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("#"), path
    assert "SCOWL" in (TEXT_DIR / "data" / "README.md").read_text(encoding="utf-8")


def test_lexicons_hold_a_few_thousand_words() -> None:
    from text.lexicon import native_words, romanized_lexicon

    assert len(native_words("hi")) + len(native_words("bn")) > 4000
    assert len(romanized_lexicon("hi")) > 5000 and len(romanized_lexicon("bn")) > 2000


@pytest.mark.parametrize(
    ("paragraph", "sentences"),
    [
        ("Dr. Rao came. He paid 3.5 lakh! Why?", ["Dr. Rao came.", "He paid 3.5 lakh!", "Why?"]),
        ("मैं ठीक हूँ। आप कैसे हैं? अच्छा॥ ठीक", ["मैं ठीक हूँ।", "आप कैसे हैं?", "अच्छा।", "ठीक"]),
        ("আমি ভালো আছি। তুমি?", ["আমি ভালো আছি।", "তুমি?"]),
        ("A. P. J. Abdul Kalam was born in 1931. Wow...", ["A. P. J. Abdul Kalam was born in 1931.", "Wow..."]),
        ("apples etc. are cheap", ["apples etc.", "are cheap"]),
        ("no end mark", ["no end mark"]),
    ],
)
def test_split_sentences(paragraph: str, sentences: list[str]) -> None:
    assert text.split_sentences(paragraph, "hinglish") == sentences


def test_split_sentences_checks_its_input() -> None:
    with pytest.raises(text.TextError):
        text.split_sentences("  ", "hi")
    with pytest.raises(text.TextError):
        text.split_sentences("ok", "zz")


def test_nukta_forms_are_one_thing() -> None:
    precomposed, decomposed = "\u0958", "\u0915\u093c"  # क़
    assert clean_unicode(precomposed) == clean_unicode(decomposed) == decomposed
    assert clean_unicode("\u09df") == clean_unicode("\u09af\u09bc")  # য়
    assert text.normalize("\u095b\u093f\u0902\u0926\u0917\u0940", "hi") == text.normalize("ज़िंदगी", "hi")
    assert text.text_to_sequence("\u09df", "bn") == text.text_to_sequence("\u09af\u09bc", "bn")


def test_zero_width_joiners_do_not_change_the_result() -> None:
    assert text.normalize("র\u200d্যাব", "bn") == text.normalize("র্যাব", "bn")
    assert text.normalize("क्\u200cष", "hi") == "क्ष"
