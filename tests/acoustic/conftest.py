"""Shared helpers for the acoustic tests: a tiny Tacotron2 config and synthetic utterances."""

from __future__ import annotations

import pytest
import torch

from acoustic import Tacotron2Config
from tts.testing import tacotron2_config


def tiny_config(**changes) -> Tacotron2Config:
    return tacotron2_config("tiny", **{"n_symbols": 12, "n_mel_channels": 20, **changes})


def pad_batch(texts: list[torch.Tensor], mels: list[torch.Tensor]):
    """Right-pad symbol sequences (with id 0) and (M, T) mels (with zeros) into a batch."""
    text_lengths = torch.tensor([len(t) for t in texts])
    mel_lengths = torch.tensor([m.size(1) for m in mels])
    text = torch.zeros(len(texts), int(text_lengths.max()), dtype=torch.long)
    mel = torch.zeros(len(mels), mels[0].size(0), int(mel_lengths.max()))
    for i, (t, m) in enumerate(zip(texts, mels)):
        text[i, : len(t)] = t
        mel[i, :, : m.size(1)] = m
    return text, text_lengths, mel, mel_lengths


def synthetic_utterances(lengths=(7, 10), n_symbols=12, n_mel=20, seed=0):
    """Utterances whose mel is a function of the symbols, so only a correct alignment fits them.

    Each symbol has a log-mel template (mean -5, like real log-mels); over a symbol's 3-5 frames
    the mel glides from its template to the next symbol's, and the last symbol glides into
    silence (-8), as coarticulation and a closing pause do in speech.
    """
    g = torch.Generator().manual_seed(seed)
    templates = -5.0 + 2.0 * torch.randn(n_symbols, n_mel, generator=g)
    texts, mels = [], []
    for length in lengths:
        text = torch.randint(1, n_symbols, (length,), generator=g)
        durations = torch.randint(3, 6, (length,), generator=g).tolist()
        points = torch.cat([templates[text], torch.full((1, n_mel), -8.0)])
        segments = []
        for i, d in enumerate(durations):
            w = (torch.arange(d) / d).unsqueeze(0)
            segments.append(points[i].unsqueeze(1) * (1 - w) + points[i + 1].unsqueeze(1) * w)
        texts.append(text)
        mels.append(torch.cat(segments, dim=1))
    return texts, mels


@pytest.fixture
def make_config():
    """Factory: ``make_config(**changes)`` gives the tiny config with ``changes`` applied."""
    return tiny_config


@pytest.fixture
def make_batch():
    """Factory: ``make_batch(lengths, seed)`` gives (text, text_lengths, mel, mel_lengths)."""

    def build(lengths=(7, 10), seed=0, n_symbols=12, n_mel=20):
        return pad_batch(*synthetic_utterances(lengths, n_symbols, n_mel, seed))

    return build


@pytest.fixture(autouse=True)
def one_thread():
    """Run on one thread: these tiny models gain nothing from more, and on a shared CI machine
    extra threads only spin against other jobs (the r=1 overfit test went from ~25 s to ~250 s)."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
