"""The training loop shared by both stages.

A :class:`TrainingTask` says what is trained (model, data, loss, validation, checkpoint format);
the :class:`Trainer` does the rest the same way for both: Adam with the configured schedule and
gradient clipping, distributed data parallel under ``torchrun`` (NCCL on GPUs, gloo on CPU),
mixed precision on CUDA, validation each epoch, TensorBoard and ``metrics.jsonl`` logs, atomic
checkpoints every N steps and exact resume, and skipping of non-finite steps.

Distributed runs split the global ``batch_size`` evenly over the processes; the batches of one
step together hold exactly the items a single process would take with the same seed, so a run on
N processes follows the single-process loss curve.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import json
import logging
import math
import os
import time
from collections.abc import Iterable, Iterator, Sized
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

import torch
import torch.distributed as dist
from torch import nn
from torch.utils.data import DataLoader, Dataset, DistributedSampler

from base.checkpoint import load_weights_only
from base.errors import CheckpointError, TTSError
from base.files import atomic_write_text
from tts.training.config import TrainingConfig
from tts.training.state import CheckpointDirectory, capture_rng_state, restore_rng_state

log = logging.getLogger(__name__)


class TrainingError(TTSError):
    """Training cannot go on (e.g. the loss kept being NaN); the last good checkpoint is intact."""


class TrainingTask(Protocol):
    """What one stage contributes to training."""

    stage: str

    def build_model(self) -> nn.Module: ...

    def train_dataset(self) -> Dataset: ...

    def val_dataset(self) -> Dataset | None: ...

    def collate(self, items: list) -> Any: ...

    def train_mode(self, model: nn.Module) -> None:
        """Put ``model`` in training mode (frozen parts may stay in eval mode)."""

    def training_loss(self, model: nn.Module, batch: Any, step: int) -> tuple[torch.Tensor, dict[str, float]]:
        """The loss to minimise for ``batch`` and the figures to log."""

    def validate(self, model: nn.Module, loader: Iterable[Any], writer: Any, step: int) -> dict[str, float]:
        """Validation figures (``loss`` at least); may log samples to the TensorBoard ``writer``."""

    def save_checkpoint(self, model: nn.Module, path: Path, **extra: Any) -> None:
        """Write ``model`` in its project checkpoint format, atomically, with ``extra`` entries."""

    def load_model_state(self, model: nn.Module, payload: dict) -> None:
        """Load the model weights of a checkpoint payload written by :meth:`save_checkpoint`."""


@dataclass
class Distributed:
    """Where this process stands in a ``torchrun`` job (a single process is rank 0 of 1)."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @classmethod
    def from_environment(cls) -> Distributed:
        return cls(
            rank=int(os.environ.get("RANK", 0)),
            world_size=int(os.environ.get("WORLD_SIZE", 1)),
            local_rank=int(os.environ.get("LOCAL_RANK", 0)),
        )

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0


