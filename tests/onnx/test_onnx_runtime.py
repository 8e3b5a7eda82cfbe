"""The torch-free ONNX runtime: its API, its checks, and that it never imports torch."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import soundfile
import torch

import text
from acoustic.model import Tacotron2
from base.errors import TTSError
from tts.griffinlim import ITERATIONS, griffin_lim
from tts.onnx.export import export_onnx
from tts.postfilter import postfilter
from tts.testing import WITHOUT_TORCH_PREAMBLE, hinglish_manifest, random_tacotron2, random_waveglow
from tts.voice import load_voice
from tts.voice_manifest import (
    VoiceManifest,
    record_vocoder_quality,
    write_voice_manifest,
)
from vocoder.waveglow import WaveGlow

pytest.importorskip("onnxruntime")

SYMBOLS = text.symbols("hinglish")
# Copy-synthesis scores in which each vocoder wins (the first are the bundled voices').
GRIFFIN_LIM_WINS = {"waveglow": {"pesq": 1.05, "stoi": 0.512}, "griffinlim": {"pesq": 2.95, "stoi": 0.963}}
WAVEGLOW_WINS = {"waveglow": {"pesq": 3.41, "stoi": 0.971}, "griffinlim": {"pesq": 2.95, "stoi": 0.963}}


def _models() -> tuple[Tacotron2, WaveGlow]:
    acoustic_model = random_tacotron2(
        "small", len(SYMBOLS), n_speakers=2, n_languages=3, max_frames_per_symbol=1.5, table_std=0.1, gate_bias=-10.0
    )  # the gate never fires: the step limit ends decoding
    return acoustic_model, random_waveglow("small", end_bias_std=0.05)


@pytest.fixture(scope="module")
def models():
    return _models()


@pytest.fixture(scope="module")
def voice_dir(models, tmp_path_factory):
    manifest = hinglish_manifest(files={}, sha256={})
    return export_onnx(*models, manifest, tmp_path_factory.mktemp("onnx") / "tiny")


@pytest.fixture(scope="module")
def voice(voice_dir):
    return load_voice(voice_dir, threads=1, engine="onnx")


def _copy(voice_dir, tmp_path, name: str = "copy"):
    return shutil.copytree(voice_dir, tmp_path / name)


def _griffin_lim_voice(voice_dir, tmp_path):
    """A copy of the voice whose voice.json scores favour Griffin-Lim."""
    path = _copy(voice_dir, tmp_path, "measured")
    record_vocoder_quality(path, GRIFFIN_LIM_WINS, source="test", references="2 test references")
    return path


def test_properties(voice):
    assert voice.name == "tiny"
    assert voice.sample_rate == 22050
    assert voice.languages == ["hinglish", "hi", "en"]
    assert voice.speakers == ["asha", "ravi"]
    assert voice.manifest.engine == "onnx"
    assert voice.mel_config.hop_length == 256 and voice.engine == "onnx"
    assert voice.text_processor.languages == ("hinglish", "hi", "en")


def test_mel_and_vocode(voice):
    texts = [voice.text_processor.normalize(t) for t in ("namaste", "aap kaise ho")]
    results = voice.mel(texts, speaker=1)
    assert len(results) == 2
    for (mel, stopped), normalized in zip(results, texts):
        assert mel.dtype == np.float32 and mel.shape[0] == 80
        assert not stopped  # never stops: ceil(1.5 * N / 3) steps of 3 frames
        assert mel.shape[1] == 3 * -(-3 * len(normalized) // 6)
    mel = results[0][0]
    audio = voice.vocode(mel, seed=0)
    assert audio.dtype == np.float32 and audio.shape == (mel.shape[1] * 256,)
    assert np.abs(audio).max() <= 1.0
    np.testing.assert_array_equal(audio, voice.vocode(mel, seed=0))
    assert not np.array_equal(audio, voice.vocode(mel, seed=1))
    np.testing.assert_array_equal(voice.vocode(mel, sigma=0.0), voice.vocode(mel, sigma=0.0, seed=5))
    with pytest.raises(TTSError, match=r"mel must be \[80, frames\]"):
        voice.vocode(mel[:40])


def test_speaker_and_language_choose_rows(voice):
    normalized = voice.text_processor.normalize("namaste")
    ids = voice.text_processor.ids(normalized)
    ((default, _),) = voice.mel([normalized])
    np.testing.assert_array_equal(default, voice.acoustic.decode_one(ids, 0, 0)[0])  # hinglish is row 0
    ((hindi, _),) = voice.mel([normalized], language="hindi")  # an alias of hi, row 1
    np.testing.assert_array_equal(hindi, voice.acoustic.decode_one(ids, 0, 1)[0])
    ((other, _),) = voice.mel([normalized], speaker="ravi")
    np.testing.assert_array_equal(other, voice.acoustic.decode_one(ids, 1, 0)[0])
    assert not np.allclose(default, other)
    assert voice.speaker_id("1") == 1
    with pytest.raises(TTSError, match="speaker 2 is out of range"):
        voice.mel([normalized], speaker=2)
    with pytest.raises(TTSError, match="no speaker 'meera'"):
        voice.synthesize("namaste", speaker="meera")
    with pytest.raises(TTSError, match="not 'bn'"):
        voice.synthesize("namaste", language="bn")


def test_language_outside_the_table_uses_the_text_language(voice_dir, models, tmp_path):
    # A voice whose model was trained with another language table (one without en).
    manifest = VoiceManifest.from_dict(json.loads((voice_dir / "voice.json").read_text()))
    manifest = dataclasses.replace(
        manifest, engine="torch", files={}, sha256={}, language_table=["hi", "hinglish", "bn"]
    )
    voice = load_voice(export_onnx(*models, manifest, tmp_path / "other"), threads=1, engine="onnx")
    assert voice.language_id("en") == 1  # en has no row: hinglish's
    assert voice.language_id("hi") == 0


def test_synthesize_and_stream(voice):
    raw = "namaste. aap kaise ho? main theek hoon"
    audio, rate = voice.synthesize(raw, seed=7)
    assert rate == 22050 and audio.dtype == np.float32 and audio.ndim == 1
    assert np.abs(audio).max() <= 1.0
    chunks = list(voice.stream(raw, seed=7, batch_size=2, progress=True))
    np.testing.assert_array_equal(np.concatenate(chunks), audio)
    pieces = voice.pieces(raw)
    assert len(pieces) == 3
    pause = int(0.25 * 22050)
    assert [len(c) for c in chunks[1::2]] == [pause, pause] and not np.any(np.concatenate(chunks[1::2]))
    mels = [mel for mel, _ in voice.mel(pieces)]
    assert len(audio) == sum(m.shape[1] for m in mels) * 256 + 2 * pause
    # Sentence k is vocoded with seed + k.
    np.testing.assert_array_equal(chunks[2], voice.vocode(mels[1], seed=8))
    again, _ = voice.synthesize(raw, seed=7)
    np.testing.assert_array_equal(again, audio)
    with pytest.raises(TTSError, match="empty"):
        voice.synthesize("  ")
    with pytest.raises(TTSError, match="nothing to s"):
        voice.pieces("... !")


def test_long_mels_are_vocoded_in_chunks_like_one_pass(voice):
    """A mel over 1.5 chunks is vocoded in cross-faded chunks; away from the joins they are the
    one-pass audio (same latent)."""
    frames = 700
    mel = np.random.default_rng(0).normal(-5, 1, (80, frames)).astype(np.float32)
    chunked = voice.vocode(mel, sigma=0.5, seed=3)
    z = 0.5 * np.random.default_rng(3).standard_normal((8, frames * 256 // 8), dtype=np.float32)[None]
    one_pass = np.clip(voice.vocoders["waveglow"].vocode_latent(mel, z), -1, 1)
    assert chunked.shape == one_pass.shape == (frames * 256,)
    assert np.abs(chunked - one_pass).max() <= 1e-3


def test_denoiser_matches_torch(voice, models):
    from vocoder.denoiser import Denoiser

    _, vocoder_model = models
    rng = np.random.default_rng(1)
    mel = rng.normal(-5, 1, (80, 30)).astype(np.float32)
    audio = voice.vocoders["waveglow"].vocode_latent(mel, 0.6 * rng.standard_normal((1, 8, 30 * 32), dtype=np.float32))
    with torch.no_grad():
        ref = Denoiser(vocoder_model)(torch.from_numpy(audio), strength=0.1).numpy()
    ours = voice.vocoders["waveglow"].denoise(audio, 0.1)
    assert ours.shape == ref.shape == audio.shape
    assert np.abs(ours - ref).max() <= 1e-4
    assert np.abs(ours - audio).max() > 1e-3  # it did something
    denoised = voice.vocode(mel, denoise=0.05, seed=0)
    assert denoised.shape == (30 * 256,) and not np.array_equal(denoised, voice.vocode(mel, seed=0))


def test_the_vocoder_follows_voice_json_and_can_be_forced(voice, voice_dir, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="tts.voice")
    assert voice.vocoder_kind == "waveglow"  # nothing recorded: the bundle's own
    path = _griffin_lim_voice(voice_dir, tmp_path)
    measured = load_voice(path, threads=1, engine="onnx")
    assert measured.vocoder_kind == "griffinlim" and "vocoder=griffinlim" in repr(measured)
    assert caplog.records[-1].getMessage() == (
        "voice 'tiny' vocodes with griffinlim: copy-synthesis PESQ 2.95 / STOI 0.963 vs WaveGlow 1.05 / 0.512, "
        "better on both (2 test references; voice.json)"
    )
    mel = np.random.default_rng(2).normal(-5, 1, (80, 40)).astype(np.float32)
    audio = measured.vocode(mel, seed=2)
    np.testing.assert_array_equal(audio, griffin_lim(mel, voice.mel_config, n_iter=ITERATIONS, seed=2))
    forced = load_voice(path, threads=1, vocoder_kind="waveglow", engine="onnx")
    assert forced.vocoder_kind == "waveglow" and "asked for" in caplog.records[-1].getMessage()
    np.testing.assert_array_equal(forced.vocode(mel, seed=2), voice.vocode(mel, seed=2))

    record_vocoder_quality(path, WAVEGLOW_WINS, source="test")
    assert load_voice(path, threads=1, engine="onnx").vocoder_kind == "waveglow"  # the numbers changed, nothing else
    assert load_voice(path, threads=1, vocoder_kind="griffinlim", engine="onnx").vocoder_kind == "griffinlim"
    with pytest.raises(TTSError, match="unknown vocoder 'hifigan'"):
        load_voice(path, threads=1, vocoder_kind="hifigan", engine="onnx")


def test_griffin_lim_sentences_and_both_engines_agree(voice, voice_dir, models):
    """Griffin-Lim through the ONNX voice: sentence k with seed + k; and a voice of the torch parts
    gives the same audio for the same mel (both call tts.griffinlim)."""
    from tts.griffinlim import GriffinLim
    from tts.torch_parts import TorchAcoustic, TorchWaveGlow
    from tts.voice import Voice

    def torch_voice_of(**options):
        parts = {"waveglow": TorchWaveGlow(models[1]), "griffinlim": GriffinLim(onnx_voice.manifest.mel_config)}
        return Voice(voice_dir, onnx_voice.manifest, TorchAcoustic(models[0]), parts, engine="torch", **options)

    onnx_voice = load_voice(voice_dir, threads=1, vocoder_kind="griffinlim", engine="onnx")
    raw = "namaste. aap kaise ho?"
    chunks = list(onnx_voice.stream(raw, seed=7))
    mels = [mel for mel, _ in onnx_voice.mel(onnx_voice.pieces(raw))]
    assert len(chunks) == 3 and not np.any(chunks[1])
    np.testing.assert_array_equal(chunks[0], griffin_lim(mels[0], voice.mel_config, seed=7))
    np.testing.assert_array_equal(chunks[2], griffin_lim(mels[1], voice.mel_config, seed=8))

    torch_voice = torch_voice_of(vocoder_kind="griffinlim")
    np.testing.assert_array_equal(
        torch_voice.vocode(torch.from_numpy(mels[0]), seed=4), onnx_voice.vocode(mels[0], seed=4)
    )

    # A postfilter applies to the predicted mels before vocoding, as in the torch voice.
    sharp = load_voice(voice_dir, threads=1, vocoder_kind="griffinlim", postfilter=1.4, engine="onnx")
    assert onnx_voice.postfilter == 1.0 and sharp.postfilter == 1.4
    chunks = list(sharp.stream(raw, seed=7))
    np.testing.assert_array_equal(chunks[0], griffin_lim(postfilter(mels[0], 1.4), voice.mel_config, seed=7))
    torch_sharp = torch_voice_of(vocoder_kind="griffinlim", postfilter=1.4)
    assert torch_sharp.postfilter == 1.4
    np.testing.assert_allclose(torch_sharp.postfiltered(torch.from_numpy(mels[0])), postfilter(mels[0], 1.4))


def test_a_changed_graph_is_refused(voice_dir, tmp_path):
    path = _copy(voice_dir, tmp_path)
    with open(path / "decoder_step.onnx", "ab") as f:
        f.write(b"\0")
    with pytest.raises(TTSError, match=r"decoder_step\.onnx does not match its sha256"):
        load_voice(path, engine="onnx")
    shutil.copy(voice_dir / "decoder_step.onnx", path / "decoder_step.onnx")
    load_voice(path, engine="onnx")  # restored: loads again
    (path / "vocoder.onnx").unlink()
    with pytest.raises(TTSError, match="vocoder.onnx is missing"):
        load_voice(path, engine="onnx")


def test_a_swapped_graph_with_its_sha256_updated_is_refused(voice_dir, tmp_path):
    from tts.voice_manifest import read_voice_manifest, sha256_file

    path = _copy(voice_dir, tmp_path)
    shutil.copy(voice_dir / "postnet.onnx", path / "decoder_step.onnx")
    manifest = read_voice_manifest(path)
    sha = dict(manifest.sha256, **{"decoder_step.onnx": sha256_file(path / "decoder_step.onnx")})
    write_voice_manifest(path, dataclasses.replace(manifest, sha256=sha))
    with pytest.raises(TTSError, match=r"decoder_step\.onnx: is the postnet graph, not the decoder_step graph"):
        load_voice(path, engine="onnx")


def test_a_reordered_symbol_table_in_voice_json_is_refused(voice_dir, tmp_path):
    path = _copy(voice_dir, tmp_path)
    manifest = json.loads((path / "voice.json").read_text())
    manifest["symbols"][11], manifest["symbols"][12] = manifest["symbols"][12], manifest["symbols"][11]
    (path / "voice.json").write_text(json.dumps(manifest))
    with pytest.raises(TTSError, match="voice.json's symbols do not match what the acoustic model was trained with"):
        load_voice(path, engine="onnx")


def test_a_torch_voice_or_a_foreign_manifest_is_refused(voice_dir, tmp_path):
    path = _copy(voice_dir, tmp_path)
    values = json.loads((path / "voice.json").read_text())
    (path / "voice.json").write_text(json.dumps({**values, "engine": "torch"}))
    with pytest.raises(TTSError, match="is a torch bundle, not onnx"):
        load_voice(path, engine="onnx")
    (path / "voice.json").write_text(json.dumps({**values, "symbols": values["symbols"][:-2]}))
    with pytest.raises(TTSError, match="symbols"):
        load_voice(path, engine="onnx")


BLOCKER = WITHOUT_TORCH_PREAMBLE + textwrap.dedent("""
    from tts.voice import load_voice

    voice = load_voice(sys.argv[1], threads=1, engine="onnx")
    path = voice.synthesize_to_file("namaste, aap kaise ho? bahut achha.", sys.argv[2], seed=0)
    import soundfile
    audio, rate = soundfile.read(str(path))
    measured = load_voice(sys.argv[3], threads=1, engine="onnx")  # its voice.json's scores favour Griffin-Lim
    assert measured.vocoder_kind == "griffinlim", measured.vocoder_kind
    spoken, _ = measured.synthesize("namaste, aap kaise ho?", seed=0)
    assert spoken.size > 0 and abs(spoken).max() > 0
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "acoustic", "vocoder"))
    assert not loaded, loaded
    print("ok", rate, len(audio))
