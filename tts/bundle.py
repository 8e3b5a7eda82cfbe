"""Voice bundles from training checkpoints (``tts export voice``): the fp16 model files and the
``voice.json`` that describes them (:mod:`tts.voice_manifest`)."""

from __future__ import annotations

import copy
import dataclasses
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

import acoustic
import text
import vocoder
from base.errors import TTSError
from tts import postfilter as postfilters
from tts.text_processor import TextProcessor
from tts.voice import check_same_mels
from tts.voice_manifest import VoiceManifest, check_postfilter, sha256_file, write_voice_manifest

log = logging.getLogger(__name__)

# Mel mean of the training data for the evaluation baseline: frames sampled per utterance.
_MEAN_FRAMES_PER_ITEM = 200


def export_voice(
    acoustic_checkpoint: str | os.PathLike,
    vocoder_checkpoint: str | os.PathLike,
    out: str | os.PathLike,
    languages: Sequence[str] | None = None,
    name: str | None = None,
    description: str = "",
    training: dict[str, Any] | None = None,
    half: bool = True,
    data_dir: str | os.PathLike | None = None,
    postfilter: float = postfilters.DEFAULT,
) -> Path:
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
            raise TTSError(
                f"{acoustic_checkpoint}: carries no symbol table; pass --lang with the language it was trained on"
            )
        text_language = _code(languages[0])
        symbols = list(text.symbols(text_language))
    if len(symbols) != contents.config.n_symbols:
        raise TTSError(
            f"{acoustic_checkpoint}: the model has {contents.config.n_symbols} symbols but the "
            f"{text_language} table has {len(symbols)}; NVIDIA's English model uses its own symbols: "
            f"fine-tune it on this toolkit's text first (`tts finetune acoustic ...`)"
        )
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
    mel_config = vocoder.mel_config_of(loaded)
    if contents.mel_config is not None:
        check_same_mels(contents.mel_config, mel_config, acoustic_checkpoint, vocoder_checkpoint)

    out.mkdir(parents=True, exist_ok=True)
    acoustic_model = acoustic.load_checkpoint(contents)
    speakers = [str(s) for s in contents.extra.get("speakers", [])]
    if half:
        acoustic_model = copy.deepcopy(acoustic_model).half()
    acoustic.save_checkpoint(
        acoustic_model,
        out / "acoustic.pt",
        text={"language": text_language, "symbols": symbols, "input": text_input},
        speakers=speakers,
        languages=language_table,
        mel_config=mel_config,
    )
    vocoder_model = vocoder.load_checkpoint(loaded)
    if half:
        vocoder_model = vocoder_model.half()
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
        name=name or out.resolve().name,
        languages=codes,
        symbols=symbols,
        text_language=text_language,
        sample_rate=mel_config.sampling_rate,
        mel_config=mel_config.to_dict(),
        files=files,
        sha256={f: sha256_file(out / f) for f in files.values()},
        engine="torch",
        text_input=text_input,
        speakers=speakers,
        language_table=language_table,
        acoustic_config=dataclasses.asdict(contents.config),
        vocoder_config=loaded.config.to_dict(),
        training=record,
        postfilter=check_postfilter(postfilter),
        description=description,
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
    others = [code for code in text.supported_languages() if code != text_language and set(text.symbols(code)) <= table]
    others.sort(key=lambda code: code == "en")  # Indic languages first
    return [text_language, *others]


def mean_mel_frame(data_dir: str | os.PathLike) -> np.ndarray:
    """The mean log-mel frame of a prepared data directory's training split ``[n_mel]``."""
    from tts.training.data import read_split

    items = read_split(Path(data_dir), "train")
    total: np.ndarray | None = None
    count = 0
    for item in items:
        mel = np.load(item.mel, mmap_mode="r")
        step = max(1, mel.shape[1] // _MEAN_FRAMES_PER_ITEM)
        frames = np.asarray(mel[:, ::step], dtype=np.float64)
        total = frames.sum(axis=1) if total is None else total + frames.sum(axis=1)
        count += frames.shape[1]
    if total is None or not count:
        raise TTSError(f"{data_dir}: no training mels to average")
    return total / count