class _ResumableSampler(DistributedSampler):
    """``DistributedSampler`` that can start part-way into an epoch (for exact resume), and
    optionally orders each process's items into batches of similar length.

    With ``lengths`` and ``bucket_windows`` > 0, the shuffled items are taken in windows of
    ``bucket_windows * batch_size``, each window is sorted by length and cut into batches, and
    the batches are shuffled; the order depends only on the seed and the epoch.
    """

    def __init__(
        self, *args: Any, lengths: list[int] | None = None, batch_size: int = 1, bucket_windows: int = 0, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.start = 0
        self.lengths = lengths
        self.batch_size = batch_size
        self.bucket_windows = bucket_windows

    def __iter__(self) -> Iterator[int]:
        indices = list(super().__iter__())
        if self.lengths is not None and self.bucket_windows > 0 and self.shuffle:
            indices = self._bucketed(indices)
        return iter(indices[self.start :])

    def _bucketed(self, indices: list[int]) -> list[int]:
        window = self.bucket_windows * self.batch_size
        lengths = self.lengths
        assert lengths is not None
        batches: list[list[int]] = []
        for first in range(0, len(indices), window):
            chunk = sorted(indices[first : first + window], key=lambda i: lengths[i])
            batches.extend(chunk[b : b + self.batch_size] for b in range(0, len(chunk), self.batch_size))
        # Full batches in random order; a short last batch (dropped by the loader) stays last.
        full = [b for b in batches if len(b) == self.batch_size]
        rest = [b for b in batches if len(b) < self.batch_size]
        generator = torch.Generator().manual_seed(self.seed + self.epoch + 1)
        order = torch.randperm(len(full), generator=generator).tolist()
        return [i for k in order for i in full[k]] + [i for b in rest for i in b]

    def __len__(self) -> int:
        return self.num_samples - self.start


@dataclass
class Progress:
    """Where a run is: saved in every checkpoint (under ``training``) and restored on resume."""

    step: int = 0  # optimizer steps taken
    epoch: int = 0
    batch_in_epoch: int = 0  # batches of the current epoch consumed, skipped ones included
    best_val_loss: float = math.inf
    nonfinite_skipped: int = 0


@dataclass
class _Run:
    """Everything one :meth:`Trainer.fit` works with."""

    model: nn.Module
    wrapped: nn.Module  # the model, or its DistributedDataParallel wrapper
    optimizer: torch.optim.Optimizer
    scaler: Any
    average: _WeightAverage | None
    progress: Progress
    train_set: Dataset
    val_set: Dataset | None
    writer: Any
    metrics_file: Path
    validated_before_resume: set[int]
    bar: Any = None
    consecutive_bad: int = 0  # non-finite losses or gradients in a row


class Trainer:
    """Trains ``task``'s model into ``out_dir`` (``checkpoints/``, ``tensorboard/``,
    ``metrics.jsonl``)."""

    def __init__(
        self,
        task: TrainingTask,
        config: TrainingConfig,
        out_dir: str | os.PathLike,
        resume: bool = False,
        device: str | torch.device | None = None,
    ) -> None:
        self.task = task
        self.config = config
        self.out_dir = Path(out_dir)
        self.resume = resume
        self.dist = Distributed.from_environment()
        if device is None:
            device = f"cuda:{self.dist.local_rank}" if torch.cuda.is_available() else "cpu"
        self.device = torch.device(device)
        self.checkpoints = CheckpointDirectory(self.out_dir / "checkpoints", config.keep_last)

    # ----------------------------------------------------------------- set-up
    def _init_distributed(self) -> None:
        if self.dist.enabled and not dist.is_initialized():
            backend = "nccl" if self.device.type == "cuda" else "gloo"
            if self.device.type == "cuda":
                torch.cuda.set_device(self.device)
            dist.init_process_group(backend)
            log.info("process %d of %d (%s)", self.dist.rank, self.dist.world_size, backend)

    def _autocast(self) -> contextlib.AbstractContextManager:
        if self.config.amp == "off" or self.device.type != "cuda":
            return contextlib.nullcontext()
        dtype = torch.float16 if self.config.amp == "fp16" else torch.bfloat16
        return torch.autocast("cuda", dtype=dtype)

    def _loader(self, dataset: Dataset, batch_size: int, shuffle: bool, epoch: int, start: int = 0):
        sampler = _ResumableSampler(
            dataset,
            num_replicas=self.dist.world_size,
            rank=self.dist.rank,
            shuffle=shuffle,
            seed=self.config.seed,
            drop_last=shuffle,
            lengths=getattr(dataset, "lengths", None),
            batch_size=batch_size,
            bucket_windows=self.config.bucket_windows,
        )
        sampler.set_epoch(epoch)
        sampler.start = start
        return DataLoader(
            dataset,
            batch_size=batch_size,
            sampler=sampler,
            collate_fn=self.task.collate,
            num_workers=self.config.num_workers,
            drop_last=shuffle,
            # Its own generator: a loader otherwise draws its workers' seed from the global one,
            # which would shift the dropout masks of a resumed run.
            generator=torch.Generator().manual_seed(self.config.seed + epoch),
        )

    # ------------------------------------------------------------------- loop
    def fit(self) -> dict[str, Any]:
        """Train until ``max_steps`` or ``epochs``; returns the final step, epoch and best loss."""
        cfg = self.config
        self._init_distributed()
        if cfg.batch_size % self.dist.world_size:
            raise TTSError(f"batch_size {cfg.batch_size} does not split evenly over {self.dist.world_size} processes")
        if cfg.amp != "off" and self.device.type != "cuda":
            log.info("mixed precision (%s) is for CUDA; training in fp32 on %s", cfg.amp, self.device)
        torch.manual_seed(cfg.seed)
        run = self._start()
        try:
            while run.progress.step < cfg.max_steps and run.progress.epoch < cfg.epochs:
                if self._train_epoch(run):
                    break
                self._end_epoch(run)
            if run.progress.step % cfg.checkpoint_every:
                self._save(run)
        finally:
            if run.bar is not None:
                run.bar.close()
            if run.writer is not None:
                run.writer.close()
            if self.dist.enabled and dist.is_initialized():
                dist.destroy_process_group()
        p = run.progress
        return {
            "step": p.step,
            "epoch": p.epoch,
            "best_val_loss": p.best_val_loss,
            "nonfinite_skipped": p.nonfinite_skipped,
        }

    def _start(self) -> _Run:
        """The model, optimizer and data of the run, fresh or resumed from its latest checkpoint."""
        cfg = self.config
        model = self.task.build_model().to(self.device)
        optimizer = torch.optim.Adam(
            model.parameters(), lr=cfg.learning_rate, betas=cfg.betas, eps=cfg.eps, weight_decay=cfg.weight_decay
        )
        scaler = torch.amp.GradScaler("cuda", enabled=cfg.amp == "fp16" and self.device.type == "cuda")
        average = _WeightAverage(model, cfg.ema_decay) if cfg.ema_decay > 0 else None
        progress = Progress()
        validated_before_resume: set[int] = set()
        if self.resume:
            self._restore(model, optimizer, scaler, average, progress)
            if self.dist.is_main:
                self.checkpoints.remove_temporaries()
            # Every process learns which steps were validated (they validate together); one rewrites.
            validated_before_resume = _trim_metrics(
                self.out_dir / "metrics.jsonl", progress.step, rewrite=self.dist.is_main
            )
        elif self.checkpoints.latest() is not None:
            raise TTSError(
                f"{self.out_dir}: already holds checkpoints; pass --resume to continue that run or choose another --out"
            )
        if self.dist.enabled and self.device.type == "cuda":
            # BatchNorm statistics over the global batch, as one process would compute them
            # (SyncBatchNorm runs on GPUs only; on CPU each process keeps its own statistics).
            model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
        wrapped = (
            nn.parallel.DistributedDataParallel(model, device_ids=[self.device] if self.device.type == "cuda" else None)
            if self.dist.enabled
            else model
        )
        train_set = self.task.train_dataset()
        if _size(train_set) < cfg.batch_size:
            raise TTSError(
                f"the training set has {_size(train_set)} items, fewer than batch_size {cfg.batch_size}; "
                "lower batch_size or add data"
            )
        run = _Run(
            model=model,
            wrapped=wrapped,
            optimizer=optimizer,
            scaler=scaler,
            average=average,
            progress=progress,
            train_set=train_set,
            val_set=self.task.val_dataset(),
            writer=self._writer(),
            metrics_file=self.out_dir / "metrics.jsonl",
            validated_before_resume=validated_before_resume,
        )
        if self.dist.is_main:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            (self.out_dir / "training_config.json").write_text(json.dumps(cfg.to_dict(), indent=2))
        run.bar = self._progress_bar(progress.step)
        return run

    def _train_epoch(self, run: _Run) -> bool:
        """The rest of the current epoch, from the batch the run is at; True when ``max_steps``
        ended it early."""
        local_batch = self.config.batch_size // self.dist.world_size
        progress = run.progress
        loader = self._loader(
            run.train_set, local_batch, shuffle=True, epoch=progress.epoch, start=progress.batch_in_epoch * local_batch
        )
        self.task.train_mode(run.model)
        for batch in loader:
            self._train_step(run, _to_device(batch, self.device))
            if progress.step >= self.config.max_steps:
                return True
        return False

    def _train_step(self, run: _Run, batch: Any) -> None:
        """One optimizer step on ``batch``, or a skipped one for a non-finite loss or gradient;
        logged, averaged and checkpointed as configured."""
        cfg, progress = self.config, run.progress
        for group in run.optimizer.param_groups:
            group["lr"] = cfg.learning_rate_at(progress.step)
        with self._autocast():
            loss, figures = self.task.training_loss(run.wrapped, batch, progress.step)
        run.optimizer.zero_grad(set_to_none=True)
        progress.batch_in_epoch += 1
        if not self._all_finite(loss):
            run.consecutive_bad = self._count_nonfinite("loss", run)
            return
        run.scaler.scale(loss).backward()
        run.scaler.unscale_(run.optimizer)
        grad_norm = (
            nn.utils.clip_grad_norm_(run.model.parameters(), cfg.grad_clip_thresh)
            if cfg.grad_clip_thresh > 0
            else _grad_norm(run.model)
        )
        finite_grads = self._all_finite(grad_norm)
        if not finite_grads and not run.scaler.is_enabled():
            run.optimizer.zero_grad(set_to_none=True)
            run.consecutive_bad = self._count_nonfinite("gradients", run)
            return
        run.scaler.step(run.optimizer)  # with mixed precision, the scaler skips non-finite steps itself
        run.scaler.update()
        # Mixed precision's occasional overflow is the scaler's to handle; a run of them is not.
        run.consecutive_bad = 0 if finite_grads else self._count_nonfinite("gradients", run, skipped=False)
        progress.step += 1
        if run.average is not None:
            run.average.update(run.model, progress.step)
        record = {
            "step": progress.step,
            "epoch": progress.epoch,
            "loss": self._mean(loss),
            "grad_norm": float(grad_norm),
            "lr": cfg.learning_rate_at(progress.step - 1),
            **figures,
        }
        self._log(record, run.writer, run.metrics_file, run.bar)
        if progress.step % cfg.checkpoint_every == 0:
            self._save(run)

    def _end_epoch(self, run: _Run) -> None:
        """Validation at the end of an epoch, and ``best.pt`` when it is the best so far."""
        progress = run.progress
        progress.epoch += 1
        progress.batch_in_epoch = 0
        # A run resumed at an epoch's end validated that step before it stopped: it runs again
        # (validation draws random numbers, which a bit-exact resume must draw too) but is not
        # logged twice.
        val_loss = self._validate(
            run.average.model if run.average else run.model,
            run.val_set,
            run.writer,
            progress.step,
            run.metrics_file,
            record=progress.step not in run.validated_before_resume,
        )
        if val_loss is not None and val_loss < progress.best_val_loss:
            progress.best_val_loss = val_loss
            self._save(run, self.checkpoints.best_path)

    # ---------------------------------------------------------------- helpers
    def _all_finite(self, value: torch.Tensor) -> bool:
        """Whether ``value`` is finite on every process (all must skip a step together)."""
        flag = torch.tensor([float(torch.isfinite(value.detach()).all())], device=self.device)
        if self.dist.enabled:
            dist.all_reduce(flag, op=dist.ReduceOp.MIN)
        return bool(flag.item())

    def _mean(self, loss: torch.Tensor) -> float:
        value = loss.detach().float().reshape(1)
        if self.dist.enabled:
            dist.all_reduce(value)
            value /= self.dist.world_size
        return float(value.item())

    def _validate(
        self, model: nn.Module, val_set: Dataset | None, writer: Any, step: int, metrics_file: Path, record: bool = True
    ) -> float | None:
        if val_set is None or _size(val_set) == 0 or not self.dist.is_main:
            if self.dist.enabled:
                dist.barrier()
            return None
        training = model.training
        model.eval()
        loader = DataLoader(
            val_set,
            batch_size=max(1, self.config.batch_size // self.dist.world_size),
            shuffle=False,
            collate_fn=self.task.collate,
            generator=torch.Generator().manual_seed(self.config.seed),
        )
        with torch.no_grad():
            figures = self.task.validate(model, _DeviceLoader(loader, self.device), writer, step)
        if training:
            self.task.train_mode(model)
        if record:
            self._log({"step": step, **{f"val_{k}": v for k, v in figures.items()}}, writer, metrics_file, None)
            log.info("validation at step %d: %s", step, ", ".join(f"{k} {v:.4f}" for k, v in figures.items()))
        if self.dist.enabled:
            dist.barrier()
        return figures.get("loss")

    def _save(self, run: _Run, path: Path | None = None) -> None:
        """Write a checkpoint with the full training state: the step file by default, or ``path``
        (``best.pt``). The last ``keep_last`` step files are kept. With a weight average the
        file's model is the average, and the raw weights are kept for resuming."""
        if not self.dist.is_main:
            return
        training = {
            **dataclasses.asdict(run.progress),
            "optimizer": run.optimizer.state_dict(),
            "scaler": run.scaler.state_dict(),
            "rng": capture_rng_state(),
            "config": self.config.to_dict(),
            "world_size": self.dist.world_size,
        }
        model = run.model
        if run.average is not None:
            training["raw_state_dict"] = {k: v.detach().cpu() for k, v in model.state_dict().items()}
            model = run.average.model
        target = path or self.checkpoints.step_path(run.progress.step)
        self.task.save_checkpoint(model, target, training=training)
        if path is None:
            self.checkpoints.prune()
        log.info("saved %s", target)

    def _count_nonfinite(self, what: str, run: _Run, skipped: bool = True) -> int:
        """One more non-finite loss or gradient in a row: logged, counted, and past
        ``max_consecutive_nonfinite`` in a row the end of training. Returns the new run length."""
        consecutive = run.consecutive_bad + 1
        step = run.progress.step
        if skipped:
            run.progress.nonfinite_skipped += 1
        log.warning("step %d: non-finite %s, step skipped (%d in a row)", step, what, consecutive)
        if consecutive >= self.config.max_consecutive_nonfinite:
            raise TrainingError(
                f"{consecutive} non-finite losses or gradients in a row at step {step}: training stopped; the last "
                f"good checkpoint is {self.checkpoints.latest()}. Lower the learning rate, check the data, or turn "
                "mixed precision off"
            )
        return consecutive

    def _restore(self, model: nn.Module, optimizer, scaler, average: _WeightAverage | None, progress: Progress) -> None:
        latest = self.checkpoints.latest()
        if latest is None:
            raise TTSError(f"--resume: no checkpoint in {self.checkpoints.root} to resume from")
        payload = load_weights_only(latest)
        training = payload.get("training") if isinstance(payload, dict) else None
        if not isinstance(training, dict):
            raise TTSError(f"{latest}: holds no training state to resume from")
        try:
            self.task.load_model_state(model, payload)
        except RuntimeError as exc:  # the tensors of another model: a size mismatch or missing keys
            first = " ".join(str(exc).split("\n\t")[1:2]).strip() or str(exc).splitlines()[0]
            raise CheckpointError(
                f"{latest}: --resume needs the configuration this run was started with; the checkpoint holds "
                f"another model ({first[:200]}). Resume with the run's own config (its training_config.json and "
                f"preset), or start a new --out"
            ) from None
        if average is not None:  # the saved model is the average (or, from a run without one, its start)
            average.model.load_state_dict(model.state_dict())
        if "raw_state_dict" in training:
            model.load_state_dict(training["raw_state_dict"])
        optimizer.load_state_dict(training["optimizer"])
        scaler.load_state_dict(training["scaler"])
        restore_rng_state(training["rng"])
        for field_ in dataclasses.fields(Progress):
            setattr(progress, field_.name, training[field_.name])
        log.info("resumed from %s at step %d (epoch %d)", latest, progress.step, progress.epoch)

    def _writer(self):
        if not self.dist.is_main:
            return None
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:  # tensorboard is a dependency, but training must not die for a log
            log.warning("tensorboard is not installed; logging to metrics.jsonl only")
            return None
        return SummaryWriter(str(self.out_dir / "tensorboard"))

    def _progress_bar(self, initial: int):
        if not self.dist.is_main:
            return None
        from tqdm import tqdm

        return tqdm(
            total=self.config.max_steps,
            initial=initial,
            desc=f"train {self.task.stage}",
            unit="step",
            dynamic_ncols=True,
            leave=False,
        )

    def _log(self, record: dict, writer: Any, metrics_file: Path, bar: Any) -> None:
        if not self.dist.is_main:
            return
        with open(metrics_file, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({**record, "time": round(time.time(), 3)}) + "\n")
        step = record["step"]
        if writer is not None:
            for key, value in record.items():
                if key not in ("step", "epoch") and isinstance(value, (int, float)):
                    writer.add_scalar(key, value, step)
        if bar is not None:
            bar.update(step - bar.n)
            if "loss" in record:
                bar.set_postfix(loss=f"{record['loss']:.4f}")
            if step % self.config.log_every == 0:
                log.info("step %d: loss %.4f", step, record.get("loss", float("nan")))


def _trim_metrics(metrics_file: Path, step: int, rewrite: bool = True) -> set[int]:
    """Cut ``metrics.jsonl`` back to the resumed ``step`` (when ``rewrite``; atomically): the rows
    a killed run logged after its last checkpoint are logged again, identically, by the resumed
    one. Returns the steps up to ``step`` that have a validation row."""
    if not metrics_file.is_file():
        return set()
    kept, validated = [], set()
    for line in metrics_file.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:  # a line cut short by the kill
            continue
        if record.get("step", 0) <= step:
            kept.append(line)
            if any(key.startswith("val_") for key in record):
                validated.add(record["step"])
    if rewrite:
        atomic_write_text(metrics_file, "".join(line + "\n" for line in kept))
    return validated


class _WeightAverage:
    """An exponential moving average of a model's parameters (buffers, e.g. BatchNorm statistics,
    are copied): ``average = d * average + (1 - d) * weights`` after each step, with
    ``d = min(decay, (1 + step) / (10 + step))`` (TensorFlow's ExponentialMovingAverage with
    num_updates): early on the average follows the weights instead of staying near their random
    start for thousands of steps."""

    def __init__(self, model: nn.Module, decay: float) -> None:
        self.decay = decay
        self.model = copy.deepcopy(model).eval()
        for parameter in self.model.parameters():
            parameter.requires_grad_(False)

    @torch.no_grad()
    def update(self, model: nn.Module, step: int) -> None:
        """Fold in the weights after optimiser step ``step`` (1-based)."""
        decay = min(self.decay, (1 + step) / (10 + step))
        averaged: list[torch.Tensor] = list(self.model.parameters())
        torch._foreach_lerp_(averaged, [p.detach() for p in model.parameters()], 1.0 - decay)
        for mine, theirs in zip(self.model.buffers(), model.buffers()):
            mine.copy_(theirs)


def _size(dataset: Dataset) -> int:
    """The number of items of a map-style dataset (they all have one; the type does not say so)."""
    return len(cast(Sized, dataset))


class _DeviceLoader:
    """Iterates a loader, moving each batch to ``device``."""

    def __init__(self, loader: DataLoader, device: torch.device) -> None:
        self.loader, self.device = loader, device

    def __iter__(self):
        return (_to_device(batch, self.device) for batch in self.loader)

    def __len__(self) -> int:
        return len(self.loader)


def _to_device(batch: Any, device: torch.device) -> Any:
    if isinstance(batch, torch.Tensor):
        return batch.to(device, non_blocking=True)
    if isinstance(batch, dict):
        return {k: _to_device(v, device) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return type(batch)(_to_device(v, device) for v in batch)
    return batch


def _grad_norm(model: nn.Module) -> torch.Tensor:
    norms = [p.grad.detach().norm() for p in model.parameters() if p.grad is not None]
    return torch.stack(norms).norm() if norms else torch.tensor(0.0)
