"""Synthesis from an exported ONNX voice with onnxruntime and numpy: no torch anywhere.

An ONNX voice directory (written by :func:`tts.onnx.export.export_onnx`) holds ``voice.json``
(``engine: onnx``) and four graphs:

``encoder.onnx``
    ``ids`` [1, N] int64 (and ``speaker`` / ``language`` [1] int64 when the acoustic model has
    those tables) -> ``memory`` [1, N, E], ``processed_memory`` [1, N, attention_dim].
``decoder_step.onnx``
    one Tacotron2 decoder step, prenet included (its dropout off): the previous step's ``frame``
    [1, n_mel * r], the seven recurrent tensors of :data:`STATE`, ``memory``,
    ``processed_memory`` and ``mask`` [1, N] bool -> ``frame_out`` [1, n_mel * r], ``gate`` [1]
    (a logit) and the new state (``<name>_out``; ``attention_weights_out`` is the step's alignment).
``postnet.onnx``
    ``mel`` [1, n_mel, T] -> ``mel_postnet`` [1, n_mel, T] (the mel plus the postnet residual).
``vocoder.onnx``
    ``mel`` [1, n_mel, frames] and ``z`` [1, n_group, frames * hop / n_group] (the latent, already
    scaled by sigma) -> ``audio`` [1, frames * hop]: WaveGlow run backwards, weight norm folded
    and the inverse 1x1 convolutions precomputed.

The decoding loop is :meth:`Tacotron2.infer <acoustic.model.Tacotron2.infer>` for one item with
the prenet's dropout off: a step's ``r`` frames feed the next step, decoding stops on the step
whose ``sigmoid(gate) > gate_threshold`` (that step is kept), or after
``min(max_decoder_steps, max(1, ceil(N * max_frames_per_symbol / r)))`` steps. The parameters of
the loop are stored in the graphs' metadata (key ``swaratts``), so the runtime needs nothing else.

:func:`load_onnx_parts` gives a :class:`tts.voice.Voice` its parts: :class:`OnnxAcoustic` (the
three acoustic graphs and that loop) and :class:`OnnxWaveGlow` (the vocoder graph, vocoding in
cross-faded chunks, :mod:`tts.vocoding`, with the denoiser in numpy), beside Griffin-Lim
(:class:`tts.griffinlim.GriffinLim`, the numpy function the torch voice calls too, so both engines
give the same audio for the same mel). Only WaveGlow's noise differs from the torch voice's: it is
drawn with numpy's ``default_rng``, so that audio is not sample-identical.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from base.errors import TTSError
from tts.griffinlim import GriffinLim
from tts.vocoding import ChunkConfig, vocode_in_chunks
from tts.voice_manifest import VoiceManifest

# role in voice.json "files" -> file name
GRAPH_FILES = {
    "encoder": "encoder.onnx",
    "decoder_step": "decoder_step.onnx",
    "postnet": "postnet.onnx",
    "vocoder": "vocoder.onnx",
}
# The decoder's recurrent state, in the order of the step graph's inputs and outputs.
STATE = (
    "attention_hidden",
    "attention_cell",
    "decoder_hidden",
    "decoder_cell",
    "attention_weights",
    "attention_weights_cum",
    "attention_context",
)
METADATA_KEY = "swaratts"

log = logging.getLogger(__name__)


def graph_metadata(session: Any) -> dict[str, Any]:
    """The ``swaratts`` metadata an exported graph carries (an empty dict if none)."""
    raw = session.get_modelmeta().custom_metadata_map.get(METADATA_KEY)
    return json.loads(raw) if raw else {}


def step_limit(n_symbols: int, config: dict[str, Any]) -> int:
    """Decoder steps allowed for an input of ``n_symbols``, exactly as ``Tacotron2.infer``."""
    limit = int(config["max_decoder_steps"])
    per_symbol = config.get("max_frames_per_symbol")
    if per_symbol is not None:
        # torch computes ceil(length.double() * per_symbol / r): the same float64 operations.
        limit = min(limit, max(1, math.ceil(n_symbols * float(per_symbol) / int(config["n_frames_per_step"]))))
    return limit


def _sigmoid(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return np.float32(1.0) / (np.float32(1.0) + np.exp(-x))


def session_options(threads: int | None = None) -> Any:
    """The ``onnxruntime.SessionOptions`` every graph of a voice runs with: ``threads`` intra-op
    threads (default: the CPU count), sequential, all graph optimizations, no spinning."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = int(threads or os.cpu_count() or 1)
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # onnxruntime's threads spin between runs by default; between the decoder's steps and while
    # numpy vocodes they would take the cores from the work: measured on 2 cores, a sentence of
    # the hinglish voice took 0.213 s spinning and 0.079 s without (docs/precision.md).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def load_onnx_parts(
    path: Path,
    manifest: VoiceManifest,
    threads: int | None = None,
    providers: Sequence[str] | None = None,
    chunks: ChunkConfig = ChunkConfig(),
) -> tuple[OnnxAcoustic, dict[str, Any]]:
    """The acoustic model and vocoders of the ONNX bundle at ``path`` (``voice.json`` already
    read and its files verified), checked against each other and the manifest.

    Args:
        threads: onnxruntime intra-op threads (default: ``os.cpu_count()``).
        providers: onnxruntime execution providers (default: CPU).
        chunks: how long mels are vocoded in overlapping chunks (:mod:`tts.vocoding`).

    Raises:
        TTSError: not an ONNX voice, a graph missing, graphs that do not fit the manifest
            (symbol count, language or speaker tables), or carry no metadata.
    """
    try:
        import onnxruntime as ort
    except ImportError:  # pragma: no cover - depends on the installation
        raise TTSError("the ONNX runtime needs onnxruntime: pip install 'swaratts[onnx]'") from None
    m = manifest
    if m.engine != "onnx":
        raise TTSError(
            f"{path}: voice {m.name!r} is a {m.engine} voice, not an ONNX one; export it with `tts export onnx`"
        )
    missing = sorted(set(GRAPH_FILES) - set(m.files))
    if missing:
        raise TTSError(f"{path}: voice.json names no file for the graph(s) {', '.join(missing)}")
    options = session_options(threads)
    providers = list(providers or ["CPUExecutionProvider"])
    sessions = {}
    for role in GRAPH_FILES:
        file = path / m.files[role]
        try:
            sessions[role] = ort.InferenceSession(str(file), options, providers=providers)
        except Exception as exc:  # onnxruntime raises its own exception types
            raise TTSError(f"{file}: onnxruntime cannot load this graph ({exc})") from None
    for role, session in sessions.items():
        # Each graph says what it is; one swapped for another (sha256 updated) is caught here,
        # not by onnxruntime at the first sentence.
        found = graph_metadata(session).get("graph")
        if found != role:
            raise TTSError(
                f"{path / m.files[role]}: is {'the ' + str(found) if found else 'not a swaratts'} "
                f"graph, not the {role} graph voice.json names it as; re-export the voice with "
                "`tts export onnx`"
            )
    acoustic = OnnxAcoustic(path, m, sessions["encoder"], sessions["decoder_step"], sessions["postnet"])
    vocoders = {
        "waveglow": OnnxWaveGlow(path, sessions["vocoder"], chunks),
        "griffinlim": GriffinLim(m.mel_config, threads=threads),
    }
    return acoustic, vocoders


