"""The base layer under every model and the shell: audio features and the one mel definition
(:mod:`base.audio`, :mod:`base.mel_scale`), safe checkpoint I/O (:mod:`base.checkpoint`), dataclass
configs (:mod:`base.config`), the errors users can fix (:mod:`base.errors`) and files written whole
or not at all (:mod:`base.files`).

It imports none of ``text``, ``acoustic``, ``vocoder`` or ``tts``: the models build on it alone,
and the shell (``tts``) composes them all.
"""
