"""The project's error types.

Every failure a user can cause (a bad file, a wrong shape, an unknown checkpoint) is raised as a
:class:`TTSError` whose message names the offending file or value and says what to do. The CLI
prints these messages without a traceback.
"""


class TTSError(Exception):
    """Base class of every error this toolkit raises on purpose."""


class AudioError(TTSError):
    """An audio file could not be read or is unusable (empty, truncated, corrupt)."""


class CheckpointError(TTSError):
    """A checkpoint could not be read, is of an unknown kind, or does not fit the model."""
