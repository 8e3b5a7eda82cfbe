"""A synthetic speech corpus spoken by espeak-ng: real speech signal, no download.

``synthesize_corpus(out, "hinglish", utterances=600, speakers=2)`` writes::

    out/wavs/hinglish_00001.wav ...   22050 Hz mono 16-bit, one sentence each
    out/manifest.tsv                  path, text, speaker, language (the ``manifest`` format)
    out/synth.json                    the settings, so a re-run can resume safely

Sentences come from :mod:`tts.corpora.sentences`; transcripts are as typed, and espeak-ng speaks
what the text frontend makes of them (``text.normalize``: Indic words in native script, numbers
as words). Speaking the frontend's reading rather than a gold spelling keeps audio and symbol
sequence in agreement even where the frontend's transliteration differs from the dictionary
spelling, so a model trained on the corpus never learns from contradicting labels. Voices: ``en`` for English, ``hi`` for Hindi and Hinglish,
``bn`` for Bengali and Benglish. espeak-ng switches by itself to its English rules for Latin-script
words (the English words of a code-mixed sentence) and back, so one voice speaks the whole
sentence; digits are read in the voice's language (``3 baje`` -> "teen baje").

Each speaker is a fixed espeak-ng voice variant with its own pitch and rate (``hi+f3``, pitch
65, 150 words/min), the same for every seed. Utterance ``i`` is spoken by speaker ``i % speakers``.
espeak-ng is deterministic, so the same seed gives byte-identical wavs (checked by the tests on
the installed espeak-ng; other versions may sound slightly different).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile
from tqdm import tqdm

import text
import text.espeak
from base.audio import load_wav
from base.errors import AudioError, TTSError
from base.files import atomic_path, atomic_write_text
from tts.corpora.corpus import Utterance
from tts.corpora.manifest import write_manifest
from tts.corpora.sentences import Sentence, generate_sentences

log = logging.getLogger(__name__)

SAMPLE_RATE = 22050
MANIFEST = "manifest.tsv"
SETTINGS = "synth.json"
# Bump when a change to sentences or voices makes old corpora differ from what a re-run makes.
GENERATOR_VERSION = 4

# espeak-ng voice speaking each language (see the module docstring for the code-mixed ones).
VOICES = {"en": "en", "hi": "hi", "bn": "bn", "hinglish": "hi", "benglish": "bn"}

# espeak-ng's loudness (0-200). At its default of 100, about 2 % of clips peak above 0.99 of full
# scale; 75 leaves headroom (peaks near 0.8), so later stages never take them for clipped audio.
AMPLITUDE = 75

# Shortest clip accepted as a finished synthesis when resuming (every sentence is longer).
_MIN_SECONDS = 0.3


@dataclass(frozen=True)
class SpeakerStyle:
    """One synthetic speaker: an espeak-ng voice variant, pitch (0-99) and rate (words/min)."""

    variant: str
    pitch: int
    rate: int

    def name(self, voice: str) -> str:
        return f"{voice}_{self.variant}_p{self.pitch}_s{self.rate}"


# Alternating male/female variants at spread pitches and rates, so that any prefix of the list
# is a set of clearly different voices.
SPEAKER_STYLES = (
    SpeakerStyle("m3", 45, 160),
    SpeakerStyle("f3", 65, 150),
    SpeakerStyle("m1", 35, 170),
    SpeakerStyle("f2", 75, 145),
    SpeakerStyle("m7", 55, 155),
    SpeakerStyle("f4", 60, 165),
    SpeakerStyle("m2", 40, 150),
    SpeakerStyle("f1", 70, 160),
)


@dataclass(frozen=True)
class PlannedUtterance:
    """What to synthesize: a sentence, by whom, into which file. ``spoken`` is what espeak-ng
    reads: the frontend's normalization of the transcript ``sentence.text``."""

    utt_id: str
    sentence: Sentence
    spoken: str
    voice: str
    style: SpeakerStyle
    wav_path: Path

    @property
    def speaker(self) -> str:
        return self.style.name(self.voice)


