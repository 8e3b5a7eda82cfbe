"""swaratts: shared base (audio features, safe checkpoint I/O) and shell (corpora, training,
pipeline, CLI) of the toolkit.

Layering: ``tts.errors``, ``tts.audio`` and ``tts.checkpoint`` import none of ``text``,
``acoustic`` or ``vocoder``; the shell modules compose them all.

``tts.load_voice("hinglish")`` is imported on first use, so ``import tts`` alone stays light (the
torch-free ONNX runtime imports this package without torch).
"""

from typing import Any

__version__ = "0.1.0"
__all__ = ["load_voice"]


def __getattr__(name: str) -> Any:
    if name == "load_voice":
        from tts.voice import load_voice

        return load_voice
    raise AttributeError(f"module 'tts' has no attribute {name!r}")
