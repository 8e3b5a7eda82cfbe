"""Overfitting two short utterances: the loss falls, attention aligns, inference stops by the gate.

Tiny model, guided attention, a few hundred Adam steps; the figures are logged (run with
``-o log_cli=true --log-cli-level=INFO`` to see them).
"""

from __future__ import annotations

import logging

import pytest
import torch

from acoustic import Tacotron2, Tacotron2Loss

log = logging.getLogger(__name__)

# r -> training steps; r = 3 has a third of the decoder steps per utterance and needs fewer.
STEPS = {1: 300, 3: 200}


def train(config, batch, steps):
    text, text_lengths, mel, mel_lengths = batch
    model = Tacotron2(config)
    criterion = Tacotron2Loss(config)

    def teacher_forced_loss() -> float:
        model.eval()
        torch.manual_seed(1)  # the prenet's dropout stays on: fix its masks
        with torch.no_grad():
            loss = criterion(model(text, text_lengths, mel, mel_lengths), mel, mel_lengths, text_lengths).total.item()
        model.train()
        return loss

    before = teacher_forced_loss()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for step in range(steps):
        terms = criterion(model(text, text_lengths, mel, mel_lengths), mel, mel_lengths, text_lengths, step)
        optimizer.zero_grad()
        terms.total.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # as NVIDIA's train.py
        optimizer.step()
    return model.eval(), before, teacher_forced_loss()


@pytest.mark.slow
@pytest.mark.parametrize("r", [1, 3])
def test_overfit_two_utterances_aligns_and_stops(r, make_config, make_batch):
    torch.manual_seed(0)
    config = make_config(
        n_frames_per_step=r, guided_attention_weight=5.0, guided_attention_sigma=0.2, gate_positive_weight=10.0
    )
    batch = make_batch((7, 10))
    text, text_lengths, mel, mel_lengths = batch
    model, before, after = train(config, batch, STEPS[r])

    torch.manual_seed(2)
    out = model.infer(text, text_lengths)  # reference inference: prenet dropout on
    target_steps = (-(-mel_lengths // r)).tolist()
    steps = (out.mel_lengths // r).tolist()
    log.info(
        "r=%d: %d steps, teacher-forced loss %.3f -> %.4f (%.1f%% lower); inference stop "
        "step %s (target %s), stopped by gate %s",
        r,
        STEPS[r],
        before,
        after,
        100 * (1 - after / before),
        steps,
        target_steps,
        out.stopped.tolist(),
    )

    assert after <= 0.1 * before
    assert out.stopped.all(), "an item ran to the step limit instead of stopping by the gate"
    for i in range(2):
        n = int(text_lengths[i])
        assert abs(steps[i] - target_steps[i]) <= 0.25 * target_steps[i]
        path = out.alignments[i, : steps[i], :n].argmax(dim=1)
        # Monotonic: the attended symbol never moves back by more than one ...
        assert int((path[:-1] - path[1:]).max()) <= 1, path.tolist()
        # ... and it walks the whole text: from the start to (next to) the last symbol.
        assert int(path[0]) <= 1 and int(path[-1]) >= n - 2, path.tolist()

    # On this trained model, batched inference still equals per-item inference.
    exact = Tacotron2(config.replace(prenet_dropout=0.0)).eval()
    exact.load_state_dict(model.state_dict())
    batched = exact.infer(text, text_lengths)
    for i in range(2):
        n = int(text_lengths[i])
        alone = exact.infer(text[i : i + 1, :n], text_lengths[i : i + 1])
        t = int(alone.mel_lengths[0])
        assert int(batched.mel_lengths[i]) == t
        torch.testing.assert_close(batched.mel_postnet[i, :, :t], alone.mel_postnet[0], atol=1e-5, rtol=0)
