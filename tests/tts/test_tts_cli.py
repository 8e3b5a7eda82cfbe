"""The first CLI commands, run in-process through ``tts.cli.main`` and as a real subprocess."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import soundfile
import torch

import vocoder
from base.audio import MelConfig, mel_spectrogram
from tts.cli import main
from vocoder import WaveGlow, WaveGlowConfig

SMALL = WaveGlowConfig(n_flows=4, n_group=8, n_early_every=2, n_early_size=2, n_layers=2, n_channels=8)


@pytest.fixture
def wav(tmp_path):
    t = np.arange(11025) / 22050
    path = tmp_path / "in.wav"
    soundfile.write(path, 0.4 * np.sin(2 * np.pi * 300 * t), 22050, subtype="PCM_16")
    return path


@pytest.fixture
def checkpoint(tmp_path):
    torch.manual_seed(0)
    return vocoder.save_checkpoint(WaveGlow(SMALL), tmp_path / "wg.pt")


def test_mel_command_writes_the_shared_mel(tmp_path, wav):
    assert main(["mel", str(wav), "-o", str(tmp_path / "m.npy")]) == 0
    mel = np.load(tmp_path / "m.npy")
    assert mel.shape == (80, 11025 // 256 + 1)
    audio = torch.from_numpy(soundfile.read(wav, dtype="float32")[0])
    assert np.allclose(mel, mel_spectrogram(audio, MelConfig()).numpy(), atol=1e-6)
    assert main(["mel", str(wav), "-o", str(tmp_path / "m.pt")]) == 0
    assert torch.load(tmp_path / "m.pt", weights_only=True).shape == (80, 44)


def test_vocode_command_is_reproducible_with_seed(tmp_path, checkpoint):
    np.save(tmp_path / "m.npy", np.random.default_rng(0).standard_normal((80, 10)).astype(np.float32))
    for name in ("a.wav", "b.wav"):
        code = main(
            [
                "vocode",
                str(tmp_path / "m.npy"),
                "-o",
                str(tmp_path / name),
                "--checkpoint",
                str(checkpoint),
                "--seed",
                "3",
            ]
        )
        assert code == 0
    a, rate = soundfile.read(tmp_path / "a.wav")
    b, _ = soundfile.read(tmp_path / "b.wav")
    assert rate == 22050 and a.shape == (10 * 256,)
    assert np.array_equal(a, b) and np.abs(a).max() > 0
    code = main(
        [
            "vocode",
            str(tmp_path / "m.npy"),
            "-o",
            str(tmp_path / "d.wav"),
            "--checkpoint",
            str(checkpoint),
            "--seed",
            "3",
            "--denoise",
            "0.1",
            "--sigma",
            "0.5",
        ]
    )
    assert code == 0 and soundfile.info(tmp_path / "d.wav").frames == 2560


def test_vocode_command_clear_errors(tmp_path, checkpoint, capsys):
    mel = tmp_path / "m.npy"
    np.save(mel, np.zeros((80, 10), dtype=np.float32))
    out = str(tmp_path / "o.wav")

    assert main(["vocode", str(tmp_path / "nope.npy"), "-o", out, "--checkpoint", str(checkpoint)]) == 2
    assert "nope.npy: no such mel file" in capsys.readouterr().err

    np.save(tmp_path / "wrong.npy", np.zeros((40, 10), dtype=np.float32))
    assert main(["vocode", str(tmp_path / "wrong.npy"), "-o", out, "--checkpoint", str(checkpoint)]) == 2
    assert "has 40 mel channels but the vocoder expects 80" in capsys.readouterr().err

    np.save(tmp_path / "3d.npy", np.zeros((2, 80, 10), dtype=np.float32))
    assert main(["vocode", str(tmp_path / "3d.npy"), "-o", out, "--checkpoint", str(checkpoint)]) == 2
    assert "shape [n_mels, frames], got (2, 80, 10)" in capsys.readouterr().err

    assert main(["vocode", str(mel), "-o", out, "--checkpoint", str(tmp_path / "missing.pt")]) == 2
    assert "no such checkpoint" in capsys.readouterr().err

    torch.save({"something": torch.zeros(2)}, tmp_path / "other.pt")
    assert main(["vocode", str(mel), "-o", out, "--checkpoint", str(tmp_path / "other.pt")]) == 2
    assert "unknown kind of checkpoint" in capsys.readouterr().err


def test_mel_command_clear_errors(tmp_path, capsys):
    assert main(["mel", str(tmp_path / "none.wav"), "-o", str(tmp_path / "m.npy")]) == 2
    assert "none.wav: no such audio file" in capsys.readouterr().err
    (tmp_path / "bad.wav").write_bytes(b"not a wav")
    assert main(["mel", str(tmp_path / "bad.wav"), "-o", str(tmp_path / "m.npy")]) == 2
    assert "bad.wav: cannot read audio" in capsys.readouterr().err


def test_console_script_runs_as_a_real_process(tmp_path, wav):
    result = subprocess.run(
        [sys.executable, "-m", "tts.cli", "mel", str(wav), "-o", str(tmp_path / "m.npy")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert np.load(tmp_path / "m.npy").shape == (80, 44)
    result = subprocess.run(
        [sys.executable, "-m", "tts.cli", "mel", str(tmp_path / "missing.wav"), "-o", str(tmp_path / "x.npy")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "missing.wav: no such audio file" in result.stderr


class _Thing:
    """A Python object in a .pt file: what a weights-only load refuses."""


def test_vocode_command_refuses_bad_options_in_one_line(tmp_path, checkpoint, capsys):
    mel = tmp_path / "m.npy"
    np.save(mel, np.zeros((80, 10), dtype=np.float32))
    base = ["vocode", str(mel), "--checkpoint", str(checkpoint)]
    cases = [
        (["-o", str(tmp_path / "x.mp3")], "must be a .wav file"),
        (["-o", str(tmp_path / "x.wav"), "--sigma", "-1"], "--sigma must be >= 0"),
        (["-o", str(tmp_path / "x.wav"), "--denoise", "5"], "--denoise must be between 0 and 1"),
        (["-o", str(tmp_path / "x.wav"), "--sigma", "nan"], "--sigma must be a finite number, got nan"),
        (["-o", str(tmp_path / "x.wav"), "--sigma", "inf"], "--sigma must be a finite number, got inf"),
        (["-o", str(tmp_path)], "must be a .wav file"),
    ]
    if not torch.cuda.is_available():
        cases.append((["-o", str(tmp_path / "x.wav"), "--device", "cuda"], "no CUDA GPU"))
    for extra, message in cases:
        assert main(base + extra) == 2, extra
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err and err.count("\n") == 1, err
    np.save(tmp_path / "objects.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    assert (
        main(["vocode", str(tmp_path / "objects.npy"), "-o", str(tmp_path / "x.wav"), "--checkpoint", str(checkpoint)])
        == 2
    )
    err = capsys.readouterr().err
    assert "holds Python objects, not numbers" in err and "allow_pickle" not in err and err.count("\n") == 1
    torch.save({"evil": _Thing()}, tmp_path / "objects.pt")
    assert (
        main(["vocode", str(tmp_path / "objects.pt"), "-o", str(tmp_path / "x.wav"), "--checkpoint", str(checkpoint)])
        == 2
    )
    err = capsys.readouterr().err
    assert "weights-only load refuses" in err and "weights_only" not in err and err.count("\n") == 1
    np.save(tmp_path / "empty.npy", np.zeros((80, 0), dtype=np.float32))
    assert (
        main(["vocode", str(tmp_path / "empty.npy"), "-o", str(tmp_path / "x.wav"), "--checkpoint", str(checkpoint)])
        == 2
    )
    assert "mel has no frames" in capsys.readouterr().err
    (tmp_path / "taken.wav").mkdir()
    assert main(base + ["-o", str(tmp_path / "taken.wav")]) == 2
    assert "cannot write audio" in capsys.readouterr().err
    assert not list(tmp_path.glob(".taken.wav.tmp"))  # nothing left behind


@pytest.mark.parametrize("option", ["--batch-size", "--sigma", "--seed"])
def test_a_double_dash_given_as_a_value_is_a_one_line_usage_error(option, capsys):
    """Python 3.11's argparse turns ``--opt=--`` into an empty list; the CLI refuses it instead."""
    with pytest.raises(SystemExit) as exit_info:
        main(["synth", "namaste", "-l", "hinglish", f"{option}=--"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"argument {option}: expected one argument, got '--'" in err[0]
