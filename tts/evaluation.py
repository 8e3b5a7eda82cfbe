"""Objective evaluation of a voice against espeak-ng references (``tts eval``).

The synthetic corpora are spoken by espeak-ng, so espeak-ng's own rendering of a sentence the
voice never saw is the speech the voice should reproduce. For held-out sentences of each
language this module measures:

* **MCD** (mel-cepstral distortion, dB) between the voice's mel and the reference mel, aligned by
  DTW: the acoustic model's error. It is compared with a **baseline** that knows nothing of the
  text: the training set's mean log-mel frame repeated for the reference's length. A voice that
  learned anything scores well below it (``mcd_ratio`` < 1).
* **Copy synthesis** (the vocoder alone): the reference mels are vocoded with WaveGlow and with
  Griffin-Lim (:mod:`tts.griffinlim`) and compared with the reference audio by wide-band PESQ
  (1-4.5) and STOI (0-1).

The cepstrum here is the real cepstrum of the natural-log mel frame, scaled as a cepstrum is
(``log X(w) = c0 + sum_d c_d cos(d w)`` over the mel axis), so MCD values fall in the range
papers report (a few dB); it is computed from the model's own features, not SPTK's
mel-generalized cepstrum of a WORLD envelope, so compare voices evaluated with this module with
each other rather than with published figures.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Collection, Mapping, Sequence

import numpy as np

from tts.errors import TTSError

log = logging.getLogger(__name__)

MCD_CONSTANT = 10.0 / math.log(10.0)  # dB per neper, times sqrt(2) below
N_CEPS = 25
HELD_OUT_SEED = 1000  # the training corpora are generated with seed 0
WAVEGLOW_SIGMA = 0.666
VOCODER_SEED = 0
GRIFFIN_LIM_ITERS = 32
PESQ_RATE = 16000
EVAL_EXTRA_HINT = "install the evaluation extras: pip install 'swaratts[eval]'"


# -- metrics ------------------------------------------------------------------------------------


def mel_cepstrum(log_mel: np.ndarray, n_ceps: int = N_CEPS) -> np.ndarray:
    """Cepstral coefficients of each frame: ``c_d = (2 / n_mel) * sum_k log_mel_k cos(pi d (k + 1/2) / n_mel)``,
    the DCT-II over the mel axis scaled so that ``log_mel = c0 / 2 + sum_d c_d cos(...)``.

    Args:
        log_mel: ``[n_mel, frames]`` natural-log mel spectrogram.
        n_ceps: coefficients kept (``c0`` .. ``c{n_ceps-1}``), at most ``n_mel``.

    Returns:
        ``[n_ceps, frames]`` float64.
    """
    from scipy.fft import dct

    log_mel = _as_mel(log_mel, "log_mel")
    if not 1 <= n_ceps <= log_mel.shape[0]:
        raise ValueError(f"n_ceps must be between 1 and n_mel ({log_mel.shape[0]}), got {n_ceps}")
    return dct(log_mel, type=2, axis=0)[:n_ceps] / log_mel.shape[0]


def cepstral_distances(ceps_a: np.ndarray, ceps_b: np.ndarray) -> np.ndarray:
    """MCD in dB of every pair of frames: ``[frames_a, frames_b]``, ``c0`` excluded.

    ``(10 / ln 10) * sqrt(2 * sum_{d >= 1} (a_d - b_d)^2)``.
    """
    from scipy.spatial.distance import cdist

    return MCD_CONSTANT * math.sqrt(2.0) * cdist(ceps_a[1:].T, ceps_b[1:].T, metric="euclidean")


def mcd_aligned(log_mel_a: np.ndarray, log_mel_b: np.ndarray, n_ceps: int = N_CEPS) -> float:
    """MCD (dB) of two equally long mels frame by frame, without alignment (``c0`` excluded)."""
    a, b = _as_mel(log_mel_a, "log_mel_a"), _as_mel(log_mel_b, "log_mel_b")
    if a.shape != b.shape:
        raise ValueError(f"mcd_aligned needs equal shapes, got {a.shape} and {b.shape}; use mcd_dtw")
    diff = mel_cepstrum(a, n_ceps)[1:] - mel_cepstrum(b, n_ceps)[1:]
    return float(np.mean(MCD_CONSTANT * np.sqrt(2.0 * (diff * diff).sum(0))))


def mcd_dtw(log_mel_a: np.ndarray, log_mel_b: np.ndarray, n_ceps: int = N_CEPS) -> float:
    """Mel-cepstral distortion (dB) of two log-mels of any lengths, aligned by DTW.

    Frames are matched by dynamic time warping (steps (1,1), (1,0), (0,1), equal weights) on the
    per-frame MCD of coefficients ``1..n_ceps-1``; the result is the mean MCD over the warping
    path. ``c0`` (overall level) is excluded, so a gain change alone costs nothing. Symmetric.
    """
    import librosa

    a, b = _as_mel(log_mel_a, "log_mel_a"), _as_mel(log_mel_b, "log_mel_b")
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"the mels have different mel channels: {a.shape[0]} and {b.shape[0]}")
    if a.shape[1] == 0 or b.shape[1] == 0:
        raise ValueError("cannot compare an empty mel (0 frames)")
    cost = cepstral_distances(mel_cepstrum(a, n_ceps), mel_cepstrum(b, n_ceps))
    _, path = librosa.sequence.dtw(C=cost, backtrack=True)
    return float(cost[path[:, 0], path[:, 1]].mean())


def mean_frame_baseline(mean_frame: Sequence[float] | np.ndarray, frames: int) -> np.ndarray:
    """The text-blind baseline: ``mean_frame`` ``[n_mel]`` repeated ``frames`` times ``[n_mel, frames]``."""
    mean = np.asarray(mean_frame, dtype=np.float64)
    if mean.ndim != 1 or mean.size == 0:
        raise ValueError(f"mean_frame must be a non-empty [n_mel] vector, got shape {mean.shape}")
    if frames < 1:
        raise ValueError(f"frames must be at least 1, got {frames}")
    return np.repeat(mean[:, None], frames, axis=1)


def copy_synthesis_scores(reference_audio: Any, generated_audio: Any, sample_rate: int) -> dict[str, float]:
    """PESQ (wide-band, at 16 kHz) and STOI of ``generated_audio`` against ``reference_audio``.

    Both are cut to the shorter of the two first (vocoders return ``frames * hop`` samples).

    Returns:
        ``{"pesq": 1.0-4.64, "stoi": 0-1}``.

    Raises:
        TTSError: the packages are missing, or the pair cannot be scored (too short, silent,
            non-finite samples, no speech found by PESQ).
    """
    try:
        import pesq as pesq_module
        import pystoi
        import soxr
    except ImportError as exc:
        raise TTSError(f"copy-synthesis scores need pesq, pystoi and soxr ({exc}); {EVAL_EXTRA_HINT}") from None
    reference = _as_audio(reference_audio, "reference_audio")
    generated = _as_audio(generated_audio, "generated_audio")
    n = min(reference.size, generated.size)
    reference, generated = reference[:n], generated[:n]
    if n < sample_rate // 4:
        raise TTSError(f"audio too short to score: {n} samples ({n / sample_rate:.2f} s); need at least 0.25 s")
    for audio, what in ((reference, "reference"), (generated, "generated")):
        if not np.isfinite(audio).all():
            raise TTSError(f"the {what} audio holds NaN or infinite samples")
        if not np.any(audio):
            raise TTSError(f"the {what} audio is silent (all zeros): PESQ cannot score it")
    if sample_rate != PESQ_RATE:
        ref16 = soxr.resample(reference, sample_rate, PESQ_RATE, quality="HQ")
        deg16 = soxr.resample(generated, sample_rate, PESQ_RATE, quality="HQ")
    else:
        ref16, deg16 = reference, generated
    try:
        pesq_score = float(pesq_module.pesq(PESQ_RATE, ref16.astype(np.float64), deg16.astype(np.float64), "wb"))
    except pesq_module.NoUtterancesError:
        raise TTSError("PESQ found no speech in the reference audio") from None
    except pesq_module.PesqError as exc:
        raise TTSError(f"PESQ cannot score this audio: {type(exc).__name__}: {exc}") from None
    stoi_score = float(pystoi.stoi(reference, generated, sample_rate, extended=False))
    return {"pesq": pesq_score, "stoi": stoi_score}


def _as_mel(mel: Any, name: str) -> np.ndarray:
    if hasattr(mel, "detach"):
        mel = mel.detach().float().cpu().numpy()
    mel = np.asarray(mel, dtype=np.float64)
    if mel.ndim != 2:
        raise ValueError(f"{name} must be [n_mel, frames], got shape {mel.shape}")
    return mel


def _as_audio(audio: Any, name: str) -> np.ndarray:
    if hasattr(audio, "detach"):
        audio = audio.detach().float().cpu().numpy()
    audio = np.asarray(audio, dtype=np.float64)
    if audio.ndim != 1:
        raise ValueError(f"{name} must be mono [T], got shape {audio.shape}")
    return audio


# -- held-out sentences and their references -----------------------------------------------------


def held_out_sentences(language: str, count: int, exclude: Collection[str], seed: int = HELD_OUT_SEED,
                       normalized_exclude: Collection[str] = ()) -> list[str]:
    """``count`` phrasebook sentences of ``language`` (as typed) that are not in ``exclude``.

    They are the first sentences of ``generate_sentences(language, n, seed)`` whose text is not
    in ``exclude`` (the training transcripts) and, when ``normalized_exclude`` is given, whose
    normalization (``text.normalize``) is not in it either (the normalized texts of a prepared
    training set). The same arguments give the same sentences.

    Raises:
        TTSError: unknown language, or the phrasebook has fewer than ``count`` sentences left.
    """
    import text
    from tts.corpora.sentences import generate_sentences, languages

    if language not in languages():
        raise TTSError(f"no sentences for language {language!r}; choose one of {', '.join(languages())}")
    if count < 1:
        raise TTSError(f"the number of sentences must be at least 1, got {count}")
    exclude = set(exclude)
    normalized_exclude = set(normalized_exclude)
    verdicts: dict[str, bool] = {}

    def keep(sentence_text: str) -> bool:
        if sentence_text not in verdicts:
            verdicts[sentence_text] = sentence_text not in exclude and (
                not normalized_exclude or text.normalize(sentence_text, language) not in normalized_exclude)
        return verdicts[sentence_text]

    # The first n sentences do not depend on how many are asked for, so growing n only extends
    # the list; count + |exclude| always suffices, if the phrasebook can make that many.
    limit = count + len(exclude) + len(normalized_exclude)
    n, kept = min(limit, 2 * count + 20), []
    while True:
        try:
            candidates = generate_sentences(language, n, seed)
        except TTSError:  # the phrasebook cannot make n distinct sentences
            break
        kept = [s.text for s in candidates if keep(s.text)]
        if len(kept) >= count or n >= limit:
            break
        n = min(limit, 2 * n)
    if len(kept) < count:
        raise TTSError(f"the {language} phrasebook cannot give {count} sentences outside the training set "
                       f"({len(kept)} found); ask for fewer with --sentences")
    return kept[:count]


def training_texts(corpus: str | Path | None = None, data_dir: str | Path | None = None) -> tuple[set[str], set[str]]:
    """Transcripts a voice was trained on: raw ones from a ``manifest`` corpus and normalized ones
    from a prepared directory (``train.tsv`` and ``val.tsv``). Returns ``(raw, normalized)``."""
    raw: set[str] = set()
    normalized: set[str] = set()
    if corpus is not None:
        from tts.corpora import read_corpus

        result = read_corpus("manifest", str(corpus))
        raw.update(u.text for u in result.utterances)
    if data_dir is not None:
        from tts.training.data import read_split

        for split in ("train", "val"):
            if (Path(data_dir) / f"{split}.tsv").is_file():
                normalized.update(item.text for item in read_split(data_dir, split))
    return raw, normalized


@dataclass(frozen=True)
class Reference:
    """A held-out sentence and espeak-ng's rendering of it, trimmed like training audio."""

    text: str  # as typed
    normalized: str  # what the voice reads and espeak-ng speaks
    wav: Path  # the cached, untrimmed espeak-ng output
    audio: np.ndarray  # trimmed, float32 [T]
    mel: np.ndarray  # [n_mel, frames] of the trimmed audio


