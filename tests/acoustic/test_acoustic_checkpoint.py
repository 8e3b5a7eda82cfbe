"""Checkpoints: NVIDIA / DeepLearningExamples / project files, overrides, warm start, errors."""

from __future__ import annotations

import logging

import pytest
import torch

import acoustic
from acoustic import Tacotron2, Tacotron2Config
from base.checkpoint import atomic_save
from base.errors import CheckpointError
from base.mel_scale import MelConfig


def nvidia_state_dict_shapes(
    n_symbols=148,
    emb=512,
    mel=80,
    att_rnn=1024,
    dec_rnn=1024,
    prenet=256,
    att=128,
    filters=32,
    loc_k=31,
    post=512,
    k=5,
    with_batch_counter=True,
) -> dict[str, tuple[int, ...]]:
    """The names and shapes NVIDIA/tacotron2's model.py produces, written out from its source."""
    shapes: dict[str, tuple[int, ...]] = {"embedding.weight": (n_symbols, emb)}

    def conv_bn(prefix, c_in, c_out):
        shapes[f"{prefix}.0.conv.weight"] = (c_out, c_in, k)
        shapes[f"{prefix}.0.conv.bias"] = (c_out,)
        for name in ("weight", "bias", "running_mean", "running_var"):
            shapes[f"{prefix}.1.{name}"] = (c_out,)
        if with_batch_counter:
            shapes[f"{prefix}.1.num_batches_tracked"] = ()

    for i in range(3):
        conv_bn(f"encoder.convolutions.{i}", emb, emb)
    for suffix in ("", "_reverse"):
        shapes[f"encoder.lstm.weight_ih_l0{suffix}"] = (4 * emb // 2, emb)
        shapes[f"encoder.lstm.weight_hh_l0{suffix}"] = (4 * emb // 2, emb // 2)
        shapes[f"encoder.lstm.bias_ih_l0{suffix}"] = (4 * emb // 2,)
        shapes[f"encoder.lstm.bias_hh_l0{suffix}"] = (4 * emb // 2,)
    shapes["decoder.prenet.layers.0.linear_layer.weight"] = (prenet, mel)
    shapes["decoder.prenet.layers.1.linear_layer.weight"] = (prenet, prenet)
    for rnn, n_in, n_hidden in (("attention_rnn", prenet + emb, att_rnn), ("decoder_rnn", att_rnn + emb, dec_rnn)):
        shapes[f"decoder.{rnn}.weight_ih"] = (4 * n_hidden, n_in)
        shapes[f"decoder.{rnn}.weight_hh"] = (4 * n_hidden, n_hidden)
        shapes[f"decoder.{rnn}.bias_ih"] = (4 * n_hidden,)
        shapes[f"decoder.{rnn}.bias_hh"] = (4 * n_hidden,)
    layer = "decoder.attention_layer"
    shapes[f"{layer}.query_layer.linear_layer.weight"] = (att, att_rnn)
    shapes[f"{layer}.memory_layer.linear_layer.weight"] = (att, emb)
    shapes[f"{layer}.v.linear_layer.weight"] = (1, att)
    shapes[f"{layer}.location_layer.location_conv.conv.weight"] = (filters, 2, loc_k)
    shapes[f"{layer}.location_layer.location_dense.linear_layer.weight"] = (att, filters)
    shapes["decoder.linear_projection.linear_layer.weight"] = (mel, dec_rnn + emb)
    shapes["decoder.linear_projection.linear_layer.bias"] = (mel,)
    shapes["decoder.gate_layer.linear_layer.weight"] = (1, dec_rnn + emb)
    shapes["decoder.gate_layer.linear_layer.bias"] = (1,)
    for i, (c_in, c_out) in enumerate([(mel, post), (post, post), (post, post), (post, post), (post, mel)]):
        conv_bn(f"postnet.convolutions.{i}", c_in, c_out)
    return shapes


SMALL = dict(n_symbols=20, emb=16, mel=8, att_rnn=24, dec_rnn=20, prenet=12, att=10, filters=4, loc_k=7, post=12)
SMALL_CONFIG = dict(
    n_symbols=20,
    symbols_embedding_dim=16,
    encoder_embedding_dim=16,
    n_mel_channels=8,
    attention_rnn_dim=24,
    decoder_rnn_dim=20,
    prenet_dim=12,
    attention_dim=10,
    attention_location_n_filters=4,
    attention_location_kernel_size=7,
    postnet_embedding_dim=12,
)


def random_state_dict(shapes, seed=0):
    g = torch.Generator().manual_seed(seed)
    state = {}
    for name, shape in shapes.items():
        if name.endswith("num_batches_tracked"):
            state[name] = torch.tensor(7)
        elif name.endswith("running_var"):
            state[name] = torch.rand(shape, generator=g) + 0.5
        else:
            state[name] = torch.randn(shape, generator=g) * 0.1
    return state


def nvidia_file(path, state, **extra):
    """What NVIDIA's train.py save_checkpoint writes."""
    atomic_save(
        {
            "iteration": 12000,
            "state_dict": state,
            "optimizer": {"state": {}, "param_groups": [{"lr": 1e-3, "params": [0, 1]}]},
            "learning_rate": 1e-3,
            **extra,
        },
        path,
    )
    return path


def assert_loaded(model, state):
    loaded = model.state_dict()
    assert set(loaded) == set(state)
    for name, tensor in state.items():
        assert torch.equal(loaded[name], tensor), name


def test_nvidia_default_state_dict_loads_with_no_missing_or_unexpected_keys(tmp_path):
    shapes = nvidia_state_dict_shapes()
    state = random_state_dict(shapes)
    model = Tacotron2()
    result = model.load_state_dict(state, strict=True)
    assert result.missing_keys == [] and result.unexpected_keys == []
    # And through load_checkpoint, from the file layout NVIDIA's train.py writes.
    path = nvidia_file(tmp_path / "tacotron2_statedict.pt", state)
    contents = acoustic.read_checkpoint(path)
    assert contents.source == "nvidia"
    assert contents.config == Tacotron2Config()  # inferred from the shapes alone
    assert contents.extra["iteration"] == 12000 and contents.extra["learning_rate"] == 1e-3
    assert "param_groups" in contents.extra["optimizer"]
    model = acoustic.load_checkpoint(path)
    assert not model.training
    assert_loaded(model, state)


def test_file_from_old_pytorch_without_batch_counters_loads(tmp_path):
    state = random_state_dict(nvidia_state_dict_shapes(**SMALL, with_batch_counter=False))
    model = acoustic.load_checkpoint(nvidia_file(tmp_path / "old.pt", state))
    assert model.config == Tacotron2Config(**SMALL_CONFIG)
    for name, tensor in state.items():
        assert torch.equal(model.state_dict()[name], tensor)


def test_deeplearningexamples_checkpoint_with_module_prefix(tmp_path):
    state = random_state_dict(nvidia_state_dict_shapes(**SMALL))
    dle_config = {
        **SMALL_CONFIG,
        "mask_padding": False,
        "encoder_kernel_size": 5,
        "encoder_n_convolutions": 3,
        "n_frames_per_step": 1,
        "max_decoder_steps": 2000,
        "gate_threshold": 0.5,
        "p_attention_dropout": 0.1,
        "p_decoder_dropout": 0.1,
        "postnet_kernel_size": 5,
        "postnet_n_convolutions": 5,
        "decoder_no_early_stopping": False,
    }
    path = tmp_path / "nvidia_tacotron2pyt_fp32.pt"
    atomic_save({"epoch": 1500, "state_dict": {f"module.{k}": v for k, v in state.items()}, "config": dle_config}, path)
    model = acoustic.load_checkpoint(path)
    assert model.config.max_decoder_steps == 2000 and model.config.mask_padding is False
    assert acoustic.read_checkpoint(path).extra == {"epoch": 1500}
    assert_loaded(model, state)


def test_wrong_shape_file_gives_a_clear_error(tmp_path):
    state = random_state_dict(nvidia_state_dict_shapes(**SMALL))
    state["decoder.attention_rnn.weight_ih"] = torch.zeros(96, 30)  # should be [96, 28]
    path = nvidia_file(tmp_path / "bad.pt", state)
    with pytest.raises(CheckpointError) as info:
        acoustic.load_checkpoint(path)
    message = str(info.value)
    for part in (str(path), "decoder.attention_rnn.weight_ih", "[96, 30]", "[96, 28]", "acoustic.warm_start"):
        assert part in message


def test_project_config_that_disagrees_with_tensors_is_a_clear_error(tmp_path, make_config):
    torch.manual_seed(0)
    model = Tacotron2(make_config())
    path = acoustic.save_checkpoint(model, tmp_path / "a.pt")
    obj = torch.load(path, weights_only=True)
    obj["config"]["decoder_rnn_dim"] = 32
    atomic_save(obj, path)
    with pytest.raises(
        CheckpointError,
        match=r"decoder\.decoder_rnn\.weight_hh.*\[256, 64\].*"
        r"\[128, 32\]",
    ):
        acoustic.load_checkpoint(path)


def test_project_round_trip_with_training_state_and_overrides(tmp_path, make_config, make_batch):
    torch.manual_seed(0)
    config = make_config(n_frames_per_step=2, n_speakers=2, guided_attention_weight=1.0)
    model = Tacotron2(config)
    optimizer = torch.optim.Adam(model.parameters())
    text, text_lengths, mel, mel_lengths = make_batch()
    speaker = torch.tensor([0, 1])
    loss = acoustic.Tacotron2Loss(config)(
        model(text, text_lengths, mel, mel_lengths, speaker), mel, mel_lengths, text_lengths
    )
    loss.total.backward()
    optimizer.step()
    path = acoustic.save_checkpoint(
        model,
        tmp_path / "ckpt" / "tacotron2.pt",
        iteration=1,
        optimizer=optimizer.state_dict(),
        mel_config=MelConfig(n_mel_channels=config.n_mel_channels, mel_fmax=7600.0),
    )
    contents = acoustic.read_checkpoint(path)
    assert contents.source == "swaratts" and contents.config == config
    assert contents.extra["iteration"] == 1 and "mel_config" not in contents.extra
    assert contents.mel_config == MelConfig(n_mel_channels=config.n_mel_channels, mel_fmax=7600.0)
    optimizer.load_state_dict(contents.extra["optimizer"])

    loaded = acoustic.load_checkpoint(path, prenet_dropout=0.0, max_decoder_steps=400, gate_threshold=0.6)
    assert loaded.config == config.replace(prenet_dropout=0.0, max_decoder_steps=400, gate_threshold=0.6)
    assert_loaded(loaded, model.state_dict())
    reference = Tacotron2(config.replace(prenet_dropout=0.0))
    reference.load_state_dict(model.state_dict())
    with torch.no_grad():
        expected = reference.eval()(text, text_lengths, mel, mel_lengths, speaker)
        got = loaded(text, text_lengths, mel, mel_lengths, speaker)
    torch.testing.assert_close(got.mel_postnet, expected.mel_postnet, atol=0, rtol=0)


def test_load_checkpoint_refuses_bad_overrides_and_foreign_files(tmp_path, make_config):
    torch.manual_seed(0)
    path = acoustic.save_checkpoint(Tacotron2(make_config()), tmp_path / "a.pt")
    with pytest.raises(TypeError, match="prenet_dropuot"):
        acoustic.load_checkpoint(path, prenet_dropuot=0.0)
    with pytest.raises(CheckpointError, match=r"decoder_rnn_dim=64 \(asked 128\).*warm_start"):
        acoustic.load_checkpoint(path, decoder_rnn_dim=128)
    with pytest.raises(ValueError, match="gate_threshold"):
        acoustic.load_checkpoint(path, gate_threshold=2.0)
    with pytest.raises(ValueError, match="reserved"):
        acoustic.save_checkpoint(Tacotron2(make_config()), tmp_path / "b.pt", config={})

    waveglow = tmp_path / "waveglow.pt"
    atomic_save(
        {"format": "swaratts", "format_version": 1, "model": "waveglow", "config": {}, "state_dict": {}}, waveglow
    )
    with pytest.raises(CheckpointError, match="'waveglow' checkpoint"):
        acoustic.load_checkpoint(waveglow)
    newer = tmp_path / "newer.pt"
    atomic_save({**torch.load(path, weights_only=True), "format_version": 99}, newer)
    with pytest.raises(CheckpointError, match="upgrade swaratts"):
        acoustic.load_checkpoint(newer)
    other = tmp_path / "other.pt"
    atomic_save({"weights": [1, 2, 3]}, other)
    with pytest.raises(CheckpointError, match="not a Tacotron2 checkpoint"):
        acoustic.load_checkpoint(other)
    with pytest.raises(CheckpointError, match="no such checkpoint"):
        acoustic.load_checkpoint(tmp_path / "missing.pt")


def test_warm_start_new_symbols_speakers_languages(tmp_path, caplog):
    state = random_state_dict(nvidia_state_dict_shapes(**SMALL))
    path = nvidia_file(tmp_path / "tacotron2_statedict.pt", state)
    with caplog.at_level(logging.INFO, logger="acoustic.checkpoint"):
        model = acoustic.load_checkpoint(path, n_symbols=33, n_speakers=4, n_languages=3)
    log = caplog.text
    assert "embedding.weight (file [20, 16], model [33, 16])" in log
    for name in (
        "speaker_embedding.weight",
        "speaker_projection.linear_layer.weight",
        "language_embedding.weight",
        "language_projection.linear_layer.weight",
    ):
        assert name in log
    loaded = model.state_dict()
    assert loaded["embedding.weight"].shape == (33, 16)
    assert loaded["speaker_embedding.weight"].shape == (4, 64)
    for name, tensor in state.items():
        if name != "embedding.weight":
            assert torch.equal(loaded[name], tensor), name


def test_warm_started_speaker_model_starts_as_the_pretrained_model(tmp_path, make_batch):
    torch.manual_seed(0)
    state = random_state_dict(nvidia_state_dict_shapes(**{**SMALL, "n_symbols": 12}))
    path = nvidia_file(tmp_path / "pretrained.pt", state)
    plain = acoustic.load_checkpoint(path, prenet_dropout=0.0)
    multi = acoustic.load_checkpoint(path, prenet_dropout=0.0, n_speakers=3)
    text, text_lengths, mel, mel_lengths = make_batch(n_mel=8)
    with torch.no_grad():
        expected = plain(text, text_lengths, mel, mel_lengths).mel_postnet
        for speaker in ([0, 2], [1, 1]):
            got = multi(text, text_lengths, mel, mel_lengths, torch.tensor(speaker)).mel_postnet
            torch.testing.assert_close(got, expected, atol=1e-6, rtol=0)


def test_warm_start_to_more_frames_per_step_and_dropping_tables(tmp_path, caplog):
    torch.manual_seed(0)
    config = Tacotron2Config(**SMALL_CONFIG, n_speakers=2)
    path = acoustic.save_checkpoint(Tacotron2(config), tmp_path / "multi.pt")
    with caplog.at_level(logging.INFO, logger="acoustic.checkpoint"):
        model = acoustic.load_checkpoint(path, n_frames_per_step=3, n_speakers=0)
    assert model.config.n_frames_per_step == 3
    for name in (
        "decoder.prenet.layers.0.linear_layer.weight (file [12, 8], model [12, 24])",
        "decoder.linear_projection.linear_layer.weight (file [8, 36], model [24, 36])",
        "dropped from the file",
        "speaker_embedding.weight",
    ):
        assert name in caplog.text


def test_warm_start_into_any_model_keeps_what_fits(tmp_path, caplog):
    state = random_state_dict(nvidia_state_dict_shapes(**SMALL))
    path = nvidia_file(tmp_path / "pretrained.pt", state)
    model = Tacotron2(Tacotron2Config(**{**SMALL_CONFIG, "decoder_rnn_dim": 32}))
    with caplog.at_level(logging.INFO, logger="acoustic.checkpoint"):
        report = acoustic.warm_start(model, path)
    changed = {entry.split(" ")[0] for entry in report.reinitialised}
    assert changed == {
        "decoder.decoder_rnn.weight_ih",
        "decoder.decoder_rnn.weight_hh",
        "decoder.decoder_rnn.bias_ih",
        "decoder.decoder_rnn.bias_hh",
        "decoder.linear_projection.linear_layer.weight",
        "decoder.gate_layer.linear_layer.weight",
    }
    assert "decoder.decoder_rnn.weight_hh (file [80, 20], model [128, 32])" in caplog.text
    assert torch.equal(model.state_dict()["embedding.weight"], state["embedding.weight"])
    assert "came from the file" not in caplog.text
    # Little fits: loads what it can, and says so.
    caplog.clear()
    other = Tacotron2(
        Tacotron2Config(
            **{
                **SMALL_CONFIG,
                "symbols_embedding_dim": 8,
                "encoder_embedding_dim": 8,
                "attention_rnn_dim": 8,
                "decoder_rnn_dim": 8,
                "postnet_embedding_dim": 8,
            }
        )
    )
    with caplog.at_level(logging.INFO, logger="acoustic.checkpoint"):
        acoustic.warm_start(other, path)
    assert "came from the file" in caplog.text
