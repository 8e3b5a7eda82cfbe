"""Prepared training data: what ``tts prepare`` writes and both stages read.

Layout of a prepared data directory::

    data/NAME/
      prepare.json          # mel config, language, symbols, settings of the preparation
      train.tsv, val.tsv    # one utterance a line (columns below), paths relative to data/NAME
      audio/<utt_id>.wav    # trimmed, 22050 Hz mono
      mels/<utt_id>.npy     # float32 [n_mels, frames], base.audio.mel_spectrogram of that audio

TSV columns: ``utt_id, audio, mel, text, speaker, language, n_frames`` (``text`` normalized).
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from base.audio import LOG_CLAMP, MelConfig, load_wav
from base.errors import TTSError
from base.files import atomic_path

COLUMNS = ("utt_id", "audio", "mel", "text", "speaker", "language", "n_frames")
SPLITS = ("train", "val")


@dataclass(frozen=True)
class PreparedUtterance:
    utt_id: str
    audio: Path
    mel: Path
    text: str
    speaker: str
    language: str
    n_frames: int


def read_split(data_dir: str | os.PathLike, split: str) -> list[PreparedUtterance]:
    """Read ``<data_dir>/<split>.tsv``; errors name the file and line."""
    data_dir = Path(data_dir)
    path = data_dir / f"{split}.tsv"
    if not path.is_file():
        raise TTSError(f"{path}: missing; is {data_dir} a prepared data directory? Run `tts prepare` first")
    items = []
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise TTSError(f"{path}: missing columns {missing}; expected {list(COLUMNS)}")
        for line, row in enumerate(reader, start=2):
            try:
                items.append(
                    PreparedUtterance(
                        utt_id=row["utt_id"],
                        audio=data_dir / row["audio"],
                        mel=data_dir / row["mel"],
                        text=row["text"],
                        speaker=row["speaker"],
                        language=row["language"],
                        n_frames=int(row["n_frames"]),
                    )
                )
            except (TypeError, ValueError) as exc:
                raise TTSError(f"{path}, line {line}: malformed row ({exc})") from exc
    return items


def write_split(data_dir: str | os.PathLike, split: str, items: list[PreparedUtterance]) -> Path:
    """Write ``<data_dir>/<split>.tsv`` atomically."""
    data_dir = Path(data_dir)
    path = data_dir / f"{split}.tsv"
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\", lineterminator="\n")
        writer.writerow(COLUMNS)
        for item in items:
            writer.writerow(
                [
                    item.utt_id,
                    item.audio.relative_to(data_dir).as_posix(),
                    item.mel.relative_to(data_dir).as_posix(),
                    item.text,
                    item.speaker,
                    item.language,
                    item.n_frames,
                ]
            )
    return path


def read_mel_config(data_dir: str | os.PathLike) -> MelConfig:
    """The mel config the data was prepared with (``prepare.json``), NVIDIA's defaults if absent."""
    path = Path(data_dir) / "prepare.json"
    if not path.is_file():
        return MelConfig()
    try:
        return MelConfig.from_dict(json.loads(path.read_text(encoding="utf-8"))["mel_config"])
    except (KeyError, TypeError, ValueError) as exc:
        raise TTSError(f"{path}: unreadable mel_config: {exc}") from exc


def load_mel(path: Path) -> torch.Tensor:
    try:
        return torch.from_numpy(np.load(path, allow_pickle=False))
    except (OSError, ValueError) as exc:
        # numpy's refusal of object arrays names allow_pickle; a mel never needs pickles.
        reason = "it holds Python objects, not numbers" if "allow_pickle" in str(exc) else str(exc)
        raise TTSError(f"{path}: cannot read cached mel ({reason}); re-run `tts prepare`") from None


class VocoderSegments(Dataset):
    """Random aligned (mel, audio) segments of ``segment_length`` samples, as WaveGlow trains on.

    The segment of item ``i`` in epoch ``e`` is drawn from a generator seeded with
    ``(seed, e, i)``, so data order and crops are reproducible and a resumed run sees exactly the
    segments it would have seen. With ``random_crop=False`` (validation) the segment starts at 0.
    Clips shorter than a segment are padded with silence (zeros; log-mel of the clamp floor).

    ``dither``: the standard deviation of Gaussian noise added to the audio (full scale 1.0),
    drawn from the same generator. A flow trained by maximum likelihood on audio with digital
    silence (runs of exact zeros: synthetic speech, padding, edited recordings) can raise the
    likelihood of those runs without bound; it then spends its capacity there and its loss
    eventually diverges. A noise floor far below hearing bounds it, as a real recording's does.

    Items: ``(mel [n_mels, segment_length / hop], audio [segment_length])``.
    """

    def __init__(
        self,
        items: list[PreparedUtterance],
        mel_config: MelConfig,
        segment_length: int,
        seed: int = 0,
        random_crop: bool = True,
        dither: float = 0.0,
    ) -> None:
        if segment_length % mel_config.hop_length:
            raise TTSError(f"segment_length {segment_length} must be a multiple of hop_length {mel_config.hop_length}")
        self.items = items
        self.mel_config = mel_config
        self.segment_length = segment_length
        self.seed = seed
        self.random_crop = random_crop
        self.dither = dither
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        item = self.items[index]
        hop = self.mel_config.hop_length
        audio = load_wav(item.audio, self.mel_config.sampling_rate)
        mel = load_mel(item.mel)
        seg_frames = self.segment_length // hop
        # Frame k of the cached mel is centred on sample k * hop, so a segment starting at
        # sample s * hop lines up with frames s, s + 1, ... exactly as a mel of the segment would.
        usable = min(mel.size(1), audio.numel() // hop)
        last_start = max(0, usable - seg_frames)
        seed = int(np.random.SeedSequence([self.seed, self.epoch, index]).generate_state(1)[0])
        generator = torch.Generator().manual_seed(seed)
        if self.random_crop and last_start > 0:
            start = int(torch.randint(0, last_start + 1, (1,), generator=generator))
        else:
            start = 0
        audio = audio[start * hop : start * hop + self.segment_length]
        mel = mel[:, start : start + seg_frames]
        if audio.numel() < self.segment_length:
            audio = torch.nn.functional.pad(audio, (0, self.segment_length - audio.numel()))
        if mel.size(1) < seg_frames:
            mel = torch.nn.functional.pad(mel, (0, seg_frames - mel.size(1)), value=float(np.log(LOG_CLAMP)))
        if self.dither > 0:
            audio = audio + self.dither * torch.randn(audio.shape, generator=generator)
        return mel.float(), audio
