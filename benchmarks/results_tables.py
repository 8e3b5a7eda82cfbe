"""The measured figures of the docs, rendered from ``benchmarks/results/*.json``: never copied by hand.

    python benchmarks/results_tables.py          # rewrite docs/results.md and README.md's block
    python benchmarks/results_tables.py --check  # exit 1 if either is not what the JSON gives

Tables:

* the bundled voices on ``tts eval``'s unseen set (``eval-unseen-NAME.json``, and
  ``eval-unseen-NAME-no-postfilter.json`` for the column without the postfilter);
* copy synthesis of their vocoders (``vocoder-quality-NAME.json``);
* end-to-end speed of the default voice (``bench-e2e-hinglish.json``);
* the WaveGlow training experiments against wall time (``vocoder-curve.json``);
* ``tts serve`` under load (``serve-load-hinglish.json``, ``benchmarks/serve_load.py``);
* int8 against fp32: speed (``precision-speed.json``, ``benchmarks/fast_paths.py``) and quality
  (``precision-quality-NAME.json``, ``eval-unseen-NAME-int8.json``, ``benchmarks/precision_quality.py``),
  also in docs/precision.md between ``<!-- results:precision-speed -->`` / ``-quality -->`` markers.

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
PRECISION_BLOCKS = {
    "speed": ("<!-- results:precision-speed -->", "<!-- /results:precision-speed -->"),
    "quality": ("<!-- results:precision-quality -->", "<!-- /results:precision-quality -->"),
}


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / name
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _identified(language: dict[str, Any], kind: str = "griffinlim") -> str:
    found = language["identification"][kind]
    return f"{found['identified']}/{found['sentences']}"


def _header(*columns: str) -> list[str]:
    """A markdown table's two header lines; a column written ``">name"`` holds figures and is
    right-aligned."""
    names = [c.removeprefix(">") for c in columns]
    aligns = ["---:" if c.startswith(">") else "---" for c in columns]
    return [f"| {' | '.join(names)} |", f"| {' | '.join(aligns)} |"]


def voices_table() -> str:
    """Per voice and language: identification (default, and without the postfilter), MCD ratio,
    gate stops."""
    rows = _header(
        "voice",
        "language",
        ">identified",
        ">identified without the postfilter",
        ">right/wrong",
        ">MCD ratio",
        ">stopped by the gate",
    )
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
    rows = _header("voice", ">references", ">WaveGlow PESQ / STOI", ">Griffin-Lim PESQ / STOI")
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
    rows = _header("case", ">words", ">audio (s)", ">first audio (s)", ">total (s)", ">times real time")
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
    rows = _header("run", ">budget (min)", ">step", ">wall (min)", ">PESQ", ">STOI")
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
    rows = _header(
        ">clients at once",
        ">requests",
        ">requests / s",
        ">latency p50 (s)",
        ">latency p95 (s)",
        ">audio / request (s)",
        ">audio s / wall s",
    )
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


# -- precision (issue 17) ------------------------------------------------------------------------

PRECISION_SPEED = "precision-speed.json"  # python benchmarks/fast_paths.py ... --json
SPEED_TARGETS = {("vocoder", "published"): 2.5, ("acoustic", "reference", 1): 2.0, ("voice",): 1.5}


def _gain(times: dict[str, Any], a: str, b: str) -> float:
    return float(times[a]["min"]) / float(times[b]["min"])


def _target(target: float | None, gain: float) -> str:
    if target is None:
        return ""
    return f"{target:g}x: {'met' if gain >= target else 'not met'}"


def precision_speed_table() -> str:
    """Plain fp32 (NVIDIA's computation), the fast fp32 path and int8, timed interleaved in one
    process; ONNX decoder steps; the voice end to end; peak RSS; the CPU's features."""
    result = _load(PRECISION_SPEED)
    if result is None:
        return "(not measured)"
    rows = _header(
        "what", "unit", ">plain fp32", ">fast fp32", ">int8", ">int8 over plain", ">int8 over fast", "target"
    )

    def model_row(what: str, unit: str, t: dict[str, Any], variant: str, target: float | None) -> str:
        gain = _gain(t, "plain", variant)
        return (
            f"| {what} | {unit} | {t['plain']['min']:.3g} | {t['fast']['min']:.3g} | {t[variant]['min']:.3g} | "
            f"{gain:.2f}x | {_gain(t, 'fast', variant):.2f}x | {_target(target, gain)} |"
        )

    for row in result.get("vocoder", []):
        what = f"WaveGlow {row['name']} ({row['audio_seconds']:g} s of audio; int8 audio {row['int8_snr_db']:.1f} dB from fp32)"
        rows.append(model_row(what, "s per audio s", row["times"], "int8", SPEED_TARGETS.get(("vocoder", row["name"]))))
    for row in result.get("acoustic", []):
        t, what = row["times"], f"Tacotron2 {row['name']}, batch {row['batch']}"
        target = SPEED_TARGETS.get(("acoustic", row["name"], row["batch"]))
        if "int8, cells forced" in t:
            rows.append(
                model_row(f"{what} (int8 leaves cells this small in fp32)", "ms per decoder step", t, "int8", target)
            )
            rows.append(
                model_row(f"{what}, LSTM cells forced to int8", "ms per decoder step", t, "int8, cells forced", None)
            )
        else:
            rows.append(model_row(what, "ms per decoder step", t, "int8", target))
    for row in result.get("onnx", []):
        t = row["times"]
        rows.append(
            f"| onnxruntime decoder step, {row['name']} | ms per decoder step | | {t['fp32']['min']:.3g} | "
            f"{t['int8']['min']:.3g} | | {_gain(t, 'fp32', 'int8'):.2f}x | |"
        )
    voice = result.get("voice")
    if voice:
        for case in voice["cases"]:
            t, gain = case["times"], _gain(case["times"], "fp32", "int8")
            rows.append(
                f"| voice {voice['voice']} end to end, {case['case']} ({case['audio_seconds']:.1f} s of audio), "
                f"vocoder {case['vocoder']} | s | | {t['fp32']['min']:.3g} | {t['int8']['min']:.3g} | | {gain:.2f}x | "
                f"{_target(SPEED_TARGETS[('voice',)], gain)} |"
            )
            if "onnx fp32" in t and "onnx int8" in t:
                rows.append(
                    f"| the same on onnxruntime (its fp32 and int8 exports) | s | | {t['onnx fp32']['min']:.3g} | "
                    f"{t['onnx int8']['min']:.3g} | | {_gain(t, 'onnx fp32', 'onnx int8'):.2f}x | onnxruntime over torch "
                    f"fp32: {_gain(t, 'fp32', 'onnx fp32'):.2f}x (fp32 export), {_gain(t, 'fp32', 'onnx int8'):.2f}x (int8) |"
                )
        rss = voice["peak_rss_mb"]
        rows.append(
            f"| voice {voice['voice']} peak RSS (fresh process: a sentence and a paragraph) | MB | | {rss['fp32']:.0f} | "
            f"{rss['int8']:.0f} | | | no higher: {'met' if rss['int8'] <= rss['fp32'] else 'not met'} |"
        )
    if result.get("vocoder_rss"):
        rss = result["vocoder_rss"]["peak_rss_mb"]
        rows.append(
            f"| WaveGlow published peak RSS ({result['vocoder_rss']['seconds']:g} s, chunked as voices vocode) | MB | | "
            f"{rss['fp32']:.0f} | {rss['int8']:.0f} | | | no higher: {'met' if rss['int8'] <= rss['fp32'] else 'not met'} |"
        )
    m = result["machine"]
    rows.append("")
    rows.append(
        f"{m['cpu_model']} ({m['cpu_features']}), {m['physical_cores']} cores, {m['torch_threads']} torch threads, "
        f"torch {m['torch_version']}; int8 kernels: {m['int8_kernels'].split(' [')[0]}. Best of the interleaved runs; "
        f"measured {result['created']} with `{result['command']}`."
    )
    return "\n".join(rows)


def _identification(result: dict[str, Any] | None) -> dict[str, tuple[str, float]]:
    if result is None:
        return {}
    kind = result["settings"]["default_vocoder"]
    return {
        code: (_identified(language, kind), language["identification"][kind]["right_wrong_ratio"])
        for code, language in result["languages"].items()
    }


def precision_quality_table() -> str:
    """Per bundled voice: WaveGlow copy synthesis in fp32 and int8, the int8 audio against fp32,
    the acoustic model's mel in int8 against fp32, and tts eval's identification of each."""
    rows = _header(
        "voice",
        ">WaveGlow copy synthesis PESQ / STOI, fp32",
        ">int8",
        ">int8 audio vs fp32",
        ">mel MSE int8 vs fp32, free running / teacher forced (mel variance)",
        ">sentences stopping elsewhere",
        "identified fp32",
        "identified int8",
        "right/wrong fp32 / int8",
    )
    notes = []
    for voice in VOICES:
        result = _load(f"precision-quality-{voice}.json")
        if result is None:
            continue
        cs, snr = result["copy_synthesis"], result["waveglow_int8_vs_fp32"]
        fp32, int8 = cs["waveglow_fp32"], cs["waveglow_int8"]
        mel = result["mel"]
        total = sum(m["sentences"] for m in mel.values())
        free, forced, variance = (
            sum(m[key] * m["sentences"] for m in mel.values()) / total
            for key in ("free_running_mse", "teacher_forced_mse", "mel_variance")
        )
        differ = sum(m["length_differs"] for m in mel.values())
        longest = max(m["largest_length_difference_frames"] for m in mel.values())
        ids32 = _identification(_load(f"eval-unseen-{voice}.json"))
        ids8 = _identification(_load(f"eval-unseen-{voice}-int8.json"))
        shown = [code for code in ids32 if code in ids8]
        rows.append(
            f"| {voice} | {fp32['pesq']:.3f} / {fp32['stoi']:.3f} | {int8['pesq']:.3f} / {int8['stoi']:.3f} | "
            f"{snr['mean_snr_db']:.1f} dB (lowest {snr['min_snr_db']:.1f}) | {free:.2g} / {forced:.2g} ({variance:.2f}) | "
            f"{differ}/{total} (at most {longest} frames) | "
            + (", ".join(f"{c} {ids32[c][0]}" for c in shown) or "not measured")
            + " | "
            + (", ".join(f"{c} {ids8[c][0]}" for c in shown) or "not measured")
            + " | "
            + (", ".join(f"{c} {ids32[c][1]:.3f} / {ids8[c][1]:.3f}" for c in shown) or "")
            + " |"
        )
        notes.append(f"{voice}: {cs['references']}; `{result['command']}`")
    if len(rows) == 2:
        return "(not measured)"
    rows.append("")
    rows.append(
        "Copy synthesis: the same latent noise for both precisions; int8 audio vs fp32: signal-to-error ratio on "
        "the mels of the first sentences of the set. Mel MSE over every unseen sentence of every language of "
        "the voice, free running over the frames both have, teacher forced on the fp32 mel. Identification: "
        "`tts eval`'s, the voice's default vocoder (Griffin-Lim) on the mels of each precision. "
        + "; ".join(notes)
        + "."
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
            "## int8 against fp32: speed",
            "",
            "`python benchmarks/fast_paths.py` ([precision](precision.md)): plain fp32 (NVIDIA's computation), "
            "the fast fp32 path and int8 (`acoustic.quantize`, `vocoder.quantize`), interleaved in one process.",
            "",
            precision_speed_table(),
            "",
            "## int8 against fp32: quality",
            "",
            "`python benchmarks/precision_quality.py` ([precision](precision.md)).",
            "",
            precision_quality_table(),
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


def precision_page() -> str:
    """docs/precision.md with its speed and quality tables."""
    page = (ROOT / "docs" / "precision.md").read_text(encoding="utf-8")
    page = with_block(page, PRECISION_BLOCKS["speed"], precision_speed_table(), "docs/precision.md")
    return with_block(page, PRECISION_BLOCKS["quality"], precision_quality_table(), "docs/precision.md")


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
        ROOT / "docs" / "precision.md": precision_page(),
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
