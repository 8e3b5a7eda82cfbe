"""The WaveGlow vocoder: mel-spectrogram to waveform.

>>> import vocoder
>>> model = vocoder.load_checkpoint("waveglow_256channels_universal_v5.pt")
>>> audio = model.infer(mel, sigma=0.666, generator=torch.Generator().manual_seed(0))
"""

from vocoder.checkpoint import VocoderCheckpoint, load_checkpoint, mel_config_of, read_checkpoint, save_checkpoint
from vocoder.denoiser import Denoiser
from vocoder.quantize import quantize
from vocoder.stft_loss import MultiResolutionSTFTLoss, STFTLossTerms
from vocoder.waveglow import WN, Invertible1x1Conv, WaveGlow, WaveGlowConfig, WaveGlowLoss

__all__ = [
    "WN",
    "Denoiser",
    "Invertible1x1Conv",
    "MultiResolutionSTFTLoss",
    "STFTLossTerms",
    "VocoderCheckpoint",
    "WaveGlow",
    "WaveGlowConfig",
    "WaveGlowLoss",
    "load_checkpoint",
    "mel_config_of",
    "quantize",
    "read_checkpoint",
    "save_checkpoint",
]
