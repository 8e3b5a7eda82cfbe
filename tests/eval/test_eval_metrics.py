"""Evaluation metrics, Griffin-Lim and the held-out references, on real espeak-ng speech."""

from __future__ import annotations

import math

import numpy as np
import pytest
import soundfile
import torch
from scipy.fft import idct

import text
from base.audio import MelConfig, load_wav, mel_spectrogram
from base.errors import TTSError
from tts.corpora.sentences import Sentence, generate_sentences
from tts.corpora.synthetic import SPEAKER_STYLES, speak
from tts.eval.metrics import (
    MCD_CONSTANT,
    copy_synthesis_scores,
    mcd_aligned,
    mcd_dtw,
    mean_frame_baseline,
    mel_cepstrum,
)
from tts.eval.references import held_out_sentences, make_references, reference_style
from tts.griffinlim import griffin_lim

CONFIG = MelConfig()
SENTENCE = "नमस्ते, आप कैसे हैं? मैं ठीक हूँ।"


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    """A real espeak-ng clip (Hindi, speaker style 0): ``(audio [T] float32, log-mel [80, frames])``."""
    path = tmp_path_factory.mktemp("speech") / "namaste.wav"
    speak(SENTENCE, "hi", SPEAKER_STYLES[0], path)
    audio = load_wav(path, CONFIG.sampling_rate)
    return audio.numpy(), mel_spectrogram(audio, CONFIG).numpy()


# -- Griffin-Lim --------------------------------------------------------------------------------


def test_griffin_lim_reconstructs_a_real_mel(speech):
    audio, mel = speech
    out = griffin_lim(mel, CONFIG, n_iter=32, seed=0)
    assert out.dtype == np.float32 and out.shape == (mel.shape[1] * CONFIG.hop_length,)
    again = mel_spectrogram(torch.from_numpy(out), CONFIG).numpy()[:, : mel.shape[1]]
    error = np.abs(again - mel).mean()
    # Measured 0.23 (mean absolute log-mel error over all frames, silence included).
    assert error < 0.35
    noise = np.random.default_rng(0).normal(0.0, audio.std(), audio.size).astype(np.float32)
    noise_error = np.abs(mel_spectrogram(torch.from_numpy(noise), CONFIG).numpy() - mel).mean()
    # Measured 4.0: Griffin-Lim is about 17 times closer than noise of the same power.
    assert noise_error > 8 * error


def test_griffin_lim_is_seeded_and_takes_tensors(speech):
    _, mel = speech
    short = mel[:, :40]
    first = griffin_lim(torch.from_numpy(short), CONFIG, n_iter=4, seed=3)
    assert np.array_equal(first, griffin_lim(short, CONFIG, n_iter=4, seed=3))
    assert not np.allclose(first, griffin_lim(short, CONFIG, n_iter=4, seed=4))
    with pytest.raises(ValueError, match=r"\[80, frames\]"):
        griffin_lim(short[:40], CONFIG)


# -- MCD ----------------------------------------------------------------------------------------


def test_mel_cepstrum_is_the_cosine_series_of_the_log_mel(speech):
    mel = speech[1].astype(np.float64)
    full = mel_cepstrum(mel, n_ceps=80)
    assert full.shape == mel.shape
    # log_mel_k = c0 / 2 + sum_d c_d cos(pi d (k + 1/2) / n): the series gives the frame back.
    k = np.arange(80)
    basis = np.cos(np.pi * np.outer(k + 0.5, np.arange(80)) / 80)
    basis[:, 0] = 0.5
    np.testing.assert_allclose(basis @ full, mel, atol=1e-9)
    ceps = mel_cepstrum(mel)
    assert ceps.shape == (25, mel.shape[1])
    np.testing.assert_allclose(ceps, full[:25])
    # A constant offset of the log-mel (a gain) moves c0 only, by twice the offset.
    shifted = mel_cepstrum(mel + 2.0)
    np.testing.assert_allclose(shifted[0] - ceps[0], 4.0)
    np.testing.assert_allclose(shifted[1:], ceps[1:], atol=1e-9)


def test_mcd_of_identical_and_gain_changed_mels_is_zero(speech):
    _, mel = speech
    assert mcd_dtw(mel, mel) == 0.0
    assert mcd_dtw(mel, mel + 3.0) < 1e-6  # c0 (energy) is left out


def test_mcd_is_symmetric(speech):
    _, mel = speech
    other = mel_spectrogram(torch.from_numpy(griffin_lim(mel[:, :80], CONFIG, n_iter=2)), CONFIG).numpy()
    forward, backward = mcd_dtw(mel, other), mcd_dtw(other, mel)
    assert forward > 5.0
    assert forward == pytest.approx(backward, rel=1e-12)


