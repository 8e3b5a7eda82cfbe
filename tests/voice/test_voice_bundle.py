"""Voice bundles: export, voice.json, checksums, lookup by name / language / path / archive."""

from __future__ import annotations

import json
import shutil
import tarfile

import numpy as np
import pytest
import torch

import text
import tts
from base.errors import TTSError
from tts.bundle import export_voice
from tts.voice import Voice, load_voice
from tts.voice_manifest import list_voices, read_voice_manifest, sha256_file


def test_export_writes_a_complete_manifest(voice_dir, voice_checkpoints):
    manifest = read_voice_manifest(voice_dir)
    assert manifest.name == "testvoice"
    # Trained on hinglish; its table also holds every Hindi and English symbol.
    assert manifest.languages == ["hinglish", "hi", "en"]
    assert manifest.symbols == list(text.symbols("hinglish"))
    assert manifest.speakers == ["spk_a", "spk_b"] and manifest.language_table == ["hinglish"]
    assert manifest.sample_rate == 22050 and manifest.mel_config["hop_length"] == 256
    assert set(manifest.files.values()) == {"acoustic.pt", "vocoder.pt"}
    for name, digest in manifest.sha256.items():
        assert sha256_file(voice_dir / name) == digest
    assert manifest.training["commands"] == ["made by conftest"]
    assert manifest.training["acoustic_step"] == 123
    assert manifest.acoustic_config["n_frames_per_step"] == 3
    assert manifest.vocoder_config["n_group"] == 8


def test_weights_are_stored_in_fp16_and_loaded_as_fp32(voice_dir, voice_checkpoints):
    stored = torch.load(voice_dir / "acoustic.pt", weights_only=True)
    assert all(t.dtype == torch.float16 for t in stored["state_dict"].values() if t.is_floating_point())
    assert (voice_dir / "vocoder.pt").stat().st_size < 0.6 * voice_checkpoints[1].stat().st_size
    voice = load_voice(voice_dir)
    assert isinstance(voice, Voice)
    assert all(p.dtype == torch.float32 for p in voice.acoustic.model.parameters())
    assert voice.acoustic.model.config.prenet_dropout == 0.0  # deterministic synthesis


def test_synthesize_and_stream_give_the_same_audio(voice_dir):
    voice = load_voice(voice_dir)
    audio, rate = voice.synthesize("namaste, how are you. main theek hoon!", seed=3)
    assert rate == 22050 and audio.dtype == np.float32 and audio.ndim == 1
    assert np.abs(audio).max() <= 1.0 and np.abs(audio).max() > 0
    pieces = list(voice.stream("namaste, how are you. main theek hoon!", seed=3))
    assert len(pieces) >= 3  # sentence, pause, sentence
    np.testing.assert_array_equal(np.concatenate(pieces), audio)
    # Two sentences, so a 0.25 s pause in between.
    assert any(p.size == int(0.25 * rate) and not p.any() for p in pieces)


def test_the_parts_work_on_their_own(voice_dir):
    voice = load_voice(voice_dir)
    ids = voice.text_processor("namaste")
    assert ids == [voice.manifest.symbols.index(ch) for ch in text.normalize("namaste", "hinglish")]
    ((mel, stopped),) = voice.mel([voice.text_processor.normalize("namaste")])
    assert mel.shape[0] == 80 and mel.shape[1] > 0 and isinstance(stopped, bool)
    audio = voice.vocode(mel, seed=0)
    assert audio.shape == (mel.shape[1] * 256,)


def test_batched_decoding_equals_one_by_one(voice_dir):
    voice = load_voice(voice_dir)
    texts = [voice.text_processor.normalize(t) for t in ("namaste", "how are you", "main ghar ja raha hoon")]
    batched = voice.mel(texts)
    for t, (mel, _) in zip(texts, batched):
        ((alone, _),) = voice.mel([t])
        torch.testing.assert_close(mel, alone, atol=1e-4, rtol=1e-4)


def test_speakers_and_languages_are_checked(voice_dir):
    voice = load_voice(voice_dir)
    assert voice.speaker_id("spk_b") == 1 and voice.speaker_id(1) == 1
    with pytest.raises(TTSError, match="out of range"):
        voice.speaker_id(5)
    with pytest.raises(TTSError, match="no speaker 'nobody'"):
        voice.speaker_id("nobody")
    with pytest.raises(TTSError, match="not 'bengali'"):
        voice.synthesize("ami", language="bengali")
    a, _ = voice.synthesize("namaste", speaker=0, seed=1)
    b, _ = voice.synthesize("namaste", speaker=1, seed=1)
    assert not np.array_equal(a, b)


