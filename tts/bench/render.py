"""A bench record as a JSON file and as ``rich`` tables."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from base.files import atomic_write_text


def write_json(record: dict[str, Any], path: str | os.PathLike) -> Path:
    """Write ``record`` to ``path`` atomically (a temporary file renamed over it)."""
    return atomic_write_text(path, json.dumps(record, indent=2, ensure_ascii=False) + "\n")


def _precision(record: dict[str, Any]) -> str:
    return str(record.get("precision") or "fp32")


def render(record: dict[str, Any]) -> list[Any]:
    """The record as ``rich`` tables."""
    from rich.table import Table

    tables = []
    m = record["machine"]
    table = Table(title="Machine", show_header=False)
    table.add_column("what")
    table.add_column("value")
    table.add_row("CPU", str(m["cpu_model"]))
    table.add_row(
        "cores / logical CPUs / torch threads", f"{m['physical_cores']} / {m['logical_cpus']} / {m['torch_threads']}"
    )
    table.add_row("fp32 matmul (GFLOP/s)", f"{m['matmul_gflops']:.1f}")
    if m.get("cpu_features"):
        table.add_row("CPU features", str(m["cpu_features"]))
        table.add_row("int8 kernels", str(m["int8_kernels"]))
    table.add_row("torch", str(m["torch_version"]))
    if m.get("load_average"):
        table.add_row("load average", " ".join(f"{v:.2f}" for v in m["load_average"]))
    tables.append(table)

    if record.get("vocoder"):
        table = Table(title=f"Vocoder (WaveGlow.infer, {record['engine']}, {_precision(record)}, random weights)")
        table.caption = (
            "GFLOP: analytic count of the reference computation; GFLOP/s: that count over "
            "the time taken; peak: its fraction of the matmul rate"
        )
        for column in ("config", "audio s", "runs", "kHz", "x real time", "GFLOP/s", "peak", "peak RSS MB"):
            table.add_column(column, justify="left" if column == "config" else "right")
        for entry in record["vocoder"]:
            for i, row in enumerate(entry["lengths"]):
                label = (
                    (
                        f"{entry['name']} ({entry['parameters'] / 1e6:.1f} M params, "
                        f"{entry['gflop_per_audio_second']:.3g} GFLOP per audio s)"
                    )
                    if i == 0
                    else ""
                )
                table.add_row(
                    label,
                    f"{row['seconds']:g}",
                    str(row["runs"]),
                    f"{row['khz']:.1f}",
                    f"{row['x_realtime']:.2f}",
                    f"{row['gflops']:.1f}",
                    f"{row['peak_fraction']:.0%}" if row.get("peak_fraction") is not None else "-",
                    f"{row['peak_rss_mb']:.0f}" if row.get("peak_rss_mb") else "-",
                )
        tables.append(table)
        rss_rows = [(e["name"], r) for e in record["vocoder"] for r in e["rss"]]
        if rss_rows:
            table = Table(
                title="Vocoder memory (fresh process per length; chunked as the voices vocode)",
                caption="x real time here: one cold run (it includes packing the weights)",
            )
            for column in ("config", "audio s", "mode", "RSS before MB", "peak RSS MB", "x real time"):
                table.add_column(column, justify="left" if column in ("config", "mode") else "right")
            for name, r in rss_rows:
                if "error" in r:
                    table.add_row(name, f"{r['seconds']:g}", r["error"], "", "", "")
                    continue
                table.add_row(
                    name,
                    f"{r['seconds']:g}",
                    r["mode"],
                    f"{r['rss_before_mb']:.0f}",
                    f"{r['peak_rss_mb']:.0f}",
                    f"{r['x_realtime']:.2f}",
                )
            tables.append(table)

    if record.get("acoustic"):
        table = Table(
            title=f"Acoustic model (Tacotron2, {record['engine']}, {_precision(record)}, fixed-length decoding)"
        )
        for column in ("config", "M params", "r", "batch", "steps", "ms / step", "x real time"):
            table.add_column(column, justify="left" if column == "config" else "right", no_wrap=column == "config")
        for row in record["acoustic"]:
            table.add_row(
                row["name"],
                f"{row['parameters'] / 1e6:.2f}",
                str(row["frames_per_step"]),
                str(row["batch"]),
                str(row["steps"]),
                f"{row['ms_per_step']:.2f}",
                f"{row['x_realtime']:.2f}",
            )
        tables.append(table)

    e2e = record.get("end_to_end")
    if e2e:
        table = Table(title="End to end (voice.stream)")
        if "skipped" in e2e or "error" in e2e:
            table.add_column("status")
            table.add_row(e2e.get("skipped") or e2e.get("error"))
        else:
            for column in ("text", "words", "audio s", "first audio s", "total s", "RTF", "x real time"):
                table.add_column(column, justify="left" if column == "text" else "right")
            for case in ("sentence", "paragraph"):
                row = e2e[case]
                table.add_row(
                    case,
                    str(row["words"]),
                    f"{row['audio_seconds']:.2f}",
                    f"{row['first_audio_seconds']:.3f}",
                    f"{row['total_seconds']:.3f}",
                    f"{row['rtf']:.3f}",
                    f"{row['x_realtime']:.2f}",
                )
            table.caption = (
                f"voice {e2e['voice']} ({e2e['language']}), vocoder {e2e['vocoder']}, "
                f"precision {e2e.get('precision', 'fp32')}, "
                f"peak RSS {e2e['peak_rss_mb']:.0f} MB"
            )
        tables.append(table)

    if record.get("training"):
        table = Table(title="Training throughput (tiny presets, synthetic prepared data)")
        for column in ("stage", "M params", "batch", "steps", "samples/s", "mel frames/s"):
            table.add_column(column, justify="left" if column == "stage" else "right")
        for row in record["training"]:
            table.add_row(
                row["stage"],
                f"{row['parameters'] / 1e6:.2f}",
                str(row["batch_size"]),
                str(row["steps"]),
                f"{row['samples_per_second']:.2f}",
                f"{row['mel_frames_per_second']:.0f}",
            )
        tables.append(table)
    return tables
