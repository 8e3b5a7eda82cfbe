"""LJSpeech layout: metadata.csv (id|raw|normalized) + wavs/<id>.wav."""

from __future__ import annotations

import pytest

from base.errors import TTSError
from tts.corpora import read_corpus


@pytest.fixture
def ljspeech(tmp_path, tone):
    root = tmp_path / "LJSpeech-1.1"
    for utt_id in ("LJ001-0001", "LJ001-0002", "LJ001-0003"):
        tone(root / "wavs" / f"{utt_id}.wav")
    (root / "metadata.csv").write_text(
        'LJ001-0001|Printing, in 1455, was "new".|Printing, in fourteen fifty-five, was "new".\n'
        "LJ001-0002|Only two fields here\n"
        "\n"
        "LJ001-0003|raw|normalized|an extra field\n"
        "LJ001-0004|No recording for this one.|No recording for this one.\n"
        "LJ001-0001|Second use of an id.|Second use of an id.\n",
        encoding="utf-8",
    )
    return root


def test_reads_raw_text_by_default_and_reports_bad_lines(ljspeech):
    result = read_corpus("ljspeech", ljspeech)
    assert [(u.utt_id, u.text) for u in result.utterances] == [
        ("LJ001-0001", 'Printing, in 1455, was "new".'),
        ("LJ001-0002", "Only two fields here"),
    ]
    first = result.utterances[0]
    assert first.audio_path == ljspeech / "wavs" / "LJ001-0001.wav"
    assert (first.speaker, first.language) == ("LJSpeech-1.1", "en")
    metadata = ljspeech / "metadata.csv"
    assert [(p.file, p.line) for p in result.problems] == [(metadata, 4), (metadata, 5), (metadata, 6)]
    assert "got 4 field(s)" in result.problems[0].reason
    assert "LJ001-0004.wav not found" in result.problems[1].reason
    assert "'LJ001-0001' already used (" in result.problems[2].reason and "line 1)" in result.problems[2].reason
    assert str(result.problems[1]).startswith(f"{metadata}, line 5: recording ")


def test_normalized_column_and_options(ljspeech):
    result = read_corpus("ljspeech", ljspeech / "metadata.csv", normalized=True, speaker="linda", language="en-us")
    first, second = result.utterances
    assert first.text == 'Printing, in fourteen fifty-five, was "new".'
    assert second.text == "Only two fields here"  # no normalized column: the raw text
    assert (first.speaker, first.language) == ("linda", "en-us")


def test_folder_without_metadata_is_an_error(tmp_path):
    with pytest.raises(TTSError, match="no metadata.csv"):
        read_corpus("ljspeech", tmp_path)