def make_references(sentences: Sequence[str], language: str, mel_config: Any, workdir: str | Path,
                    style_index: int = 0, trim: Any = None, progress: bool = False) -> list[Reference]:
    """espeak-ng's rendering of each sentence, made as the synthetic corpus makes its clips.

    The voice is ``VOICES[language]`` with ``SPEAKER_STYLES[style_index]``; the text spoken is
    ``text.normalize(sentence, language)``. Wavs are cached in ``workdir/references`` by their
    settings and text, so a second evaluation speaks nothing again. The audio is trimmed like
    ``tts prepare`` trims training clips (``trim``: a :class:`tts.prepare.PrepareConfig`).
    """
    import text
    from tqdm import tqdm

    from tts.audio import load_wav, mel_spectrogram
    from tts.corpora.synthetic import AMPLITUDE, SPEAKER_STYLES, VOICES, find_espeak, speak
    from tts.prepare import PrepareConfig, _trim

    if language not in VOICES:
        raise TTSError(f"no espeak-ng reference voice for language {language!r}; choose one of {', '.join(VOICES)}")
    if not 0 <= style_index < len(SPEAKER_STYLES):
        raise TTSError(f"reference style must be between 0 and {len(SPEAKER_STYLES) - 1}, got {style_index}")
    trim = trim or PrepareConfig()
    binary = find_espeak()
    style, espeak_voice = SPEAKER_STYLES[style_index], VOICES[language]
    folder = Path(workdir) / "references" / language / f"{style.name(espeak_voice)}_a{AMPLITUDE}"
    folder.mkdir(parents=True, exist_ok=True)
    references = []
    for sentence in tqdm(sentences, desc=f"references {language}", unit="sentence", disable=not progress):
        spoken = text.normalize(sentence, language)
        wav = folder / f"{hashlib.sha1(spoken.encode('utf-8')).hexdigest()[:20]}.wav"
        if not wav.is_file():
            # Spoken to a file of this process's own, then renamed: evaluations sharing a
            # workdir never read each other's half-written references.
            tmp = wav.with_name(f".{wav.stem}.{os.getpid()}.wav")
            speak(binary, spoken, espeak_voice, style, tmp)
            os.replace(tmp, wav)
        audio = _trim(load_wav(wav, mel_config.sampling_rate), mel_config.sampling_rate, trim)
        mel = mel_spectrogram(audio, mel_config).numpy()
        references.append(Reference(sentence, spoken, wav, audio.numpy(), mel))
    return references


