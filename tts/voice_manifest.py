"""Voice bundles on disk: ``voice.json``, checksums, and where voices are found.

A voice is one directory (or a ``.tar.gz`` / ``.zip`` archive of one)::

    hinglish/
        voice.json       name, languages, speakers, sample rate, mel and text config, the
                         training commands and data, and the sha256 of every file below
        acoustic.pt      the acoustic model (this project's checkpoint format)
        vocoder.pt       the vocoder

An exported ONNX voice (``engine: onnx``) has the same ``voice.json`` and ONNX graphs instead of
the two checkpoints. This module needs neither torch nor the models, so the torch-free runtime
reads bundles with it too.

Voices are looked up by name in the user directories first (``$TTS_VOICES``, a ``:``-separated
list, else ``~/.local/share/swaratts/voices``), then among the voices bundled with the package.
"""

from __future__ import annotations

import hashlib
import json
import operator
import os
import shutil
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import text
from tts.config import DictConfig
from tts.errors import TTSError

MANIFEST = "voice.json"
FORMAT_NAME = "swaratts-voice"
FORMAT_VERSION = 1
ENGINES = ("torch", "onnx")
BUNDLED_DIR = Path(__file__).resolve().parent / "voices"
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip")


@dataclass(frozen=True)
class VoiceManifest(DictConfig):
    """The contents of ``voice.json``.

    ``files`` maps each role (``acoustic``, ``vocoder`` for torch voices; the graph names for ONNX
    ones) to a file name in the bundle; ``sha256`` maps each of those file names to its digest.
    ``text_language`` is the language whose symbol table the acoustic model was trained with;
    ``languages`` are those the voice speaks, its default first. ``language_table`` names the
    rows of the acoustic model's language embedding (empty without one).
    """

    name: str
    languages: list[str]
    symbols: list[str]
    text_language: str
    sample_rate: int
    mel_config: dict[str, Any]
    files: dict[str, str]
    sha256: dict[str, str]
    engine: str = "torch"
    speakers: list[str] = field(default_factory=list)
    language_table: list[str] = field(default_factory=list)
    acoustic_config: dict[str, Any] = field(default_factory=dict)
    vocoder_config: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    format: str = FORMAT_NAME
    format_version: int = FORMAT_VERSION

    def __post_init__(self) -> None:
        if self.format != FORMAT_NAME:
            raise ValueError(f"format is {self.format!r}, not {FORMAT_NAME!r}")
        if self.format_version > FORMAT_VERSION:
            raise ValueError(f"format_version {self.format_version} is newer than this toolkit reads "
                             f"({FORMAT_VERSION}); upgrade swaratts")
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {self.engine!r}")
        if not self.languages:
            raise ValueError("languages is empty")
        missing = sorted(set(self.files.values()) - set(self.sha256))
        if missing:
            raise ValueError(f"no sha256 for {', '.join(missing)}")


    def speaker_index(self, speaker: int | str) -> int:
        """Index of ``speaker`` (an index, or a name from :attr:`speakers`).

        Raises:
            TTSError: no such speaker (the message lists the range or the names).
        """
        if isinstance(speaker, str) and not speaker.isdigit():
            if speaker not in self.speakers:
                raise TTSError(f"voice {self.name!r} has no speaker {speaker!r}; it has "
                               f"{', '.join(self.speakers) or 'one unnamed speaker'}")
            return self.speakers.index(speaker)
        try:
            index = int(speaker) if isinstance(speaker, str) else operator.index(speaker)
        except TypeError:
            raise TTSError(f"speaker must be an index or a name, got {speaker!r}") from None
        if isinstance(speaker, bool):
            raise TTSError(f"speaker must be an index or a name, got {speaker!r}")
        count = max(1, len(self.speakers))
        if not 0 <= index < count:
            raise TTSError(f"speaker {index} is out of range: voice {self.name!r} has {count} "
                           f"speaker{'s' if count > 1 else ''} (0-{count - 1}; see `tts voices`)")
        return index

    def language_index(self, code: str) -> int:
        """Row of the acoustic model's language table for language ``code`` (the training
        language's row when the table has none for it, 0 without a table)."""
        table = self.language_table
        if code in table:
            return table.index(code)
        return table.index(self.text_language) if self.text_language in table else 0


def sha256_file(path: str | os.PathLike) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_voice_manifest(directory: str | os.PathLike) -> VoiceManifest:
    """``directory/voice.json``, validated.

    Raises:
        TTSError: missing, not JSON, or not a voice manifest (the message names the file).
    """
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise TTSError(f"{directory}: not a voice (no {MANIFEST}); make one with `tts export voice`")
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TTSError(f"{path}: cannot read it as JSON ({exc})") from None
    if not isinstance(values, Mapping):
        raise TTSError(f"{path}: expected a JSON object")
    try:
        return VoiceManifest.from_dict(values)
    except (TypeError, ValueError) as exc:
        raise TTSError(f"{path}: not a valid voice manifest: {exc}") from None


def verify_files(directory: str | os.PathLike, manifest: VoiceManifest) -> None:
    """Check every file of the bundle against its sha256.

    Raises:
        TTSError: a file is missing or differs from what ``voice.json`` records.
    """
    directory = Path(directory)
    for name, expected in manifest.sha256.items():
        path = directory / name
        if Path(name).name != name:
            raise TTSError(f"{directory / MANIFEST}: file name {name!r} must not contain a path")
        if not path.is_file():
            raise TTSError(f"voice {manifest.name!r}: {path} is missing")
        actual = sha256_file(path)
        if actual != expected:
            raise TTSError(f"voice {manifest.name!r}: {path} does not match its sha256 in {MANIFEST} "
                           f"(expected {expected[:12]}..., found {actual[:12]}...); the file is corrupt or was "
                           "changed: re-export the voice")


