"""swaratts: shared base (audio features, safe checkpoint I/O) and shell (CLI, later training and
pipeline) of the toolkit.

Layering: ``tts.errors``, ``tts.audio`` and ``tts.checkpoint`` import none of ``text``,
``acoustic`` or ``vocoder``; the CLI and pipeline modules compose them all.
"""

__version__ = "0.1.0"