@dataclass(frozen=True)
class SynthesisReport:
    """What :func:`synthesize_corpus` did."""

    manifest: Path
    utterances: int
    synthesized: int
    reused: int
    speakers: list[str]
    audio_seconds: float


def espeak_version() -> str:
    """The version of the espeak-ng library that speaks (``eSpeak NG 1.52.0``).

    Raises:
        TTSError: espeak-ng (the ``espeakng-loader`` package) is missing.
    """
    try:
        return text.espeak.engine().version
    except text.TextError as exc:
        raise TTSError(str(exc)) from None


def plan_corpus(
    out: Path, language: str, utterances: int, speakers: int, seed: int, first_speaker: int = 0
) -> list[PlannedUtterance]:
    """The sentences, speakers and file names of a corpus: the same for the same arguments.

    The speakers are ``SPEAKER_STYLES[first_speaker : first_speaker + speakers]``: a corpus with
    ``first_speaker`` past another corpus's speakers has voices that one has never heard (a new
    speaker for fine-tuning)."""
    check_settings(language, utterances, speakers, first_speaker)
    sentences = generate_sentences(language, utterances, seed, exclude=evaluation_sentences())
    plan = []
    for index, sentence in enumerate(sentences):
        # A fixed width keeps names stable when a re-run extends the corpus.
        utt_id = f"{language}_{index + 1:05d}"
        style = SPEAKER_STYLES[first_speaker + index % speakers]
        spoken = text.normalize(sentence.text, sentence.language)
        plan.append(PlannedUtterance(utt_id, sentence, spoken, VOICES[language], style, out / "wavs" / f"{utt_id}.wav"))
    return plan


def evaluation_sentences() -> frozenset[str]:
    """The normalized sentences of ``tts eval``'s unseen set, in every language: no corpus has them."""
    from tts.evalsets import UNSEEN_LANGUAGES, unseen_sentences

    return frozenset(text.normalize(s, code) for code in UNSEEN_LANGUAGES for s in unseen_sentences(code))


def check_settings(language: str, utterances: int, speakers: int, first_speaker: int = 0) -> None:
    if language not in VOICES:
        raise TTSError(f"no synthetic voice for language {language!r}; choose one of {', '.join(VOICES)}")
    if utterances < 1:
        raise TTSError(f"--utterances must be at least 1, got {utterances}")
    if not 1 <= speakers <= len(SPEAKER_STYLES):
        raise TTSError(f"--speakers must be between 1 and {len(SPEAKER_STYLES)}, got {speakers}")
    if first_speaker < 0 or first_speaker + speakers > len(SPEAKER_STYLES):
        raise TTSError(
            f"--first-speaker {first_speaker} with --speakers {speakers} needs more than the "
            f"{len(SPEAKER_STYLES)} synthetic voices"
        )


def speak(spoken: str, voice: str, style: SpeakerStyle, wav_path: Path) -> None:
    """Have espeak-ng say ``spoken`` into ``wav_path`` (22050 Hz, 16-bit), atomically."""
    try:
        speech = text.espeak.engine().speak(spoken, f"{voice}+{style.variant}", style.pitch, style.rate, AMPLITUDE)
    except text.TextError as exc:
        raise TTSError(f"espeak-ng failed on {wav_path.name}: {exc}") from None
    if speech.sample_rate != SAMPLE_RATE or not speech.samples:
        raise TTSError(
            f"espeak-ng gave {len(speech.samples)} samples at {speech.sample_rate} Hz for "
            f"{wav_path.name}; expected audio at {SAMPLE_RATE} Hz"
        )
    with atomic_path(wav_path, suffix=".tmp.wav") as tmp:
        soundfile.write(str(tmp), np.frombuffer(speech.samples, dtype=np.int16), SAMPLE_RATE, subtype="PCM_16")


