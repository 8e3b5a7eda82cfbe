"""A voice: text processor, acoustic model and vocoder from one bundle, ready to speak.

>>> import tts
>>> voice = tts.load_voice("hinglish")           # a voice name, a language, or a bundle path
>>> audio, sample_rate = voice.synthesize("namaste, how are you")
>>> for chunk in voice.stream("a long paragraph ..."):
...     ...                                      # audio chunks as they are ready
>>> voice.text_processor, voice.acoustic, voice.vocoder   # the parts, usable on their own

One :class:`Voice` runs every bundle. What differs between a torch bundle and an ONNX one is
behind two small protocols: an :class:`AcousticModel` (symbol ids -> mel) and a
:class:`Vocoder` (mel -> audio). The torch parts are in :mod:`tts.torch_parts`, the ONNX ones
in :mod:`tts.onnx.runtime`, Griffin-Lim in :mod:`tts.griffinlim`; swapping a vocoder means
passing another object to :meth:`Voice.with_vocoder`. This module imports no torch: an ONNX
voice loads and speaks where torch is not installed.

Long text is split into sentences (very long ones further at commas and spaces), decoded in
batches, and vocoded (WaveGlow in overlapping chunks, :mod:`tts.vocoding`), so any length of
text is spoken in bounded memory. Sentences are joined with a short pause.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, TypedDict, Unpack

import numpy as np
from tqdm import tqdm

from base.cpu import check_precision
from base.errors import TTSError
from base.files import atomic_path
from base.mel_scale import MelConfig
from tts import postfilter as postfilters
from tts.text_processor import TextProcessor
from tts.vocoding import DEFAULT_DENOISE, DEFAULT_SIGMA, ChunkConfig, check_sigma_denoise
from tts.voice_manifest import (
    ENGINES,
    VoiceManifest,
    locate_voice,
    read_voice_manifest,
    select_vocoder,
    verify_files,
    voice_postfilter,
)

log = logging.getLogger(__name__)

PAUSE_SECONDS = 0.25  # silence between sentences
# The precision a torch bundle loads in (load_voice(precision=None), tts synth without
# --precision), chosen by the measured quality (docs/precision.md).
DEFAULT_PRECISION = "int8"
SPEEDS = (0.25, 4.0)  # speaking rates Voice.stream takes (OpenAI's speech API range); 1: as decoded
MEL_FIELDS = ("sampling_rate", "filter_length", "hop_length", "win_length", "n_mel_channels", "mel_fmin", "mel_fmax")


class AcousticModel(Protocol):
    """Symbol ids to mel spectrograms (:class:`tts.torch_parts.TorchAcoustic`,
    :class:`tts.onnx.runtime.OnnxAcoustic`)."""

    n_mel_channels: int

    def decode(self, ids: Sequence[Sequence[int]], speaker: int, language: int) -> list[tuple[np.ndarray, bool]]:
        """Per id sequence ``(mel [n_mel, frames] float32, stopped_by_gate)``; ``speaker`` and
        ``language`` are rows of the model's tables (ignored by a model without them)."""
        ...


class Vocoder(Protocol):
    """Mel spectrograms to audio (:class:`tts.torch_parts.TorchWaveGlow`,
    :class:`tts.onnx.runtime.OnnxWaveGlow`, :class:`tts.griffinlim.GriffinLim`)."""

    kind: str  # "waveglow" or "griffinlim": what voice.json's copy-synthesis scores name
    n_mel_channels: int
    hop_length: int

    def stream(self, mel: np.ndarray, sigma: float, denoise: float, seed: int | None) -> Iterator[np.ndarray]:
        """Audio of ``mel`` [n_mel, frames] (float32 pieces, ``frames * hop_length`` samples in
        all, in [-1, 1]); ``sigma`` and ``denoise`` are WaveGlow's, ``seed`` seeds the noise."""
        ...


class SpeakOptions(TypedDict, total=False):
    """The keyword options of :meth:`Voice.stream`, which :meth:`Voice.synthesize` and
    :meth:`Voice.synthesize_to_file` pass on (their meanings and defaults are there)."""

    speaker: int | str
    sigma: float
    denoise: float
    seed: int | None
    batch_size: int
    progress: bool
    speed: float


