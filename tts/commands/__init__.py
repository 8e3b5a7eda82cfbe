"""Sub-commands of the ``tts`` command line, one module each (see :mod:`tts.cli`)."""

import argparse

SEED_MAX = 2**32 - 1  # numpy's RandomState (Griffin-Lim's phase) takes no larger seed


def seed(value: str) -> int:
    """An argparse type for ``--seed``: an integer from 0 to :data:`SEED_MAX`."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer from 0 to {SEED_MAX}, got {value!r}") from None
    if not 0 <= number <= SEED_MAX:
        raise argparse.ArgumentTypeError(f"must be an integer from 0 to {SEED_MAX}, got {value}")
    return number
