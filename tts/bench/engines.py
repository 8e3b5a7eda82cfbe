"""How the bench runs models: torch, or the torch-free ONNX runtime on an exported voice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# -- engines ---------------------------------------------------------------------------------


class Engine:
    """How the bench runs models. ``vocoder(config)`` returns ``(model, vocode)`` where
    ``vocode(mel [1, n_mel, frames])`` synthesizes audio; ``acoustic(config)`` returns a model
    with ``infer(text, lengths)`` and ``decoder.infer``; ``load_voice(name, vocoder_kind)`` loads a
    voice (``vocoder_kind`` None: its measured default, see :func:`tts.voice_manifest.choose_vocoder`)."""

    name = "torch"

    def vocoder(self, config: Any) -> tuple[Any, Callable[[Any], Any]]:
        import torch

        import vocoder

        model = vocoder.WaveGlow(config).eval()
        generator = torch.Generator().manual_seed(0)
        return model, lambda mel: model.infer(mel, sigma=0.666, generator=generator)

    def acoustic(self, config: Any) -> Any:
        import acoustic

        return acoustic.Tacotron2(config).eval()

    def load_voice(self, name: str, vocoder_kind: str | None = None, precision: str | None = None) -> Any:
        from tts.voice import load_voice

        return load_voice(name, engine=self.name, vocoder_kind=vocoder_kind, precision=precision)

    def quantized(self, model: Any, precision: str) -> Any:
        """``model`` (a WaveGlow or a Tacotron2) in ``precision``: itself for fp32, else made int8
        in place (:func:`vocoder.quantize`, :func:`acoustic.quantize`)."""
        if precision == "fp32":
            return model
        import acoustic
        import vocoder

        quantize = vocoder.quantize if isinstance(model, vocoder.WaveGlow) else acoustic.quantize
        return quantize(model, inplace=True)


class OnnxEngine(Engine):
    """The torch-free runtime (:mod:`tts.onnx.runtime`) on an ONNX voice (``tts export onnx``).
    It benchmarks whole voices only: the ``end_to_end`` section, in a process without torch."""

    name = "onnx"
    sections = ("machine", "end_to_end")

    def vocoder(self, config: Any) -> tuple[Any, Callable[[Any], Any]]:
        raise NotImplementedError

    def acoustic(self, config: Any) -> Any:
        raise NotImplementedError

    def load_voice(self, name: str, vocoder_kind: str | None = None, precision: str | None = None) -> Any:
        from tts.voice import load_voice

        # An ONNX voice has the precision it was exported in.
        return load_voice(name, engine="onnx", vocoder_kind=vocoder_kind, precision=precision)


ENGINES: dict[str, Callable[[], Engine]] = {"torch": Engine, "onnx": OnnxEngine}


def get_engine(name: str) -> Engine:
    from base.errors import TTSError

    if name not in ENGINES:
        raise TTSError(f"unknown bench engine {name!r}; available: {', '.join(sorted(ENGINES))}")
    return ENGINES[name]()
