"""Unicode clean-up applied before anything else: one canonical form for equivalent text.

* NFKC folds compatibility forms (full-width letters, ligatures, super-scripts, non-breaking
  spaces) and composes text; nukta letters (क़ U+0958, য় U+09DF, ...) end up in their canonical
  decomposed form (क + ़), so both spellings are one thing.
* Zero-width joiners/non-joiners only change how a conjunct is drawn, not how it is spoken, so
  they are removed (as are other invisible format characters and control characters).
* Typographic variants of quotes, dashes and dandas are mapped to one character each.
"""

from __future__ import annotations

import logging
import re
import unicodedata

log = logging.getLogger(__name__)

_TRANSLATIONS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u02bc": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u0965": "\u0964",  # double danda -> danda: the same pause for speech
        "\u09f7": "\u0964",  # Bengali currency numerator four, widely typed as a danda
        "\u2026": "...",
        "\u2044": "/",  # fraction slash left by NFKC for vulgar fractions (½ -> 1⁄2)
    }
)
# Invisible characters that carry no sound: zero-width (non-)joiners and spaces, BOM, soft hyphen,
# word joiner, bidi marks.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_REPEATED_DANDA = re.compile("\u0964+")
_WHITESPACE = re.compile(r"\s+")


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") and not ch.isspace()


def clean_unicode(text: str) -> str:
    """Return ``text`` in the frontend's canonical Unicode form with whitespace collapsed."""
    # Joiners go first so that NFKC sees (and composes) the letters on both sides of them.
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATIONS)
    controls = sorted({ch for ch in text if _is_control(ch)})
    if controls:
        # A word boundary is kept where they were ("a\x07b" is two words), as docs/architecture.md promises.
        log.warning(
            "dropped control characters that cannot be spoken: %s", ", ".join(f"U+{ord(ch):04X}" for ch in controls)
        )
        text = "".join(" " if _is_control(ch) else ch for ch in text)
    text = _REPEATED_DANDA.sub("\u0964", text)
    return _WHITESPACE.sub(" ", text).strip()
