"""Plotting helpers: eigenvalue clustering (used to count multiplicities) and input checks."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from varmem import operators as ops
from varmem import plotting


def test_eigenvalue_clusters_count_multiplicities():
    eig = np.linalg.eigvals(ops.repeat_copy_phi_matrix(6, 3))
    clusters = plotting.eigenvalue_clusters(eig)
    assert len(clusters) == 6 and all(count == 3 for _, count in clusters)
    angles = sorted(np.angle(v) % (2 * np.pi) for v, _ in clusters)
    assert np.allclose(angles, 2 * np.pi * np.arange(6) / 6, atol=1e-6)


def test_negative_zero_parts_group_together():
    clusters = plotting.eigenvalue_clusters(np.array([1 + 0j, complex(1, -0.0), -1e-9 + 1j]))
    assert sorted(count for _, count in clusters) == [1, 2]


def test_input_checks():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="matrix must be 2-d"):
        plotting.operator_heatmap(ax, np.zeros(3))
    with pytest.raises(ValueError, match=r"states must have shape \(T, s\*d\)"):
        plotting.variable_tiles([ax], np.zeros((1, 5)), 2, 2, [0])
    with pytest.raises(ValueError, match="one entry per row"):
        plotting.variable_tiles([ax], np.zeros((2, 4)), 2, 2, [0])
    plt.close(fig)


def test_process_figure_has_one_tile_per_step():
    s, d, steps = 2, 2, 3
    phi = ops.fibonacci_phi_matrix(s, d)
    states = np.array([np.linalg.matrix_power(phi, n) @ np.ones(s * d) for n in range(steps)])
    fig = plotting.process_figure(phi, ops.readout_matrix(s, d), states, states, s, d, [2, 3, 4])
    titles = [ax.get_title() for ax in fig.axes]
    assert [t for t in titles if t.startswith("t = ")] == ["t = 2", "t = 3", "t = 4"]
    plt.close(fig)
