"""``tts export onnx --precision int8``: the decoder step's LSTM cells in int8 (onnxruntime's
MatMulInteger), the rest as the fp32 export, and a voice that knows its precision."""

from __future__ import annotations

import json

import numpy as np
import onnx
import pytest
import torch

import text
from base.errors import TTSError
from tts.onnx.export import export_onnx, export_voice_onnx
from tts.onnx.runtime import GRAPH_FILES, METADATA_KEY
from tts.testing import hinglish_manifest, random_tacotron2, random_waveglow
from tts.voice import load_voice

pytest.importorskip("onnxruntime")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    model = random_tacotron2(
        "small", len(text.symbols("hinglish")), gate_bias=-10.0, n_speakers=2, n_languages=3, max_frames_per_symbol=2.0
    )
    vocoder_model = random_waveglow("micro", upsample_kernel_size=256)
    out = tmp_path_factory.mktemp("onnx-int8")
    return export_onnx(model, vocoder_model, hinglish_manifest(), out, precision="int8"), model


def ops(path) -> list[str]:
    return [node.op_type for node in onnx.load(str(path)).graph.node]


def metadata(path) -> dict:
    return json.loads({p.key: p.value for p in onnx.load(str(path)).metadata_props}[METADATA_KEY])


def test_only_the_lstm_cells_are_int8(exported):
    path, _ = exported
    step = ops(path / GRAPH_FILES["decoder_step"])
    assert step.count("MatMulInteger") == 4  # input and hidden products of both cells
    assert metadata(path / GRAPH_FILES["decoder_step"])["precision"] == "int8"
    for role in ("encoder", "postnet", "vocoder"):
        assert not {"MatMulInteger", "ConvInteger"} & set(ops(path / GRAPH_FILES[role]))
        assert "precision" not in metadata(path / GRAPH_FILES[role])


def test_the_int8_voice_speaks_and_knows_its_precision(exported):
    path, model = exported
    voice = load_voice(path)
    assert voice.precision == "int8" and voice.engine == "onnx"
    ids = voice.text_processor("namaste, aaj mausam achha hai")
    mel, _ = voice.acoustic.decode_one(ids, 0, 0)
    model.decoder.prenet.dropout = 0.0
    exact = model.infer(torch.tensor([ids]), torch.tensor([len(ids)]), torch.tensor([0]), torch.tensor([0]))
    reference = exact.mel_postnet[0].numpy()
    assert mel.shape == reference.shape  # the step limit ends both
    assert np.sqrt(np.mean((mel - reference) ** 2)) < 0.05 * reference.std()
    with pytest.raises(TTSError, match="--precision fp32"):
        load_voice(path, precision="fp32")


def test_exports_come_from_the_fp32_models(monkeypatch, tmp_path):
    """A voice loaded in int8 is exported from its bundle's fp32 models."""
    exported = {}

    def export(acoustic_model, vocoder_model, manifest, out_dir, **options):
        exported.update(acoustic=acoustic_model, vocoder=vocoder_model, options=options)
        return out_dir

    monkeypatch.setattr("tts.onnx.export.export_onnx", export)
    export_voice_onnx(load_voice("hinglish", precision="int8"), tmp_path / "out", precision="int8")
    assert type(exported["acoustic"].decoder.attention_rnn) is torch.nn.LSTMCell
    assert exported["vocoder"].fast_linear is None
    assert exported["options"] == {"precision": "int8"}


def test_the_runtime_threads_do_not_spin(exported):
    path, _ = exported
    voice = load_voice(path)
    for session in (voice.acoustic._decoder, voice.vocoders["waveglow"]._session):
        assert session.get_session_options().get_session_config_entry("session.intra_op.allow_spinning") == "0"
