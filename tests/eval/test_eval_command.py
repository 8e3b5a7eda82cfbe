"""``tts eval`` end to end: a real (tiny, random-weight) voice bundle against real espeak-ng references."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile
import torch

import text
import tts.cli
import vocoder
from base.audio import MelConfig, load_wav, mel_spectrogram
from base.errors import TTSError
from tts.bundle import export_voice
from tts.corpora.synthetic import SPEAKER_STYLES, speak
from tts.eval import evaluate_voice
from tts.eval.references import held_out_sentences
from tts.evalsets import unseen_sentences
from tts.griffinlim import ITERATIONS
from tts.testing import random_tacotron2, random_waveglow, save_hinglish_checkpoints
from tts.training.data import PreparedUtterance, write_split
from tts.voice import load_voice

SPEAKERS = ["hi_m3_p45_s160", "hi_f3_p65_s150"]  # names the synthetic corpus gives styles 0 and 1


@pytest.fixture(autouse=True)
def eval_command(monkeypatch):
    """``tts eval`` registered whether or not tts/cli.py lists its module yet."""
    if "evaluate" not in tts.cli.COMMANDS:
        monkeypatch.setattr(tts.cli, "COMMANDS", (*tts.cli.COMMANDS, "evaluate"))


def run_eval(voice, *options: str) -> int:
    """``tts eval --voice VOICE OPTIONS`` through the real command line, without a progress bar."""
    return tts.cli.main(["eval", "--voice", str(voice), *options, "--no-progress"])


def eval_json(voice, capsys, out: Path, *options: str) -> tuple[str, dict]:
    """:func:`run_eval` with ``--workdir`` beside ``out`` and ``--json out``, which must succeed:
    what it printed and the JSON it wrote."""
    assert run_eval(voice, *options, "--workdir", str(out.parent / "work"), "--json", str(out)) == 0
    return capsys.readouterr().out, json.loads(out.read_text(encoding="utf-8"))


def _tiny_models():
    symbols = text.symbols("hinglish")
    tacotron = random_tacotron2("micro", len(symbols), max_decoder_steps=40, n_speakers=2, n_languages=1)
    return symbols, tacotron, random_waveglow("micro")


@pytest.fixture(scope="module")
def real_mel_mean(tmp_path_factory):
    """Mean log-mel frame of a real espeak-ng clip: a plausible training-set mean."""
    path = tmp_path_factory.mktemp("mean") / "clip.wav"
    speak("आज मौसम अच्छा है", "hi", SPEAKER_STYLES[0], path)
    return mel_spectrogram(load_wav(path, 22050), MelConfig()).numpy().mean(1)


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    _, tacotron, waveglow = _tiny_models()
    return save_hinglish_checkpoints(tmp_path_factory.mktemp("ckpt"), tacotron, waveglow, SPEAKERS)


@pytest.fixture(scope="module")
def voice_dir(checkpoints, real_mel_mean, tmp_path_factory):
    """A voice bundle recording its training mean frame, as `tts export voice --data-dir` does."""
    training = {"mel_mean": [round(float(v), 5) for v in real_mel_mean]}
    return export_voice(*checkpoints, tmp_path_factory.mktemp("voices") / "tinyvoice", training=training, half=False)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A training corpus holding the first held-out hinglish sentence, which eval must then skip,
    and the second unseen one, which eval must report as trained on."""
    root = tmp_path_factory.mktemp("corpus")
    for name in ("a.wav", "b.wav"):
        soundfile.write(root / name, np.zeros(22050, np.float32), 22050, subtype="PCM_16")
    first = held_out_sentences("hinglish", 1, set())[0]
    unseen = unseen_sentences("hinglish")[1]
    (root / "manifest.tsv").write_text(
        f"path\ttext\tspeaker\tlanguage\na.wav\t{first}\tspk\thinglish\nb.wav\t{unseen}\tspk\thinglish\n",
        encoding="utf-8",
    )
    return root / "manifest.tsv", first