def write_voice_manifest(directory: str | os.PathLike, manifest: VoiceManifest) -> Path:
    """Write ``directory/voice.json`` atomically."""
    path = Path(directory) / MANIFEST
    tmp = path.with_name(f".{MANIFEST}.tmp")
    tmp.write_text(json.dumps(manifest.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def user_voice_dirs() -> list[Path]:
    """Where user voices live: ``$TTS_VOICES`` (``:``-separated) or ``~/.local/share/swaratts/voices``."""
    configured = os.environ.get("TTS_VOICES")
    if configured:
        return [Path(p).expanduser() for p in configured.split(os.pathsep) if p]
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return [data_home / "swaratts" / "voices"]


@dataclass(frozen=True)
class VoiceEntry:
    """A voice found on this machine."""

    path: Path
    manifest: VoiceManifest
    origin: str  # "user" or "bundled"


def list_voices() -> list[VoiceEntry]:
    """User voices, then bundled ones; a user voice hides a bundled one of the same name.
    Directories that are not valid voices are skipped."""
    entries: list[VoiceEntry] = []
    seen: set[str] = set()
    for origin, roots in (("user", user_voice_dirs()), ("bundled", [BUNDLED_DIR])):
        for root in roots:
            if not root.is_dir():
                continue
            for path in sorted(p for p in root.iterdir() if (p / MANIFEST).is_file()):
                try:
                    manifest = read_voice_manifest(path)
                except TTSError:
                    continue
                if manifest.name not in seen:
                    seen.add(manifest.name)
                    entries.append(VoiceEntry(path, manifest, origin))
    return entries


def find_voice(name_or_path: str | os.PathLike) -> Path:
    """The directory of a voice given by name (user voices first, then bundled) or by path (a
    bundle directory or archive; archives are unpacked once into the user cache).

    Raises:
        TTSError: no such voice; the message lists the voices there are.
    """
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return path
    if path.is_file() and str(path).endswith(ARCHIVE_SUFFIXES):
        return unpack_archive(path)
    if path.exists():
        raise TTSError(f"{path}: not a voice directory or archive ({', '.join(ARCHIVE_SUFFIXES)})")
    name = str(name_or_path)
    entries = list_voices()
    for entry in entries:
        if entry.manifest.name == name:
            return entry.path
    known = ", ".join(e.manifest.name for e in entries) or "none"
    raise TTSError(f"no voice named {name!r} (voices here: {known}); give a bundle path, or see `tts voices`")


def default_voice(language: str) -> Path | None:
    """The voice for language code ``language``: one whose default language it is, else one that
    speaks it; user voices before bundled ones. ``None`` when no voice speaks it."""
    entries = list_voices()
    for entry in entries:
        if entry.manifest.languages[0] == language:
            return entry.path
    for entry in entries:
        if language in entry.manifest.languages:
            return entry.path
    return None


def locate_voice(voice: str | os.PathLike) -> Path:
    """A bundle directory from a voice name, a language (its default voice) or a path.

    Raises:
        TTSError: nothing found; for a language, the message names the recipe that trains one.
    """
    try:
        return find_voice(voice)
    except TTSError as not_found:
        if not isinstance(voice, str):
            raise
        try:
            code = text.resolve_language(voice).code
        except text.TextError:
            raise not_found from None
        return voice_for_language(code)


def voice_for_language(language: str) -> Path:
    """The default voice directory of ``language`` (a code or alias).

    Raises:
        TTSError: unknown language, or no voice speaks it (naming the recipe that trains one).
    """
    try:
        code = text.resolve_language(language).code
    except text.TextError as exc:
        raise TTSError(str(exc)) from None
    found = default_voice(code)
    if found is None:
        recipe = {"hi": "hindi", "bn": "bengali", "en": "english"}.get(code, code)
        raise TTSError(f"no voice speaks {code} here; train one with `python recipes/{recipe}/run.sh` "
                       f"and add it with `tts export voice` (or pass --voice PATH)")
    return found


def unpack_archive(archive: Path) -> Path:
    """Unpack a voice archive into ``~/.cache/swaratts/voices/<sha256>/`` (once) and return the
    voice directory inside it."""
    digest = sha256_file(archive)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "swaratts" / "voices" / digest
    if not cache.is_dir():
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=cache.parent, prefix=".unpack-"))
        try:
            if str(archive).endswith(".zip"):
                with zipfile.ZipFile(archive) as zf:
                    for member in zf.namelist():
                        if member.startswith("/") or ".." in Path(member).parts:
                            raise TTSError(f"{archive}: unsafe path {member!r} in the archive")
                    zf.extractall(tmp)
            else:
                with tarfile.open(archive) as tf:
                    tf.extractall(tmp, filter="data")  # refuses absolute paths, .. and links out
        except (tarfile.TarError, zipfile.BadZipFile, OSError) as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise TTSError(f"{archive}: cannot unpack the voice archive ({exc})") from None
        except TTSError:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        try:
            os.replace(tmp, cache)
        except OSError:  # another process unpacked it first
            shutil.rmtree(tmp, ignore_errors=True)
    if (cache / MANIFEST).is_file():
        return cache
    inner = [p for p in cache.iterdir() if (p / MANIFEST).is_file()]
    if len(inner) != 1:
        raise TTSError(f"{archive}: the archive holds no voice ({MANIFEST} at its top or in one folder)")
    return inner[0]
