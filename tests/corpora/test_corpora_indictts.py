"""IIT Madras IndicTTS layout: <Lang>/<gender>/mono/txt.done.data + wav/<id>.wav at 48 kHz."""

from __future__ import annotations

import pytest

from base.audio import load_wav
from base.errors import TTSError
from tts.corpora import read_corpus


@pytest.fixture
def indictts(tmp_path, tone):
    root = tmp_path / "IndicTTS"
    hindi = root / "Hindi" / "male" / "mono"
    for n in (1, 2):
        tone(hindi / "wav" / f"train_hindifullmale_{n:05d}.wav", rate=48000)
    (hindi / "txt.done.data").write_text(
        '( train_hindifullmale_00001 " अगले साल 2024 में चुनाव होंगे । " )\n'
        '( train_hindifullmale_00002 "उसने कहा "ठीक है" और चला गया" )\n'
        "( train_hindifullmale_00003 no quotes here )\n"
        '( train_hindifullmale_00004 " रिकॉर्डिंग नहीं है " )\n',
        encoding="utf-8",
    )
    bengali = root / "Bengali" / "female" / "mono"
    tone(bengali / "wav" / "train_bengalifemale_00001.wav", rate=48000)
    (bengali / "txt.done.data").write_text('( train_bengalifemale_00001 " আমি ভালো আছি " )\n', encoding="utf-8")
    return root


def test_reads_every_speaker_with_language_and_gender_from_the_folders(indictts):
    result = read_corpus("indictts", indictts)
    assert [(u.utt_id, u.text, u.speaker, u.language) for u in result.utterances] == [
        ("train_bengalifemale_00001", "আমি ভালো আছি", "bengali_female", "bn"),
        ("train_hindifullmale_00001", "अगले साल 2024 में चुनाव होंगे ।", "hindi_male", "hi"),
        ("train_hindifullmale_00002", 'उसने कहा "ठीक है" और चला गया', "hindi_male", "hi"),
    ]
    transcript = indictts / "Hindi" / "male" / "mono" / "txt.done.data"
    assert [(p.file, p.line) for p in result.problems] == [(transcript, 3), (transcript, 4)]
    assert "not a festival line" in result.problems[0].reason
    assert "not found" in result.problems[1].reason
    # The 48 kHz recordings are usable as they are: load_wav resamples them.
    audio = load_wav(result.utterances[0].audio_path, 22050)
    assert audio.numel() == pytest.approx(0.2 * 22050, abs=2)


def test_one_speaker_folder_and_a_language_override(indictts):
    result = read_corpus("indictts", indictts / "Hindi" / "male", language="hinglish")
    assert {u.speaker for u in result.utterances} == {"hindi_male"}
    assert {u.language for u in result.utterances} == {"hinglish"}


def test_no_transcript_is_an_error(tmp_path):
    with pytest.raises(TTSError, match="no txt.done.data found"):
        read_corpus("indictts", tmp_path)