def test_eval_command_scores_a_voice_on_held_out_sentences(voice_dir, corpus, tmp_path, capsys):
    manifest, trained_sentence = corpus
    out, workdir = tmp_path / "results" / "eval.json", tmp_path / "results" / "work"
    options = [
        "--lang",
        "hinglish",
        "--set",
        "heldout",
        "--sentences",
        "2",
        "--speaker",
        "1",
        "--corpus",
        str(manifest),
    ]
    printed, result = eval_json(voice_dir, capsys, out, *options)
    assert (
        "MCD voice" in printed
        and f"Griffin-Lim ({ITERATIONS} iterations)" in printed
        and "WaveGlow (sigma 0.666)" in printed
    )
    assert not list(out.parent.glob(".*.tmp"))  # written atomically

    scores = result["languages"]["hinglish"]
    assert list(result["languages"]) == ["hinglish"]
    expected = held_out_sentences("hinglish", 2, {trained_sentence})
    assert [item["text"] for item in scores["items"]] == expected
    assert trained_sentence not in expected
    assert scores["sentences"] == 2
    assert scores["stopped_by_gate"] + scores["hit_limit"] == 2
    # An untrained model says nothing like the sentence: no better than the mean frame (measured
    # 11.9 dB against 12.1 dB, a ratio of 0.99; a trained voice scores about 0.7).
    assert 9.5 < scores["mcd_voice"] < 16.0
    assert 8.5 < scores["mcd_baseline"] < 14.0
    assert scores["mcd_ratio"] == pytest.approx(scores["mcd_voice"] / scores["mcd_baseline"], abs=1e-3)
    assert scores["mcd_ratio"] > 0.9
    assert all(item["reference_frames"] > 60 for item in scores["items"])  # real speech, 0.7 s and more

    # Copy synthesis: Griffin-Lim on the reference mels is intelligible, the untrained WaveGlow is not
    # (measured: Griffin-Lim PESQ 3.06, STOI 0.97; WaveGlow 1.20, 0.40).
    vocoders = result["vocoder"]
    assert vocoders["language"] == "hinglish" and vocoders["sentences"] == 2
    assert vocoders["griffinlim"]["scored"] == 2 and vocoders["griffinlim"]["stoi"] > 0.85
    assert vocoders["griffinlim"]["pesq"] > 2.0
    assert vocoders["waveglow"]["scored"] + len(vocoders["waveglow"]["failed"]) == 2
    assert vocoders["waveglow"]["stoi"] is None or vocoders["waveglow"]["stoi"] < 0.6
    assert vocoders["waveglow"]["pesq"] is None or vocoders["waveglow"]["pesq"] < vocoders["griffinlim"]["pesq"] - 1

    settings = result["settings"]
    assert settings["command"].startswith("tts eval --voice ")
    assert settings["set"] == "heldout" and settings["sentences"] == 2 and settings["sentence_seed"] == 1000
    assert settings["speaker"] == 1 and settings["reference"]["style"] == 1  # hi_f3_p65_s150 is style 1
    assert settings["excluded"]["transcripts"] == 2
    assert settings["baseline"]["source"] == "voice.json training.mel_mean"
    assert settings["waveglow"] == {"sigma": 0.666, "seed": 0, "denoise": 0.0}
    assert settings["griffinlim"] == {"n_iter": ITERATIONS, "seed": 0}
    assert settings["postfilter"] == 1.4  # the exported voice's, applied before identification
    # References are cached in the workdir: two espeak-ng wavs of speaker style 1, by engine version.
    assert len(list(workdir.glob("references/hinglish/hi_f3_p65_s150_a75_espeak-ng-1.*/*.wav"))) == 2


def test_eval_identifies_unseen_sentences_per_vocoder_and_calibrates(voice_dir, corpus, tmp_path, capsys):
    """The default set: the first unseen sentences, identified among each other from the audio of
    the default vocoder and of Griffin-Lim; --calibrate brackets the measure; --json writes JSON."""
    manifest, _ = corpus
    options = ["--lang", "hinglish", "--sentences", "3", "--speaker", "1", "--corpus", str(manifest), "--calibrate"]
    printed, result = eval_json(voice_dir, capsys, tmp_path / "eval.json", *options)
    assert "hinglish: sentence identification" in printed
    assert "WaveGlow (default)" in printed and "Griffin-Lim (default)" not in printed
    assert "ceiling: espeak-ng's mel" in printed and "sentences trained on" in printed
    settings = result["settings"]
    assert settings["set"] == "unseen-v1" and settings["sentences"] == 3 and settings["sentence_seed"] is None
    assert settings["default_vocoder"] == "waveglow"
    assert settings["identification"]["vocoders"] == ["waveglow", "griffinlim"]
    assert "--calibrate" in settings["command"] and "--set unseen" in settings["command"]

    scores = result["languages"]["hinglish"]
    assert [item["text"] for item in scores["items"]] == unseen_sentences("hinglish")[:3]
    assert scores["in_training"] == 1  # the corpus holds the second one
    assert scores["stopped_by_gate"] + scores["hit_limit"] == 3 and scores["mcd_ratio"] > 1.0
    assert list(scores["identification"]) == ["waveglow", "griffinlim"]
    for kind, summary in scores["identification"].items():
        assert summary["sentences"] == summary["candidates"] == 3 and summary["chance"] == 0.3333
        identified = [item["identification"][kind]["identified"] for item in scores["items"]]
        assert summary["identified"] == sum(identified)
        ratios = [item["identification"][kind]["right_wrong"] for item in scores["items"]]
        assert summary["right_wrong_ratio"] == pytest.approx(np.mean(ratios), abs=1e-3)
        # An untrained voice is no nearer the right sentence than the wrong ones (measured 1.00),
        # far from espeak-ng's own mel through Griffin-Lim below (0.14).
        assert summary["right_wrong_ratio"] > 0.85

    calibration = result["calibration"]["hinglish"]
    assert calibration["ceiling_griffinlim"]["identified"] == 3
    assert calibration["ceiling_griffinlim"]["right_wrong_ratio"] < 0.5
    assert 0.85 < calibration["floor_mean_frame"]["right_wrong_ratio"] < 1.15
    assert calibration["floor_other_sentence"]["candidates"] == 2