class Voice:
    """A loaded voice (see the module docstring). Build it with :func:`load_voice`.

    Attributes:
        name, path, manifest: the bundle and its ``voice.json``.
        text_processor: :class:`~tts.text_processor.TextProcessor` (text -> symbol ids).
        acoustic: the :class:`AcousticModel` (the torch one's ``model`` is the Tacotron2).
        vocoder: the :class:`Vocoder` :meth:`vocode` uses, by default the better of
            :attr:`vocoders` by the copy-synthesis scores in ``voice.json``
            (:func:`tts.voice_manifest.choose_vocoder`); the choice and its reason are logged.
        vocoders: the vocoders the voice can switch between by name (:meth:`using`): the
            bundle's WaveGlow and Griffin-Lim.
        vocoder_kind: :attr:`vocoder`'s kind, ``"waveglow"`` or ``"griffinlim"``.
        postfilter: the spectral-contrast factor :meth:`stream` applies to the acoustic model's
            mels before vocoding (:mod:`tts.postfilter`; 1: none); by default ``voice.json``'s.
        engine: ``"torch"`` or ``"onnx"``.
        precision: ``"fp32"`` or ``"int8"``: the weights of the models' large products
            (:func:`load_voice`).
        mel_config (:class:`~base.mel_scale.MelConfig`), sample_rate, languages, speakers.
    """

    def __init__(
        self,
        path: Path,
        manifest: VoiceManifest,
        acoustic: AcousticModel,
        vocoders: dict[str, Vocoder],
        vocoder_kind: str | None = None,
        postfilter: float | None = None,
        engine: str | None = None,
        precision: str = "fp32",
    ) -> None:
        kind, reason = select_vocoder(manifest, vocoder_kind)
        if kind not in vocoders:
            raise TTSError(f"voice {manifest.name!r} has no {kind} vocoder; it has {', '.join(vocoders)}")
        log.info("voice %r vocodes with %s: %s", manifest.name, kind, reason)
        self.path = path
        self.manifest = manifest
        self.name = manifest.name
        self.engine = engine or manifest.engine
        self.precision = precision
        self.text_processor = TextProcessor(tuple(manifest.symbols), tuple(manifest.languages), manifest.text_input)
        self.mel_config = MelConfig.from_dict(manifest.mel_config)
        self.sample_rate = self.mel_config.sampling_rate
        self.languages = list(manifest.languages)
        self.speakers = list(manifest.speakers)
        self.postfilter = voice_postfilter(manifest, postfilter)
        self.acoustic = acoustic
        self.vocoders = dict(vocoders)
        self.vocoder = vocoders[kind]

    @property
    def vocoder_kind(self) -> str:
        return self.vocoder.kind

    def __repr__(self) -> str:
        return (
            f"Voice({self.name!r}, languages={self.languages}, speakers={len(self.speakers)}, "
            f"vocoder={self.vocoder_kind}, engine={self.engine}, precision={self.precision}, path={str(self.path)!r})"
        )

    # -- the parts --------------------------------------------------------------------------

    def speaker_id(self, speaker: int | str) -> int:
        """Index of ``speaker`` (an index or a name from :attr:`speakers`)."""
        return self.manifest.speaker_index(speaker)

    def language_id(self, language: str | None) -> int:
        """Row of the acoustic model's language table for ``language`` (the voice's training
        language when the table has no row for it)."""
        return self.manifest.language_index(self.text_processor.language(language))

    def with_vocoder(self, vocoder: Vocoder, mel_config: Any = None, source: str = "vocoder") -> Voice:
        """This voice speaking through ``vocoder`` (e.g. a deployable WaveGlow preset, or a
        longer-trained one): a new :class:`Voice` sharing the text processor and acoustic model.

        ``mel_config``: the features the vocoder was trained on (a
        :class:`~base.mel_scale.MelConfig` or mapping), checked against the voice's (``source``
        names the vocoder in the error). The vocoder must take the voice's mel (channels, hop
        length) either way.
        """
        if mel_config is not None:
            check_same_mels(self.mel_config, mel_config, f"voice {self.name!r}", source)
        if vocoder.n_mel_channels != self.mel_config.n_mel_channels or vocoder.hop_length != self.mel_config.hop_length:
            raise TTSError(
                f"{source}: the vocoder takes {vocoder.n_mel_channels}-channel mels at hop "
                f"{vocoder.hop_length}, voice {self.name!r} makes {self.mel_config.n_mel_channels} at hop "
                f"{self.mel_config.hop_length}"
            )
        other = copy.copy(self)
        other.vocoders = {**self.vocoders, vocoder.kind: vocoder}
        other.vocoder = vocoder
        # The bundle's copy-synthesis scores describe its own vocoders, not this one.
        other.manifest = dataclasses.replace(self.manifest, vocoder_quality={})
        return other

    def using(self, kind: str) -> Voice:
        """This voice with another of its :attr:`vocoders` (``"waveglow"``, ``"griffinlim"``)."""
        if kind not in self.vocoders:
            raise TTSError(f"voice {self.name!r} has no {kind!r} vocoder; it has {', '.join(self.vocoders)}")
        other = copy.copy(self)
        other.vocoder = self.vocoders[kind]
        return other

    # -- text to mel ------------------------------------------------------------------------

    def pieces(self, raw: str, language: str | None = None) -> list[str]:
        """``raw`` as normalized sentence-sized pieces (:meth:`TextProcessor.pieces`)."""
        return self.text_processor.pieces(raw, language)

    def mel(
        self, normalized_texts: Sequence[str], language: str | None = None, speaker: int | str = 0
    ) -> list[tuple[np.ndarray, bool]]:
        """Mel spectrograms of already-normalized texts (decoded as one batch where the engine
        batches).

        Returns:
            per text ``(mel [n_mel, frames] float32, stopped_by_gate)``; ``stopped_by_gate`` is
            False when the step limit ended decoding (the alignment likely failed).
        """
        if isinstance(normalized_texts, str):
            normalized_texts = [normalized_texts]
        return self.mel_ids([self.text_processor.ids(t) for t in normalized_texts], language, speaker)

    def mel_ids(
        self, ids: Sequence[Sequence[int]], language: str | None = None, speaker: int | str = 0
    ) -> list[tuple[np.ndarray, bool]]:
        """Mel spectrograms of symbol-id sequences (what the acoustic model reads: letters or
        phonemes, by :attr:`manifest.symbols`); as :meth:`mel`."""
        if not ids or any(len(i) == 0 for i in ids):
            raise TTSError("nothing to synthesize: the text normalizes to nothing")
        return self.acoustic.decode([list(i) for i in ids], self.speaker_id(speaker), self.language_id(language))

    def postfiltered(self, mel: Any) -> np.ndarray:
        """A mel ``[n_mel, frames]`` of the acoustic model as :meth:`stream` vocodes it: with the
        voice's :attr:`postfilter` applied (:func:`tts.postfilter.postfilter`)."""
        mel = as_mel(mel)
        if self.postfilter == postfilters.OFF:
            return mel
        return postfilters.postfilter(mel, self.postfilter)

    # -- mel to audio -----------------------------------------------------------------------

    def vocode_stream(
        self, mel: Any, sigma: float = DEFAULT_SIGMA, denoise: float = DEFAULT_DENOISE, seed: int | None = None
    ) -> Iterator[np.ndarray]:
        """Audio of ``mel`` ``[n_mel, frames]`` (a numpy array or a torch tensor) in pieces as
        they are vocoded (float32 in [-1, 1])."""
        mel = as_mel(mel)
        if mel.ndim != 2 or mel.shape[0] != self.mel_config.n_mel_channels or mel.shape[1] < 1:
            raise TTSError(f"mel must be [{self.mel_config.n_mel_channels}, frames], got {tuple(mel.shape)}")
        check_sigma_denoise(sigma, denoise)
        yield from self.vocoder.stream(mel, sigma, denoise, seed)

    def vocode(
        self, mel: Any, sigma: float = DEFAULT_SIGMA, denoise: float = DEFAULT_DENOISE, seed: int | None = None
    ) -> np.ndarray:
        """Audio of ``mel`` ``[n_mel, frames]``: ``frames * hop_length`` float32 samples."""
        return np.concatenate(list(self.vocode_stream(mel, sigma, denoise, seed)))

    # -- text to audio ----------------------------------------------------------------------

    def stream(
        self,
        raw: str,
        language: str | None = None,
        speaker: int | str = 0,
        sigma: float = DEFAULT_SIGMA,
        denoise: float = DEFAULT_DENOISE,
        seed: int | None = None,
        batch_size: int = 8,
        progress: bool = False,
        speed: float = 1.0,
    ) -> Iterator[np.ndarray]:
        """Speak ``raw``, yielding float32 audio pieces as they are ready: a batch of sentences
        is decoded, then each is vocoded; a pause separates sentences. Sentence ``k`` uses the
        noise seed ``seed + k`` (fresh noise when ``seed`` is None). ``progress`` shows a bar
        over sentences when there is more than one batch. ``speed`` (:data:`SPEEDS`) scales the
        speaking rate: each mel is stretched in time (:func:`stretch_mel`) before vocoding, so the
        pitch stays; the pauses between sentences scale with it."""
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise TTSError(f"batch_size must be an integer >= 1, got {batch_size!r}")
        check_sigma_denoise(sigma, denoise)
        check_speed(speed)
        pieces = self.pieces(raw, language)
        speaker_id = self.speaker_id(speaker)
        pause = np.zeros(int(PAUSE_SECONDS * self.sample_rate / speed), dtype=np.float32)
        with tqdm(
            total=len(pieces), unit="sentence", desc="synth", disable=not progress or len(pieces) <= batch_size
        ) as bar:
            for first in range(0, len(pieces), batch_size):
                batch = pieces[first : first + batch_size]
                for k, (mel, stopped) in enumerate(self.mel(batch, language, speaker_id)):
                    if not stopped:
                        log.warning("sentence %d hit the decoder step limit: %r", first + k + 1, batch[k][:60])
                    if first + k > 0:
                        yield pause
                    piece_seed = None if seed is None else seed + first + k
                    spoken = stretch_mel(self.postfiltered(mel), speed)
                    yield from self.vocode_stream(spoken, sigma, denoise, piece_seed)
                    bar.update()

    def synthesize(
        self, raw: str, language: str | None = None, **options: Unpack[SpeakOptions]
    ) -> tuple[np.ndarray, int]:
        """Speak ``raw``: ``(audio float32 [T] in [-1, 1], sample_rate)`` (options as :meth:`stream`)."""
        return np.concatenate(list(self.stream(raw, language, **options))), self.sample_rate

    def synthesize_to_file(
        self, raw: str, path: str | os.PathLike, language: str | None = None, **options: Unpack[SpeakOptions]
    ) -> Path:
        """Speak ``raw`` into a 16-bit PCM WAV file at ``path``, written atomically (options as
        :meth:`stream`)."""
        import soundfile

        audio, rate = self.synthesize(raw, language, **options)
        path = Path(path)
        with atomic_path(path) as temporary:
            soundfile.write(str(temporary), audio, rate, subtype="PCM_16", format="WAV")
        return path


