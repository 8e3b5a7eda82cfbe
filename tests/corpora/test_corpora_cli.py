"""``tts corpus synth|info`` through the command's own parser (tts.cli lists it once the lead adds it)."""

from __future__ import annotations

import argparse

import pytest

from base.errors import TTSError
from tts.commands import corpus as corpus_command
from tts.corpora import read_corpus


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tts")
    corpus_command.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def table_rows(printed: str) -> list[list[str]]:
    """The body rows of a rich table as printed to a non-terminal."""
    return [[cell.strip() for cell in line.split("│")[1:-1]] for line in printed.splitlines() if line.startswith("│")]


def test_synth_then_info(tmp_path, capsys):
    out = tmp_path / "benglish-synth"
    code = run(
        [
            "corpus",
            "synth",
            "--lang",
            "benglish",
            "--utterances",
            "4",
            "--speakers",
            "2",
            "--out",
            str(out),
            "--seed",
            "5",
            "--no-progress",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert (
        f"wrote {out / 'manifest.tsv'}: 4 utterances (4 synthesized, 0 kept from a previous run), 2 speaker(s)"
        in printed
    )
    assert len(read_corpus("manifest", out).utterances) == 4

    assert run(["corpus", "info", "manifest", str(out)]) == 0
    printed = capsys.readouterr().out
    speakers, coverage = printed.split("text coverage")
    rows = table_rows(speakers)
    assert [(row[0], row[2]) for row in rows] == [("bn_m3_p45_s160", "2"), ("bn_f3_p65_s150", "2"), ("total", "4")]
    assert all(set(row[1].split(",")) <= {"benglish", "bn", "en"} for row in rows[:-1])
    assert rows[-1][3] != "0:00:00" and rows[-1][4] == "0"
    # Per language: sentences, words, phones, phone pairs; 4 sentences cannot cover Bengali.
    assert sum(int(row[1]) for row in table_rows(coverage)) == 4
    assert "never has the phones" in coverage


def test_info_with_options_and_problems(tmp_path, tone, capsys):
    root = tmp_path / "lj"
    tone(root / "wavs" / "a.wav", seconds=1.5)
    (root / "metadata.csv").write_text("a|Raw 1.|Raw one.\nb|missing|missing\n", encoding="utf-8")
    assert (
        run(["corpus", "info", "ljspeech", str(root), "--option", "speaker=linda", "--option", "normalized=true"]) == 0
    )
    printed = capsys.readouterr().out
    assert table_rows(printed)[0] == ["linda", "en", "1", "0:00:02", "0"]  # 1.5 s rounds to 2 s
    assert "1 entries left out" in printed


@pytest.mark.parametrize(
    "argv, message",
    [
        (["corpus", "info", "ljspeech", ".", "--option", "normalized=maybe"], "normalized takes true or false"),
        (["corpus", "info", "ljspeech", ".", "--option", "speaker"], "write it as KEY=VALUE"),
        (["corpus", "info", "timit", "."], "unknown corpus format 'timit'"),
    ],
)
def test_user_errors_are_tts_errors(argv, message):
    with pytest.raises(TTSError, match=message):
        run(argv)
