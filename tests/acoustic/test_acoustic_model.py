"""Tacotron2 model: config, teacher-forced pass, padding, inference limits, embeddings, loss."""

from __future__ import annotations

import dataclasses
import logging

import pytest
import torch
from torch.nn import functional as F

from acoustic import Tacotron2, Tacotron2Config, Tacotron2Loss, gate_targets, guided_attention_weights

# NVIDIA/tacotron2 hparams.py, model section (n_symbols = len(symbols) = 148).
NVIDIA_HPARAMS = dict(
    n_symbols=148,
    symbols_embedding_dim=512,
    encoder_kernel_size=5,
    encoder_n_convolutions=3,
    encoder_embedding_dim=512,
    n_frames_per_step=1,
    decoder_rnn_dim=1024,
    prenet_dim=256,
    max_decoder_steps=1000,
    gate_threshold=0.5,
    p_attention_dropout=0.1,
    p_decoder_dropout=0.1,
    attention_rnn_dim=1024,
    attention_dim=128,
    attention_location_n_filters=32,
    attention_location_kernel_size=31,
    postnet_embedding_dim=512,
    postnet_kernel_size=5,
    postnet_n_convolutions=5,
    n_mel_channels=80,
    mask_padding=True,
)


def test_config_defaults_are_nvidia_hparams_and_reference_behaviour():
    config = Tacotron2Config()
    assert {k: getattr(config, k) for k in NVIDIA_HPARAMS} == NVIDIA_HPARAMS
    # The additions default to the reference behaviour.
    assert config.prenet_dropout == config.encoder_dropout == config.postnet_dropout == 0.5
    assert config.guided_attention_weight == 0.0
    assert config.gate_positive_weight == 1.0
    assert config.n_speakers == config.n_languages == 0
    model = Tacotron2(config)
    assert sum(p.numel() for p in model.parameters()) == 28_193_153  # NVIDIA's 28.2 M


@pytest.mark.parametrize(
    "changes, words",
    [
        (dict(n_frames_per_step=0), "n_frames_per_step"),
        (dict(encoder_kernel_size=4), "odd"),
        (dict(symbols_embedding_dim=256), "equal to encoder_embedding_dim"),
        (dict(decoder_rnn_dim=True), "decoder_rnn_dim"),
        (dict(n_symbols=2.5), "n_symbols"),
        (dict(prenet_dropout=1.0), "prenet_dropout"),
        (dict(n_speakers=-1), "n_speakers"),
        (dict(max_frames_per_symbol=0.0), "max_frames_per_symbol"),
        (dict(postnet_n_convolutions=1), "postnet_n_convolutions"),
    ],
)
def test_config_rejects_invalid_values(changes, words):
    with pytest.raises(ValueError, match=words):
        Tacotron2Config(**changes)


def test_config_is_frozen_and_replace_validates():
    config = Tacotron2Config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.n_symbols = 10
    assert config.replace(n_symbols=10).n_symbols == 10
    with pytest.raises(ValueError):
        config.replace(gate_threshold=1.5)


