"""The optimised decoding loop (``Decoder.infer``) gives bit for bit what the reference loop over
``Decoder.step`` (``Decoder.infer_stepwise``) gives, including which item stops when and why, and the
random numbers drawn."""

from __future__ import annotations

import logging

import pytest
import torch

from acoustic import Tacotron2
from acoustic.model import lengths_to_mask


def random_text(batch: int, n_symbols: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(3, 12, (batch,), generator=g)
    text = torch.randint(1, n_symbols, (batch, int(lengths.max())), generator=g)
    return text, lengths


def assert_same(model: Tacotron2, text, lengths, **ids):
    torch.manual_seed(11)
    with torch.no_grad():
        expected = model.infer(text, lengths, **ids, stepwise=True)
    after_reference = torch.get_rng_state()
    torch.manual_seed(11)
    got = model.infer(text, lengths, **ids)
    assert torch.equal(torch.get_rng_state(), after_reference)  # the same random numbers drawn
    for name, a, b in zip(("mel_postnet", "mel_lengths", "alignments", "stopped"), expected, got):
        assert a.shape == b.shape, name
        assert torch.equal(a, b), f"{name} differs (max {float((a.float() - b.float()).abs().max()):.3g})"
    return got


@pytest.fixture(autouse=True)
def quiet():
    logger = logging.getLogger("acoustic.model")
    disabled, logger.disabled = logger.disabled, True  # "did not stop" warnings are expected here
    yield
    logger.disabled = disabled


CASES = {
    "reference": dict(),
    "deterministic": dict(prenet_dropout=0.0),
    "r3-short-limit": dict(n_frames_per_step=3, max_frames_per_symbol=3.0),
    "r2-hard-cap": dict(n_frames_per_step=2, max_decoder_steps=7),
    "gate-at-half": dict(gate_threshold=0.5, max_frames_per_symbol=2.0),
    "tables": dict(n_speakers=3, n_languages=2),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("batch", [1, 5])
def test_fast_loop_is_bit_identical(make_config, name, batch):
    model = Tacotron2(make_config(**CASES[name])).eval()
    torch.manual_seed(0)
    with torch.no_grad():  # make the tables matter
        for p in model.parameters():
            p.add_(0.01 * torch.randn_like(p))
    text, lengths = random_text(batch, model.config.n_symbols, seed=batch)
    ids = {}
    if model.config.n_speakers:
        ids = {"speaker": torch.arange(batch) % 3, "language": torch.arange(batch) % 2}
    assert_same(model, text, lengths, **ids)


def test_items_stopping_at_different_steps_by_gate_and_by_limit(make_config):
    """Across seeds, batches where some items stop on the gate and others at their limit, at
    different steps: the stop bookkeeping (worked out after the loop) must match step by step."""
    outcomes = set()
    for seed in range(5, 12):
        torch.manual_seed(seed)
        model = Tacotron2(make_config(gate_threshold=0.5, max_frames_per_symbol=2.0)).eval()
        text, lengths = random_text(6, model.config.n_symbols, seed=seed)
        got = assert_same(model, text, lengths)
        outcomes.add((bool(got.stopped.any()), bool((~got.stopped).any()), len(set(got.mel_lengths.tolist())) > 1))
    assert (True, True, True) in outcomes  # at least one batch mixed both ways, with different lengths


def test_training_mode_dropouts_draw_the_same_numbers(make_config):
    model = Tacotron2(make_config()).train()
    text, lengths = random_text(3, model.config.n_symbols, seed=3)
    assert_same(model, text, lengths)


def test_outputs_are_ordinary_tensors_in_every_mode(make_config):
    model = Tacotron2(make_config(prenet_dropout=0.0, max_decoder_steps=6)).eval()
    text, lengths = random_text(2, model.config.n_symbols, seed=1)
    out = model.infer(text, lengths)
    assert not any(t.is_inference() for t in out)
    with torch.inference_mode():
        again = model.infer(text, lengths)
    assert all(torch.equal(a, b) for a, b in zip(out, again))
    # Called with autograd on, the decoder loop records a graph (no inference mode inside).
    memory = model.encode(text, lengths)
    mask = lengths_to_mask(lengths, text.size(1))
    mel, alignments, steps, stopped = model.decoder.infer(memory, mask, torch.full((2,), 4))
    assert mel.requires_grad and mel.shape[2] == int(steps.max()) * model.config.n_frames_per_step
