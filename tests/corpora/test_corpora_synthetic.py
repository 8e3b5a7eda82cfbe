"""The synthetic corpus, spoken by the real espeak-ng: audio, manifest, determinism, resume."""

from __future__ import annotations

import shutil

import librosa
import numpy as np
import pytest
import soundfile

import text.espeak
from base.errors import TTSError
from tts.corpora import read_corpus
from tts.corpora.sentences import generate_sentences
from tts.corpora.synthetic import (
    SPEAKER_STYLES,
    evaluation_sentences,
    is_finished_wav,
    speak,
    synthesize_corpus,
)

N = 6


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "hinglish"
    report = synthesize_corpus(out, "hinglish", N, speakers=2, seed=0, progress=False)
    return out, report


def test_wavs_are_22050_hz_speech_length_and_not_silent(corpus):
    out, report = corpus
    wavs = sorted((out / "wavs").glob("*.wav"))
    assert [w.name for w in wavs] == [f"hinglish_{i:05d}.wav" for i in range(1, N + 1)]
    for wav in wavs:
        info = soundfile.info(str(wav))
        assert (info.samplerate, info.channels, info.subtype) == (22050, 1, "PCM_16")
        audio, _ = soundfile.read(wav, dtype="float32")
        assert 0.8 < len(audio) / 22050 < 12.0
        assert 0.1 < np.abs(audio).max() < 0.95  # loud enough, with headroom below clipping
        frames = librosa.util.frame(audio, frame_length=441, hop_length=441)
        loud = np.sqrt((frames**2).mean(axis=0)) > 0.01
        # speech: mostly sound, with some quiet between and around the words
        assert 0.4 < loud.mean() < 0.98
    assert report.synthesized == N and report.reused == 0
    assert report.audio_seconds == pytest.approx(sum(soundfile.info(str(w)).duration for w in wavs))


def test_manifest_reads_back_with_typed_transcripts_and_alternating_speakers(corpus):
    out, report = corpus
    result = read_corpus("manifest", out)
    assert result.problems == []
    sentences = generate_sentences("hinglish", N, seed=0, exclude=evaluation_sentences())
    assert [u.text for u in result.utterances] == [s.text for s in sentences]
    assert [u.speaker for u in result.utterances] == ["hi_m3_p45_s160", "hi_f3_p65_s150"] * (N // 2)
    # A code-mixed corpus also has plain Hindi and English sentences, each with its own language.
    assert [u.language for u in result.utterances] == [s.language for s in sentences]
    assert {u.language for u in result.utterances} <= {"hinglish", "hi", "en"}
    assert [u.audio_path for u in result.utterances] == sorted((out / "wavs").glob("*.wav"))
    assert report.manifest == out / "manifest.tsv" and report.speakers == ["hi_m3_p45_s160", "hi_f3_p65_s150"]


def test_same_seed_gives_byte_identical_corpus_and_another_seed_another(corpus, tmp_path):
    out, _ = corpus
    again = tmp_path / "again"
    synthesize_corpus(again, "hinglish", N, speakers=2, seed=0, progress=False)
    assert (again / "manifest.tsv").read_bytes() == (out / "manifest.tsv").read_bytes()
    for wav in (out / "wavs").glob("*.wav"):
        assert (again / "wavs" / wav.name).read_bytes() == wav.read_bytes()
    other = tmp_path / "other"
    synthesize_corpus(other, "hinglish", N, speakers=2, seed=1, progress=False)
    assert (other / "manifest.tsv").read_text(encoding="utf-8") != (out / "manifest.tsv").read_text(encoding="utf-8")


def test_rerun_keeps_finished_wavs_redoes_broken_ones_and_extends(corpus, tmp_path):
    original, _ = corpus
    out = tmp_path / "resume"
    shutil.copytree(original, out)
    wavs = out / "wavs"
    (wavs / "hinglish_00002.wav").unlink()
    truncated = wavs / "hinglish_00003.wav"
    truncated.write_bytes(truncated.read_bytes()[:2000])
    assert not is_finished_wav(truncated)
    untouched = {name: (wavs / name).stat().st_mtime_ns for name in ("hinglish_00001.wav", "hinglish_00004.wav")}

    report = synthesize_corpus(out, "hinglish", N + 2, speakers=2, seed=0, progress=False)

    assert (report.synthesized, report.reused, report.utterances) == (4, N - 2, N + 2)
    assert {name: (wavs / name).stat().st_mtime_ns for name in untouched} == untouched
    for name in ("hinglish_00002.wav", "hinglish_00003.wav"):
        assert (wavs / name).read_bytes() == (original / "wavs" / name).read_bytes()
    result = read_corpus("manifest", out)
    assert [u.text for u in result.utterances] == [
        s.text for s in generate_sentences("hinglish", N + 2, seed=0, exclude=evaluation_sentences())
    ]


def test_a_folder_made_with_other_settings_or_foreign_files_is_refused(corpus, tmp_path):
    out, _ = corpus
    with pytest.raises(TTSError, match=r"other settings \(seed 0 -> 1\)"):
        synthesize_corpus(out, "hinglish", N, speakers=2, seed=1, progress=False)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(TTSError, match="is not empty and holds no synth.json"):
        synthesize_corpus(foreign, "en", 2, progress=False)


def test_speakers_differ_in_pitch(tmp_path):
    pitches = []
    for style in SPEAKER_STYLES[:2]:
        path = tmp_path / f"{style.variant}.wav"
        speak("नमस्ते, आप कैसे हैं?", "hi", style, path)
        audio, rate = soundfile.read(path, dtype="float32")
        f0 = librosa.yin(audio, fmin=60, fmax=400, sr=rate, frame_length=1024)
        pitches.append(np.median(f0))
    male, female = pitches
    assert female > 1.5 * male


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(language="ta", utterances=2), "no synthetic voice for language 'ta'"),
        (dict(language="hi", utterances=0), "--utterances must be at least 1"),
        (dict(language="hi", utterances=2, speakers=9), "--speakers must be between 1 and 8"),
    ],
)
def test_bad_settings_are_clear_errors(tmp_path, kwargs, message):
    with pytest.raises(TTSError, match=message):
        synthesize_corpus(tmp_path / "x", progress=False, **kwargs)


@pytest.fixture
def fresh_espeak():
    """The process's espeak-ng opened anew before and after the test."""
    text.espeak.engine.cache_clear()
    yield
    text.espeak.engine.cache_clear()


def test_missing_espeak_says_how_to_install_it(tmp_path, monkeypatch, fresh_espeak):
    monkeypatch.setenv("SWARATTS_ESPEAK_LIBRARY", str(tmp_path / "libespeak-ng.so"))
    monkeypatch.setenv("SWARATTS_ESPEAK_DATA", str(tmp_path))
    with pytest.raises(TTSError, match=r"cannot load espeak-ng from .*libespeak-ng.so.*pip install espeakng-loader"):
        synthesize_corpus(tmp_path / "x", "hi", 2, progress=False)


def test_an_espeak_failure_names_the_file_and_leaves_nothing_behind(tmp_path):
    with pytest.raises(TTSError, match=r"espeak-ng failed on a.wav: espeak-ng has no voice 'xx-none\+m3'"):
        speak("hello", "xx-none", SPEAKER_STYLES[0], tmp_path / "a.wav")
    assert list(tmp_path.iterdir()) == []
