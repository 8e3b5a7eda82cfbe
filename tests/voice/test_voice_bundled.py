"""The voices bundled with the package speak out of the box, through the real command line."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile

import tts
from tts.voice_manifest import BUNDLED_DIR, read_voice_manifest

BUNDLED = sorted(p.name for p in BUNDLED_DIR.iterdir() if (p / "voice.json").is_file())
TTS = [sys.executable, "-m", "tts.cli"]


def test_the_hinglish_voice_is_bundled_within_the_size_budget():
    assert "hinglish" in BUNDLED
    total = sum(f.stat().st_size for f in BUNDLED_DIR.rglob("*.pt"))
    assert total <= 40e6, f"bundled model files take {total / 1e6:.1f} MB (budget 40 MB)"


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_voices_record_how_they_were_made(name):
    manifest = read_voice_manifest(BUNDLED_DIR / name)
    assert manifest.training["commands"] and all(
        c.startswith(("python recipes/", "tts ")) for c in manifest.training["commands"]
    )
    assert len(manifest.training["mel_mean"]) == manifest.mel_config["n_mel_channels"]
    assert tts.load_voice(name).name == name  # checksums verified on load


def test_tts_synth_speaks_with_the_bundled_hinglish_voice(tmp_path):
    env = {"TTS_VOICES": str(tmp_path / "no-user-voices"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    out = tmp_path / "namaste.wav"
    result = subprocess.run(
        TTS + ["synth", "namaste, how are you", "-l", "hinglish", "-o", str(out), "--seed", "0"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    audio, rate = soundfile.read(str(out))
    seconds = len(audio) / rate
    assert rate == 22050 and 0.8 < seconds < 4.0, seconds  # four words
    # Not silent: speech-level energy over most of it, and clearly voiced somewhere.
    frames = audio[: len(audio) // 256 * 256].reshape(-1, 256)
    rms = np.sqrt((frames**2).mean(axis=1))
    assert rms.max() > 0.02 and (rms > 0.005).mean() > 0.4, (rms.max(), (rms > 0.005).mean())
    assert "hit the decoder step limit" not in result.stderr

    listing = subprocess.run(TTS + ["voices", "--json"], capture_output=True, text=True, env=env)
    rows = {row["name"]: row for row in json.loads(listing.stdout)}
    assert rows["hinglish"]["origin"] == "bundled" and "hinglish" in rows["hinglish"]["languages"]
