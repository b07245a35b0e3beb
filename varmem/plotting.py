"""Figures of the book: operators as heat maps, spectra on the unit circle, variable activity."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import SymLogNorm
from matplotlib.image import AxesImage

from varmem._checks import as_positive_int

__all__ = [
    "accuracy_by_timestep_plot",
    "eigenvalue_clusters",
    "new_figure",
    "operator_heatmap",
    "process_figure",
    "sequence_figure",
    "spectrum_plot",
    "task_figure",
    "training_curves",
    "variable_tiles",
]


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


def eigenvalue_clusters(eigenvalues: np.ndarray, decimals: int = 6) -> list[tuple[complex, int]]:
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
    annotate: bool = False,
    cmap: str = "coolwarm",
) -> AxesImage:
    """Draw hidden states in the variable-memory basis as one ``(s, d)`` tile per time step.

    `states` has shape ``(T, s*d)`` (components on ψ_1..ψ_{s·d} at each of T steps); row k of a
    tile is variable memory Ψ_{k+1}. Colours share one symmetric log scale, so values of very
    different size stay visible; with `annotate` each cell also shows its value.
    """
    s = as_positive_int(s, "s")
    d = as_positive_int(d, "d")
    array = np.asarray(states, dtype=float)
    if array.ndim != 2 or array.shape[1] != s * d:
        raise ValueError(f"states must have shape (T, s*d) = (T, {s * d}), got {array.shape}")
    if len(axes) != array.shape[0] or len(times) != array.shape[0]:
        raise ValueError("axes and times need one entry per row of states")
    scale = float(np.max(np.abs(array))) or 1.0
    norm = SymLogNorm(
        linthresh=max(scale * 1e-3, float(np.min(np.abs(array[array != 0]), initial=scale))),
        vmin=-scale,
        vmax=scale,
    )
    image = None
    for ax, state, t in zip(axes, array, times, strict=True):
        tile = state.reshape(s, d)
        image = ax.imshow(tile, cmap=cmap, norm=norm, interpolation="nearest")
        if annotate:
            for (row, col), value in np.ndenumerate(tile):
                ax.text(col, row, f"{value:g}", ha="center", va="center", fontsize=6)
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


def _panel_label(ax: Axes, letter: str) -> None:
    ax.text(-0.08, 1.04, letter, transform=ax.transAxes, fontweight="bold", va="bottom")


def process_figure(
    phi: np.ndarray,
    readout: np.ndarray,
    psi_states: np.ndarray,
    standard_states: np.ndarray,
    s: int,
    d: int,
    times: Sequence[int],
    annotate: bool = True,
) -> plt.Figure:
    """A process on variable memories in four panels (the layout of the paper's Figure 1).

    A: Φ ``(s*d, s*d)`` on the ψ basis; B: the readout W_r ``(d, s*d)``; C: the hidden states
    ``standard_states`` ``(T, N)`` in the standard basis, each step scaled by its largest
    magnitude; D: the same states on the ψ basis, ``psi_states`` ``(T, s*d)``, one
    ``(s, d)`` tile per step (rows are the variable memories Ψ_1..Ψ_s), values written in
    the cells when `annotate` is true.
    """
    s = as_positive_int(s, "s")
    d = as_positive_int(d, "d")
    standard = np.asarray(standard_states, dtype=float)
    fig = new_figure(9.0, 5.4)
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.3, 1.0])
    ax_phi, ax_read, ax_std = top.subplots(1, 3, width_ratios=[1.0, 1.0, 1.2])
    operator_heatmap(ax_phi, phi, block=d, title=r"A. $\Phi$ on $|\psi_\mu\rangle$")
    operator_heatmap(
        ax_read, readout, block=d, row_block=0, title=r"B. $W_r = \Psi_s^*$ on $\langle\psi^\mu|$"
    )
    ax_read.set_aspect("auto")
    scaled = standard / np.maximum(np.max(np.abs(standard), axis=1, keepdims=True), 1e-300)
    ax_std.imshow(
        scaled.T, cmap="coolwarm", vmin=-1, vmax=1, aspect="auto", interpolation="nearest"
    )
    ax_std.set_title(r"C. $h(t)$ on $|e_i\rangle$")
    ax_std.set_xticks(range(len(times)))
    ax_std.set_xticklabels([str(t) for t in times], fontsize=8)
    ax_std.set_xlabel("t")
    ax_std.set_yticks([])
    ax_std.set_ylabel("neuron")
    bottom.suptitle(r"D. $h(t)$ on the variable memories $\Psi_1, \dots, \Psi_s$", fontsize=11)
    tiles = bottom.subplots(1, len(times), sharey=True)
    variable_tiles(list(np.atleast_1d(tiles)), psi_states, s, d, times, annotate=annotate)
    return fig


def task_figure(tasks: Sequence, names: Sequence[str] | None = None) -> plt.Figure:
    """For each task (with attributes F ``(s*d, d)``, phi ``(s*d, s*d)``, s, d), draw F^T and Φ.

    One row per task: the selection ``F^T`` (which window entry feeds each output component)
    and the task's theoretical Φ on the ψ basis, block lines every d.
    """
    fig = new_figure(8.0, 2.3 * len(tasks))
    axes = np.atleast_2d(fig.subplots(len(tasks), 2, width_ratios=[1.0, 1.0]))
    for row, task in enumerate(tasks):
        label = names[row] if names is not None else getattr(task, "name", f"task {row + 1}")
        operator_heatmap(axes[row, 0], np.asarray(task.F).T, block=task.d, row_block=0,
                         title=rf"{label}: $F^\top$ (oldest block left)")  # fmt: skip
        axes[row, 0].set_aspect("auto")
        operator_heatmap(axes[row, 1], task.phi, block=task.d, title=rf"{label}: $\Phi$")
    return fig


def sequence_figure(inputs: np.ndarray, targets: np.ndarray, n_input: int) -> plt.Figure:
    """One sequence of a task: `inputs` and `targets` ``(time, d)`` as heat maps over time.

    A line marks the end of the input phase (`n_input` steps).
    """
    fig = new_figure(8.0, 3.2)
    axes = fig.subplots(2, 1, sharex=True)
    for ax, data, title in zip(axes, (inputs, targets), ("input u(t)", "target"), strict=True):
        ax.imshow(np.asarray(data).T, cmap="coolwarm", vmin=-1, vmax=1, aspect="auto",
                  interpolation="nearest")  # fmt: skip
        ax.axvline(n_input - 0.5, color="black", lw=1)
        ax.set_ylabel("component")
        ax.set_title(title, fontsize=10)
    axes[1].set_xlabel("time step")
    return fig


def training_curves(histories: Sequence[dict], labels: Sequence[str]) -> plt.Figure:
    """Loss (log scale), training horizon and batch accuracy per iteration, one line per run.

    Each history maps ``loss``, ``horizon`` and ``accuracy`` to 1-d arrays over iterations.
    """
    fig = new_figure(9.0, 3.0)
    axes = fig.subplots(1, 3)
    for history, label in zip(histories, labels, strict=True):
        axes[0].semilogy(history["loss"], lw=0.6, label=label)
        axes[1].plot(history["horizon"], lw=0.8, label=label)
        axes[2].plot(history["accuracy"], lw=0.6, label=label)
    for ax, title in zip(axes, ("MSE loss", "training horizon", "batch accuracy"), strict=True):
        ax.set_xlabel("iteration")
        ax.set_title(title, fontsize=10)
    axes[0].legend(fontsize=7)
    return fig


def accuracy_by_timestep_plot(
    ax: Axes, curves: Sequence[np.ndarray], labels: Sequence[str], trained_horizon: int
) -> None:
    """Test accuracy at each output step (1-d arrays), with the training horizon marked."""
    for curve, label in zip(curves, labels, strict=True):
        ax.plot(np.arange(1, len(curve) + 1), curve, lw=0.8, label=label)
    ax.axvline(trained_horizon, color="0.4", ls="--", lw=0.8)
    ax.text(trained_horizon, ax.get_ylim()[0], " longest training horizon", fontsize=8, va="bottom")
    ax.set_xlabel("output step t - s")
    ax.set_ylabel("test accuracy")
    ax.legend(fontsize=7)
