"""Language codes from the language names corpora put in folder and file names."""

from __future__ import annotations

# Names as the IIT Madras IndicTTS and IISc SYSPIN releases spell them (compared lower-case).
_CODES = {
    "assamese": "as",
    "bengali": "bn",
    "bangla": "bn",
    "bhojpuri": "bho",
    "bodo": "brx",
    "chhattisgarhi": "hne",
    "english": "en",
    "gujarati": "gu",
    "hindi": "hi",
    "kannada": "kn",
    "magahi": "mag",
    "maithili": "mai",
    "malayalam": "ml",
    "manipuri": "mni",
    "marathi": "mr",
    "odia": "or",
    "punjabi": "pa",
    "rajasthani": "raj",
    "tamil": "ta",
    "telugu": "te",
}


def language_code(name: str) -> str | None:
    """The ISO 639 code for a language name (``Hindi`` -> ``hi``), or None if it is not one."""
    return _CODES.get(name.strip().lower())


def find_language(words: list[str]) -> str | None:
    """The code of the first of ``words`` that names a language, or None."""
    for word in words:
        code = language_code(word)
        if code is not None:
            return code
    return None
