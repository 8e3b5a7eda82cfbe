"""The hinglish recipe end to end on a small synthetic corpus (the tiny configs), then the finetune
recipe on its output: real espeak-ng, real training, real synthesis, run as users run them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import soundfile
import yaml

import tts

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def run_recipe(name: str, *args: str, launcher: tuple[str, ...] = (sys.executable,)) -> subprocess.CompletedProcess:
    result = subprocess.run([*launcher, str(ROOT / "recipes" / name / "run.sh"), *args], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-4000:]
    return result


def check_report(out: Path, min_stopped_share: float) -> dict:
    report = json.loads((out / "samples" / "report.json").read_text())
    for stage in ("acoustic", "vocoder"):
        ends = report["losses"][stage]
        assert ends["last"] < ends["first"], (stage, ends)
    assert report["sentences"] >= 2
    for sample in report["samples"]:
        audio, rate = soundfile.read(sample["wav"])
        assert rate == 22050
        assert (audio**2).mean() ** 0.5 > 0.01, f"{sample['wav']} is silent"
        ratio = len(audio) / rate / sample["reference_seconds"]
        if sample["stopped_by_gate"]:
            assert 0.4 < ratio < 2.5, (sample, ratio)
    assert report["stopped_by_gate"] >= min_stopped_share * report["sentences"]
    return report


def fast_tiny_acoustic(path: Path) -> Path:
    """The tiny acoustic preset decoding 6 frames a step instead of 3: half the decoder steps
    per utterance, so each training step costs about half, and its attention aligns and its
    gate stops within ~80 steps on this corpus (3 frames: ~200), which keeps the test short."""
    config = yaml.safe_load((ROOT / "tts" / "training" / "presets" / "acoustic" / "tiny.yaml").read_text())
    config["model"]["n_frames_per_step"] = 6
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def test_hinglish_then_finetune_recipes(tmp_path):
    base = tmp_path / "exp" / "hinglish"
    acoustic_config = fast_tiny_acoustic(tmp_path / "acoustic-tiny-r6.yaml")
    common = ["--config", "tiny", "--workers", "2"]
    hinglish = ["--out", str(base), "--data-dir", str(tmp_path / "data" / "hinglish"), "--utterances", "60"]
    hinglish += ["--acoustic-config", str(acoustic_config), "--acoustic-steps", "120", "--vocoder-steps", "60"]
    hinglish += common
    run_recipe("hinglish", *hinglish, "--report-sentences", "1")
    report = check_report(base, min_stopped_share=0.5)
    print("hinglish recipe:", report["losses"], f"{report['stopped_by_gate']}/{report['sentences']} stopped")
    # Stage 5 bundled the voice, with the command that made it.
    voice = tts.load_voice(base / "voice")
    assert voice.manifest.training["commands"] == [
        "python recipes/hinglish/run.sh --utterances 60 --speakers 2 --seed 0 --text-input phonemes "
        f"--acoustic-config {acoustic_config} --acoustic-steps 120 --vocoder-config tiny --vocoder-steps 60"
    ]
    assert voice.manifest.text_input == "phonemes" and voice.text_processor.text_input == "phonemes"
    assert len(voice.manifest.training["mel_mean"]) == 80
    audio, rate = voice.synthesize("namaste, how are you", seed=0)
    assert 0.3 < len(audio) / rate < 5
    # ... and wrote its listening report: a sentence per language, every file it links there.
    listening = json.loads((base / "report" / "report.json").read_text())
    assert listening["voice"] == "hinglish" and set(listening["languages"]) == set(voice.languages)
    assert len(listening["sentences"]) == len(voice.languages) and (base / "report" / "index.html").is_file()
    for sentence in listening["sentences"]:
        for link in [*sentence["audio"].values(), *sentence["pictures"].values()]:
            assert (base / "report" / link).is_file(), link

    # Idempotent: running it again (here under bash) finds every stage done.
    again = run_recipe("hinglish", *hinglish, "--stop-stage", "3", launcher=("bash",))
    assert "already trained (120 steps)" in again.stderr and "already trained (60 steps)" in again.stderr

    tuned = tmp_path / "exp" / "finetune"
    result = run_recipe(
        "finetune",
        "--from-run",
        str(base),
        "--out",
        str(tuned),
        "--data-dir",
        str(tmp_path / "data" / "finetune"),
        "--utterances",
        "30",
        "--acoustic-steps",
        "40",
        "--vocoder-steps",
        "20",
        "--freeze",
        "encoder",
        "--report-sentences",
        "0",
        *common,
    )
    assert "warm start from" in result.stderr
    report = check_report(tuned, min_stopped_share=0.0)
    assert not (tuned / "report").exists()  # --report-sentences 0: none
    print("finetune recipe:", report["losses"], f"{report['stopped_by_gate']}/{report['sentences']} stopped")


def test_recipe_errors_are_one_line(tmp_path):
    hindi = [sys.executable, str(ROOT / "recipes" / "hindi" / "run.sh"), "--out", str(tmp_path / "x")]
    result = subprocess.run(hindi + ["--corpus", "bogus:/x"], capture_output=True, text=True)
    assert result.returncode == 2 and "unknown corpus format 'bogus'" in result.stderr
    assert "Traceback" not in result.stderr
    # A bare path is read in the recipe's own format (indictts for hindi).
    result = subprocess.run(hindi + ["--corpus", str(tmp_path / "IndicTTS")], capture_output=True, text=True)
    assert result.returncode == 2 and "IndicTTS does not exist" in result.stderr
    result = subprocess.run(
        [
            str(ROOT / "recipes" / "finetune" / "run.sh"),
            "--from-run",
            str(tmp_path / "none"),
            "--out",
            str(tmp_path / "ft"),
            "--data-dir",
            str(tmp_path / "d"),
            "--stage",
            "2",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "train the base voice first" in result.stderr


def test_the_recorded_wall_time_leaves_out_pauses_between_resumes(tmp_path):
    from tts.recipes import PAUSE_SECONDS, _wall_seconds

    metrics = tmp_path / "metrics.jsonl"
    times = [1000.0, 1001.5, 1003.0, 1003.0 + PAUSE_SECONDS + 3600.0, 1000.0 + PAUSE_SECONDS + 3605.0]
    metrics.write_text("".join(json.dumps({"step": i, "loss": 1.0, "time": t}) + "\n" for i, t in enumerate(times)))
    assert _wall_seconds(metrics) == 3.0 + 2.0  # two stretches of training, the pause between them left out
    assert _wall_seconds(tmp_path / "none.jsonl") is None
