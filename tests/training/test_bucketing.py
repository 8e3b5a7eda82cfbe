"""Length-bucketed batches: every item once per epoch, little padding, same order on resume;
and the attention-focus figure of validation."""

from __future__ import annotations

import random

import pytest
import torch

from tts.training.acoustic_task import attention_focus
from tts.training.config import TrainingConfig
from tts.training.engine import _ResumableSampler

LENGTHS = [random.Random(i).randint(40, 700) for i in range(1000)]


def _sampler(epoch: int, bucket_windows: int, start: int = 0) -> _ResumableSampler:
    sampler = _ResumableSampler(
        list(range(len(LENGTHS))),
        num_replicas=1,
        rank=0,
        shuffle=True,
        seed=7,
        drop_last=True,
        lengths=LENGTHS,
        batch_size=8,
        bucket_windows=bucket_windows,
    )
    sampler.set_epoch(epoch)
    sampler.start = start
    return sampler


def _padding(order: list[int]) -> float:
    batches = [order[i : i + 8] for i in range(0, len(order) - 7, 8)]
    padded = sum(8 * max(LENGTHS[i] for i in b) for b in batches)
    return 1 - sum(LENGTHS[i] for b in batches for i in b) / padded


def test_bucketed_epochs_hold_every_item_once_with_far_less_padding():
    plain, bucketed = list(_sampler(0, 0)), list(_sampler(0, 32))
    assert sorted(bucketed) == sorted(plain) == list(range(len(LENGTHS)))
    assert _padding(plain) > 0.3 and _padding(bucketed) < 0.05


def test_bucketed_order_depends_on_seed_and_epoch_only_and_resumes_mid_epoch():
    first = list(_sampler(3, 32))
    assert first == list(_sampler(3, 32)) and first != list(_sampler(4, 32))
    assert list(_sampler(3, 32, start=40)) == first[40:]
    # Batches come in random order, not sorted by length over the epoch.
    means = [sum(LENGTHS[i] for i in first[b : b + 8]) for b in range(0, 64, 8)]
    assert means != sorted(means)


def test_negative_bucket_windows_is_refused():
    with pytest.raises(ValueError, match="bucket_windows must be >= 0"):
        TrainingConfig(bucket_windows=-1)


def test_attention_focus_is_one_for_hard_alignments_and_low_for_spread_ones():
    steps, symbols = 6, 10
    hard = torch.zeros(2, steps, symbols)
    hard[:, torch.arange(steps), torch.arange(steps)] = 1.0
    spread = torch.full((2, steps, symbols), 1.0 / symbols)
    lengths = torch.tensor([18, 9])  # 6 and 3 decoder steps at r = 3
    assert torch.allclose(attention_focus(hard, lengths, 3), torch.ones(2))
    assert torch.allclose(attention_focus(spread, lengths, 3), torch.full((2,), 0.1))
    hard[1, 3:] = 0.0  # past the item's steps: not counted
    assert attention_focus(hard, lengths, 3)[1] == pytest.approx(1.0)