def test_dtw_aligns_a_time_stretched_copy(speech):
    _, mel = speech
    stretched = np.repeat(mel, 2, axis=1)  # every frame twice: the same speech, half as fast
    assert mcd_dtw(mel, stretched) < 1e-9
    assert mcd_dtw(stretched, mel) < 1e-9
    # Without alignment the same frames are compared at the wrong times.
    assert mcd_aligned(mel, stretched[:, : mel.shape[1]]) > 3.0


def test_mcd_of_a_hand_computed_two_frame_example():
    a = np.zeros((80, 2))
    ceps = np.zeros((80, 2))
    ceps[0] = [7.0, -2.0]  # c0 differs in both frames: ignored
    ceps[1, 1], ceps[2, 1] = 3.0, 4.0  # frame 1 differs by (3, 4): a distance of 5
    b = idct(ceps * 80, type=2, axis=0)  # the inverse of mel_cepstrum's scaling
    np.testing.assert_allclose(mel_cepstrum(b)[:3], ceps[:3], atol=1e-12)
    # Frame MCDs are 0 and (10 / ln 10) * sqrt(2 * 25); the path (0,0), (1,1) averages them.
    expected = (0.0 + 10.0 / math.log(10.0) * math.sqrt(2.0 * 25.0)) / 2
    assert MCD_CONSTANT == pytest.approx(4.342944819)
    assert mcd_dtw(a, b) == pytest.approx(expected, rel=1e-9)
    assert expected == pytest.approx(15.3546, abs=1e-4)
    assert mcd_aligned(a, b) == pytest.approx(expected, rel=1e-9)
    # With 2 coefficients only c1 counts: frame 1 differs by 3.
    assert mcd_dtw(a, b, n_ceps=2) == pytest.approx(10.0 / math.log(10.0) * math.sqrt(2.0 * 9.0) / 2)


def test_mcd_rejects_mismatched_mels():
    with pytest.raises(ValueError, match="mel channels"):
        mcd_dtw(np.zeros((80, 3)), np.zeros((40, 3)))
    with pytest.raises(ValueError, match="equal shapes"):
        mcd_aligned(np.zeros((80, 3)), np.zeros((80, 4)))


def test_mean_frame_baseline_repeats_the_frame(speech):
    _, mel = speech
    baseline = mean_frame_baseline(mel.mean(1), 7)
    assert baseline.shape == (80, 7)
    np.testing.assert_allclose(baseline[:, 6], mel.mean(1), rtol=1e-6)
    # Real speech is far from its own mean frame; measured 73.8 dB.
    assert 8.0 < mcd_dtw(mean_frame_baseline(mel.mean(1), mel.shape[1]), mel) < 16.0


# -- PESQ / STOI --------------------------------------------------------------------------------


def test_copy_synthesis_scores_of_clean_and_noisy_speech(speech):
    audio, _ = speech
    # The generated signal may be longer (frames * hop): both are cut to the shorter first.
    clean = copy_synthesis_scores(audio, np.concatenate([audio, np.zeros(300, np.float32)]), CONFIG.sampling_rate)
    assert clean["pesq"] > 4.0 and clean["stoi"] > 0.99
    noisy_audio = audio + np.random.default_rng(0).normal(0.0, 3 * audio.std(), audio.size)
    noisy = copy_synthesis_scores(audio, noisy_audio, CONFIG.sampling_rate)
    # Measured PESQ 1.02, STOI 0.71 at about -9.5 dB SNR.
    assert noisy["pesq"] < 1.5 and noisy["stoi"] < 0.8
    assert clean["pesq"] - noisy["pesq"] > 2.5


def test_copy_synthesis_scores_explain_what_they_cannot_score(speech):
    audio, _ = speech
    silence = np.zeros_like(audio)
    with pytest.raises(TTSError, match="the reference audio is silent"):
        copy_synthesis_scores(silence, audio, 22050)
    with pytest.raises(TTSError, match="the generated audio is silent"):
        copy_synthesis_scores(audio, silence, 22050)
    with pytest.raises(TTSError, match="the generated audio holds NaN"):
        copy_synthesis_scores(audio, np.full_like(audio, np.nan), 22050)
    with pytest.raises(TTSError, match="too short"):
        copy_synthesis_scores(audio[:100], audio[:100], 22050)


# -- held-out sentences and references -------------------------------------------------------------


def test_held_out_sentences_skip_the_training_transcripts():
    training = {s.text for s in generate_sentences("hinglish", 1200, 0)}
    held_out = held_out_sentences("hinglish", 30, training)
    assert len(held_out) == 30 == len(set(held_out))
    assert not set(held_out) & training
    assert held_out == held_out_sentences("hinglish", 30, training)  # deterministic
    assert held_out[:10] == held_out_sentences("hinglish", 10, training)
    # Without an exclusion list they are simply the seed-1000 sentences.
    assert held_out_sentences("en", 5, set()) == [s.text for s in generate_sentences("en", 5, 1000)]
    # Normalized exclusion (a prepared train.tsv) drops the same sentences.
    normalized = {text.normalize(t, "hinglish") for t in training}
    by_normalized = held_out_sentences("hinglish", 30, set(), normalized_exclude=normalized)
    assert not {text.normalize(t, "hinglish") for t in by_normalized} & normalized


