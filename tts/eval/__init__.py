"""Objective evaluation of a voice against espeak-ng references (``tts eval``).

The synthetic corpora are spoken by espeak-ng, so espeak-ng's own rendering of a sentence the
voice never saw is the speech the voice should reproduce. The sentences are by default the
**unseen set** (:mod:`tts.evalsets`: 60 sentences per language written for evaluation and kept
out of every training corpus), or held-out phrasebook sentences (``sentence_set="heldout"``).
For each language this module measures:

* **MCD** (mel-cepstral distortion, dB) between the voice's mel and the reference mel, aligned by
  DTW: the acoustic model's error. It is compared with a **baseline** that knows nothing of the
  text: the training set's mean log-mel frame repeated for the reference's length. A voice that
  learned anything scores well below it (``mcd_ratio`` < 1).
* **Sentence identification**: is the voice's *audio* nearer (DTW on cepstra with the mean
  removed, :func:`identification_features`) to espeak-ng's rendering of the right sentence than
  to that of any other sentence of the language? Reported as the fraction identified (chance is
  one in the number of sentences) and as the mean ratio of the distance to the right rendering
  over the mean distance to the wrong ones (1 knows nothing; lower is better). It is measured on
  the audio of the voice's default vocoder and on Griffin-Lim's, so that an acoustic error (both
  fail) can be told from a vocoder error (only the default fails). :func:`calibrate_identification`
  gives the same scores for outputs of known quality: espeak-ng's own mel (the ceiling) and
  text-blind or scrambled outputs (the floors).
* **Gate stops**: how many sentences the decoder ended by its stop token.
* **Copy synthesis** (the vocoder alone): the reference mels are vocoded with WaveGlow and with
  Griffin-Lim (:mod:`tts.griffinlim`) and compared with the reference audio by wide-band PESQ
  (1-4.5) and STOI (0-1).

The cepstrum here is the real cepstrum of the natural-log mel frame, scaled as a cepstrum is
(``log X(w) = c0 + sum_d c_d cos(d w)`` over the mel axis), so MCD values fall in the range
papers report (a few dB); it is computed from the model's own features, not SPTK's
mel-generalized cepstrum of a WORLD envelope, so compare voices evaluated with this module with
each other rather than with published figures.

The parts are modules of this package: :mod:`tts.eval.metrics` (MCD, copy synthesis),
:mod:`tts.eval.identification`, :mod:`tts.eval.references` (sentences and espeak-ng references)
and :mod:`tts.eval.runner`, which puts them together as :func:`evaluate_voice`.
"""

from tts.eval.runner import SENTENCE_SETS, evaluate_voice

__all__ = ["SENTENCE_SETS", "evaluate_voice"]
