"""The training engine on WaveGlow: learning, checkpoints, exact resume after kill -9, DDP, NaN."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest
import torch

import vocoder
from base.errors import TTSError
from tts.cli import main
from tts.testing import cli_command, train_argv
from tts.training import Trainer, TrainingConfig, TrainingError
from tts.training.config import read_config_file
from tts.training.vocoder_task import VocoderDataConfig, VocoderTask

MICRO = vocoder.WaveGlowConfig(n_flows=4, n_group=8, n_early_every=2, n_early_size=2, n_layers=2, n_channels=16)


def write_config(path, **training):
    model = {
        k: getattr(MICRO, k) for k in ("n_flows", "n_group", "n_early_every", "n_early_size", "n_layers", "n_channels")
    }
    train = dict(batch_size=4, learning_rate=1e-3, max_steps=12, checkpoint_every=4, keep_last=2, log_every=1, seed=7)
    train.update(training)
    path.write_text(json.dumps({"model": model, "data": {"segment_length": 2048}, "training": train}))
    return path


def losses(run_dir):
    """Per-step training loss; a step logged twice (after a resume) keeps its last value."""
    by_step = {}
    for line in (run_dir / "metrics.jsonl").read_text().splitlines():
        record = json.loads(line)
        if "loss" in record:
            by_step[record["step"]] = record["loss"]
    return by_step


def test_training_lowers_the_loss_and_writes_checkpoints(tmp_path, prepared_data):
    config = write_config(tmp_path / "c.json", max_steps=24, checkpoint_every=8)
    run = tmp_path / "run"
    assert main(train_argv("vocoder", prepared_data, config, run)) == 0
    curve = losses(run)
    assert sorted(curve) == list(range(1, 25))
    first, last = sum(curve[s] for s in range(1, 5)) / 4, sum(curve[s] for s in range(21, 25)) / 4
    assert last < first - 0.5, (first, last)
    steps = sorted(p.name for p in (run / "checkpoints").glob("step_*.pt"))
    assert steps == ["step_00000016.pt", "step_00000024.pt"]  # keep_last = 2
    assert (run / "checkpoints" / "best.pt").is_file()
    assert list((run / "tensorboard").iterdir())
    # A training checkpoint is a vocoder checkpoint.
    loaded = vocoder.read_checkpoint(run / "checkpoints" / "step_00000024.pt")
    assert loaded.config == MICRO and loaded.extra["training"]["step"] == 24
    validation = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines() if "val_loss" in x]
    assert validation and all(v["val_loss"] == v["val_loss"] for v in validation)


def test_existing_run_needs_resume(tmp_path, prepared_data, capsys):
    config = write_config(tmp_path / "c.json", max_steps=4)
    args = train_argv("vocoder", prepared_data, config, tmp_path / "run")
    assert main(args) == 0
    assert main(args) == 2
    assert "pass --resume" in capsys.readouterr().err
    assert main(args + ["--resume", "--max-steps", "6"]) == 0
    assert sorted(losses(tmp_path / "run")) == list(range(1, 7))


def _train_process(prepared_data, config, run, *extra):
    command = cli_command(train_argv("vocoder", prepared_data, config, run, *extra))
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_kill_9_then_resume_continues_the_same_loss_curve(tmp_path, prepared_data):
    config = write_config(tmp_path / "c.json", max_steps=16, checkpoint_every=4, keep_last=5)
    reference = tmp_path / "reference"
    assert main(train_argv("vocoder", prepared_data, config, reference)) == 0

    run = tmp_path / "killed"
    process = _train_process(prepared_data, config, run)
    # No deadline: a busy machine only makes this wait longer. A process that ends first fails it.
    while not (run / "checkpoints" / "step_00000008.pt").exists():
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed_at = max(losses(run))
    assert killed_at < 16, "the process finished before it was killed"
    # Every checkpoint on disk is complete and loadable.
    for path in (run / "checkpoints").glob("step_*.pt"):
        vocoder.load_checkpoint(path)

    resumed = _train_process(prepared_data, config, run, "--resume")
    out, err = resumed.communicate()
    assert resumed.returncode == 0, err
    expected, got = losses(reference), losses(run)
    assert sorted(got) == list(range(1, 17))
    for step in range(1, 17):
        assert got[step] == pytest.approx(expected[step], rel=1e-6, abs=1e-7), step


def test_two_gloo_processes_match_one_process_with_the_same_global_batch(tmp_path, prepared_data):
    config = write_config(tmp_path / "c.json", max_steps=6, checkpoint_every=100, batch_size=4)
    single = tmp_path / "single"
    assert main(train_argv("vocoder", prepared_data, config, single)) == 0
    ddp = tmp_path / "ddp"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        cli_command(train_argv("vocoder", prepared_data, config, ddp), processes=2, port=29731),
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    one, two = losses(single), losses(ddp)
    assert sorted(two) == list(range(1, 7))
    for step in range(1, 7):
        assert two[step] == pytest.approx(one[step], rel=1e-4, abs=1e-5), (step, one, two)
    checkpoint = torch.load(ddp / "checkpoints" / "step_00000006.pt", weights_only=True)
    assert checkpoint["training"]["world_size"] == 2


class _PoisonedTask(VocoderTask):
    """A real WaveGlow task whose loss is made NaN on chosen steps."""

    def __init__(self, *args, poisoned=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.poisoned = set(poisoned)
        self.calls = 0

    def training_loss(self, model, batch, step):
        loss, figures = super().training_loss(model, batch, step)
        self.calls += 1
        return (loss * float("nan") if self.calls in self.poisoned else loss), figures


def test_non_finite_steps_are_skipped_and_a_streak_stops_training(tmp_path, prepared_data):
    training = TrainingConfig(
        batch_size=4, learning_rate=1e-3, max_steps=6, checkpoint_every=2, log_every=1, max_consecutive_nonfinite=3
    )
    task = _PoisonedTask(prepared_data, MICRO, VocoderDataConfig(segment_length=2048), poisoned={2, 3})
    result = Trainer(task, training, tmp_path / "run").fit()
    assert result["step"] == 6 and result["nonfinite_skipped"] == 2
    assert all(v == v for v in losses(tmp_path / "run").values())

    streak = _PoisonedTask(prepared_data, MICRO, VocoderDataConfig(segment_length=2048), poisoned=set(range(5, 50)))
    with pytest.raises(TrainingError, match="3 non-finite losses or gradients in a row") as info:
        Trainer(streak, training, tmp_path / "run2").fit()
    assert "step_00000004.pt" in str(info.value)
    vocoder.load_checkpoint(tmp_path / "run2" / "checkpoints" / "step_00000004.pt")


class _PoisonedGradients(VocoderTask):
    """A finite loss whose gradients are NaN from a chosen call on: sqrt's slope at 0 times 0."""

    def __init__(self, *args, from_call=1, **kwargs):
        super().__init__(*args, **kwargs)
        self.from_call, self.calls = from_call, 0

    def training_loss(self, model, batch, step):
        loss, figures = super().training_loss(model, batch, step)
        self.calls += 1
        if self.calls >= self.from_call:
            loss = loss + torch.sqrt(0.0 * next(model.parameters()).sum())
        return loss, figures


