"""Saving, loading and warm-starting Tacotron2 checkpoints.

Three layouts are read, all with ``torch.load(weights_only=True)``:

* this project's format (see :mod:`base.checkpoint`), written by :func:`save_checkpoint`;
* NVIDIA/tacotron2's ``train.py`` files such as ``tacotron2_statedict.pt``: ``{"state_dict": ...}``
  and, from training runs, ``iteration``, ``optimizer`` and ``learning_rate``. They carry no
  config, so it is inferred from the tensor shapes;
* NVIDIA DeepLearningExamples' files: ``{"state_dict": ..., "config": {...}}`` with DataParallel's
  ``module.`` key prefix; the config uses NVIDIA's hparam names, which are this config's names.

A bare state dict (a mapping of tensor names to tensors) is read like an NVIDIA file.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from acoustic.model import Tacotron2, Tacotron2Config
from base.checkpoint import (
    FORMAT_NAME,
    Checkpoint,
    is_project_checkpoint,
    load_weights_only,
    read_project,
    save_project,
    strip_prefix,
)
from base.errors import CheckpointError
from base.mel_scale import MelConfig

log = logging.getLogger(__name__)

MODEL_NAME = "tacotron2"

_CONFIG_FIELDS = frozenset(f.name for f in dataclasses.fields(Tacotron2Config))

# Fields that set tensor shapes; the rest (dropouts, gate threshold, step limits, loss settings)
# can be changed on any checkpoint.
ARCHITECTURE_FIELDS = frozenset(
    {
        "n_symbols",
        "symbols_embedding_dim",
        "n_mel_channels",
        "encoder_kernel_size",
        "encoder_n_convolutions",
        "encoder_embedding_dim",
        "n_frames_per_step",
        "decoder_rnn_dim",
        "prenet_dim",
        "attention_rnn_dim",
        "attention_dim",
        "attention_location_n_filters",
        "attention_location_kernel_size",
        "postnet_embedding_dim",
        "postnet_kernel_size",
        "postnet_n_convolutions",
        "n_speakers",
        "speaker_embedding_dim",
        "n_languages",
        "language_embedding_dim",
    }
)

# Architecture fields that load_checkpoint may change (a warm start), with the tensors each one
# governs: those are re-initialised when their shapes differ, everything else must load as is.
_WARM_START_TENSORS: dict[str, Callable[[str], bool]] = {
    "n_symbols": lambda name: name == "embedding.weight",
    "n_speakers": lambda name: name.startswith("speaker_"),
    "speaker_embedding_dim": lambda name: name.startswith("speaker_"),
    "n_languages": lambda name: name.startswith("language_"),
    "language_embedding_dim": lambda name: name.startswith("language_"),
    "n_frames_per_step": lambda name: (
        name
        in {
            "decoder.prenet.layers.0.linear_layer.weight",
            "decoder.linear_projection.linear_layer.weight",
            "decoder.linear_projection.linear_layer.bias",
        }
    ),
}
WARM_START_FIELDS = frozenset(_WARM_START_TENSORS)

AcousticCheckpoint = Checkpoint[Tacotron2Config]


@dataclass
class WarmStartReport:
    """Which tensors a load did not take from the file (names as in ``model.state_dict()``)."""

    loaded: list[str]
    reinitialised: list[str]  # in both, shapes differ: kept the model's fresh initialisation
    not_in_file: list[str]  # model tensors the file lacks: kept fresh
    dropped: list[str]  # file tensors the model has no place for: ignored


def save_checkpoint(
    model: Tacotron2, path: str | os.PathLike, mel_config: MelConfig | Mapping[str, Any] | None = None, **extra: Any
) -> Path:
    """Write ``model`` in this project's format, atomically, with the mel definition it was trained
    on (``mel_config``).

    ``extra`` holds training state (``training=``, ``text=``, ``speakers=``...): tensors,
    numbers, strings and containers of them only, since files are read back with
    ``weights_only=True``; the format's own keys are refused (:data:`base.checkpoint.RESERVED_KEYS`).
    """
    model = getattr(model, "module", model)  # unwrap DataParallel / DistributedDataParallel
    if not isinstance(model, Tacotron2):
        raise TypeError(f"save_checkpoint expects a Tacotron2, got {type(model).__name__}")
    return save_project(MODEL_NAME, dataclasses.asdict(model.config), model.state_dict(), path, mel_config, extra)


def read_checkpoint(path: str | os.PathLike) -> AcousticCheckpoint:
    """Read any supported Tacotron2 file into its source, config, state dict, mel definition (where
    recorded) and extra training state, without building the model (:func:`load_checkpoint`)."""
    path = Path(path)
    obj = load_weights_only(path)
    if is_project_checkpoint(obj):
        return _read_project(path, obj)
    if isinstance(obj, Mapping) and isinstance(obj.get("state_dict"), Mapping):
        state_dict = _tensors(path, strip_prefix(obj["state_dict"]))
        extra = {k: v for k, v in obj.items() if k not in ("state_dict", "config")}
        if isinstance(obj.get("config"), Mapping):
            config = _config_from_nvidia(path, obj["config"])
            return Checkpoint(path, "nvidia-dle", config, state_dict, None, extra)
        return Checkpoint(path, "nvidia", config_from_state_dict(state_dict, path), state_dict, None, extra)
    if isinstance(obj, Mapping) and obj and all(isinstance(v, Tensor) for v in obj.values()):
        state_dict = strip_prefix(obj)
        return Checkpoint(path, "state-dict", config_from_state_dict(state_dict, path), dict(state_dict), None)
    keys = sorted(map(str, obj))[:8] if isinstance(obj, Mapping) else type(obj).__name__
    raise CheckpointError(
        f"{path}: not a Tacotron2 checkpoint (found {keys}); expected this project's format, "
        "NVIDIA's {'state_dict': ...} or DeepLearningExamples' {'state_dict', 'config'}"
    )


def load_checkpoint(
    path: str | os.PathLike | AcousticCheckpoint, device: str | torch.device = "cpu", **overrides: Any
) -> Tacotron2:
    """Build the model a checkpoint describes and load its weights; returned in eval mode on
    ``device``.
    ``path`` may also be what :func:`read_checkpoint` returned, so a caller that needs the
    file's extra state too reads it once.

    Keyword arguments override config fields. Non-architecture fields (``prenet_dropout``,
    ``gate_threshold``, ``max_decoder_steps``, ``max_frames_per_symbol``, dropouts, loss settings)
    simply replace the stored values. Changing ``n_symbols``, ``n_speakers``,
    ``speaker_embedding_dim``, ``n_languages``, ``language_embedding_dim`` or
    ``n_frames_per_step`` is a warm start: the tensors those fields shape are re-initialised when
    their shapes differ (and named in the log), and every other tensor is loaded. Other
    architecture fields cannot be overridden; use :func:`warm_start` for arbitrary changes.

    Raises:
        CheckpointError: unreadable or unknown file, or tensors that do not fit (naming the file,
            the tensor, both shapes and what to do).
        TypeError: an override that is not a :class:`Tacotron2Config` field.
    """
    unknown = set(overrides) - _CONFIG_FIELDS
    if unknown:
        raise TypeError(f"load_checkpoint: {sorted(unknown)} are not Tacotron2Config fields")
    contents = path if isinstance(path, Checkpoint) else read_checkpoint(path)
    stored = contents.config
    try:
        config = stored.replace(**overrides)
    except ValueError as exc:
        raise ValueError(f"load_checkpoint({contents.path}): {exc}") from exc
    changed = {name for name in ARCHITECTURE_FIELDS if getattr(config, name) != getattr(stored, name)}
    frozen = sorted(changed - WARM_START_FIELDS)
    if frozen:
        settings = ", ".join(f"{n}={getattr(stored, n)} (asked {getattr(config, n)})" for n in frozen)
        raise CheckpointError(
            f"{contents.path}: the file was trained with {settings}; that cannot be overridden on "
            f"load. Warm-start fields are {sorted(WARM_START_FIELDS)}; for other changes build "
            "Tacotron2(config) yourself and call acoustic.warm_start(model, path)."
        )
    model = Tacotron2(config)
    rules = [_WARM_START_TENSORS[name] for name in changed]
    report = _load_into(model, contents, lambda name: any(rule(name) for rule in rules))
    if changed:
        _log_warm_start(contents.path, report)
    return model.to(device).eval()


def warm_start(model: Tacotron2, path: str | os.PathLike) -> WarmStartReport:
    """Load every tensor of ``path`` whose name and shape fit ``model``; keep the rest fresh.

    For fine-tuning into a model whose config differs from the file's in any way (NVIDIA's
    ``warm_start_model`` with ``ignore_layers``, but decided by shape). Tensors left at their
    fresh initialisation and file tensors ignored are logged by name and returned.
    """
    contents = read_checkpoint(path)
    report = _load_into(model, contents, lambda name: True)
    _log_warm_start(contents.path, report)
    total = sum(p.numel() for p in model.parameters())
    loaded = set(report.loaded)
    from_file = sum(p.numel() for n, p in model.named_parameters() if n in loaded)
    if from_file < total / 2:
        log.warning(
            "warm start from %s: only %.0f%% of the model's weights came from the file; "
            "is it the architecture you meant?",
            contents.path,
            100.0 * from_file / total,
        )
    return report


def config_from_state_dict(
    state_dict: Mapping[str, Tensor], path: str | os.PathLike = "<state dict>"
) -> Tacotron2Config:
    """Infer the architecture fields from tensor shapes (NVIDIA files carry no config).

    Non-architecture fields get their defaults, which are NVIDIA's hparams.
    """

    def shape(name: str) -> tuple[int, ...]:
        if name not in state_dict:
            raise CheckpointError(f"{path}: not a Tacotron2 state dict: tensor '{name}' is missing")
        return tuple(state_dict[name].shape)

    def count(prefix: str) -> int:
        n = 0
        while f"{prefix}.{n}.0.conv.weight" in state_dict:
            n += 1
        return n

    n_symbols, embedding_dim = shape("embedding.weight")
    _, _, encoder_kernel = shape("encoder.convolutions.0.0.conv.weight")
    prenet_dim, frame_dim = shape("decoder.prenet.layers.0.linear_layer.weight")
    attention_dim, attention_rnn_dim = shape("decoder.attention_layer.query_layer.linear_layer.weight")
    n_filters, _, location_kernel = shape("decoder.attention_layer.location_layer.location_conv.conv.weight")
    decoder_rnn_dim = shape("decoder.decoder_rnn.weight_hh")[1]
    postnet_dim, n_mel, postnet_kernel = shape("postnet.convolutions.0.0.conv.weight")
    encoder_dim = shape("encoder.convolutions.0.0.conv.weight")[0]
    fields: dict[str, Any] = dict(
        n_symbols=n_symbols,
        symbols_embedding_dim=embedding_dim,
        n_mel_channels=n_mel,
        encoder_kernel_size=encoder_kernel,
        encoder_n_convolutions=count("encoder.convolutions"),
        encoder_embedding_dim=encoder_dim,
        n_frames_per_step=max(frame_dim // n_mel, 1),
        decoder_rnn_dim=decoder_rnn_dim,
        prenet_dim=prenet_dim,
        attention_rnn_dim=attention_rnn_dim,
        attention_dim=attention_dim,
        attention_location_n_filters=n_filters,
        attention_location_kernel_size=location_kernel,
        postnet_embedding_dim=postnet_dim,
        postnet_kernel_size=postnet_kernel,
        postnet_n_convolutions=count("postnet.convolutions"),
    )
    for name in ("speaker", "language"):
        if f"{name}_embedding.weight" in state_dict:
            n, dim = shape(f"{name}_embedding.weight")
            fields[f"n_{name}s"], fields[f"{name}_embedding_dim"] = n, dim
    try:
        return Tacotron2Config(**fields)
    except ValueError as exc:
        raise CheckpointError(f"{path}: tensor shapes describe no valid Tacotron2 ({exc})") from exc


def _read_project(path: Path, obj: Mapping[str, Any]) -> AcousticCheckpoint:
    checkpoint = read_project(path, obj, MODEL_NAME, _stored_config)
    return dataclasses.replace(checkpoint, state_dict=_tensors(path, checkpoint.state_dict))


def _stored_config(stored: Mapping[str, Any]) -> Tacotron2Config:
    unknown = sorted(set(stored) - _CONFIG_FIELDS)
    if unknown:
        raise ValueError(
            f"fields {unknown} are unknown to this swaratts (written by a newer version?); upgrade swaratts"
        )
    return Tacotron2Config(**stored)


def _config_from_nvidia(path: Path, stored: Mapping[str, Any]) -> Tacotron2Config:
    """DeepLearningExamples' config dict (same names as NVIDIA's hparams) to a config."""
    known = {k: v for k, v in stored.items() if k in _CONFIG_FIELDS}
    ignored = sorted(set(stored) - _CONFIG_FIELDS)
    if ignored:
        # e.g. decoder_no_early_stopping: a DLE benchmarking switch with no counterpart here.
        log.debug("%s: config keys without a Tacotron2Config field, ignored: %s", path, ignored)
    try:
        return Tacotron2Config(**known)
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"{path}: invalid Tacotron2 config in the file: {exc}") from exc


def _tensors(path: Path, state_dict: Mapping[str, Any]) -> dict[str, Tensor]:
    bad = [k for k, v in state_dict.items() if not isinstance(v, Tensor)]
    if bad:
        raise CheckpointError(f"{path}: state_dict entries {bad[:5]} are not tensors; damaged file")
    return dict(state_dict)


def _load_into(model: Tacotron2, contents: AcousticCheckpoint, may_differ: Callable[[str], bool]) -> WarmStartReport:
    """Copy the file's tensors into ``model``; names for which ``may_differ`` is False must fit."""
    source = contents.state_dict
    target = model.state_dict()
    report = WarmStartReport([], [], [], [])
    problems: list[str] = []
    for name, tensor in target.items():
        if name not in source:
            # Files saved by PyTorch < 0.4.1 have no BatchNorm batch counter; 0 is right.
            if name.endswith("num_batches_tracked"):
                continue
            if may_differ(name):
                report.not_in_file.append(name)
            else:
                problems.append(f"tensor '{name}' is missing from the file")
        elif source[name].shape != tensor.shape:
            if may_differ(name):
                report.reinitialised.append(f"{name} (file {list(source[name].shape)}, model {list(tensor.shape)})")
            else:
                problems.append(
                    f"tensor '{name}' has shape {list(source[name].shape)} in the "
                    f"file but the model expects {list(tensor.shape)}"
                )
        else:
            report.loaded.append(name)
    for name in source:
        if name not in target:
            if may_differ(name):
                report.dropped.append(name)
            else:
                problems.append(f"tensor '{name}' in the file has no place in the model")
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        origin = (
            "its stored config"
            if contents.source in (FORMAT_NAME, "nvidia-dle")
            else "the config its other tensors imply"
        )
        raise CheckpointError(
            f"{contents.path}: does not fit the Tacotron2 built from {origin}: "
            f"{'; '.join(problems[:3])}{more}. The file's tensors disagree with each other or with "
            "its config (damaged, edited, or from a modified model). To load only the tensors "
            "that fit, build Tacotron2(config) and call acoustic.warm_start(model, path); to "
            "change the symbol table, speakers, languages or r, pass e.g. n_symbols= to "
            "acoustic.load_checkpoint."
        )
    model.load_state_dict({name: source[name] for name in report.loaded}, strict=False)
    return report


def _log_warm_start(path: Path, report: WarmStartReport) -> None:
    log.info("warm start from %s: loaded %d tensors", path, len(report.loaded))
    if report.reinitialised:
        log.info("re-initialised, shape differs from the file: %s", ", ".join(report.reinitialised))
    if report.not_in_file:
        log.info("initialised fresh, not in the file: %s", ", ".join(report.not_in_file))
    if report.dropped:
        log.info("dropped from the file, no place in the model: %s", ", ".join(report.dropped))
