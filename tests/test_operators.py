"""The paper's operators: Dirac form against numpy form, dynamics, spectra and bad inputs."""

import numpy as np
import pytest
import sympy as sp

from varmem import operators as ops

SIZES = [(1, 1), (2, 1), (3, 2), (4, 5), (8, 8)]


@pytest.mark.parametrize(("s", "d"), SIZES)
def test_dirac_and_numpy_builders_agree(s, d):
    assert np.array_equal(ops.fibonacci_phi(s, d).to_numpy(), ops.fibonacci_phi_matrix(s, d))
    assert np.array_equal(ops.fibonacci_readout(s, d).to_numpy(), ops.readout_matrix(s, d))
    assert np.array_equal(ops.repeat_copy_phi(s, d).to_numpy(), ops.repeat_copy_phi_matrix(s, d))
    assert np.array_equal(ops.repeat_copy_input(s, d).to_numpy(), ops.input_matrix(s, d))
    assert np.array_equal(ops.repeat_copy_readout(s, d).to_numpy(), ops.readout_matrix(s, d))


@pytest.mark.parametrize(("s", "d"), SIZES)
def test_repeat_copy_is_the_variable_binding_task_of_its_selection(s, d):
    F = ops.repeat_copy_selection(s, d)
    assert np.array_equal(ops.variable_binding_phi_matrix(F), ops.repeat_copy_phi_matrix(s, d))
    assert ops.variable_binding_phi(F) == ops.repeat_copy_phi(s, d)


def fibonacci_sequence(initial: list[sp.Matrix], n: int) -> list[sp.Matrix]:
    seq = list(initial)
    s = len(initial)
    while len(seq) < n:
        seq.append(sum(seq[-s:], sp.zeros(*initial[0].shape)))
    return seq


@pytest.mark.parametrize(("s", "d"), [(2, 1), (3, 2), (4, 5)])
def test_fibonacci_phi_generates_the_sequence(s, d):
    u = [sp.Matrix(sp.symbols(f"u{k}_1:{d + 1}")) for k in range(1, s + 1)]
    h = sp.Matrix.vstack(*u)
    phi = ops.fibonacci_phi(s, d).matrix()
    readout = ops.fibonacci_readout(s, d).matrix()
    seq = fibonacci_sequence(u, 4 * s + 1)
    for n in range(3 * s + 1):
        assert readout * h == seq[s + n - 1]
        assert h == sp.Matrix.vstack(*seq[n : n + s])
        h = phi * h


def test_variable_binding_phi_applies_its_rule():
    rng = np.random.default_rng(0)
    s, d = 3, 4
    F = np.zeros((s * d, d), dtype=int)
    F[rng.choice(s * d, d), np.arange(d)] = rng.choice([-1, 1], d)
    window = rng.choice([-1, 1], s * d)
    phi = ops.variable_binding_phi_matrix(F)
    new = phi @ window
    assert np.array_equal(new[: (s - 1) * d], window[d:])
    assert np.array_equal(new[(s - 1) * d :], F.T @ window)
    assert np.array_equal(ops.variable_binding_phi(F).to_numpy(), phi)


@pytest.mark.parametrize(("s", "kappa"), [(2, 1), (3, 2), (5, 4), (8, 8)])
def test_repeat_copy_spectrum_is_roots_of_unity(s, kappa):
    lam = sp.Symbol("lambda")
    charpoly = ops.repeat_copy_phi(s, kappa).matrix().charpoly(lam).as_expr()
    assert sp.expand(charpoly - (lam**s - 1) ** kappa) == 0
    eig = np.linalg.eigvals(ops.repeat_copy_phi_matrix(s, kappa))
    assert np.allclose(np.abs(eig), 1)
    assert np.allclose(eig**s, 1)


@pytest.mark.parametrize("bad", [0, -2, 1.5, None, True])
def test_sizes_must_be_positive_integers(bad):
    with pytest.raises(ValueError, match="s must be a positive integer"):
        ops.fibonacci_phi(bad, 2)
    with pytest.raises(ValueError, match="d must be a positive integer"):
        ops.fibonacci_phi_matrix(2, bad)
    with pytest.raises(ValueError, match="kappa must be a positive integer"):
        ops.repeat_copy_phi_matrix(2, bad)
    with pytest.raises(ValueError, match="d must be a positive integer"):
        ops.readout_matrix(2, bad)


@pytest.mark.parametrize(
    ("F", "message"),
    [
        (np.ones(4), "2-d"),
        (np.zeros((5, 2)), "not a multiple"),
        (np.array([[2, 0], [0, 1]]), "entries may only be"),
        (np.array([[1, 0], [1, 0], [0, 1], [0, 0]]), "column 0 has 2"),
        (np.array([[0, 1], [0, 0]]), "column 0 has 0"),
        (np.array([[0.5, 0], [0, 1]]), "entries may only be"),
    ],
)
def test_bad_selection(F, message):
    with pytest.raises(ValueError, match=message):
        ops.check_selection(F)
    with pytest.raises(ValueError, match=message):
        ops.variable_binding_phi_matrix(F)


def test_basis_size_is_checked():
    with pytest.raises(ValueError, match="basis must have s\\*d = 6 vectors"):
        ops.fibonacci_phi(3, 2, basis=ops.variable_memory_basis(2, 2))


def test_signed_selection_accepts_negative_entries():
    F = np.array([[0, 0], [0, -1], [-1, 0], [0, 0]])
    assert ops.check_selection(F) == (2, 2)
    phi = ops.variable_binding_phi_matrix(F)
    assert np.array_equal(phi[2:], F.T)
