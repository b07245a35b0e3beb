"""Figures of the book: operators as heat maps, spectra on the unit circle, variable activity."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.image import AxesImage

from varmem._checks import as_positive_int

__all__ = ["eigenvalue_clusters", "operator_heatmap", "spectrum_plot", "variable_tiles"]


def operator_heatmap(
    ax: Axes,
    matrix: np.ndarray,
    block: int | None = None,
    row_block: int | None = None,
    title: str | None = None,
    cmap: str = "coolwarm",
) -> AxesImage:
    """Draw a ``(rows, cols)`` matrix as a heat map centred on zero.

    Lines every `block` columns (and every `row_block` rows, default `block`) mark the
    variable memories Ψ_1, Ψ_2, ...; a block of 0 or None draws none.
    """
    m = np.asarray(matrix, dtype=float)
    if m.ndim != 2:
        raise ValueError(f"matrix must be 2-d, got shape {m.shape}")
    scale = float(np.max(np.abs(m))) or 1.0
    image = ax.imshow(m, cmap=cmap, vmin=-scale, vmax=scale, interpolation="nearest")
    row_block = block if row_block is None else row_block
    if block:
        for x in range(block, m.shape[1], block):
            ax.axvline(x - 0.5, color="0.3", lw=0.6)
    if row_block:
        for y in range(row_block, m.shape[0], row_block):
            ax.axhline(y - 0.5, color="0.3", lw=0.6)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return image


def eigenvalue_clusters(
    eigenvalues: np.ndarray, decimals: int = 6
) -> list[tuple[complex, int]]:
    """Group eigenvalues that agree to `decimals` places: a list of (value, multiplicity)."""
    rounded = np.round(np.asarray(eigenvalues, dtype=complex), decimals)
    # Rounding can leave -0.0; adding 0.0 folds it onto +0.0 so equal values group together.
    keys = [complex(z.real + 0.0, z.imag + 0.0) for z in rounded]
    counts: dict[complex, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    return sorted(counts.items(), key=lambda item: (np.angle(item[0]), abs(item[0])))


def spectrum_plot(
    ax: Axes,
    eigenvalues: np.ndarray,
    label: str | None = None,
    color: str = "black",
    marker: str = "o",
    annotate_multiplicity: bool = True,
) -> None:
    """Plot eigenvalues in the complex plane over the unit circle.

    With `annotate_multiplicity`, each group of coinciding eigenvalues is labelled with its
    count, placed just outside the circle.
    """
    values = np.asarray(eigenvalues, dtype=complex)
    theta = np.linspace(0, 2 * np.pi, 400)
    ax.plot(np.cos(theta), np.sin(theta), color="0.7", lw=0.8, zorder=0)
    ax.axhline(0, color="0.85", lw=0.5, zorder=0)
    ax.axvline(0, color="0.85", lw=0.5, zorder=0)
    ax.scatter(values.real, values.imag, s=28, color=color, marker=marker, label=label, zorder=2)
    if annotate_multiplicity:
        for value, count in eigenvalue_clusters(values, decimals=4):
            if count > 1:
                radius = abs(value) + 0.18
                angle = np.angle(value)
                ax.annotate(
                    f"×{count}",
                    (radius * np.cos(angle), radius * np.sin(angle)),
                    ha="center",
                    va="center",
                    fontsize=8,
                )
    ax.set_aspect("equal")
    ax.set_xlim(-1.45, 1.45)
    ax.set_ylim(-1.45, 1.45)
    ax.set_xlabel(r"Re $\lambda$")
    ax.set_ylabel(r"Im $\lambda$")


def variable_tiles(
    axes: Sequence[Axes],
    states: np.ndarray,
    s: int,
    d: int,
    times: Sequence[int],
    cmap: str = "coolwarm",
) -> AxesImage:
    """Draw hidden states in the variable-memory basis as one ``(s, d)`` tile per time step.

    `states` has shape ``(T, s*d)`` (components on ψ_1..ψ_{s·d} at each of T steps); row k of a
    tile is variable memory Ψ_{k+1}. Each tile is scaled by its own largest magnitude so that
    the pattern, not the growth, is what the colour shows.
    """
    s = as_positive_int(s, "s")
    d = as_positive_int(d, "d")
    array = np.asarray(states, dtype=float)
    if array.ndim != 2 or array.shape[1] != s * d:
        raise ValueError(f"states must have shape (T, s*d) = (T, {s * d}), got {array.shape}")
    if len(axes) != array.shape[0] or len(times) != array.shape[0]:
        raise ValueError("axes and times need one entry per row of states")
    image = None
    for ax, state, t in zip(axes, array, times, strict=True):
        tile = state.reshape(s, d)
        scale = float(np.max(np.abs(tile))) or 1.0
        image = ax.imshow(tile / scale, cmap=cmap, vmin=-1, vmax=1, interpolation="nearest")
        ax.set_title(f"t = {t}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks(range(s))
        ax.set_yticklabels([rf"$\Psi_{k}$" for k in range(1, s + 1)], fontsize=8)
        ax.label_outer()
    assert image is not None
    return image


def new_figure(width: float = 8.0, height: float = 3.5) -> plt.Figure:
    """A figure of the book's standard look (constrained layout)."""
    return plt.figure(figsize=(width, height), layout="constrained")
