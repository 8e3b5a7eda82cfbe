"""A voice: text processor, acoustic model and vocoder from one bundle, ready to speak.

>>> import tts
>>> voice = tts.load_voice("hinglish")           # a voice name, a language, or a bundle path
>>> audio, sample_rate = voice.synthesize("namaste, how are you")
>>> for chunk in voice.stream("a long paragraph ..."):
...     ...                                      # audio chunks as they are ready
>>> voice.text_processor, voice.acoustic, voice.vocoder   # the parts, usable on their own

Long text is split into sentences (very long ones further at commas and spaces), decoded in
batches, and vocoded in overlapping chunks (:mod:`tts.vocoding`), so any length of text is
spoken in bounded memory. Sentences are joined with a short pause.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import logging
import os
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np
import torch
from tqdm import tqdm

import acoustic
import text
import vocoder
from tts import postfilter as postfilters
from tts.audio import MelConfig
from tts.errors import TTSError
from tts.griffinlim import ITERATIONS, griffin_lim
from tts.text_processor import TextProcessor
from tts.vocoding import ChunkConfig, check_sigma_denoise, vocode_in_chunks
from tts.voice_manifest import (ENGINES, VoiceManifest, check_postfilter, locate_voice, read_voice_manifest,
                                select_vocoder, sha256_file, verify_files, voice_postfilter, write_voice_manifest)

log = logging.getLogger(__name__)

PAUSE_SECONDS = 0.25
# At batch 1 a small decoder's step is a chain of tiny kernels, bound by per-op overhead, and a
# second thread only adds synchronisation: measured on 2 cores (tiny-long, 1.6 M LSTM weights)
# 0.65-0.69 ms/step on one thread against 0.77-0.83 on two, while NVIDIA's 17 M decoder gained
# 5-7 % from the second thread. Decoders below this many LSTM weights decode one sentence on one
# thread; the vocoder still uses them all.
SMALL_DECODER_WEIGHTS = 4_000_000
# Mel mean of the training data for the evaluation baseline: frames sampled per utterance.
_MEAN_FRAMES_PER_ITEM = 200


def decoding_threads(config: acoustic.Tacotron2Config, batch: int, threads: int) -> int:
    """Threads for decoding ``batch`` sentences with an acoustic model of ``config`` when
    ``threads`` are available: one for a single sentence on a small decoder
    (:data:`SMALL_DECODER_WEIGHTS`), else all."""
    c = config
    lstm_weights = (4 * c.attention_rnn_dim * (c.prenet_dim + c.encoder_embedding_dim + c.attention_rnn_dim)
                    + 4 * c.decoder_rnn_dim * (c.attention_rnn_dim + c.encoder_embedding_dim + c.decoder_rnn_dim))
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


class Voice:
    """A loaded voice (see the module docstring). Build it with :func:`load_voice`.

    Attributes:
        name, path, manifest: the bundle and its ``voice.json``.
        text_processor: :class:`~tts.text_processor.TextProcessor` (text -> symbol ids).
        acoustic: :class:`acoustic.Tacotron2` in eval mode, prenet dropout off (deterministic).
        vocoder: :class:`vocoder.WaveGlow` in eval mode.
        vocoder_kind: what :meth:`vocode` uses: ``"waveglow"`` (:attr:`vocoder`) or
            ``"griffinlim"`` (:func:`tts.griffinlim.griffin_lim`). By default the better one by
            the copy-synthesis scores in ``voice.json``
            (:func:`tts.voice_manifest.choose_vocoder`); the choice and its reason are logged.
        postfilter: the spectral-contrast factor :meth:`stream` applies to the acoustic model's
            mels before vocoding (:mod:`tts.postfilter`; 1: none); by default ``voice.json``'s.
        mel_config, sample_rate, languages, speakers.
    """

    def __init__(self, path: Path, manifest: VoiceManifest, acoustic_model: acoustic.Tacotron2,
                 vocoder_model: vocoder.WaveGlow, device: str = "cpu", vocoder_kind: str | None = None,
                 chunks: ChunkConfig = ChunkConfig(), postfilter: float | None = None) -> None:
        vocoder_kind, reason = select_vocoder(manifest, vocoder_kind)
        log.info("voice %r vocodes with %s: %s", manifest.name, vocoder_kind, reason)
        self.postfilter = voice_postfilter(manifest, postfilter)
        self.path = path
        self.manifest = manifest
        self.name = manifest.name
        self.text_processor = TextProcessor(tuple(manifest.symbols), tuple(manifest.languages), manifest.text_input)
        self.acoustic = acoustic_model
        self.vocoder = vocoder_model
        self.vocoder_kind = vocoder_kind
        self.mel_config = MelConfig.from_dict(manifest.mel_config)
        self.sample_rate = self.mel_config.sampling_rate
        self.languages = list(manifest.languages)
        self.speakers = list(manifest.speakers)
        self.device = device
        self.chunks = chunks
        self._denoiser: vocoder.Denoiser | None = None

    def __repr__(self) -> str:
        return (f"Voice({self.name!r}, languages={self.languages}, speakers={len(self.speakers)}, "
                f"vocoder={self.vocoder_kind}, path={str(self.path)!r})")

    # -- the parts --------------------------------------------------------------------------

    def speaker_id(self, speaker: int | str) -> int:
        """Index of ``speaker`` (an index or a name from :attr:`speakers`)."""
        return self.manifest.speaker_index(speaker)

    def language_id(self, language: str | None) -> int:
        """Row of the acoustic model's language table for ``language`` (the voice's training
        language when the table has no row for it)."""
        return self.manifest.language_index(self.text_processor.language(language))

    @torch.inference_mode()
    def mel(self, normalized_texts: Sequence[str], language: str | None = None,
            speaker: int | str = 0) -> list[tuple[torch.Tensor, bool]]:
        """Mel spectrograms of already-normalized texts, decoded as one batch.

        Returns:
            per text ``(mel [n_mel, frames], stopped_by_gate)``.
        """
        return self.mel_ids([self.text_processor.ids(t) for t in normalized_texts], language, speaker)

    @torch.inference_mode()
    def mel_ids(self, ids: Sequence[Sequence[int]], language: str | None = None,
                speaker: int | str = 0) -> list[tuple[torch.Tensor, bool]]:
        """Mel spectrograms of symbol-id sequences (what the acoustic model reads: letters or
        phonemes, by :attr:`manifest.symbols`), decoded as one batch; as :meth:`mel`."""
        if not ids or any(len(i) == 0 for i in ids):
            raise TTSError("nothing to synthesize: the text normalizes to nothing")
        lengths = torch.tensor([len(i) for i in ids])
        batch = torch.zeros(len(ids), int(lengths.max()), dtype=torch.long)
        for row, seq in enumerate(ids):
            batch[row, : len(seq)] = torch.tensor(seq)
        config = self.acoustic.config
        n = len(ids)
        speakers = torch.full((n,), self.speaker_id(speaker), device=self.device) if config.n_speakers else None
        languages = torch.full((n,), self.language_id(language), device=self.device) if config.n_languages else None
        with _torch_threads(decoding_threads(config, n, torch.get_num_threads())):
            out = self.acoustic.infer(batch.to(self.device), lengths.to(self.device), speaker=speakers,
                                      language=languages)
        return [(out.mel_postnet[i, :, : int(out.mel_lengths[i])].float().cpu(), bool(out.stopped[i]))
                for i in range(n)]

    def postfiltered(self, mel: torch.Tensor) -> torch.Tensor:
        """A mel ``[n_mel, frames]`` of the acoustic model as :meth:`stream` vocodes it: with the
        voice's :attr:`postfilter` applied (:func:`tts.postfilter.postfilter`)."""
        if self.postfilter == postfilters.OFF:
            return mel
        return torch.from_numpy(postfilters.postfilter(mel.float().cpu().numpy(), self.postfilter)).to(mel.device)

    def vocode_stream(self, mel: torch.Tensor, sigma: float = 0.666, denoise: float = 0.0,
                      seed: int | None = None) -> Iterator[np.ndarray]:
        """Audio of ``mel`` ``[n_mel, frames]`` in pieces as the chunks are vocoded (float32)."""
        if not isinstance(mel, torch.Tensor):
            raise TTSError(f"mel must be a torch tensor [n_mel, frames], got {type(mel).__name__}")
        if mel.dim() != 2 or mel.size(0) != self.mel_config.n_mel_channels:
            raise TTSError(f"mel must be [{self.mel_config.n_mel_channels}, frames], got {tuple(mel.shape)}")
        check_sigma_denoise(sigma, denoise)
        if self.vocoder_kind == "griffinlim":
            yield griffin_lim(mel.numpy(), self.mel_config, n_iter=ITERATIONS, seed=seed,
                              workers=torch.get_num_threads())
            return
        yield from vocode_in_chunks(self._waveglow_range(mel, sigma, denoise, seed), mel.size(1),
                                    self.mel_config.hop_length, self.chunks)

    def vocode(self, mel: torch.Tensor, sigma: float = 0.666, denoise: float = 0.0,
               seed: int | None = None) -> np.ndarray:
        """Audio of ``mel`` ``[n_mel, frames]``: ``frames * hop_length`` float32 samples."""
        return np.concatenate(list(self.vocode_stream(mel, sigma, denoise, seed)))

    def _waveglow_range(self, mel: torch.Tensor, sigma: float, denoise: float, seed: int | None):
        model = self.vocoder
        n_group, hop = model.config.n_group, self.mel_config.hop_length
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        # One latent for the whole utterance (small: one float per sample), sliced per chunk so
        # that overlapping chunks render the same noise.
        z = torch.randn(n_group, mel.size(1) * hop // n_group, generator=generator)
        dtype = next(model.parameters()).dtype
        denoiser = self._get_denoiser() if denoise > 0 else None

        @torch.inference_mode()
        def vocode(start: int, end: int) -> np.ndarray:
            chunk_z = (sigma * z[:, start * hop // n_group: end * hop // n_group]).unsqueeze(0)
            chunk_mel = mel[:, start:end].unsqueeze(0)
            audio = model.reverse(chunk_mel.to(self.device, dtype), chunk_z.to(self.device, dtype))
            if denoiser is not None:
                audio = denoiser(audio.float(), strength=denoise)
            return audio[0].float().clamp(-1, 1).cpu().numpy()

        return vocode

    def with_vocoder(self, vocoder_model: vocoder.WaveGlow, mel_config: MelConfig | None = None,
                     source: str = "vocoder") -> "Voice":
        """This voice with another WaveGlow (e.g. a deployable preset, or a longer-trained one):
        a new :class:`Voice` sharing the text processor and acoustic model.

        ``mel_config``: the features the vocoder was trained on, checked against the voice's
        (``source`` names the vocoder in the error). The WaveGlow must take the voice's mel
        (channels, hop length) either way.
        """
        if mel_config is not None:
            _check_mels(self.mel_config, mel_config, f"voice {self.name!r}", source)
        c = vocoder_model.config
        if c.n_mel_channels != self.mel_config.n_mel_channels or c.upsample_stride != self.mel_config.hop_length:
            raise TTSError(f"{source}: the WaveGlow takes {c.n_mel_channels}-channel mels at hop {c.upsample_stride}, "
                           f"voice {self.name!r} makes {self.mel_config.n_mel_channels} at hop "
                           f"{self.mel_config.hop_length}")
        other = copy.copy(self)
        other.vocoder = vocoder_model.to(self.device).eval()
        other.vocoder_kind = "waveglow"
        # The bundle's copy-synthesis scores describe its own WaveGlow, not this one.
        other.manifest = dataclasses.replace(self.manifest, vocoder_quality={})
        other._denoiser = None
        return other

    def _get_denoiser(self) -> vocoder.Denoiser:
        if self._denoiser is None:
            self._denoiser = vocoder.Denoiser(self.vocoder)
        return self._denoiser

    # -- text to audio ----------------------------------------------------------------------

    def pieces(self, raw: str, language: str | None = None) -> list[str]:
        """``raw`` as normalized sentence-sized pieces (:meth:`TextProcessor.pieces`)."""
        return self.text_processor.pieces(raw, language)

    def stream(self, raw: str, language: str | None = None, speaker: int | str = 0, sigma: float = 0.666,
               denoise: float = 0.0, seed: int | None = None, batch_size: int = 8,
               progress: bool = False) -> Iterator[np.ndarray]:
        """Speak ``raw``, yielding float32 audio pieces as they are ready: a batch of sentences
        is decoded, then each is vocoded chunk by chunk; a pause separates sentences.
        ``progress`` shows a bar over sentences when there is more than one batch."""
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise TTSError(f"batch_size must be an integer >= 1, got {batch_size!r}")
        pieces = self.pieces(raw, language)
        speaker_id = self.speaker_id(speaker)
        if seed is not None:
            torch.manual_seed(seed)
        pause = np.zeros(int(PAUSE_SECONDS * self.sample_rate), dtype=np.float32)
        with tqdm(total=len(pieces), unit="sentence", desc="synth",
                  disable=not progress or len(pieces) <= batch_size) as bar:
            for first in range(0, len(pieces), batch_size):
                batch = pieces[first: first + batch_size]
                for k, (mel, stopped) in enumerate(self.mel(batch, language, speaker_id)):
                    if not stopped:
                        log.warning("sentence %d hit the decoder step limit: %r", first + k + 1, batch[k][:60])
                    if first + k > 0:
                        yield pause
                    piece_seed = None if seed is None else seed + first + k
                    yield from self.vocode_stream(self.postfiltered(mel), sigma, denoise, piece_seed)
                    bar.update()

    def synthesize(self, raw: str, language: str | None = None, speaker: int | str = 0, sigma: float = 0.666,
                   denoise: float = 0.0, seed: int | None = None, batch_size: int = 8) -> tuple[np.ndarray, int]:
        """Speak ``raw``: ``(audio float32 [T] in [-1, 1], sample_rate)``."""
        audio = np.concatenate(list(self.stream(raw, language, speaker, sigma, denoise, seed, batch_size)))
        return audio, self.sample_rate


# -- loading ------------------------------------------------------------------------------------


def load_voice(voice: str | os.PathLike, device: str = "cpu", engine: str | None = None,
               vocoder_kind: str | None = None, verify: bool = True, postfilter: float | None = None) -> Any:
    """Load a voice by name (``tts voices``), by language (its default voice), or by bundle path.

    Args:
        voice: a voice name such as ``"hinglish"``, a language or alias (``"hindi"``), or the
            path of a bundle directory or archive.
        device: where the models run (``"cpu"``, ``"cuda"``).
        engine: ``"torch"`` or ``"onnx"``; by default the bundle's own.
        vocoder_kind: ``"waveglow"`` (the bundle's vocoder) or ``"griffinlim"``; ``None`` (or
            ``"auto"``): the better of the two by the copy-synthesis scores recorded in
            ``voice.json`` (:func:`tts.voice_manifest.choose_vocoder`), WaveGlow when none are.
            The choice and its reason are logged (INFO).
        verify: check every file against its sha256 first.
        postfilter: the spectral-contrast factor for the predicted mels (1 to 2; 1: off);
            ``None``: the one ``voice.json`` records (:mod:`tts.postfilter`).

    Returns:
        :class:`Voice`, or :class:`tts.onnx.runtime.OnnxVoice` for an ONNX bundle.

    Raises:
        TTSError: no such voice, corrupt files, or a bundle whose parts do not fit together.
    """
    path = locate_voice(voice)
    manifest = read_voice_manifest(path)
    engine = engine or manifest.engine
    if engine not in ENGINES:
        raise TTSError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if engine != manifest.engine:
        hint = (f"export it with `tts export onnx --voice {manifest.name} --out DIR`" if engine == "onnx"
                else "load the torch bundle it was exported from")
        raise TTSError(f"voice {manifest.name!r} at {path} is a {manifest.engine} bundle, not {engine}; {hint}")
    if verify:
        verify_files(path, manifest)
    if engine == "onnx":
        from tts.onnx.runtime import OnnxVoice

        return OnnxVoice(path, vocoder_kind=vocoder_kind, postfilter=postfilter)
    for role in ("acoustic", "vocoder"):
        if role not in manifest.files:
            raise TTSError(f"{path / 'voice.json'}: no {role} file listed")
    contents = acoustic.read_checkpoint(path / manifest.files["acoustic"])
    acoustic_model = acoustic.load_checkpoint(contents, prenet_dropout=0.0)
    _check_symbols(path, manifest, acoustic_model, contents.extra)
    vocoder_model = vocoder.load_checkpoint(path / manifest.files["vocoder"])
    return Voice(path, manifest, acoustic_model.to(device).eval(), vocoder_model.to(device).eval(),
                 device=device, vocoder_kind=vocoder_kind, postfilter=postfilter)


def _check_symbols(path: Path, manifest: VoiceManifest, model: acoustic.Tacotron2,
                   extra: dict[str, Any]) -> None:
    """The symbol table, input kind, speakers and language rows of ``voice.json`` against those the
    acoustic model was trained with. ``voice.json`` is not covered by a sha256, the model file is:
    where the checkpoint records them (this project's do; NVIDIA's record none), they must be the
    same lists in the same order, or every id would name another sound."""
    n_model = model.config.n_symbols
    if n_model != len(manifest.symbols):
        raise TTSError(f"{path}: voice.json lists {len(manifest.symbols)} symbols but the acoustic model was "
                       f"trained with {n_model}; the bundle is inconsistent: re-export it with `tts export voice`")
    text_info = extra.get("text") if isinstance(extra.get("text"), dict) else {}
    recorded = {"symbols": text_info.get("symbols"), "text_input": text_info.get("input"),
                "speakers": extra.get("speakers"), "language_table": extra.get("languages")}
    for field_name, trained in recorded.items():
        if trained is None:
            continue
        listed = getattr(manifest, field_name)
        if isinstance(trained, (list, tuple)):
            listed, trained = list(listed), list(trained)
        if listed == trained:
            continue
        detail = ""
        if isinstance(trained, list):
            where = next((i for i, (a, b) in enumerate(zip(listed, trained)) if a != b), min(len(listed), len(trained)))
            detail = (f" (position {where}: {listed[where] if where < len(listed) else 'nothing'!r} in voice.json, "
                      f"{trained[where] if where < len(trained) else 'nothing'!r} in the model)")
        else:
            detail = f" ({listed!r} in voice.json, {trained!r} in the model)"
        raise TTSError(f"{path}: voice.json's {field_name} do not match what the acoustic model was trained "
                       f"with{detail}; the bundle is inconsistent: re-export it with `tts export voice`")
    TextProcessor.check_languages(manifest.symbols, manifest.languages, manifest.text_input)


# -- export -------------------------------------------------------------------------------------


def export_voice(acoustic_checkpoint: str | os.PathLike, vocoder_checkpoint: str | os.PathLike,
                 out: str | os.PathLike, languages: Sequence[str] | None = None, name: str | None = None,
                 description: str = "", training: dict[str, Any] | None = None, half: bool = True,
                 data_dir: str | os.PathLike | None = None, postfilter: float = postfilters.DEFAULT) -> Path:
    """Make a voice bundle from training checkpoints (this project's or NVIDIA's).

    Args:
        acoustic_checkpoint: a Tacotron2 file; one written by ``tts train`` carries its symbol
            table, for others (NVIDIA's) ``languages[0]``'s table is used and must fit.
        vocoder_checkpoint: a WaveGlow file of any kind :func:`vocoder.load_checkpoint` reads.
        out: the bundle directory (created; its files are replaced).
        languages: languages the voice speaks, default first; default: the acoustic model's
            training language, then every other language whose symbols its table holds.
        name: the voice's name (default: the directory name).
        training: what produced it (commands, data), recorded in ``voice.json``.
        half: store the weights in fp16 (half the size; loaded back as fp32).
        data_dir: the prepared training data; its mean mel frame is recorded for ``tts eval``.
        postfilter: the spectral-contrast factor the voice applies to its predicted mels
            (:mod:`tts.postfilter`; 1: none).

    Raises:
        TTSError: the parts do not fit (symbol table, mel settings) or cannot be read.
    """
    out = Path(out)
    contents = acoustic.read_checkpoint(acoustic_checkpoint)
    text_info = contents.extra.get("text")
    text_input = "characters"
    if isinstance(text_info, dict) and "symbols" in text_info:
        symbols, text_language = list(text_info["symbols"]), str(text_info["language"])
        text_input = str(text_info.get("input", "characters"))
    else:
        if not languages:
            raise TTSError(f"{acoustic_checkpoint}: carries no symbol table; pass --lang with the language it "
                           "was trained on")
        text_language = _code(languages[0])
        symbols = list(text.symbols(text_language))
    if len(symbols) != contents.config.n_symbols:
        raise TTSError(f"{acoustic_checkpoint}: the model has {contents.config.n_symbols} symbols but the "
                       f"{text_language} table has {len(symbols)}; NVIDIA's English model uses its own symbols: "
                       f"fine-tune it on this toolkit's text first (`tts finetune acoustic ...`)")
    language_table = [str(s) for s in contents.extra.get("languages", [])]
    if languages:
        codes = [_code(lang) for lang in languages]
    elif text_input == "phonemes":
        # The phoneme table reads every language; the voice speaks those it was trained on.
        codes = [text_language, *sorted((set(language_table) - {text_language}), key=lambda c: c == "en")]
    else:
        codes = _languages_of(symbols, text_language)
    TextProcessor.check_languages(symbols, codes, text_input)

    loaded = vocoder.read_checkpoint(vocoder_checkpoint)
    mel_config = loaded.mel_config
    acoustic_mel = contents.extra.get("mel_config")
    if isinstance(acoustic_mel, dict):
        _check_mels(MelConfig.from_dict(acoustic_mel), mel_config, acoustic_checkpoint, vocoder_checkpoint)

    out.mkdir(parents=True, exist_ok=True)
    acoustic_model = acoustic.load_checkpoint(acoustic_checkpoint)
    speakers = [str(s) for s in contents.extra.get("speakers", [])]
    if half:
        acoustic_model = copy.deepcopy(acoustic_model).half()
    acoustic.save_checkpoint(acoustic_model, out / "acoustic.pt",
                             text={"language": text_language, "symbols": symbols, "input": text_input},
                             speakers=speakers, languages=language_table, mel_config=mel_config.to_dict())
    vocoder_model = copy.deepcopy(loaded.model).half() if half else loaded.model
    vocoder.save_checkpoint(vocoder_model, out / "vocoder.pt", mel_config)

    record = dict(training or {})
    record.setdefault("acoustic_checkpoint", str(acoustic_checkpoint))
    record.setdefault("vocoder_checkpoint", str(vocoder_checkpoint))
    for key, extra in (("acoustic_step", contents.extra), ("vocoder_step", loaded.extra)):
        step = (extra.get("training") or {}).get("step") if isinstance(extra.get("training"), dict) else None
        if step is not None:
            record.setdefault(key, int(step))
    if data_dir is not None:
        record["mel_mean"] = [round(float(v), 5) for v in mean_mel_frame(data_dir)]
    files = {"acoustic": "acoustic.pt", "vocoder": "vocoder.pt"}
    manifest = VoiceManifest(
        name=name or out.resolve().name, languages=codes, symbols=symbols, text_language=text_language,
        sample_rate=mel_config.sampling_rate, mel_config=mel_config.to_dict(), files=files,
        sha256={f: sha256_file(out / f) for f in files.values()}, engine="torch", text_input=text_input,
        speakers=speakers,
        language_table=language_table, acoustic_config=dataclasses.asdict(contents.config), vocoder_config=loaded.model.config.to_dict(), training=record,
        postfilter=check_postfilter(postfilter), description=description,
    )
    write_voice_manifest(out, manifest)
    log.info("voice %r written to %s (%s)", manifest.name, out, ", ".join(codes))
    return out


def _code(language: str) -> str:
    try:
        return text.resolve_language(language).code
    except text.TextError as exc:
        raise TTSError(str(exc)) from None


def _languages_of(symbols: Sequence[str], text_language: str) -> list[str]:
    table = set(symbols)
    others = [code for code in text.supported_languages()
              if code != text_language and set(text.symbols(code)) <= table]
    others.sort(key=lambda code: code == "en")  # Indic languages first
    return [text_language, *others]


def _check_mels(a: MelConfig, b: MelConfig, acoustic_checkpoint: Any, vocoder_checkpoint: Any) -> None:
    fields = ("sampling_rate", "filter_length", "hop_length", "win_length", "n_mel_channels", "mel_fmin", "mel_fmax")
    differ = [f"{f} {getattr(a, f)} vs {getattr(b, f)}" for f in fields if getattr(a, f) != getattr(b, f)]
    if differ:
        raise TTSError(f"{acoustic_checkpoint} and {vocoder_checkpoint} use different mels ({'; '.join(differ)}); "
                       "train the vocoder on the acoustic model's features")


def mean_mel_frame(data_dir: str | os.PathLike) -> np.ndarray:
    """The mean log-mel frame of a prepared data directory's training split ``[n_mel]``."""
    from tts.training.data import read_split

    items = read_split(Path(data_dir), "train")
    total, count = None, 0
    for item in items:
        mel = np.load(item.mel, mmap_mode="r")
        step = max(1, mel.shape[1] // _MEAN_FRAMES_PER_ITEM)
        frames = np.asarray(mel[:, ::step], dtype=np.float64)
        total = frames.sum(axis=1) if total is None else total + frames.sum(axis=1)
        count += frames.shape[1]
    if not count:
        raise TTSError(f"{data_dir}: no training mels to average")
    return total / count
