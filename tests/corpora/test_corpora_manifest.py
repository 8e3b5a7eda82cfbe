"""The manifest format (CSV/TSV via pandas): reading, problem reports, atomic writing, round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from base.errors import TTSError
from tts.corpora import Utterance, read_corpus, write_manifest


def test_tsv_with_relative_and_absolute_paths_and_optional_columns(tmp_path, tone):
    tone(tmp_path / "corpus" / "wavs" / "a.wav")
    elsewhere = tone(tmp_path / "elsewhere" / "b.wav")
    manifest = tmp_path / "corpus" / "manifest.tsv"
    manifest.write_text(
        f'Path\tText\tSpeaker\nwavs/a.wav\tshe said "kal milte hain"\tasha\n{elsewhere}\t  मैं office जा रहा हूँ  \t\n',
        encoding="utf-8",
    )
    result = read_corpus("manifest", tmp_path / "corpus", language="hinglish")
    assert result.problems == []
    assert result.utterances == [
        Utterance(tmp_path / "corpus" / "wavs" / "a.wav", 'she said "kal milte hain"', "asha", "hinglish", "a"),
        Utterance(elsewhere, "मैं office जा रहा हूँ", "corpus", "hinglish", "b"),
    ]


def test_csv_quoting_language_column_and_utt_id_column(tmp_path, tone):
    tone(tmp_path / "one.wav")
    (tmp_path / "list.csv").write_text(
        'utt_id,path,text,language\nfirst,one.wav,"ami bhalo achi, thank you",benglish\n', encoding="utf-8"
    )
    (utterance,) = read_corpus("manifest", tmp_path / "list.csv", speaker="rina").utterances
    assert (utterance.utt_id, utterance.text, utterance.speaker, utterance.language) == (
        "first",
        "ami bhalo achi, thank you",
        "rina",
        "benglish",
    )


def test_malformed_lines_and_missing_recordings_are_reported_with_line_numbers(tmp_path, tone):
    for name in ("a", "b", "c"):
        tone(tmp_path / "wavs" / f"{name}.wav")
    manifest = tmp_path / "manifest.tsv"
    manifest.write_text(
        "path\ttext\n"  # 1
        "wavs/a.wav\tfine\n"  # 2
        "\n"  # 3: blank, skipped silently
        "wavs/b.wav\ttoo\tmany\n"  # 4
        "wavs/c.wav\n"  # 5
        "wavs/missing.wav\tno recording\n"  # 6
        "\tno path\n"  # 7
        "wavs/c.wav\t\n"  # 8: empty text
        "wavs/b.wav\ta\tb\tc\td\n"  # 9
        "wavs/a.wav\tagain\n"  # 10
        "wavs/c.wav\tlast one is fine\n",  # 11
        encoding="utf-8",
    )
    result = read_corpus("manifest", manifest)
    assert [u.text for u in result.utterances] == ["fine", "last one is fine"]
    reasons = {p.line: p.reason for p in result.problems}
    assert all(p.file == manifest for p in result.problems)
    assert sorted(reasons) == [4, 5, 6, 7, 8, 9, 10]
    assert reasons[4].startswith("more fields than the 2 columns") and reasons[9] == reasons[4]
    assert reasons[5] == "only 1 field(s); no text"
    assert reasons[6] == f"recording {tmp_path / 'wavs' / 'missing.wav'} not found"
    assert reasons[7] == "no recording path"
    assert reasons[8] == "empty transcript for 'c'"
    assert reasons[10].startswith("utterance id 'a' already used")


@pytest.mark.parametrize(
    "content, message",
    [
        ("file\ttranscript\nx.wav\thi\n", r"line 1: the header has no path, text column"),
        ("", "the header has no path, text column; found nothing"),
    ],
)
def test_a_manifest_without_the_required_columns_is_an_error(tmp_path, content, message):
    (tmp_path / "m.tsv").write_text(content, encoding="utf-8")
    with pytest.raises(TTSError, match=message):
        read_corpus("manifest", tmp_path / "m.tsv")


def test_unknown_extension_and_folder_without_manifest_are_errors(tmp_path):
    (tmp_path / "m.json").write_text("{}", encoding="utf-8")
    with pytest.raises(TTSError, match="must end in .tsv, .txt"):
        read_corpus("manifest", tmp_path / "m.json")
    with pytest.raises(TTSError, match="no manifest.tsv or manifest.csv in this folder"):
        read_corpus("manifest", tmp_path)


@pytest.mark.parametrize("name", ["manifest.tsv", "manifest.csv"])
def test_write_then_read_round_trips(tmp_path, tone, name):
    inside = tone(tmp_path / "out" / "wavs" / "x1.wav")
    outside = tone(tmp_path / "other" / "x2.wav")
    utterances = [
        Utterance(inside, 'kal "meeting" 3 baje, ok?', "spk1", "hinglish", "x1"),
        Utterance(outside, "আমি ভালো আছি", "spk2", None, "custom-id"),
    ]
    path = write_manifest(tmp_path / "out" / name, utterances)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t" if name.endswith(".tsv") else ",") == ["path", "text", "speaker", "language", "utt_id"]
    assert lines[1].startswith("wavs/x1.wav")  # relative inside the manifest's folder
    assert str(outside) in lines[2]  # absolute outside it
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []
    assert read_corpus("manifest", path).utterances == [
        utterances[0],
        Utterance(outside, "আমি ভালো আছি", "spk2", None, "custom-id"),
    ]


def test_write_leaves_out_utt_id_when_names_match_and_refuses_tabs_in_a_tsv(tmp_path):
    wav = Path(tmp_path / "wavs" / "a.wav")
    path = write_manifest(tmp_path / "manifest.tsv", [Utterance(wav, "hi", "s", "en", "a")])
    assert path.read_text(encoding="utf-8") == "path\ttext\tspeaker\tlanguage\nwavs/a.wav\thi\ts\ten\n"
    with pytest.raises(TTSError, match="line break or, in a TSV, a tab"):
        write_manifest(tmp_path / "manifest.tsv", [Utterance(wav, "a\tb", "s", "en", "a")])
    assert path.read_text(encoding="utf-8").endswith("wavs/a.wav\thi\ts\ten\n")  # the old file is intact
