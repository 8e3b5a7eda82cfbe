"""One-command recipes: from raw data to a voice that speaks, stage by stage, resumable.

Each ``recipes/<name>/run.sh`` names a :class:`Recipe` (its language, its synthetic speakers) and
calls :func:`main`; the logic lives here, once. Stages (ESPnet style, ``--stage N --stop-stage M``):

0. data: the real corpus given by ``--corpus FORMAT:PATH``, else a synthetic espeak-ng corpus;
1. prepare: validate, trim, normalize, cache mels (``tts prepare``);
2. train (or fine-tune) the acoustic model;
3. train (or fine-tune) the vocoder;
4. synthesize the validation sentences to wavs and write a report;
5. bundle the voice (``OUT/voice``, ``tts export voice``), the recipe's command in its ``voice.json``,
   and write its listening report (``OUT/report/index.html``, ``tts report``).

Every stage is resumable and idempotent: a finished stage is skipped, an interrupted one goes on
from where it stopped (the corpus from its finished wavs, preparation from its cached mels,
training from its last checkpoint).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from base.errors import TTSError

log = logging.getLogger(__name__)

N_STAGES = 6


@dataclass(frozen=True)
class Recipe:
    """What differs between recipes, set in each ``recipes/<name>/run.sh``: the language, the
    corpus format a bare ``--corpus PATH`` is read as, and the synthetic corpus used without a
    real one (its espeak-ng voice follows the language: ``en``, ``hi`` or ``bn``).

    ``finetune`` recipes adapt a trained voice (``--from-run``) to a new speaker: their synthetic
    corpus is spoken by voices the base corpus does not have (``first_speaker``).
    """

    name: str
    language: str
    corpus_format: str = "manifest"
    utterances: int = 600
    speakers: int = 2
    first_speaker: int = 0
    finetune: bool = False


def build_parser(recipe: Recipe) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"recipes/{recipe.name}/run.sh",
        description=f"The {recipe.name} recipe ({recipe.language}): data, prepare, train acoustic, "
        "train vocoder, synthesize. "
        + ("Fine-tunes the voice of --from-run on a new speaker." if recipe.finetune else ""),
    )
    parser.add_argument("--stage", type=int, default=0, help="first stage to run (0-5)")
    parser.add_argument("--stop-stage", type=int, default=N_STAGES - 1, help="last stage to run (0-5)")
    parser.add_argument("--config", default="tiny", help="training preset (tiny, base) or a .yaml/.json file")
    parser.add_argument(
        "--acoustic-config", default=None, help="the acoustic stage's preset or file (default --config)"
    )
    parser.add_argument(
        "--vocoder-config", default=None, help="the vocoder stage's preset or file (default --config; e.g. small)"
    )
    parser.add_argument("--out", type=Path, default=Path("exp") / recipe.name, help="run directory")
    parser.add_argument(
        "--data-dir", type=Path, default=Path("data") / recipe.name, help="where the corpus and prepared features go"
    )
    parser.add_argument(
        "--corpus",
        default=None,
        help=f"a real corpus as [FORMAT:]PATH, FORMAT one of ljspeech, indictts, syspin, openslr, "
        f"manifest (default {recipe.corpus_format})",
    )
    parser.add_argument("--utterances", type=int, default=recipe.utterances, help="synthetic corpus size")
    parser.add_argument(
        "--text-input",
        choices=("characters", "phonemes"),
        default="phonemes",
        help="what the acoustic model reads: espeak-ng IPA (default) or the normalized letters",
    )
    parser.add_argument("--speakers", type=int, default=recipe.speakers, help="synthetic speakers")
    parser.add_argument("--acoustic-steps", type=int, default=None, help="override the preset's max_steps")
    parser.add_argument("--vocoder-steps", type=int, default=None, help="override the preset's max_steps")
    parser.add_argument(
        "--vocoder-from",
        type=Path,
        default=None,
        help="use the vocoder of another run directory (e.g. a shared one) instead of training one",
    )
    parser.add_argument("--eval-sentences", type=int, default=10, help="sentences synthesized in stage 4")
    parser.add_argument(
        "--report-sentences",
        type=int,
        default=2,
        help="sentences per language in stage 5's listening report (OUT/report; 0: none)",
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel processes for data")
    parser.add_argument("--seed", type=int, default=0)
    if recipe.finetune:
        parser.add_argument(
            "--from-run",
            type=Path,
            default=Path("exp") / "hinglish",
            help="run directory of the voice to adapt (its acoustic/ and vocoder/)",
        )
        parser.add_argument("--freeze", default="", help="acoustic modules to keep fixed, e.g. encoder")
    return parser


def main(recipe: Recipe, argv: Sequence[str] | None = None) -> int:
    """Run ``recipe`` with command-line ``argv``; returns the exit status."""
    args = build_parser(recipe).parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        run(recipe, args)
    except TTSError as exc:
        print(f"recipes/{recipe.name}: error: {exc}", file=sys.stderr)
        return 2
    return 0


def run(recipe: Recipe, args: argparse.Namespace) -> None:
    if not 0 <= args.stage <= args.stop_stage < N_STAGES:
        raise TTSError(f"need 0 <= --stage <= --stop-stage <= {N_STAGES - 1}, got {args.stage} and {args.stop_stage}")
    corpus_format, corpus_path = _corpus(recipe, args)
    stages = {
        0: lambda: _stage_data(recipe, args, corpus_format, corpus_path),
        1: lambda: _stage_prepare(recipe, args, corpus_format, corpus_path),
        2: lambda: _stage_train(recipe, args, "acoustic", args.acoustic_steps),
        3: lambda: _stage_train(recipe, args, "vocoder", args.vocoder_steps),
        4: lambda: _stage_synthesize(recipe, args),
        5: lambda: _stage_voice(recipe, args),
    }
    for stage in range(args.stage, args.stop_stage + 1):
        log.info("recipe %s: stage %d", recipe.name, stage)
        stages[stage]()


def _corpus(recipe: Recipe, args: argparse.Namespace) -> tuple[str, Path]:
    """The corpus of ``--corpus [FORMAT:]PATH``, or the synthetic one of stage 0."""
    from tts.corpora import FORMATS

    if args.corpus is None:
        return "manifest", args.data_dir / "corpus"
    corpus_format, sep, path = args.corpus.partition(":")
    if sep and corpus_format in FORMATS:
        if not path:
            raise TTSError(f"--corpus {args.corpus!r}: the path is missing after {corpus_format}:")
        return corpus_format, Path(path)
    if sep and "/" not in corpus_format:
        raise TTSError(
            f"--corpus {args.corpus!r}: unknown corpus format {corpus_format!r}; "
            f"use one of {', '.join(sorted(FORMATS))}"
        )
    return recipe.corpus_format, Path(args.corpus)


def _stage_data(recipe: Recipe, args: argparse.Namespace, corpus_format: str, corpus_path: Path) -> None:
    if args.corpus is not None:
        if not corpus_path.exists():
            raise TTSError(f"--corpus: {corpus_path} does not exist")
        log.info("stage 0: using the %s corpus at %s", corpus_format, corpus_path)
        return
    from tts.corpora.synthetic import synthesize_corpus

    report = synthesize_corpus(
        corpus_path,
        recipe.language,
        args.utterances,
        speakers=args.speakers,
        seed=args.seed,
        first_speaker=recipe.first_speaker,
    )
    log.info(
        "stage 0: %d utterances (%d new), %.1f minutes, speakers %s",
        report.utterances,
        report.synthesized,
        report.audio_seconds / 60,
        ", ".join(report.speakers),
    )


def _stage_prepare(recipe: Recipe, args: argparse.Namespace, corpus_format: str, corpus_path: Path) -> None:
    from tts.prepare import prepare_corpus

    report = prepare_corpus(
        corpus_format,
        corpus_path,
        recipe.language,
        args.data_dir / "prepared",
        text_input=args.text_input,
        workers=args.workers,
    )
    log.info(
        "stage 1: kept %d of %d utterances (%.2f h); dropped %s",
        report["kept"],
        report["utterances_read"],
        report["hours"],
        report["dropped"] or "none",
    )


def _stage_train(recipe: Recipe, args: argparse.Namespace, stage: str, max_steps: int | None) -> None:
    from tts.training.config import read_config_file

    if stage == "vocoder" and args.vocoder_from is not None:
        log.info("stage 3: using the vocoder of %s", _latest_checkpoint(args.vocoder_from / "vocoder"))
        return
    from tts.training.stage import train_stage
    from tts.training.state import CheckpointDirectory

    out = args.out / stage
    config = getattr(args, f"{stage}_config") or args.config
    target = max_steps if max_steps is not None else read_config_file(stage, config).training.get("max_steps")
    latest = CheckpointDirectory(out / "checkpoints", keep_last=1).latest()
    done = _trained_steps(latest)
    if latest is not None and target is not None and done >= target:
        log.info("stage %s: already trained (%d steps)", stage, done)
        return
    init_from, freeze = None, ()
    if recipe.finetune:
        init_from = _latest_checkpoint(args.from_run / stage)
        if stage == "acoustic":
            freeze = tuple(n.strip() for n in args.freeze.split(",") if n.strip())
    result = train_stage(
        stage,
        args.data_dir / "prepared",
        config,
        out,
        resume=latest is not None,
        max_steps=max_steps,
        init_from=init_from,
        freeze=freeze,
    )
    log.info("stage %s: trained to step %d", stage, result["step"])


def _trained_steps(checkpoint: Path | None) -> int:
    if checkpoint is None:
        return 0
    payload = torch.load(checkpoint, map_location="cpu", weights_only=True, mmap=True)
    return int(payload.get("training", {}).get("step", 0))


def _latest_checkpoint(run_dir: Path) -> Path:
    from tts.training.state import CheckpointDirectory

    latest = CheckpointDirectory(run_dir / "checkpoints", keep_last=1).latest()
    if latest is None:
        raise TTSError(
            f"no checkpoint in {run_dir / 'checkpoints'}: train the base voice first "
            "(e.g. python recipes/hinglish/run.sh) or point --from-run at its run directory"
        )
    return latest


def _stage_synthesize(recipe: Recipe, args: argparse.Namespace) -> None:
    """Synthesize the first validation sentences and write ``samples/report.json``."""
    import tempfile

    import soundfile

    from base.audio import save_wav
    from tts.bundle import export_voice
    from tts.training.data import read_split
    from tts.voice import load_voice

    samples = args.out / "samples"
    samples.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="voice-", dir=samples) as scratch:
        # The latest checkpoints as a full-precision voice: what stage 5 bundles, before fp16.
        voice = load_voice(
            export_voice(
                _latest_checkpoint(args.out / "acoustic"),
                _vocoder_checkpoint(args),
                Path(scratch) / recipe.name,
                half=False,
            )
        )
    rows = []
    # The prepared text is what the model reads (letters or phonemes): its ids, not text to normalize.
    index = {symbol: i for i, symbol in enumerate(voice.manifest.symbols)}
    for item in read_split(args.data_dir / "prepared", "val")[: args.eval_sentences]:
        speaker = voice.speakers.index(item.speaker) if item.speaker in voice.speakers else 0
        language = item.language if item.language in voice.languages else None
        [(mel, stopped)] = voice.mel_ids([[index[ch] for ch in item.text]], language, speaker)
        audio = torch.from_numpy(voice.vocode(voice.postfiltered(mel), seed=args.seed))
        path = save_wav(samples / f"{item.utt_id}.wav", audio, voice.sample_rate)
        rows.append(
            {
                "utt_id": item.utt_id,
                "text": item.text,
                "wav": str(path),
                "seconds": round(audio.numel() / voice.sample_rate, 3),
                "reference_seconds": round(soundfile.info(str(item.audio)).duration, 3),
                "stopped_by_gate": stopped,
                "rms": round(float(audio.pow(2).mean().sqrt()), 5),
            }
        )
    report = {
        "recipe": recipe.name,
        "language": recipe.language,
        "sentences": len(rows),
        "stopped_by_gate": sum(r["stopped_by_gate"] for r in rows),
        "losses": {stage: _loss_ends(args.out / stage / "metrics.jsonl") for stage in ("acoustic", "vocoder")},
        "samples": rows,
    }
    tmp = samples / ".report.json.tmp"
    tmp.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, samples / "report.json")
    log.info(
        "stage 4: %d sentences in %s, %d stopped by the gate; losses %s",
        len(rows),
        samples,
        report["stopped_by_gate"],
        report["losses"],
    )


def _vocoder_checkpoint(args: argparse.Namespace) -> Path:
    return _latest_checkpoint((args.vocoder_from or args.out) / "vocoder")


def _stage_voice(recipe: Recipe, args: argparse.Namespace) -> None:
    """Bundle the trained models as a voice in ``OUT/voice``, recording how they were made."""
    from tts.bundle import export_voice

    training = {
        "recipe": recipe.name,
        "commands": [command_line(recipe, args)],
        "corpus": args.corpus
        or f"synthetic espeak-ng, {args.utterances} utterances, {args.speakers} speakers, seed {args.seed}",
        "data_dir": str(args.data_dir / "prepared"),
    }
    wall = _wall_seconds(args.out / "acoustic" / "metrics.jsonl")
    if wall is not None:
        training["acoustic_wall_seconds"] = wall
    if args.vocoder_from is not None:
        training["vocoder_from"] = str(args.vocoder_from)
        # The shared vocoder's own recipe command comes first, so the list reproduces the voice.
        source = args.vocoder_from / "voice" / "voice.json"
        if source.is_file():
            commands = json.loads(source.read_text(encoding="utf-8")).get("training", {}).get("commands", [])
            training["commands"] = commands[:1] + training["commands"]
    out = export_voice(
        _latest_checkpoint(args.out / "acoustic"),
        _vocoder_checkpoint(args),
        args.out / "voice",
        name=recipe.name,
        training=training,
        data_dir=args.data_dir / "prepared",
    )
    log.info("stage 5: voice %s written to %s; use it with `tts synth --voice %s`", recipe.name, out, out)
    if args.report_sentences > 0:
        _report(out, args.out / "report", args.report_sentences)


def _report(bundle: Path, out: Path, sentences: int) -> None:
    """The listening report of the run's voice (``tts report``), when matplotlib is there to draw it."""
    try:
        import matplotlib  # noqa: F401
    except ModuleNotFoundError:
        from tts.report import REPORT_EXTRA_HINT

        log.warning("stage 5: no listening report: it draws with matplotlib (%s)", REPORT_EXTRA_HINT)
        return
    from tts.report.build import INDEX, write_report
    from tts.voice import load_voice

    write_report(load_voice(bundle), out, sentences=sentences)
    log.info("stage 5: listening report %s (open it in a browser)", out / INDEX)