def test_record_vocoder_quality_makes_griffin_lim_the_default(voice_dir, tmp_path, capsys):
    """--record-vocoder-quality writes the copy-synthesis means into voice.json; the untrained
    WaveGlow loses to Griffin-Lim there, so the voice then defaults to Griffin-Lim, and eval
    identifies its Griffin-Lim audio once while copy synthesis still scores the WaveGlow."""
    import shutil

    from tts.voice_manifest import read_voice_manifest

    voice = tmp_path / "voice"
    shutil.copytree(voice_dir, voice)
    workdir = tmp_path / "work"
    assert (
        run_eval(
            voice,
            "--lang",
            "hinglish",
            "--sentences",
            "2",
            "--vocoder-only",
            "--record-vocoder-quality",
            "--workdir",
            str(workdir),
        )
        == 0
    )
    assert "the voice now vocodes with griffinlim by default" in capsys.readouterr().out
    quality = read_voice_manifest(voice).vocoder_quality
    assert quality["griffinlim"]["pesq"] > quality["waveglow"]["pesq"] + 1
    assert quality["references"] == "2 unseen-v1 hinglish espeak-ng references"
    assert quality["source"].startswith("tts eval --voice ") and "--record-vocoder-quality" in quality["source"]

    out = tmp_path / "eval.json"
    assert run_eval(voice, "--lang", "hinglish", "--sentences", "2", "--workdir", str(workdir), "--json", str(out)) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["settings"]["default_vocoder"] == "griffinlim"
    assert list(result["languages"]["hinglish"]["identification"]) == ["griffinlim"]
    vocoders = result["vocoder"]
    assert vocoders["waveglow"]["pesq"] == pytest.approx(quality["waveglow"]["pesq"], abs=1e-4)  # still WaveGlow


def test_eval_takes_the_baseline_from_prepared_data(checkpoints, tmp_path):
    """A voice without mel_mean: the mean frame and the excluded transcripts come from --data-dir."""
    voice_path = export_voice(*checkpoints, tmp_path / "voices" / "nomean", half=False)
    data = tmp_path / "prepared"
    (data / "mels").mkdir(parents=True)
    mels = [np.full((80, 5), -4.0, np.float32), np.full((80, 3), -8.0, np.float32)]
    first = held_out_sentences("hinglish", 1, set())[0]
    items = []
    for index, mel in enumerate(mels):
        np.save(data / "mels" / f"u{index}.npy", mel)
        normalized = text.normalize(first if index == 0 else "kuch aur", "hinglish")
        items.append(
            PreparedUtterance(
                f"u{index}",
                data / f"u{index}.wav",
                data / "mels" / f"u{index}.npy",
                normalized,
                "spk",
                "hinglish",
                mel.shape[1],
            )
        )
    write_split(data, "train", items)

    voice = load_voice(voice_path)
    assert "mel_mean" not in voice.manifest.training
    with pytest.raises(TTSError, match="records no mean mel frame"):
        evaluate_voice(voice, ["hinglish"], sentences=2, progress=False)
    result = evaluate_voice(
        voice,
        ["hinglish"],
        sentences=2,
        workdir=tmp_path / "work",
        progress=False,
        data_dir=data,
        vocoder_sentences=1,
        sentence_set="heldout",
    )
    assert result["settings"]["baseline"]["source"] == f"mean frame of {data}/train.tsv"
    assert result["settings"]["excluded"]["normalized_transcripts"] == 2
    # The first held-out sentence is in train.tsv (normalized): the second and third are evaluated.
    assert [i["text"] for i in result["languages"]["hinglish"]["items"]] == held_out_sentences("hinglish", 3, set())[1:]
    # A flat baseline of -5.5 (the mean of 5 frames at -4 and 3 at -8) has no cepstral shape at all:
    # its MCD is the spectral shape of the reference itself.
    assert result["languages"]["hinglish"]["mcd_baseline"] > 3.0


