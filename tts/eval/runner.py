"""``tts eval``'s driver: a voice scored on the sentences of each of its languages, and its vocoders
on copy synthesis."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from base.errors import TTSError
from tts.eval.identification import (
    ID_CEPS,
    ID_DELTA_SPAN,
    audio_features,
    calibrate_identification,
    distance_matrix,
    identification_features,
    identify,
)
from tts.eval.metrics import (
    N_CEPS,
    PESQ_RATE,
    VOCODER_SEED,
    WAVEGLOW_SIGMA,
    as_mel_array,
    copy_synthesis_scores,
    mcd_dtw,
    mean_frame_baseline,
)
from tts.eval.references import (
    HELD_OUT_SEED,
    HELD_OUT_SENTENCES,
    Reference,
    held_out_sentences,
    make_references,
    reference_style,
    training_texts,
)
from tts.griffinlim import ITERATIONS, griffin_lim
from tts.postfilter import postfilter

log = logging.getLogger(__name__)

SENTENCE_SETS = ("unseen", "heldout")


class EvalObserver(Protocol):
    """What an evaluation hands on besides its scores: the audio it scored (``tts report`` keeps
    it). Calls come in the order of the references, per language."""

    def sentence(
        self, language: str, reference: Reference, mel: np.ndarray, stopped: bool, audio: Mapping[str, np.ndarray]
    ) -> None:
        """The voice's mel of ``reference`` (as the acoustic model predicted it), whether the gate
        ended it, and its audio by vocoder kind (the mel postfiltered, as synthesis speaks it)."""
        ...

    def copy_synthesis(
        self, language: str, reference: Reference, kind: str, audio: np.ndarray, scores: Mapping[str, float] | None
    ) -> None:
        """The reference mel vocoded by ``kind``, and its PESQ and STOI (None: not scorable)."""
        ...


# -- the driver ---------------------------------------------------------------------------------


def evaluate_voice(
    voice: Any,
    languages: Sequence[str] | None = None,
    sentences: int | None = None,
    workdir: str | Path | None = None,
    progress: bool = True,
    speaker: int = 0,
    data_dir: str | Path | None = None,
    corpus: str | Path | None = None,
    style: int | None = None,
    vocoder_sentences: int | None = None,
    seed: int = HELD_OUT_SEED,
    batch_size: int = 8,
    compare: Mapping[str, Any] | None = None,
    acoustic: bool = True,
    sentence_set: str = "unseen",
    calibrate: bool = False,
    identification: bool = True,
    observer: EvalObserver | None = None,
) -> dict[str, Any]:
    """Evaluate ``voice`` (a :class:`tts.voice.Voice`) on sentences it never saw (module docstring).

    Args:
        voice: the loaded voice (``mel``, ``vocode``, ``vocoder_kind``, ``manifest``, ``mel_config``, ...).
        languages: languages to evaluate; default every language the voice speaks.
        sentences: sentences per language: the first ``sentences`` of the unseen set (default
            all of them), or that many held-out phrasebook sentences (default 50).
        workdir: where references are cached (default: a temporary folder, deleted after).
        speaker: the voice's speaker index to synthesize with.
        data_dir: the prepared training data: the baseline's mean frame when ``voice.json``
            records none, its transcripts are excluded, its trim settings are used.
            Default: ``training.data_dir`` of ``voice.json`` when that folder exists.
        corpus: the training corpus (``manifest.tsv``) whose transcripts to exclude. Default:
            ``<data_dir>/../corpus/manifest.tsv``, else ``data/<voice name>/corpus/manifest.tsv``,
            when it exists.
        style: espeak-ng speaker style of the references; default the one matching the voice's
            speaker name (a synthetic corpus speaker), else 0.
        vocoder_sentences: how many of the first language's references the vocoders copy-
            synthesize (default all of them). The vocoder comparison is done once per voice, on
            the first language: a vocoder never sees the text.
        seed: seed of the held-out sentences (training corpora use 0); the unseen set has none.
        compare: more vocoders to copy-synthesize the same references with, by name: voices
            that differ from ``voice`` only in their WaveGlow (:meth:`tts.voice.Voice.with_vocoder`).
        acoustic: score the acoustic model (MCD, identification, gate stops); False scores the
            vocoders alone, on references of the first language only.
        sentence_set: ``"unseen"`` (:mod:`tts.evalsets`, written for evaluation) or ``"heldout"``
            (phrasebook sentences outside the training transcripts).
        calibrate: also identify outputs of known quality (:func:`calibrate_identification`)
            in each evaluated language.
        identification: identify the voice's sentences (needs two or more per language); False
            leaves ``identification`` empty and lets ``sentences`` be 1.
        observer: given the audio that is scored (:class:`EvalObserver`).

    Returns:
        ``{"voice", "path", "settings", "languages": {lang: {...}}, "vocoder": {...},
        "seconds"}``, and ``"calibration": {lang: {...}}`` with ``calibrate``; ``vocoder`` holds
        ``waveglow`` and ``griffinlim`` and, with ``compare``, ``compared`` (name -> the same
        scores).
    """
    import tempfile

    started = time.monotonic()
    if sentence_set not in SENTENCE_SETS:
        raise TTSError(f"unknown sentence set {sentence_set!r}; choose one of {', '.join(SENTENCE_SETS)}")
    identifying = acoustic and identification
    if sentences is not None and sentences < (2 if identifying else 1):
        # Identification picks each output's sentence among the language's sentences.
        raise TTSError(
            f"--sentences must be at least {2 if identifying else 1}"
            f"{' (identification picks among them)' if identifying else ''}, got {sentences}"
        )
    if sentence_set == "heldout" and sentences is None:
        sentences = HELD_OUT_SENTENCES
    manifest = voice.manifest
    name = getattr(voice, "name", None) or manifest.name
    codes = _languages(voice, languages, sentence_set)
    if not acoustic:
        codes = codes[:1]
    data_dir = _data_dir(manifest, data_dir)
    corpus = _corpus(name, data_dir, corpus)
    mean_frame, baseline_source = _mean_frame(manifest, data_dir, voice.mel_config.n_mel_channels)
    trim = _trim_config(data_dir)
    raw_exclude, normalized_exclude = training_texts(corpus, data_dir)
    if not raw_exclude and not normalized_exclude:
        log.warning(
            "no training transcripts found (pass --corpus or --data-dir): %s",
            "held-out sentences may include training sentences"
            if sentence_set == "heldout"
            else "cannot check that the unseen sentences were not trained on",
        )
    from tts.corpora.synthetic import AMPLITUDE, SPEAKER_STYLES, espeak_version
    from tts.evalsets import UNSEEN_SET

    style_index = reference_style(voice, speaker) if style is None else style
    if not 0 <= style_index < len(SPEAKER_STYLES):
        raise TTSError(f"--style must be between 0 and {len(SPEAKER_STYLES) - 1}, got {style_index}")
    default_vocoder = getattr(voice, "vocoder_kind", "waveglow")

    settings = {
        "set": UNSEEN_SET if sentence_set == "unseen" else "heldout",
        "sentences": sentences if sentences is not None else "all",
        "sentence_seed": seed if sentence_set == "heldout" else None,
        "speaker": speaker,
        "excluded": {
            "corpus": str(corpus) if corpus else None,
            "data_dir": str(data_dir) if data_dir else None,
            "transcripts": len(raw_exclude),
            "normalized_transcripts": len(normalized_exclude),
        },
        "reference": {
            "engine": espeak_version(),
            "style": style_index,
            "variant": SPEAKER_STYLES[style_index].variant,
            "pitch": SPEAKER_STYLES[style_index].pitch,
            "rate": SPEAKER_STYLES[style_index].rate,
            "amplitude": AMPLITUDE,
            "trim_top_db": trim.trim_top_db,
            "trim_margin": trim.trim_margin,
        },
        "mcd": {
            "n_ceps": N_CEPS,
            "c0": "excluded",
            "cepstrum": "orthonormal DCT-II of the natural-log mel",
            "alignment": "DTW (librosa.sequence.dtw), mean over the path",
        },
        "identification": {
            "features": f"c1-c{ID_CEPS} of the log-mel of the trimmed audio, utterance mean removed, "
            f"and their deltas (+-{ID_DELTA_SPAN} frames)",
            "distance": "DTW, steps (1,1) x2, (1,0), (0,1); accumulated Euclidean cost / (frames + frames - 1)",
            "identified": "the right reference is strictly the nearest of the language's references",
            "right_wrong_ratio": "mean over sentences of distance to the right reference / mean distance "
            "to the wrong ones",
            "vocoders": _identification_vocoders(default_vocoder),
        },
        "default_vocoder": default_vocoder,
        "baseline": {"source": baseline_source},
        "mel_config": voice.mel_config.to_dict(),
        "waveglow": {"sigma": WAVEGLOW_SIGMA, "seed": VOCODER_SEED, "denoise": 0.0},
        "griffinlim": {"n_iter": ITERATIONS, "seed": VOCODER_SEED},
        "postfilter": float(getattr(voice, "postfilter", 1.0)),
        "pesq": f"wide-band, references and outputs resampled to {PESQ_RATE} Hz (soxr HQ)",
        "stoi": "classic (extended=False) at the voice's sample rate",
    }
    result: dict[str, Any] = {
        "voice": name,
        "path": _shown_path(getattr(voice, "path", "")),
        "settings": settings,
        "languages": {},
    }
    if calibrate:
        result["calibration"] = {}
    with tempfile.TemporaryDirectory(prefix="tts-eval-") as scratch:
        folder = Path(workdir) if workdir is not None else Path(scratch)
        first_references: tuple[str, list[Reference]] | None = None
        for code in codes:
            texts = _sentences(sentence_set, code, sentences, seed, raw_exclude, normalized_exclude)
            references = make_references(texts, code, voice.mel_config, folder, style_index, trim, progress)
            if acoustic:
                result["languages"][code] = _score_language(
                    voice, code, references, mean_frame, speaker, batch_size, progress, trim, identification, observer
                )
                if sentence_set == "unseen":
                    result["languages"][code]["in_training"] = _trained_on(code, texts, raw_exclude, normalized_exclude)
            if calibrate:
                result["calibration"][code] = calibrate_identification(
                    references, mean_frame, voice.mel_config, trim, progress
                )
            if first_references is None:
                first_references = (code, references)
        assert first_references is not None  # _languages gives at least one language
        code, references = first_references
        result["vocoder"] = _score_vocoders(
            voice, code, references[:vocoder_sentences], progress, compare or {}, observer
        )
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


def _sentences(
    sentence_set: str, language: str, count: int | None, seed: int, raw_exclude: set[str], normalized_exclude: set[str]
) -> list[str]:
    """The evaluation sentences of ``language``: the first ``count`` of the unseen set, or
    ``count`` held-out phrasebook sentences."""
    if sentence_set == "heldout":
        return held_out_sentences(
            language, HELD_OUT_SENTENCES if count is None else count, raw_exclude, seed, normalized_exclude
        )
    from tts.evalsets import UNSEEN_SET, unseen_sentences

    texts = unseen_sentences(language)
    if count is not None and count > len(texts):
        raise TTSError(
            f"--sentences {count}: the {UNSEEN_SET} set has {len(texts)} {language} sentences; "
            f"ask for at most {len(texts)}"
        )
    return texts[:count]


def _trained_on(language: str, texts: Sequence[str], raw: set[str], normalized: set[str]) -> int:
    """How many of the unseen ``texts`` are among the training transcripts (should be none):
    a voice trained on them would be scored on sentences it has learned."""
    import text

    found = sum(t in raw or text.normalize(t, language) in normalized for t in texts)
    if found:
        log.warning(
            "%d of the %d unseen %s sentences are in the voice's training transcripts: its scores "
            "overstate how it reads new text",
            found,
            len(texts),
            language,
        )
    return found


def _identification_vocoders(default_vocoder: str) -> list[str]:
    """The vocoders whose audio is identified: the voice's default, then Griffin-Lim (once, when
    it is the default)."""
    return [default_vocoder] if default_vocoder == "griffinlim" else [default_vocoder, "griffinlim"]


def _score_language(
    voice: Any,
    language: str,
    references: list[Reference],
    mean_frame: np.ndarray,
    speaker: int,
    batch_size: int,
    progress: bool,
    trim: Any,
    identification: bool = True,
    observer: EvalObserver | None = None,
) -> dict[str, Any]:
    """MCD, gate stops and sentence identification (per vocoder) of the voice on ``references``."""
    from tqdm import tqdm

    vocoders: dict[str, Callable[[np.ndarray], np.ndarray]] = {}
    for kind in _identification_vocoders(getattr(voice, "vocoder_kind", "waveglow")):
        if kind == "griffinlim":
            vocoders[kind] = lambda mel: griffin_lim(mel, voice.mel_config, n_iter=ITERATIONS, seed=VOCODER_SEED)
        else:
            vocoders[kind] = lambda mel: voice.vocode(mel, sigma=WAVEGLOW_SIGMA, seed=VOCODER_SEED)
    items: list[dict[str, Any]] = []
    # The features of the audio to identify, per vocoder (none: no identification).
    features: dict[str, list[np.ndarray]] = {kind: [] for kind in vocoders} if identification else {}
    with tqdm(total=len(references), desc=f"synthesis {language}", unit="sentence", disable=not progress) as bar:
        for first in range(0, len(references), batch_size):
            batch = references[first : first + batch_size]
            outputs = voice.mel([r.normalized for r in batch], language, speaker)
            for reference, (mel, stopped) in zip(batch, outputs):
                mel = as_mel_array(mel, "voice mel")
                baseline = mean_frame_baseline(mean_frame, reference.mel.shape[1])
                items.append(
                    {
                        "text": reference.text,
                        "normalized": reference.normalized,
                        "mcd_voice": round(mcd_dtw(mel, reference.mel), 4),
                        "mcd_baseline": round(mcd_dtw(baseline, reference.mel), 4),
                        "stopped_by_gate": bool(stopped),
                        "frames": int(mel.shape[1]),
                        "reference_frames": int(reference.mel.shape[1]),
                    }
                )
                # Identified is what the voice says: its mel postfiltered as synthesis does (the
                # MCD above is the acoustic model's own prediction).
                spoken = postfilter(mel, getattr(voice, "postfilter", 1.0))
                audio = {kind: vocode(spoken) for kind, vocode in vocoders.items()}
                if observer is not None:
                    observer.sentence(language, reference, mel, bool(stopped), audio)
                for kind, found_features in features.items():
                    found_features.append(audio_features(audio[kind], voice.mel_config, trim))
                bar.update()
    summaries = {}
    reference_features = [identification_features(r.mel) for r in references] if features else []
    for kind, outputs in features.items():
        found = identify(distance_matrix(outputs, reference_features, progress, desc=f"identification {kind}"))
        summaries[kind] = found.summary()
        for item, identified, rank, ratio in zip(items, found.identified, found.rank, found.right_wrong):
            item.setdefault("identification", {})[kind] = {
                "identified": bool(identified),
                "rank": int(rank),
                "right_wrong": round(float(ratio), 4),
            }
    mcd_voice = float(np.mean([i["mcd_voice"] for i in items]))
    mcd_baseline = float(np.mean([i["mcd_baseline"] for i in items]))
    stopped = sum(i["stopped_by_gate"] for i in items)
    return {
        "sentences": len(items),
        "stopped_by_gate": stopped,
        "hit_limit": len(items) - stopped,
        "mcd_voice": round(mcd_voice, 4),
        "mcd_baseline": round(mcd_baseline, 4),
        "mcd_ratio": round(mcd_voice / mcd_baseline, 4) if mcd_baseline > 0 else None,
        "identification": summaries,
        "items": items,
    }


def _score_vocoders(
    voice: Any,
    language: str,
    references: list[Reference],
    progress: bool,
    compare: Mapping[str, Any],
    observer: EvalObserver | None = None,
) -> dict[str, Any]:
    """Copy synthesis of ``references`` by the voice's WaveGlow, Griffin-Lim and the voices of
    ``compare``; every WaveGlow with the same latent noise."""
    from tqdm import tqdm

    def waveglow(v: Any) -> Callable[[Reference], np.ndarray]:
        if v.vocoder_kind != "waveglow":  # a voice that defaults to Griffin-Lim
            v = v.using("waveglow")
        return lambda ref: v.vocode(ref.mel, sigma=WAVEGLOW_SIGMA, seed=VOCODER_SEED)

    vocoders: dict[str, Callable[[Reference], np.ndarray]] = {
        "waveglow": waveglow(voice),
        "griffinlim": lambda ref: griffin_lim(ref.mel, voice.mel_config, n_iter=ITERATIONS, seed=VOCODER_SEED),
    }
    vocoders.update({f"compared:{name}": waveglow(v) for name, v in compare.items()})
    rate = voice.sample_rate
    scores: dict[str, list[dict[str, float]]] = {kind: [] for kind in vocoders}
    failures: dict[str, list[str]] = {kind: [] for kind in vocoders}
    for reference in tqdm(references, desc="copy synthesis", unit="sentence", disable=not progress):
        for kind, vocode in vocoders.items():
            generated = vocode(reference)
            scored: dict[str, float] | None = None
            try:
                scores[kind].append(copy_synthesis_scores(reference.audio, generated, rate))
                scored = scores[kind][-1]
            except TTSError as exc:
                failures[kind].append(f"{reference.text[:40]!r}: {exc}")
            if observer is not None:
                observer.copy_synthesis(language, reference, kind, generated, scored)

    def summary(kind: str) -> dict[str, Any]:
        done = scores[kind]
        return {
            "pesq": round(float(np.mean([s["pesq"] for s in done])), 4) if done else None,
            "stoi": round(float(np.mean([s["stoi"] for s in done])), 4) if done else None,
            "scored": len(done),
            "failed": failures[kind][:5],
        }

    result: dict[str, Any] = {
        "language": language,
        "sentences": len(references),
        "waveglow": summary("waveglow"),
        "griffinlim": summary("griffinlim"),
    }
    if compare:
        result["compared"] = {name: summary(f"compared:{name}") for name in compare}
    return result


def _shown_path(path: str | os.PathLike) -> str:
    """``path`` relative to the working directory when it lies inside it: results files then
    name the voice the same way on every machine."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _languages(voice: Any, languages: Sequence[str] | None, sentence_set: str) -> list[str]:
    from tts.corpora.sentences import languages as phrasebook_languages
    from tts.corpora.synthetic import VOICES
    from tts.evalsets import UNSEEN_LANGUAGES, UNSEEN_SET

    spoken = list(getattr(voice, "languages", None) or voice.manifest.languages)
    if not languages:
        codes = spoken
    else:
        codes = []
        for language in languages:
            code = voice.text_processor.language(language)  # resolves aliases; TTSError if not spoken
            if code not in codes:
                codes.append(code)
    available = UNSEEN_LANGUAGES if sentence_set == "unseen" else phrasebook_languages()
    what = f"{UNSEEN_SET} sentences" if sentence_set == "unseen" else "held-out sentences"
    unsupported = [c for c in codes if c not in available or c not in VOICES]
    if unsupported:
        raise TTSError(
            f"cannot evaluate {', '.join(unsupported)}: {what} and espeak-ng references "
            f"exist for {', '.join(c for c in available if c in VOICES)} only"
        )
    return codes