def command_line(recipe: Recipe, args: argparse.Namespace) -> str:
    """The recipe command that reproduces this run, every setting that shapes the models spelled out."""
    parts = [f"python recipes/{recipe.name}/run.sh"]
    if args.corpus:
        parts.append(f"--corpus {args.corpus}")
    else:
        parts.append(f"--utterances {args.utterances} --speakers {args.speakers} --seed {args.seed}")
    parts.append(f"--text-input {args.text_input}")
    for stage in ("acoustic", "vocoder"):
        config = getattr(args, f"{stage}_config") or args.config
        steps = getattr(args, f"{stage}_steps")
        if stage == "vocoder" and args.vocoder_from is not None:
            parts.append(f"--vocoder-from {args.vocoder_from}")
            continue
        parts.append(f"--{stage}-config {config}")
        if steps is not None:
            parts.append(f"--{stage}-steps {steps}")
    return " ".join(parts)


PAUSE_SECONDS = 600.0  # no step or validation takes this long: a longer gap between records is a pause


def training_clock(metrics: Path) -> list[tuple[dict[str, Any], float]]:
    """The timed records of a run's ``metrics.jsonl``, each with the wall seconds the run had spent
    training when it was logged: from the first record, less the pauses between a stop and its
    resume (gaps between consecutive records longer than :data:`PAUSE_SECONDS`)."""
    records = [json.loads(line) for line in metrics.read_text(encoding="utf-8").splitlines() if '"time"' in line]
    clock, elapsed = [], 0.0
    for previous, record in zip([None, *records], records):
        if previous is not None:
            gap = record["time"] - previous["time"]
            elapsed += gap if gap <= PAUSE_SECONDS else 0.0
        clock.append((record, elapsed))
    return clock


def _wall_seconds(metrics: Path) -> float | None:
    """Wall time a run spent training (:func:`training_clock` at its last record)."""
    if not metrics.is_file():
        return None
    clock = training_clock(metrics)
    return round(clock[-1][1], 1) if len(clock) > 1 else None


def _loss_ends(metrics: Path) -> dict[str, float] | None:
    """First and last logged training loss (mean of up to 10 steps each) of a run."""
    if not metrics.is_file():
        return None
    losses = [json.loads(line)["loss"] for line in metrics.read_text(encoding="utf-8").splitlines() if '"loss"' in line]
    if not losses:
        return None
    k = min(10, len(losses))
    return {"first": round(sum(losses[:k]) / k, 4), "last": round(sum(losses[-k:]) / k, 4), "steps": len(losses)}
