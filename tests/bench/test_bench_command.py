"""``tts bench``: well-formed tables and JSON with positive figures on tiny settings, and an exact
analytic operation count. No timing is asserted."""

from __future__ import annotations

import json
import math

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

import acoustic
import text
import vocoder
from base.audio import MelConfig
from base.errors import TTSError
from tts import bench
from tts.testing import TACOTRON2_SIZES, WAVEGLOW_SIZES
from vocoder import WaveGlow, WaveGlowConfig

TINY_VOCODER = dict(WAVEGLOW_SIZES["tiny"], n_channels=8)
TINY_ACOUSTIC = TACOTRON2_SIZES["tiny"]


def run_cli(argv: list[str]) -> int:
    """``tts bench ARGS`` through the real command line."""
    from tts import cli

    return cli.main(["bench", *argv])


def positive(value) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


@pytest.mark.parametrize(
    "config",
    [
        dict(n_layers=3, n_channels=16),
        dict(n_layers=2, n_channels=8, kernel_size=5),
        dict(
            n_flows=6,
            n_group=64,
            n_early_every=2,
            n_early_size=8,
            n_layers=4,
            n_channels=16,
            mel_conditioning="interpolated",
            depthwise=True,
        ),
        dict(n_flows=3, n_group=16, n_early_every=1, n_early_size=4, n_layers=3, n_channels=8, depthwise=True),
    ],
)
def test_waveglow_flops_counts_every_convolution_of_reverse(config):
    config = WaveGlowConfig(**config)
    model = WaveGlow(config).eval()
    model.fast_inference = False  # the reference computation is what is counted
    frames, batch = 5, 2
    mel = torch.randn(batch, 80, frames)
    z = torch.randn(batch, config.n_group, frames * 256 // config.n_group)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model.reverse(mel, z)
    assert bench.waveglow_flops(config, frames * 256, batch=batch) == counter.get_total_flops()


def test_published_model_costs_about_450_gflop_per_second_of_audio():
    assert 440e9 < bench.waveglow_flops(WaveGlowConfig(), 22050) < 455e9


def test_cli_quick_writes_a_table_and_json(tmp_path, capsys):
    out = tmp_path / "results" / "bench.json"
    assert run_cli(["--quick", "--only", "machine,acoustic", "--repeats", "1", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Machine" in printed and "Acoustic model" in printed and "ms / step" in printed
    record = json.loads(out.read_text())
    assert [p.name for p in out.parent.iterdir()] == ["bench.json"]  # written atomically, nothing left over
    assert record["schema"] == bench.SCHEMA and record["quick"] is True
    machine = record["machine"]
    assert positive(machine["matmul_gflops"]) and machine["physical_cores"] >= 1 and machine["torch_threads"] >= 1
    assert machine["cpu_model"]
    rows = record["acoustic"]
    assert [(r["name"], r["batch"]) for r in rows] == [("base", 1), ("base", 8), ("preset:tiny", 1), ("preset:tiny", 8)]
    assert rows[2]["frames_per_step"] == 3
    for row in rows:
        assert row["steps"] == 8 and row["runs"] == 1
        assert all(positive(row[k]) for k in ("ms_per_step", "x_realtime", "seconds", "parameters"))
    assert "vocoder" not in record and "training" not in record


def test_cli_refuses_unknown_sections_and_engines(capsys):
    assert run_cli(["--quick", "--only", "machine,vocodr"]) == 2
    assert "unknown sections" in capsys.readouterr().err
    assert run_cli(["--quick", "--engine", "tensorrt"]) == 2
    assert "engine" in capsys.readouterr().err


@pytest.fixture
def tiny_voice(tmp_path):
    """An untrained but complete voice bundle (English symbols, tiny models)."""
    from tts.bundle import export_voice

    symbols = list(text.symbols("en"))
    torch.manual_seed(0)
    model = acoustic.Tacotron2(acoustic.Tacotron2Config(n_symbols=len(symbols), max_decoder_steps=40, **TINY_ACOUSTIC))
    acoustic.save_checkpoint(
        model,
        tmp_path / "acoustic.pt",
        text={"language": "en", "symbols": symbols},
        speakers=[],
        languages=[],
        mel_config=MelConfig().to_dict(),
    )
    vocoder.save_checkpoint(WaveGlow(WaveGlowConfig(**TINY_VOCODER)), tmp_path / "vocoder.pt", MelConfig())
    return export_voice(
        tmp_path / "acoustic.pt", tmp_path / "vocoder.pt", tmp_path / "tiny-voice", languages=["en"], half=False
    )


def test_every_section_with_a_voice(tiny_voice, tmp_path):
    settings = bench.BenchSettings.quick_settings(
        voice=str(tiny_voice),
        repeats=1,
        published_vocoder=TINY_VOCODER,
        base_acoustic=dict(TINY_ACOUSTIC, n_symbols=40),
        vocoder_presets=("fast",),
        acoustic_presets=(),
    )
    messages = []
    record = bench.run_bench(settings, progress=messages.append)
    assert messages and set(record) >= set(bench.SECTIONS)

    names = [entry["name"] for entry in record["vocoder"]]
    assert names == ["published", "preset:fast", "voice:tiny-voice"]
    for entry in record["vocoder"]:
        assert positive(entry["parameters"]) and positive(entry["gflop_per_audio_second"])
        assert [row["seconds"] for row in entry["lengths"]] == [0.25, 0.5]
        for row in entry["lengths"]:
            assert all(positive(row[k]) for k in ("khz", "x_realtime", "gflops", "peak_fraction", "compute_seconds"))
        (rss,) = entry["rss"]
        assert "error" not in rss, rss
        assert rss["seconds"] == 0.5 and positive(rss["peak_rss_mb"]) and rss["peak_rss_mb"] >= rss["rss_before_mb"]
        assert entry["lengths"][1]["peak_rss_mb"] == rss["peak_rss_mb"]
    assert record["vocoder"][2]["rss"][0]["mode"] == "voice.vocode"
    assert record["vocoder"][0]["config"]["n_channels"] == 8

    assert [(r["name"], r["batch"]) for r in record["acoustic"]] == [
        ("base", 1),
        ("base", 8),
        ("voice:tiny-voice", 1),
        ("voice:tiny-voice", 8),
    ]

    e2e = record["end_to_end"]
    assert "error" not in e2e and "skipped" not in e2e, e2e
    assert e2e["voice"] == "tiny-voice" and positive(e2e["peak_rss_mb"])
    assert e2e["sentence"]["words"] == 10
    for case in ("sentence", "paragraph"):
        row = e2e[case]
        assert all(positive(row[k]) for k in ("audio_seconds", "first_audio_seconds", "total_seconds", "rtf"))
        assert row["first_audio_seconds"] <= row["total_seconds"]

    assert [r["stage"] for r in record["training"]] == ["acoustic", "vocoder"]
    for row in record["training"]:
        assert row["steps"] == 1 and positive(row["samples_per_second"]) and positive(row["mel_frames_per_second"])

    # The record renders and survives a JSON round trip.
    from rich.console import Console

    console = Console(record=True, width=160)
    for table in bench.render(record):
        console.print(table)
    shown = console.export_text()
    for title in ("Machine", "Vocoder", "Vocoder memory", "Acoustic model", "End to end", "Training throughput"):
        assert title in shown
    path = bench.write_json(record, tmp_path / "all.json")
    assert json.loads(path.read_text())["vocoder"][0]["lengths"][0]["khz"] == record["vocoder"][0]["lengths"][0]["khz"]


def test_end_to_end_without_a_voice_is_skipped_not_failed():
    record = bench.run_bench(bench.BenchSettings.quick_settings(sections=("machine", "end_to_end")))
    assert record["end_to_end"] == {"skipped": "no --voice given"}


def test_the_onnx_engine_benchmarks_a_voice_end_to_end_without_torch(tiny_voice, tmp_path):
    from tts.onnx.export import export_voice_onnx
    from tts.voice import load_voice

    onnx_dir = export_voice_onnx(load_voice(tiny_voice), tmp_path / "onnx")
    settings = bench.BenchSettings.quick_settings(
        voice=str(onnx_dir), engine="onnx", repeats=1, sections=("machine", "end_to_end")
    )
    record = bench.run_bench(settings)
    e2e = record["end_to_end"]
    assert "error" not in e2e, e2e
    assert e2e["torch_loaded"] is False  # the worker process never imported torch
    assert positive(e2e["peak_rss_mb"]) and positive(e2e["sentence"]["first_audio_seconds"])
    with pytest.raises(TTSError, match="benchmarks machine, end_to_end only"):
        bench.run_bench(bench.BenchSettings.quick_settings(voice=str(onnx_dir), engine="onnx"))
