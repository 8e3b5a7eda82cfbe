"""Vocoder quality against training wall time: the experiment table of issue 13.

    python benchmarks/vocoder_curve.py --voice tts/voices/hinglish \
        --run small-stft=exp/vocoder-exp/small-stft --minutes 15,30,60,120 \
        [--sentences 12] [--workdir exp/eval-cache] [--json benchmarks/results/vocoder-curve.json]

For each run (a ``tts train vocoder`` folder) and each budget, the last checkpoint written within
that many minutes of training wall time (``metrics.jsonl``'s clock from the first step, less pauses
between a stop and a resume, as the recipes count it) copy-synthesizes the same held-out
espeak-ng references as ``tts eval --vocoder-only`` (the unseen set's sentences of the voice's
first language, which no corpus contains), with the same latent noise (seed and sigma of
``tts eval``), and is scored by wide-band PESQ and STOI beside Griffin-Lim on the same references.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from pathlib import Path

import tts
import vocoder
from base.files import atomic_write_text
from tts.eval import evaluate_voice
from tts.recipes import training_clock
from tts.torch_parts import TorchWaveGlow


def step_wall_seconds(metrics: Path) -> dict[int, float]:
    """Training wall seconds at each logged step (:func:`tts.recipes.training_clock`)."""
    return {record["step"]: elapsed for record, elapsed in training_clock(metrics) if "loss" in record}


def checkpoint_within(run: Path, seconds: float) -> tuple[Path, int, float] | None:
    """The last step checkpoint of ``run`` written within ``seconds`` of training:
    ``(path, step, wall seconds)``, or None when none is that early."""
    walls = step_wall_seconds(run / "metrics.jsonl")
    best = None
    for path in sorted((run / "checkpoints").glob("step_*.pt")):
        step = int(re.findall(r"\d+", path.stem)[-1])
        if step in walls and walls[step] <= seconds and (best is None or step > best[1]):
            best = (path, step, walls[step])
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voice", required=True, help="voice whose mel definition and references are used")
    parser.add_argument(
        "--run",
        action="append",
        required=True,
        metavar="NAME=FOLDER",
        help="a vocoder training run; repeat for several",
    )
    parser.add_argument("--minutes", default="15,30,60,120", help="training budgets, comma-separated")
    parser.add_argument("--sentences", type=int, default=12, help="references to copy-synthesize")
    parser.add_argument("--workdir", default=None, help="cache of espeak-ng references (tts eval --workdir)")
    parser.add_argument("--json", type=Path, default=None, help="write the table here")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    voice = tts.load_voice(args.voice)
    budgets = [float(m) for m in args.minutes.split(",")]
    compare, keys, rows = {}, {}, []
    for spec in args.run:
        name, _, folder = spec.partition("=")
        run = Path(folder)
        for minutes in budgets:
            found = checkpoint_within(run, minutes * 60)
            if found is None:
                rows.append({"run": name, "minutes": minutes, "checkpoint": None})
                continue
            path, step, wall = found
            if path not in keys:  # one checkpoint may be the latest within several budgets
                keys[path] = f"{name}@{step}"
                checkpoint = vocoder.read_checkpoint(path)
                compare[keys[path]] = voice.with_vocoder(
                    TorchWaveGlow(vocoder.load_checkpoint(checkpoint)), checkpoint.mel_config, source=str(path)
                )
            rows.append(
                {
                    "run": name,
                    "minutes": minutes,
                    "checkpoint": str(path),
                    "step": step,
                    "wall_minutes": round(wall / 60, 1),
                    "key": keys[path],
                }
            )
    result = evaluate_voice(
        voice,
        workdir=args.workdir,
        vocoder_sentences=args.sentences,
        compare=compare,
        acoustic=False,
        sentences=args.sentences,
    )
    scores = result["vocoder"]
    for row in rows:
        key = row.pop("key", None)
        if key is not None:
            row.update({k: scores["compared"][key][k] for k in ("pesq", "stoi")})
    table = {
        "command": "python benchmarks/vocoder_curve.py " + " ".join(sys.argv[1:]),
        "voice": result["voice"],
        "references": scores["sentences"],
        "language": scores["language"],
        "settings": {k: result["settings"][k] for k in ("set", "waveglow", "griffinlim", "pesq", "stoi")},
        "griffinlim": {k: scores["griffinlim"][k] for k in ("pesq", "stoi")},
        "bundled_waveglow": {k: scores["waveglow"][k] for k in ("pesq", "stoi")},
        "runs": rows,
    }
    print(f"{'run':<16} {'budget':>7} {'step':>6} {'wall min':>8} {'PESQ':>6} {'STOI':>6}")
    for row in rows:
        if row.get("checkpoint"):
            print(
                f"{row['run']:<16} {row['minutes']:>7g} {row['step']:>6} {row['wall_minutes']:>8} "
                f"{row['pesq']:>6.3f} {row['stoi']:>6.3f}"
            )
        else:
            print(f"{row['run']:<16} {row['minutes']:>7g}   (no checkpoint that early)")
    print(
        f"{'griffin-lim':<16} {'':>7} {'':>6} {'':>8} {table['griffinlim']['pesq']:>6.3f} "
        f"{table['griffinlim']['stoi']:>6.3f}"
    )
    if args.json:
        atomic_write_text(args.json, json.dumps(table, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
