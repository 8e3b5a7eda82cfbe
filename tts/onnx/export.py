"""Export a Tacotron2 + WaveGlow voice to ONNX graphs, verified against torch.

See :mod:`tts.onnx.runtime` for the graphs' inputs and outputs. The acoustic model becomes three
graphs (encoder, one decoder step, postnet) because its free-running loop, with its data-dependent
stop, runs in numpy around the step graph; the vocoder becomes one graph with weight norm folded
and the inverse 1x1 convolutions precomputed in float64.

Export uses the TorchScript exporter (``torch.onnx.export(..., dynamo=False)``) and falls back to
the ``torch.export`` based one where that fails. Every export is then checked with onnxruntime
against torch on a test sentence; a graph that differs by more than ``tolerance`` is an error
that names it.

``precision="int8"`` then quantizes the decoder step graph's LSTM cells (:data:`INT8_GRAPH`) with
onnxruntime's dynamic quantization (:func:`quantize_graph`) and checks the int8 loop's mel against
torch's fp32 mel by its relative error (:data:`INT8_MEL_TOLERANCE`).
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import io
import json
import logging
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn import functional as F

from acoustic.model import DecoderState, Tacotron2
from base.cpu import check_precision
from base.errors import TTSError
from base.files import atomic_path
from tts.onnx.runtime import GRAPH_FILES, METADATA_KEY, STATE, OnnxAcoustic, OnnxWaveGlow
from tts.voice import Voice, load_voice
from tts.voice_manifest import MANIFEST, VoiceManifest, sha256_file, write_voice_manifest
from vocoder.denoiser import BIAS_FRAMES
from vocoder.waveglow import Invertible1x1Conv, WaveGlow, WeightNormConv1d

log = logging.getLogger(__name__)

DEFAULT_OPSET = 17
# The graph an int8 export quantizes: the decoder step's LSTM cells (Gemm nodes), as
# acoustic.quantize does, which onnxruntime runs as int8 MatMulInteger faster than in fp32. The
# encoder and postnet (run once per sentence) and the vocoder are convolutions, which it would
# run as ConvInteger: measured 3.5x slower than fp32 on the bundled voice's WaveGlow, at 18.6 dB
# (docs/precision.md), so they stay fp32.
INT8_GRAPH = "decoder_step"
# An int8 decoder step's whole-sentence mel against torch's fp32 one: RMS difference over the
# frames both have, relative to the fp32 mel's standard deviation; the stop may move by
# INT8_STEP_TOLERANCE of the steps (at least one).
INT8_MEL_TOLERANCE = 0.05
INT8_STEP_TOLERANCE = 0.05
EXPORTERS = ("auto", "torchscript", "dynamo")
# A sentence per language for the check on export; text_language first, else digits.
SAMPLE_TEXTS = {
    "hinglish": "namaste, aaj mausam bahut achha hai.",
    "hi": "नमस्ते, आज मौसम बहुत अच्छा है।",
    "en": "Hello, the weather is lovely today.",
    "bn": "নমস্কার, আজ আবহাওয়া খুব ভালো।",
    "benglish": "nomoshkar, aaj weather khub bhalo.",
}


# -- export wrappers ------------------------------------------------------------------------------


class EncoderGraph(nn.Module):
    """Symbol ids (one unpadded item) -> encoder memory and the attention's processed memory:
    :meth:`Tacotron2.encode_checked` with every position valid."""

    def __init__(self, model: Tacotron2) -> None:
        super().__init__()
        self.model = model
        self.tables = [name for name in ("speaker", "language") if getattr(model.config, f"n_{name}s")]

    def forward(self, ids: Tensor, *condition_ids: Tensor) -> tuple[Tensor, Tensor]:
        memory = self.model.encode_checked(ids, None, **dict(zip(self.tables, condition_ids)))
        return memory, self.model.decoder.attention_layer.memory_layer(memory)


class DecoderStepGraph(nn.Module):
    """One decoder step, the prenet (without dropout) in front: :meth:`Decoder.step` with its state
    as separate tensors."""

    def __init__(self, model: Tacotron2) -> None:
        super().__init__()
        self.decoder = model.decoder

    def forward(
        self,
        frame: Tensor,
        attention_hidden: Tensor,
        attention_cell: Tensor,
        decoder_hidden: Tensor,
        decoder_cell: Tensor,
        attention_weights: Tensor,
        attention_weights_cum: Tensor,
        attention_context: Tensor,
        memory: Tensor,
        processed_memory: Tensor,
        mask: Tensor,
    ) -> tuple[Tensor, ...]:
        d = self.decoder
        state = DecoderState(
            attention_hidden,
            attention_cell,
            decoder_hidden,
            decoder_cell,
            attention_weights,
            attention_weights_cum,
            attention_context,
        )
        frame_out, gate, state = d.step(d.prenet(frame, dropout=0.0), state, memory, processed_memory, mask)
        return (frame_out, gate, *state)


class PostnetGraph(nn.Module):
    """mel [1, n_mel, T] -> mel + postnet residual (every frame valid, dropout off)."""

    def __init__(self, model: Tacotron2) -> None:
        super().__init__()
        self.postnet = model.postnet

    def forward(self, mel: Tensor) -> Tensor:
        return mel + self.postnet(mel)


def _fold_weight_norm(module: nn.Module) -> nn.Module:
    """A copy of ``module`` with every :class:`WeightNormConv1d` replaced by a plain ``Conv1d``
    holding its effective weight."""
    module = copy.deepcopy(module)
    for name, child in list(module.named_children()):
        if isinstance(child, WeightNormConv1d):
            conv = nn.Conv1d(
                child.in_channels,
                child.out_channels,
                child.kernel_size[0],
                stride=child.stride[0],
                padding=cast(tuple[int], child.padding),
                dilation=child.dilation[0],
                groups=child.groups,
                bias=child.bias is not None,
            )
            with torch.no_grad():
                g, v = child.weight_g.double(), child.weight_v.double()
                conv.weight.copy_(g * v / v.norm(dim=tuple(range(1, v.dim())), keepdim=True))
                if child.bias is not None and conv.bias is not None:
                    conv.bias.copy_(child.bias)
            setattr(module, name, conv)
        else:
            setattr(module, name, _fold_weight_norm(child))
    return module


class _FixedInverse(nn.Module):
    """An :class:`~vocoder.waveglow.Invertible1x1Conv` for export: the inverse weight computed
    once, in float64 (ONNX has no matrix inverse)."""

    weight: Tensor  # a buffer, registered in __init__

    def __init__(self, convinv: Invertible1x1Conv) -> None:
        super().__init__()
        weight = convinv.conv.weight.detach().squeeze(-1).double()
        self.register_buffer("weight", torch.linalg.inv(weight).float().unsqueeze(-1))

    def inverse(self, z: Tensor) -> Tensor:
        return F.conv1d(z, self.weight)


class VocoderGraph(nn.Module):
    """``WaveGlow.reverse(mel, z)`` (its plain path) on a copy of the model with weight norm
    folded and the inverse 1x1 convolutions as fixed weights."""

    def __init__(self, model: WaveGlow) -> None:
        super().__init__()
        self.waveglow = cast(WaveGlow, _fold_weight_norm(model))
        self.waveglow.fast_inference = False  # in-place fast path: neither traceable nor folded
        for k in range(model.config.n_flows):
            self.waveglow.convinv[k] = _FixedInverse(model.flow(k)[1])

    def forward(self, mel: Tensor, z: Tensor) -> Tensor:
        return self.waveglow.reverse(mel, z)


# -- writing graphs -------------------------------------------------------------------------------


def _export_proto(
    module: nn.Module,
    args: tuple[Tensor, ...],
    input_names: list[str],
    output_names: list[str],
    dynamic_axes: dict[str, dict[int, str]],
    opset: int,
    exporter: str,
    graph: str,
) -> tuple[Any, str]:
    """The ONNX ModelProto of ``module`` and the exporter that made it."""
    import onnx

    errors = []
    if exporter in ("auto", "torchscript"):
        try:
            buffer = io.BytesIO()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # deprecation and tracer warnings
                torch.onnx.export(
                    module,
                    args,
                    cast(Any, buffer),  # the stubs say a path; a binary file object is accepted too
                    dynamo=False,
                    opset_version=opset,
                    input_names=input_names,
                    output_names=output_names,
                    dynamic_axes=dynamic_axes,
                    do_constant_folding=True,
                )
            proto = onnx.load_from_string(buffer.getvalue())
            _name_dynamic_axes(proto, dynamic_axes)
            return proto, "torchscript"
        except Exception as exc:  # any exporter failure: try the other one
            if exporter == "torchscript":
                raise TTSError(f"{graph}: the TorchScript ONNX exporter failed: {exc}") from exc
            log.warning("%s: the TorchScript exporter failed (%s); trying the dynamo exporter", graph, exc)
            errors.append(f"torchscript: {exc}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Every axis named in dynamic_axes is left to torch.export to relate (Dim.AUTO).
            specs = [
                {axis: torch.export.Dim.AUTO for axis in dynamic_axes.get(name, {})} or None for name in input_names
            ]
            shapes: list[Any] = []
            for param in inspect.signature(module.forward).parameters.values():
                if param.kind is inspect.Parameter.VAR_POSITIONAL:
                    shapes.append(tuple(specs[len(shapes) :]))
                    break
                shapes.append(specs[len(shapes)])
            program = torch.onnx.export(
                module,
                args,
                dynamo=True,
                opset_version=max(opset, 18),
                input_names=input_names,
                output_names=output_names,
                dynamic_shapes=tuple(shapes),
                external_data=False,
                optimize=True,
                verbose=False,
            )
        assert program is not None
        proto = program.model_proto
        _name_dynamic_axes(proto, dynamic_axes)
        return proto, "dynamo"
    except Exception as exc:
        errors.append(f"dynamo: {exc}")
        raise TTSError(f"{graph}: ONNX export failed ({'; '.join(errors)})") from exc


def _name_dynamic_axes(proto: Any, dynamic_axes: dict[str, dict[int, str]]) -> None:
    """Give the dynamic axes of the graph's inputs and outputs their names (an exporter may
    have recorded the traced size there, which onnxruntime then warns about). Intermediate shape
    annotations are dropped for the same reason; onnxruntime infers them again."""
    del proto.graph.value_info[:]
    for value in list(proto.graph.input) + list(proto.graph.output):
        for axis, name in dynamic_axes.get(value.name, {}).items():
            dims = value.type.tensor_type.shape.dim
            if axis < len(dims):
                dims[axis].Clear()
                dims[axis].dim_param = name


def _save_graph(proto: Any, path: Path, metadata: dict[str, Any]) -> None:
    """Write ``proto`` with ``metadata`` under the ``swaratts`` key, atomically."""
    import onnx

    del proto.metadata_props[:]
    entry = proto.metadata_props.add()
    entry.key, entry.value = METADATA_KEY, json.dumps(metadata, sort_keys=True)
    proto.producer_name = "swaratts"
    with atomic_path(path) as tmp:
        onnx.save_model(proto, str(tmp), save_as_external_data=False)


def _acoustic_metadata(config: Any) -> dict[str, Any]:
    keys = (
        "n_symbols",
        "n_mel_channels",
        "n_frames_per_step",
        "gate_threshold",
        "max_decoder_steps",
        "max_frames_per_symbol",
        "encoder_embedding_dim",
        "attention_rnn_dim",
        "decoder_rnn_dim",
        "attention_dim",
        "prenet_dim",
        "n_speakers",
        "n_languages",
    )
    return {k: getattr(config, k) for k in keys}


def export_graphs(
    acoustic_model: Tacotron2,
    vocoder_model: WaveGlow,
    directory: str | os.PathLike,
    opset: int = DEFAULT_OPSET,
    exporter: str = "auto",
    tables: dict[str, Any] | None = None,
) -> dict[str, str]:
    """Write the four graphs into ``directory`` (no manifest, no check); role -> exporter used.

    ``tables`` (the voice's ``symbols``, ``text_input``, ``speakers``, ``language_table``) go into
    the encoder graph's metadata, so that the runtime can check ``voice.json``, which no sha256
    covers, against what the model was trained with.

    The models are copied to CPU float32 in eval mode first; they are not changed.
    """
    if exporter not in EXPORTERS:
        raise ValueError(f"exporter must be one of {', '.join(EXPORTERS)}, got {exporter!r}")
    directory = Path(directory)
    acoustic_model = copy.deepcopy(acoustic_model).float().cpu().eval()
    vocoder_model = copy.deepcopy(vocoder_model).float().cpu().eval()
    ac, vc = acoustic_model.config, vocoder_model.config
    meta = _acoustic_metadata(ac)
    used = {}
    # Trace with sizes unlike any real input, so a size frozen into a graph shows in the check.
    n, frames = 7, 5
    m, r = ac.n_mel_channels, ac.n_frames_per_step
    with torch.no_grad():
        encoder = EncoderGraph(acoustic_model).eval()
        ids = torch.randint(0, ac.n_symbols, (1, n), dtype=torch.long)
        conditions = [torch.zeros(1, dtype=torch.long) for count in (ac.n_speakers, ac.n_languages) if count]
        inputs = ["ids"] + [name for name, count in (("speaker", ac.n_speakers), ("language", ac.n_languages)) if count]
        proto, used["encoder"] = _export_proto(
            encoder,
            (ids, *conditions),
            inputs,
            ["memory", "processed_memory"],
            {"ids": {1: "symbols"}, "memory": {1: "symbols"}, "processed_memory": {1: "symbols"}},
            opset,
            exporter,
            GRAPH_FILES["encoder"],
        )
        _save_graph(
            proto,
            directory / GRAPH_FILES["encoder"],
            {"graph": "encoder", **meta, **({"tables": tables} if tables else {})},
        )

        memory, processed = encoder(ids, *conditions)
        state = acoustic_model.decoder.initial_state(memory)
        weights = torch.softmax(torch.randn(1, n), dim=1)
        state = state._replace(
            attention_weights=weights,
            attention_weights_cum=weights * 2,
            attention_hidden=torch.randn_like(state.attention_hidden),
            decoder_hidden=torch.randn_like(state.decoder_hidden),
        )
        step_args = (torch.randn(1, m * r), *state, memory, processed, torch.ones(1, n, dtype=torch.bool))
        step_inputs = ["frame", *STATE, "memory", "processed_memory", "mask"]
        step_outputs = ["frame_out", "gate", *(f"{s}_out" for s in STATE)]
        by_symbol = {
            "attention_weights",
            "attention_weights_cum",
            "mask",
            "attention_weights_out",
            "attention_weights_cum_out",
        }
        axes = {name: {1: "symbols"} for name in by_symbol}
        axes.update({"memory": {1: "symbols"}, "processed_memory": {1: "symbols"}})
        proto, used["decoder_step"] = _export_proto(
            DecoderStepGraph(acoustic_model).eval(),
            step_args,
            step_inputs,
            step_outputs,
            axes,
            opset,
            exporter,
            GRAPH_FILES["decoder_step"],
        )
        _save_graph(proto, directory / GRAPH_FILES["decoder_step"], {"graph": "decoder_step", **meta})

        proto, used["postnet"] = _export_proto(
            PostnetGraph(acoustic_model).eval(),
            (torch.randn(1, m, frames * r),),
            ["mel"],
            ["mel_postnet"],
            {"mel": {2: "frames"}, "mel_postnet": {2: "frames"}},
            opset,
            exporter,
            GRAPH_FILES["postnet"],
        )
        _save_graph(proto, directory / GRAPH_FILES["postnet"], {"graph": "postnet", **meta})

        hop = vc.upsample_stride
        mel = torch.randn(1, vc.n_mel_channels, frames)
        z = torch.randn(1, vc.n_group, frames * hop // vc.n_group)
        proto, used["vocoder"] = _export_proto(
            VocoderGraph(vocoder_model).eval(),
            (mel, z),
            ["mel", "z"],
            ["audio"],
            {"mel": {2: "frames"}, "z": {2: "groups"}, "audio": {1: "samples"}},
            opset,
            exporter,
            GRAPH_FILES["vocoder"],
        )
        _save_graph(
            proto,
            directory / GRAPH_FILES["vocoder"],
            {
                "graph": "vocoder",
                "n_group": vc.n_group,
                "hop_length": hop,
                "n_mel_channels": vc.n_mel_channels,
                "mel_conditioning": vc.mel_conditioning,
                "denoiser_bias_frames": BIAS_FRAMES,
            },
        )
    return used


# -- checking against torch -----------------------------------------------------------------------


@dataclasses.dataclass
class VerifyReport:
    """Largest absolute differences between onnxruntime and torch, per graph."""

    encoder: float = 0.0
    decoder_step: float = 0.0  # the final mel: the numpy loop against Tacotron2.infer
    postnet: float = 0.0
    vocoder: float = 0.0
    steps: int = 0
    stopped: bool = False
    symbols: int = 0


def _sample_ids(voice: Voice, sample_text: str | None) -> list[int]:
    """Symbol ids of the test sentence: ``sample_text``, else a stock sentence of one of the
    voice's languages, else digits, else a fixed sequence of ids."""
    tp = voice.text_processor
    languages = voice.manifest.languages
    candidates: list[tuple[str | None, str]] = [(sample_text, languages[0])] if sample_text else []
    candidates += [(SAMPLE_TEXTS.get(lang), lang) for lang in languages]
    candidates.append(("12, 345.", languages[0]))
    for raw, lang in candidates:
        if not raw:
            continue
        try:
            ids = tp.ids(tp.normalize(raw, lang))
        except Exception:  # a frontend that cannot read it: try the next
            continue
        if ids:
            return ids
    n = len(voice.manifest.symbols)
    return [(7 * i + 3) % max(n - 1, 1) + 1 for i in range(24)]


def quantize_graph(path: Path, rows: set[int]) -> None:
    """The graph at ``path`` with the weights of its Gemm nodes of ``rows`` output rows (the LSTM
    cells': 4 x their width) in int8, in place: onnxruntime's dynamic quantization, one scale per
    output channel, unsigned 8-bit weights and activations (its u8 x u8 kernels never saturate,
    whichever CPU the voice later runs on; u8 x s8 ones do without VNNI), the activations
    quantized per call. Its metadata is kept, with ``precision: int8``.

    Raises:
        TTSError: the quantizer left some of those products in fp32.
    """
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    proto = onnx.load(str(path))
    entries = {entry.key: entry.value for entry in proto.metadata_props}
    metadata = json.loads(entries.get(METADATA_KEY, "{}"))
    weights = {init.name: tuple(init.dims) for init in proto.graph.initializer}
    cells = [
        node.name
        for node in proto.graph.node
        if node.op_type == "Gemm" and weights.get(node.input[1], (0,))[0] in rows and len(weights[node.input[1]]) == 2
    ]
    quantized = path.with_name(path.stem + ".int8.onnx")
    quiet = logging.getLogger()
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # its advice to pre-process the graph first
    try:
        quantize_dynamic(
            str(path),
            str(quantized),
            weight_type=QuantType.QUInt8,
            per_channel=True,
            # It turns each Gemm into MatMul + Add before quantizing, under this name.
            nodes_to_quantize=cells + [f"{name}_MatMul" for name in cells],
            extra_options={"MatMulConstBOnly": True},
        )
    finally:
        quiet.setLevel(level)
    result = onnx.load(str(quantized))
    quantized.unlink()
    done = sum(node.op_type in ("MatMulInteger", "DynamicQuantizeMatMul") for node in result.graph.node)
    if not cells or done != len(cells):
        raise TTSError(
            f"{path.name}: onnxruntime's quantizer made {done} of the {len(cells)} LSTM products int8; "
            "export in fp32, or with another onnxruntime"
        )
    _save_graph(result, path, {**metadata, "precision": "int8"})


def _check_int8_mel(mel: np.ndarray, reference: np.ndarray, r: int, what: str) -> float:
    """The int8 loop's mel against torch's fp32 one (:data:`INT8_MEL_TOLERANCE`,
    :data:`INT8_STEP_TOLERANCE`); returns the relative RMS difference."""
    graph = GRAPH_FILES["decoder_step"]
    steps, steps_ref = mel.shape[1] // r, reference.shape[1] // r
    if abs(steps - steps_ref) > max(1, INT8_STEP_TOLERANCE * steps_ref):
        raise TTSError(
            f"{graph}: the int8 loop decoded {steps} steps, torch's fp32 model {steps_ref}, on {what}; "
            "the int8 export is too far from the model"
        )
    n = min(mel.shape[1], reference.shape[1])
    spread = float(reference.std()) or 1.0
    relative = float(np.sqrt(np.mean((mel[:, :n] - reference[:, :n]) ** 2))) / spread
    return _check(graph, relative, INT8_MEL_TOLERANCE, f"the mel of {what} (int8: RMS difference over the mel's std)")


def _check(graph: str, diff: float, tolerance: float, what: str) -> float:
    if not diff <= tolerance:  # also catches NaN
        raise TTSError(
            f"{graph}: onnxruntime differs from torch by {diff:.3g} (> {tolerance:g}) on {what}; "
            "the export is wrong for this model"
        )
    return diff


def verify_export(
    voice: Voice,
    acoustic_model: Tacotron2,
    vocoder_model: WaveGlow,
    ids: Sequence[int] | None = None,
    speaker: int = 0,
    language: int | None = None,
    tolerance: float = 1e-3,
    vocoder_frames: int = 48,
    seed: int = 0,
    precision: str = "fp32",
) -> VerifyReport:
    """Compare ``voice`` (an ONNX voice) with the torch models on symbol ``ids``.

    The encoder, postnet and vocoder graphs are compared on the same inputs; the decoder step
    through the whole runtime path (:meth:`OnnxAcoustic.decode_one`, its stop and step-limit rules
    included) against :meth:`Tacotron2.infer`, prenet dropout off on both sides. Raises
    :class:`TTSError` naming the first graph whose outputs differ by more than ``tolerance``.
    """
    model = copy.deepcopy(acoustic_model).float().cpu().eval()
    model.decoder.prenet.dropout = 0.0
    wg = copy.deepcopy(vocoder_model).float().cpu().eval()
    c = model.config
    ids = list(ids) if ids is not None else _sample_ids(voice, None)
    if c.n_languages and language is None:
        language = 0
    report = VerifyReport(symbols=len(ids))
    text = torch.tensor([ids], dtype=torch.long)
    lengths = torch.tensor([len(ids)])
    spk = torch.tensor([speaker]) if c.n_speakers else None
    lang = torch.tensor([language]) if c.n_languages else None
    what = f"a {len(ids)}-symbol test sentence"
    with torch.no_grad():
        memory_t = model.encode(text, lengths, spk, lang)
        processed_t = model.decoder.attention_layer.memory_layer(memory_t)
        runtime = cast(OnnxAcoustic, voice.acoustic)
        memory, processed = runtime.encode(ids, speaker, language)
        report.encoder = _check(
            GRAPH_FILES["encoder"],
            max(float(np.abs(memory - memory_t.numpy()).max()), float(np.abs(processed - processed_t.numpy()).max())),
            tolerance,
            what,
        )

        # The postnet alone, on a mel like the decoder's.
        generator = torch.Generator().manual_seed(seed)
        mel_in = torch.randn(1, c.n_mel_channels, 6 * c.n_frames_per_step + 1, generator=generator) - 4.0
        frames_mask = torch.ones(1, mel_in.size(2), dtype=torch.bool)
        post_t = (mel_in + model.postnet(mel_in, frames_mask)).numpy()
        report.postnet = _check(
            GRAPH_FILES["postnet"],
            float(np.abs(runtime.postnet(mel_in.numpy()) - post_t).max()),
            tolerance,
            f"{mel_in.size(2)} random mel frames",
        )

        # End to end: Tacotron2.infer against the runtime's own path (loop, stop and limit rules).
        out = model.infer(text, lengths, spk, lang)
        mel_ref = out.mel_postnet[0, :, : int(out.mel_lengths[0])].numpy()
        mel_rt, stopped_rt = runtime.decode_one(ids, speaker, language)
        if precision == "int8":
            report.decoder_step = _check_int8_mel(mel_rt, mel_ref, c.n_frames_per_step, what)
        elif mel_rt.shape != mel_ref.shape or stopped_rt != bool(out.stopped[0]):
            raise TTSError(
                f"{GRAPH_FILES['decoder_step']}: the onnxruntime loop decoded {mel_rt.shape[1]} frames "
                f"(stopped={stopped_rt}), Tacotron2.infer {mel_ref.shape[1]} "
                f"(stopped={bool(out.stopped[0])}) on {what}"
            )
        else:
            report.decoder_step = _check(
                GRAPH_FILES["decoder_step"], float(np.abs(mel_rt - mel_ref).max()), tolerance, f"the mel of {what}"
            )
        report.steps, report.stopped = mel_ref.shape[1] // c.n_frames_per_step, stopped_rt

        # Vocoder on the start of that mel with identical noise.
        mel_v = torch.from_numpy(mel_ref[:, :vocoder_frames]).unsqueeze(0)
        vcfg = wg.config
        z = (
            np.random.default_rng(seed)
            .standard_normal((1, vcfg.n_group, mel_v.size(2) * vcfg.upsample_stride // vcfg.n_group))
            .astype(np.float32)
        )
        z *= np.float32(0.666)
        audio_t = wg.reverse(mel_v, torch.from_numpy(z))[0].numpy()
        audio_o = cast(OnnxWaveGlow, voice.vocoders["waveglow"]).vocode_latent(mel_v[0].numpy(), z)
        if audio_o.shape != audio_t.shape:
            raise TTSError(
                f"{GRAPH_FILES['vocoder']}: onnxruntime gave {audio_o.shape[0]} samples, torch {audio_t.shape[0]}"
            )
        report.vocoder = _check(
            GRAPH_FILES["vocoder"], float(np.abs(audio_o - audio_t).max()), tolerance, f"{mel_v.size(2)} mel frames"
        )
    return report


# -- the voice ------------------------------------------------------------------------------------


def export_onnx(
    acoustic_model: Tacotron2,
    vocoder_model: WaveGlow,
    manifest: VoiceManifest,
    out_dir: str | os.PathLike,
    *,
    opset: int = DEFAULT_OPSET,
    exporter: str = "auto",
    verify: bool = True,
    tolerance: float = 1e-3,
    sample_text: str | None = None,
    precision: str = "fp32",
) -> Path:
    """Export a voice to ONNX in ``out_dir`` and return ``out_dir``.

    Writes ``encoder.onnx``, ``decoder_step.onnx``, ``postnet.onnx``, ``vocoder.onnx`` and a
    ``voice.json`` that is ``manifest`` with ``engine="onnx"``, ``files`` / ``sha256`` of the four
    graphs, and the models' configs. Everything is written into a staging folder inside
    ``out_dir`` and checked there with the ONNX runtime (:mod:`tts.onnx.runtime`) against torch (see
    :func:`verify_export`; skipped with ``verify=False``); only then is each file moved into place
    with ``os.replace``, ``voice.json`` last, so a failed export leaves no voice behind.

    Args:
        acoustic_model: the Tacotron2 (any device or dtype; a CPU float32 copy is exported).
        vocoder_model: the WaveGlow.
        manifest: the torch voice's manifest.
        out_dir: the ONNX voice directory (created if needed).
        opset: ONNX opset (17; at least 18 if the dynamo exporter is used).
        exporter: ``auto`` (TorchScript, then dynamo on failure), ``torchscript`` or ``dynamo``.
        tolerance: largest absolute difference allowed between onnxruntime and torch.
        sample_text: the test sentence (raw text in the voice's default language).
        precision: ``"int8"`` quantizes the decoder step's LSTM cells (:func:`quantize_graph`); its
            mel is then checked against the fp32 model's by :data:`INT8_MEL_TOLERANCE`.

    Raises:
        TTSError: an export failed, or a graph differs from torch (the message names it).
    """
    if not isinstance(acoustic_model, Tacotron2):
        raise TTSError(f"the acoustic model must be a Tacotron2, got {type(acoustic_model).__name__}")
    if not isinstance(vocoder_model, WaveGlow):
        raise TTSError(f"the vocoder must be a WaveGlow, got {type(vocoder_model).__name__}")
    ac = acoustic_model.config
    if len(manifest.symbols) != ac.n_symbols:
        raise TTSError(
            f"voice {manifest.name!r} lists {len(manifest.symbols)} symbols but its acoustic "
            f"model embeds {ac.n_symbols}"
        )
    if ac.n_languages and len(manifest.language_table) != ac.n_languages:
        raise TTSError(
            f"voice {manifest.name!r}: the acoustic model has {ac.n_languages} language rows "
            f"but language_table lists {len(manifest.language_table)}"
        )
    hop = int(manifest.mel_config.get("hop_length", vocoder_model.config.upsample_stride))
    if vocoder_model.config.upsample_stride != hop:
        raise TTSError(
            f"the vocoder's upsample_stride ({vocoder_model.config.upsample_stride}) is not the "
            f"voice's mel hop_length ({hop})"
        )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out_dir, prefix=".export-"))
    started = time.perf_counter()
    try:
        tables = {
            "symbols": list(manifest.symbols),
            "text_input": manifest.text_input,
            "speakers": list(manifest.speakers),
            "language_table": list(manifest.language_table),
        }
        used = export_graphs(acoustic_model, vocoder_model, staging, opset, exporter, tables)
        if check_precision(precision) == "int8":
            quantize_graph(staging / GRAPH_FILES[INT8_GRAPH], {4 * ac.attention_rnn_dim, 4 * ac.decoder_rnn_dim})
        files = dict(GRAPH_FILES)
        onnx_manifest = dataclasses.replace(
            manifest,
            engine="onnx",
            files=files,
            sha256={name: sha256_file(staging / name) for name in files.values()},
            acoustic_config=dataclasses.asdict(ac),
            vocoder_config=vocoder_model.config.to_dict(),
        )
        write_voice_manifest(staging, onnx_manifest)
        exported = time.perf_counter()
        if verify:
            voice = load_voice(staging, engine="onnx", verify=False)
            ids = _sample_ids(voice, sample_text)
            language = None
            if ac.n_languages:
                language = voice.language_id(None)
            try:
                report = verify_export(
                    voice, acoustic_model, vocoder_model, ids, 0, language, tolerance, precision=precision
                )
            except TTSError:
                raise
            except Exception as exc:  # onnxruntime failing to run a graph it loaded
                raise TTSError(
                    f"the exported graphs fail on a test sentence ({type(exc).__name__}: {exc}); "
                    "the export is wrong for this model"
                ) from exc
            log.info(
                "ONNX export of %r checked on %d symbols (%d steps, stopped=%s): max abs diff "
                "encoder %.2g, decoder (final mel) %.2g%s, postnet %.2g, vocoder %.2g",
                manifest.name,
                report.symbols,
                report.steps,
                report.stopped,
                report.encoder,
                report.decoder_step,
                " (int8: RMS difference over the fp32 mel's std)" if precision == "int8" else "",
                report.postnet,
                report.vocoder,
            )
        for name in files.values():
            os.replace(staging / name, out_dir / name)
        os.replace(staging / MANIFEST, out_dir / MANIFEST)
        log.info(
            "exported %r to %s in %.1f s (exporters: %s; check %.1f s)",
            manifest.name,
            out_dir,
            exported - started,
            ", ".join(f"{k}={v}" for k, v in used.items()),
            time.perf_counter() - exported,
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out_dir


def export_voice_onnx(voice: Any, out_dir: str | os.PathLike, **options: Any) -> Path:
    """:func:`export_onnx` of a loaded torch voice (:class:`tts.voice.Voice`): its acoustic model,
    vocoder and manifest. Graphs are exported from the fp32 models: a voice loaded in int8 is
    loaded again from its bundle in fp32 for it. ``options`` are those of :func:`export_onnx` (an
    int8 export is ``precision="int8"``)."""
    if getattr(voice, "precision", "fp32") != "fp32":
        log.info("exporting %r from its fp32 models (the voice given is loaded in %s)", voice.name, voice.precision)
        voice = load_voice(voice.path, engine="torch", precision="fp32", verify=False)
    return export_onnx(voice.acoustic.model, voice.vocoders["waveglow"].model, voice.manifest, out_dir, **options)
