"""The torch parts of a voice: Tacotron2 as its :class:`~tts.voice.AcousticModel`, WaveGlow as a
:class:`~tts.voice.Vocoder`, and the loading of a torch bundle's checkpoints into them."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

import acoustic
import vocoder
from base.cpu import check_precision, low_precision
from base.errors import TTSError
from tts.griffinlim import GriffinLim
from tts.text_processor import TextProcessor
from tts.vocoding import ChunkConfig, vocode_in_chunks
from tts.voice import check_same_mels
from tts.voice_manifest import VoiceManifest

log = logging.getLogger(__name__)

# At batch 1 a small decoder's step is a chain of tiny kernels, bound by per-op overhead, and a
# second thread only adds synchronisation: measured on 2 cores (tiny-long, 1.6 M LSTM weights)
# 0.65-0.69 ms/step on one thread against 0.77-0.83 on two, while NVIDIA's 17 M decoder gained
# 5-7 % from the second thread. Decoders below this many LSTM weights decode one sentence on one
# thread; the vocoder still uses them all.
SMALL_DECODER_WEIGHTS = 4_000_000


def decoding_threads(config: acoustic.Tacotron2Config, batch: int, threads: int) -> int:
    """Threads for decoding ``batch`` sentences with an acoustic model of ``config`` when
    ``threads`` are available: one for a single sentence on a small decoder
    (:data:`SMALL_DECODER_WEIGHTS`), else all."""
    c = config
    lstm_weights = 4 * c.attention_rnn_dim * (
        c.prenet_dim + c.encoder_embedding_dim + c.attention_rnn_dim
    ) + 4 * c.decoder_rnn_dim * (c.attention_rnn_dim + c.encoder_embedding_dim + c.decoder_rnn_dim)
    return 1 if batch == 1 and lstm_weights < SMALL_DECODER_WEIGHTS else threads


@contextlib.contextmanager
def _torch_threads(threads: int) -> Iterator[None]:
    """torch's intra-op thread count set to ``threads`` for the block, then restored."""
    before = torch.get_num_threads()
    if threads == before:
        yield
        return
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class TorchAcoustic:
    """A :class:`acoustic.Tacotron2` (eval mode, prenet dropout off: deterministic) decoding
    batches of id sequences."""

    engine = "torch"

    def __init__(self, model: acoustic.Tacotron2, device: str | torch.device = "cpu") -> None:
        self.model = model.to(device).eval()
        self.device = torch.device(device)
        self.n_mel_channels = model.config.n_mel_channels

    @property
    def config(self) -> acoustic.Tacotron2Config:
        return self.model.config

    def decode(self, ids: Sequence[Sequence[int]], speaker: int, language: int) -> list[tuple[np.ndarray, bool]]:
        return [(mel, stopped) for mel, stopped, _ in self.decode_aligned(ids, speaker, language)]

    @torch.inference_mode()
    def decode_aligned(
        self, ids: Sequence[Sequence[int]], speaker: int, language: int
    ) -> list[tuple[np.ndarray, bool, np.ndarray]]:
        """As :meth:`decode`, each item with its attention alignment ``[decoder steps, symbols]``
        (float32; a step makes ``n_frames_per_step`` frames), for pictures (``tts report``)."""
        n = len(ids)
        lengths = torch.tensor([len(i) for i in ids])
        batch = torch.zeros(n, int(lengths.max()), dtype=torch.long)
        for row, seq in enumerate(ids):
            batch[row, : len(seq)] = torch.tensor(seq)
        config = self.model.config
        speakers = torch.full((n,), speaker, device=self.device) if config.n_speakers else None
        languages = torch.full((n,), language, device=self.device) if config.n_languages else None
        with _torch_threads(decoding_threads(config, n, torch.get_num_threads())):
            out = self.model.infer(batch.to(self.device), lengths.to(self.device), speaker=speakers, language=languages)
        steps = [-(-int(out.mel_lengths[i]) // config.n_frames_per_step) for i in range(n)]
        return [
            (
                out.mel_postnet[i, :, : int(out.mel_lengths[i])].float().cpu().numpy(),
                bool(out.stopped[i]),
                out.alignments[i, : steps[i], : len(ids[i])].float().cpu().numpy(),
            )
            for i in range(n)
        ]


class TorchWaveGlow:
    """A :class:`vocoder.WaveGlow` (eval mode) as a voice's vocoder: one latent for the whole
    mel, vocoded in cross-faded chunks (:mod:`tts.vocoding`), optionally denoised."""

    kind = "waveglow"

    def __init__(
        self, model: vocoder.WaveGlow, device: str | torch.device = "cpu", chunks: ChunkConfig = ChunkConfig()
    ) -> None:
        self.model = model.to(device).eval()
        self.device = torch.device(device)
        self.chunks = chunks
        self.n_mel_channels = model.config.n_mel_channels
        self.hop_length = model.config.upsample_stride
        self._denoiser: vocoder.Denoiser | None = None

    def __repr__(self) -> str:
        return f"TorchWaveGlow({self.model.config})"

    def stream(self, mel: np.ndarray, sigma: float, denoise: float, seed: int | None) -> Iterator[np.ndarray]:
        model = self.model
        n_group, hop = model.config.n_group, self.hop_length
        mel_t = torch.from_numpy(np.ascontiguousarray(mel, dtype=np.float32))
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        # One latent for the whole utterance (small: one float per sample), sliced per chunk so
        # that overlapping chunks render the same noise.
        z = torch.randn(n_group, mel_t.size(1) * hop // n_group, generator=generator)
        dtype = next(model.parameters()).dtype
        denoiser = self._get_denoiser() if denoise > 0 else None

        @torch.inference_mode()
        def vocode(start: int, end: int) -> np.ndarray:
            chunk_z = (sigma * z[:, start * hop // n_group : end * hop // n_group]).unsqueeze(0)
            chunk_mel = mel_t[:, start:end].unsqueeze(0)
            audio = model.reverse(chunk_mel.to(self.device, dtype), chunk_z.to(self.device, dtype))
            if denoiser is not None:
                audio = denoiser(audio.float(), strength=denoise)
            return audio[0].float().clamp(-1, 1).cpu().numpy()

        yield from vocode_in_chunks(vocode, mel_t.size(1), hop, self.chunks)

    def _get_denoiser(self) -> vocoder.Denoiser:
        if self._denoiser is None:
            self._denoiser = vocoder.Denoiser(self.model)
        return self._denoiser


def waveglow_vocoder(
    checkpoint: str | Path, device: str = "cpu", chunks: ChunkConfig = ChunkConfig()
) -> tuple[TorchWaveGlow, Any]:
    """A WaveGlow checkpoint of any kind as a vocoder, and the mel definition it was trained on
    (None where the file records none: NVIDIA's)."""
    loaded = vocoder.read_checkpoint(checkpoint)
    return TorchWaveGlow(vocoder.load_checkpoint(loaded, device), device, chunks), loaded.mel_config


def default_precision(device: str | torch.device = "cpu") -> str:
    """:data:`tts.voice.DEFAULT_PRECISION` where it can run: int8 needs the CPU and int8 kernels
    for it (:func:`base.cpu.low_precision`); elsewhere fp32, and the log says why."""
    from tts.voice import DEFAULT_PRECISION

    if DEFAULT_PRECISION == "int8":
        if torch.device(device).type != "cpu":
            log.info("precision fp32: int8 runs on the CPU, not on %s", device)
            return "fp32"
        try:
            low_precision()
        except TTSError as exc:
            log.info("precision fp32: %s", exc)
            return "fp32"
    return DEFAULT_PRECISION


def load_torch_parts(
    path: Path,
    manifest: VoiceManifest,
    device: str = "cpu",
    chunks: ChunkConfig = ChunkConfig(),
    precision: str = "fp32",
) -> tuple[TorchAcoustic, dict[str, Any]]:
    """The acoustic model and vocoders of a torch bundle at ``path``, in ``precision`` (``"fp32"``,
    or ``"int8"`` on the CPU: :func:`acoustic.quantize`, :func:`vocoder.quantize`)."""
    for role in ("acoustic", "vocoder"):
        if role not in manifest.files:
            raise TTSError(f"{path / 'voice.json'}: no {role} file listed")
    int8 = check_precision(precision) == "int8"
    if int8 and torch.device(device).type != "cpu":
        raise TTSError(
            f"precision int8 runs on the CPU (its int8 kernels), not on {device}: drop --device, or use fp32"
        )
    contents = acoustic.read_checkpoint(path / manifest.files["acoustic"])
    acoustic_model = acoustic.load_checkpoint(contents, prenet_dropout=0.0)
    check_symbols(path, manifest, acoustic_model, contents.extra)
    loaded = vocoder.read_checkpoint(path / manifest.files["vocoder"])
    if loaded.mel_config is not None:
        check_same_mels(manifest.mel_config, loaded.mel_config, path / "voice.json", path / manifest.files["vocoder"])
    waveglow = vocoder.load_checkpoint(loaded, device)
    if int8:  # both models made int8 in place: acoustic.quantize, vocoder.quantize
        acoustic_model, waveglow = (
            acoustic.quantize(acoustic_model, inplace=True),
            vocoder.quantize(waveglow, inplace=True),
        )
    vocoders = {
        "waveglow": TorchWaveGlow(waveglow, device, chunks),
        "griffinlim": GriffinLim(manifest.mel_config, threads=torch.get_num_threads()),
    }
    return TorchAcoustic(acoustic_model, device), vocoders


def check_symbols(path: Path, manifest: VoiceManifest, model: acoustic.Tacotron2, extra: dict[str, Any]) -> None:
    """The symbol table, input kind, speakers and language rows of ``voice.json`` against those the
    acoustic model was trained with. ``voice.json`` is not covered by a sha256, the model file is:
    where the checkpoint records them (this project's do; NVIDIA's record none), they must be the
    same lists in the same order, or every id would name another sound."""
    n_model = model.config.n_symbols
    if n_model != len(manifest.symbols):
        raise TTSError(
            f"{path}: voice.json lists {len(manifest.symbols)} symbols but the acoustic model was "
            f"trained with {n_model}; the bundle is inconsistent: re-export it with `tts export voice`"
        )
    text_info: dict[str, Any] = extra["text"] if isinstance(extra.get("text"), dict) else {}
    recorded = {
        "symbols": text_info.get("symbols"),
        "text_input": text_info.get("input"),
        "speakers": extra.get("speakers"),
        "language_table": extra.get("languages"),
    }
    for field_name, trained in recorded.items():
        if trained is None:
            continue
        listed = getattr(manifest, field_name)
        if isinstance(trained, (list, tuple)):
            listed, trained = list(listed), list(trained)
        if listed == trained:
            continue
        if isinstance(trained, list):
            where = next((i for i, (a, b) in enumerate(zip(listed, trained)) if a != b), min(len(listed), len(trained)))
            detail = (
                f" (position {where}: {listed[where] if where < len(listed) else 'nothing'!r} in voice.json, "
                f"{trained[where] if where < len(trained) else 'nothing'!r} in the model)"
            )
        else:
            detail = f" ({listed!r} in voice.json, {trained!r} in the model)"
        raise TTSError(
            f"{path}: voice.json's {field_name} do not match what the acoustic model was trained "
            f"with{detail}; the bundle is inconsistent: re-export it with `tts export voice`"
        )
    TextProcessor.check_languages(manifest.symbols, manifest.languages, manifest.text_input)
