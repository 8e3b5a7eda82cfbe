"""``tts report``: an HTML listening report of a voice, to judge it by ear and not by numbers alone.

For a few evaluation sentences per language (:mod:`tts.eval`), one ``index.html`` with the audio
and pictures beside it: the text, espeak-ng's reference, the reference mel through Griffin-Lim and
through the voice's WaveGlow (copy synthesis), the voice's speech through each vocoder, mel and
alignment pictures (matplotlib: the ``report`` extra), and the sentence's scores from ``tts eval``.
:mod:`tts.report.build` makes it, :mod:`tts.report.page` writes the HTML, :mod:`tts.report.pictures`
draws.
"""

REPORT_EXTRA_HINT = "install the report's extras: pip install 'swaratts[report]'"
