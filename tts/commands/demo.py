"""``tts demo``: the end-to-end check of what exists so far, with no trained voice needed.

Until a bundled voice ships, it takes the short recording shipped with the package (espeak-ng
saying "namaste, how are you"), computes its mel-spectrogram and vocodes it with a randomly
initialised WaveGlow of the published architecture. The output is noise shaped by an untrained
network, not speech: the demo proves the plumbing (audio I/O, mel features, WaveGlow synthesis)
and shows the CPU speed of the architecture, not a voice.
"""

from __future__ import annotations

import argparse
import logging
import time
from importlib import resources
from pathlib import Path

import numpy as np
import torch

import vocoder
from tts.audio import MelConfig, load_wav, mel_spectrogram, save_wav

log = logging.getLogger(__name__)

DEMO_WAV = "namaste.wav"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the pipeline on the shipped sample (random-weight WaveGlow until a voice ships)",
        description=__doc__.split("\n\n")[1],
    )
    parser.add_argument("-o", "--output-dir", type=Path, default=Path("out/demo"))
    parser.add_argument("--seed", type=int, default=0, help="seed for weights and synthesis")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out = args.output_dir
    config = MelConfig()
    with resources.as_file(resources.files("tts.assets") / DEMO_WAV) as wav_path:
        audio = load_wav(wav_path, config.sampling_rate)
    mel = mel_spectrogram(audio, config)
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "input_mel.npy", mel.numpy())

    torch.manual_seed(args.seed)
    model = vocoder.WaveGlow().eval()
    start = time.perf_counter()
    generated = model.infer(mel.unsqueeze(0), generator=torch.Generator().manual_seed(args.seed))
    seconds = time.perf_counter() - start
    save_wav(out / "vocoded_random_weights.wav", generated[0], config.sampling_rate)
    print(
        "No bundled voice yet: vocoded the mel of the shipped sample with a RANDOM-WEIGHT WaveGlow "
        "(the output is noise, not speech).\n"
        f"  input   {DEMO_WAV}: {audio.numel() / config.sampling_rate:.2f} s -> mel {tuple(mel.shape)}\n"
        "  model   WaveGlow, published 256-channel architecture, random weights\n"
        f"  output  {out / 'vocoded_random_weights.wav'}: "
        f"{generated.size(1) / config.sampling_rate:.2f} s of audio in {seconds:.1f} s on the CPU"
    )
    return 0
