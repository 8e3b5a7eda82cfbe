"""The format registry: names, options, errors, and problem logging."""

from __future__ import annotations

import logging

import pytest

from base.errors import TTSError
from tts.corpora import FORMATS, CorpusReadResult, Problem, Utterance, format_options, read_corpus, registry


def test_all_formats_are_registered():
    assert {"ljspeech", "indictts", "syspin", "openslr", "manifest"} <= set(FORMATS)


def test_unknown_format_lists_the_known_ones(tmp_path):
    with pytest.raises(TTSError, match="unknown corpus format 'vctk'; known formats: indictts, ljspeech, manifest"):
        read_corpus("vctk", tmp_path)


def test_unknown_option_lists_the_accepted_ones(tmp_path):
    with pytest.raises(TTSError, match=r"no option colour; its options: speaker, language, normalized"):
        read_corpus("ljspeech", tmp_path, colour="red")
    assert format_options("ljspeech") == ["speaker", "language", "normalized"]


def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(TTSError, match="no such corpus file or folder"):
        read_corpus("ljspeech", tmp_path / "nowhere")


def test_register_format_adds_a_reader_and_refuses_a_second_one_of_the_same_name(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "FORMATS", {})

    @registry.register_format("toy")
    def read_toy(path, speaker="x"):
        return CorpusReadResult([Utterance(path / "a.wav", "hi", speaker, None, "a")], [])

    assert registry.read_corpus("toy", tmp_path, speaker="y").utterances[0].speaker == "y"
    with pytest.raises(ValueError, match="already registered"):
        registry.register_format("toy")(read_toy)


def test_problems_are_logged_as_warnings_and_capped(tmp_path, monkeypatch, caplog):
    problems = [Problem(tmp_path / "t.txt", n, "bad line") for n in range(1, 31)]
    monkeypatch.setitem(registry.FORMATS, "noisy", lambda path: CorpusReadResult([], problems))
    with caplog.at_level(logging.WARNING, logger="tts.corpora.registry"):
        result = read_corpus("noisy", tmp_path)
    assert result.problems == problems
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings[0] == f"{tmp_path / 't.txt'}, line 1: bad line"
    assert len(warnings) == registry.LOGGED_PROBLEMS + 1
    assert warnings[-1] == "... and 10 more problems"