class OnnxAcoustic:
    """Tacotron2 from its three exported graphs (:class:`tts.voice.AcousticModel`): the encoder,
    the decoder step run in the free-running loop, and the postnet. Items are decoded one at a
    time, which gives what a torch batch gives."""

    engine = "onnx"

    def __init__(self, path: Path, manifest: VoiceManifest, encoder: Any, decoder_step: Any, postnet: Any) -> None:
        m = manifest
        self._encoder, self._decoder, self._postnet = encoder, decoder_step, postnet
        self.config = {**graph_metadata(encoder), **graph_metadata(decoder_step)}
        needed = (
            "n_symbols",
            "n_mel_channels",
            "n_frames_per_step",
            "gate_threshold",
            "max_decoder_steps",
            "encoder_embedding_dim",
            "attention_rnn_dim",
            "decoder_rnn_dim",
        )
        if any(k not in self.config for k in needed):
            raise TTSError(f"{path}: the graphs carry no swaratts metadata; re-export the voice with `tts export onnx`")
        a = self.config
        for field_name, trained in (graph_metadata(encoder).get("tables") or {}).items():
            if (
                field_name in ("symbols", "text_input", "speakers", "language_table")
                and getattr(m, field_name) != trained
            ):
                raise TTSError(
                    f"{path}: voice.json's {field_name} do not match what the acoustic model was "
                    "trained with (recorded in encoder.onnx); the bundle is inconsistent: re-export it "
                    "with `tts export onnx`"
                )
        if len(m.symbols) != int(a["n_symbols"]):
            raise TTSError(
                f"{path}: voice.json lists {len(m.symbols)} symbols but "
                f"{m.files['encoder']} embeds {a['n_symbols']}; the manifest is from another model"
            )
        encoder_inputs = {i.name for i in encoder.get_inputs()}
        self._has_speaker = "speaker" in encoder_inputs
        self._has_language = "language" in encoder_inputs
        if self._has_language and len(m.language_table) != int(a.get("n_languages", 0)):
            raise TTSError(
                f"{path}: the acoustic model has {a.get('n_languages')} language rows but "
                f"voice.json's language_table lists {len(m.language_table)}"
            )
        if self._has_speaker and m.speakers and len(m.speakers) != int(a.get("n_speakers", 0)):
            raise TTSError(
                f"{path}: the acoustic model has {a.get('n_speakers')} speakers but voice.json lists {len(m.speakers)}"
            )
        self.n_mel_channels = int(a["n_mel_channels"])
        # "int8" when the export quantized the decoder step (tts export onnx --precision int8).
        self.precision = str(graph_metadata(decoder_step).get("precision", "fp32"))

    def encode(self, ids: Sequence[int], speaker: int, language: int | None) -> tuple[np.ndarray, np.ndarray]:
        """The encoder graph: ``(memory [1, N, E], processed_memory [1, N, attention_dim])``."""
        feeds = {"ids": np.asarray(ids, dtype=np.int64).reshape(1, -1)}
        if self._has_speaker:
            feeds["speaker"] = np.array([speaker], dtype=np.int64)
        if self._has_language:
            feeds["language"] = np.array([language or 0], dtype=np.int64)
        memory, processed = self._encoder.run(["memory", "processed_memory"], feeds)
        return memory, processed

    def decode_memory(
        self, memory: np.ndarray, processed: np.ndarray, max_steps: int | None = None, use_gate: bool = True
    ) -> tuple[np.ndarray, bool, np.ndarray]:
        """The free-running loop: (pre-postnet mel [1, n_mel, S * r], stopped, alignments [S, N])."""
        a = self.config
        n = memory.shape[1]
        n_mel, r = int(a["n_mel_channels"]), int(a["n_frames_per_step"])
        limit = step_limit(n, a) if max_steps is None else int(max_steps)
        threshold = np.float32(a["gate_threshold"])
        sizes = {
            "attention_hidden": int(a["attention_rnn_dim"]),
            "attention_cell": int(a["attention_rnn_dim"]),
            "decoder_hidden": int(a["decoder_rnn_dim"]),
            "decoder_cell": int(a["decoder_rnn_dim"]),
            "attention_weights": n,
            "attention_weights_cum": n,
            "attention_context": int(a["encoder_embedding_dim"]),
        }
        feeds = {name: np.zeros((1, sizes[name]), dtype=np.float32) for name in STATE}
        feeds["frame"] = np.zeros((1, n_mel * r), dtype=np.float32)
        feeds["memory"] = np.ascontiguousarray(memory, dtype=np.float32)
        feeds["processed_memory"] = np.ascontiguousarray(processed, dtype=np.float32)
        feeds["mask"] = np.ones((1, n), dtype=bool)
        outputs = ["frame_out", "gate"] + [f"{name}_out" for name in STATE]
        frames, alignments = [], []
        stopped = False
        for _ in range(limit):
            frame, gate, *state = self._decoder.run(outputs, feeds)
            frames.append(frame)
            feeds["frame"] = frame
            feeds.update(zip(STATE, state))
            alignments.append(feeds["attention_weights"][0])
            if use_gate and bool(_sigmoid(gate)[0] > threshold):
                stopped = True  # the step on which the gate fires is kept, as in torch
                break
        mel = np.stack(frames, axis=1).reshape(1, -1, n_mel).transpose(0, 2, 1)
        return np.ascontiguousarray(mel), stopped, np.stack(alignments)

    def postnet(self, mel: np.ndarray) -> np.ndarray:
        """The postnet graph: ``mel`` [1, n_mel, T] plus its residual."""
        return self._postnet.run(["mel_postnet"], {"mel": np.ascontiguousarray(mel, dtype=np.float32)})[0]

    def decode_one(
        self,
        ids: Sequence[int],
        speaker: int = 0,
        language: int | None = None,
        max_steps: int | None = None,
        use_gate: bool = True,
    ) -> tuple[np.ndarray, bool]:
        """The postnet mel [n_mel, frames] and ``stopped`` of one id sequence. ``max_steps``
        overrides the step limit and ``use_gate=False`` ignores the gate (decode exactly
        ``max_steps`` steps): both for testing against torch."""
        if len(ids) == 0:
            raise TTSError("nothing to synthesize: the text normalizes to nothing")
        memory, processed = self.encode(ids, speaker, language)
        mel, stopped, _ = self.decode_memory(memory, processed, max_steps, use_gate)
        return self.postnet(mel)[0], stopped

    def decode(self, ids: Sequence[Sequence[int]], speaker: int, language: int) -> list[tuple[np.ndarray, bool]]:
        return [self.decode_one(i, speaker, language) for i in ids]


