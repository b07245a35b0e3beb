"""Dirac notation in sympy: kets, bras and operators over a basis and its dual."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import sympy as sp

from varmem._checks import as_positive_int

__all__ = [
    "Basis",
    "Bra",
    "Ket",
    "Operator",
    "standard_basis",
]


def _term_latex(coefficient: sp.Expr, symbol: str) -> str:
    """LaTeX of `coefficient * symbol`, with parentheses where a sum needs them."""
    if coefficient == 1:
        return symbol
    if coefficient == -1:
        return "-" + symbol
    text = sp.latex(coefficient)
    if isinstance(coefficient, sp.Add):
        text = rf"\left({text}\right)"
    return f"{text} {symbol}"


def _join_latex(terms: list[str]) -> str:
    if not terms:
        return "0"
    out = terms[0]
    for term in terms[1:]:
        out += term if term.startswith("-") else " + " + term
    return out


class Basis:
    """A named basis of `dim` vectors, optionally given by their standard-basis coordinates.

    Indices are 1-based, as in the paper: `basis.ket(1)` is the first basis vector.

    Parameters
    ----------
    symbol
        LaTeX symbol of the basis vectors, e.g. ``r"\\psi"`` or ``"e"``.
    dim
        Number of basis vectors.
    vectors
        Optional ``(N, dim)`` matrix whose columns are the basis vectors in the standard
        basis of an N-dimensional space (``N >= dim``). The columns must be linearly
        independent; the dual basis is then given by the rows of the left pseudo-inverse.
    """

    def __init__(self, symbol: str, dim: int, vectors: Any | None = None) -> None:
        self.symbol = symbol
        self.dim = as_positive_int(dim, "dim")
        self._vectors: sp.Matrix | None = None
        self._dual: sp.Matrix | None = None
        if vectors is not None:
            matrix = sp.Matrix(vectors)
            if matrix.cols != self.dim:
                raise ValueError(
                    f"vectors must have dim={self.dim} columns (one per basis vector), "
                    f"got shape {matrix.shape}"
                )
            gram = matrix.T * matrix
            if gram.det() == 0:
                raise ValueError(
                    "vectors must be linearly independent (a non-singular basis); "
                    f"the {matrix.shape} matrix given has rank {matrix.rank()} < {self.dim}"
                )
            self._vectors = matrix
            self._dual = matrix.inv() if matrix.is_square else gram.inv() * matrix.T

    @property
    def vectors(self) -> sp.Matrix:
        """``(N, dim)`` matrix whose columns are the basis vectors in the standard basis."""
        if self._vectors is None:
            raise ValueError(
                f"basis {self.symbol!r} is abstract: give it vectors to relate it to the "
                "standard basis"
            )
        return self._vectors

    @property
    def dual(self) -> sp.Matrix:
        """``(dim, N)`` matrix whose rows are the dual covectors, so ``dual * vectors = I``."""
        if self._dual is None:
            self.vectors  # noqa: B018 -- raises the error that explains an abstract basis
        return self._dual

    @property
    def is_abstract(self) -> bool:
        return self._vectors is None

    def _check_index(self, index: Any, name: str) -> int:
        if isinstance(index, bool) or not isinstance(index, (int, np.integer, sp.Integer)):
            raise ValueError(f"{name} must be an integer in 1..{self.dim}, got {index!r}")
        if not 1 <= index <= self.dim:
            raise ValueError(
                f"{name} must be in 1..{self.dim} for basis {self.symbol!r}, got {index}"
            )
        return int(index)

    def ket(self, mu: int) -> Ket:
        """The basis ket ``|symbol_mu>``."""
        return Ket(self, {self._check_index(mu, "mu"): sp.Integer(1)})

    def bra(self, nu: int) -> Bra:
        """The dual basis bra ``<symbol^nu|``, with ``<symbol^nu|symbol_mu> = delta``."""
        return Bra(self, {self._check_index(nu, "nu"): sp.Integer(1)})

    def ket_from_components(self, components: Iterable[Any]) -> Ket:
        """The ket ``sum_mu c^mu |symbol_mu>`` for a length-`dim` sequence of components."""
        values = list(components)
        if len(values) != self.dim:
            raise ValueError(f"components must have length dim={self.dim}, got {len(values)}")
        return Ket(self, {mu: sp.sympify(c) for mu, c in enumerate(values, start=1)})

    def identity(self) -> Operator:
        """The resolution of the identity ``sum_mu |symbol_mu><symbol^mu|``."""
        return Operator(self, self, {(mu, mu): sp.Integer(1) for mu in range(1, self.dim + 1)})

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        # Abstract bases are identified by symbol and size; concrete ones also by their vectors.
        if not isinstance(other, Basis) or (self.symbol, self.dim) != (other.symbol, other.dim):
            return False
        if self.is_abstract or other.is_abstract:
            return self.is_abstract and other.is_abstract
        return self.vectors == other.vectors

    def __hash__(self) -> int:
        return hash((self.symbol, self.dim))

    def __repr__(self) -> str:
        kind = "abstract" if self.is_abstract else f"in R^{self.vectors.rows}"
        return f"Basis({self.symbol!r}, dim={self.dim}, {kind})"


def standard_basis(n: int, symbol: str = "e") -> Basis:
    """The standard basis ``|e_1>, ..., |e_n>`` of R^n (its vectors are the identity)."""
    n = as_positive_int(n, "n")
    return Basis(symbol, n, sp.eye(n))


def _clean(coefficients: Mapping[Any, Any]) -> dict[Any, sp.Expr]:
    out = {}
    for key, value in coefficients.items():
        value = sp.expand(sp.sympify(value))
        if value != 0:
            out[key] = value
    return out


def _overlap(bra_basis: Basis, nu: int, ket_basis: Basis, mu: int) -> sp.Expr:
    """``<a^nu|b_mu>``: a Kronecker delta within one basis, dual times vectors across two."""
    if bra_basis == ket_basis:
        return sp.KroneckerDelta(nu, mu)
    return (bra_basis.dual * ket_basis.vectors)[nu - 1, mu - 1]


class _Linear:
    """Shared arithmetic of kets, bras and operators: a dict from labels to coefficients."""

    coefficients: dict[Any, sp.Expr]

    def _new(self, coefficients: Mapping[Any, Any]) -> Any:
        raise NotImplementedError

    def _same_space(self, other: Any) -> bool:
        raise NotImplementedError

    def __add__(self, other: Any) -> Any:
        if not isinstance(other, type(self)):
            if other == 0:
                return self
            return NotImplemented
        if not self._same_space(other):
            raise ValueError(f"cannot add {self!r} and {other!r}: they live in different bases")
        merged = dict(self.coefficients)
        for key, value in other.coefficients.items():
            merged[key] = merged.get(key, 0) + value
        return self._new(merged)

    __radd__ = __add__

    def __neg__(self) -> Any:
        return self._new({k: -v for k, v in self.coefficients.items()})

    def __sub__(self, other: Any) -> Any:
        return self + (-other)

    def __rmul__(self, scalar: Any) -> Any:
        scalar = sp.sympify(scalar)
        return self._new({k: scalar * v for k, v in self.coefficients.items()})

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, type(self)) or not self._same_space(other):
            return NotImplemented
        difference = self - other
        return all(sp.simplify(v) == 0 for v in difference.coefficients.values())

    def __hash__(self) -> int:
        return id(self)


class Ket(_Linear):
    """A vector ``sum_mu c^mu |symbol_mu>`` in one basis; `coefficients` maps mu to c^mu."""

    def __init__(self, basis: Basis, coefficients: Mapping[int, Any]) -> None:
        self.basis = basis
        self.coefficients = _clean(coefficients)

    def _new(self, coefficients: Mapping[int, Any]) -> Ket:
        return Ket(self.basis, coefficients)

    def _same_space(self, other: Ket) -> bool:
        return other.basis == self.basis

    def __mul__(self, other: Any) -> Any:
        if isinstance(other, Bra):
            return Operator(
                self.basis,
                other.basis,
                {
                    (mu, nu): a * b
                    for mu, a in self.coefficients.items()
                    for nu, b in other.coefficients.items()
                },
            )
        if isinstance(other, (Ket, Operator)):
            return NotImplemented
        return self.__rmul__(other)

    def components(self) -> sp.Matrix:
        """``(dim, 1)`` column of components in this ket's own basis."""
        return sp.Matrix([self.coefficients.get(mu, 0) for mu in range(1, self.basis.dim + 1)])

    def in_standard_basis(self) -> sp.Matrix:
        """``(N, 1)`` column of components in the standard basis: ``vectors * components``."""
        return self.basis.vectors * self.components()

    def dagger(self) -> Bra:
        """The bra with the same components on the dual basis (real coefficients)."""
        return Bra(self.basis, self.coefficients)

    def _repr_latex_(self) -> str:
        s = self.basis.symbol
        terms = [
            _term_latex(c, rf"\left|{s}_{{{mu}}}\right\rangle")
            for mu, c in sorted(self.coefficients.items())
        ]
        return "$" + _join_latex(terms) + "$"

    def __repr__(self) -> str:
        terms = [f"({c})|{self.basis.symbol}_{mu}>" for mu, c in sorted(self.coefficients.items())]
        return " + ".join(terms) or "0"


