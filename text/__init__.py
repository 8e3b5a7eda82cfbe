"""swaratts text frontend: English, Hindi, Bengali and code-mixed Hinglish / Benglish, offline.

Public API (``lang`` is ``en``, ``hi``, ``bn``, ``hinglish`` or ``benglish``, or an alias such
as ``hindi``, ``bangla``, ``hi-en``):

* :func:`normalize` -- the one clean form the acoustic model reads: Hindi words in Devanagari,
  Bengali words in Bengali script, English words in lower-case Latin, numbers and symbols as
  words, prosodic punctuation kept;
* :func:`text_to_sequence` / :func:`sequence_to_text` -- symbol ids (see :mod:`text.symbols`);
* :func:`symbols` -- the inventory of a language (``n_symbols = len(symbols(lang))``);
* :func:`split_sentences` -- sentences at . ? ! । ॥ (not inside "Dr." or "3.5");
* :func:`tag_tokens` -- each spoken token with the language it is read in;
* :func:`to_phonemes` -- espeak-ng IPA of normalized text, for phoneme voices
  (``PHONEME_SYMBOLS``, one table for all languages; see :mod:`text.phonemes`).

Every user error raises :class:`TextError` (a ``ValueError``). Importing this package does not
import torch.
"""

from __future__ import annotations

from text.analysis import analyse
from text.errors import TextError
from text.languages import LANGUAGES, resolve_language, supported_languages
from text.phonemes import PHONEME_SYMBOLS, to_phonemes
from text.rendering import render
from text.sentences import split_sentences
from text.symbols import symbol_to_id, symbols

__all__ = [
    "LANGUAGES",
    "PHONEME_SYMBOLS",
    "TextError",
    "normalize",
    "sequence_to_text",
    "split_sentences",
    "supported_languages",
    "symbols",
    "tag_tokens",
    "text_to_sequence",
    "to_phonemes",
]


def normalize(text: str, lang: str) -> str:
    """Normalized text of ``text`` read as ``lang``.

    >>> normalize("namaste, how are you", "hinglish")
    'नमस्ते, how are you'
    """
    return render(analyse(text, lang), resolve_language(lang))


def tag_tokens(text: str, lang: str) -> list[tuple[str, str]]:
    """Each spoken token of ``text`` (words, numbers, symbols; not punctuation) with its tag.

    Tags are ``en``, ``hi`` or ``bn``: the language the token is read in. For Latin words in a
    code-mixed language this is the language identifier's decision.
    """
    return [(t.text, t.tag or "") for t in analyse(text, lang) if t.kind != "punct"]


def text_to_sequence(text: str, lang: str) -> list[int]:
    """Symbol ids of the normalized text (no padding added)."""
    code = resolve_language(lang).code
    table = symbol_to_id(code)
    # render() only emits inventory symbols, so every character has an id.
    return [table[ch] for ch in normalize(text, code)]


def sequence_to_text(ids: list[int], lang: str) -> str:
    """The text of symbol ids; padding (id 0) is skipped.

    Raises:
        TextError: if an id is not an integer in the inventory of ``lang``.
    """
    inventory = symbols(lang)
    chars = []
    for position, symbol_id in enumerate(ids):
        if isinstance(symbol_id, bool) or not isinstance(symbol_id, int) or not 0 <= symbol_id < len(inventory):
            raise TextError(
                f"symbol id {symbol_id!r} at position {position} is not in the {lang!r} inventory "
                f"(ids 0-{len(inventory) - 1})"
            )
        if symbol_id:
            chars.append(inventory[symbol_id])
    return "".join(chars)
