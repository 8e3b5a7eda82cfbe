"""A phoneme voice exported to ONNX phonemizes with espeak-ng from the wheel, without torch."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import text
from base.audio import MelConfig
from tts.onnx.export import export_onnx
from tts.testing import WITHOUT_TORCH_PREAMBLE, random_tacotron2, random_waveglow
from tts.voice_manifest import VoiceManifest

pytest.importorskip("onnxruntime")


@pytest.fixture(scope="module")
def phoneme_voice(tmp_path_factory):
    acoustic_model = random_tacotron2("micro", len(text.PHONEME_SYMBOLS), max_frames_per_symbol=1.5)
    vocoder_model = random_waveglow("micro", end_std=0.0)
    manifest = VoiceManifest(
        name="phonemes",
        languages=["hinglish", "hi", "en"],
        symbols=list(text.PHONEME_SYMBOLS),
        text_language="hinglish",
        text_input="phonemes",
        sample_rate=22050,
        mel_config=MelConfig().to_dict(),
        files={},
        sha256={},
    )
    return export_onnx(acoustic_model, vocoder_model, manifest, tmp_path_factory.mktemp("onnx") / "phonemes")


WITHOUT_TORCH = WITHOUT_TORCH_PREAMBLE + textwrap.dedent("""
    from tts.voice import load_voice

    voice = load_voice(sys.argv[1], threads=1, engine="onnx")
    assert voice.text_processor.text_input == "phonemes"
    ids = voice.text_processor("मैं office जा रहा हूँ", "hinglish")
    print("".join(voice.manifest.symbols[i] for i in ids))
    audio, rate = voice.synthesize("namaste, how are you", seed=0)
    assert audio.size > 0 and rate == 22050
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "acoustic", "vocoder"))
    assert not loaded, loaded
    assert "text.espeak" in sys.modules
    print("ok")
""")


def test_an_onnx_phoneme_voice_phonemizes_with_the_wheels_espeak_and_no_torch(phoneme_voice):
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_TORCH, str(phoneme_voice)],
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert result.returncode == 0, result.stderr
    # espeak-ng writes nasal vowels with a combining tilde (U+0303), as the phoneme table has them.
    assert result.stdout.split("\n")[:2] == ["m\u025b\u0303 ˈɒfɪs ɟˈaː ɾˌəhaː hu\u0303", "ok"]
