"""``tts synth``, ``tts voices`` and ``tts export voice`` end to end, errors included."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import soundfile

from tts.cli import main


def _one_line_error(capsys, code: int, *fragments: str) -> None:
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("tts ") and "Traceback" not in err[0], err
    for fragment in fragments:
        assert fragment in err[0], err[0]


@pytest.mark.parametrize("suffix, fmt", [(".wav", "WAV"), (".flac", "FLAC"), (".ogg", "OGG")])
def test_synth_writes_the_format_of_the_extension(user_voices, tmp_path, suffix, fmt):
    out = tmp_path / f"speech{suffix}"
    assert main(["synth", "namaste, how are you", "-l", "hinglish", "-o", str(out), "--seed", "1"]) == 0
    info = soundfile.info(str(out))
    assert info.format == fmt and info.samplerate == 22050 and info.channels == 1
    assert 0.1 < info.duration < 10
    assert not list(tmp_path.glob(".*.tmp"))  # written through a temporary file, then renamed


def test_synth_without_output_names_a_file_and_prints_it(user_voices, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["synth", "namaste, how are you", "-l", "hi"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == "tts_namaste_how_are_you.wav" and (tmp_path / printed).is_file()
    assert main(["synth", "namaste, how are you", "-l", "hi"]) == 0  # never overwrites
    assert capsys.readouterr().out.strip() == "tts_namaste_how_are_you_2.wav"


def test_synth_to_stdout_is_a_wav(user_voices, capsysbinary):
    assert main(["synth", "namaste", "--voice", "testvoice", "-o", "-", "--seed", "0"]) == 0
    audio, rate = soundfile.read(io.BytesIO(capsysbinary.readouterr().out))
    assert rate == 22050 and audio.size > 0


def test_stdin_and_files_refuse_bad_utf8_alike(user_voices, tmp_path, monkeypatch, capsys):
    bad = b"namaste " + b"\xff\xfe kaise"
    (tmp_path / "bad.txt").write_bytes(bad)
    _one_line_error(
        capsys,
        main(["synth", "--text-file", str(tmp_path / "bad.txt"), "-l", "hinglish", "-o", str(tmp_path / "a.wav")]),
        "bad.txt: not UTF-8 text (byte 8)",
    )

    class Stdin:
        buffer = io.BytesIO(bad)

    monkeypatch.setattr("sys.stdin", Stdin())
    _one_line_error(
        capsys,
        main(["synth", "--text-file", "-", "-l", "hinglish", "-o", str(tmp_path / "b.wav")]),
        "stdin: not UTF-8 text (byte 8)",
    )
    assert not list(tmp_path.glob("*.wav"))


def test_long_text_from_a_file_is_spoken_in_batches(user_voices, tmp_path):
    sentences = [f"vaakya {n} hai." for n in range(1, 8)]
    (tmp_path / "in.txt").write_text(" ".join(sentences), encoding="utf-8")
    out = tmp_path / "long.wav"
    assert (
        main(
            [
                "synth",
                "--text-file",
                str(tmp_path / "in.txt"),
                "-l",
                "hinglish",
                "-o",
                str(out),
                "--batch-size",
                "3",
                "--seed",
                "0",
            ]
        )
        == 0
    )
    audio, rate = soundfile.read(str(out))
    # 7 sentences: 6 pauses of 0.25 s of silence between them.
    silent = np.convolve(np.abs(audio) < 1e-9, np.ones(int(0.2 * rate)), mode="valid") == int(0.2 * rate)
    runs = np.flatnonzero(np.diff(silent.astype(int)) == 1)
    assert len(runs) == 6


def test_griffin_lim_checks_an_acoustic_model_without_its_vocoder(user_voices, tmp_path):
    out = tmp_path / "gl.wav"
    assert main(["synth", "namaste", "-l", "hinglish", "--vocoder", "griffinlim", "-o", str(out)]) == 0
    assert soundfile.info(str(out)).duration > 0.1


@pytest.mark.parametrize(
    "argv, fragments",
    [
        (["synth", "", "-l", "hinglish"], ["the text is empty"]),
        (["synth", "   ", "-l", "hinglish"], ["the text is empty"]),
        (["synth", "hello", "-l", "klingon"], ["unsupported language 'klingon'"]),
        (["synth", "hello", "-l", "bengali"], ["no voice speaks bn", "recipes/bengali/run.sh"]),
        (["synth", "hello", "--voice", "missing"], ["no voice named 'missing'"]),
        (["synth", "hello", "--voice", "/no/such/voice/dir"], ["no voice named"]),
        (["synth", "... !!", "-l", "hinglish", "-o", "x.wav"], ["nothing to speak"]),
        (["synth", "hello", "-l", "hinglish", "-o", "/no/such/dir/x.wav"], ["/no/such/dir", "does not exist"]),
        (["synth", "hello", "-l", "hinglish", "-o", "x.mp3"], ["unknown audio format '.mp3'"]),
        (["synth", "hello", "-l", "hinglish", "--speaker", "9"], ["speaker 9 is out of range"]),
        (["synth", "hello"], ["say which language"]),
        (["synth", "-l", "hinglish"], ["no text"]),
        (["synth", "--text-file", "/no/such/file.txt", "-l", "hinglish"], ["no such file"]),
        (["synth", "hello", "-l", "hinglish", "--sigma", "nan"], ["--sigma must be a finite number, got nan"]),
        (["synth", "hello", "-l", "hinglish", "--denoise", "nan"], ["--denoise must be a finite number"]),
        (["synth", "hello", "-l", "hinglish", "--postfilter", "nan"], ["postfilter must be between 1.0 (off) and 2.0"]),
        (["synth", "hello", "-l", "hinglish", "--postfilter", "0.5"], ["postfilter must be between", "0.5"]),
    ],
)
def test_bad_input_is_one_line_and_exit_2(user_voices, tmp_path, monkeypatch, capsys, argv, fragments):
    monkeypatch.chdir(tmp_path)
    _one_line_error(capsys, main(argv), *fragments)
    assert not list(tmp_path.glob("*.wav"))


def test_an_unwritable_output_is_a_one_line_error(user_voices, tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code = main(["synth", "namaste", "-l", "hinglish", "-o", str(locked / "x.wav")])
    finally:
        locked.chmod(0o700)
    if code == 0:  # running as root, permissions do not apply: /proc takes no new files
        capsys.readouterr()
        code, locked = main(["synth", "namaste", "-l", "hinglish", "-o", "/proc/x.wav"]), "/proc/x.wav"
    _one_line_error(capsys, code, str(locked), "cannot write")


def test_voices_lists_the_user_voice(user_voices, capsys, tmp_path):
    assert main(["voices", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    row = next(r for r in rows if r["name"] == "testvoice")
    assert row["origin"] == "user" and row["languages"] == ["hinglish", "hi", "en"] and row["megabytes"] > 0
    # --json PATH writes the same list to a file, as every other command's --json does.
    out = tmp_path / "voices.json"
    assert main(["voices", "--json", str(out)]) == 0
    assert json.loads(out.read_text()) == rows


def test_export_voice_command(voice_checkpoints, tmp_path, capsys):
    acoustic_ckpt, vocoder_ckpt = voice_checkpoints

    def export(out, *options, acoustic=acoustic_ckpt):
        return main(
            [
                "export",
                "voice",
                "--acoustic",
                str(acoustic),
                "--vocoder",
                str(vocoder_ckpt),
                "--out",
                str(out),
                *options,
            ]
        )

    out = tmp_path / "mine"
    assert export(out, "--name", "mine", "--command", "python recipes/hinglish/run.sh") == 0
    manifest = json.loads((out / "voice.json").read_text())
    assert manifest["name"] == "mine" and manifest["training"]["commands"][0] == "python recipes/hinglish/run.sh"
    assert manifest["postfilter"] == 1.4  # tts.postfilter.DEFAULT
    assert export(tmp_path / "flat", "--postfilter", "1") == 0
    assert json.loads((tmp_path / "flat" / "voice.json").read_text())["postfilter"] == 1.0
    capsys.readouterr()
    # An existing bundle is not replaced without --force.
    _one_line_error(capsys, export(out, "--postfilter", "1.2"), "already holds files", "--force")
    assert json.loads((out / "voice.json").read_text())["postfilter"] == 1.4
    assert export(out, "--postfilter", "1.2", "--force") == 0
    assert json.loads((out / "voice.json").read_text())["postfilter"] == 1.2
    capsys.readouterr()
    _one_line_error(capsys, export(tmp_path / "bad", "--postfilter", "2.5"), "postfilter", "2.5")
    _one_line_error(
        capsys, export(out, acoustic=tmp_path / "nope.pt"), "tts export: error: ", "nope.pt", "no such checkpoint"
    )
