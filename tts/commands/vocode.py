"""``tts vocode MEL -o out.wav --checkpoint PATH``: turn a mel-spectrogram into audio with WaveGlow."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np
import torch

import vocoder
from base.audio import save_wav
from base.checkpoint import CheckpointError, load_weights_only
from base.errors import TTSError
from tts.commands import add_command, add_waveglow_options
from tts.vocoding import check_sigma_denoise

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(subparsers, "vocode", run)
    parser.add_argument("mel", type=Path, help="mel-spectrogram, .npy or .pt, shape [80, frames]")
    parser.add_argument("-o", "--output", type=Path, required=True, help="output .wav")
    parser.add_argument("--checkpoint", type=Path, required=True, help="WaveGlow checkpoint")
    add_waveglow_options(parser)
    parser.add_argument("--device", default="cpu", help="torch device, e.g. cpu or cuda")


def load_mel(path: Path) -> torch.Tensor:
    """Read a mel-spectrogram from ``.npy`` or ``.pt``; returns float32 ``[n_mels, frames]``."""
    if not path.is_file():
        raise TTSError(f"{path}: no such mel file")
    try:
        if path.suffix == ".npy":
            mel = torch.from_numpy(np.load(path, allow_pickle=False))
        elif path.suffix == ".pt":
            mel = load_weights_only(path)  # its errors name the file, and never advise an unsafe load
        else:
            raise TTSError(f"{path}: a mel file must end in .npy or .pt")
    except CheckpointError as exc:
        raise TTSError(f"cannot read the mel: {exc}") from None
    except (ValueError, OSError, RuntimeError, EOFError) as exc:
        # numpy's refusal of object arrays names allow_pickle; a mel never needs pickles.
        reason = "it holds Python objects, not numbers" if "allow_pickle" in str(exc) else str(exc)
        raise TTSError(f"{path}: cannot read mel-spectrogram: {reason}") from None
    if not isinstance(mel, torch.Tensor):
        raise TTSError(f"{path}: holds a {type(mel).__name__}, expected a tensor of shape [80, frames]")
    if mel.dim() == 3 and mel.size(0) == 1:
        mel = mel[0]
    if mel.dim() != 2 or not mel.is_floating_point():
        raise TTSError(
            f"{path}: mel must be a float array of shape [n_mels, frames], got {tuple(mel.shape)} of {mel.dtype}"
        )
    if mel.size(1) == 0:
        raise TTSError(f"{path}: mel has no frames")
    if not torch.isfinite(mel).all():
        raise TTSError(f"{path}: mel holds NaN or infinite values")
    return mel.float()


def check_device(device: str) -> None:
    """Refuse a device this torch cannot use, with a line saying why."""
    try:
        parsed = torch.device(device)
    except RuntimeError as exc:
        raise TTSError(f"--device {device!r}: {exc}") from None
    if parsed.type == "cuda" and not torch.cuda.is_available():
        raise TTSError(f"--device {device}: this PyTorch has no CUDA GPU available; use --device cpu")


def run(args: argparse.Namespace) -> int:
    """Synthesize audio from a mel-spectrogram with a WaveGlow checkpoint.

    Synthesise a WAV file from a mel-spectrogram (.npy or .pt, shape [80, frames]) with a WaveGlow
    checkpoint: this project's, NVIDIA's train.py output (e.g. waveglow_256channels_universal_v5.pt)
    or DeepLearningExamples'.
    """
    if args.output.suffix.lower() != ".wav":
        raise TTSError(f"{args.output}: the output must be a .wav file")
    check_sigma_denoise(args.sigma, args.denoise, prefix="--")
    check_device(args.device)
    mel = load_mel(args.mel)
    loaded = vocoder.read_checkpoint(args.checkpoint)
    model, mel_config = vocoder.load_checkpoint(loaded, args.device), vocoder.mel_config_of(loaded)
    if mel.size(0) != model.config.n_mel_channels:
        raise TTSError(
            f"{args.mel}: has {mel.size(0)} mel channels but the vocoder expects "
            f"{model.config.n_mel_channels}; mel shape must be [{model.config.n_mel_channels}, frames]"
        )
    generator = torch.Generator().manual_seed(args.seed) if args.seed is not None else None
    audio = model.infer(mel.unsqueeze(0).to(args.device), sigma=args.sigma, generator=generator)
    if args.denoise > 0:
        audio = vocoder.Denoiser(model)(audio, strength=args.denoise)
    if not bool(torch.isfinite(audio).all()):
        raise TTSError(
            f"{args.mel}: the vocoder produced non-finite samples; {args.output} was not written "
            "(is the mel a log-mel of finite values?)"
        )
    save_wav(args.output, audio[0], mel_config.sampling_rate)
    log.info(
        "wrote %s: %.2f s at %d Hz",
        args.output,
        audio.size(1) / mel_config.sampling_rate,
        mel_config.sampling_rate,
    )
    return 0
