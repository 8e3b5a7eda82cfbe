"""Sentence identification: features, DTW distance, the identify rule and its calibration, on
hand-made numbers and on real espeak-ng speech."""

from __future__ import annotations

import numpy as np
import pytest

from base.audio import MelConfig
from tts.eval import identification as ident
from tts.eval.metrics import mean_frame_baseline
from tts.eval.references import make_references
from tts.griffinlim import griffin_lim
from tts.prepare import PrepareConfig

CONFIG = MelConfig()
# Four sentences of different lengths and sounds, as the unseen set has them.
SENTENCES = ["आज बहुत ठंड है।", "क्या तुमने खाना खा लिया?", "खिड़की खोल दो।", "ध्यान से सुनो।"]


@pytest.fixture(scope="module")
def references(tmp_path_factory):
    return make_references(SENTENCES, "hi", CONFIG, tmp_path_factory.mktemp("refs"))


@pytest.fixture(scope="module")
def mean_frame(references):
    """The mean log-mel frame of the four references: a stand-in for a training set's."""
    return np.concatenate([r.mel for r in references], axis=1).mean(axis=1)


# -- features --------------------------------------------------------------------------------------


def test_features_are_cepstra_without_their_mean_and_deltas(references):
    mel = references[0].mel.astype(np.float64)
    features = ident.identification_features(mel)
    assert features.shape == (mel.shape[1], 24)
    np.testing.assert_allclose(features[:, :12].mean(axis=0), 0.0, atol=1e-9)  # mean removed
    # A constant level, and a constant spectral tilt (what a vocoder's colouring mostly is),
    # change nothing: both are the same offset in every frame.
    tilt = np.linspace(-2.0, 1.0, 80)[:, None]
    np.testing.assert_allclose(ident.identification_features(mel + 3.0 + tilt), features, atol=1e-9)
    # Deltas: a log-mel whose cepstra rise linearly in time has a constant slope inside.
    k = np.arange(80)
    ramp = np.outer(np.cos(np.pi * (k + 0.5) / 80), 0.1 * np.arange(30))  # c1 = 0.1 * frame
    deltas = ident.identification_features(ramp)[:, 12]
    np.testing.assert_allclose(deltas[2:-2], 0.1, rtol=1e-9)
    assert 0 < deltas[0] < 0.1  # the edges repeat their frame: a smaller slope
    with pytest.raises(ValueError, match="empty mel"):
        ident.identification_features(np.zeros((80, 0)))


