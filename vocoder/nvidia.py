"""Reading NVIDIA's WaveGlow checkpoints without NVIDIA's code and without running pickled code.

NVIDIA's ``train.py`` saves ``{'model': <glow.WaveGlow object>, 'iteration', 'optimizer',
'learning_rate'}``: the whole model is pickled, so ``torch.load(weights_only=True)`` refuses it and
a plain ``torch.load`` would import ``glow`` and run whatever the file names. Instead the file is
read by an unpickler with an explicit allow-list: the model classes become inert records of their
state (nothing of theirs is imported or executed), tensors are rebuilt by torch's own rebuild
functions, and any other global (``os.system``, ``builtins.eval``, ...) stops the load before
anything runs.

The records are then flattened into a state dict with the names ``module.state_dict()`` would
give, and older layouts are upgraded to the current one (what NVIDIA's ``convert_model.py`` does):

* separate ``res_layers.{i}`` / ``skip_layers.{i}`` -> fused ``res_skip_layers.{i}``;
* per-layer ``cond_layers.{i}`` (also used by DeepLearningExamples) -> one ``cond_layer``;
* layers whose weight norm was removed (plain ``weight``) -> ``weight_g`` / ``weight_v``.
"""

from __future__ import annotations

import collections
import pickle
import re
import types
import warnings
from collections.abc import Mapping
from typing import Any

import torch

from base.errors import CheckpointError
from vocoder.waveglow import WaveGlowConfig

# Classes whose pickled instances become inert records: NVIDIA's model classes (in the module
# names their scripts use) and the torch.nn pieces such a model is made of.
_MODEL_MODULES = ("glow", "glow_old", "waveglow.model", "waveglow.glow", "model")
_MODEL_CLASSES = ("WaveGlow", "WN", "Invertible1x1Conv")
_RECORD_CLASSES = frozenset(
    [(module, name) for module in _MODEL_MODULES for name in _MODEL_CLASSES]
    + [
        ("torch.nn.modules.conv", "Conv1d"),
        ("torch.nn.modules.conv", "ConvTranspose1d"),
        ("torch.nn.modules.container", "ModuleList"),
        ("torch.nn.utils.weight_norm", "WeightNorm"),
    ]
)

# Functions and types that rebuild tensors and containers: the same ones torch's weights-only
# loader trusts.
_TRUSTED_GLOBALS: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("torch._utils", "_rebuild_tensor"): torch._utils._rebuild_tensor,
    ("torch._utils", "_rebuild_tensor_v2"): torch._utils._rebuild_tensor_v2,
    ("torch._utils", "_rebuild_parameter"): torch._utils._rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): torch._utils._rebuild_parameter_with_state,
    ("torch.nn.parameter", "Parameter"): torch.nn.Parameter,
    ("torch", "Tensor"): torch.Tensor,
}


def _no_backend() -> None:
    """Stands in for ``torch.nn.backends.thnn._get_thnn_function_backend``: modules pickled by
    PyTorch <= 1.2 (NVIDIA's early WaveGlow files) carry a ``_backend`` built by calling it."""
    return None


_TRUSTED_GLOBALS[("torch.nn.backends.thnn", "_get_thnn_function_backend")] = _no_backend


_PYTHON2_MODULES = {"__builtin__": "builtins", "copy_reg": "copyreg"}


class _Record:
    """An inert stand-in for a pickled object of an allow-listed class: it keeps the state the
    pickle gives it and has no behaviour."""

    qualname = "?"

    def __setstate__(self, state: Any) -> None:
        # nn.Module pickles its __dict__; some pickles add a (dict, slots) pair.
        if isinstance(state, tuple) and len(state) == 2 and isinstance(state[0], dict):
            state = state[0]
        self.state = state if isinstance(state, dict) else {}

    def attr(self, name: str, default: Any = None) -> Any:
        return getattr(self, "state", {}).get(name, default)


