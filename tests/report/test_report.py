"""``tts report``: a listening report of a (micro) voice for one sentence, written whole, every
audio link resolving to playable WAV, rendered by a real headless Chromium (a screenshot is kept
in the test's folder)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import soundfile

import tts.cli
from tts.testing import HeadlessChromium, browser_skip_reason, micro_voice_bundle

pytest.importorskip("matplotlib", reason="the report extra: pip install 'swaratts[report]'")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """A report of the micro voice, one hinglish sentence; the CLI's exit status, its folder and JSON."""
    root = tmp_path_factory.mktemp("report")
    voice = micro_voice_bundle(root)
    out, json_path = root / "listen", root / "report.json"
    status = tts.cli.main(
        ["report", "--voice", str(voice), "--lang", "hinglish", "--sentences", "1", "--out", str(out)]
        + ["--json", str(json_path), "--workdir", str(root / "cache"), "--no-progress"]
    )
    return status, out, json.loads(json_path.read_text(encoding="utf-8")), voice


def test_the_report_holds_every_part_of_a_sentence(report):
    status, out, data, _ = report
    assert status == 0
    assert sorted(p.name for p in out.iterdir()) == ["audio", "index.html", "pictures", "report.json"]
    assert json.loads((out / "report.json").read_text(encoding="utf-8")) == data
    assert data["format"] == "swaratts-report" and data["voice"] == "microvoice"
    assert data["default_vocoder"] == "waveglow" and data["speaker"] == "spk_a"
    [sentence] = data["sentences"]
    assert sentence["language"] == "hinglish" and sentence["text"] and sentence["normalized"]
    assert sorted(sentence["audio"]) == ["copy-griffinlim", "copy-waveglow", "espeak", "tts-griffinlim", "tts-waveglow"]
    assert sorted(sentence["pictures"]) == ["alignment", "mel"]
    # The sentence's scores are tts eval's: MCD against the reference and the baseline, the gate.
    metrics = sentence["metrics"]
    assert metrics["mcd_voice"] > 0 and metrics["mcd_baseline"] > 0 and metrics["stopped_by_gate"] is False
    assert metrics["frames"] == 90 and "identification" not in metrics  # one sentence: nothing to pick among
    for kind in ("waveglow", "griffinlim"):
        copy = sentence["copy_synthesis"][kind]
        assert copy is None or (1.0 <= copy["pesq"] <= 4.7 and 0 <= copy["stoi"] <= 1)
    summary = data["languages"]["hinglish"]
    assert summary["sentences"] == 1 and set(summary["copy_synthesis"]) == {"waveglow", "griffinlim"}
    # Griffin-Lim's copy synthesis of espeak-ng's mel is good speech, whatever the voice.
    assert sentence["copy_synthesis"]["griffinlim"]["stoi"] > 0.8


def test_every_audio_link_resolves_to_wav(report):
    _, out, data, _ = report
    html = (out / "index.html").read_text(encoding="utf-8")
    links = set(re.findall(r'(?:src|href)="([^"#]+)"', html))
    audio = {link for link in links if link.endswith(".wav")}
    assert audio == set(data["sentences"][0]["audio"].values())
    assert all(not link.startswith(("/", "http:", "https:", "file:")) for link in links)  # relative: opens anywhere
    for link in links:
        assert (out / link).is_file(), link
    lengths = {}
    for role, link in data["sentences"][0]["audio"].items():
        samples, rate = soundfile.read(out / link, dtype="float32")
        assert rate == 22050 and len(samples) > 0.25 * rate and np.isfinite(samples).all()
        lengths[role] = len(samples)
    # One mel, either vocoder: the same length.
    assert lengths["tts-waveglow"] == lengths["tts-griffinlim"] == 90 * 256
    assert lengths["copy-waveglow"] == lengths["copy-griffinlim"]


@pytest.mark.skipif(browser_skip_reason() is not None, reason=str(browser_skip_reason()))
def test_the_report_renders_in_chromium(report, tmp_path):
    _, out, _, _ = report
    with HeadlessChromium(tmp_path / "profile") as browser:
        page = browser.new_page()
        page.goto((out / "index.html").as_uri())
        page.wait_for_function(
            "Array.from(document.querySelectorAll('audio')).every(a => a.error || a.readyState >= 1)", timeout=0
        )
        players = page.evaluate(
            "Array.from(document.querySelectorAll('audio')).map(a => ({error: a.error && a.error.code, duration: a.duration}))"
        )
        assert len(players) == 5 and all(p["error"] is None and p["duration"] > 0.25 for p in players)
        images = page.evaluate("Array.from(document.images).map(i => i.complete && i.naturalWidth)")
        assert len(images) == 2 and all(width > 100 for width in images)
        assert "Listening report: voice microvoice" in page.inner_text("h1")
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert (tmp_path / "report.png").stat().st_size > 10_000


def test_a_folder_that_is_not_a_report_is_refused(report, tmp_path, capsys):
    _, _, _, voice = report
    (tmp_path / "notes.txt").write_text("mine")
    status = tts.cli.main(["report", "--voice", str(voice), "--sentences", "1", "--out", str(tmp_path)])
    assert status == 2 and (tmp_path / "notes.txt").read_text() == "mine"
    assert "the folder holds files that are not a report; give a new or empty folder" in capsys.readouterr().err
    assert tts.cli.main(["report", "--voice", str(voice), "--sentences", "0", "--out", str(tmp_path / "r")]) == 2
    assert "--sentences must be at least 1, got 0" in capsys.readouterr().err
