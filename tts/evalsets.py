"""Fixed evaluation sentences that no training corpus contains.

``tts/data/unseen-v1/<language>.txt`` holds 60 sentences per language written by hand for
``tts eval`` (statements, questions and exclamations; 3 to 23 words; numbers, times, dates and
money amounts), one per line; lines starting with ``#`` are comments. The synthetic corpus
generator (:mod:`tts.corpora.sentences`) never emits a sentence whose normalization equals one of
them, so a voice trained on a synthetic corpus has never seen them (checked by
``tests/eval/test_unseen_set.py``).

The set is versioned: a sentence is never changed in place. A new or edited set goes into a new
folder (``unseen-v2``) with :data:`UNSEEN_SET` moved to it, so results computed on different sets
are never compared by mistake (``tts eval`` records the set's name).
"""

from __future__ import annotations

import functools
from importlib import resources

from base.errors import TTSError

UNSEEN_SET = "unseen-v1"
UNSEEN_LANGUAGES = ("en", "hi", "bn", "hinglish", "benglish")


def unseen_sentences(language: str) -> list[str]:
    """The unseen set's sentences of ``language`` (a code of :data:`UNSEEN_LANGUAGES`), as typed, in
    file order.

    Raises:
        TTSError: no sentences for ``language``.
    """
    if language not in UNSEEN_LANGUAGES:
        raise TTSError(
            f"the {UNSEEN_SET} evaluation set has no sentences for language {language!r}; "
            f"choose one of {', '.join(UNSEEN_LANGUAGES)}"
        )
    return list(_read(language))


@functools.cache
def _read(language: str) -> tuple[str, ...]:
    path = resources.files("tts").joinpath("data", UNSEEN_SET, f"{language}.txt")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise TTSError(
            f"{path}: the {UNSEEN_SET} sentences of {language!r} are missing from this installation; reinstall swaratts"
        ) from None
    return tuple(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))
