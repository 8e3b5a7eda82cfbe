"""Training Tacotron2: (symbol ids, mel) pairs, the reference loss plus guided attention, and
alignment / mel / gate pictures in TensorBoard."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import torch
from torch import nn
from torch.utils.data import Dataset

import acoustic
from base.config import DictConfig
from base.errors import TTSError
from tts.training.config import ConfigFile, TrainingConfig, build_section
from tts.training.data import PreparedUtterance, load_mel, read_mel_config, read_split

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AcousticDataConfig(DictConfig):
    """Data settings of acoustic training."""

    speaker_table: bool = True  # give the model a speaker table when the data has > 1 speaker
    language_table: bool = True  # and a language table when it has > 1 language


class TextMelDataset(Dataset):
    """Items: ``{"text": LongTensor [N], "mel": [n_mels, T], "speaker": int, "language": int}``."""

    def __init__(
        self, items: list[PreparedUtterance], symbol_ids: dict[str, int], speakers: list[str], languages: list[str]
    ) -> None:
        self.items = items
        self.symbol_ids = symbol_ids
        self.speakers = {s: i for i, s in enumerate(speakers)}
        self.languages = {lang: i for i, lang in enumerate(languages)}
        # Mel frames per item: what a batch's padding depends on (length-bucketed batches).
        self.lengths = [item.n_frames for item in items]

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> dict[str, Any]:
        item = self.items[index]
        try:
            ids = [self.symbol_ids[ch] for ch in item.text]
        except KeyError as exc:
            raise TTSError(
                f"utterance {item.utt_id}: symbol {exc.args[0]!r} is not in the model's symbol table; "
                "was the data prepared for another language?"
            ) from None
        return {
            "text": torch.tensor(ids, dtype=torch.long),
            "mel": load_mel(item.mel).float(),
            "speaker": self.speakers.get(item.speaker, 0),
            "language": self.languages.get(item.language, 0),
        }


def collate_text_mel(items: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
    """Pad a list of items into a batch (text with id 0, mels with zeros)."""
    text_lengths = torch.tensor([len(x["text"]) for x in items])
    mel_lengths = torch.tensor([x["mel"].size(1) for x in items])
    text = torch.zeros(len(items), int(text_lengths.max()), dtype=torch.long)
    mels = torch.zeros(len(items), items[0]["mel"].size(0), int(mel_lengths.max()))
    for i, x in enumerate(items):
        text[i, : len(x["text"])] = x["text"]
        mels[i, :, : x["mel"].size(1)] = x["mel"]
    return {
        "text": text,
        "text_lengths": text_lengths,
        "mels": mels,
        "mel_lengths": mel_lengths,
        "speaker": torch.tensor([x["speaker"] for x in items]),
        "language": torch.tensor([x["language"] for x in items]),
    }


class AcousticTask:
    """The :class:`~tts.training.engine.TrainingTask` of Tacotron2.

    The symbol table comes from the prepared data (``prepare.json``); speaker and language tables
    are sized from the training manifest. ``init_from`` warm-starts from any acoustic checkpoint
    (tensors whose shapes differ are re-initialised and listed in the log); ``freeze`` names
    top-level modules (``embedding``, ``encoder``, ``decoder``, ``postnet``) whose weights stay
    fixed.
    """

    stage = "acoustic"

    def __init__(
        self,
        data_dir: str | Path,
        model_overrides: dict[str, Any],
        data_config: AcousticDataConfig,
        init_from: str | Path | None = None,
        freeze: tuple[str, ...] = (),
    ) -> None:
        self.data_dir = Path(data_dir)
        settings_path = self.data_dir / "prepare.json"
        if not settings_path.is_file():
            raise TTSError(f"{settings_path}: missing; run `tts prepare` on the corpus first")
        settings = json.loads(settings_path.read_text(encoding="utf-8"))
        self.symbols: list[str] = settings["symbols"]
        self.language_code: str = settings["language"]
        self.text_input: str = settings.get("text_input", "characters")
        self.mel_config = read_mel_config(self.data_dir)
        self.train_items = read_split(self.data_dir, "train")
        self.val_items = read_split(self.data_dir, "val") if (self.data_dir / "val.tsv").is_file() else []
        self.speakers = sorted({u.speaker for u in self.train_items})
        self.languages = sorted({u.language for u in self.train_items})
        n_speakers = len(self.speakers) if data_config.speaker_table and len(self.speakers) > 1 else 0
        n_languages = len(self.languages) if data_config.language_table and len(self.languages) > 1 else 0
        try:
            self.model_config = acoustic.Tacotron2Config(
                **{
                    **model_overrides,
                    "n_symbols": len(self.symbols),
                    "n_mel_channels": self.mel_config.n_mel_channels,
                    "n_speakers": n_speakers,
                    "n_languages": n_languages,
                }
            )
        except (TypeError, ValueError) as exc:
            raise TTSError(f"acoustic model config: {exc}") from exc
        self.init_from = init_from
        self.freeze = tuple(freeze)
        self.criterion = acoustic.Tacotron2Loss(self.model_config)

    @classmethod
    def from_config(
        cls, data_dir: str | Path, config: ConfigFile, init_from: str | Path | None = None, freeze: tuple[str, ...] = ()
    ) -> tuple[AcousticTask, TrainingConfig]:
        training = build_section(TrainingConfig, config.training, config.source, "training")
        data = build_section(AcousticDataConfig, config.data, config.source, "data")
        model = dict(config.model)
        if init_from is not None:
            # Fine-tuning keeps the architecture of the checkpoint; the data decides the tables.
            stored = dataclasses.asdict(acoustic.read_checkpoint(init_from).config)
            for name in ("n_symbols", "n_mel_channels", "n_speakers", "n_languages"):
                stored.pop(name)
            model = {**stored, **model}
        return cls(data_dir, model, data, init_from=init_from, freeze=freeze), training

    def build_model(self) -> nn.Module:
        model = acoustic.Tacotron2(self.model_config)
        if self.init_from is not None:
            acoustic.warm_start(model, self.init_from)
        for name in self.freeze:
            module = getattr(model, name, None)
            if not isinstance(module, nn.Module):
                raise TTSError(
                    f"--freeze {name}: the model has no module of that name (embedding, encoder, decoder, postnet)"
                )
            for parameter in module.parameters():
                parameter.requires_grad_(False)
            log.info("frozen: %s", name)
        return model

    def _dataset(self, items: list[PreparedUtterance]) -> TextMelDataset:
        table = {s: i for i, s in enumerate(self.symbols)}
        return TextMelDataset(items, table, self.speakers, self.languages)

    def train_dataset(self) -> TextMelDataset:
        return self._dataset(self.train_items)

    def val_dataset(self) -> TextMelDataset | None:
        return self._dataset(self.val_items) if self.val_items else None

    def collate(self, items: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        return collate_text_mel(items)

    def train_mode(self, model: nn.Module) -> None:
        model.train()
        for name in self.freeze:
            # Frozen means frozen: BatchNorm statistics must not drift either.
            getattr(model, name).eval()

    def _ids(self, batch: dict, name: str) -> torch.Tensor | None:
        count = self.model_config.n_speakers if name == "speaker" else self.model_config.n_languages
        return batch[name] if count else None

    def _terms(self, model: nn.Module, batch: dict, step: int):
        outputs = model(
            batch["text"],
            batch["text_lengths"],
            batch["mels"],
            batch["mel_lengths"],
            speaker=self._ids(batch, "speaker"),
            language=self._ids(batch, "language"),
        )
        return outputs, self.criterion(outputs, batch["mels"], batch["mel_lengths"], batch["text_lengths"], step)

    def training_loss(self, model: nn.Module, batch: dict, step: int) -> tuple[torch.Tensor, dict[str, float]]:
        _, terms = self._terms(model, batch, step)
        figures = {
            "mel_loss": float(terms.mel.detach()),
            "postnet_loss": float(terms.mel_postnet.detach()),
            "gate_loss": float(terms.gate.detach()),
            "guided_attention": float(terms.guided_attention.detach()),
        }
        return terms.total, figures

    def validate(self, model: nn.Module, loader: Iterable[Any], writer: Any, step: int) -> dict[str, float]:
        sums: dict[str, float] = {}
        count = 0
        first = None
        for batch in loader:
            outputs, terms = self._terms(model, batch, step)
            n = batch["text"].size(0)
            for name in ("total", "mel", "mel_postnet", "gate"):
                sums[name] = sums.get(name, 0.0) + float(getattr(terms, name)) * n
            sums["attention_focus"] = sums.get("attention_focus", 0.0) + float(
                attention_focus(outputs.alignments, batch["mel_lengths"], self.model_config.n_frames_per_step).sum()
            )
            count += n
            if first is None:
                first = (batch, outputs)
        figures = {"loss": sums["total"] / count, **{k: v / count for k, v in sums.items() if k != "total"}}
        assert first is not None, "validation needs at least one batch"
        batch, outputs = first
        inferred = cast(acoustic.Tacotron2, model).infer(
            batch["text"][:1, : int(batch["text_lengths"][0])],
            batch["text_lengths"][:1],
            speaker=_first(self._ids(batch, "speaker")),
            language=_first(self._ids(batch, "language")),
        )
        figures["inference_stopped"] = float(inferred.stopped[0])
        figures["inference_frames"] = float(inferred.mel_lengths[0])
        if writer is not None:
            n_text = int(batch["text_lengths"][0])
            n_mel = int(batch["mel_lengths"][0])
            r = self.model_config.n_frames_per_step
            writer.add_image(
                "alignment/teacher_forced",
                _picture(outputs.alignments[0, : -(-n_mel // r), :n_text].T),
                step,
                dataformats="HW",
            )
            steps = -(-int(inferred.mel_lengths[0]) // r)
            writer.add_image(
                "alignment/inference", _picture(inferred.alignments[0, :steps, :n_text].T), step, dataformats="HW"
            )
            writer.add_image("mel/target", _picture(batch["mels"][0, :, :n_mel]), step, dataformats="HW")
            writer.add_image("mel/predicted", _picture(outputs.mel_postnet[0, :, :n_mel]), step, dataformats="HW")
            writer.add_image(
                "mel/inference",
                _picture(inferred.mel_postnet[0, :, : int(inferred.mel_lengths[0])]),
                step,
                dataformats="HW",
            )
            # The stop gate over the decoder steps: predicted probability (top row) and target.
            n_steps = -(-n_mel // r)
            predicted = torch.sigmoid(outputs.gate[0, :n_steps].float())
            target = acoustic.gate_targets(batch["mel_lengths"][:1], r, n_steps)[0].to(predicted.device)
            writer.add_image("gate/teacher_forced", torch.stack([predicted, target]).cpu(), step, dataformats="HW")
        return figures

    def save_checkpoint(self, model: nn.Module, path: Path, **extra: Any) -> None:
        acoustic.save_checkpoint(
            cast(acoustic.Tacotron2, model),
            path,
            text={"language": self.language_code, "symbols": self.symbols, "input": self.text_input},
            speakers=self.speakers,
            languages=self.languages,
            mel_config=self.mel_config,
            **extra,
        )

    def load_model_state(self, model: nn.Module, payload: dict) -> None:
        model.load_state_dict(payload["state_dict"])


def _first(ids: torch.Tensor | None) -> torch.Tensor | None:
    """The first item's row of a batch's speaker or language ids (None for a model without them)."""
    return None if ids is None else ids[:1]


def _picture(matrix: torch.Tensor) -> torch.Tensor:
    """A matrix scaled to [0, 1], low rows at the bottom, for TensorBoard's ``add_image``."""
    matrix = matrix.detach().float().cpu().flip(0)
    low, high = matrix.min(), matrix.max()
    return (matrix - low) / (high - low + 1e-8)


def attention_focus(alignments: torch.Tensor, mel_lengths: torch.Tensor, frames_per_step: int) -> torch.Tensor:
    """Per item, the mean over its decoder steps of the largest attention weight: near 1 when
    each step attends to one symbol (a sharp, monotonic alignment), about 1 / symbols when the
    attention is spread out. ``alignments`` (B, S, N), ``mel_lengths`` (B,) -> (B,)."""
    steps = torch.div(mel_lengths + frames_per_step - 1, frames_per_step, rounding_mode="floor")
    valid = torch.arange(alignments.size(1), device=alignments.device)[None, :] < steps[:, None]
    peaks = alignments.max(dim=2).values * valid
    return peaks.sum(dim=1) / steps.clamp(min=1)
