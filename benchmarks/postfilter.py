"""What the spectral-contrast postfilter does to a voice's speech, measured on held-out sentences.

    python benchmarks/postfilter.py --voice tts/voices/hinglish --lang hinglish --lang en \
        [--sentences 30] [--betas 1.0,1.2,1.4,1.6] [--json benchmarks/results/postfilter-hinglish.json]

For each language: the voice's mels of N held-out phrasebook sentences (``tts eval --set
heldout``: outside the voice's training transcripts), postfiltered with each factor, vocoded by
Griffin-Lim and compared with espeak-ng's renderings of the same sentences, as ``tts eval`` does:

* sentence identification with the DTW of ``tts eval`` (Euclidean frame distances);
* the same with cosine frame distances, which ignore the features' scale: a uniform sharpening of
  the spectra cannot move it, so it tells how much of the postfilter's effect on the first is
  contrast, and how much is content the model got right or wrong;
* the MCD (DTW) of the postfiltered mel against the reference's;
* the spectral contrast of the references over the voice's: the RMS of the identification
  features' cepstra (c1-c12, utterance mean removed) of the reference audio divided by that of
  the voice's audio (1: as much contrast as espeak-ng; the postfilter's target direction).

Sentences come from the phrasebook with the held-out seed, so they are not the ``unseen`` set the
README's targets are measured on: the factor is chosen on one set and reported on the other.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np
import torch

import tts
from tts.eval.identification import ID_CEPS, audio_features, distance_matrix, identification_features, identify
from tts.eval.metrics import mcd_dtw
from tts.eval.references import HELD_OUT_SEED, held_out_sentences, make_references, reference_style, training_texts
from tts.griffinlim import griffin_lim
from tts.postfilter import postfilter
from tts.prepare import PrepareConfig


def cosine_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """1 - cosine similarity of the rows of ``a`` ``[n, d]`` and ``b`` ``[m, d]``: ``[n, m]``."""
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return 1.0 - a @ b.T


def identify_with(frame_distance, outputs: list[np.ndarray], references: list[np.ndarray]) -> dict:
    """:func:`tts.eval.identification.identify` of a distance matrix built with another frame distance."""
    return identify(distance_matrix(outputs, references, frame_distance=frame_distance)).summary()


def contrast(features: np.ndarray) -> float:
    return float(np.sqrt((features[:, :ID_CEPS] ** 2).sum(axis=1).mean()))


def measure(voice, language: str, sentences: int, betas: list[float], workdir: Path, data_dir: Path) -> dict:
    raw, normalized = training_texts(data_dir=data_dir)
    texts = held_out_sentences(language, sentences, raw, HELD_OUT_SEED, normalized)
    trim = PrepareConfig()
    references = make_references(texts, language, voice.mel_config, workdir, reference_style(voice, 0), trim)
    reference_features = [identification_features(r.mel) for r in references]
    mels = []
    for first in range(0, len(references), 8):
        batch = references[first : first + 8]
        mels += [mel for mel, _ in voice.mel([r.normalized for r in batch], language, 0)]
    rows = []
    for beta in betas:
        outputs = [postfilter(mel, beta) for mel in mels]
        features = [
            audio_features(griffin_lim(mel, voice.mel_config, seed=0), voice.mel_config, trim) for mel in outputs
        ]
        euclidean = identify(distance_matrix(features, reference_features)).summary()
        cosine = identify_with(cosine_distances, features, reference_features)
        ratios = [contrast(r) / contrast(f) for r, f in zip(reference_features, features)]
        rows.append(
            {
                "postfilter": beta,
                "identified": euclidean["identified"],
                "right_wrong_ratio": euclidean["right_wrong_ratio"],
                "identified_cosine": cosine["identified"],
                "right_wrong_ratio_cosine": cosine["right_wrong_ratio"],
                "mcd": round(float(np.mean([mcd_dtw(m, r.mel) for m, r in zip(outputs, references)])), 3),
                "contrast_reference_over_voice": round(float(np.mean(ratios)), 3),
            }
        )
        logging.info("%s beta %.2f: %s", language, beta, rows[-1])
    return {"sentences": len(references), "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voice", required=True)
    parser.add_argument("--lang", "--language", action="append", required=True, dest="language")
    parser.add_argument("--sentences", type=int, default=30)
    parser.add_argument("--betas", default="1.0,1.2,1.4,1.6")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="the voice's prepared training data (default: training.data_dir of voice.json)",
    )
    parser.add_argument("--workdir", type=Path, default=Path("exp/eval-cache"))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    torch.set_num_threads(args.threads)
    voice = tts.load_voice(args.voice, vocoder_kind="griffinlim", postfilter=1.0)
    data_dir = args.data_dir or Path(voice.manifest.training["data_dir"])
    betas = [float(b) for b in args.betas.split(",")]
    result = {
        "voice": voice.name,
        "path": str(args.voice),
        "set": f"heldout (seed {HELD_OUT_SEED})",
        "vocoder": "griffinlim",
        "languages": {},
    }
    for language in args.language:
        result["languages"][language] = measure(voice, language, args.sentences, betas, args.workdir, data_dir)
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