def reference_style(voice: Any, speaker: int) -> int:
    """The espeak-ng speaker style that spoke the voice's speaker ``speaker`` in its synthetic
    corpus (matched by the speaker's name, e.g. ``hi_f3_p65_s150``); 0 when it is not one."""
    from tts.corpora.synthetic import SPEAKER_STYLES

    speakers = list(getattr(voice, "speakers", None) or getattr(voice.manifest, "speakers", []) or [])
    if 0 <= speaker < len(speakers):
        name = str(speakers[speaker])
        for index, style in enumerate(SPEAKER_STYLES):
            if name.endswith("_" + style.name("x").split("_", 1)[1]):
                return index
    return 0


# -- the driver ---------------------------------------------------------------------------------


def evaluate_voice(
    voice: Any,
    languages: Sequence[str] | None = None,
    sentences: int = 50,
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
) -> dict[str, Any]:
    """Evaluate ``voice`` (a :class:`tts.voice.Voice`) on held-out sentences (module docstring).

    Args:
        voice: the loaded voice (``mel``, ``vocode``, ``manifest``, ``mel_config``, ...).
        languages: languages to evaluate; default every language the voice speaks.
        sentences: held-out sentences per language.
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
        seed: seed of the held-out sentences (training corpora use 0).
        compare: more vocoders to copy-synthesize the same references with, by name: voices
            that differ from ``voice`` only in their WaveGlow (:meth:`tts.voice.Voice.with_vocoder`).
        acoustic: score the acoustic model (MCD, gate stops); False scores the vocoders alone,
            on references of the first language only.

    Returns:
        ``{"voice", "settings", "languages": {lang: {...}}, "vocoder": {...}, "seconds"}``;
        ``vocoder`` holds ``waveglow`` and ``griffinlim`` and, with ``compare``, ``compared``
        (name -> the same scores).
    """
    import tempfile

    started = time.monotonic()
    if sentences < 1:
        raise TTSError(f"--sentences must be at least 1, got {sentences}")
    manifest = voice.manifest
    name = getattr(voice, "name", None) or manifest.name
    codes = _languages(voice, languages)
    if not acoustic:
        codes = codes[:1]
    data_dir = _data_dir(manifest, data_dir)
    corpus = _corpus(name, data_dir, corpus)
    mean_frame, baseline_source = _mean_frame(manifest, data_dir, voice.mel_config.n_mel_channels)
    trim = _trim_config(data_dir)
    raw_exclude, normalized_exclude = training_texts(corpus, data_dir)
    if not raw_exclude and not normalized_exclude:
        log.warning("no training transcripts found (pass --corpus or --data-dir): held-out sentences "
                    "may include training sentences")
    from tts.corpora.synthetic import AMPLITUDE, SPEAKER_STYLES, espeak_version, find_espeak

    style_index = reference_style(voice, speaker) if style is None else style
    if not 0 <= style_index < len(SPEAKER_STYLES):
        raise TTSError(f"--style must be between 0 and {len(SPEAKER_STYLES) - 1}, got {style_index}")

    settings = {
        "sentences": sentences, "sentence_seed": seed, "speaker": speaker,
        "excluded": {"corpus": str(corpus) if corpus else None, "data_dir": str(data_dir) if data_dir else None,
                     "transcripts": len(raw_exclude), "normalized_transcripts": len(normalized_exclude)},
        "reference": {"engine": espeak_version(find_espeak()), "style": style_index,
                      "variant": SPEAKER_STYLES[style_index].variant, "pitch": SPEAKER_STYLES[style_index].pitch,
                      "rate": SPEAKER_STYLES[style_index].rate, "amplitude": AMPLITUDE,
                      "trim_top_db": trim.trim_top_db, "trim_margin": trim.trim_margin},
        "mcd": {"n_ceps": N_CEPS, "c0": "excluded", "cepstrum": "orthonormal DCT-II of the natural-log mel",
                "alignment": "DTW (librosa.sequence.dtw), mean over the path"},
        "baseline": {"source": baseline_source},
        "mel_config": voice.mel_config.to_dict(),
        "waveglow": {"sigma": WAVEGLOW_SIGMA, "seed": VOCODER_SEED, "denoise": 0.0},
        "griffinlim": {"n_iter": GRIFFIN_LIM_ITERS, "seed": VOCODER_SEED},
        "pesq": f"wide-band, references and outputs resampled to {PESQ_RATE} Hz (soxr HQ)",
        "stoi": "classic (extended=False) at the voice's sample rate",
    }
    result: dict[str, Any] = {"voice": name, "path": _shown_path(getattr(voice, "path", "")), "settings": settings,
                              "languages": {}}
    with tempfile.TemporaryDirectory(prefix="tts-eval-") as scratch:
        folder = Path(workdir) if workdir is not None else Path(scratch)
        first_references = None
        for code in codes:
            held_out = held_out_sentences(code, sentences, raw_exclude, seed, normalized_exclude)
            references = make_references(held_out, code, voice.mel_config, folder, style_index, trim, progress)
            if acoustic:
                result["languages"][code] = _score_language(voice, code, references, mean_frame, speaker,
                                                            batch_size, progress)
            if first_references is None:
                first_references = (code, references)
        code, references = first_references
        result["vocoder"] = _score_vocoders(voice, code, references[:vocoder_sentences], progress, compare or {})
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


