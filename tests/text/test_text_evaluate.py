"""The LID / transliteration evaluation runs and meets the targets of issue 4."""

from __future__ import annotations

import pytest

from text.evaluate import LID_TARGET, PAIRS, TRANSLITERATION_TARGET, evaluate, main, read_set


@pytest.mark.parametrize("pair", PAIRS)
def test_test_set_is_large_enough(pair: str) -> None:
    tokens = sum(len(s) for s in read_set(pair, "test"))
    assert tokens >= 300
    indic = sum(1 for s in read_set(pair, "test") for _, gold in s if gold)
    assert 0 < indic < tokens  # really code-mixed: both languages occur


@pytest.mark.parametrize("pair", PAIRS)
def test_targets_are_met_on_the_held_out_test_set(pair: str) -> None:
    scores = evaluate(pair, "test")
    assert scores.lid_accuracy >= LID_TARGET, scores.errors
    assert scores.transliteration_accuracy >= TRANSLITERATION_TARGET, scores.errors


def test_command_prints_the_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--split", "test"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["pair", "split", "tokens"]
    assert [line.split()[0] for line in lines[1:]] == list(PAIRS)