def as_mel(mel: Any) -> np.ndarray:
    """A mel as a float32 numpy array (a torch tensor is copied off its device; duck-typed, so
    this module needs no torch)."""
    if hasattr(mel, "detach"):
        mel = mel.detach().float().cpu().numpy()
    if not isinstance(mel, np.ndarray):
        raise TTSError(f"mel must be a numpy array or torch tensor [n_mel, frames], got {type(mel).__name__}")
    return np.asarray(mel, dtype=np.float32)


def check_speed(speed: Any) -> float:
    """``speed`` as a speaking rate within :data:`SPEEDS`, or a TTSError naming it."""
    low, high = SPEEDS
    if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not low <= speed <= high:
        raise TTSError(f"speed must be a number from {low:g} to {high:g} (1: as decoded), got {speed!r}")
    return float(speed)


def stretch_mel(mel: np.ndarray, speed: float) -> np.ndarray:
    """``mel`` ``[n_mel, frames]`` spoken ``speed`` times as fast: ``round(frames / speed)`` frames
    (at least one) interpolated linearly along time from the log-mel frames, so the spectrum (and
    the pitch the vocoder renders from it) stays and only durations change. ``speed`` 1 returns
    ``mel`` itself."""
    frames = mel.shape[1]
    target = max(1, round(frames / speed))
    if target == frames:
        return mel
    positions = np.linspace(0.0, frames - 1, target)
    left = np.floor(positions).astype(np.int64)
    right = np.minimum(left + 1, frames - 1)
    weight = (positions - left).astype(np.float32)
    return (mel[:, left] * (1 - weight) + mel[:, right] * weight).astype(np.float32)