def _score_language(voice: Any, language: str, references: list[Reference], mean_frame: np.ndarray,
                    speaker: int, batch_size: int, progress: bool) -> dict[str, Any]:
    from tqdm import tqdm

    items = []
    with tqdm(total=len(references), desc=f"mcd {language}", unit="sentence", disable=not progress) as bar:
        for first in range(0, len(references), batch_size):
            batch = references[first: first + batch_size]
            outputs = voice.mel([r.normalized for r in batch], language, speaker)
            for reference, (mel, stopped) in zip(batch, outputs):
                mel = _as_mel(mel, "voice mel")
                baseline = mean_frame_baseline(mean_frame, reference.mel.shape[1])
                items.append({
                    "text": reference.text, "normalized": reference.normalized,
                    "mcd_voice": round(mcd_dtw(mel, reference.mel), 4),
                    "mcd_baseline": round(mcd_dtw(baseline, reference.mel), 4),
                    "stopped_by_gate": bool(stopped), "frames": int(mel.shape[1]),
                    "reference_frames": int(reference.mel.shape[1]),
                })
                bar.update()
    mcd_voice = float(np.mean([i["mcd_voice"] for i in items]))
    mcd_baseline = float(np.mean([i["mcd_baseline"] for i in items]))
    stopped = sum(i["stopped_by_gate"] for i in items)
    return {
        "sentences": len(items), "stopped_by_gate": stopped, "hit_limit": len(items) - stopped,
        "mcd_voice": round(mcd_voice, 4), "mcd_baseline": round(mcd_baseline, 4),
        "mcd_ratio": round(mcd_voice / mcd_baseline, 4) if mcd_baseline > 0 else None,
        "items": items,
    }


