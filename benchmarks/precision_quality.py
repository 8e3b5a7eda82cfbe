"""What int8 costs in quality, measured on a voice: fp32 against int8, the same inputs.

    python benchmarks/precision_quality.py --voice tts/voices/hinglish --workdir exp/eval-cache \\
        [--vocoder-sentences 60] [--identification] --json benchmarks/results/precision-quality-hinglish.json

* Copy synthesis: the unseen set's espeak-ng references of the voice's first language, vocoded
  by its WaveGlow in fp32 and in int8 with the same latent noise (``tts eval --vocoder-only``'s
  scoring, :func:`tts.eval.runner.evaluate_voice` with the int8 voice as a compared vocoder):
  PESQ (wide band) and STOI of each against the reference; and how far the int8 audio is from
  the fp32 audio (signal-to-error ratio).
* The acoustic model: the mel of every unseen sentence of every language the voice speaks, in
  fp32 and int8. Free running (what synthesis does): how many sentences stop on another step,
  and the mean squared difference over the frames both have; teacher forced on the fp32 mel
  (every step fed the same frames, so the difference is that of one step, not of a drifted
  path). Both against the mels' variance.
* With ``--identification``: ``tts eval``'s full unseen-set evaluation of the int8 voice
  (intelligibility: each output identified among the language's sentences against espeak-ng),
  written next to ``--json`` as ``eval-unseen-NAME-int8.json`` for comparison with the fp32
  voice's ``eval-unseen-NAME.json``.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

import acoustic
from base.cpu import low_precision
from tts.bench import write_json
from tts.eval.metrics import VOCODER_SEED, WAVEGLOW_SIGMA
from tts.eval.runner import evaluate_voice
from tts.evalsets import UNSEEN_SET, unseen_sentences
from tts.voice import Voice, load_voice


def snr_db(reference: np.ndarray, other: np.ndarray) -> float:
    n = min(reference.size, other.size)
    error = float(np.sum((reference[:n].astype(np.float64) - other[:n]) ** 2))
    return math.inf if error == 0 else 10 * math.log10(float(np.sum(reference[:n].astype(np.float64) ** 2)) / error)


def copy_synthesis(fp32: Voice, int8: Voice, sentences: int | None, workdir: str) -> dict[str, Any]:
    result = evaluate_voice(
        fp32, acoustic=False, vocoder_sentences=sentences, workdir=workdir, compare={"int8": int8}, progress=False
    )
    v = result["vocoder"]
    return {
        "language": v["language"],
        "sentences": v["sentences"],
        "references": f"{v['sentences']} {UNSEEN_SET} {v['language']} espeak-ng references",
        "waveglow_fp32": v["waveglow"],
        "waveglow_int8": v["compared"]["int8"],
        "griffinlim": v["griffinlim"],
    }


def waveglow_snr(fp32: Voice, int8: Voice, language: str, count: int) -> dict[str, float]:
    """int8 WaveGlow audio against fp32 audio (same noise) on the fp32 mels of ``count`` sentences."""
    ratios = []
    wg32, wg8 = fp32.using("waveglow"), int8.using("waveglow")
    for text in unseen_sentences(language)[:count]:
        mel, _ = fp32.mel([fp32.pieces(text, language)[0]], language)[0]
        a = wg32.vocode(mel, sigma=WAVEGLOW_SIGMA, seed=VOCODER_SEED)
        b = wg8.vocode(mel, sigma=WAVEGLOW_SIGMA, seed=VOCODER_SEED)
        ratios.append(snr_db(a, b))
    return {"sentences": len(ratios), "mean_snr_db": round(float(np.mean(ratios)), 2), "min_snr_db": min(ratios)}


def mels(fp32: Voice, int8: Voice) -> dict[str, Any]:
    out: dict[str, Any] = {}
    m32, m8 = fp32.acoustic.model, int8.acoustic.model  # type: ignore[attr-defined]
    for language in fp32.languages:
        free, forced, variance, differ, longest = [], [], [], 0, 0
        for text in unseen_sentences(language):
            piece = fp32.pieces(text, language)[0]
            (a, _), (b, _) = fp32.mel([piece], language)[0], int8.mel([piece], language)[0]
            n = min(a.shape[1], b.shape[1])
            differ += a.shape[1] != b.shape[1]
            longest = max(longest, abs(a.shape[1] - b.shape[1]))
            free.append(float(np.mean((a[:, :n] - b[:, :n]) ** 2)))
            variance.append(float(np.var(a)))
            ids = torch.tensor([fp32.text_processor.ids(piece)])
            lengths = torch.tensor([ids.size(1)])
            target = torch.from_numpy(a).unsqueeze(0)
            kwargs: dict[str, Any] = {}
            if m32.config.n_speakers:
                kwargs["speaker"] = torch.tensor([0])
            if m32.config.n_languages:
                kwargs["language"] = torch.tensor([fp32.language_id(language)])
            with torch.inference_mode():
                t32 = m32(ids, lengths, target, torch.tensor([a.shape[1]]), **kwargs).mel_postnet
                t8 = m8(ids, lengths, target, torch.tensor([a.shape[1]]), **kwargs).mel_postnet
            forced.append(float(((t32 - t8) ** 2).mean()))
        out[language] = {
            "sentences": len(free),
            "mel_variance": round(float(np.mean(variance)), 4),
            "free_running_mse": float(np.mean(free)),
            "teacher_forced_mse": float(np.mean(forced)),
            "length_differs": differ,
            "largest_length_difference_frames": longest,
        }
        print(f"{fp32.name} {language}: {out[language]}", flush=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--voice", required=True)
    parser.add_argument("--workdir", default="exp/eval-cache", help="the references' cache (tts eval's)")
    parser.add_argument("--vocoder-sentences", type=int, default=60)
    parser.add_argument("--snr-sentences", type=int, default=10)
    parser.add_argument("--identification", action="store_true", help="also tts eval's full run of the int8 voice")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument(
        "--min-weights",
        type=int,
        default=None,
        help="acoustic.quantize's threshold for the int8 voice's decoder (default: the library's; "
        "the bundled voices' small cells stay fp32 under it, 200000 makes them int8)",
    )
    parser.add_argument("--json", dest="json_path", type=Path, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.threads:
        torch.set_num_threads(args.threads)
    fp32, int8 = (load_voice(args.voice, precision=p) for p in ("fp32", "int8"))
    if args.min_weights is not None:
        int8.acoustic.model = acoustic.quantize(  # type: ignore[attr-defined]
            fp32.acoustic.model,  # type: ignore[attr-defined]
            min_weights=args.min_weights,
        )
    command = "python " + " ".join(sys.argv)
    record: dict[str, Any] = {
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": command,
        "voice": fp32.name,
        "int8_kernels": low_precision().reason,
        "int8_decoder": str(int8.acoustic.model.decoder.decoder_rnn),  # type: ignore[attr-defined]
    }
    record["copy_synthesis"] = copy_synthesis(fp32, int8, args.vocoder_sentences, args.workdir)
    print(f"copy synthesis: {record['copy_synthesis']}", flush=True)
    language = record["copy_synthesis"]["language"]
    record["waveglow_int8_vs_fp32"] = waveglow_snr(fp32, int8, language, args.snr_sentences)
    print(f"int8 WaveGlow against fp32: {record['waveglow_int8_vs_fp32']}", flush=True)
    record["mel"] = mels(fp32, int8)
    write_json(record, args.json_path)
    if args.identification:
        result = evaluate_voice(int8, workdir=args.workdir, vocoder_sentences=1, progress=False)
        result["settings"]["precision"] = "int8"
        result["settings"]["command"] = command
        path = args.json_path.with_name(f"eval-unseen-{fp32.name}-int8.json")
        write_json(result, path)
        print(f"written {path}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
