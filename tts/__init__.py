"""swaratts: the shell of the toolkit (corpora, training, voices and synthesis, evaluation, ONNX,
the CLI), composing ``text``, ``acoustic`` and ``vocoder`` over the ``base`` layer (audio features,
checkpoint I/O, config, errors), which imports none of them.

``tts.load_voice("hinglish")`` is imported on first use, so ``import tts`` alone stays light (the
torch-free ONNX runtime imports this package without torch).
"""

from typing import Any

from base.errors import TTSError

__version__ = "0.1.0"
__all__ = ["TTSError", "load_voice"]


def __getattr__(name: str) -> Any:
    if name == "load_voice":
        from tts.voice import load_voice

        return load_voice
    raise AttributeError(f"module 'tts' has no attribute {name!r}")