def test_held_out_sentences_say_when_the_phrasebook_runs_out(monkeypatch):
    import tts.corpora.sentences

    def small_phrasebook(language, count, seed):  # a phrasebook of 40 sentences
        if count > 40:
            raise TTSError(f"the {language} phrasebook gave only 40 distinct sentences")
        return [Sentence(f"sentence {i}", f"sentence {i}", language) for i in range(count)]

    monkeypatch.setattr(tts.corpora.sentences, "generate_sentences", small_phrasebook)
    assert len(held_out_sentences("en", 38, {"sentence 3"})) == 38
    with pytest.raises(
        TTSError,
        match="phrasebook cannot give 38 sentences outside the training set "
        r"\(37 found\); ask for fewer with --sentences",
    ):
        held_out_sentences("en", 38, {"sentence 3", "sentence 5", "sentence 7"})
    monkeypatch.undo()
    with pytest.raises(TTSError, match="no sentences for language"):
        held_out_sentences("xx", 3, set())


def test_references_are_espeak_renderings_trimmed_and_cached(tmp_path):
    sentences = ["kal meeting 3 baje hai", "yeh kaam ho gaya"]
    references = make_references(sentences, "hinglish", CONFIG, tmp_path, style_index=1)
    assert [r.text for r in references] == sentences
    first = references[0]
    assert first.normalized == text.normalize(sentences[0], "hinglish")
    # What the synthetic corpus makes: the normalized text, voice hi, style 1 (the in-process
    # espeak-ng varies a little from call to call, so equal up to that: measured 1.7 dB MCD
    # between two calls, against 6.3 dB for style 0 speaking the same text).
    raw = load_wav(first.wav, CONFIG.sampling_rate).numpy()
    direct, other_style = tmp_path / "direct.wav", tmp_path / "style0.wav"
    speak(first.normalized, "hi", SPEAKER_STYLES[1], direct)
    speak(first.normalized, "hi", SPEAKER_STYLES[0], other_style)
    direct_audio = load_wav(direct, CONFIG.sampling_rate).numpy()
    assert abs(direct_audio.size - raw.size) < 0.01 * raw.size
    n = min(raw.size, direct_audio.size)
    same = mcd_aligned(
        mel_spectrogram(torch.from_numpy(raw[:n]), CONFIG).numpy(),
        mel_spectrogram(torch.from_numpy(direct_audio[:n]), CONFIG).numpy(),
    )
    assert same < 3.0
    assert mcd_dtw(first.mel, mel_spectrogram(load_wav(other_style, CONFIG.sampling_rate), CONFIG).numpy()) > same + 2
    assert 0.3 * CONFIG.sampling_rate < first.audio.size <= raw.size  # trimmed like training clips
    assert first.mel.shape == (80, first.audio.size // CONFIG.hop_length + 1)
    # A second run speaks nothing again.
    stamps = [r.wav.stat().st_mtime_ns for r in references]
    again = make_references(sentences, "hinglish", CONFIG, tmp_path, style_index=1)
    assert [r.wav.stat().st_mtime_ns for r in again] == stamps
    np.testing.assert_array_equal(again[1].mel, references[1].mel)
    # The cached wav is what is read, trimmed like a training clip: a second of silence on
    # either side of it is cut (to the 0.05 s margin of tts prepare's defaults).
    padding = np.zeros(CONFIG.sampling_rate, np.float32)
    soundfile.write(first.wav, np.concatenate([padding, raw, padding]), CONFIG.sampling_rate, subtype="PCM_16")
    padded = make_references(sentences[:1], "hinglish", CONFIG, tmp_path, style_index=1)[0]
    assert abs(padded.audio.size - first.audio.size) <= 0.1 * CONFIG.sampling_rate + 512
    with pytest.raises(TTSError, match="no espeak-ng reference voice"):
        make_references(sentences, "fr", CONFIG, tmp_path)


class _Speakers:
    def __init__(self, speakers):
        self.speakers = speakers


def test_reference_style_follows_the_synthetic_speaker_name():
    voice = _Speakers(["hi_m3_p45_s160", "hi_f3_p65_s150"])
    assert reference_style(voice, 0) == 0
    assert reference_style(voice, 1) == 1
    assert reference_style(_Speakers(["bn_f2_p75_s145"]), 0) == 3
    assert reference_style(_Speakers(["narrator"]), 0) == 0
