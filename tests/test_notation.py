"""Dirac notation: dual bases, contractions, matrices and basis changes."""

import numpy as np
import pytest
import sympy as sp

from varmem.notation import Basis, Ket, Operator, standard_basis


def random_basis(n: int, seed: int) -> sp.Matrix:
    rng = np.random.default_rng(seed)
    while True:
        xi = sp.Matrix(rng.integers(-3, 4, size=(n, n)))
        if xi.det() != 0:
            return xi


def test_dual_basis_is_biorthogonal():
    xi = random_basis(4, 0)
    psi = Basis(r"\psi", 4, xi)
    gram = sp.Matrix(4, 4, lambda i, j: psi.bra(i + 1) * psi.ket(j + 1))
    assert gram == sp.eye(4)
    assert psi.dual * psi.vectors == sp.eye(4)


def test_cross_basis_overlap_is_the_component_of_xi():
    xi = random_basis(3, 1)
    psi = Basis(r"\psi", 3, xi)
    e = standard_basis(3)
    for i in range(1, 4):
        for mu in range(1, 4):
            assert e.bra(i) * psi.ket(mu) == xi[i - 1, mu - 1]
            assert psi.bra(mu) * e.ket(i) == xi.inv()[mu - 1, i - 1]


def test_ket_arithmetic_and_components():
    a, b = sp.symbols("a b")
    e = standard_basis(3)
    v = a * e.ket(1) + b * e.ket(3) - e.ket(3)
    assert v.components() == sp.Matrix([a, 0, b - 1])
    assert v == e.ket_from_components([a, 0, b - 1])
    assert v - v == Ket(e, {})
    assert (e.bra(3) * v) == b - 1


def test_components_recover_vector_in_any_basis():
    xi = random_basis(3, 2)
    psi = Basis(r"\psi", 3, xi)
    e = standard_basis(3)
    v = e.ket_from_components(sp.symbols("v1:4"))
    comps = [psi.bra(mu) * v for mu in range(1, 4)]
    rebuilt = psi.ket_from_components(comps)
    assert rebuilt.in_standard_basis() == v.components()


def test_outer_product_applies_by_kronecker_delta():
    psi = Basis(r"\psi", 4)
    op = psi.ket(1) * psi.bra(3)
    assert op * psi.ket(3) == psi.ket(1)
    assert op * psi.ket(2) == Ket(psi, {})
    assert op.matrix() == sp.Matrix(4, 4, lambda i, j: 1 if (i, j) == (0, 2) else 0)


def test_operator_in_standard_basis_is_xi_phi_xi_inverse():
    xi = random_basis(3, 3)
    psi = Basis(r"\psi", 3, xi)
    phi = sp.Matrix(3, 3, sp.symbols("p0:9"))
    op = Operator.from_matrix(phi, psi)
    assert sp.simplify(op.in_standard_basis() - xi * phi * xi.inv()) == sp.zeros(3, 3)


def test_tall_basis_uses_left_pseudo_inverse():
    xi = sp.Matrix([[1, 0], [0, 1], [1, 1]])
    psi = Basis(r"\psi", 2, xi)
    assert psi.dual * xi == sp.eye(2)
    assert psi.dual == (xi.T * xi).inv() * xi.T


def test_application_matches_matrix_product():
    psi = Basis(r"\psi", 3)
    m = sp.Matrix([[0, 1, 0], [2, 0, 0], [0, 0, -1]])
    op = Operator.from_matrix(m, psi)
    v = psi.ket_from_components(sp.symbols("x1:4"))
    assert (op * v).components() == m * v.components()
    assert (op * op).matrix() == m * m
    assert (op**3).matrix() == m**3


def test_latex_is_readable():
    psi = Basis(r"\psi", 2)
    assert psi.ket(1)._repr_latex_() == r"$\left|\psi_{1}\right\rangle$"
    op = 2 * (psi.ket(1) * psi.bra(2))
    assert op._repr_latex_() == r"$2 \left|\psi_{1}\right\rangle\left\langle \psi^{2}\right|$"


@pytest.mark.parametrize("dim", [0, -1, 2.5, True, "3"])
def test_bad_dim(dim):
    with pytest.raises(ValueError, match="dim must be a positive integer"):
        Basis("x", dim)


def test_singular_basis_is_rejected():
    with pytest.raises(ValueError, match="linearly independent"):
        Basis(r"\psi", 2, [[1, 2], [2, 4]])


def test_basis_vectors_must_match_dim():
    with pytest.raises(ValueError, match="vectors must have dim=3 columns"):
        Basis(r"\psi", 3, np.eye(2))


def test_index_out_of_range():
    with pytest.raises(ValueError, match=r"mu must be in 1..2"):
        Basis("x", 2).ket(3)
    with pytest.raises(ValueError, match=r"nu must be an integer"):
        Basis("x", 2).bra(1.0)


def test_abstract_bases_cannot_be_related():
    psi, phi = Basis(r"\psi", 2), Basis(r"\phi", 2)
    with pytest.raises(ValueError, match="give both bases vectors"):
        (psi.ket(1) * psi.bra(1)) * phi.ket(1)
    with pytest.raises(ValueError, match="abstract"):
        psi.ket(1).in_standard_basis()


def test_from_matrix_shape_is_checked():
    with pytest.raises(ValueError, match=r"matrix must have shape \(2, 2\)"):
        Operator.from_matrix(sp.eye(3), Basis("x", 2))
