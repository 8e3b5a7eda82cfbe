"""Sub-commands of the ``tts`` command line, one module each (see :mod:`tts.cli`)."""