def test_eval_errors_are_one_line(voice_dir, tmp_path, capsys):
    assert run_eval(voice_dir, "--lang", "bn") == 2
    err = capsys.readouterr().err
    assert err.strip() == "tts eval: error: this voice speaks hinglish, hi, en, not 'bn'"
    assert run_eval(voice_dir, "--sentences", "0") == 2
    assert "--sentences must be at least 1" in capsys.readouterr().err
    assert run_eval(voice_dir, "--sentences", "1") == 2
    assert (
        capsys.readouterr().err.strip()
        == "tts eval: error: --sentences must be at least 2 (identification picks among them), got 1"
    )
    assert run_eval(voice_dir, "--sentences", "61") == 2
    assert capsys.readouterr().err.strip() == (
        "tts eval: error: --sentences 61: the unseen-v1 set has 60 hinglish sentences; ask for at most 60"
    )
    archive = tmp_path / "voice.tar.gz"
    archive.write_bytes(b"")
    assert run_eval(archive, "--vocoder-only", "--record-vocoder-quality") == 2
    assert "--record-vocoder-quality writes into a voice folder" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # argparse's own usage error
        run_eval(voice_dir, "--set", "other")
    assert "argument --set: invalid choice: 'other'" in capsys.readouterr().err
    assert run_eval(voice_dir, "--style", "8") == 2
    assert capsys.readouterr().err.strip() == "tts eval: error: --style must be between 0 and 7, got 8"
    assert tts.cli.main(["eval", "--voice", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err.startswith("tts eval: error: ")


def test_eval_compares_vocoders_on_the_same_references(voice_dir, checkpoints, tmp_path, capsys):
    """--compare-vocoder: more WaveGlows copy-synthesize the same references with the same noise;
    --vocoder-only skips the acoustic model."""
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    other = _tiny_models()[2]
    with torch.no_grad():
        for wn in other.WN:
            wn.end.weight.normal_(0, 0.2)
    vocoder.save_checkpoint(other, run / "checkpoints" / "step_00000005.pt", MelConfig(), training={"step": 5})
    options = ["--sentences", "2", "--vocoder-only", "--compare-vocoder", f"same={checkpoints[1]}"]
    printed, result = eval_json(
        voice_dir, capsys, tmp_path / "eval.json", *options, "--compare-vocoder", f"other={run}"
    )
    assert "MCD voice" not in printed and "other: WaveGlow (sigma 0.666)" in printed
    assert result["languages"] == {}
    vocoders = result["vocoder"]
    assert vocoders["language"] == "hinglish" and vocoders["sentences"] == 2
    assert list(vocoders["compared"]) == ["same", "other"]
    # The voice's own WaveGlow again: the same noise, so the very same scores.
    for key in ("pesq", "stoi", "scored"):
        assert vocoders["compared"]["same"][key] == vocoders["waveglow"][key]
    assert vocoders["compared"]["other"]["scored"] + len(vocoders["compared"]["other"]["failed"]) == 2
    assert vocoders["compared"]["other"]["stoi"] != vocoders["waveglow"]["stoi"]
    recorded = result["settings"]["compared"]["other"]
    assert recorded["checkpoint"] == str(run / "checkpoints" / "step_00000005.pt")  # the run's latest
    assert recorded["step"] == 5 and recorded["n_flows"] == 2 and recorded["parameters"] > 0
    assert "--compare-vocoder other=" in result["settings"]["command"]


def test_eval_compare_vocoder_errors(voice_dir, tmp_path, capsys):
    assert run_eval(voice_dir, "--compare-vocoder", "fast") == 2
    assert "--compare-vocoder takes NAME=CHECKPOINT" in capsys.readouterr().err
    assert run_eval(voice_dir, "--compare-vocoder", f"x={tmp_path}") == 2
    assert f"{tmp_path}: no step_*.pt checkpoint" in capsys.readouterr().err
    hop128 = vocoder.WaveGlow(
        vocoder.WaveGlowConfig(
            n_flows=2, n_group=8, n_early_every=1, n_early_size=2, n_layers=2, n_channels=16, upsample_stride=128
        )
    )
    vocoder.save_checkpoint(hop128, tmp_path / "hop128.pt", MelConfig(hop_length=128))
    assert run_eval(voice_dir, "--compare-vocoder", f"x={tmp_path / 'hop128.pt'}") == 2
    err = capsys.readouterr().err
    assert "hop128.pt use different mels (hop_length 256 vs 128" in err and err.count("\n") == 1


def test_results_name_a_voice_inside_the_working_directory_relatively(voice_dir, tmp_path, monkeypatch):
    from tts.eval.runner import _shown_path

    monkeypatch.chdir(voice_dir.parent)
    assert _shown_path(voice_dir) == voice_dir.name
    assert _shown_path(tmp_path / "elsewhere") == str(tmp_path / "elsewhere")