def _reconstructor(cls: type, base: type, state: Any) -> Any:
    """Protocol 0/1 pickles build objects through ``copyreg._reconstructor``; allow it for
    records only."""
    if not (isinstance(cls, type) and issubclass(cls, _Record)):
        raise pickle.UnpicklingError(f"refusing to reconstruct {cls!r}")
    return cls.__new__(cls)


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._record_types: dict[tuple[str, str], type] = {}

    def find_class(self, module: str, name: str) -> Any:
        # Protocol-2 pickles spell some Python 3 modules by their Python 2 names.
        module = _PYTHON2_MODULES.get(module, module)
        key = (module, name)
        if key in _RECORD_CLASSES:
            if key not in self._record_types:
                self._record_types[key] = type(name, (_Record,), {"qualname": f"{module}.{name}"})
            return self._record_types[key]
        if key in _TRUSTED_GLOBALS:
            return _TRUSTED_GLOBALS[key]
        if key == ("copyreg", "_reconstructor"):
            return _reconstructor
        if module == "torch" and isinstance(getattr(torch, name, None), torch.dtype):
            return getattr(torch, name)
        raise pickle.UnpicklingError(
            f"the file references '{module}.{name}', which a WaveGlow checkpoint has no reason to "
            "contain; refusing to load it (it may be malicious, or not a WaveGlow checkpoint)"
        )


def _restricted_load(file: Any, **kwargs: Any) -> Any:
    return _RestrictedUnpickler(file, **kwargs).load()


def _restricted_pickle_module() -> types.ModuleType:
    module = types.ModuleType("swaratts_restricted_pickle")
    # torch.load(pickle_module=...) reads these three names off the module.
    vars(module).update(Unpickler=_RestrictedUnpickler, load=_restricted_load, UnpicklingError=pickle.UnpicklingError)
    return module


def load_nvidia_pickle(path: str) -> dict:
    """Read a checkpoint written by NVIDIA's waveglow ``train.py`` with the allow-list unpickler.

    Returns ``{"state_dict": ..., "hparams": {...}, "iteration": ..., "learning_rate": ...}``.
    Raises :class:`CheckpointError` if the file names anything outside the allow-list.
    """
    try:
        with warnings.catch_warnings():
            # torch warns that it cannot check the source of legacy pickled module classes.
            warnings.simplefilter("ignore")
            obj = torch.load(path, map_location="cpu", weights_only=False, pickle_module=_restricted_pickle_module())
    except pickle.UnpicklingError as exc:
        raise CheckpointError(f"{path}: {exc}") from exc
    except Exception as exc:  # corrupt bytes surface as almost any exception inside the unpickler
        raise CheckpointError(f"{path}: not a readable PyTorch checkpoint: {exc!r}") from exc
    model = obj.get("model") if isinstance(obj, Mapping) else obj
    if not isinstance(model, _Record) or not model.qualname.endswith(".WaveGlow"):
        raise CheckpointError(
            f"{path}: holds pickled objects but no NVIDIA WaveGlow model under 'model'; "
            "expected a file written by NVIDIA's waveglow train.py"
        )
    state_dict: dict[str, torch.Tensor] = {}
    _flatten_record(model, "", state_dict)
    hparams = {
        name: model.attr(name)
        for name in ("n_flows", "n_group", "n_early_every", "n_early_size")
        if model.attr(name) is not None
    }
    extra = {k: obj[k] for k in ("iteration", "learning_rate") if isinstance(obj, Mapping) and k in obj}
    return {"state_dict": state_dict, "hparams": hparams, **extra}


def _flatten_record(record: _Record, prefix: str, out: dict[str, torch.Tensor]) -> None:
    """Collect parameters and buffers of a pickled module tree as ``state_dict()`` names them."""
    for group in ("_parameters", "_buffers"):
        for name, tensor in (record.attr(group) or {}).items():
            if isinstance(tensor, torch.Tensor):
                out[prefix + name] = tensor.detach().float()
    for name, child in (record.attr("_modules") or {}).items():
        if isinstance(child, _Record):
            _flatten_record(child, f"{prefix}{name}.", out)


def _weight_norm_parts(sd: dict, layer: str) -> tuple[torch.Tensor, torch.Tensor]:
    """``(g, v)`` of a layer stored either weight-normalised or folded (plain ``weight``)."""
    if f"{layer}.weight_v" in sd:
        return sd.pop(f"{layer}.weight_g"), sd.pop(f"{layer}.weight_v")
    weight = sd.pop(f"{layer}.weight")
    return weight.norm(dim=tuple(range(1, weight.dim())), keepdim=True), weight


def _fuse(sd: dict, target: str, parts: list[str]) -> None:
    """Concatenate layers along their output channels into one weight-normalised layer.

    Weight norm is per output channel, so concatenating the g's and v's reproduces every
    part's effective weight exactly.
    """
    gs, vs = zip(*(_weight_norm_parts(sd, part) for part in parts))
    sd[f"{target}.weight_g"] = torch.cat(gs)
    sd[f"{target}.weight_v"] = torch.cat(vs)
    sd[f"{target}.bias"] = torch.cat([sd.pop(f"{part}.bias") for part in parts])


