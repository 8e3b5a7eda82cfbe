"""The training engine on Tacotron2: learning with speaker tables, images in TensorBoard, and
fine-tuning (warm start into a new symbol table, freezing)."""

from __future__ import annotations

import json

import pytest
import torch

import acoustic
from base.errors import TTSError
from tts.cli import main
from tts.testing import TACOTRON2_SIZES, cli_command, train_argv

SMALL_MODEL = dict(
    TACOTRON2_SIZES["tiny"],
    encoder_n_convolutions=1,
    postnet_n_convolutions=2,
    n_frames_per_step=3,
    guided_attention_weight=2.0,
    max_decoder_steps=60,
)


def write_config(path, **training):
    train = dict(
        batch_size=4, learning_rate=2e-3, max_steps=16, checkpoint_every=8, log_every=1, seed=3, grad_clip_thresh=1.0
    )
    train.update(training)
    path.write_text(json.dumps({"model": SMALL_MODEL, "training": train}))
    return path


def losses(run_dir, key="loss"):
    records = [json.loads(x) for x in (run_dir / "metrics.jsonl").read_text().splitlines()]
    return {r["step"]: r[key] for r in records if key in r}


def test_acoustic_training_learns_and_logs(tmp_path, prepared_data):
    run = tmp_path / "run"
    config = write_config(tmp_path / "c.json", max_steps=30, checkpoint_every=10)
    assert main(train_argv("acoustic", prepared_data, config, run)) == 0
    curve = losses(run)
    assert sorted(curve) == list(range(1, 31))
    assert sum(curve[s] for s in range(26, 31)) < 0.7 * sum(curve[s] for s in range(1, 6))
    contents = acoustic.read_checkpoint(run / "checkpoints" / "step_00000030.pt")
    assert contents.config.n_speakers == 2  # two speakers in the data: a speaker table
    assert contents.config.n_symbols == len(contents.extra["text"]["symbols"])
    assert contents.extra["text"]["language"] == "en" and contents.extra["speakers"] == ["spk0", "spk1"]
    validation = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines() if "val_loss" in x]
    assert validation and "val_inference_frames" in validation[-1]
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(run / "tensorboard"), size_guidance={"images": 0}).Reload()
    assert {"alignment/teacher_forced", "gate/teacher_forced", "mel/predicted"} <= set(events.Tags()["images"])
    assert "mel_loss" in events.Tags()["scalars"]


def test_finetune_warm_starts_into_a_new_symbol_table_and_freezes(tmp_path, prepared_data):
    base = tmp_path / "base"
    config = write_config(tmp_path / "c.json", max_steps=4, checkpoint_every=4)
    assert main(train_argv("acoustic", prepared_data, config, base)) == 0
    source = base / "checkpoints" / "step_00000004.pt"
    # New data in another language: the symbol table differs, the rest of the model fits.
    settings = json.loads((prepared_data / "prepare.json").read_text())
    settings["symbols"] = settings["symbols"] + ["x1", "x2"]
    (prepared_data / "prepare.json").write_text(json.dumps(settings))
    run = tmp_path / "ft"
    code = main(
        train_argv(
            "acoustic",
            prepared_data,
            config,
            run,
            "--from",
            str(source),
            "--freeze",
            "encoder",
            "--max-steps",
            "3",
            command="finetune",
        )
    )
    assert code == 0
    before = acoustic.read_checkpoint(source).state_dict
    after = acoustic.read_checkpoint(run / "checkpoints" / "step_00000003.pt")
    assert after.config.n_symbols == before["embedding.weight"].size(0) + 2
    assert after.config.attention_rnn_dim == 64  # architecture kept from the checkpoint
    for name, tensor in after.state_dict.items():
        if name.startswith("encoder."):
            assert torch.equal(tensor, before[name]), f"{name} changed though frozen"
    assert not torch.equal(
        after.state_dict["decoder.gate_layer.linear_layer.weight"], before["decoder.gate_layer.linear_layer.weight"]
    )
    record = json.loads((run / "training_config.json").read_text())
    assert record["learning_rate"] == pytest.approx(2e-4)  # a tenth of the config's