@pytest.mark.parametrize("r", [1, 3])
def test_forward_shapes_masking_and_alignment_rows(r, make_config, make_batch):
    torch.manual_seed(0)
    model = Tacotron2(make_config(n_frames_per_step=r))
    text, text_lengths, mel, mel_lengths = make_batch((7, 10))
    t = mel.size(2)  # 42 frames: not a multiple of 3, so r = 3 pads internally
    out = model(text, text_lengths, mel, mel_lengths)
    s = -(-t // r)
    assert out.mel.shape == out.mel_postnet.shape == (2, 20, t)
    assert out.gate.shape == (2, s)
    assert out.alignments.shape == (2, s, 10)
    short = 0 if mel_lengths[0] < mel_lengths[1] else 1
    n_frames, n_symbols = int(mel_lengths[short]), int(text_lengths[short])
    # mask_padding: zero mel and a saturated stop logit past the item's end.
    assert torch.all(out.mel[short, :, n_frames:] == 0)
    assert torch.all(out.mel_postnet[short, :, n_frames:] == 0)
    assert torch.all(out.gate[short, -(-n_frames // r) :] == 1e3)
    assert torch.any(out.mel[short, :, :n_frames] != 0)
    # Attention rows are distributions over the real symbols only.
    rows = out.alignments[short, : -(-n_frames // r)]
    torch.testing.assert_close(rows.sum(1), torch.ones(rows.size(0)))
    assert torch.all(rows[:, n_symbols:] == 0)


def test_loss_backward_reaches_every_parameter(make_config, make_batch):
    torch.manual_seed(0)
    config = make_config(n_speakers=2, n_languages=2, guided_attention_weight=1.0)
    model = Tacotron2(config)
    # The projections start at zero; make them non-zero so the tables receive gradient too.
    torch.nn.init.normal_(model.speaker_projection.linear_layer.weight)
    torch.nn.init.normal_(model.language_projection.linear_layer.weight)
    text, text_lengths, mel, mel_lengths = make_batch()
    out = model(text, text_lengths, mel, mel_lengths, speaker=torch.tensor([0, 1]), language=torch.tensor([1, 0]))
    Tacotron2Loss(config)(out, mel, mel_lengths, text_lengths).total.backward()
    no_grad = [n for n, p in model.named_parameters() if p.grad is None or not p.grad.any()]
    assert no_grad == []


def _alone_vs_batch(model, text, text_lengths, mel, mel_lengths, i):
    n, t = int(text_lengths[i]), int(mel_lengths[i])
    return model(text[i : i + 1, :n], text_lengths[i : i + 1], mel[i : i + 1, :, :t], mel_lengths[i : i + 1])


@pytest.mark.parametrize("r", [1, 3])
def test_padded_batch_gives_each_item_its_solo_outputs(r, make_config, make_batch):
    torch.manual_seed(0)
    model = Tacotron2(make_config(n_frames_per_step=r, prenet_dropout=0.0)).eval()
    # Mel lengths of the shorter items are not multiples of 3; items differ in both lengths.
    text, text_lengths, mel, mel_lengths = make_batch((5, 11, 8), seed=3)
    text[0, 5:] = 7  # padding holds arbitrary ids: it must not matter
    with torch.no_grad():
        batch = model(text, text_lengths, mel, mel_lengths)
        for i in range(3):
            alone = _alone_vs_batch(model, text, text_lengths, mel, mel_lengths, i)
            t, n = int(mel_lengths[i]), int(text_lengths[i])
            s = -(-t // r)
            for name in ("mel", "mel_postnet"):
                torch.testing.assert_close(getattr(batch, name)[i, :, :t], getattr(alone, name)[0], atol=1e-5, rtol=0)
            torch.testing.assert_close(batch.gate[i, :s], alone.gate[0], atol=1e-5, rtol=0)
            torch.testing.assert_close(batch.alignments[i, :s, :n], alone.alignments[0], atol=1e-5, rtol=0)


def test_infer_batched_equals_alone_and_limits_scale_with_length(make_config, caplog):
    torch.manual_seed(0)
    # A gate that never fires, so every item runs to its own length-based limit.
    config = make_config(prenet_dropout=0.0, max_frames_per_symbol=3.0, gate_threshold=0.999, n_frames_per_step=2)
    model = Tacotron2(config).eval()
    torch.nn.init.constant_(model.decoder.gate_layer.linear_layer.bias, -20.0)
    text = torch.randint(1, 12, (3, 9))
    text_lengths = torch.tensor([9, 4, 7])
    with caplog.at_level(logging.WARNING, logger="acoustic.model"):
        out = model.infer(text, text_lengths)
    # ceil(3 frames/symbol * N / r) steps of r = 2 frames.
    assert out.mel_lengths.tolist() == [28, 12, 22]
    assert out.stopped.tolist() == [False, False, False]
    assert out.mel_postnet.shape == (3, 20, 28)
    assert out.alignments.shape == (3, 14, 9)
    assert len([r for r in caplog.records if "did not stop" in r.getMessage()]) == 3
    for i in range(3):
        n, t = int(text_lengths[i]), int(out.mel_lengths[i])
        alone = model.infer(text[i : i + 1, :n], text_lengths[i : i + 1])
        assert alone.mel_lengths.tolist() == [t]
        torch.testing.assert_close(out.mel_postnet[i, :, :t], alone.mel_postnet[0], atol=1e-5, rtol=0)
        assert torch.all(out.mel_postnet[i, :, t:] == 0)
        torch.testing.assert_close(out.alignments[i, : t // 2, :n], alone.alignments[0], atol=1e-5, rtol=0)


def test_infer_hard_cap_and_gate_stop(make_config, caplog):
    torch.manual_seed(0)
    model = Tacotron2(make_config(prenet_dropout=0.0, max_decoder_steps=5)).eval()
    text, lengths = torch.randint(1, 12, (2, 6)), torch.tensor([6, 6])
    torch.nn.init.constant_(model.decoder.gate_layer.linear_layer.bias, -20.0)
    with caplog.at_level("WARNING", logger="acoustic"):
        capped = model.infer(text, lengths)
    assert capped.mel_lengths.tolist() == [5, 5] and not capped.stopped.any()
    # Never silent: each item cut by the limit is named in a warning.
    warnings = [r for r in caplog.records if r.levelname == "WARNING" and "did not stop" in r.getMessage()]
    assert [r.getMessage().split()[1] for r in warnings] == ["0", "1"]
    caplog.clear()
    # A gate that fires at once: one step per item, reported as stopped by the gate.
    torch.nn.init.constant_(model.decoder.gate_layer.linear_layer.bias, 20.0)
    torch.nn.init.zeros_(model.decoder.gate_layer.linear_layer.weight)
    fired = model.infer(text, lengths)
    assert fired.mel_lengths.tolist() == [1, 1] and fired.stopped.all()
    assert not [r for r in caplog.records if "did not stop" in r.getMessage()]


def test_speaker_and_language_ids(make_config):
    torch.manual_seed(0)
    model = Tacotron2(make_config(n_speakers=3, n_languages=2, prenet_dropout=0.0)).eval()
    text, lengths = torch.randint(1, 12, (1, 6)), torch.tensor([6])
    with pytest.raises(ValueError, match="speaker="):
        model.infer(text, lengths, language=torch.tensor([0]))
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        model.infer(text, lengths, speaker=torch.tensor([3]), language=torch.tensor([0]))
    with pytest.raises(ValueError, match="no speaker table"):
        Tacotron2(make_config()).infer(text, lengths, speaker=torch.tensor([0]))
    # Zero-initialised projections: every speaker starts as the unconditioned model ...
    a = model.encode(text, lengths, torch.tensor([0]), torch.tensor([0]))
    b = model.encode(text, lengths, torch.tensor([2]), torch.tensor([1]))
    torch.testing.assert_close(a, b)
    # ... and once trained, speakers differ.
    torch.nn.init.normal_(model.speaker_projection.linear_layer.weight)
    b = model.encode(text, lengths, torch.tensor([2]), torch.tensor([0]))
    assert (a - b).abs().max() > 0.1


def test_default_loss_is_the_reference_loss(make_config, make_batch):
    torch.manual_seed(0)
    config = make_config()
    model = Tacotron2(config)
    text, text_lengths, mel, mel_lengths = make_batch()
    out = model(text, text_lengths, mel, mel_lengths)
    terms = Tacotron2Loss(config)(out, mel, mel_lengths, text_lengths)
    # NVIDIA data_utils: gate_padded[i, len - 1:] = 1; loss_function: MSE + MSE + BCE, means.
    gate_target = torch.zeros(2, mel.size(2))
    for i, n in enumerate(mel_lengths.tolist()):
        gate_target[i, n - 1 :] = 1
    expected = (
        F.mse_loss(out.mel, mel)
        + F.mse_loss(out.mel_postnet, mel)
        + F.binary_cross_entropy_with_logits(out.gate, gate_target)
    )
    torch.testing.assert_close(terms.total, expected)
    assert terms.guided_attention > 0  # measured even when its weight is 0


def test_gate_targets_per_decoder_step():
    targets = gate_targets(torch.tensor([7, 9, 3]), n_frames_per_step=3, n_steps=4)
    assert targets.tolist() == [[0, 0, 1, 1], [0, 0, 1, 1], [1, 1, 1, 1]]


def test_guided_attention_prefers_the_diagonal_and_decays(make_config):
    n_steps, n_symbols = 20, 10
    weights = guided_attention_weights(torch.tensor([10, 6]), torch.tensor([20, 12]), n_steps, n_symbols, sigma=0.2)
    assert weights.shape == (2, 20, 10)
    assert torch.all(weights[1, 12:] == 0) and torch.all(weights[1, :, 6:] == 0)
    steps = torch.arange(n_steps)
    diagonal = F.one_hot(steps * n_symbols // n_steps, n_symbols).float()
    reverse = diagonal.flip(1)
    assert (weights[0] * diagonal).sum() < 0.05 * (weights[0] * reverse).sum()

    config = make_config(guided_attention_weight=2.0, guided_attention_half_life=100)
    loss = Tacotron2Loss(config)
    assert loss.guided_attention_scale(0) == 2.0
    assert loss.guided_attention_scale(100) == pytest.approx(1.0)
    assert loss.guided_attention_scale(300) == pytest.approx(0.25)


def test_gate_positive_weight_scales_only_the_stop_targets(make_config, make_batch):
    torch.manual_seed(0)
    model = Tacotron2(make_config())
    text, text_lengths, mel, mel_lengths = make_batch()
    out = model(text, text_lengths, mel, mel_lengths)
    plain = Tacotron2Loss(make_config())(out, mel, mel_lengths, text_lengths).gate
    weighted = Tacotron2Loss(make_config(gate_positive_weight=10.0))(out, mel, mel_lengths, text_lengths).gate
    target = gate_targets(mel_lengths, 1, out.gate.size(1))
    positive = F.binary_cross_entropy_with_logits(out.gate, target, reduction="none") * target
    torch.testing.assert_close(weighted - plain, 9.0 * positive.mean())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_matches_cpu(make_config, make_batch):
    torch.manual_seed(0)
    config = make_config(prenet_dropout=0.0, n_frames_per_step=2, n_speakers=2, max_frames_per_symbol=4.0)
    model = Tacotron2(config).eval()
    torch.nn.init.normal_(model.speaker_projection.linear_layer.weight)
    torch.nn.init.constant_(model.decoder.gate_layer.linear_layer.bias, -20.0)  # run to limits
    text, text_lengths, mel, mel_lengths = make_batch()
    speaker = torch.tensor([1, 0])
    with torch.no_grad():
        cpu = model(text, text_lengths, mel, mel_lengths, speaker)
    cpu_inferred = model.infer(text, text_lengths, speaker)
    gpu_model = Tacotron2(config).cuda().eval()
    gpu_model.load_state_dict(model.state_dict())
    # Lengths and ids may stay on the CPU.
    gpu = gpu_model(text.cuda(), text_lengths, mel.cuda(), mel_lengths, speaker)
    criterion = Tacotron2Loss(config)
    criterion(gpu, mel.cuda(), mel_lengths.cuda(), text_lengths.cuda()).total.backward()
    assert all(p.grad is not None and p.grad.is_cuda for p in gpu_model.parameters())
    torch.testing.assert_close(gpu.mel_postnet.detach().cpu(), cpu.mel_postnet, atol=2e-3, rtol=2e-3)
    inferred = gpu_model.infer(text.cuda(), text_lengths, speaker)
    assert inferred.mel_postnet.is_cuda
    assert inferred.mel_lengths.tolist() == cpu_inferred.mel_lengths.tolist() == [28, 40]
    torch.testing.assert_close(inferred.mel_postnet.cpu(), cpu_inferred.mel_postnet, atol=2e-3, rtol=2e-3)


def test_bad_text_input_is_a_clear_error(make_config):
    model = Tacotron2(make_config(prenet_dropout=0.0)).eval()
    text, lengths = torch.randint(1, 12, (2, 6)), torch.tensor([6, 4])
    with pytest.raises(ValueError, match=r"symbol ids must be in \[0, 12\)"):
        model.infer(torch.full((1, 3), 12), torch.tensor([3]))
    with pytest.raises(ValueError, match=r"text_lengths must be in \[1, 6\]"):
        model.infer(text, torch.tensor([7, 4]))
    with pytest.raises(ValueError, match="non-empty"):
        model.infer(torch.zeros(1, 0, dtype=torch.long), torch.tensor([0]))
    with pytest.raises(ValueError, match="one length per item"):
        model.infer(text, torch.tensor([6]))
    assert model.infer(text, lengths).mel_postnet.size(0) == 2
