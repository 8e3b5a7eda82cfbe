"""The report's ``index.html``: one static page, its audio and pictures linked by relative paths,
so that the folder opens offline in any browser (no scripts, no fonts or styles from elsewhere)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

NAMES = {"waveglow": "WaveGlow", "griffinlim": "Griffin-Lim"}

STYLE = """
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1000px; padding: 1rem 1.5rem; color: #222; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left; vertical-align: middle; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.sentence { border: 1px solid #ccc; border-radius: 6px; padding: 0.6rem 1rem; margin: 1rem 0; }
.text { font-size: 1.1rem; margin: 0.2rem 0; } .normalized { color: #555; margin: 0 0 0.5rem; }
audio { height: 2rem; width: 260px; vertical-align: middle; }
img { max-width: 100%; display: block; margin: 0.4rem 0; }
.muted { color: #666; font-size: 0.85rem; } .yes { color: #0b6e4f; } .no { color: #b00020; }
"""


def render_page(report: Mapping[str, Any]) -> str:
    """The HTML of a report (what :func:`tts.report.build.write_report` returns)."""
    settings = report["settings"]
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Listening report: {escape(report['voice'])}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Listening report: voice {escape(report['voice'])}</h1>",
        f'<p class="muted">{escape(str(report["path"]))}; speaker {escape(str(report["speaker"]))}; default vocoder '
        f"{NAMES.get(report['default_vocoder'], report['default_vocoder'])}; made {escape(report['created'])} in "
        f"{report['seconds']:.0f} s{_command(report)}</p>",
        _about(settings),
        "<h2>Summary</h2>",
        _summary_table(report["languages"]),
    ]
    for code in report["languages"]:
        parts.append(f'<h2 id="{escape(code)}">{escape(code)}</h2>')
        parts += [_sentence(item) for item in report["sentences"] if item["language"] == code]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _command(report: Mapping[str, Any]) -> str:
    return f"; <code>{escape(report['command'])}</code>" if report.get("command") else ""


def _about(settings: Mapping[str, Any]) -> str:
    reference = settings["reference"]
    what = "held-out phrasebook sentences" if settings["set"] == "heldout" else f"the {settings['set']} set"
    return (
        f"<p>Sentences: the first of {escape(what)}, kept out of training. Reference: "
        f"{escape(str(reference['engine']))}, voice style {reference['style']} ({escape(str(reference['variant']))}), "
        f"trimmed as training audio. WaveGlow: sigma {settings['waveglow']['sigma']}, seed "
        f"{settings['waveglow']['seed']}; Griffin-Lim: {settings['griffinlim']['n_iter']} iterations; the voice's "
        f"mels postfiltered with {settings['postfilter']:g} before vocoding (1: off). Copy synthesis: the "
        "reference mel through a vocoder, scored against the reference audio (PESQ wide-band 1-4.5, STOI 0-1). "
        "MCD (dB, DTW): the acoustic model's mel against the reference, and a text-blind baseline (the "
        "training set's mean frame). Identified: the voice's audio is nearest (DTW) to the right sentence's "
        "reference among the language's sentences.</p>"
    )


def _summary_table(languages: Mapping[str, Mapping[str, Any]]) -> str:
    rows = [
        "<table><tr><th>language</th><th>sentences</th><th>MCD voice / baseline (dB)</th><th>stopped by the gate</th>"
        "<th>identified: WaveGlow / Griffin-Lim</th><th>copy synthesis WaveGlow: PESQ / STOI</th>"
        "<th>copy synthesis Griffin-Lim: PESQ / STOI</th></tr>"
    ]
    for code, scores in languages.items():
        found = scores.get("identification") or {}
        identified = " / ".join(
            f"{found[kind]['identified']}/{found[kind]['sentences']}" if kind in found else "-" for kind in NAMES
        )
        copies = [scores["copy_synthesis"][kind] for kind in NAMES]
        rows.append(
            f'<tr><td><a href="#{escape(code)}">{escape(code)}</a></td><td class="n">{scores["sentences"]}</td>'
            f'<td class="n">{scores["mcd_voice"]:.2f} / {scores["mcd_baseline"]:.2f}</td>'
            f'<td class="n">{scores["stopped_by_gate"]}/{scores["sentences"]}</td><td class="n">{identified}</td>'
            + "".join(f'<td class="n">{_pesq_stoi(copy)}</td>' for copy in copies)
            + "</tr>"
        )
    rows.append("</table>")
    return "\n".join(rows)


def _pesq_stoi(scores: Mapping[str, Any] | None) -> str:
    if not scores or scores.get("pesq") is None:
        return "-"
    return f"{scores['pesq']:.2f} / {scores['stoi']:.3f}"


def _sentence(item: Mapping[str, Any]) -> str:
    metrics = item["metrics"]
    audio, identification = item["audio"], metrics.get("identification", {})
    rows = [
        ("espeak-ng reference", audio.get("espeak"), "the speech the voice should reproduce"),
        *(
            (f"reference mel → {NAMES[kind]} (copy synthesis)", audio.get(f"copy-{kind}"), _copy(item, kind))
            for kind in ("griffinlim", "waveglow")
        ),
        *(
            (f"the voice → {NAMES[kind]}", audio.get(f"tts-{kind}"), _identified(identification.get(kind)))
            for kind in NAMES
        ),
    ]
    table = ["<table><tr><th>audio</th><th>listen</th><th>scores</th></tr>"]
    for label, path, scores in rows:
        player = (
            f'<audio controls preload="metadata" src="{escape(path)}"></audio> <a href="{escape(path)}">wav</a>'
            if path
            else "-"
        )
        table.append(f"<tr><td>{escape(label)}</td><td>{player}</td><td>{scores}</td></tr>")
    table.append("</table>")
    gate = "stopped by the gate" if metrics.get("stopped_by_gate") else '<span class="no">hit the step limit</span>'
    numbers = (
        f'<p class="muted">MCD {metrics.get("mcd_voice", float("nan")):.2f} dB (baseline '
        f"{metrics.get('mcd_baseline', float('nan')):.2f}); {metrics.get('frames', '?')} frames against the "
        f"reference's {metrics.get('reference_frames', '?')}; {gate}</p>"
    )
    pictures = "".join(
        f'<img src="{escape(path)}" alt="{escape(name)} of sentence {item["index"]}">'
        for name, path in item["pictures"].items()
    )
    return (
        f'<div class="sentence" id="{escape(item["language"])}-{item["index"]}">'
        f'<p class="text">{item["index"]}. {escape(item["text"])}</p>'
        f'<p class="normalized">{escape(item["normalized"])}</p>' + "\n".join(table) + numbers + pictures + "</div>"
    )


def _copy(item: Mapping[str, Any], kind: str) -> str:
    scores = item["copy_synthesis"].get(kind)
    return f"PESQ / STOI {_pesq_stoi(scores)}" if scores else "not scored"


def _identified(found: Mapping[str, Any] | None) -> str:
    if not found:
        return "-"
    verdict = '<span class="yes">identified</span>' if found["identified"] else '<span class="no">not identified</span>'
    return f"{verdict}, rank {found['rank']}, right/wrong {found['right_wrong']:.3f}"
