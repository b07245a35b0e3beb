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


@pytest.mark.parametrize(("s", "d"), [(2, 1), (3, 2), (4, 5)])
def test_fibonacci_phi_generates_the_sequence(s, d):
    u = [sp.Matrix(sp.symbols(f"u{k}_1:{d + 1}")) for k in range(1, s + 1)]
    h = sp.Matrix.vstack(*u)
    phi = ops.fibonacci_phi(s, d).matrix()
    readout = ops.fibonacci_readout(s, d).matrix()
    seq = ops.generalised_fibonacci(u, 4 * s + 1)
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


def test_generalised_fibonacci_recursion():
    assert ops.generalised_fibonacci([1, 1], 10) == [1, 1, 2, 3, 5, 8, 13, 21, 34, 55]
    assert ops.generalised_fibonacci([1, 0, 0], 7) == [1, 0, 0, 1, 1, 2, 4]
    assert ops.generalised_fibonacci([1, 2, 3], 2) == [1, 2]
    with pytest.raises(ValueError, match="initial must hold at least one"):
        ops.generalised_fibonacci([], 3)
    with pytest.raises(ValueError, match="n must be a positive integer"):
        ops.generalised_fibonacci([1], 0)


def test_variables_in_memories_places_each_input():
    psi = ops.variable_memory_basis(3, 2)
    state = ops.variables_in_memories({1: 3, 2: 1}, 2, psi)
    u11, u21, u12, u22 = sp.symbols("u^1(1) u^2(1) u^1(2) u^2(2)")
    assert state.components() == sp.Matrix([u12, u22, 0, 0, u11, u21])
    assert ops.input_symbols(4, 2) == [sp.Symbol("u^1(4)"), sp.Symbol("u^2(4)")]
    with pytest.raises(ValueError, match=r"mu must be in 1\.\.6"):
        ops.variables_in_memories({1: 4}, 2, psi)


@pytest.mark.parametrize(("s", "kappa"), [(2, 1), (3, 2), (5, 4)])
def test_repeat_copy_closed_form(s, kappa):
    """The corrected Eq. 18: after t more steps input mu is in memory ((mu - t - 1) mod s) + 1."""
    psi = ops.variable_memory_basis(s, kappa)
    phi = ops.repeat_copy_phi(s, kappa, psi)
    h = ops.variables_in_memories({mu: mu for mu in range(1, s + 1)}, kappa, psi)
    for t in range(2 * s + 1):
        expected = {mu: (mu - t - 1) % s + 1 for mu in range(1, s + 1)}
        assert h == ops.variables_in_memories(expected, kappa, psi)
        h = phi * h
