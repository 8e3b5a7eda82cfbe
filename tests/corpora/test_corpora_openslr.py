"""Google's OpenSLR TTS layout (Bengali SLR37): line_index.tsv + wavs/."""

from __future__ import annotations

import pytest

from base.errors import TTSError
from tts.corpora import read_corpus


@pytest.fixture
def slr37(tmp_path, tone):
    for region, ids in (
        ("bn_bd", ("bnb_00180_00045088447", "bnb_00180_00046010129")),
        ("bn_in", ("ben_00737_00028543902",)),
    ):
        for file_id in ids:
            tone(tmp_path / region / "wavs" / f"{file_id}.wav")
    (tmp_path / "bn_bd" / "line_index.tsv").write_text(
        "bnb_00180_00045088447\tআমার সোনার বাংলা\n"
        "bnb_00180_00046010129\t\tদুটি ট্যাব\n"
        "a line without a tab\n"
        "bnb_00180_00099999999\tরেকর্ডিং নেই\n",
        encoding="utf-8",
    )
    (tmp_path / "bn_in" / "line_index.tsv").write_text("ben_00737_00028543902\tকেমন আছেন?\n", encoding="utf-8")
    return tmp_path


def test_reads_both_regions_with_speakers_from_file_ids(slr37):
    result = read_corpus("openslr", slr37)
    assert [(u.utt_id, u.text, u.speaker, u.language) for u in result.utterances] == [
        ("bnb_00180_00045088447", "আমার সোনার বাংলা", "bnb_00180", "bn"),
        ("bnb_00180_00046010129", "দুটি ট্যাব", "bnb_00180", "bn"),
        ("ben_00737_00028543902", "কেমন আছেন?", "ben_00737", "bn"),
    ]
    index = slr37 / "bn_bd" / "line_index.tsv"
    assert [(p.file, p.line) for p in result.problems] == [(index, 3), (index, 4)]
    assert "expected '<file id><TAB><text>', got 1 field(s)" in result.problems[0].reason


def test_the_tsv_itself_can_be_given(slr37):
    result = read_corpus("openslr", slr37 / "bn_in" / "line_index.tsv", language="bn-IN")
    assert [(u.utt_id, u.language) for u in result.utterances] == [("ben_00737_00028543902", "bn-IN")]


def test_no_line_index_is_an_error(tmp_path):
    with pytest.raises(TTSError, match="no line_index.tsv found"):
        read_corpus("openslr", tmp_path)