def test_a_streak_of_non_finite_gradients_stops_training(tmp_path, prepared_data):
    training = TrainingConfig(
        batch_size=4, learning_rate=1e-3, max_steps=20, checkpoint_every=2, log_every=1, max_consecutive_nonfinite=3
    )
    task = _PoisonedGradients(prepared_data, MICRO, VocoderDataConfig(segment_length=2048), from_call=3)
    with pytest.raises(TrainingError, match="3 non-finite losses or gradients in a row at step 2") as info:
        Trainer(task, training, tmp_path / "run").fit()
    assert "step_00000002.pt" in str(info.value)


def test_presets_and_config_errors(tmp_path):
    tiny = read_config_file("vocoder", "tiny")
    assert tiny.model["n_channels"] == 32 and tiny.training["max_steps"] > 0
    assert read_config_file("vocoder", "base").model["n_channels"] == 256
    with pytest.raises(TTSError, match="unknown vocoder config 'huge'"):
        read_config_file("vocoder", "huge")
    bad = tmp_path / "bad.yaml"
    bad.write_text("training: {batch_size: 0}\n")
    with pytest.raises(TTSError, match="bad.yaml: section 'training': batch_size must be >= 1"):
        VocoderTask.from_config(tmp_path, read_config_file("vocoder", bad))
    typo = tmp_path / "typo.yaml"
    typo.write_text("model: {n_chanels: 8}\n")
    with pytest.raises(TTSError, match="unknown WaveGlowConfig fields: n_chanels"):
        VocoderTask.from_config(tmp_path, read_config_file("vocoder", typo))


