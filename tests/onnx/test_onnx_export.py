"""ONNX export of a voice: onnxruntime against torch on tiny random models."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import text
from acoustic.model import Tacotron2
from base.errors import TTSError
from tts.onnx.export import export_onnx
from tts.onnx.runtime import GRAPH_FILES
from tts.testing import hinglish_manifest, random_tacotron2, random_waveglow
from tts.voice import load_voice
from tts.voice_manifest import VoiceManifest, read_voice_manifest, sha256_file
from vocoder.waveglow import WaveGlow

pytest.importorskip("onnxruntime")

SYMBOLS = text.symbols("hinglish")
TOL = 1e-3


def tiny_tacotron(gate_bias: float = -10.0, **changes) -> Tacotron2:
    """The tiny preset's sizes, speaker and language tables, r = 3, random conditioning; -10: the
    gate never fires and the step limit ends decoding; +10: it fires on step 1."""
    values = {"n_speakers": 2, "n_languages": 3, "max_frames_per_symbol": 2.0, **changes}
    model = random_tacotron2("small", len(SYMBOLS), table_std=0.1, gate_bias=gate_bias, **values)
    with torch.no_grad():  # batch-norm statistics that are not the identity
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm1d):
                module.running_mean.normal_(0, 0.1)
                module.running_var.uniform_(0.5, 1.5)
    return model


def tiny_waveglow(mel_conditioning: str = "upsampled", depthwise: bool = False) -> WaveGlow:
    return random_waveglow("small", seed=1, end_bias_std=0.05, mel_conditioning=mel_conditioning, depthwise=depthwise)


def tiny_manifest(**changes) -> VoiceManifest:
    return hinglish_manifest(**changes)


def sentence_ids(voice, raw: str = "namaste, aaj mausam bahut achha hai") -> list[int]:
    return voice.text_processor(raw)


def torch_mel(model: Tacotron2, ids: list[int], speaker: int | None, language: int | None):
    """Tacotron2.infer with the prenet's dropout off: (mel [n_mel, frames], stopped)."""
    model.decoder.prenet.dropout = 0.0
    out = model.infer(
        torch.tensor([ids]),
        torch.tensor([len(ids)]),
        None if speaker is None else torch.tensor([speaker]),
        None if language is None else torch.tensor([language]),
    )
    return out.mel_postnet[0, :, : int(out.mel_lengths[0])].numpy(), bool(out.stopped[0])


@pytest.fixture(
    scope="module", params=[("upsampled", False), ("interpolated", True)], ids=["upsampled", "interpolated-depthwise"]
)
def exported(request, tmp_path_factory):
    acoustic_model = tiny_tacotron()
    vocoder_model = tiny_waveglow(*request.param)
    out = tmp_path_factory.mktemp(f"onnx-{request.param[0]}")
    path = export_onnx(acoustic_model, vocoder_model, tiny_manifest(), out)
    return path, acoustic_model, vocoder_model


def test_export_writes_a_voice(exported):
    path, acoustic_model, vocoder_model = exported
    manifest = read_voice_manifest(path)
    source = tiny_manifest()
    assert manifest.engine == "onnx"
    assert manifest.files == GRAPH_FILES
    assert set(manifest.sha256) == set(GRAPH_FILES.values())
    for name, digest in manifest.sha256.items():
        assert sha256_file(path / name) == digest
    for field in (
        "name",
        "languages",
        "symbols",
        "text_language",
        "sample_rate",
        "mel_config",
        "speakers",
        "language_table",
        "training",
        "description",
    ):
        assert getattr(manifest, field) == getattr(source, field), field
    assert manifest.acoustic_config["n_frames_per_step"] == 3
    assert manifest.vocoder_config["mel_conditioning"] == vocoder_model.config.mel_conditioning
    # Only the voice: no staging folder or temporary file left behind.
    assert sorted(p.name for p in path.iterdir()) == sorted([*GRAPH_FILES.values(), "voice.json"])


def test_encoder_matches_torch(exported):
    path, model, _ = exported
    voice = load_voice(path, threads=1, engine="onnx")
    for ids, speaker, language in ((sentence_ids(voice), 1, 2), ([5, 9, 3], 0, 1), ([7], 1, 0)):
        memory, processed = voice.acoustic.encode(ids, speaker, language)
        with torch.no_grad():
            ref = model.encode(
                torch.tensor([ids]), torch.tensor([len(ids)]), torch.tensor([speaker]), torch.tensor([language])
            )
            ref_processed = model.decoder.attention_layer.memory_layer(ref)
        assert memory.shape == tuple(ref.shape)
        assert np.abs(memory - ref.numpy()).max() <= TOL
        assert np.abs(processed - ref_processed.numpy()).max() <= TOL


