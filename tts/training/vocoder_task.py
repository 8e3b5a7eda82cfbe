"""Training WaveGlow: random aligned segments, the maximum-likelihood loss, audio samples."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import torch
from torch import nn

import vocoder
from base.config import DictConfig
from base.errors import TTSError
from tts.training.config import ConfigFile, TrainingConfig, build_section
from tts.training.data import VocoderSegments, load_mel, read_mel_config, read_split

log = logging.getLogger(__name__)

SAMPLE_SECONDS = 3.0  # length of the validation sample written to TensorBoard


@dataclass(frozen=True)
class VocoderDataConfig(DictConfig):
    """Data and loss settings of vocoder training (NVIDIA's data_config / train_config)."""

    segment_length: int = 16000  # rounded down to a multiple of hop_length
    sigma: float = 1.0  # standard deviation of the Gaussian prior in the loss
    sample_sigma: float = 0.666  # for the validation audio sample
    # Gaussian noise (full scale 1.0) added to the training and validation audio: 3e-4 is about
    # -70 dBFS, inaudible, below any recording's noise floor, and enough to keep the likelihood
    # of digital silence bounded (VocoderSegments); 0 trains on the audio exactly as NVIDIA does.
    dither: float = 3e-4
    # An auxiliary multi-resolution STFT loss (vocoder.MultiResolutionSTFTLoss) on samples of the
    # reverse pass drawn at stft_loss_sigma, added with this weight to the likelihood; 0 (the
    # default) trains by maximum likelihood alone, as NVIDIA does.
    stft_loss_weight: float = 0.0
    stft_loss_sigma: float = 0.666

    def __post_init__(self) -> None:
        if self.dither < 0:
            raise ValueError(f"dither must be 0 (off) or a positive noise level such as 3e-4, got {self.dither}")
        if self.stft_loss_weight < 0:
            raise ValueError(f"stft_loss_weight must be 0 (off) or positive, got {self.stft_loss_weight}")
        if self.stft_loss_sigma < 0:
            raise ValueError(f"stft_loss_sigma must be >= 0, got {self.stft_loss_sigma}")


class VocoderTask:
    """The :class:`~tts.training.engine.TrainingTask` of WaveGlow.

    ``init_from``: a WaveGlow checkpoint of any supported kind to start from (fine-tuning).
    """

    stage = "vocoder"

    def __init__(
        self,
        data_dir: str | Path,
        model_config: vocoder.WaveGlowConfig,
        data_config: VocoderDataConfig,
        seed: int = 1234,
        init_from: str | Path | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.mel_config = read_mel_config(self.data_dir)
        if model_config.upsample_stride != self.mel_config.hop_length:
            raise TTSError(
                f"the vocoder upsamples by {model_config.upsample_stride} but {self.data_dir} was prepared "
                f"with hop_length {self.mel_config.hop_length}"
            )
        if model_config.n_mel_channels != self.mel_config.n_mel_channels:
            raise TTSError(
                f"the vocoder reads {model_config.n_mel_channels} mel channels but {self.data_dir} has "
                f"{self.mel_config.n_mel_channels}"
            )
        self.model_config = model_config
        self.data_config = data_config
        self.segment_length = data_config.segment_length // self.mel_config.hop_length * self.mel_config.hop_length
        self.seed = seed
        self.init_from = init_from
        self.criterion = vocoder.WaveGlowLoss(sigma=data_config.sigma)
        self.stft_loss = vocoder.MultiResolutionSTFTLoss() if data_config.stft_loss_weight > 0 else None
        self._val_items = read_split(self.data_dir, "val") if (self.data_dir / "val.tsv").is_file() else []

    @classmethod
    def from_config(
        cls, data_dir: str | Path, config: ConfigFile, init_from: str | Path | None = None
    ) -> tuple[VocoderTask, TrainingConfig]:
        training = build_section(TrainingConfig, config.training, config.source, "training")
        model = build_section(vocoder.WaveGlowConfig, config.model, config.source, "model")
        data = build_section(VocoderDataConfig, config.data, config.source, "data")
        return cls(data_dir, model, data, seed=training.seed, init_from=init_from), training

    def build_model(self) -> nn.Module:
        if self.init_from is None:
            return vocoder.WaveGlow(self.model_config)
        model = vocoder.load_checkpoint(self.init_from).train()
        if model.config != self.model_config:
            log.info("fine-tuning keeps the architecture of %s: %s", self.init_from, model.config)
            self.model_config = model.config
        return model

    def train_dataset(self) -> VocoderSegments:
        return VocoderSegments(
            read_split(self.data_dir, "train"),
            self.mel_config,
            self.segment_length,
            seed=self.seed,
            dither=self.data_config.dither,
        )

    def val_dataset(self) -> VocoderSegments | None:
        if not self._val_items:
            return None
        return VocoderSegments(
            self._val_items, self.mel_config, self.segment_length, random_crop=False, dither=self.data_config.dither
        )

    def collate(self, items: list[tuple[torch.Tensor, torch.Tensor]]) -> dict[str, torch.Tensor]:
        mels, audios = zip(*items)
        return {"mel": torch.stack(mels), "audio": torch.stack(audios)}

    def train_mode(self, model: nn.Module) -> None:
        model.train()

    def training_loss(self, model: nn.Module, batch: dict, step: int) -> tuple[torch.Tensor, dict[str, float]]:
        likelihood = self.criterion(model(batch["mel"], batch["audio"]))
        if self.stft_loss is None:
            return likelihood, {}
        # Samples as synthesis draws them, through the differentiable reverse pass. It is called on
        # the module itself: DistributedDataParallel wraps forward only, and its gradient hooks
        # fire for every use of a parameter.
        flow = cast(vocoder.WaveGlow, getattr(model, "module", model))
        audio = batch["audio"]
        n_group = flow.config.n_group
        z = torch.randn(audio.size(0), n_group, audio.size(1) // n_group, device=audio.device, dtype=audio.dtype)
        sample = flow.reverse(batch["mel"], self.data_config.stft_loss_sigma * z)
        terms = self.stft_loss.to(audio.device)(sample, audio)
        figures = {
            "nll": float(likelihood.detach()),
            "stft_sc": float(terms.spectral_convergence.detach()),
            "stft_mag": float(terms.log_magnitude.detach()),
        }
        return likelihood + self.data_config.stft_loss_weight * terms.total, figures

    def validate(self, model: nn.Module, loader: Iterable[Any], writer: Any, step: int) -> dict[str, float]:
        total, count = 0.0, 0
        for batch in loader:
            loss = self.criterion(model(batch["mel"], batch["audio"]))
            total += float(loss) * batch["audio"].size(0)
            count += batch["audio"].size(0)
        if writer is not None:
            item = self._val_items[0]
            frames = int(SAMPLE_SECONDS * self.mel_config.sampling_rate / self.mel_config.hop_length)
            mel = load_mel(item.mel)[:, :frames].unsqueeze(0).to(next(model.parameters()).device)
            generator = torch.Generator().manual_seed(self.seed)
            audio = cast(vocoder.WaveGlow, model).infer(mel, sigma=self.data_config.sample_sigma, generator=generator)[
                0
            ]
            writer.add_audio(
                f"sample/{item.utt_id}", audio.clamp(-1, 1).cpu(), step, sample_rate=self.mel_config.sampling_rate
            )
        return {"loss": total / max(count, 1)}

    def save_checkpoint(self, model: nn.Module, path: Path, **extra: Any) -> None:
        vocoder.save_checkpoint(cast(vocoder.WaveGlow, model), path, self.mel_config, **extra)

    def load_model_state(self, model: nn.Module, payload: dict) -> None:
        model.load_state_dict(payload["state_dict"])
