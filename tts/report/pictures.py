"""The report's pictures (matplotlib, drawn off screen, one figure object per picture: no pyplot
state): the reference and the voice's mel on one scale, and the attention alignment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from base.files import atomic_path

DPI = 80


def _save(figure: Any, path: Path) -> Path:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    with atomic_path(path, suffix=".tmp.png") as tmp:
        figure.savefig(tmp, format="png", dpi=DPI)
    return path


def mel_picture(reference: np.ndarray, spoken: np.ndarray, seconds_per_frame: float, path: Path) -> Path:
    """Two log-mels ``[n_mel, frames]`` one above the other on one colour scale and one time axis:
    espeak-ng's reference and the voice's prediction."""
    from matplotlib.figure import Figure

    low = float(min(reference.min(), spoken.min()))
    high = float(max(reference.max(), spoken.max()))
    longest = max(reference.shape[1], spoken.shape[1]) * seconds_per_frame
    figure = Figure(figsize=(7.0, 3.6), layout="constrained")
    axes = figure.subplots(2, 1, sharex=True)
    for ax, mel, title in ((axes[0], reference, "espeak-ng reference"), (axes[1], spoken, "the voice (predicted mel)")):
        image = ax.imshow(
            mel,
            origin="lower",
            aspect="auto",
            interpolation="nearest",
            cmap="magma",
            vmin=low,
            vmax=high,
            extent=(0.0, mel.shape[1] * seconds_per_frame, 0, mel.shape[0]),
        )
        ax.set_xlim(0.0, longest)
        ax.set_title(title, fontsize=9)
        ax.set_ylabel("mel band", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[1].set_xlabel("seconds", fontsize=8)
    figure.colorbar(image, ax=axes, shrink=0.8, label="log mel").ax.tick_params(labelsize=7)
    return _save(figure, path)


def alignment_picture(alignment: np.ndarray, frames_per_step: int, path: Path) -> Path:
    """Attention weights ``[decoder steps, input symbols]``: a clean alignment is one bright line
    rising from the bottom left to the top right."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.0, 2.8), layout="constrained")
    ax = figure.subplots()
    image = ax.imshow(alignment.T, origin="lower", aspect="auto", interpolation="nearest", cmap="viridis", vmin=0)
    ax.set_title("attention alignment", fontsize=9)
    ax.set_xlabel(f"decoder step ({frames_per_step} frame{'s' if frames_per_step > 1 else ''} each)", fontsize=8)
    ax.set_ylabel("input symbol", fontsize=8)
    ax.tick_params(labelsize=7)
    figure.colorbar(image, ax=ax, label="weight").ax.tick_params(labelsize=7)
    return _save(figure, path)
