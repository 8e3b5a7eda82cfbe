"""``tts mel WAV -o MEL.npy``: the mel-spectrogram of an audio file, as both stages see it."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np
import torch

from base.audio import MelConfig, load_wav, mel_spectrogram
from base.errors import TTSError
from tts.commands import add_command

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(subparsers, "mel", run)
    parser.add_argument("wav", type=Path, help="input audio (any format libsndfile reads)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="output .npy or .pt")


def run(args: argparse.Namespace) -> int:
    """Compute the log-mel spectrogram of an audio file.

    Compute the 80-band log-mel spectrogram (NVIDIA Tacotron2/WaveGlow definition) of an audio
    file, resampled to 22050 Hz, and save it as .npy or .pt of shape [80, frames].
    """
    if args.output.suffix not in (".npy", ".pt"):
        raise TTSError(f"{args.output}: the output must end in .npy or .pt")
    config = MelConfig()
    audio = load_wav(args.wav, config.sampling_rate)
    if audio.numel() <= config.filter_length // 2:
        raise TTSError(
            f"{args.wav}: {audio.numel()} samples is too short for a mel-spectrogram "
            f"(need more than {config.filter_length // 2} at {config.sampling_rate} Hz)"
        )
    mel = mel_spectrogram(audio, config)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    if args.output.suffix == ".npy":
        np.save(args.output, mel.numpy())
    else:
        torch.save(mel, args.output)
    log.info("wrote %s: mel of shape %s", args.output, tuple(mel.shape))
    return 0