class OnnxWaveGlow:
    """The exported WaveGlow graph as a voice's vocoder (:class:`tts.voice.Vocoder`): as the torch
    one, one latent ``sigma * standard_normal`` for the whole mel (numpy's ``default_rng(seed)``),
    chunks cross-faded, each denoised (strength ``denoise``, 0: off) and clipped."""

    kind = "waveglow"

    def __init__(self, path: Path, session: Any, chunks: ChunkConfig = ChunkConfig()) -> None:
        self._session = session
        self.config = graph_metadata(session)
        if "n_group" not in self.config or "hop_length" not in self.config:
            raise TTSError(f"{path}: the graphs carry no swaratts metadata; re-export the voice with `tts export onnx`")
        self.n_group = int(self.config["n_group"])
        self.hop_length = int(self.config["hop_length"])
        self.n_mel_channels = int(self.config.get("n_mel_channels", 80))
        self.chunks = chunks
        self._bias_spec: np.ndarray | None = None

    def vocode_latent(self, mel: np.ndarray, z: np.ndarray) -> np.ndarray:
        """The vocoder graph once: audio [frames * hop] of ``mel`` [n_mel, frames] for the latent
        ``z`` [1, n_group, frames * hop / n_group] (already scaled by sigma); not clipped."""
        feeds = {
            "mel": np.ascontiguousarray(np.asarray(mel, dtype=np.float32)[None]),
            "z": np.ascontiguousarray(z, dtype=np.float32),
        }
        return self._session.run(["audio"], feeds)[0][0]

    def stream(self, mel: np.ndarray, sigma: float, denoise: float, seed: int | None) -> Iterator[np.ndarray]:
        hop, n_group = self.hop_length, self.n_group
        z = np.random.default_rng(seed).standard_normal((n_group, mel.shape[1] * hop // n_group), dtype=np.float32)
        scale = np.float32(sigma)

        def vocode(start: int, end: int) -> np.ndarray:
            chunk_z = scale * z[None, :, start * hop // n_group : end * hop // n_group]
            audio = self.vocode_latent(mel[:, start:end], chunk_z)
            if denoise > 0:
                audio = self.denoise(audio, denoise)
            return np.clip(audio, -1.0, 1.0)

        yield from vocode_in_chunks(vocode, mel.shape[1], hop, self.chunks)

    def denoise(self, audio: np.ndarray, strength: float) -> np.ndarray:
        """``vocoder.Denoiser`` in numpy: subtract ``strength`` times the vocoder's bias
        spectrum (its output for an all-zero mel with sigma 0) from ``audio`` [T]."""
        if self._bias_spec is None:
            if "denoiser_bias_frames" not in self.config:
                raise TTSError(
                    "this vocoder.onnx records no denoiser settings: re-export the voice with "
                    "`tts export onnx`, or synthesize with denoise 0"
                )
            frames = int(self.config["denoiser_bias_frames"])  # vocoder.Denoiser's, recorded by the export
            zeros = np.zeros((self.n_mel_channels, frames), dtype=np.float32)
            z = np.zeros((1, self.n_group, frames * self.hop_length // self.n_group), dtype=np.float32)
            self._bias_spec = np.abs(_stft(self.vocode_latent(zeros, z)))[:, :1]
        spec = _stft(np.asarray(audio, dtype=np.float32))
        magnitude = np.maximum(np.abs(spec) - self._bias_spec * np.float32(strength), 0.0)
        return _istft(magnitude * np.exp(1j * np.angle(spec)), len(audio))


# -- the torch voice's helpers, in numpy ----------------------------------------------------------

# vocoder.Denoiser's STFT (filter_length = win_length 1024, hop 256, Hann window).
DENOISER_FFT = 1024
DENOISER_HOP = 256


def _window() -> np.ndarray:
    n = np.arange(DENOISER_FFT)
    return (0.5 - 0.5 * np.cos(2 * np.pi * n / DENOISER_FFT)).astype(np.float32)


def _stft(audio: np.ndarray) -> np.ndarray:
    """[T] -> complex [n_fft / 2 + 1, 1 + T // hop], as ``torch.stft(center=True)``."""
    pad = DENOISER_FFT // 2
    padded = np.pad(audio, pad, mode="reflect")
    n_frames = 1 + (len(padded) - DENOISER_FFT) // DENOISER_HOP
    index = np.arange(DENOISER_FFT)[None, :] + DENOISER_HOP * np.arange(n_frames)[:, None]
    return np.fft.rfft(padded[index] * _window(), axis=1).T.astype(np.complex64)


def _istft(spec: np.ndarray, length: int) -> np.ndarray:
    """Inverse of :func:`_stft` (overlap-add, window-square normalised), ``length`` samples."""
    window = _window()
    frames = np.fft.irfft(spec.T, n=DENOISER_FFT, axis=1).astype(np.float32) * window
    n_frames = frames.shape[0]
    total = DENOISER_FFT + DENOISER_HOP * (n_frames - 1)
    out = np.zeros(total, dtype=np.float32)
    envelope = np.zeros(total, dtype=np.float32)
    for i in range(n_frames):
        out[i * DENOISER_HOP : i * DENOISER_HOP + DENOISER_FFT] += frames[i]
        envelope[i * DENOISER_HOP : i * DENOISER_HOP + DENOISER_FFT] += window * window
    start = DENOISER_FFT // 2
    out = out[start : start + length] / np.maximum(envelope[start : start + length], 1e-11)
    return np.pad(out, (0, length - len(out))) if len(out) < length else out