def test_freeze_of_unknown_module_is_a_clear_error(tmp_path, prepared_data, capsys):
    base = tmp_path / "base"
    config = write_config(tmp_path / "c.json", max_steps=2, checkpoint_every=2)
    assert main(train_argv("acoustic", prepared_data, config, base)) == 0
    code = main(
        train_argv(
            "acoustic",
            prepared_data,
            config,
            tmp_path / "ft",
            "--from",
            str(base / "checkpoints" / "step_00000002.pt"),
            "--freeze",
            "brain",
            command="finetune",
        )
    )
    assert code == 2 and "--freeze brain" in capsys.readouterr().err


def test_resuming_with_another_model_config_is_one_line(tmp_path, prepared_data, capsys):
    run = tmp_path / "run"
    config = write_config(tmp_path / "c.json", max_steps=2, checkpoint_every=2)
    assert main(train_argv("acoustic", prepared_data, config, run)) == 0
    capsys.readouterr()
    other = tmp_path / "other.json"
    other.write_text(
        json.dumps(
            {
                "model": {**SMALL_MODEL, "decoder_rnn_dim": 96},
                "training": json.loads(config.read_text())["training"] | {"max_steps": 4},
            }
        )
    )
    code = main(train_argv("acoustic", prepared_data, other, run, "--resume"))
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "Traceback" not in err[0], err
    assert "step_00000002.pt: --resume needs the configuration this run was started with" in err[0]
    assert "size mismatch" in err[0]


def test_acoustic_needs_prepared_settings(tmp_path):
    from tts.training.acoustic_task import AcousticTask
    from tts.training.config import read_config_file

    with pytest.raises(TTSError, match="prepare.json: missing"):
        AcousticTask.from_config(tmp_path, read_config_file("acoustic", "tiny"))


def test_finetune_from_an_nvidia_tacotron2_statedict(tmp_path, prepared_data):
    """NVIDIA's train.py layout: {'state_dict', 'optimizer', 'learning_rate', 'iteration'}, no config."""
    nvidia_like = acoustic.Tacotron2(
        acoustic.Tacotron2Config(
            n_symbols=148,
            **{k: v for k, v in SMALL_MODEL.items() if k not in ("guided_attention_weight", "max_decoder_steps")},
        )
    )
    path = tmp_path / "tacotron2_statedict.pt"
    torch.save(
        {
            "state_dict": nvidia_like.state_dict(),
            "iteration": 5000,
            "learning_rate": 1e-3,
            "optimizer": {"state": {}, "param_groups": []},
        },
        path,
    )
    config = write_config(tmp_path / "c.json", max_steps=2, checkpoint_every=2)
    run = tmp_path / "ft"
    assert main(train_argv("acoustic", prepared_data, config, run, "--from", str(path), command="finetune")) == 0
    tuned = acoustic.read_checkpoint(run / "checkpoints" / "step_00000002.pt")
    assert tuned.config.n_symbols == len(tuned.extra["text"]["symbols"]) != 148
    assert tuned.config.decoder_rnn_dim == 64  # inferred from the file's shapes


