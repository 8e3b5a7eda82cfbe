"""``tts normalize`` through the real CLI entry point."""

from __future__ import annotations

import pytest

from tts.cli import main


def test_prints_normalized_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["normalize", "namaste, how are you", "-l", "hinglish"]) == 0
    assert capsys.readouterr().out == "नमस्ते, how are you\n"


def test_prints_tags_and_ids(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["normalize", "kal meeting 3 baje", "-l", "hi-en", "--tags", "--ids"]) == 0
    normalized, tags, ids = capsys.readouterr().out.splitlines()
    assert normalized == "कल meeting तीन बजे"
    assert tags == "kal/hi meeting/en 3/hi baje/hi"
    import text

    assert [int(i) for i in ids.split()] == text.text_to_sequence("kal meeting 3 baje", "hinglish")


def test_unknown_language_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["normalize", "hello", "-l", "xx"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("tts normalize: error: unsupported language 'xx'")
    assert len(captured.err.splitlines()) == 1


def test_empty_text_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["normalize", "  ", "-l", "bn"]) == 2
    assert "empty" in capsys.readouterr().err


def test_language_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["normalize", "hello"])
    assert exit_info.value.code == 2
    assert "-l/--lang" in capsys.readouterr().err
