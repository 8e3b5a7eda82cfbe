"""The spectral-contrast postfilter (:mod:`tts.postfilter`): the cepstral postfilter above c0,
kept above the mel floor, refused outside its limits, recorded in voice.json."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import scipy.fft

from base.errors import TTSError
from tts.postfilter import DEFAULT, LIMITS, LOG_FLOOR, check_beta, postfilter
from tts.voice_manifest import read_voice_manifest, voice_postfilter


def _mel(frames: int = 40, seed: int = 0) -> np.ndarray:
    """A speech-like log-mel: a slow tilt, two moving formant bumps, noise; well above the floor."""
    rng = np.random.default_rng(seed)
    bands = np.arange(80)[:, None]
    t = np.arange(frames)[None, :]
    formants = 2.0 * np.exp(-(((bands - 15 - 5 * np.sin(t / 7)) / 4) ** 2)) + 1.5 * np.exp(-(((bands - 45) / 6) ** 2))
    return (-4.0 - 0.03 * bands + formants + 0.2 * rng.standard_normal((80, frames))).astype(np.float32)


def test_it_is_the_cepstral_postfilter_above_c0():
    mel = _mel()
    out = postfilter(mel, 1.4)
    assert out.dtype == np.float32 and out.shape == mel.shape
    before = scipy.fft.dct(mel.astype(np.float64), type=2, axis=0, norm="ortho")
    after = scipy.fft.dct(out.astype(np.float64), type=2, axis=0, norm="ortho")
    np.testing.assert_allclose(after[0], before[0], rtol=0, atol=1e-4)  # each frame's mean level stays
    np.testing.assert_allclose(after[1:], 1.4 * before[1:], rtol=0, atol=1e-4)  # its contrast grows
    np.testing.assert_array_equal(postfilter(mel, 1.0), mel)  # 1: off


def test_the_result_stays_above_the_mel_floor():
    mel = _mel()
    mel[60:] = LOG_FLOOR  # silent high bands, at the clamp
    out = postfilter(mel, 2.0)
    assert out.min() == pytest.approx(LOG_FLOOR) and (out[60:] == np.float32(LOG_FLOOR)).all()
    assert (out[:60] > LOG_FLOOR).any()


@pytest.mark.parametrize("beta", [float("nan"), float("inf"), 0.5, 0.99, 2.01, -1.4, True, "1.4", None])
def test_betas_outside_the_limits_are_refused(beta):
    with pytest.raises(ValueError, match="postfilter must be"):
        check_beta(beta)
    with pytest.raises(ValueError, match="postfilter must be"):
        postfilter(_mel(), beta)


def test_limits_and_shapes():
    assert check_beta(LIMITS[0]) == 1.0 and check_beta(2) == 2.0 and LIMITS[0] <= DEFAULT <= LIMITS[1]
    with pytest.raises(ValueError, match=r"\[n_mel, frames\]"):
        postfilter(np.zeros(80), 1.4)


def test_voice_json_records_it_and_bundles_without_it_have_none(tmp_path):
    fields = {
        "name": "v",
        "languages": ["hinglish"],
        "symbols": ["a"],
        "text_language": "hinglish",
        "sample_rate": 22050,
        "mel_config": {},
        "files": {},
        "sha256": {},
    }
    (tmp_path / "voice.json").write_text(json.dumps(fields))
    manifest = read_voice_manifest(tmp_path)
    assert manifest.postfilter == 1.0  # made before the postfilter: spoken as it was
    assert voice_postfilter(manifest) == 1.0 and voice_postfilter(manifest, 1.6) == 1.6
    with pytest.raises(TTSError, match="postfilter must be between"):
        voice_postfilter(manifest, math.nan)
    (tmp_path / "voice.json").write_text(json.dumps({**fields, "postfilter": 1.3}))
    assert read_voice_manifest(tmp_path).postfilter == 1.3
    (tmp_path / "voice.json").write_text(json.dumps({**fields, "postfilter": 7}))
    with pytest.raises(TTSError, match=r"voice.json.*postfilter must be between"):
        read_voice_manifest(tmp_path)
