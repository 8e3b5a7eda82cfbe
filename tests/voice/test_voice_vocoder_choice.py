"""The default vocoder chosen by measurement: ``vocoder_quality`` in ``voice.json``, the rule, and
the voice, ``tts synth`` and the bench following it."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import soundfile
import torch

from base.errors import TTSError
from tts import bench, voice_manifest
from tts import postfilter as postfilters
from tts.bench.end_to_end import worker_end_to_end
from tts.cli import main
from tts.griffinlim import ITERATIONS, griffin_lim
from tts.torch_parts import TorchWaveGlow
from tts.voice import load_voice
from tts.voice_manifest import choose_vocoder, read_voice_manifest, record_vocoder_quality, select_vocoder, verify_files

REFERENCES = "50 held-out hinglish espeak-ng references"
SOURCE = "tts eval --voice testvoice --vocoder-only --record-vocoder-quality"
# The bundled voices' measurements (README), and a WaveGlow that beats Griffin-Lim on both.
GRIFFIN_LIM_WINS = {"waveglow": {"pesq": 1.05, "stoi": 0.512}, "griffinlim": {"pesq": 2.95, "stoi": 0.963}}
WAVEGLOW_WINS = {"waveglow": {"pesq": 3.41, "stoi": 0.971}, "griffinlim": {"pesq": 2.95, "stoi": 0.963}}


def _quality(waveglow: tuple[float, float], griffinlim: tuple[float, float]) -> dict:
    return {
        "waveglow": dict(zip(("pesq", "stoi"), waveglow)),
        "griffinlim": dict(zip(("pesq", "stoi"), griffinlim)),
        "references": REFERENCES,
        "source": SOURCE,
    }


@pytest.fixture
def bundle(voice_dir, tmp_path):
    """A copy of the test voice that a test may record scores in."""
    return shutil.copytree(voice_dir, tmp_path / "testvoice")


def _vocoder_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "vocodes with" in r.getMessage() and r.levelno == logging.INFO]


# -- the rule ---------------------------------------------------------------------------------


def test_griffin_lim_better_on_both_wins_and_says_why():
    kind, reason = choose_vocoder(_quality((1.05, 0.512), (2.95, 0.963)))
    assert kind == "griffinlim"
    assert reason == (
        f"copy-synthesis PESQ 2.95 / STOI 0.963 vs WaveGlow 1.05 / 0.512, better on both ({REFERENCES}; voice.json)"
    )


@pytest.mark.parametrize(
    "waveglow, griffinlim, kind, how",
    [
        ((3.41, 0.971), (2.95, 0.963), "waveglow", "better on both"),
        # Split: the higher PESQ decides, whichever vocoder has it.
        ((3.10, 0.950), (2.95, 0.963), "waveglow", "the higher PESQ, which decides when STOI favours Griffin-Lim"),
        ((2.80, 0.970), (2.95, 0.963), "griffinlim", "the higher PESQ, which decides when STOI favours WaveGlow"),
        # Equal on one: the other decides.
        ((2.95, 0.970), (2.95, 0.963), "waveglow", "the higher STOI at the same PESQ"),
        ((2.95, 0.963), (3.00, 0.963), "griffinlim", "the higher PESQ at the same STOI"),
    ],
)
def test_better_on_both_wins_and_pesq_decides_a_split(waveglow, griffinlim, kind, how):
    chosen, reason = choose_vocoder(_quality(waveglow, griffinlim))
    assert chosen == kind
    assert how in reason and reason.endswith(f"({REFERENCES}; voice.json)")


def test_without_measurements_or_on_a_tie_the_bundles_waveglow():
    for nothing in (None, {}):
        kind, reason = choose_vocoder(nothing)
        assert kind == "waveglow" and "no copy-synthesis scores" in reason
    kind, reason = choose_vocoder(_quality((2.95, 0.963), (2.95, 0.963)))
    assert kind == "waveglow" and "the same as Griffin-Lim" in reason


def test_a_named_vocoder_is_forced_and_auto_is_the_measured_one(bundle):
    manifest = record_vocoder_quality(bundle, GRIFFIN_LIM_WINS, SOURCE)
    assert select_vocoder(manifest)[0] == select_vocoder(manifest, "auto")[0] == "griffinlim"
    kind, reason = select_vocoder(manifest, "waveglow")
    assert kind == "waveglow" and reason.startswith("asked for; the default would be griffinlim (copy-synthesis")
    kind, reason = select_vocoder(manifest, "griffinlim")
    assert kind == "griffinlim" and reason.startswith("asked for, and the measured default too")
    with pytest.raises(TTSError, match="unknown vocoder 'hifigan'; choose auto, waveglow, griffinlim"):
        select_vocoder(manifest, "hifigan")


# -- voice.json ---------------------------------------------------------------------------------


def test_recorded_scores_round_trip_and_the_bundle_still_verifies(bundle):
    before = json.loads((bundle / "voice.json").read_text())
    model_digests = {name: voice_manifest.sha256_file(bundle / name) for name in before["sha256"]}
    scores = {
        "waveglow": {"pesq": np.float32(1.0512), "stoi": np.float64(0.51234567)},
        "griffinlim": {"pesq": 2.9512, "stoi": 0.963},
    }
    written = record_vocoder_quality(bundle, scores, SOURCE, references=REFERENCES)

    after = json.loads((bundle / "voice.json").read_text())
    assert after["vocoder_quality"] == {
        "waveglow": {"pesq": 1.0512, "stoi": 0.5123},
        "griffinlim": {"pesq": 2.9512, "stoi": 0.963},
        "references": REFERENCES,
        "source": SOURCE,
    }
    assert {k: v for k, v in after.items() if k != "vocoder_quality"} == {
        k: v for k, v in before.items() if k != "vocoder_quality"
    }
    assert read_voice_manifest(bundle) == written
    assert written.sha256 == before["sha256"] and "voice.json" not in written.sha256
    verify_files(bundle, written)  # the model files' sha256 entries still hold
    assert {name: voice_manifest.sha256_file(bundle / name) for name in before["sha256"]} == model_digests
    assert sorted(p.name for p in bundle.iterdir()) == ["acoustic.pt", "vocoder.pt", "voice.json"]  # no temporary left


def test_a_failed_write_leaves_voice_json_as_it_was(bundle, monkeypatch):
    before = (bundle / "voice.json").read_bytes()

    def replace_fails(src, dst):
        raise OSError("No space left on device")

    monkeypatch.setattr(voice_manifest.os, "replace", replace_fails)
    with pytest.raises(OSError, match="No space left"):
        record_vocoder_quality(bundle, GRIFFIN_LIM_WINS, SOURCE)
    monkeypatch.undo()
    assert (bundle / "voice.json").read_bytes() == before
    assert sorted(p.name for p in bundle.iterdir()) == ["acoustic.pt", "vocoder.pt", "voice.json"]


@pytest.mark.parametrize(
    "scores, message",
    [
        ({**GRIFFIN_LIM_WINS, "fast": {"pesq": 1.2, "stoi": 0.6}}, "unknown vocoder 'fast'"),
        (
            {"waveglow": {"pesq": None, "stoi": 0.5}, "griffinlim": GRIFFIN_LIM_WINS["griffinlim"]},
            "vocoder_quality.waveglow.pesq must be a finite number, got None",
        ),
        (
            {"waveglow": {"pesq": float("nan"), "stoi": 0.5}, "griffinlim": GRIFFIN_LIM_WINS["griffinlim"]},
            "vocoder_quality.waveglow.pesq must be a finite number, got nan",
        ),
        (
            {"waveglow": {"pesq": 1.0}, "griffinlim": GRIFFIN_LIM_WINS["griffinlim"]},
            "vocoder_quality.waveglow must hold exactly pesq and stoi",
        ),
        ({"griffinlim": GRIFFIN_LIM_WINS["griffinlim"]}, "no scores for waveglow"),
    ],
)
def test_scores_that_do_not_fit_are_refused_and_nothing_is_written(bundle, scores, message):
    before = (bundle / "voice.json").read_bytes()
    with pytest.raises(TTSError, match="cannot record these vocoder scores") as caught:
        record_vocoder_quality(bundle, scores, SOURCE)
    assert str(bundle / "voice.json") in str(caught.value) and message in str(caught.value)
    assert (bundle / "voice.json").read_bytes() == before


@pytest.mark.parametrize(
    "quality, message",
    [
        ({**GRIFFIN_LIM_WINS, "hifigan": {"pesq": 3.5, "stoi": 0.97}}, "unknown vocoder 'hifigan'"),
        (
            {**GRIFFIN_LIM_WINS, "waveglow": {"pesq": "high", "stoi": 0.5}},
            "vocoder_quality.waveglow.pesq must be a finite number, got 'high'",
        ),
        ({**GRIFFIN_LIM_WINS, "references": 50}, "vocoder_quality.references must be a string, got 50"),
    ],
)
def test_a_bad_record_in_voice_json_is_one_error_naming_the_file(bundle, capsys, quality, message):
    values = json.loads((bundle / "voice.json").read_text())
    (bundle / "voice.json").write_text(json.dumps({**values, "vocoder_quality": quality}))
    with pytest.raises(TTSError, match="not a valid voice manifest") as caught:
        read_voice_manifest(bundle)
    assert str(bundle / "voice.json") in str(caught.value) and message in str(caught.value)
    assert main(["synth", "namaste", "--voice", str(bundle), "-o", str(bundle.parent / "x.wav")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(bundle / "voice.json") in err[0] and message in err[0], err


# -- the voice follows the numbers ------------------------------------------------------------


def test_a_bundle_without_the_record_loads_with_its_waveglow(bundle, caplog):
    values = json.loads((bundle / "voice.json").read_text())
    del values["vocoder_quality"]  # as written before the field existed
    (bundle / "voice.json").write_text(json.dumps(values))
    caplog.set_level(logging.INFO, logger="tts.voice")
    voice = load_voice(bundle)
    assert voice.vocoder_kind == "waveglow" and voice.manifest.vocoder_quality == {}
    assert _vocoder_lines(caplog) == [
        "voice 'testvoice' vocodes with waveglow: the bundle's own vocoder: voice.json records no copy-synthesis "
        "scores (`tts eval --vocoder-only --record-vocoder-quality` measures them)"
    ]


def test_the_default_follows_the_recorded_numbers_with_no_code_change(bundle, caplog):
    caplog.set_level(logging.INFO, logger="tts.voice")
    record_vocoder_quality(bundle, WAVEGLOW_WINS, SOURCE, references=REFERENCES)
    waveglow_voice = load_voice(bundle)
    assert waveglow_voice.vocoder_kind == "waveglow"
    assert (
        "vocodes with waveglow: copy-synthesis PESQ 3.41 / STOI 0.971 vs Griffin-Lim 2.95 / 0.963"
        in _vocoder_lines(caplog)[-1]
    )

    record_vocoder_quality(bundle, GRIFFIN_LIM_WINS, SOURCE, references=REFERENCES)
    voice = load_voice(bundle)
    assert voice.vocoder_kind == "griffinlim"
    assert _vocoder_lines(caplog)[-1] == (
        "voice 'testvoice' vocodes with griffinlim: copy-synthesis PESQ 2.95 / STOI 0.963 vs WaveGlow 1.05 / 0.512, "
        f"better on both ({REFERENCES}; voice.json)"
    )
    ((mel, _),) = voice.mel([voice.text_processor.normalize("namaste")])
    audio = voice.vocode(mel, seed=5)
    np.testing.assert_array_equal(audio, griffin_lim(mel, voice.mel_config, n_iter=ITERATIONS, seed=5))
    assert not np.allclose(audio, waveglow_voice.vocode(mel, seed=5))
    # Whole texts too: sentence k is Griffin-Lim of its postfiltered mel with seed + k.
    assert voice.postfilter == postfilters.DEFAULT  # what export_voice records
    pieces = list(voice.stream("namaste. kaise ho", seed=3))
    mels = [postfilters.postfilter(m, voice.postfilter) for m, _ in voice.mel(voice.pieces("namaste. kaise ho"))]
    np.testing.assert_array_equal(pieces[0], griffin_lim(mels[0], voice.mel_config, seed=3))
    np.testing.assert_array_equal(pieces[2], griffin_lim(mels[1], voice.mel_config, seed=4))


@pytest.mark.parametrize("forced", ["waveglow", "griffinlim"])
def test_vocoder_kind_forces_a_choice_whatever_the_numbers(bundle, caplog, forced):
    caplog.set_level(logging.INFO, logger="tts.voice")
    for scores in (GRIFFIN_LIM_WINS, WAVEGLOW_WINS):
        record_vocoder_quality(bundle, scores, SOURCE)
        assert load_voice(bundle, vocoder_kind=forced).vocoder_kind == forced
        assert f"vocodes with {forced}: asked for" in _vocoder_lines(caplog)[-1]
    with pytest.raises(TTSError, match="unknown vocoder 'melgan'"):
        load_voice(bundle, vocoder_kind="melgan")


def test_another_waveglow_drops_the_scores_of_the_bundles(bundle, waveglow):
    record_vocoder_quality(bundle, GRIFFIN_LIM_WINS, SOURCE)
    voice = load_voice(bundle)
    other = voice.with_vocoder(TorchWaveGlow(waveglow))
    assert other.vocoder_kind == "waveglow" and other.manifest.vocoder_quality == {}
    assert voice.vocoder_kind == "griffinlim" and voice.manifest.vocoder_quality["griffinlim"]["pesq"] == 2.95


# -- tts synth and the bench ------------------------------------------------------------------


@pytest.mark.parametrize("forced", ["waveglow", "griffinlim"])
def test_synth_vocoder_option_forces_the_audio(bundle, tmp_path, caplog, forced):
    record_vocoder_quality(bundle, WAVEGLOW_WINS if forced == "griffinlim" else GRIFFIN_LIM_WINS, SOURCE)
    out = tmp_path / "out.wav"
    caplog.set_level(logging.INFO, logger="tts.voice")
    assert main(["synth", "namaste", "--voice", str(bundle), "--vocoder", forced, "-o", str(out), "--seed", "0"]) == 0
    assert f"vocodes with {forced}: asked for; the default would be" in _vocoder_lines(caplog)[-1]
    written, _ = soundfile.read(str(out), dtype="float32")
    expected, _ = load_voice(bundle, vocoder_kind=forced).synthesize("namaste", seed=0)  # the same defaults
    assert written.shape == expected.shape
    assert np.abs(written - expected).max() <= 1.5 / 32768  # the same audio, as 16-bit PCM


def test_tts_synth_tells_the_user_which_vocoder_and_why(bundle, tmp_path):
    record_vocoder_quality(bundle, GRIFFIN_LIM_WINS, SOURCE, references=REFERENCES)
    out = tmp_path / "out.wav"
    result = subprocess.run(
        [sys.executable, "-m", "tts.cli", "synth", "namaste", "--voice", str(bundle), "-o", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert (
        "INFO tts.voice: voice 'testvoice' vocodes with griffinlim: copy-synthesis PESQ 2.95 / STOI 0.963 vs "
        f"WaveGlow 1.05 / 0.512, better on both ({REFERENCES}; voice.json)"
    ) in result.stderr.splitlines()
    assert soundfile.info(str(out)).duration > 0.1


def test_the_bench_times_and_names_the_default_vocoder(bundle):
    record_vocoder_quality(bundle, GRIFFIN_LIM_WINS, SOURCE)
    record = worker_end_to_end(
        {"voice": str(bundle), "engine": "torch", "repeats": 1, "budget_seconds": 0.0, "quick": True}
    )
    assert record["vocoder"] == "griffinlim" and record["sentence"]["audio_seconds"] > 0
    machine = {
        "cpu_model": "cpu",
        "physical_cores": 1,
        "logical_cpus": 1,
        "torch_threads": 1,
        "matmul_gflops": 1.0,
        "torch_version": torch.__version__,
    }
    _, e2e_table = bench.render({"machine": machine, "end_to_end": record})
    assert "vocoder griffinlim" in e2e_table.caption
