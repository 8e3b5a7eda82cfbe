"""load_voice(precision=...): the bundled voice in int8 speaks like the fp32 one, and what it
cannot do is a clear error."""

from __future__ import annotations

import numpy as np
import pytest

import tts
from acoustic.quantize import QuantizedLSTMCell
from base.errors import TTSError
from vocoder.quantize import Int8Linears


@pytest.fixture(scope="module")
def voices():
    return {p: tts.load_voice("hinglish", precision=p) for p in ("fp32", "int8")}


def test_the_int8_voice_is_quantized_and_speaks(voices):
    fp32, int8 = voices["fp32"], voices["int8"]
    assert (fp32.precision, int8.precision) == ("fp32", "int8")
    assert "precision=int8" in repr(int8)
    assert isinstance(int8.acoustic.model.decoder.decoder_rnn, QuantizedLSTMCell)
    assert isinstance(int8.vocoders["waveglow"].model.fast_linear, Int8Linears)
    assert fp32.vocoders["waveglow"].model.fast_linear is None
    text = "namaste, aaj mausam achha hai."
    ((mel, stopped),) = fp32.mel([fp32.pieces(text)[0]])
    ((mel8, stopped8),) = int8.mel([int8.pieces(text)[0]])
    assert stopped and stopped8
    # A gate that fires a step apart is all int8 may change in the length; where both have
    # frames, the log-mels agree to within a small fraction of their spread.
    assert abs(mel.shape[1] - mel8.shape[1]) <= 3
    frames = min(mel.shape[1], mel8.shape[1])
    assert np.sqrt(np.mean((mel[:, :frames] - mel8[:, :frames]) ** 2)) < 0.02 * mel.std()
    for kind in ("griffinlim", "waveglow"):
        audio, rate = int8.using(kind).synthesize(text, seed=0)
        assert rate == 22050 and audio.size > rate and bool(np.isfinite(audio).all())


def test_precision_errors():
    with pytest.raises(TTSError, match="unknown precision 'int4'"):
        tts.load_voice("hinglish", precision="int4")
    with pytest.raises(TTSError, match="int8 runs on the CPU"):
        tts.load_voice("hinglish", precision="int8", device="cuda")
