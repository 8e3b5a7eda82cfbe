"""Bad values anywhere in ``tts synth``'s and ``tts vocode``'s options: one line on stderr that
names the option, exit status 2, never a traceback and never an output file (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tts.cli import main

NOT_A_NUMBER = st.text(alphabet="abcxyz-+_.,;:!@ ", min_size=1, max_size=6).filter(lambda s: not _is_float(s.strip()))
NON_FINITE = st.sampled_from(["nan", "inf", "-inf", "NaN", "-nan", "1e999"])


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# Per option: values that must be refused, and a fragment the one-line error must contain.
BAD = {
    "--sigma": (st.one_of(NOT_A_NUMBER, NON_FINITE, st.floats(max_value=-1e-6, allow_nan=False).map(repr)), "sigma"),
    "--denoise": (
        st.one_of(
            NOT_A_NUMBER,
            NON_FINITE,
            st.floats(min_value=1.0001, max_value=1e300).map(repr),
            st.floats(max_value=-1e-6, allow_nan=False).map(repr),
        ),
        "denoise",
    ),
    "--postfilter": (
        st.one_of(
            NOT_A_NUMBER,
            NON_FINITE,
            st.floats(min_value=2.0001, max_value=1e300).map(repr),
            st.floats(max_value=0.9999, allow_nan=False).map(repr),
        ),
        "postfilter",
    ),
    "--seed": (
        st.one_of(
            NOT_A_NUMBER,
            st.integers(max_value=-1).map(str),
            st.integers(min_value=2**32).map(str),
            st.sampled_from(["1.5", "1e3"]),
        ),
        "seed",
    ),
    "--batch-size": (st.one_of(NOT_A_NUMBER, st.integers(max_value=0).map(str)), "batch-size"),
    "--speaker": (
        st.one_of(
            st.integers(min_value=2, max_value=10**30).map(str), st.text(alphabet="qwxz", min_size=3, max_size=8)
        ),
        "speaker",
    ),
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_synth_options_with_bad_values_are_one_line_and_exit_2(user_voices, tmp_path, capsys, data):
    option = data.draw(st.sampled_from(sorted(BAD)), label="option")
    strategy, fragment = BAD[option]
    value = data.draw(strategy, label="value")
    out = tmp_path / "fuzz.wav"
    argv = ["synth", "namaste", "-l", "hinglish", "-o", str(out), f"{option}={value}"]
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own refusals
        code = exc.code
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2, (argv, err)
    assert len(err) == 1 and err[0].startswith("tts synth: error: ") and "Traceback" not in err[0], (argv, err)
    assert fragment in err[0], (argv, err)
    assert not out.exists() and not list(tmp_path.glob(".fuzz.wav*"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(option=st.sampled_from(["--sigma", "--denoise", "--seed"]), data=st.data())
def test_vocode_options_with_bad_values_are_one_line_and_exit_2(voice_checkpoints, tmp_path, capsys, option, data):
    strategy, fragment = BAD[option]
    value = data.draw(strategy, label="value")
    mel = tmp_path / "m.npy"
    np.save(mel, np.full((80, 4), -5.0, dtype=np.float32))
    out = tmp_path / "x.wav"
    argv = ["vocode", str(mel), "--checkpoint", str(voice_checkpoints[1]), "-o", str(out), f"{option}={value}"]
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("tts vocode: error: ") and fragment in err[0], (argv, err)
    assert not out.exists()
