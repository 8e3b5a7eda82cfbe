"""``tts corpus synth|info``: make a synthetic espeak-ng corpus, or describe a corpus on disk."""

from __future__ import annotations

import argparse
import inspect
from pathlib import Path

from rich.console import Console
from rich.table import Table

from base.errors import TTSError
from tts.commands import add_command, seed
from tts.corpora import FORMATS, read_corpus
from tts.corpora.registry import get_reader
from tts.corpora.summary import summarize
from tts.corpora.synthetic import SPEAKER_STYLES, VOICES, synthesize_corpus


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "corpus",
        help="make a synthetic corpus (espeak-ng) or describe a corpus",
        description="Corpus tools: `synth` speaks generated sentences with espeak-ng into a manifest "
        "corpus; `info` reads a corpus in one of the known layouts and prints speakers and hours.",
    )
    actions = parser.add_subparsers(dest="corpus_command", metavar="ACTION", required=True)

    synth = add_command(actions, "synth", _synth)
    synth.add_argument("--lang", required=True, choices=list(VOICES), help="language of the sentences")
    synth.add_argument("--utterances", type=int, required=True, help="number of sentences")
    synth.add_argument("--speakers", type=int, default=1, help=f"number of voices, 1-{len(SPEAKER_STYLES)}")
    synth.add_argument(
        "--first-speaker",
        type=int,
        default=0,
        help="index of the first voice: past another corpus's speakers gives new voices",
    )
    synth.add_argument("--out", type=Path, required=True, help="output folder (new, empty, or a previous run's)")
    synth.add_argument("--seed", type=seed, default=0, help="seed for the choice of sentences")
    synth.add_argument("--no-progress", action="store_true", help="do not show a progress bar")

    info = add_command(actions, "info", _info)
    info.add_argument("format", help=f"corpus layout: {', '.join(sorted(FORMATS))}")
    info.add_argument("path", type=Path, help="corpus folder or transcript file")
    info.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="reader option, e.g. speaker=asha or language=hi (repeatable)",
    )


def _synth(args: argparse.Namespace) -> int:
    """Speak generated sentences with espeak-ng into OUT/wavs + OUT/manifest.tsv.

    Speak generated everyday sentences with espeak-ng (22050 Hz) and write a `manifest` corpus:
    OUT/wavs/*.wav and OUT/manifest.tsv (path, text, speaker, language). Transcripts are as people
    type them (code-mixed ones mostly romanized). Each speaker is an espeak-ng voice variant with
    its own pitch and rate. The same --seed gives the same corpus; re-running resumes, keeping
    finished wavs.
    """
    report = synthesize_corpus(
        args.out,
        args.lang,
        args.utterances,
        speakers=args.speakers,
        seed=args.seed,
        first_speaker=args.first_speaker,
        progress=not args.no_progress,
    )
    print(
        f"wrote {report.manifest}: {report.utterances} utterances ({report.synthesized} synthesized, "
        f"{report.reused} kept from a previous run), {len(report.speakers)} speaker(s), "
        f"{report.audio_seconds / 60:.1f} min of audio\n"
        f"  speakers: {', '.join(report.speakers)}"
    )
    return 0


def _info(args: argparse.Namespace) -> int:
    """Read a corpus and print utterances and hours per speaker, and what its text covers.

    Read a corpus and print, per speaker, the number of utterances and hours of audio; entries that
    cannot be used are reported as warnings. Per language, the text's coverage: distinct words,
    phones and phone pairs (espeak-ng IPA), the share of the unseen evaluation set's words, phones
    and phone pairs that the corpus has, and a warning naming the language's common phones that
    the corpus never has.
    """
    options = parse_options(args.format, args.option)
    result = read_corpus(args.format, args.path, **options)
    table = Table(title=f"{args.path} ({args.format})")
    for column in ("speaker", "language", "utterances", "hours (h:mm:ss)", "unreadable"):
        table.add_column(column, justify="left" if column in ("speaker", "language") else "right")
    summaries = summarize(result.utterances)
    for summary in summaries:
        table.add_row(
            summary.speaker,
            ",".join(summary.languages),
            str(summary.utterances),
            _clock(summary.seconds),
            str(summary.unreadable),
        )
    table.add_row(
        "total",
        "",
        str(len(result.utterances)),
        _clock(sum(s.seconds for s in summaries)),
        str(sum(s.unreadable for s in summaries)),
        style="bold",
    )
    console = Console()
    console.print(table)
    if result.problems:
        print(f"{len(result.problems)} entries left out (the warnings above say which and why)")
    _print_coverage(console, result.utterances)
    return 0


def _print_coverage(console: Console, utterances: list) -> None:
    """Per language: what the text covers, against the unseen evaluation set, and missing phones."""
    import text
    from tts.corpora.coverage import measure, missing_phones
    from tts.evalsets import UNSEEN_LANGUAGES, unseen_sentences

    by_language: dict[str, list[str]] = {}
    for utt in utterances:
        try:
            code = text.resolve_language(utt.language).code if utt.language else None
        except text.TextError:
            code = None
        if code is not None:
            by_language.setdefault(code, []).append(utt.text)
    if not by_language:
        return
    # "unseen": the share of the evaluation set's word, phone and pair occurrences the text has.
    table = Table(title="text coverage (espeak-ng phones; unseen = share of the unseen evaluation set covered)")
    for column in ("language", "sentences", "words", "phones", "phone pairs", "unseen: words", "phones", "pairs"):
        table.add_column(column, justify="left" if column == "language" else "right")
    warnings = []
    for code, texts in sorted(by_language.items()):
        coverage = measure(_normalized(texts, code))
        against = ["—"] * 3
        if code in UNSEEN_LANGUAGES:
            shares = coverage.share_of(measure(text.normalize(s, code) for s in unseen_sentences(code)))
            against = [f"{100 * shares[k]:.1f} %" for k in ("words", "phones", "phone_pairs")]
        table.add_row(
            code,
            str(coverage.sentences),
            str(len(coverage.words)),
            str(len(coverage.phones)),
            str(len(coverage.pairs)),
            *against,
        )
        missing = missing_phones(coverage, code)
        if missing:
            warnings.append(
                f"warning: the {code} text never has the phones {' '.join(missing)}, which are common "
                f"in {code}; a voice trained on it cannot say them: add sentences that have them"
            )
    console.print(table)
    for line in warnings:
        print(line)


def _normalized(texts: list[str], code: str):
    import text

    for raw in texts:
        try:
            normalized = text.normalize(raw, code)
        except text.TextError:
            continue  # already reported by the reader's checks or left out of preparation
        if normalized.strip():
            yield normalized


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"


def parse_options(format_name: str, pairs: list[str]) -> dict[str, object]:
    """``["speaker=asha", "normalized=true"]`` -> keyword options for the format's reader.

    Values are strings, except for options whose default is a bool (``true``/``false``).
    """
    defaults = {name: p.default for name, p in inspect.signature(get_reader(format_name)).parameters.items()}
    options: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise TTSError(f"--option {pair!r}: write it as KEY=VALUE, e.g. --option language=hi")
        if isinstance(defaults.get(key), bool):
            if value.lower() not in ("true", "false"):
                raise TTSError(f"--option {pair!r}: {key} takes true or false")
            options[key] = value.lower() == "true"
        else:
            options[key] = value
    return options