def test_decoded_mel_matches_torch(exported):
    """The numpy loop over the step graph gives Tacotron2.infer's mel: the random model never
    stops, so both run to the same step limit (ceil(2 frames per symbol * N / 3) steps)."""
    path, model, _ = exported
    voice = load_voice(path, threads=1, engine="onnx")
    for ids, speaker, language in ((sentence_ids(voice), 1, 2), (sentence_ids(voice, "ok"), 0, 0)):
        mel, stopped = voice.acoustic.decode_one(ids, speaker, language)
        ref, ref_stopped = torch_mel(model, ids, speaker, language)
        assert mel.shape == ref.shape == (80, 3 * -(-2 * len(ids) // 3))
        assert stopped is ref_stopped is False
        assert np.abs(mel - ref).max() <= TOL


def test_forced_steps_match_torch_step(exported):
    """K steps with the gate ignored against Decoder.step driven by hand (prenet dropout off)."""
    path, model, _ = exported
    voice = load_voice(path, threads=1, engine="onnx")
    ids, k = sentence_ids(voice)[:11], 9
    memory, processed = voice.acoustic.encode(ids, 0, 0)
    mel, stopped, alignments = voice.acoustic.decode_memory(memory, processed, max_steps=k, use_gate=False)
    decoder = model.decoder
    decoder.prenet.dropout = 0.0
    with torch.no_grad():
        mem = torch.from_numpy(memory)
        state = decoder.initial_state(mem)
        frame = torch.zeros(1, 80 * 3)
        frames = []
        for _ in range(k):
            frame, _, state = decoder.step(
                decoder.prenet(frame),
                state,
                mem,
                torch.from_numpy(processed),
                torch.ones(1, len(ids), dtype=torch.bool),
            )
            frames.append(frame)
        ref = decoder._to_mel(frames).numpy()
    assert mel.shape == ref.shape == (1, 80, 3 * k) and not stopped
    assert np.abs(mel - ref).max() <= TOL
    assert alignments.shape == (k, len(ids))
    np.testing.assert_allclose(alignments.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(alignments[-1], state.attention_weights[0].numpy(), atol=TOL)


def test_vocoder_matches_torch_with_the_same_noise(exported):
    path, _, vocoder_model = exported
    voice = load_voice(path, threads=1, engine="onnx")
    rng = np.random.default_rng(3)
    for frames in (1, 13, 40):
        mel = rng.normal(-4, 1.5, (80, frames)).astype(np.float32)
        z = (0.666 * rng.standard_normal((1, 8, frames * 256 // 8))).astype(np.float32)
        audio = voice.vocoders["waveglow"].vocode_latent(mel, z)
        with torch.no_grad():
            ref = vocoder_model.reverse(torch.from_numpy(mel)[None], torch.from_numpy(z))[0].numpy()
        assert audio.shape == ref.shape == (frames * 256,)
        assert np.abs(audio - ref).max() <= TOL


@pytest.mark.parametrize(
    "gate_bias, changes",
    [
        (10.0, {}),  # the gate fires on the first step: stopped, r frames
        (
            -10.0,
            dict(n_speakers=0, n_languages=0, n_frames_per_step=1, max_frames_per_symbol=None, max_decoder_steps=12),
        ),  # no tables, r = 1, only the hard cap ends decoding
    ],
)
def test_stop_rules_match_torch(tmp_path, gate_bias, changes):
    model = tiny_tacotron(gate_bias, **changes)
    manifest = tiny_manifest(
        language_table=[] if "n_languages" in changes else ["hinglish", "hi", "en"],
        speakers=[] if "n_speakers" in changes else ["asha", "ravi"],
    )
    path = export_onnx(model, tiny_waveglow(), manifest, tmp_path / "voice")
    voice = load_voice(path, threads=1, engine="onnx")
    ids = sentence_ids(voice)
    speaker, language = (None, None) if changes else (1, 0)
    mel, stopped = voice.acoustic.decode_one(ids, speaker or 0, language)
    ref, ref_stopped = torch_mel(model, ids, speaker, language)
    assert mel.shape == ref.shape
    assert stopped == ref_stopped == (gate_bias > 0)
    assert mel.shape[1] == (3 if gate_bias > 0 else 12)
    assert np.abs(mel - ref).max() <= TOL
    (result,) = voice.mel([voice.text_processor.normalize("namaste")])
    assert result[0].shape[0] == 80 and result[1] == (gate_bias > 0)


def test_a_failed_check_names_the_graph_and_leaves_no_voice(tmp_path):
    out = tmp_path / "voice"
    with pytest.raises(TTSError, match="encoder.onnx"):
        export_onnx(tiny_tacotron(), tiny_waveglow(), tiny_manifest(), out, tolerance=-1.0)
    assert list(out.iterdir()) == []


def test_export_refuses_a_manifest_from_another_model(tmp_path):
    with pytest.raises(TTSError, match="symbols"):
        export_onnx(tiny_tacotron(), tiny_waveglow(), tiny_manifest(symbols=list(SYMBOLS)[:-1]), tmp_path)
    with pytest.raises(TTSError, match="language"):
        export_onnx(tiny_tacotron(), tiny_waveglow(), tiny_manifest(language_table=["hinglish"]), tmp_path)


def test_models_are_left_unchanged(tmp_path):
    model, wg = tiny_tacotron(), tiny_waveglow()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    export_onnx(model, wg, tiny_manifest(), tmp_path / "voice")
    assert model.decoder.prenet.dropout == 0.5  # the check turned it off on a copy only
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


@pytest.mark.slow
def test_dynamo_exporter(tmp_path):
    """The torch.export based exporter (the fallback) gives graphs that pass the same check."""
    path = export_onnx(
        tiny_tacotron(), tiny_waveglow("interpolated"), tiny_manifest(), tmp_path / "voice", exporter="dynamo"
    )
    voice = load_voice(path, threads=1, engine="onnx")
    metadata = json.loads(voice.acoustic._decoder.get_modelmeta().custom_metadata_map["swaratts"])
    assert metadata["graph"] == "decoder_step"
    mel, _ = voice.acoustic.decode_one(sentence_ids(voice), 1, 2)
    ref, _ = torch_mel(tiny_tacotron(), sentence_ids(voice), 1, 2)
    assert np.abs(mel - ref).max() <= TOL
