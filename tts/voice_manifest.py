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

import dataclasses
import hashlib
import json
import logging
import math
import numbers
import operator
import os
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import text
from base.config import DictConfig
from base.errors import TTSError
from base.files import atomic_write_text
from tts import postfilter as postfilters
from tts.text_processor import TEXT_INPUTS

log = logging.getLogger(__name__)

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
    ``text_input`` says whether it reads the normalized letters (``characters``) or their
    espeak-ng IPA (``phonemes``, whose table all languages share);
    ``languages`` are those the voice speaks, its default first. ``language_table`` names the
    rows of the acoustic model's language embedding (empty without one). ``vocoder_quality``
    holds the copy-synthesis scores that pick the default vocoder (:func:`choose_vocoder`; empty
    until measured). ``postfilter`` is the spectral-contrast factor applied to the acoustic
    model's mels before vocoding (:mod:`tts.postfilter`; 1: none, the value of bundles that
    predate it).
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
    text_input: str = "characters"
    speakers: list[str] = field(default_factory=list)
    language_table: list[str] = field(default_factory=list)
    acoustic_config: dict[str, Any] = field(default_factory=dict)
    vocoder_config: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    vocoder_quality: dict[str, Any] = field(default_factory=dict)
    postfilter: float = postfilters.OFF
    description: str = ""
    format: str = FORMAT_NAME
    format_version: int = FORMAT_VERSION

    def __post_init__(self) -> None:
        if self.format != FORMAT_NAME:
            raise ValueError(f"format is {self.format!r}, not {FORMAT_NAME!r}")
        if self.format_version > FORMAT_VERSION:
            raise ValueError(
                f"format_version {self.format_version} is newer than this toolkit reads "
                f"({FORMAT_VERSION}); upgrade swaratts"
            )
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {self.engine!r}")
        if self.text_input not in TEXT_INPUTS:
            raise ValueError(f"text_input must be one of {', '.join(TEXT_INPUTS)}, got {self.text_input!r}")
        if not self.languages:
            raise ValueError("languages is empty")
        missing = sorted(set(self.files.values()) - set(self.sha256))
        if missing:
            raise ValueError(f"no sha256 for {', '.join(missing)}")
        if self.vocoder_quality:
            check_vocoder_quality(self.vocoder_quality)
        postfilters.check_beta(self.postfilter)

    def speaker_index(self, speaker: int | str) -> int:
        """Index of ``speaker`` (an index, or a name from :attr:`speakers`).

        Raises:
            TTSError: no such speaker (the message lists the range or the names).
        """
        if isinstance(speaker, str) and not speaker.isdigit():
            if speaker not in self.speakers:
                raise TTSError(
                    f"voice {self.name!r} has no speaker {speaker!r}; it has "
                    f"{', '.join(self.speakers) or 'one unnamed speaker'}"
                )
            return self.speakers.index(speaker)
        try:
            index = int(speaker) if isinstance(speaker, str) else operator.index(speaker)
        except TypeError:
            raise TTSError(f"speaker must be an index or a name, got {speaker!r}") from None
        if isinstance(speaker, bool):
            raise TTSError(f"speaker must be an index or a name, got {speaker!r}")
        count = max(1, len(self.speakers))
        if not 0 <= index < count:
            raise TTSError(
                f"speaker {index} is out of range: voice {self.name!r} has {count} "
                f"speaker{'s' if count > 1 else ''} (0-{count - 1}; see `tts voices`)"
            )
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
            raise TTSError(
                f"voice {manifest.name!r}: {path} does not match its sha256 in {MANIFEST} "
                f"(expected {expected[:12]}..., found {actual[:12]}...); the file is corrupt or was "
                "changed: re-export the voice"
            )


def write_voice_manifest(directory: str | os.PathLike, manifest: VoiceManifest) -> Path:
    """Write ``directory/voice.json`` atomically (a temporary file renamed over it: a reader sees
    the old file or the new one, and a failed write leaves the old one)."""
    return atomic_write_text(
        Path(directory) / MANIFEST, json.dumps(manifest.to_dict(), indent=2, ensure_ascii=False) + "\n"
    )


# -- the default vocoder ------------------------------------------------------------------------