def _state(path):
    payload = torch.load(path, weights_only=True)
    return payload["state_dict"], payload["training"]


def test_weight_average_and_stft_loss_train_and_resume_exactly(tmp_path, prepared_data):
    """With ema_decay the checkpoint's model is the average of the weights (the raw ones are kept
    for resuming), and a run stopped and resumed ends with the same average as one run straight
    through; the STFT loss's terms are logged beside the likelihood."""
    data = VocoderDataConfig(segment_length=2048, stft_loss_weight=1.0)
    training = TrainingConfig(
        batch_size=4,
        learning_rate=1e-3,
        max_steps=6,
        checkpoint_every=3,
        log_every=1,
        keep_last=5,
        ema_decay=0.5,
        seed=7,
    )
    Trainer(VocoderTask(prepared_data, MICRO, data), training, tmp_path / "straight").fit()
    records = [json.loads(x) for x in (tmp_path / "straight" / "metrics.jsonl").read_text().splitlines()]
    steps = [r for r in records if "loss" in r]
    assert all({"nll", "stft_sc", "stft_mag"} <= set(r) for r in steps)
    for r in steps:  # the loss is the likelihood plus the weighted STFT terms
        assert r["loss"] == pytest.approx(r["nll"] + r["stft_sc"] + r["stft_mag"], rel=1e-5)

    checkpoints = tmp_path / "straight" / "checkpoints"
    averaged3, training3 = _state(checkpoints / "step_00000003.pt")
    averaged6, training6 = _state(checkpoints / "step_00000006.pt")
    raw3, raw6 = training3["raw_state_dict"], training6["raw_state_dict"]
    # The average moved from the raw weights' path: between them, and not equal to either end.
    name = "WN.0.in_layers.0.weight_v"
    assert not torch.equal(averaged6[name], raw6[name])
    assert (averaged6[name] - raw6[name]).abs().max() < (raw3[name] - raw6[name]).abs().max() * 2
    # A vocoder checkpoint loads as the average: what synthesis should use.
    loaded = vocoder.load_checkpoint(checkpoints / "step_00000006.pt")
    torch.testing.assert_close(loaded.state_dict()[name], averaged6[name])

    Trainer(
        VocoderTask(prepared_data, MICRO, data),
        TrainingConfig.from_dict({**training.to_dict(), "max_steps": 3}),
        tmp_path / "stopped",
    ).fit()
    Trainer(VocoderTask(prepared_data, MICRO, data), training, tmp_path / "stopped", resume=True).fit()
    resumed, resumed_training = _state(tmp_path / "stopped" / "checkpoints" / "step_00000006.pt")
    for key, tensor in averaged6.items():
        torch.testing.assert_close(resumed[key], tensor, rtol=1e-6, atol=1e-7)
        torch.testing.assert_close(resumed_training["raw_state_dict"][key], raw6[key], rtol=1e-6, atol=1e-7)


def test_weight_average_is_the_exponential_moving_average():
    from tts.training.engine import _WeightAverage

    model = torch.nn.Linear(3, 2)
    average = _WeightAverage(model, decay=0.75)
    start = model.weight.detach().clone()
    with torch.no_grad():
        model.weight.add_(1.0)
    average.update(model, step=1000)  # past the warm-up: the configured decay
    torch.testing.assert_close(average.model.weight, 0.75 * start + 0.25 * (start + 1.0))
    assert not average.model.weight.requires_grad
    early = _WeightAverage(model, decay=0.999)
    with torch.no_grad():
        model.weight.add_(1.0)
    early.update(model, step=1)  # the warm-up: decay (1 + 1) / (10 + 1)
    torch.testing.assert_close(early.model.weight, (start + 1.0) + (9 / 11) * 1.0)


def test_objective_settings_are_checked():
    with pytest.raises(ValueError, match="ema_decay must be 0"):
        TrainingConfig(ema_decay=1.0)
    with pytest.raises(ValueError, match="stft_loss_weight must be 0"):
        VocoderDataConfig(stft_loss_weight=-1.0)
