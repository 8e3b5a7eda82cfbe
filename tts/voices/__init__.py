"""Voices bundled with the package: one folder each (``voice.json`` + checkpoints)."""
