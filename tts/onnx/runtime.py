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

:class:`OnnxVoice` has the API of the torch voice (:class:`tts.voice.Voice`): the same sentence
pieces, pause, speaker and language rows, per-sentence noise seeds, vocoding in cross-faded
chunks (:mod:`tts.vocoding`) and denoiser (here in numpy). Only the noise differs: it is drawn
with numpy's ``default_rng``, so the audio is not sample-identical to the torch voice's. It picks
its vocoder by the same rule (:func:`tts.voice_manifest.select_vocoder`): when ``voice.json``'s
copy-synthesis scores favour Griffin-Lim, it vocodes with :func:`tts.griffinlim.griffin_lim`,
the numpy function the torch voice calls, so both engines give the same audio for the same mel.
"""

from __future__ import annotations

import json
import logging
import math
import os
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

from tts import postfilter as postfilters
from tts.errors import TTSError
from tts.griffinlim import ITERATIONS, griffin_lim
from tts.text_processor import TextProcessor
from tts.vocoding import ChunkConfig, check_sigma_denoise, vocode_in_chunks
from tts.voice_manifest import (VoiceManifest, find_voice, read_voice_manifest, select_vocoder, verify_files,
                                voice_postfilter)

# role in voice.json "files" -> file name
GRAPH_FILES = {
    "encoder": "encoder.onnx",
    "decoder_step": "decoder_step.onnx",
    "postnet": "postnet.onnx",
    "vocoder": "vocoder.onnx",
}
# The decoder's recurrent state, in the order of the step graph's inputs and outputs.
STATE = ("attention_hidden", "attention_cell", "decoder_hidden", "decoder_cell",
         "attention_weights", "attention_weights_cum", "attention_context")
METADATA_KEY = "swaratts"
# As tts.voice (the torch voice), which this runtime mirrors.
PAUSE_SECONDS = 0.25  # silence between sentences

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


class OnnxVoice:
    """A voice exported to ONNX, synthesised with onnxruntime.

    Args:
        path: the voice directory, a ``.tar.gz`` / ``.zip`` of one, or the name of an installed
            voice (see :func:`tts.voice_manifest.find_voice`).
        threads: onnxruntime intra-op threads (default: ``os.cpu_count()``).
        providers: onnxruntime execution providers (default: CPU).
        chunks: how long mels are vocoded in overlapping chunks (:mod:`tts.vocoding`), so that
            memory stays bounded whatever the sentence length.
        vocoder_kind: ``"waveglow"`` (the ``vocoder.onnx`` graph) or ``"griffinlim"``; ``None``
            (or ``"auto"``): the better-measured one by ``voice.json``, as the torch voice
            (:func:`tts.voice_manifest.choose_vocoder`). Logged with its reason; kept in
            :attr:`vocoder_kind`.
        postfilter: the spectral-contrast factor for the predicted mels, as the torch voice's
            (:mod:`tts.postfilter`); ``None``: ``voice.json``'s. Kept in :attr:`postfilter`.

    Raises:
        TTSError: not an ONNX voice, a graph missing or not matching its sha256, graphs that
            do not fit the manifest (symbol count, language or speaker tables), or an unknown
            vocoder.
    """

    def __init__(self, path: str | os.PathLike, threads: int | None = None,
                 providers: Sequence[str] | None = None, chunks: ChunkConfig = ChunkConfig(),
                 vocoder_kind: str | None = None, postfilter: float | None = None) -> None:
        try:
            import onnxruntime as ort
        except ImportError:  # pragma: no cover - depends on the installation
            raise TTSError("the ONNX runtime needs onnxruntime: pip install 'swaratts[onnx]'") from None
        self.path = find_voice(path)
        self.manifest: VoiceManifest = read_voice_manifest(self.path)
        m = self.manifest
        if m.engine != "onnx":
            raise TTSError(f"{self.path}: voice {m.name!r} is a {m.engine} voice, not an ONNX one; "
                           "export it with `tts export onnx`")
        missing = sorted(set(GRAPH_FILES) - set(m.files))
        if missing:
            raise TTSError(f"{self.path}: voice.json names no file for the graph(s) {', '.join(missing)}")
        verify_files(self.path, m)
        self.vocoder_kind, reason = select_vocoder(m, vocoder_kind)
        log.info("voice %r vocodes with %s: %s", m.name, self.vocoder_kind, reason)
        self.postfilter = voice_postfilter(m, postfilter)

        options = ort.SessionOptions()
        self.threads = int(threads or os.cpu_count() or 1)
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        providers = list(providers or ["CPUExecutionProvider"])
        sessions = {}
        for role in GRAPH_FILES:
            file = self.path / m.files[role]
            try:
                sessions[role] = ort.InferenceSession(str(file), options, providers=providers)
            except Exception as exc:  # onnxruntime raises its own exception types
                raise TTSError(f"{file}: onnxruntime cannot load this graph ({exc})") from None
        for role, session in sessions.items():
            # Each graph says what it is; one swapped for another (sha256 updated) is caught here,
            # not by onnxruntime at the first sentence.
            found = graph_metadata(session).get("graph")
            if found != role:
                raise TTSError(f"{self.path / m.files[role]}: is {'the ' + str(found) if found else 'not a swaratts'} "
                               f"graph, not the {role} graph voice.json names it as; re-export the voice with "
                               "`tts export onnx`")
        self._encoder = sessions["encoder"]
        self._decoder = sessions["decoder_step"]
        self._postnet = sessions["postnet"]
        self._vocoder = sessions["vocoder"]

        self._acoustic = {**graph_metadata(self._encoder), **graph_metadata(self._decoder)}
        self._vocoder_config = graph_metadata(self._vocoder)
        needed = ("n_symbols", "n_mel_channels", "n_frames_per_step", "gate_threshold",
                  "max_decoder_steps", "encoder_embedding_dim", "attention_rnn_dim", "decoder_rnn_dim")
        if any(k not in self._acoustic for k in needed) or "n_group" not in self._vocoder_config:
            raise TTSError(f"{self.path}: the graphs carry no swaratts metadata; re-export the voice "
                           "with `tts export onnx`")
        a = self._acoustic
        for field_name, trained in (graph_metadata(self._encoder).get("tables") or {}).items():
            if field_name in ("symbols", "text_input", "speakers", "language_table") and \
                    getattr(m, field_name) != trained:
                raise TTSError(f"{self.path}: voice.json's {field_name} do not match what the acoustic model was "
                               "trained with (recorded in encoder.onnx); the bundle is inconsistent: re-export it "
                               "with `tts export onnx`")
        if len(m.symbols) != int(a["n_symbols"]):
            raise TTSError(f"{self.path}: voice.json lists {len(m.symbols)} symbols but "
                           f"{m.files['encoder']} embeds {a['n_symbols']}; the manifest is from another model")
        encoder_inputs = {i.name for i in self._encoder.get_inputs()}
        self._has_speaker = "speaker" in encoder_inputs
        self._has_language = "language" in encoder_inputs
        if self._has_language and len(m.language_table) != int(a.get("n_languages", 0)):
            raise TTSError(f"{self.path}: the acoustic model has {a.get('n_languages')} language rows but "
                           f"voice.json's language_table lists {len(m.language_table)}")
        if self._has_speaker and m.speakers and len(m.speakers) != int(a.get("n_speakers", 0)):
            raise TTSError(f"{self.path}: the acoustic model has {a.get('n_speakers')} speakers but "
                           f"voice.json lists {len(m.speakers)}")
        self.text_processor = TextProcessor(tuple(m.symbols), tuple(m.languages), m.text_input)
        self.hop_length = int(self._vocoder_config["hop_length"])
        self.n_group = int(self._vocoder_config["n_group"])
        self.n_mel_channels = int(a["n_mel_channels"])
        self.chunks = chunks
        self._bias_spec: np.ndarray | None = None

    # -- properties ---------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def sample_rate(self) -> int:
        return int(self.manifest.sample_rate)

    @property
    def languages(self) -> list[str]:
        return list(self.manifest.languages)

    @property
    def speakers(self) -> list[str]:
        return list(self.manifest.speakers)

    @property
    def mel_config(self) -> dict[str, Any]:
        """The mel definition (a dict: :class:`tts.audio.MelConfig` would import torch)."""
        return dict(self.manifest.mel_config)

    def __repr__(self) -> str:
        return (f"OnnxVoice({self.name!r}, languages={self.languages}, speakers={len(self.speakers)}, "
                f"vocoder={self.vocoder_kind}, path={str(self.path)!r})")

    # -- ids ----------------------------------------------------------------------------------

    def speaker_id(self, speaker: int | str) -> int:
        """Index of ``speaker`` (an index or a name from :attr:`speakers`)."""
        return self.manifest.speaker_index(speaker)

    def language_id(self, language: str | None) -> int:
        """Row of the acoustic model's language table for ``language`` (the voice's training
        language when the table has no row for it)."""
        return self.manifest.language_index(self.text_processor.language(language))

    # -- acoustic model -----------------------------------------------------------------------

    def _encode(self, ids: Sequence[int], speaker_id: int, language_id: int | None
                ) -> tuple[np.ndarray, np.ndarray]:
        feeds = {"ids": np.asarray(ids, dtype=np.int64).reshape(1, -1)}
        if self._has_speaker:
            feeds["speaker"] = np.array([speaker_id], dtype=np.int64)
        if self._has_language:
            feeds["language"] = np.array([language_id or 0], dtype=np.int64)
        memory, processed = self._encoder.run(["memory", "processed_memory"], feeds)
        return memory, processed

    def _decode(self, memory: np.ndarray, processed: np.ndarray, max_steps: int | None = None,
                use_gate: bool = True) -> tuple[np.ndarray, bool, np.ndarray]:
        """The free-running loop: (pre-postnet mel [1, n_mel, S * r], stopped, alignments [S, N])."""
        a = self._acoustic
        n = memory.shape[1]
        n_mel, r = int(a["n_mel_channels"]), int(a["n_frames_per_step"])
        limit = step_limit(n, a) if max_steps is None else int(max_steps)
        threshold = np.float32(a["gate_threshold"])
        sizes = {"attention_hidden": int(a["attention_rnn_dim"]), "attention_cell": int(a["attention_rnn_dim"]),
                 "decoder_hidden": int(a["decoder_rnn_dim"]), "decoder_cell": int(a["decoder_rnn_dim"]),
                 "attention_weights": n, "attention_weights_cum": n,
                 "attention_context": int(a["encoder_embedding_dim"])}
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

    def _postnet_run(self, mel: np.ndarray) -> np.ndarray:
        return self._postnet.run(["mel_postnet"], {"mel": np.ascontiguousarray(mel, dtype=np.float32)})[0]

    def mel_ids(self, ids: Sequence[int], speaker_id: int = 0, language_id: int | None = None,
                max_steps: int | None = None, use_gate: bool = True) -> tuple[np.ndarray, bool]:
        """The postnet mel [n_mel, frames] and ``stopped`` for symbol ids (table indices) and
        speaker / language table rows.

        ``max_steps`` overrides the step limit and ``use_gate=False`` ignores the gate (decode
        exactly ``max_steps`` steps): both for testing against torch.
        """
        if len(ids) == 0:
            raise TTSError("nothing to synthesize: the text normalizes to nothing")
        memory, processed = self._encode(ids, speaker_id, language_id)
        mel, stopped, _ = self._decode(memory, processed, max_steps, use_gate)
        return self._postnet_run(mel)[0], stopped

    def mel(self, normalized_texts: Sequence[str], language: str | None = None, speaker: int | str = 0
            ) -> list[tuple[np.ndarray, bool]]:
        """Per already-normalized text ``(mel [n_mel, frames] float32, stopped_by_gate)``.

        ``stopped_by_gate`` is False when a step limit ended decoding (the alignment likely
        failed). Texts are decoded one at a time, which gives what a batch gives in torch.
        """
        if isinstance(normalized_texts, str):
            normalized_texts = [normalized_texts]
        ids = [self.text_processor.ids(t) for t in normalized_texts]
        if not ids or any(len(i) == 0 for i in ids):
            raise TTSError("nothing to synthesize: the text normalizes to nothing")
        speaker_id = self.speaker_id(speaker)
        language_id = self.language_id(language)
        return [self.mel_ids(i, speaker_id, language_id) for i in ids]

    # -- vocoder ------------------------------------------------------------------------------

    def vocode_latent(self, mel: np.ndarray, z: np.ndarray) -> np.ndarray:
        """The vocoder graph once: audio [frames * hop] of ``mel`` [n_mel, frames] for the latent
        ``z`` [1, n_group, frames * hop / n_group] (already scaled by sigma); not clipped."""
        feeds = {"mel": np.ascontiguousarray(np.asarray(mel, dtype=np.float32)[None]),
                 "z": np.ascontiguousarray(z, dtype=np.float32)}
        return self._vocoder.run(["audio"], feeds)[0][0]

    def vocode_stream(self, mel: np.ndarray, sigma: float = 0.666, denoise: float = 0.0,
                      seed: int | None = None) -> Iterator[np.ndarray]:
        """Audio of ``mel`` [n_mel, frames] in pieces as the chunks are vocoded (float32 in
        [-1, 1]); as the torch voice: with WaveGlow, one latent ``sigma * standard_normal`` for
        the whole mel (numpy's ``default_rng(seed)``), chunks of :attr:`chunks` cross-faded,
        each denoised with strength ``denoise`` (0: off) and clipped; with Griffin-Lim, the
        whole mel in one piece (``seed`` seeds its initial phase; ``sigma`` and ``denoise`` do
        not apply)."""
        mel = np.asarray(mel, dtype=np.float32)
        if mel.ndim != 2 or mel.shape[0] != self.n_mel_channels or mel.shape[1] < 1:
            raise TTSError(f"mel must be [{self.n_mel_channels}, frames], got {tuple(mel.shape)}")
        check_sigma_denoise(sigma, denoise)
        if self.vocoder_kind == "griffinlim":
            yield griffin_lim(mel, self.manifest.mel_config, n_iter=ITERATIONS, seed=seed,
                              workers=self.threads)
            return
        hop, n_group = self.hop_length, self.n_group
        z = np.random.default_rng(seed).standard_normal((n_group, mel.shape[1] * hop // n_group), dtype=np.float32)
        scale = np.float32(sigma)

        def vocode(start: int, end: int) -> np.ndarray:
            chunk_z = scale * z[None, :, start * hop // n_group: end * hop // n_group]
            audio = self.vocode_latent(mel[:, start:end], chunk_z)
            if denoise > 0:
                audio = self.denoise(audio, denoise)
            return np.clip(audio, -1.0, 1.0)

        yield from vocode_in_chunks(vocode, mel.shape[1], hop, self.chunks)

    def vocode(self, mel: np.ndarray, sigma: float = 0.666, denoise: float = 0.0,
               seed: int | None = None) -> np.ndarray:
        """Audio of ``mel`` [n_mel, frames]: ``frames * hop_length`` float32 samples in [-1, 1]."""
        return np.concatenate(list(self.vocode_stream(mel, sigma, denoise, seed)))

    def denoise(self, audio: np.ndarray, strength: float) -> np.ndarray:
        """``vocoder.Denoiser`` in numpy: subtract ``strength`` times the vocoder's bias
        spectrum (its output for an all-zero mel with sigma 0) from ``audio`` [T]."""
        if self._bias_spec is None:
            frames = 88
            zeros = np.zeros((self.n_mel_channels, frames), dtype=np.float32)
            z = np.zeros((1, self.n_group, frames * self.hop_length // self.n_group), dtype=np.float32)
            self._bias_spec = np.abs(_stft(self.vocode_latent(zeros, z)))[:, :1]
        spec = _stft(np.asarray(audio, dtype=np.float32))
        magnitude = np.maximum(np.abs(spec) - self._bias_spec * np.float32(strength), 0.0)
        return _istft(magnitude * np.exp(1j * np.angle(spec)), len(audio))

    # -- text to audio ------------------------------------------------------------------------

    def pieces(self, raw: str, language: str | None = None) -> list[str]:
        """``raw`` as normalized sentence-sized pieces (:meth:`TextProcessor.pieces`)."""
        return self.text_processor.pieces(raw, language)

    def stream(self, raw: str, language: str | None = None, speaker: int | str = 0, sigma: float = 0.666,
               denoise: float = 0.0, seed: int | None = None, batch_size: int = 8,
               progress: bool = False) -> Iterator[np.ndarray]:
        """Speak ``raw``, yielding float32 audio pieces as they are ready: each sentence is
        decoded, then vocoded chunk by chunk; a pause separates sentences. Sentence ``k`` uses
        the noise seed ``seed + k`` (random when ``seed`` is None). ``batch_size`` and
        ``progress`` are accepted for the torch voice's signature; sentences are decoded one by
        one (which is what a batch gives)."""
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise TTSError(f"batch_size must be an integer >= 1, got {batch_size!r}")
        pieces = self.pieces(raw, language)
        speaker_id = self.speaker_id(speaker)
        language_id = self.language_id(language)
        pause = np.zeros(int(PAUSE_SECONDS * self.sample_rate), dtype=np.float32)
        for k, piece in enumerate(pieces):
            mel, stopped = self.mel_ids(self.text_processor.ids(piece), speaker_id, language_id)
            if not stopped:
                log.warning("sentence %d hit the decoder step limit: %r", k + 1, piece[:60])
            if k > 0:
                yield pause
            if self.postfilter != postfilters.OFF:
                mel = postfilters.postfilter(mel, self.postfilter)
            yield from self.vocode_stream(mel, sigma, denoise, None if seed is None else seed + k)

    def synthesize(self, raw: str, language: str | None = None, speaker: int | str = 0, sigma: float = 0.666,
                   denoise: float = 0.0, seed: int | None = None, batch_size: int = 8) -> tuple[np.ndarray, int]:
        """Speak ``raw``: ``(audio float32 [T] in [-1, 1], sample_rate)``."""
        audio = np.concatenate(list(self.stream(raw, language, speaker, sigma, denoise, seed, batch_size)))
        return audio, self.sample_rate

    def synthesize_to_file(self, raw: str, path: str | os.PathLike, **kwargs: Any) -> Path:
        """Synthesise ``raw`` into a 16-bit PCM file at ``path`` (kwargs as :meth:`synthesize`)."""
        import soundfile

        audio, rate = self.synthesize(raw, **kwargs)
        path = Path(path)
        soundfile.write(str(path), audio, rate, subtype="PCM_16")
        return path


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
        out[i * DENOISER_HOP: i * DENOISER_HOP + DENOISER_FFT] += frames[i]
        envelope[i * DENOISER_HOP: i * DENOISER_HOP + DENOISER_FFT] += window * window
    start = DENOISER_FFT // 2
    out = out[start: start + length] / np.maximum(envelope[start: start + length], 1e-11)
    return np.pad(out, (0, length - len(out))) if len(out) < length else out
