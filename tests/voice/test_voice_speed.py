"""Speaking rate (``speed``): each mel is stretched in time before vocoding, the pauses scale too,
and rates outside OpenAI's range are refused."""

from __future__ import annotations

import numpy as np
import pytest

from base.errors import TTSError
from tts.voice import PAUSE_SECONDS, load_voice, stretch_mel


def test_stretch_mel_keeps_the_spectrum_and_scales_the_frames():
    rng = np.random.default_rng(0)
    mel = rng.standard_normal((80, 90)).astype(np.float32)
    assert stretch_mel(mel, 1.0) is mel
    fast, slow = stretch_mel(mel, 2.0), stretch_mel(mel, 0.5)
    assert fast.shape == (80, 45) and slow.shape == (80, 180) and slow.dtype == np.float32
    # The ends stay, and every frame lies between the two frames it is drawn from.
    np.testing.assert_array_equal(slow[:, 0], mel[:, 0])
    np.testing.assert_array_equal(slow[:, -1], mel[:, -1])
    assert np.all(slow.min(0) >= mel.min() - 1e-6) and np.all(slow.max(0) <= mel.max() + 1e-6)
    flat = np.tile(np.linspace(-8, 0, 80, dtype=np.float32)[:, None], (1, 30))
    np.testing.assert_allclose(stretch_mel(flat, 0.7), np.tile(flat[:, :1], (1, 43)), atol=1e-6)
    assert stretch_mel(mel[:, :1], 4.0).shape == (80, 1)  # never no frames


def test_speed_scales_the_speech_and_the_pauses(voice_dir):
    voice = load_voice(voice_dir, vocoder_kind="griffinlim")
    text = "pehla vaakya. doosra vaakya."
    normal, rate = voice.synthesize(text, seed=0)
    fast, _ = voice.synthesize(text, seed=0, speed=2.0)
    pause = int(PAUSE_SECONDS * rate)
    speech = (len(normal) - pause) // 2  # two sentences of equal length (the step limit ends both)
    assert len(fast) == 2 * (speech // 2) + pause // 2
    for speed in (0.1, 5, float("nan"), True, "fast"):
        with pytest.raises(TTSError, match="speed must be a number from 0.25 to 4"):
            voice.synthesize(text, speed=speed)
