"""load_voice(precision=...): the bundled voice in int8 speaks like the fp32 one, and what it
cannot do is a clear error."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tts
from base.errors import TTSError
from vocoder.quantize import Int8Linears


@pytest.fixture(scope="module")
def voices():
    return {p: tts.load_voice("hinglish", precision=p) for p in ("fp32", "int8")}


def test_the_int8_voice_is_quantized_and_speaks(voices):
    """The bundled voice's decoder cells are below acoustic.quantize's threshold (int8 does not pay
    for them at batch 1), so its mels are fp32's exactly; its WaveGlow is int8."""
    fp32, int8 = voices["fp32"], voices["int8"]
    assert (fp32.precision, int8.precision) == ("fp32", "int8")
    assert "precision=int8" in repr(int8)
    assert type(int8.acoustic.model.decoder.decoder_rnn) is torch.nn.LSTMCell
    assert isinstance(int8.vocoders["waveglow"].model.fast_linear, Int8Linears)
    assert fp32.vocoders["waveglow"].model.fast_linear is None
    text = "namaste, aaj mausam achha hai."
    ((mel, stopped),) = fp32.mel([fp32.pieces(text)[0]])
    ((mel8, stopped8),) = int8.mel([int8.pieces(text)[0]])
    assert stopped and stopped8 and np.array_equal(mel, mel8)
    for kind in ("griffinlim", "waveglow"):
        audio, rate = int8.using(kind).synthesize(text, seed=0)
        assert rate == 22050 and audio.size > rate and bool(np.isfinite(audio).all())
    # The int8 WaveGlow's audio is its fp32 audio but for the quantization noise: above the 25 dB
    # tests/vocoder/test_vocoder_quantize.py asks of int8 WaveGlows (45-47 dB measured on this voice).
    a = fp32.using("waveglow").vocode(mel, seed=0)
    b = int8.using("waveglow").vocode(mel, seed=0)
    assert 10 * np.log10(np.sum(a.astype(np.float64) ** 2) / np.sum((a - b).astype(np.float64) ** 2)) > 30


def test_precision_errors():
    with pytest.raises(TTSError, match="unknown precision 'int4'"):
        tts.load_voice("hinglish", precision="int4")
    with pytest.raises(TTSError, match="int8 runs on the CPU"):
        tts.load_voice("hinglish", precision="int8", device="cuda")


def test_synth_cli_precision(tmp_path):
    from tts import cli

    out = tmp_path / "int8.wav"
    assert cli.main(["synth", "namaste", "-l", "hinglish", "--precision", "int8", "-o", str(out)]) == 0
    assert out.stat().st_size > 1000
    with pytest.raises(SystemExit) as refused:  # argparse: not one of the choices
        cli.main(["synth", "namaste", "-l", "hinglish", "--precision", "int4", "-o", str(out)])
    assert refused.value.code == 2
