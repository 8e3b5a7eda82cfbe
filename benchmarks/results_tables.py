"""The measured figures of the docs, rendered from ``benchmarks/results/*.json``: never copied by hand.

    python benchmarks/results_tables.py          # rewrite docs/results.md and README.md's block
    python benchmarks/results_tables.py --check  # exit 1 if either is not what the JSON gives

Tables:

* the bundled voices on ``tts eval``'s unseen set (``eval-unseen-NAME.json``, and
  ``eval-unseen-NAME-no-postfilter.json`` for the column without the postfilter);
* copy synthesis of their vocoders (``vocoder-quality-NAME.json``);
* end-to-end speed of the default voice (``bench-e2e-hinglish.json``);
* the WaveGlow training experiments against wall time (``vocoder-curve.json``);
* ``tts serve`` under load (``serve-load-hinglish.json``, ``benchmarks/serve_load.py``).

README.md holds the first table between ``<!-- results:voices -->`` and ``<!-- /results:voices -->``,
docs/serve.md the load table between ``<!-- results:serve-load -->`` and its end marker;
docs/results.md holds them all. ``tests/test_docs_results.py`` runs ``--check``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
VOICES = ("hinglish", "benglish")
README_BLOCK = ("<!-- results:voices -->", "<!-- /results:voices -->")
SERVE_BLOCK = ("<!-- results:serve-load -->", "<!-- /results:serve-load -->")


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / name
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _identified(language: dict[str, Any], kind: str = "griffinlim") -> str:
    found = language["identification"][kind]
    return f"{found['identified']}/{found['sentences']}"


def voices_table() -> str:
    """Per voice and language: identification (default, and without the postfilter), MCD ratio,
    gate stops."""
    rows = [
        "| voice | language | identified | identified without the postfilter | right/wrong | MCD ratio | "
        "stopped by the gate |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for voice in VOICES:
        result = _load(f"eval-unseen-{voice}.json")
        plain = _load(f"eval-unseen-{voice}-no-postfilter.json") or {"languages": {}}
        if result is None:
            continue
        kind = result["settings"]["default_vocoder"]
        for code, language in result["languages"].items():
            without = plain["languages"].get(code)
            rows.append(
                f"| {voice} | {code} | {_identified(language, kind)} | "
                f"{_identified(without, kind) if without else 'not measured'} | "
                f"{language['identification'][kind]['right_wrong_ratio']:.3f} | {language['mcd_ratio']:.3f} | "
                f"{language['stopped_by_gate']}/{language['sentences']} |"
            )
    return "\n".join(rows)


def vocoder_quality_table() -> str:
    rows = ["| voice | references | WaveGlow PESQ / STOI | Griffin-Lim PESQ / STOI |", "| --- | ---: | ---: | ---: |"]
    for voice in VOICES:
        result = _load(f"vocoder-quality-{voice}.json")
        if result is None:
            continue
        v = result["vocoder"]
        rows.append(
            f"| {voice} | {v['sentences']} {v['language']} | {v['waveglow']['pesq']:.2f} / "
            f"{v['waveglow']['stoi']:.3f} | {v['griffinlim']['pesq']:.2f} / {v['griffinlim']['stoi']:.3f} |"
        )
    return "\n".join(rows)


def end_to_end_table() -> str:
    result = _load("bench-e2e-hinglish.json")
    if result is None:
        return "(not measured)"
    e2e, machine = result["end_to_end"], result["machine"]
    rows = [
        "| case | words | audio (s) | first audio (s) | total (s) | times real time |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for case in ("sentence", "paragraph"):
        r = e2e[case]
        rows.append(
            f"| {case} | {r['words']} | {r['audio_seconds']:.2f} | {r['first_audio_seconds']:.3f} | "
            f"{r['total_seconds']:.3f} | {r['x_realtime']:.1f} |"
        )
    rows.append("")
    rows.append(
        f"Voice {e2e['voice']} ({e2e['language']}, vocoder {e2e['vocoder']}), median of {e2e['sentence']['runs']} "
        f"runs, peak RSS {e2e['peak_rss_mb']:.0f} MB; {machine['cpu_model']}, {machine['physical_cores']} cores, "
        f"{machine['torch_threads']} torch threads, torch {machine['torch_version']}; measured {result['created']}."
    )
    return "\n".join(rows)


def vocoder_curve_table() -> str:
    result = _load("vocoder-curve.json")
    if result is None:
        return "(not measured)"
    rows = ["| run | budget (min) | step | wall (min) | PESQ | STOI |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for row in result["runs"]:
        if row.get("checkpoint") is None:
            rows.append(f"| {row['run']} | {row['minutes']:g} | | | no checkpoint that early | |")
            continue
        rows.append(
            f"| {row['run']} | {row['minutes']:g} | {row['step']} | {row['wall_minutes']} | {row['pesq']:.3f} | "
            f"{row['stoi']:.3f} |"
        )
    gl, bundled = result["griffinlim"], result["bundled_waveglow"]
    rows.append(
        f"| Griffin-Lim ({result['settings']['griffinlim']['n_iter']} iterations) | | | | {gl['pesq']:.3f} | {gl['stoi']:.3f} |"
    )
    rows.append(f"| bundled WaveGlow `small` | | 2000 | | {bundled['pesq']:.3f} | {bundled['stoi']:.3f} |")
    rows.append("")
    rows.append(f"{result['references']} held-out {result['language']} references of voice {result['voice']}.")
    for run, how in result.get("runs_trained_with", {}).items():
        rows.append(f"`{run}`: {how}.")
    return "\n".join(rows)


def serve_load_table() -> str:
    result = _load("serve-load-hinglish.json")
    if result is None:
        return "(not measured)"
    rows = [
        "| clients at once | requests | requests / s | latency p50 (s) | latency p95 (s) | audio / request (s) | "
        "audio s / wall s |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in result["runs"]:
        rows.append(
            f"| {run['concurrency']} | {run['requests']} | {run['requests_per_second']:.2f} | {run['latency_p50']:.3f} | "
            f"{run['latency_p95']:.3f} | {run['audio_seconds_per_request']:.2f} | {run['x_realtime']:.1f} |"
        )
    machine, server = result["machine"], result["server"]
    threads = server["torch_threads_per_job"]
    loads = [", ".join(f"{v:g}" for v in machine.get(key, [])) for key in ("load_average_before", "load_average_after")]
    rows.append("")
    rows.append(
        f'Voice {result["voice"]}, {result["endpoint"]}, text "{result["text"]}"; `tts serve --jobs {server["jobs"]}` '
        f"({threads} torch thread{'s' if threads > 1 else ''} per job) and the clients on one machine: "
        f"{machine['cpu_model']}, {machine['physical_cores']} cores, load average {loads[0]} before the run and "
        f"{loads[1] or 'not recorded'} after it.{' ' + machine['note'] if machine.get('note') else ''} Measured "
        f"{result['created']} with `{result['command']}`."
    )
    return "\n".join(rows)


def results_page() -> str:
    return "\n".join(
        [
            "# Measured results",
            "",
            "Generated by `python benchmarks/results_tables.py` from `benchmarks/results/*.json`; edit the",
            "JSON (by re-running the measurement), never this page. How each figure is measured: "
            "[voices](voices.md#bundled-voices), [performance](performance.md).",
            "",
            "## The bundled voices on the unseen set",
            "",
            "`tts eval --voice tts/voices/NAME --workdir exp/eval-cache --json benchmarks/results/eval-unseen-NAME.json`"
            " (and `--postfilter 1` for the column without the postfilter). 60 sentences per language written for"
            " evaluation and kept out of every corpus; identified: the voice's audio is nearest (DTW) to espeak-ng's"
            " rendering of the right sentence among the 60 (chance 1/60); MCD ratio: the acoustic model's MCD over"
            " that of the training set's mean frame.",
            "",
            voices_table(),
            "",
            "## Copy synthesis of the bundled vocoders",
            "",
            "`tts eval --voice tts/voices/NAME --vocoder-only --record-vocoder-quality` (wide-band PESQ 1-4.5, STOI 0-1);"
            " the better one is the voice's default vocoder.",
            "",
            vocoder_quality_table(),
            "",
            "## End-to-end speed",
            "",
            "`tts bench --voice hinglish --only end_to_end --threads 2 --repeats 3 --json benchmarks/results/bench-e2e-hinglish.json`",
            "",
            end_to_end_table(),
            "",
            "## WaveGlow training against wall time",
            "",
            f"`{(_load('vocoder-curve.json') or {}).get('command', 'python benchmarks/vocoder_curve.py')}` (the last "
            "checkpoint within each budget of training wall time, scored on the same references with the same noise).",
            "",
            vocoder_curve_table(),
            "",
            "## The HTTP server under load",
            "",
            "`python benchmarks/serve_load.py` ([serve](serve.md#under-load)): requests from clients on the same "
            "machine, each sending its next request when the last is answered.",
            "",
            serve_load_table(),
            "",
        ]
    )


def with_block(page: str, block: tuple[str, str], table: str, name: str) -> str:
    """``page`` with ``table`` between the ``block`` markers."""
    start, end = block
    if start not in page or end not in page:
        raise SystemExit(f"{name} lacks the {start} ... {end} block")
    head, rest = page.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{table}\n{end}{tail}"


def readme_with_block(readme: str) -> str:
    return with_block(readme, README_BLOCK, voices_table(), "README.md")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the files are not current")
    args = parser.parse_args()
    targets = {
        ROOT / "docs" / "results.md": results_page(),
        ROOT / "README.md": readme_with_block((ROOT / "README.md").read_text(encoding="utf-8")),
        ROOT / "docs" / "serve.md": with_block(
            (ROOT / "docs" / "serve.md").read_text(encoding="utf-8"), SERVE_BLOCK, serve_load_table(), "docs/serve.md"
        ),
    }
    stale = [path for path, text in targets.items() if not path.is_file() or path.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(
                f"{path.relative_to(ROOT)} is not what benchmarks/results/*.json give: run "
                "python benchmarks/results_tables.py",
                file=sys.stderr,
            )
        return 1 if stale else 0
    for path in stale:
        path.write_text(targets[path], encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