def test_audio_features_read_the_trimmed_audio(references):
    reference = references[1]
    features = ident.identification_features(reference.mel)
    # The reference audio itself gives its own features back.
    np.testing.assert_allclose(ident.audio_features(reference.audio, CONFIG, PrepareConfig()), features, atol=1e-5)
    # Silence around it is trimmed away (to the 0.05 s margin), as from the references.
    silence = np.zeros(CONFIG.sampling_rate // 2, np.float32)
    padded = ident.audio_features(np.concatenate([silence, reference.audio, silence]), CONFIG, PrepareConfig())
    assert abs(len(padded) - len(features)) <= 2 * 0.05 * CONFIG.sampling_rate / CONFIG.hop_length + 2
    # A silent or tiny output still gives features: the floor's kind of output.
    # (zero-padded to one filter length: 1024 // 256 + 1 frames).
    assert ident.audio_features(np.zeros(100, np.float32), CONFIG, PrepareConfig()).shape == (5, 24)


# -- DTW and the ident.identify rule ---------------------------------------------------------------------


def test_dtw_distance_is_a_weighted_mean_frame_distance():
    a = np.zeros((2, 1))
    b = np.ones((3, 1))
    assert ident.dtw_distance(a, b) == pytest.approx(1.0)  # every frame pair 1 apart: the mean is 1
    # [0, 1] against [0, 0, 1]: the repeated frame aligns at no cost.
    assert ident.dtw_distance(np.array([[0.0], [1.0]]), np.array([[0.0], [0.0], [1.0]])) == 0.0
    # Hand-computed: [0, 0] against [3, 4] (2-d frames 5 apart on the diagonal step, weight 2,
    # after the first cell at weight 1): (5 + 2 * 5) / (2 + 2 - 1) = 5; [[0,0],[0,0]] against
    # [[3,4],[0,0]] aligns the zeros: (5 + 2 * 0) / 3.
    assert ident.dtw_distance(np.zeros((2, 2)), np.array([[3.0, 4.0], [3.0, 4.0]])) == pytest.approx(5.0)
    assert ident.dtw_distance(np.zeros((2, 2)), np.array([[3.0, 4.0], [0.0, 0.0]])) == pytest.approx(5.0 / 3)


def test_dtw_distance_aligns_real_speech(references):
    features = ident.identification_features(references[0].mel)
    other = ident.identification_features(references[1].mel)
    assert ident.dtw_distance(features, features) < 1e-6  # 0 up to rounding: |a|^2 + |b|^2 - 2 a.b
    stretched = np.repeat(features, 2, axis=0)  # the same sentence spoken half as fast
    assert ident.dtw_distance(features, stretched) < 0.05 * ident.dtw_distance(features, other)
    assert ident.dtw_distance(features, other) == pytest.approx(ident.dtw_distance(other, features), rel=1e-12)
    matrix = ident.distance_matrix([features, other], [other, features, stretched])
    np.testing.assert_allclose(
        matrix[1], [0.0, ident.dtw_distance(other, features), ident.dtw_distance(other, stretched)], atol=1e-6
    )
    assert matrix[0, 1] < 1e-6


def test_identify_on_a_hand_made_matrix():
    distances = np.array([[1.0, 2.0, 3.0], [2.0, 1.0, 0.5], [3.0, 3.0, 3.0]])
    found = ident.identify(distances)
    assert found.identified.tolist() == [True, False, False]  # row 2: a tie is not identified
    assert found.rank.tolist() == [1, 2, 3]
    np.testing.assert_allclose(found.right_wrong, [1 / 2.5, 1 / 1.25, 1.0])
    summary = found.summary()
    assert summary == {
        "sentences": 3,
        "candidates": 3,
        "identified": 1,
        "identified_fraction": 0.3333,
        "chance": 0.3333,
        "right_wrong_ratio": round((0.4 + 0.8 + 1.0) / 3, 4),
        "mean_rank": 2.0,
    }
    # NaN: not a candidate for that output; its distance counts neither way.
    distances[1, 2] = np.nan
    found = ident.identify(distances)
    assert found.identified.tolist() == [True, True, False]
    assert found.right_wrong[1] == pytest.approx(0.5) and found.candidates == 3
    with pytest.raises(ValueError, match="square matrix"):
        ident.identify(np.ones((2, 3)))
    with pytest.raises(ValueError, match="NaN on the diagonal"):
        ident.identify(np.array([[np.nan, 1.0], [1.0, 0.0]]))


# -- on real speech -----------------------------------------------------------------------------------


def test_references_through_griffin_lim_identify_themselves_and_the_mean_frame_does_not(references, mean_frame):
    reference_features = [ident.identification_features(r.mel) for r in references]
    trim = PrepareConfig()
    vocoded = [ident.audio_features(griffin_lim(r.mel, CONFIG, n_iter=32, seed=0), CONFIG, trim) for r in references]
    right = ident.identify(ident.distance_matrix(vocoded, reference_features))
    assert right.identified.all()
    # Measured 0.11-0.15: Griffin-Lim's audio is several times nearer the right rendering.
    assert (right.right_wrong < 0.5).all()
    flat = [
        ident.audio_features(
            griffin_lim(mean_frame_baseline(mean_frame, r.mel.shape[1]), CONFIG, n_iter=32, seed=0), CONFIG, trim
        )
        for r in references
    ]
    floor = ident.identify(ident.distance_matrix(flat, reference_features))
    # A text-blind output is as near every sentence: one of the four at most, by luck.
    assert floor.identified.sum() <= 1
    assert 0.9 < floor.right_wrong.mean() < 1.1


def test_calibration_brackets_the_measure(references, mean_frame):
    calibration = ident.calibrate_identification(references, mean_frame, CONFIG, PrepareConfig())
    assert list(calibration) == ["ceiling_griffinlim", "floor_mean_frame", "floor_other_sentence", "shuffled_frames"]
    ceiling = calibration["ceiling_griffinlim"]
    assert ceiling["identified"] == 4 and ceiling["right_wrong_ratio"] < 0.5
    assert ceiling["chance"] == 0.25 and ceiling["mean_rank"] == 1.0
    # A text-blind output is "identified" by chance alone (1 in 4 per sentence): its right/wrong
    # ratio, near 1, is what shows it carries no sentence.
    assert calibration["floor_mean_frame"]["identified"] <= 2
    assert 0.9 < calibration["floor_mean_frame"]["right_wrong_ratio"] < 1.1
    other = calibration["floor_other_sentence"]
    # Another sentence's audio is matched against the remaining three.
    assert other["candidates"] == 3 and other["chance"] == 0.3333
    assert other["right_wrong_ratio"] > 0.8
    assert calibration["shuffled_frames"]["right_wrong_ratio"] > ceiling["right_wrong_ratio"] + 0.3
    with pytest.raises(Exception, match="at least 3 sentences"):
        ident.calibrate_identification(references[:2], mean_frame, CONFIG, PrepareConfig())


def test_identification_summary_is_plain_json():
    summary = ident.Identification(np.array([True, False]), np.array([1, 3]), np.array([0.5, 1.5]), 2).summary()
    assert all(type(v) in (int, float) for v in summary.values())
    assert summary["identified"] == 1 and summary["right_wrong_ratio"] == 1.0