def is_finished_wav(path: Path) -> bool:
    """True when ``path`` is a complete, readable 22050 Hz clip (what a finished synthesis leaves)."""
    if not path.is_file():
        return False
    try:
        if soundfile.info(str(path)).samplerate != SAMPLE_RATE:
            return False
        audio = load_wav(path, SAMPLE_RATE)
    except (AudioError, RuntimeError):
        return False
    return audio.numel() >= _MIN_SECONDS * SAMPLE_RATE and bool(audio.abs().max() > 0)


def synthesize_corpus(
    out: str | os.PathLike,
    language: str,
    utterances: int,
    speakers: int = 1,
    seed: int = 0,
    progress: bool = True,
    first_speaker: int = 0,
) -> SynthesisReport:
    """Speak ``utterances`` sentences of ``language`` with ``speakers`` voices into ``out``.

    Re-running with the same language, speakers and seed resumes: finished wavs are kept and
    only missing or broken ones are synthesized; a larger ``utterances`` extends the corpus.

    Raises:
        TTSError: espeak-ng missing or failing, bad settings, or ``out`` made with other settings.
    """
    out = Path(out)
    plan = plan_corpus(out, language, utterances, speakers, seed, first_speaker)
    _claim_folder(out, language, speakers, seed, first_speaker, espeak_version())
    (out / "wavs").mkdir(parents=True, exist_ok=True)
    todo = [item for item in plan if not is_finished_wav(item.wav_path)]
    log.info("%s: %d of %d utterances to synthesize with espeak-ng", out, len(todo), len(plan))
    _speak_all(todo, progress)
    manifest = write_manifest(
        out / MANIFEST,
        [
            Utterance(item.wav_path, item.sentence.text, item.speaker, item.sentence.language, item.utt_id)
            for item in plan
        ],
    )
    seconds = sum(soundfile.info(str(item.wav_path)).duration for item in plan)
    return SynthesisReport(
        manifest,
        len(plan),
        len(todo),
        len(plan) - len(todo),
        list(dict.fromkeys(item.speaker for item in plan)),
        seconds,
    )


def _speak_all(todo: list[PlannedUtterance], progress: bool) -> None:
    """Synthesise ``todo`` one by one (the library is one per process; it speaks about 300x
    faster than real time, so a 4000-sentence corpus takes well under a minute)."""
    for item in tqdm(todo, desc="espeak-ng", unit="utt", disable=not (progress and todo)):
        speak(item.spoken, item.voice, item.style, item.wav_path)


def _claim_folder(out: Path, language: str, speakers: int, seed: int, first_speaker: int, version: str) -> None:
    """Record the settings in ``out/synth.json``, refusing a folder made with other settings.

    Wavs are reused by name on a re-run, so mixing settings would pair old audio with new text.
    """
    settings = {
        "generator_version": GENERATOR_VERSION,
        "language": language,
        "speakers": speakers,
        "seed": seed,
        "first_speaker": first_speaker,
    }
    path = out / SETTINGS
    if path.is_file():
        try:
            previous = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise TTSError(f"{path}: unreadable ({exc.msg}); delete {out} or choose another --out") from exc
        changed = {k: (previous.get(k), v) for k, v in settings.items() if previous.get(k) != v}
        if changed:
            details = ", ".join(f"{k} {old!r} -> {new!r}" for k, (old, new) in changed.items())
            raise TTSError(
                f"{out} holds a synthetic corpus made with other settings ({details}); "
                "choose another --out, or delete the folder to start again"
            )
        if previous.get("espeak_ng") != version:
            log.warning("%s was started with %s; now using %s", out, previous.get("espeak_ng"), version)
    elif out.is_dir() and any(out.iterdir()):
        raise TTSError(f"{out} is not empty and holds no {SETTINGS}; choose an empty or new --out folder")
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps({**settings, "espeak_ng": version}, indent=2) + "\n")
