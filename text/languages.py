"""The five supported languages, their aliases and what each one means for the frontend."""

from __future__ import annotations

from dataclasses import dataclass

from text.errors import TextError


@dataclass(frozen=True)
class Language:
    """A language the frontend can normalize.

    Attributes:
        code: canonical code (``en``, ``hi``, ``bn``, ``hinglish``, ``benglish``).
        name: human-readable name.
        native: the Indic language it contains (``hi`` or ``bn``), or None for English.
        keeps_english: whether English words stay in Latin letters (English and code-mixed).
    """

    code: str
    name: str
    native: str | None
    keeps_english: bool

    @property
    def is_code_mixed(self) -> bool:
        return self.native is not None and self.keeps_english


LANGUAGES: dict[str, Language] = {
    "en": Language("en", "English", None, True),
    "hi": Language("hi", "Hindi", "hi", False),
    "bn": Language("bn", "Bengali", "bn", False),
    "hinglish": Language("hinglish", "Hinglish (Hindi-English code-mixed)", "hi", True),
    "benglish": Language("benglish", "Benglish (Bengali-English code-mixed)", "bn", True),
}

ALIASES: dict[str, str] = {
    "english": "en",
    "eng": "en",
    "hindi": "hi",
    "hin": "hi",
    "bengali": "bn",
    "bangla": "bn",
    "ben": "bn",
    "hi-en": "hinglish",
    "en-hi": "hinglish",
    "bn-en": "benglish",
    "en-bn": "benglish",
}


def supported_languages() -> list[str]:
    """Canonical language codes, in a fixed order."""
    return list(LANGUAGES)


def resolve_language(lang: object) -> Language:
    """Return the :class:`Language` for a code or alias (case-insensitive).

    Raises:
        TextError: if ``lang`` is not a supported code or alias.
    """
    if isinstance(lang, Language):
        return lang
    key = lang.strip().lower().replace("_", "-") if isinstance(lang, str) else None
    key = ALIASES.get(key, key) if key is not None else None
    if key not in LANGUAGES:
        raise TextError(
            f"unsupported language {lang!r}; use one of {', '.join(LANGUAGES)} (aliases: {', '.join(sorted(ALIASES))})"
        )
    return LANGUAGES[key]