def test_a_changed_file_is_refused_by_its_checksum(voice_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(voice_dir, copy)
    with open(copy / "vocoder.pt", "r+b") as f:
        f.seek(200)
        byte = f.read(1)
        f.seek(200)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(TTSError, match=r"vocoder\.pt does not match its sha256"):
        load_voice(copy)
    (copy / "vocoder.pt").unlink()
    with pytest.raises(TTSError, match=r"vocoder\.pt is missing"):
        load_voice(copy)


def test_a_symbol_table_that_does_not_fit_the_model_is_refused(voice_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(voice_dir, copy)
    manifest = json.loads((copy / "voice.json").read_text())
    manifest["symbols"] = manifest["symbols"][:-3]
    (copy / "voice.json").write_text(json.dumps(manifest))
    with pytest.raises(TTSError, match="lists 112 symbols but the acoustic model was trained with 115"):
        load_voice(copy)


@pytest.mark.parametrize(
    "field, change, message",
    [
        ("symbols", lambda s: s[:11] + [s[12], s[11]] + s[13:], r"symbols do not match .*\(position 11: "),
        ("text_input", lambda s: "phonemes", r"text_input do not match .*'phonemes' in voice.json, 'characters'"),
        ("speakers", lambda s: list(reversed(s)), r"speakers do not match .*position 0"),
    ],
)
def test_a_reordered_table_in_voice_json_is_refused(voice_dir, tmp_path, field, change, message):
    """voice.json has no sha256 of its own; the model file has one and records what it was trained
    with, so a table of the right size in another order is caught too."""
    copy = tmp_path / "copy"
    shutil.copytree(voice_dir, copy)
    manifest = json.loads((copy / "voice.json").read_text())
    assert len(manifest["speakers"]) >= 2  # the fixture voice has named speakers to swap
    manifest[field] = change(manifest[field])
    (copy / "voice.json").write_text(json.dumps(manifest))
    with pytest.raises(TTSError, match=message):
        load_voice(copy)


def test_voices_are_found_by_name_language_and_archive(user_voices, voice_dir, tmp_path, monkeypatch):
    names = {e.manifest.name: e for e in list_voices()}
    assert names["testvoice"].origin == "user"
    assert tts.load_voice("testvoice").path == voice_dir
    assert tts.load_voice("hindi").path == voice_dir  # the voice that speaks hi
    with pytest.raises(TTSError, match="no voice named 'nope'.*testvoice"):
        tts.load_voice("nope")
    with pytest.raises(TTSError, match="no voice speaks bn here.*recipes/bengali/run.sh"):
        tts.load_voice("bengali")
    archive = tmp_path / "testvoice.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        tf.add(voice_dir, arcname="testvoice")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    voice = tts.load_voice(archive)
    assert voice.name == "testvoice" and (tmp_path / "cache").is_dir()
    assert tts.load_voice(archive).path == voice.path  # unpacked once


def test_nvidia_checkpoints_are_exported_with_the_language_given(tmp_path, voice_checkpoints, make_tacotron2, waveglow):
    model = make_tacotron2(len(text.symbols("hi")))
    torch.save({"state_dict": model.state_dict(), "iteration": 10}, tmp_path / "nvidia.pt")
    torch.save(waveglow.state_dict(), tmp_path / "waveglow_state_dict.pt")  # a bare WaveGlow state dict
    out = export_voice(
        tmp_path / "nvidia.pt", tmp_path / "waveglow_state_dict.pt", tmp_path / "hindi_voice", languages=["hindi"]
    )
    manifest = read_voice_manifest(out)
    assert manifest.languages == ["hi"] and manifest.symbols == list(text.symbols("hi"))
    assert manifest.vocoder_config["n_flows"] == waveglow.config.n_flows
    assert load_voice(out).synthesize("नमस्ते")[0].size > 0
    with pytest.raises(TTSError, match="pass --lang"):
        export_voice(tmp_path / "nvidia.pt", voice_checkpoints[1], tmp_path / "x")
    with pytest.raises(TTSError, match="has 88 symbols but the en table has 36"):
        export_voice(tmp_path / "nvidia.pt", voice_checkpoints[1], tmp_path / "y", languages=["en"])


def test_a_voice_cannot_claim_a_language_its_symbols_lack(voice_checkpoints, tmp_path):
    with pytest.raises(TTSError, match="cannot speak bn"):
        export_voice(*voice_checkpoints, tmp_path / "v", languages=["hinglish", "bn"])


def test_two_user_voices_of_one_name_warn(user_voices, voice_dir, tmp_path, monkeypatch, caplog):
    other_root = tmp_path / "more-voices"
    shutil.copytree(voice_dir, other_root / "copy")
    monkeypatch.setenv("TTS_VOICES", f"{user_voices}:{other_root}")
    entries = [e for e in list_voices() if e.manifest.name == "testvoice"]
    assert [e.path for e in entries] == [voice_dir]  # the first root's wins
    assert f"is hidden by the voice of the same name at {voice_dir}" in caplog.text
    assert str(other_root / "copy") in caplog.text
