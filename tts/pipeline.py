"""Text to waveform with a trained acoustic model and vocoder.

The acoustic checkpoint carries its symbol table and language (written by the training engine),
so text is turned into the ids the model was trained on, never into another table's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

import acoustic
import text
import vocoder
from tts.audio import MelConfig
from tts.errors import TTSError


@dataclass
class Synthesis:
    """One synthesised utterance."""

    audio: torch.Tensor  # [T] float32 in [-1, 1]
    sample_rate: int
    mel: torch.Tensor  # [n_mels, frames]
    normalized_text: str
    stopped_by_gate: bool


class Synthesizer:
    """An acoustic model and a vocoder from their checkpoints (any kind each loader reads).

    Args:
        acoustic_checkpoint: a Tacotron2 checkpoint written by ``tts train acoustic`` (it must
            carry its symbol table; NVIDIA's files do not).
        vocoder_checkpoint: a WaveGlow checkpoint.
        prenet_dropout: 0 makes synthesis deterministic; the reference keeps 0.5.
    """

    def __init__(self, acoustic_checkpoint: str | os.PathLike, vocoder_checkpoint: str | os.PathLike,
                 device: str = "cpu", prenet_dropout: float | None = None) -> None:
        contents = acoustic.read_checkpoint(acoustic_checkpoint)
        text_info = contents.extra.get("text")
        if not isinstance(text_info, dict) or "symbols" not in text_info:
            raise TTSError(
                f"{acoustic_checkpoint}: carries no symbol table; synthesis needs a checkpoint written "
                "by `tts train acoustic` (fine-tune NVIDIA's model with `tts finetune` first)"
            )
        overrides = {} if prenet_dropout is None else {"prenet_dropout": prenet_dropout}
        self.acoustic = acoustic.load_checkpoint(acoustic_checkpoint, **overrides).to(device).eval()
        self.symbols: list[str] = list(text_info["symbols"])
        self.language: str = text_info["language"]
        self.speakers: list[str] = list(contents.extra.get("speakers", []))
        self.languages: list[str] = list(contents.extra.get("languages", []))
        loaded = vocoder.read_checkpoint(vocoder_checkpoint, device=device)
        self.vocoder = loaded.model
        self.mel_config: MelConfig = loaded.mel_config
        self.device = device
        self._ids = {s: i for i, s in enumerate(self.symbols)}

    def ids(self, normalized: str) -> torch.Tensor:
        """Symbol ids of already-normalized text."""
        missing = sorted({ch for ch in normalized if ch not in self._ids})
        if missing:
            raise TTSError(f"symbols {missing} are not in the voice's symbol table ({self.language})")
        return torch.tensor([self._ids[ch] for ch in normalized], dtype=torch.long)

    def synthesize_normalized(self, normalized: str, speaker: int | None = None, sigma: float = 0.666,
                              seed: int | None = None) -> Synthesis:
        ids = self.ids(normalized).unsqueeze(0).to(self.device)
        config = self.acoustic.config
        speaker_ids = torch.tensor([speaker or 0]) if config.n_speakers else None
        language_ids = torch.tensor([self.languages.index(self.language)]) if config.n_languages else None
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        if seed is not None:
            torch.manual_seed(seed)  # the prenet's dropout draws from the global generator
        out = self.acoustic.infer(ids, torch.tensor([ids.size(1)]), speaker=speaker_ids, language=language_ids)
        mel = out.mel_postnet[:, :, : int(out.mel_lengths[0])]
        audio = self.vocoder.infer(mel, sigma=sigma, generator=generator)[0].clamp(-1, 1)
        return Synthesis(audio.cpu(), self.mel_config.sampling_rate, mel[0].cpu(), normalized, bool(out.stopped[0]))

    def synthesize(self, raw_text: str, speaker: int | None = None, sigma: float = 0.666,
                   seed: int | None = None) -> Synthesis:
        """Normalize ``raw_text`` with the text frontend, then synthesise it."""
        return self.synthesize_normalized(text.normalize(raw_text, self.language), speaker, sigma, seed)