def upgrade_state_dict(state_dict: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Bring any NVIDIA WaveGlow state dict to the current layout (see module docstring)."""
    sd = dict(state_dict)
    flows = sorted({int(m.group(1)) for k in sd if (m := re.match(r"WN\.(\d+)\.", k))})
    for k in flows:
        wn = f"WN.{k}"
        layers = sorted({int(m.group(1)) for key in sd if (m := re.match(rf"{wn}\.in_layers\.(\d+)\.", key))})
        n_layers = len(layers)
        if f"{wn}.skip_layers.0.bias" in sd:
            for i in range(n_layers):
                parts = [f"{wn}.skip_layers.{i}"]
                if i < n_layers - 1:
                    parts.insert(0, f"{wn}.res_layers.{i}")
                _fuse(sd, f"{wn}.res_skip_layers.{i}", parts)
        if f"{wn}.cond_layers.0.bias" in sd:
            _fuse(sd, f"{wn}.cond_layer", [f"{wn}.cond_layers.{i}" for i in range(n_layers)])
        weight_normed = [f"{wn}.start", f"{wn}.cond_layer"]
        weight_normed += [f"{wn}.in_layers.{i}" for i in range(n_layers)]
        weight_normed += [f"{wn}.res_skip_layers.{i}" for i in range(n_layers)]
        for layer in weight_normed:
            if f"{layer}.weight" in sd:
                g, v = _weight_norm_parts(sd, layer)
                sd[f"{layer}.weight_g"], sd[f"{layer}.weight_v"] = g, v
    return sd


def infer_config(state_dict: Mapping[str, torch.Tensor], hparams: Mapping[str, Any] | None = None) -> WaveGlowConfig:
    """Work out a :class:`WaveGlowConfig` from tensor shapes (after :func:`upgrade_state_dict`),
    checked against any hyper-parameters the file states."""
    sd = state_dict
    try:
        upsample = sd["upsample.weight"]  # [n_mel, n_mel, kernel]
        n_flows = len({int(m.group(1)) for k in sd if (m := re.match(r"WN\.(\d+)\.", k))})
        n_layers = len({int(m.group(1)) for k in sd if (m := re.match(r"WN\.0\.in_layers\.(\d+)\.", k))})
        n_channels = sd["WN.0.start.weight_v"].shape[0]
        kernel_size = sd["WN.0.in_layers.0.weight_v"].shape[2]
        sizes = [sd[f"convinv.{k}.conv.weight"].shape[0] for k in range(n_flows)]
    except KeyError as exc:
        raise CheckpointError(f"not a WaveGlow state dict: tensor {exc} is missing") from None
    n_group = sizes[0]
    drops = [k for k in range(1, n_flows) if sizes[k] < sizes[k - 1]]
    n_early_every = drops[0] if drops else n_flows
    n_early_size = sizes[drops[0] - 1] - sizes[drops[0]] if drops else 0
    hparams = dict(hparams or {})
    stride = hparams.pop("upsample_stride", 256)
    inferred = dict(
        n_mel_channels=upsample.shape[0],
        n_flows=n_flows,
        n_group=n_group,
        n_early_every=n_early_every,
        n_early_size=n_early_size,
        n_layers=n_layers,
        n_channels=n_channels,
        kernel_size=kernel_size,
        upsample_kernel_size=upsample.shape[2],
        upsample_stride=stride,
    )
    if not drops and "n_early_every" in hparams:
        # No early output happened within n_flows: the stated values are as good as any.
        inferred["n_early_every"] = hparams["n_early_every"]
        inferred["n_early_size"] = hparams.get("n_early_size", 0)
    for name, stated in hparams.items():
        if name in inferred and stated != inferred[name]:
            raise CheckpointError(f"the checkpoint states {name}={stated} but its tensors imply {inferred[name]}")
    return WaveGlowConfig(**inferred)


def config_from_dle(config: Mapping[str, Any]) -> dict[str, Any]:
    """Map DeepLearningExamples' ``{'n_mel_channels', ..., 'WN_config': {...}}`` to our field names."""
    flat = {k: v for k, v in config.items() if k != "WN_config"}
    flat.update(config.get("WN_config", {}))
    known = set(WaveGlowConfig.__dataclass_fields__)
    return {k: v for k, v in flat.items() if k in known}
