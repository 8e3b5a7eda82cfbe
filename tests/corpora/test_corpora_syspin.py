"""IISc SYSPIN layout: wavs/*.wav + *_Transcripts.json."""

from __future__ import annotations

import json

import pytest

from base.errors import TTSError
from tts.corpora import read_corpus

SPEAKER = "IISc_SYSPINProject_Hindi_Female_Spk001_HC"


@pytest.fixture
def syspin(tmp_path, tone):
    root = tmp_path / SPEAKER
    for utt_id in ("hin_f_001", "hin_f_002"):
        tone(root / "wavs" / f"{utt_id}.wav")
    transcripts = {
        "Transcripts": {
            "hin_f_001": {"Transcript": "किसानों को 5000 रुपये की मदद मिलेगी", "Domain": "AGRICULTURE"},
            "hin_f_002": {"Transcript": " बैंक कल बंद रहेगा ", "Domain": "FINANCE"},
            "hin_f_003": {"Domain": "FINANCE"},
            "hin_f_004": {"Transcript": "रिकॉर्डिंग गायब है", "Domain": "GENERAL"},
        }
    }
    (root / f"{SPEAKER}_Transcripts.json").write_text(
        json.dumps(transcripts, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return tmp_path


def test_reads_transcripts_with_speaker_and_language_from_the_file_name(syspin):
    result = read_corpus("syspin", syspin)
    assert [(u.utt_id, u.text, u.speaker, u.language) for u in result.utterances] == [
        ("hin_f_001", "किसानों को 5000 रुपये की मदद मिलेगी", SPEAKER, "hi"),
        ("hin_f_002", "बैंक कल बंद रहेगा", SPEAKER, "hi"),
    ]
    assert result.utterances[0].audio_path == syspin / SPEAKER / "wavs" / "hin_f_001.wav"
    transcript = syspin / SPEAKER / f"{SPEAKER}_Transcripts.json"
    # indent=2 puts utterance n on line 3 + 4 * (n - 1)
    assert [(p.file, p.line) for p in result.problems] == [(transcript, 11), (transcript, 14)]
    assert 'no "Transcript" string' in result.problems[0].reason
    assert "hin_f_004.wav not found" in result.problems[1].reason


def test_invalid_json_is_reported_with_its_line_and_other_speakers_still_read(syspin, tone):
    broken = syspin / "IISc_SYSPINProject_Bengali_Male_Spk002_HC"
    broken.mkdir()
    (broken / "IISc_SYSPINProject_Bengali_Male_Spk002_HC_Transcripts.json").write_text(
        '{"Transcripts": {\n  "ben_m_001": {"Transcript": "ভালো",}\n}}', encoding="utf-8"
    )
    result = read_corpus("syspin", syspin)
    assert len(result.utterances) == 2
    assert result.problems[0].line == 2 and "not valid JSON" in result.problems[0].reason


def test_no_transcripts_json_is_an_error(tmp_path):
    with pytest.raises(TTSError, match=r"no \*_Transcripts.json found"):
        read_corpus("syspin", tmp_path)
