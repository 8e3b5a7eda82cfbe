"""`tts prepare` on a small manifest corpus with every kind of bad clip, twice."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile

from base.errors import TTSError
from tts.cli import main
from tts.prepare import PrepareConfig, prepare_corpus
from tts.training.data import read_split

RATE = 16000  # the corpus is not at 22050 Hz: prepare resamples


def _voiced(seconds: float, f0: float = 140.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return sum(0.25 / k * np.sin(2 * np.pi * k * f0 * t) for k in range(1, 5))


def _with_silence(clip: np.ndarray, lead: float, tail: float) -> np.ndarray:
    return np.concatenate([np.zeros(int(lead * RATE)), clip, np.zeros(int(tail * RATE))])


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    (root / "wavs").mkdir(parents=True)
    rows = []
    for i in range(6):
        name = f"good{i}"
        soundfile.write(root / "wavs" / f"{name}.wav", _with_silence(_voiced(0.8), 0.5, 0.7), RATE)
        rows.append((f"wavs/{name}.wav", f"I have {i + 2} cats", "anita"))
    soundfile.write(root / "wavs" / "silent.wav", np.zeros(RATE), RATE)
    rows.append(("wavs/silent.wav", "nothing here", "anita"))
    soundfile.write(root / "wavs" / "short.wav", _voiced(0.1), RATE)
    rows.append(("wavs/short.wav", "hi", "ravi"))
    soundfile.write(root / "wavs" / "clipped.wav", np.clip(4 * _voiced(1.0), -1, 1), RATE)
    rows.append(("wavs/clipped.wav", "too loud", "ravi"))
    soundfile.write(root / "wavs" / "mute_text.wav", _voiced(1.0), RATE)
    rows.append(("wavs/mute_text.wav", "   ...   ", "ravi"))
    rows.append(("wavs/missing.wav", "this file does not exist", "ravi"))
    (root / "broken.wav").write_bytes(b"RIFF....WAVEjunk")
    rows.append(("broken.wav", "a broken file", "ravi"))
    lines = ["path\ttext\tspeaker"] + ["\t".join(r) for r in rows]
    (root / "manifest.tsv").write_text("\n".join(lines) + "\n")
    return root / "manifest.tsv"


def test_prepare_keeps_good_clips_trimmed_and_reports_the_rest(tmp_path, corpus):
    out = tmp_path / "prepared"
    report = prepare_corpus("manifest", corpus, "en", out, PrepareConfig(val_fraction=0.2), workers=2)
    assert report["kept"] == 6 and report["train"] + report["val"] == 6 and report["val"] >= 1
    dropped = report["dropped"]
    assert dropped["audio: silent"] == 1
    assert dropped["audio: too short"] == 1
    assert dropped["audio: clipped"] == 1
    assert sum(v for k, v in dropped.items() if k.startswith("audio: ")) >= 4  # + the broken file
    assert any(k.startswith("text:") for k in dropped)
    assert any(k.startswith("corpus:") for k in dropped)  # the missing wav, reported by the reader
    # Every clip dropped for its audio or text is named, with its file and the reason.
    files = {row["utt_id"]: row for row in report["dropped_files"]}
    assert files["silent"]["reason"] == "audio: silent" and files["silent"]["audio"].endswith("wavs/silent.wav")
    assert files["short"]["reason"] == "audio: too short" and 0 < files["short"]["seconds"] < 0.2
    assert files["clipped"]["reason"] == "audio: clipped" and files["mute_text"]["reason"].startswith("text:")
    assert len(files) == sum(v for k, v in dropped.items() if not k.startswith("corpus:"))
    items = read_split(out, "train") + read_split(out, "val")
    assert {i.speaker for i in items} == {"anita"}
    for item in items:
        audio, rate = soundfile.read(item.audio)
        assert rate == 22050
        # 0.8 s of voice + 2 x 0.05 s margin, instead of 2 s with the silences.
        assert 0.85 < len(audio) / rate < 1.0
        mel = np.load(item.mel)
        assert mel.shape == (80, item.n_frames) and item.n_frames == len(audio) // 256 + 1
        assert item.text.startswith("i have ") and item.text.endswith(" cats")
    settings = json.loads((out / "prepare.json").read_text())
    assert settings["language"] == "en" and settings["mel_config"]["sampling_rate"] == 22050
    assert json.loads((out / "report.json").read_text())["kept"] == 6


def test_second_run_skips_finished_work_and_resumes_a_killed_one(tmp_path, corpus):
    out = tmp_path / "prepared"
    prepare_corpus("manifest", corpus, "en", out, workers=1)
    mels = sorted((out / "mels").glob("*.npy"))
    stamps = {p: p.stat().st_mtime_ns for p in mels}
    # Simulate a run killed half-way: manifests not written yet, some mels missing.
    (out / "train.tsv").unlink()
    (out / "val.tsv").unlink()
    mels[0].unlink()
    report = prepare_corpus("manifest", corpus, "en", out, workers=1)
    assert report["kept"] == 6
    assert mels[0].is_file()
    for path in mels[1:]:
        assert path.stat().st_mtime_ns == stamps[path]  # not recomputed


def test_damaged_cached_files_are_prepared_again(tmp_path, corpus, caplog):
    """The recovery `tts train` advises for a truncated mel (re-run prepare) must work."""
    out = tmp_path / "prepared"
    prepare_corpus("manifest", corpus, "en", out, workers=1)
    mels = sorted((out / "mels").glob("*.npy"))
    good = {p: np.load(p) for p in mels}
    mels[0].write_bytes(mels[0].read_bytes()[:200])  # truncated
    np.save(mels[1], good[mels[1]][:, :-3])  # does not fit its wav
    report = prepare_corpus("manifest", corpus, "en", out, workers=1)
    assert report["kept"] == 6
    for path in mels[:2]:
        np.testing.assert_array_equal(np.load(path), good[path])
    assert "cached files are damaged" in caplog.text and "cached mel does not fit its wav" in caplog.text


def test_other_settings_need_force(tmp_path, corpus, monkeypatch):
    out = tmp_path / "prepared"
    prepare_corpus("manifest", corpus, "en", out)
    # The same corpus by a relative path is the same corpus.
    monkeypatch.chdir(corpus.parent.parent)
    assert prepare_corpus("manifest", Path(corpus.parent.name) / corpus.name, "en", out)["kept"] == 6
    with pytest.raises(TTSError, match="prepared with other settings.*prepare_config"):
        prepare_corpus("manifest", corpus, "en", out, PrepareConfig(trim_top_db=30.0))
    assert prepare_corpus("manifest", corpus, "en", out, PrepareConfig(trim_top_db=30.0), force=True)["kept"] == 6


def test_prepare_command(tmp_path, corpus, capsys):
    out = tmp_path / "prepared"
    assert main(["prepare", "manifest", str(corpus), "--lang", "en", "--out", str(out), "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "kept" in printed and "dropped: audio: silent" in printed
    assert "dropped files and why: 'dropped_files' in the report (-v prints them)" in printed
    assert main(["-v", "prepare", "manifest", str(corpus), "--lang", "en", "--out", str(out), "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "dropped silent (" in printed and "wavs/silent.wav): audio: silent" in printed
    assert main(["prepare", "nosuchformat", str(corpus), "--lang", "en", "--out", str(out)]) == 2
    assert "nosuchformat" in capsys.readouterr().err
    assert main(["prepare", "manifest", str(corpus), "--lang", "klingon", "--out", str(tmp_path / "x")]) == 2
    assert "klingon" in capsys.readouterr().err