def _data_dir(manifest: Any, data_dir: str | Path | None) -> Path | None:
    if data_dir is not None:
        data_dir = Path(data_dir)
        if not (data_dir / "train.tsv").is_file():
            raise TTSError(f"{data_dir}: not a prepared data directory (no train.tsv); run `tts prepare` first")
        return data_dir
    recorded = (manifest.training or {}).get("data_dir")
    if recorded and (Path(recorded) / "train.tsv").is_file():
        return Path(recorded)
    return None


def _corpus(name: str, data_dir: Path | None, corpus: str | Path | None) -> Path | None:
    if corpus is not None:
        corpus = Path(corpus)
        if corpus.is_dir():
            corpus = corpus / "manifest.tsv"
        if not corpus.is_file():
            raise TTSError(f"{corpus}: no such corpus manifest")
        return corpus
    candidates = ([data_dir.parent / "corpus" / "manifest.tsv"] if data_dir else []) + [
        Path("data") / name / "corpus" / "manifest.tsv"
    ]
    return next((c for c in candidates if c.is_file()), None)


def _mean_frame(manifest: Any, data_dir: Path | None, n_mel: int) -> tuple[np.ndarray, str]:
    recorded = (manifest.training or {}).get("mel_mean")
    if recorded is not None:
        mean, source = np.asarray(recorded, dtype=np.float64), "voice.json training.mel_mean"
    elif data_dir is not None:
        from tts.bundle import mean_mel_frame

        mean, source = np.asarray(mean_mel_frame(data_dir), dtype=np.float64), f"mean frame of {data_dir}/train.tsv"
    else:
        raise TTSError(
            f"voice {manifest.name!r} records no mean mel frame (training.mel_mean) for the baseline; "
            "pass --data-dir with its prepared training data"
        )
    if mean.shape != (n_mel,):
        raise TTSError(f"the baseline's mean frame ({source}) has {mean.size} values, the voice's mels {n_mel}")
    return mean, source


def _trim_config(data_dir: Path | None) -> Any:
    """The training data's trim settings (``prepare.json``), else ``tts prepare``'s defaults."""
    from tts.prepare import PrepareConfig

    if data_dir is not None and (data_dir / "prepare.json").is_file():
        try:
            values = json.loads((data_dir / "prepare.json").read_text(encoding="utf-8"))["prepare_config"]
            return PrepareConfig.from_dict(values)
        except (KeyError, TypeError, ValueError, json.JSONDecodeError):
            log.warning("%s: unreadable prepare settings; trimming with the defaults", data_dir / "prepare.json")
    return PrepareConfig()
