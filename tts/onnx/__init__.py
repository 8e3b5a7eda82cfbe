"""ONNX export of a voice, and a runtime that synthesizes with onnxruntime and numpy only.

* :func:`tts.onnx.export.export_onnx` (needs torch): a Tacotron2 + WaveGlow voice to four ONNX
  graphs (``encoder.onnx``, ``decoder_step.onnx``, ``postnet.onnx``, ``vocoder.onnx``) and a
  ``voice.json`` with ``engine: onnx``, verified against torch on export.
* :func:`tts.onnx.runtime.load_onnx_parts` (never imports torch): the graphs of such a directory
  as the acoustic model and vocoder of a :class:`tts.voice.Voice` (``tts.load_voice`` loads an
  ONNX bundle with them); the autoregressive decoder loop runs in numpy.

``export_onnx`` is importable from this package, loaded on first use, so importing ``tts.onnx``
imports neither torch nor onnxruntime.
"""

from __future__ import annotations

from typing import Any

__all__ = ["export_onnx"]


def __getattr__(name: str) -> Any:
    if name == "export_onnx":
        from tts.onnx.export import export_onnx

        return export_onnx
    raise AttributeError(f"module 'tts.onnx' has no attribute {name!r}")