# What a voice can vocode with: its bundle's WaveGlow, or Griffin-Lim (tts.griffinlim).
VOCODERS = ("waveglow", "griffinlim")
VOCODER_NAMES = {"waveglow": "WaveGlow", "griffinlim": "Griffin-Lim"}
QUALITY_METRICS = ("pesq", "stoi")
# vocoder_quality's keys besides the vocoders: what was measured, and by which command.
QUALITY_NOTES = ("references", "source")


def check_vocoder_quality(quality: Mapping[str, Any]) -> None:
    """Check a ``vocoder_quality`` record: ``{"waveglow": {"pesq": P, "stoi": S}, "griffinlim":
    {...}, "references": "...", "source": "..."}``, both vocoders with both numbers.

    Raises:
        ValueError: a key, a vocoder or a score that does not fit (the message names it).
    """
    for key, value in quality.items():
        if key in QUALITY_NOTES:
            if not isinstance(value, str):
                raise ValueError(f"vocoder_quality.{key} must be a string, got {value!r}")
        elif key not in VOCODERS:
            raise ValueError(
                f"vocoder_quality names an unknown vocoder {key!r} (vocoders: {', '.join(VOCODERS)}; "
                f"other keys: {', '.join(QUALITY_NOTES)})"
            )
        elif not isinstance(value, Mapping) or sorted(value) != sorted(QUALITY_METRICS):
            raise ValueError(f"vocoder_quality.{key} must hold exactly {' and '.join(QUALITY_METRICS)}, got {value!r}")
        else:
            for metric, score in value.items():
                if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score):
                    raise ValueError(f"vocoder_quality.{key}.{metric} must be a finite number, got {score!r}")
    absent = [kind for kind in VOCODERS if kind not in quality]
    if absent:
        raise ValueError(f"vocoder_quality has no scores for {', '.join(absent)}: the choice needs every vocoder's")


def choose_vocoder(quality: Mapping[str, Any] | None) -> tuple[str, str]:
    """The vocoder a voice speaks with by default, and why, from its ``vocoder_quality``
    (copy-synthesis PESQ and STOI of each vocoder on the same held-out references):

    * nothing measured: WaveGlow, the bundle's own vocoder;
    * one vocoder better on both measures (or better on one and equal on the other): that one;
    * a split, each better on one: the higher PESQ. PESQ rates the quality a listener hears in
      the whole signal; STOI rates intelligibility alone and saturates near 1 for any usable
      vocoder (Griffin-Lim scores 0.96 on espeak-ng speech), so it separates good vocoders less;
    * the same scores: WaveGlow.

    Together: the higher PESQ wins, STOI decides a PESQ tie, WaveGlow a full tie.

    Returns:
        ``(kind, reason)``: a name from :data:`VOCODERS`, and the sentence the load log prints,
        e.g. ``copy-synthesis PESQ 2.95 / STOI 0.963 vs WaveGlow 1.05 / 0.512, better on both
        (50 held-out hinglish espeak-ng references; voice.json)``.
    """
    if not quality:
        return "waveglow", (
            "the bundle's own vocoder: voice.json records no copy-synthesis scores "
            "(`tts eval --vocoder-only --record-vocoder-quality` measures them)"
        )
    where = "; ".join(note for note in (quality.get("references"), "voice.json") if note)
    ranks = {kind: (quality[kind]["pesq"], quality[kind]["stoi"]) for kind in VOCODERS}
    if ranks["waveglow"] == ranks["griffinlim"]:
        pesq, stoi = ranks["waveglow"]
        return "waveglow", (
            f"copy-synthesis PESQ {pesq:.2f} / STOI {stoi:.3f}, the same as Griffin-Lim: "
            f"the bundle's own vocoder ({where})"
        )
    winner = max(VOCODERS, key=ranks.__getitem__)  # PESQ first, then STOI
    loser = next(kind for kind in VOCODERS if kind != winner)
    won, lost = quality[winner], quality[loser]
    if won["pesq"] > lost["pesq"] and won["stoi"] > lost["stoi"]:
        how = "better on both"
    elif won["stoi"] < lost["stoi"]:
        how = f"the higher PESQ, which decides when STOI favours {VOCODER_NAMES[loser]}"
    elif won["stoi"] == lost["stoi"]:
        how = "the higher PESQ at the same STOI"
    else:
        how = "the higher STOI at the same PESQ"
    return winner, (
        f"copy-synthesis PESQ {won['pesq']:.2f} / STOI {won['stoi']:.3f} vs {VOCODER_NAMES[loser]} "
        f"{lost['pesq']:.2f} / {lost['stoi']:.3f}, {how} ({where})"
    )