""")


def test_runtime_never_imports_torch(voice_dir, tmp_path):
    wav = tmp_path / "out.wav"
    measured = _griffin_lim_voice(voice_dir, tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", BLOCKER, str(voice_dir), str(wav), str(measured)],
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["ok", "22050"]
    audio, rate = soundfile.read(wav)
    assert rate == 22050 and len(audio) > 0


CLI_WITHOUT_TORCH = WITHOUT_TORCH_PREAMBLE + textwrap.dedent("""
    from tts.cli import main

    code = main(["synth", "namaste, aap kaise ho?", "--voice", sys.argv[1], "--engine", "onnx", "-o", sys.argv[2],
                 "--seed", "0"])
    assert code == 0, code
    code = main(["synth", "namaste", "--voice", sys.argv[1], "--vocoder", "griffinlim", "-o", sys.argv[3]])
    assert code == 0, code
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "acoustic", "vocoder"))
    assert not loaded, loaded
    assert main(["train", "acoustic", "--data", "x", "--out", "y"]) == 2
    print("ok")
""")


def test_tts_synth_engine_onnx_runs_where_torch_is_not_installed(voice_dir, tmp_path):
    wav, griffin_lim_wav = tmp_path / "cli.wav", tmp_path / "cli-griffinlim.wav"
    result = subprocess.run(
        [sys.executable, "-c", CLI_WITHOUT_TORCH, str(voice_dir), str(wav), str(griffin_lim_wav)],
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        cwd=tmp_path,
    )
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stderr
    assert "`tts train` needs PyTorch" in result.stderr
    assert "INFO tts.voice: voice 'tiny' vocodes with waveglow: the bundle's own vocoder" in result.stderr
    assert "INFO tts.voice: voice 'tiny' vocodes with griffinlim: asked for" in result.stderr
    for path in (wav, griffin_lim_wav):
        audio, rate = soundfile.read(path)
        assert rate == 22050 and len(audio) > 0
