"""ONNX export of a voice, and a runtime that synthesises with onnxruntime and numpy only.

* :func:`tts.onnx.export.export_onnx` (needs torch): a Tacotron2 + WaveGlow voice to four ONNX
  graphs (``encoder.onnx``, ``decoder_step.onnx``, ``postnet.onnx``, ``vocoder.onnx``) and a
  ``voice.json`` with ``engine: onnx``, verified against torch on export.
* :class:`tts.onnx.runtime.OnnxVoice` (never imports torch): loads such a directory and
  synthesises; the autoregressive decoder loop runs in numpy.

Both names are importable from this package; each is loaded on first use, so importing
``tts.onnx`` imports neither torch nor onnxruntime.
"""

from __future__ import annotations

from typing import Any

__all__ = ["OnnxVoice", "export_onnx"]


def __getattr__(name: str) -> Any:
    if name == "export_onnx":
        from tts.onnx.export import export_onnx

        return export_onnx
    if name == "OnnxVoice":
        from tts.onnx.runtime import OnnxVoice

        return OnnxVoice
    raise AttributeError(f"module 'tts.onnx' has no attribute {name!r}")
