"""The page of ``tts serve`` in a real headless Chromium: type a sentence, press Speak, and the
audio element gets playable audio (and the mel picture is drawn). A screenshot is kept in the
test's folder."""

from __future__ import annotations

import pytest

from tts.testing import HeadlessChromium, browser_skip_reason

pytestmark = pytest.mark.skipif(browser_skip_reason() is not None, reason=str(browser_skip_reason()))


def test_the_page_speaks_what_is_typed(micro_voice, serve, tmp_path):
    url = serve({"microvoice": micro_voice})
    with HeadlessChromium(tmp_path / "profile") as browser:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        page.wait_for_selector("body[data-ready=true]")
        assert page.locator("#voice option").all_inner_texts() == ["microvoice (hinglish, hi, en)"]
        assert page.locator("#speaker option").all_inner_texts() == ["spk_a", "spk_b"]
        page.select_option("#speaker", label="spk_b")
        page.select_option("#vocoder", "griffinlim")
        page.fill("#text", "Namaste. Aaj mausam achha hai.")
        page.click("#speak")
        # Playable: the browser decoded the WAV far enough to play it, without an error.
        page.wait_for_function(
            "(() => { const a = document.getElementById('audio'); return a.error || a.readyState >= 2; })()",
            timeout=0,
        )
        audio = page.evaluate(
            "(() => { const a = document.getElementById('audio');"
            " return {error: a.error && a.error.code, ready: a.readyState, duration: a.duration, src: a.src}; })()"
        )
        assert audio["error"] is None and audio["ready"] >= 2
        assert audio["duration"] == pytest.approx((2 * 90 * 256 + int(0.25 * 22050)) / 22050, abs=0.01)
        assert audio["src"].startswith("blob:") and page.get_attribute("#download", "href") == audio["src"]
        assert "speaker spk_b, griffinlim" in page.inner_text("#about")
        canvas = page.evaluate("[document.getElementById('mel').width, document.getElementById('mel').height]")
        assert canvas[1] == 80 and canvas[0] > 150  # bands x frames of what was spoken
        page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
        assert not errors
    assert (tmp_path / "page.png").stat().st_size > 10_000
