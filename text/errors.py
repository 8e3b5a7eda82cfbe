"""The text frontend's error type.

Every failure the user can fix (an unknown language, empty text, ids outside the inventory, ...)
raises :class:`TextError` with a message that names the bad value and says what to do.
"""

from __future__ import annotations


class TextError(ValueError):
    """Bad input to the text frontend; the message says what was wrong and how to fix it."""