class Bra(_Linear):
    """A covector ``sum_nu c_nu <symbol^nu|`` on the dual basis; `coefficients` maps nu to c_nu."""

    def __init__(self, basis: Basis, coefficients: Mapping[int, Any]) -> None:
        self.basis = basis
        self.coefficients = _clean(coefficients)

    def _new(self, coefficients: Mapping[int, Any]) -> Bra:
        return Bra(self.basis, coefficients)

    def _same_space(self, other: Bra) -> bool:
        return other.basis == self.basis

    def __mul__(self, other: Any) -> Any:
        if isinstance(other, Ket):
            return sp.expand(
                sum(
                    (
                        b * k * _overlap(self.basis, nu, other.basis, mu)
                        for nu, b in self.coefficients.items()
                        for mu, k in other.coefficients.items()
                    ),
                    sp.Integer(0),
                )
            )
        if isinstance(other, (Bra, Operator)):
            return NotImplemented
        return self.__rmul__(other)

    __matmul__ = __mul__

    def components(self) -> sp.Matrix:
        """``(1, dim)`` row of components on this bra's dual basis."""
        return sp.Matrix([[self.coefficients.get(nu, 0) for nu in range(1, self.basis.dim + 1)]])

    def _repr_latex_(self) -> str:
        s = self.basis.symbol
        terms = [
            _term_latex(c, rf"\left\langle {s}^{{{nu}}}\right|")
            for nu, c in sorted(self.coefficients.items())
        ]
        return "$" + _join_latex(terms) + "$"

    def __repr__(self) -> str:
        terms = [f"({c})<{self.basis.symbol}^{nu}|" for nu, c in sorted(self.coefficients.items())]
        return " + ".join(terms) or "0"


