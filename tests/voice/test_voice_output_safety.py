"""Output files are complete or absent: concurrent writers on one path, default names, and
non-finite audio; sigma and denoise are refused when they are not finite numbers in range."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
import soundfile

from base.errors import TTSError
from tts.commands.synth import _write_streaming
from tts.vocoding import check_sigma_denoise
from tts.voice import load_voice

RATE = 22050


def _pieces(value: float, n: int = 3, between=None):
    """``n`` pieces of 0.1 s of ``value`` (a 1e-5 ramp on it: constant audio is refused);
    ``between()`` runs after the first (another writer)."""
    for k in range(n):
        yield np.float32(value) + np.linspace(0, 1e-5, RATE // 10, dtype=np.float32)
        if k == 0 and between is not None:
            between()


def _read(path):
    audio, rate = soundfile.read(str(path), dtype="float32")
    assert rate == RATE
    return audio


def _no_temp_files(folder):
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_a_second_writer_on_a_new_path_wins_and_the_first_says_so(tmp_path):
    out = tmp_path / "same.wav"

    def other_writer():
        assert _write_streaming(out, _pieces(0.5, 1), RATE, "WAV", "PCM_16") == (out, 0.1)

    with pytest.raises(TTSError, match="another process wrote this file.*this audio was not saved"):
        _write_streaming(out, _pieces(-0.25, between=other_writer), RATE, "WAV", "PCM_16")
    audio = _read(out)  # the other writer's file, whole: no hole, no tail of ours
    assert len(audio) == RATE // 10 and np.allclose(audio, 0.5, atol=1e-4)
    _no_temp_files(tmp_path)


def test_an_existing_file_rewritten_meanwhile_is_not_replaced(tmp_path):
    out = tmp_path / "same.wav"
    soundfile.write(str(out), np.zeros(100, dtype=np.float32), RATE)

    def other_writer():
        _write_streaming(out, _pieces(0.5, 2), RATE, "WAV", "PCM_16")

    with pytest.raises(TTSError, match="another process rewrote this file"):
        _write_streaming(out, _pieces(-0.25, between=other_writer), RATE, "WAV", "PCM_16")
    assert len(_read(out)) == 2 * RATE // 10
    # Alone, a writer replaces the file as before.
    assert _write_streaming(out, _pieces(-0.25), RATE, "WAV", "PCM_16")[0] == out
    assert np.allclose(_read(out), -0.25, atol=1e-4)
    _no_temp_files(tmp_path)


def test_default_names_step_aside_instead_of_colliding(tmp_path):
    out = tmp_path / "tts_namaste.wav"
    written = []

    def other_writer():
        written.append(_write_streaming(out, _pieces(0.5, 1), RATE, "WAV", "PCM_16", numbered=True)[0])

    path, seconds = _write_streaming(out, _pieces(-0.25, between=other_writer), RATE, "WAV", "PCM_16", numbered=True)
    assert written == [out] and path == tmp_path / "tts_namaste_2.wav" and seconds == pytest.approx(0.3)
    assert np.allclose(_read(out), 0.5, atol=1e-4) and np.allclose(_read(path), -0.25, atol=1e-4)
    # A numbered name never replaces an existing file: the next free one is taken.
    assert (
        _write_streaming(out, _pieces(0.1, 1), RATE, "WAV", "PCM_16", numbered=True)[0]
        == tmp_path / "tts_namaste_3.wav"
    )
    _no_temp_files(tmp_path)


def test_the_output_keeps_the_users_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        path, _ = _write_streaming(tmp_path / "x.wav", _pieces(0.1, 1), RATE, "WAV", "PCM_16")
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644


def test_non_finite_audio_is_never_written(tmp_path):
    def pieces():
        yield np.zeros(100, dtype=np.float32)
        yield np.array([0.0, math.nan], dtype=np.float32)

    with pytest.raises(TTSError, match="non-finite samples; nothing was written"):
        _write_streaming(tmp_path / "x.wav", pieces(), RATE, "WAV", "PCM_16")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "sigma, denoise, message",
    [
        (math.nan, 0.0, "sigma must be a finite number, got nan"),
        (math.inf, 0.0, "sigma must be a finite number, got inf"),
        (-0.1, 0.0, "sigma must be >= 0"),
        ("0.6", 0.0, "sigma must be a finite number"),
        (0.6, math.nan, "denoise must be a finite number"),
        (0.6, 5, "denoise must be between 0 and 1"),
    ],
)
def test_sigma_and_denoise_must_be_finite_and_in_range(sigma, denoise, message):
    with pytest.raises(TTSError, match=message):
        check_sigma_denoise(sigma, denoise)


def test_a_huge_sigma_is_warned_about(caplog):
    check_sigma_denoise(1e6, 0.0, prefix="--")
    assert "--sigma 1e+06 is far above the 0.5-1.0" in caplog.text


def test_the_python_api_refuses_them_too(voice_dir):
    voice = load_voice(voice_dir, vocoder_kind="waveglow")
    with pytest.raises(TTSError, match="sigma must be a finite number, got nan"):
        voice.synthesize("namaste", sigma=math.nan)
    with pytest.raises(TTSError, match="denoise must be between 0 and 1"):
        voice.synthesize("namaste", denoise=5)
    with pytest.raises(TTSError, match="mel must be a numpy array or torch tensor"):
        voice.vocode([[0.0] * 10] * 80)
    with pytest.raises(TTSError, match=r"mel must be \[80, frames\], got \(40, 10\)"):
        voice.vocode(np.zeros((40, 10), dtype=np.float32))
    with pytest.raises(TTSError, match="the text must be a string, got int 123"):
        voice.synthesize(123)
    with pytest.raises(TTSError, match="batch_size must be an integer >= 1, got 0"):
        voice.synthesize("namaste", batch_size=0)


def test_default_names_keep_the_vowel_signs():
    from tts.commands.synth import default_output

    assert default_output("मैं office जा रहा हूँ").name == "tts_मैं_office_जा_रहा.wav"
    assert default_output("আমি ভালো আছি!").name == "tts_আমি_ভালো_আছি.wav"
    assert default_output("namaste, how are you").name == "tts_namaste_how_are_you.wav"
    assert default_output("... !!").name == "tts_speech.wav"


class _Pipe:
    """A write-only, non-seekable stream, as stdout is when piped."""

    def __init__(self):
        self.data = bytearray()

    def write(self, b):
        self.data += b

    def flush(self):
        pass

    def seekable(self):
        return False


def test_stdout_wav_is_streamed_and_readable_from_a_pipe_or_a_file():
    import io
    import struct

    from tts.commands.synth import write_wav_stream

    pipe = _Pipe()
    assert write_wav_stream(pipe, _pieces(0.5), RATE) == pytest.approx(0.3)
    assert struct.unpack("<I", bytes(pipe.data[40:44]))[0] == 0xFFFFFFFF  # length unknown while streaming
    audio, rate = soundfile.read(io.BytesIO(bytes(pipe.data)), dtype="float32")
    assert rate == RATE and len(audio) == 3 * RATE // 10 and np.allclose(audio, 0.5, atol=1e-4)

    file = io.BytesIO(b"before")  # a seekable output gets its sizes filled in
    file.seek(6)
    write_wav_stream(file, _pieces(-0.25, 2), RATE)
    data = file.getvalue()[6:]
    assert struct.unpack("<I", data[4:8])[0] == 36 + 2 * len(audio) * 2 // 3
    assert struct.unpack("<I", data[40:44])[0] == 2 * (2 * RATE // 10)
    assert np.allclose(soundfile.read(io.BytesIO(data), dtype="float32")[0], -0.25, atol=1e-4)

    def poisoned():
        yield np.zeros(10, dtype=np.float32)
        yield np.array([math.nan], dtype=np.float32)

    pipe = _Pipe()
    with pytest.raises(TTSError, match="non-finite samples; the stream was cut before them"):
        write_wav_stream(pipe, poisoned(), RATE)
    assert len(pipe.data) == 44 + 20


def test_constant_audio_is_never_written(tmp_path):
    constant = (np.full(RATE // 10, -1.0, dtype=np.float32) for _ in range(2))
    with pytest.raises(TTSError, match="4410 samples all equal to -1, not speech"):
        _write_streaming(tmp_path / "x.wav", constant, RATE, "WAV", "PCM_16")
    assert list(tmp_path.iterdir()) == []