def check_same_mels(a: Any, b: Any, what_a: Any, what_b: Any) -> None:
    """Two mel definitions (:class:`~base.mel_scale.MelConfig` or mappings) must be the same
    features, or a model reads another's output as something else."""
    a, b = (m if isinstance(m, MelConfig) else MelConfig.from_dict(dict(m)) for m in (a, b))
    differ = [f"{f} {getattr(a, f)} vs {getattr(b, f)}" for f in MEL_FIELDS if getattr(a, f) != getattr(b, f)]
    if differ:
        raise TTSError(
            f"{what_a} and {what_b} use different mels ({'; '.join(differ)}); "
            "train the vocoder on the acoustic model's features"
        )


# -- loading ------------------------------------------------------------------------------------


def load_voice(
    voice: str | os.PathLike,
    device: str = "cpu",
    engine: str | None = None,
    vocoder_kind: str | None = None,
    verify: bool = True,
    postfilter: float | None = None,
    threads: int | None = None,
    chunks: ChunkConfig = ChunkConfig(),
    precision: str | None = None,
) -> Voice:
    """Load a voice by name (``tts voices``), by language (its default voice), or by bundle path.

    Args:
        voice: a voice name such as ``"hinglish"``, a language or alias (``"hindi"``), or the
            path of a bundle directory or archive.
        device: where a torch bundle's models run (``"cpu"``, ``"cuda"``).
        engine: ``"torch"`` or ``"onnx"``; by default the bundle's own (an ONNX bundle loads
            without torch).
        vocoder_kind: ``"waveglow"`` (the bundle's vocoder) or ``"griffinlim"``; ``None`` (or
            ``"auto"``): the better of the two by the copy-synthesis scores recorded in
            ``voice.json`` (:func:`tts.voice_manifest.choose_vocoder`), WaveGlow when none are.
            The choice and its reason are logged (INFO).
        verify: check every file against its sha256 first.
        postfilter: the spectral-contrast factor for the predicted mels (1 to 2; 1: off);
            ``None``: the one ``voice.json`` records (:mod:`tts.postfilter`).
        threads: CPU threads of an ONNX voice's sessions (default: all cores); a torch voice
            uses torch's setting.
        chunks: how WaveGlow vocodes long mels in overlapping chunks (:mod:`tts.vocoding`).
        precision: ``"fp32"`` or ``"int8"`` (:data:`base.cpu.PRECISIONS`). ``"int8"`` runs the
            large products of both models with int8 weights on the CPU
            (:func:`acoustic.quantize`, :func:`vocoder.quantize`; docs/precision.md). ``None``: a
            torch bundle loads in :data:`DEFAULT_PRECISION` where that can run (int8 needs the CPU
            and int8 kernels for it; else fp32, logged), an ONNX one in the precision it was
            exported in (``tts export onnx --precision``), which is the only one it has.

    Raises:
        TTSError: no such voice, corrupt files, a bundle whose parts do not fit together, or a
            precision the bundle or the CPU cannot run.
    """
    if precision is not None:
        check_precision(precision)
    path = locate_voice(voice)
    manifest = read_voice_manifest(path)
    engine = engine or manifest.engine
    if engine not in ENGINES:
        raise TTSError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if engine != manifest.engine:
        hint = (
            f"export it with `tts export onnx --voice {manifest.name} --out DIR`"
            if engine == "onnx"
            else "load the torch bundle it was exported from"
        )
        raise TTSError(f"voice {manifest.name!r} at {path} is a {manifest.engine} bundle, not {engine}; {hint}")
    if verify:
        verify_files(path, manifest)
    acoustic: AcousticModel
    if engine == "onnx":
        from tts.onnx.runtime import load_onnx_parts

        acoustic, vocoders = load_onnx_parts(path, manifest, threads=threads, chunks=chunks)
        exported = str(getattr(acoustic, "precision", "fp32"))
        if precision not in (None, exported):
            raise TTSError(
                f"voice {manifest.name!r} at {path} was exported to ONNX in {exported}, not {precision}; "
                f"export it again with `tts export onnx --voice VOICE --out DIR --precision {precision}`"
            )
        precision = exported
    else:
        from tts.torch_parts import load_torch_parts

        if precision is None:
            from tts.torch_parts import default_precision

            precision = default_precision(device)
        acoustic, vocoders = load_torch_parts(path, manifest, device=device, chunks=chunks, precision=precision)
    return Voice(
        path,
        manifest,
        acoustic,
        vocoders,
        vocoder_kind=vocoder_kind,
        postfilter=postfilter,
        engine=engine,
        precision=precision,
    )