def _score_vocoders(voice: Any, language: str, references: list[Reference], progress: bool,
                    compare: Mapping[str, Any]) -> dict[str, Any]:
    """Copy synthesis of ``references`` by the voice's WaveGlow, Griffin-Lim and the voices of
    ``compare``; every WaveGlow with the same latent noise."""
    import torch
    from tqdm import tqdm

    from tts.griffinlim import griffin_lim

    def waveglow(v: Any) -> Callable[[Reference], np.ndarray]:
        return lambda ref: v.vocode(torch.from_numpy(ref.mel.astype(np.float32)), sigma=WAVEGLOW_SIGMA,
                                    seed=VOCODER_SEED)

    vocoders: dict[str, Callable[[Reference], np.ndarray]] = {
        "waveglow": waveglow(voice),
        "griffinlim": lambda ref: griffin_lim(ref.mel, voice.mel_config, n_iter=GRIFFIN_LIM_ITERS, seed=VOCODER_SEED),
    }
    vocoders.update({f"compared:{name}": waveglow(v) for name, v in compare.items()})
    rate = voice.sample_rate
    scores: dict[str, list[dict[str, float]]] = {kind: [] for kind in vocoders}
    failures: dict[str, list[str]] = {kind: [] for kind in vocoders}
    for reference in tqdm(references, desc="copy synthesis", unit="sentence", disable=not progress):
        for kind, vocode in vocoders.items():
            try:
                scores[kind].append(copy_synthesis_scores(reference.audio, vocode(reference), rate))
            except TTSError as exc:
                failures[kind].append(f"{reference.text[:40]!r}: {exc}")

    def summary(kind: str) -> dict[str, Any]:
        done = scores[kind]
        return {
            "pesq": round(float(np.mean([s["pesq"] for s in done])), 4) if done else None,
            "stoi": round(float(np.mean([s["stoi"] for s in done])), 4) if done else None,
            "scored": len(done), "failed": failures[kind][:5],
        }

    result: dict[str, Any] = {"language": language, "sentences": len(references),
                              "waveglow": summary("waveglow"), "griffinlim": summary("griffinlim")}
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