class Operator(_Linear):
    """A linear map ``sum c^mu_nu |a_mu><b^nu|`` from basis `b` (input) to basis `a` (output).

    `coefficients` maps ``(mu, nu)`` to ``c^mu_nu``. Applying the operator to a ket contracts
    each bra ``<b^nu|`` with the ket's basis vectors; within one basis that contraction is the
    Kronecker delta ``<b^nu|b_kappa> = delta^nu_kappa``, which leaves one term per pair.
    """

    def __init__(
        self, out_basis: Basis, in_basis: Basis, coefficients: Mapping[tuple[int, int], Any]
    ) -> None:
        self.out_basis = out_basis
        self.in_basis = in_basis
        self.coefficients = _clean(coefficients)

    @classmethod
    def from_matrix(cls, matrix: Any, out_basis: Basis, in_basis: Basis | None = None) -> Operator:
        """The operator whose components ``c^mu_nu`` are ``matrix[mu-1, nu-1]``.

        `matrix` has shape ``(out_basis.dim, in_basis.dim)``; `in_basis` defaults to `out_basis`.
        """
        in_basis = out_basis if in_basis is None else in_basis
        m = sp.Matrix(matrix)
        if m.shape != (out_basis.dim, in_basis.dim):
            raise ValueError(
                f"matrix must have shape ({out_basis.dim}, {in_basis.dim}) for these bases, "
                f"got {m.shape}"
            )
        return cls(
            out_basis,
            in_basis,
            {(i + 1, j + 1): m[i, j] for i in range(m.rows) for j in range(m.cols)},
        )

    def _new(self, coefficients: Mapping[tuple[int, int], Any]) -> Operator:
        return Operator(self.out_basis, self.in_basis, coefficients)

    def _same_space(self, other: Operator) -> bool:
        return other.out_basis == self.out_basis and other.in_basis == self.in_basis

    def apply(self, ket: Ket) -> Ket:
        """``O|v>``: contract every bra of the operator with the ket (Kronecker deltas)."""
        if not isinstance(ket, Ket):
            raise ValueError(f"ket must be a Ket, got {type(ket).__name__}")
        if ket.basis != self.in_basis and (ket.basis.is_abstract or self.in_basis.is_abstract):
            raise ValueError(
                f"ket lives in basis {ket.basis.symbol!r} but the operator acts on "
                f"{self.in_basis.symbol!r}; give both bases vectors to relate them"
            )
        out: dict[int, sp.Expr] = {}
        if ket.basis == self.in_basis:
            # <b^nu|b_kappa> = delta^nu_kappa: of all pairs (nu, kappa) only nu = kappa is left.
            for (mu, nu), c in self.coefficients.items():
                if nu in ket.coefficients:
                    out[mu] = out.get(mu, 0) + c * ket.coefficients[nu]
            return Ket(self.out_basis, out)
        for (mu, nu), c in self.coefficients.items():
            for kappa, k in ket.coefficients.items():
                overlap = _overlap(self.in_basis, nu, ket.basis, kappa)
                if overlap != 0:
                    out[mu] = out.get(mu, 0) + c * overlap * k
        return Ket(self.out_basis, out)

    def compose(self, other: Operator) -> Operator:
        """``self * other``: apply `other` first, then `self`."""
        if other.out_basis != self.in_basis:
            raise ValueError(
                f"cannot compose: other maps into {other.out_basis.symbol!r} but this operator "
                f"acts on {self.in_basis.symbol!r}"
            )
        product = self.matrix() * other.matrix()
        return Operator.from_matrix(product, self.out_basis, other.in_basis)

    def __mul__(self, other: Any) -> Any:
        if isinstance(other, Ket):
            return self.apply(other)
        if isinstance(other, Operator):
            return self.compose(other)
        if isinstance(other, Bra):
            return NotImplemented
        return self.__rmul__(other)

    __matmul__ = __mul__

    def __pow__(self, n: int) -> Operator:
        if self.out_basis != self.in_basis:
            raise ValueError("only an operator from a basis to itself can be raised to a power")
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"n must be a non-negative integer, got {n!r}")
        return Operator.from_matrix(self.matrix() ** int(n), self.out_basis)

    def matrix(self) -> sp.Matrix:
        """``(out.dim, in.dim)`` matrix of components ``c^mu_nu`` in the operator's own bases."""
        m = sp.zeros(self.out_basis.dim, self.in_basis.dim)
        for (mu, nu), c in self.coefficients.items():
            m[mu - 1, nu - 1] = c
        return m

    def in_standard_basis(self) -> sp.Matrix:
        """``(N_out, N_in)`` matrix in the standard basis: ``Xi_out * M * Xi_in^+``.

        For an operator from the ψ basis to itself this is ``Ξ Φ Ξ^†`` of paper Eq. 1, where
        the dual ``Ξ^†`` is the (pseudo-)inverse of Ξ.
        """
        return self.out_basis.vectors * self.matrix() * self.in_basis.dual

    def to_numpy(self) -> np.ndarray:
        """The component matrix as a float64 array of shape ``(out.dim, in.dim)``."""
        return np.array(self.matrix().tolist(), dtype=np.float64)

    def _repr_latex_(self) -> str:
        a, b = self.out_basis.symbol, self.in_basis.symbol
        terms = [
            _term_latex(c, rf"\left|{a}_{{{mu}}}\right\rangle\left\langle {b}^{{{nu}}}\right|")
            for (mu, nu), c in sorted(self.coefficients.items())
        ]
        return "$" + _join_latex(terms) + "$"

    def __repr__(self) -> str:
        a, b = self.out_basis.symbol, self.in_basis.symbol
        terms = [f"({c})|{a}_{mu}><{b}^{nu}|" for (mu, nu), c in sorted(self.coefficients.items())]
        return " + ".join(terms) or "0"