def select_vocoder(manifest: VoiceManifest, requested: str | None = None) -> tuple[str, str]:
    """The vocoder a voice loads with, and why: ``requested`` (``"waveglow"`` or
    ``"griffinlim"``) when given, else (``None`` or ``"auto"``) :func:`choose_vocoder` on the
    manifest's measurements.

    Raises:
        TTSError: an unknown vocoder name.
    """
    measured, reason = choose_vocoder(manifest.vocoder_quality)
    if requested is None or requested == "auto":
        return measured, reason
    if requested not in VOCODERS:
        raise TTSError(f"unknown vocoder {requested!r}; choose auto, {', '.join(VOCODERS)}")
    if requested == measured:
        return requested, f"asked for, and the measured default too ({reason})"
    return requested, f"asked for; the default would be {measured} ({reason})"


def voice_postfilter(manifest: VoiceManifest, requested: float | None = None) -> float:
    """The postfilter factor a voice applies: ``requested``, else the one its ``voice.json`` records.

    Raises:
        TTSError: a requested factor outside :data:`tts.postfilter.LIMITS`.
    """
    return float(manifest.postfilter) if requested is None else check_postfilter(requested)


def check_postfilter(beta: Any) -> float:
    """``beta`` as a postfilter factor (:func:`tts.postfilter.check_beta`), or a TTSError naming it."""
    try:
        return postfilters.check_beta(beta)
    except ValueError as exc:
        raise TTSError(str(exc)) from None


def record_vocoder_quality(
    bundle_dir: str | os.PathLike, scores: Mapping[str, Mapping[str, float]], source: str, references: str = ""
) -> VoiceManifest:
    """Record copy-synthesis scores in ``bundle_dir/voice.json``, rewritten atomically; from then on
    the better-measured vocoder is the voice's default (:func:`choose_vocoder`).

    ``voice.json`` is not among the files its ``sha256`` entries cover and the model files are
    not touched, so the bundle still verifies.

    Args:
        bundle_dir: the voice directory.
        scores: per vocoder (``"waveglow"``, ``"griffinlim"``) its mean ``"pesq"`` and ``"stoi"``.
        source: the command that measured them.
        references: what they were measured on, e.g. ``"50 held-out hinglish espeak-ng references"``.

    Returns:
        The manifest as written.

    Raises:
        TTSError: not a voice, or scores that do not fit (the message names the file and value).
    """
    directory = Path(bundle_dir)
    manifest = read_voice_manifest(directory)
    record: dict[str, Any] = {kind: _plain_scores(values) for kind, values in scores.items()}
    record.update(references=references, source=source)
    try:
        updated = dataclasses.replace(manifest, vocoder_quality=record)
    except ValueError as exc:
        raise TTSError(f"{directory / MANIFEST}: cannot record these vocoder scores: {exc}") from None
    write_voice_manifest(directory, updated)
    return updated


def _plain_scores(values: Any) -> Any:
    """Measurements arrive as numpy scalars too; voice.json keeps plain floats, rounded. Anything
    else is left for :func:`check_vocoder_quality` to name."""
    if not isinstance(values, Mapping):
        return values
    return {
        metric: round(float(score), 4) if isinstance(score, numbers.Real) and not isinstance(score, bool) else score
        for metric, score in values.items()
    }


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
    """User voices, then bundled ones; a user voice hides a bundled one of the same name, and the
    first of two user voices of one name hides the other (with a warning). Directories that are not
    valid voices are skipped."""
    entries: list[VoiceEntry] = []
    seen: dict[str, Path] = {}
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
                    seen[manifest.name] = path
                    entries.append(VoiceEntry(path, manifest, origin))
                elif origin == "user":  # a user voice hiding a bundled one is the point; two user ones are not
                    log.warning(
                        "voice %r at %s is hidden by the voice of the same name at %s; rename one "
                        '(its voice.json "name") to use both',
                        manifest.name,
                        path,
                        seen[manifest.name],
                    )
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
        raise TTSError(
            f"no voice speaks {code} here; train one with `python recipes/{recipe}/run.sh` "
            f"and add it with `tts export voice` (or pass --voice PATH)"
        )
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