def _languages(voice: Any, languages: Sequence[str] | None) -> list[str]:
    from tts.corpora.sentences import languages as phrasebook_languages
    from tts.corpora.synthetic import VOICES

    spoken = list(getattr(voice, "languages", None) or voice.manifest.languages)
    if not languages:
        codes = spoken
    else:
        codes = []
        for language in languages:
            code = voice.text_processor.language(language)  # resolves aliases; TTSError if not spoken
            if code not in codes:
                codes.append(code)
    unsupported = [c for c in codes if c not in phrasebook_languages() or c not in VOICES]
    if unsupported:
        raise TTSError(f"cannot evaluate {', '.join(unsupported)}: held-out sentences and espeak-ng references "
                       f"exist for {', '.join(c for c in phrasebook_languages() if c in VOICES)} only")
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
    candidates = ([data_dir.parent / "corpus" / "manifest.tsv"] if data_dir else []) + \
        [Path("data") / name / "corpus" / "manifest.tsv"]
    return next((c for c in candidates if c.is_file()), None)


def _mean_frame(manifest: Any, data_dir: Path | None, n_mel: int) -> tuple[np.ndarray, str]:
    recorded = (manifest.training or {}).get("mel_mean")
    if recorded is not None:
        mean, source = np.asarray(recorded, dtype=np.float64), "voice.json training.mel_mean"
    elif data_dir is not None:
        from tts.voice import mean_mel_frame

        mean, source = np.asarray(mean_mel_frame(data_dir), dtype=np.float64), f"mean frame of {data_dir}/train.tsv"
    else:
        raise TTSError(f"voice {manifest.name!r} records no mean mel frame (training.mel_mean) for the baseline; "
                       "pass --data-dir with its prepared training data")
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
