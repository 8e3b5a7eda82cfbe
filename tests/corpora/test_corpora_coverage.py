"""Text coverage: phones from espeak-ng's IPA, shares of an evaluation set, missing phones named."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import soundfile

from tts.corpora.coverage import measure, missing_phones, phones


def test_phones_keep_their_marks_and_drop_stress_and_punctuation():
    assert phones("tʰˈeːk, mɛ̃") == ["tʰ", "eː", "k", "m", "ɛ̃"]


def test_coverage_counts_words_phones_and_pairs_and_shares_of_another_text():
    corpus = measure(["नमस्ते, आप कैसे हैं?", "मैं office जा रहा हूँ"])
    assert corpus.sentences == 2 and corpus.words["office"] == 1
    assert {"n", "ə", "m"} <= set(corpus.phones) and ("n", "ə") in corpus.pairs
    assert corpus.share_of(corpus) == {"words": 1.0, "phones": 1.0, "phone_pairs": 1.0}
    other = measure(["the thought of zebras"])
    shares = corpus.share_of(other)
    assert shares["words"] == 0.0 and 0.0 < shares["phones"] < 1.0


def test_a_narrow_text_is_told_which_common_phones_it_lacks():
    narrow = measure(["माँ माँ माँ"])
    missing = missing_phones(narrow, "hi")
    assert "k" in missing and "m" not in missing
    assert missing_phones(measure(["the cat sat on the mat"] * 3), "en")[:1]  # far from complete


def test_corpus_info_prints_coverage_and_warns_about_missing_phones(tmp_path):
    (tmp_path / "wavs").mkdir()
    tone = 0.3 * np.sin(np.arange(22050) * 2 * np.pi * 220 / 22050)
    soundfile.write(tmp_path / "wavs" / "a.wav", tone.astype(np.float32), 22050)
    manifest = tmp_path / "manifest.tsv"
    manifest.write_text("path\ttext\tspeaker\tlanguage\nwavs/a.wav\tमाँ माँ माँ\ts\thi\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "tts.cli", "corpus", "info", "manifest", str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert "text coverage" in result.stdout
    assert "warning: the hi text never has the phones" in result.stdout and " k " in result.stdout
