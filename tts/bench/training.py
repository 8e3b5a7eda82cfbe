"""The ``training`` section: optimizer steps per second of both stages on synthetic data."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from tts.bench.flops import count_parameters
from tts.bench.settings import BenchSettings
from tts.testing import make_synthetic_prepared_data

# -- training --------------------------------------------------------------------------------


def bench_training(settings: BenchSettings, progress: Callable[[str], None]) -> list[dict[str, Any]]:
    import torch
    from torch.utils.data import DataLoader

    from tts.training.acoustic_task import AcousticTask
    from tts.training.config import read_config_file
    from tts.training.vocoder_task import VocoderTask

    results = []
    with tempfile.TemporaryDirectory(prefix="tts-bench-") as tmp:
        progress("training: synthetic data")
        data_dir = make_synthetic_prepared_data(Path(tmp) / "data")
        for stage, task_cls in (("acoustic", AcousticTask), ("vocoder", VocoderTask)):
            progress(f"training {stage}")
            config = read_config_file(stage, "tiny")
            task, training = task_cls.from_config(data_dir, config)
            torch.manual_seed(training.seed)
            model = task.build_model()
            task.train_mode(model)
            optimizer = torch.optim.Adam(model.parameters(), lr=training.learning_rate)
            loader = DataLoader(
                task.train_dataset(),
                batch_size=training.batch_size,
                shuffle=True,
                collate_fn=task.collate,
                drop_last=False,
                generator=torch.Generator().manual_seed(0),
            )
            batches = [batch for _, batch in zip(range(settings.training_steps + 1), _cycle(loader))]

            def step(batch: dict[str, Any], index: int) -> None:
                optimizer.zero_grad(set_to_none=True)
                loss, _ = task.training_loss(model, batch, index)
                loss.backward()
                optimizer.step()

            step(batches[0], 0)  # warm-up
            samples = frames = 0
            start = time.perf_counter()
            for index, batch in enumerate(batches[1:], start=1):
                step(batch, index)
                if stage == "acoustic":
                    samples += batch["text"].size(0)
                    frames += int(batch["mel_lengths"].sum())
                else:
                    samples += batch["audio"].size(0)
                    frames += batch["mel"].size(0) * batch["mel"].size(2)
            elapsed = time.perf_counter() - start
            results.append(
                {
                    "stage": stage,
                    "preset": "tiny",
                    "data": "synthetic tones, prepared layout (tts.testing.make_synthetic_prepared_data)",
                    "batch_size": training.batch_size,
                    "steps": len(batches) - 1,
                    "parameters": count_parameters(model),
                    "seconds": round(elapsed, 4),
                    "samples_per_second": round(samples / elapsed, 3),
                    "mel_frames_per_second": round(frames / elapsed, 1),
                }
            )
    return results


def _cycle(iterable: Iterable[Any]) -> Iterable[Any]:
    while True:
        yield from iterable