def test_finetune_vocoder_from_a_deep_learning_examples_checkpoint(tmp_path, prepared_data):
    import vocoder

    torch.manual_seed(0)
    config = vocoder.WaveGlowConfig(n_flows=4, n_group=8, n_early_every=2, n_early_size=2, n_layers=2, n_channels=16)
    source = vocoder.WaveGlow(config)
    path = tmp_path / "nvidia_waveglowpyt.pt"
    torch.save(
        {
            "state_dict": {f"module.{k}": v for k, v in source.state_dict().items()},
            "config": {
                "n_mel_channels": 80,
                "n_flows": 4,
                "n_group": 8,
                "n_early_every": 2,
                "n_early_size": 2,
                "WN_config": {"n_layers": 2, "n_channels": 16, "kernel_size": 3},
            },
        },
        path,
    )
    settings = tmp_path / "v.json"
    settings.write_text(
        json.dumps(
            {
                "data": {"segment_length": 2048},
                "training": {"batch_size": 4, "max_steps": 2, "checkpoint_every": 2, "learning_rate": 1e-3},
            }
        )
    )
    run = tmp_path / "voc"
    assert main(train_argv("vocoder", prepared_data, settings, run, "--from", str(path), command="finetune")) == 0
    tuned = vocoder.read_checkpoint(run / "checkpoints" / "step_00000002.pt")
    assert vocoder.load_checkpoint(tuned).config == config  # the checkpoint's architecture, not the preset's
    assert not torch.equal(vocoder.load_checkpoint(tuned).upsample.weight, source.upsample.weight)


def test_a_run_resumed_at_an_epoch_end_logs_each_row_once(tmp_path, prepared_data):
    """8 items in batches of 4: the epoch ends at step 2, where a checkpoint is also written and
    validation runs. A run stopped after that and resumed from step 2 must not validate step 2 a
    second time, nor keep the rows it logged past its checkpoint; a temporary file left by a
    save that was killed is removed."""
    config = write_config(tmp_path / "c.json", max_steps=3, checkpoint_every=2, keep_last=5)
    run = tmp_path / "run"
    assert main(train_argv("acoustic", prepared_data, config, run)) == 0
    first = (run / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(r)["step"] for r in first if "val_loss" in json.loads(r)] == [2]
    # As if killed after step 3 was logged but before its checkpoint landed.
    (run / "checkpoints" / "step_00000003.pt").rename(run / "checkpoints" / ".step_00000003.pt.x1y2.tmp")
    assert main(train_argv("acoustic", prepared_data, config, run, "--resume")) == 0
    records = [json.loads(r) for r in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records if "val_loss" in r] == [2]
    assert [r["step"] for r in records if "loss" in r] == [1, 2, 3]
    assert records[-1]["loss"] == json.loads(first[-1])["loss"]  # step 3 again, the same
    assert not list((run / "checkpoints").glob(".*.tmp"))


def test_acoustic_kill_9_then_resume_continues_the_same_loss_curve(tmp_path, prepared_data):
    import signal
    import subprocess
    import time

    config = write_config(tmp_path / "c.json", max_steps=10, checkpoint_every=4, keep_last=5)
    reference = tmp_path / "reference"
    assert main(train_argv("acoustic", prepared_data, config, reference)) == 0
    command = cli_command(train_argv("acoustic", prepared_data, config, tmp_path / "killed"))
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # No deadline: a busy machine only makes this wait longer. A process that ends first fails it.
    while not (tmp_path / "killed" / "checkpoints" / "step_00000004.pt").exists():
        assert process.poll() is None
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert subprocess.run(command + ["--resume"], capture_output=True).returncode == 0
    expected, got = losses(reference), losses(tmp_path / "killed")
    assert sorted(got) == list(range(1, 11))
    for step in range(1, 11):  # the prenet's dropout and the data order continue exactly
        assert got[step] == pytest.approx(expected[step], rel=1e-5), step


def test_acoustic_on_two_gloo_processes_stays_close_to_one_process(tmp_path, prepared_data):
    """Not equal: on CPU each process keeps its own BatchNorm statistics and averages its loss
    over its own padded frames (as NVIDIA's distributed training does)."""
    import os
    import subprocess

    config = write_config(tmp_path / "c.json", max_steps=4, checkpoint_every=100)
    single = tmp_path / "single"
    assert main(train_argv("acoustic", prepared_data, config, single)) == 0
    result = subprocess.run(
        cli_command(train_argv("acoustic", prepared_data, config, tmp_path / "ddp"), processes=2, port=29733),
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    one, two = losses(single), losses(tmp_path / "ddp")
    assert sorted(two) == [1, 2, 3, 4]
    for step in one:
        assert two[step] == pytest.approx(one[step], rel=0.1), (one, two)
