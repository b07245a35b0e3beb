"""The paper's operators Φ, W_uh and W_r, in Dirac form (sympy) and as numpy matrices.

The variable-memory basis ``|ψ_1>, ..., |ψ_{s·d}>`` is split into `s` blocks (variable
memories) Ψ_1, ..., Ψ_s of `d` vectors each; block `k` holds the indices ``(k-1)d+1 .. kd``.
Ψ_1 holds the oldest variable and Ψ_s the newest, which is the one read out.

Each builder exists twice, built independently: the Dirac form follows the sums of the
paper term by term (``fibonacci_phi``), the numpy form is assembled from blocks
(``fibonacci_phi_matrix``). Tests hold the two against each other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import sympy as sp

from varmem._checks import as_positive_int
from varmem.notation import Basis, Ket, Operator, standard_basis

__all__ = [
    "check_selection",
    "fibonacci_phi",
    "fibonacci_phi_matrix",
    "fibonacci_readout",
    "generalised_fibonacci",
    "input_matrix",
    "input_symbols",
    "readout_matrix",
    "repeat_copy_input",
    "repeat_copy_phi",
    "repeat_copy_phi_matrix",
    "repeat_copy_readout",
    "repeat_copy_selection",
    "variable_binding_phi",
    "variable_binding_phi_matrix",
    "variable_memory_basis",
    "variables_in_memories",
]


def variable_memory_basis(s: int, d: int, vectors: Any | None = None) -> Basis:
    """The ψ basis of `s` variable memories of `d` dimensions (``s*d`` vectors).

    `vectors`, if given, is the ``(N, s*d)`` matrix Ξ of stored memories whose columns are
    ``|ψ_mu>`` in the standard basis; without it the basis is abstract.
    """
    s = as_positive_int(s, "s")
    d = as_positive_int(d, "d")
    return Basis(r"\psi", s * d, vectors)


def input_symbols(t: int, d: int, name: str = "u") -> list[sp.Symbol]:
    """The symbolic input ``u(t)`` as its `d` components ``u^1(t), ..., u^d(t)``."""
    d = as_positive_int(d, "d")
    return [sp.Symbol(f"{name}^{i}({t})") for i in range(1, d + 1)]


def variables_in_memories(
    placement: Mapping[int, int], d: int, basis: Basis, name: str = "u"
) -> Ket:
    """The state that holds input ``u(mu)`` in variable memory ``placement[mu]``.

    ``sum_mu sum_{i=1}^{d} u^i(mu) |ψ_{(placement[mu]-1) d + i}>``; memories are numbered
    1..s. A memory number outside 1..s raises ValueError (the ket index leaves the basis).
    """
    d = as_positive_int(d, "d")
    state = Ket(basis, {})
    for mu, memory in placement.items():
        for i, symbol in enumerate(input_symbols(mu, d, name), start=1):
            state = state + symbol * basis.ket((memory - 1) * d + i)
    return state


def _psi(s: int, d: int, basis: Basis | None) -> Basis:
    s = as_positive_int(s, "s")
    d = as_positive_int(d, "d")
    if basis is None:
        return variable_memory_basis(s, d)
    if basis.dim != s * d:
        raise ValueError(f"basis must have s*d = {s * d} vectors, got dim={basis.dim}")
    return basis


def _shift_terms(s: int, d: int) -> dict[tuple[int, int], sp.Expr]:
    """``sum_{mu=1}^{(s-1)d} |ψ_mu><ψ^{mu+d}|``: every variable moves one memory older."""
    return {(mu, mu + d): sp.Integer(1) for mu in range(1, (s - 1) * d + 1)}


# --- generalised Fibonacci (paper Eqs. 4-6) -------------------------------------------------


def fibonacci_phi(s: int, d: int, basis: Basis | None = None) -> Operator:
    """Φ of paper Eq. 5 on the ψ basis: shift the variables and write their sum into Ψ_s.

    ``Φ = sum_{mu=1}^{(s-1)d} |ψ_mu><ψ^{mu+d}|
          + sum_{mu=1}^{d} |ψ_{(s-1)d+mu}> sum_{nu=0}^{s-1} <ψ^{nu d+mu}|``
    """
    psi = _psi(s, d, basis)
    terms = _shift_terms(s, d)
    for mu in range(1, d + 1):
        for nu in range(s):
            key = ((s - 1) * d + mu, nu * d + mu)
            terms[key] = terms.get(key, 0) + sp.Integer(1)
    return Operator(psi, psi, terms)


def fibonacci_readout(
    s: int, d: int, basis: Basis | None = None, output_basis: Basis | None = None
) -> Operator:
    """W_r = Ψ_s^* of paper Eq. 6: ``sum_{mu=(s-1)d+1}^{sd} |e_{mu-(s-1)d}><ψ^mu|``.

    (The paper prints the upper limit as ``su``; ``sd`` is meant: Ψ_s has d vectors.)
    """
    psi = _psi(s, d, basis)
    e = standard_basis(d) if output_basis is None else output_basis
    if e.dim != d:
        raise ValueError(f"output_basis must have d = {d} vectors, got dim={e.dim}")
    terms = {(mu - (s - 1) * d, mu): sp.Integer(1) for mu in range((s - 1) * d + 1, s * d + 1)}
    return Operator(e, psi, terms)


def generalised_fibonacci(initial: Sequence[Any], n: int) -> list[Any]:
    """The first `n` terms F_1..F_n of paper Eq. 4 from the s initial vectors `initial`.

    F_k = initial[k-1] for k <= s and F_k = F_{k-s} + ... + F_{k-1} after that. The terms may
    be numpy arrays or sympy matrices of any one shape; the recursion is computed directly,
    without Φ, so that it can be held against Φ.
    """
    terms = list(initial)
    if not terms:
        raise ValueError("initial must hold at least one vector (s >= 1)")
    n = as_positive_int(n, "n")
    s = len(terms)
    while len(terms) < n:
        window = terms[-s:]
        total = window[0]
        for term in window[1:]:
            total = total + term
        terms.append(total)
    return terms[:n]


def fibonacci_phi_matrix(s: int, d: int) -> np.ndarray:
    """Φ of paper Eq. 5 as a ``(s*d, s*d)`` float array (block shift plus a row of identities)."""
    s = as_positive_int(s, "s")
    d = as_positive_int(d, "d")
    phi = np.eye(s * d, k=d)
    phi[(s - 1) * d :, :] = np.tile(np.eye(d), (1, s))
    return phi


def readout_matrix(s: int, d: int) -> np.ndarray:
    """W_r = Ψ_s^*, shape ``(d, s*d)``: picks the newest variable memory Ψ_s."""
    s = as_positive_int(s, "s")
    d = as_positive_int(d, "d")
    readout = np.zeros((d, s * d))
    readout[:, (s - 1) * d :] = np.eye(d)
    return readout


def input_matrix(s: int, d: int) -> np.ndarray:
    """W_uh = Ψ_s, shape ``(s*d, d)``: writes the input into the newest variable memory."""
    return readout_matrix(s, d).T.copy()


# --- repeat copy (paper Eq. 9) ---------------------------------------------------------------


def repeat_copy_phi(s: int, kappa: int, basis: Basis | None = None) -> Operator:
    """Φ of paper Eq. 9: a cyclic shift of `s` variable memories of `kappa` dimensions.

    ``Φ = sum_{mu=1}^{(s-1)κ} |ψ_mu><ψ^{mu+κ}|
          + sum_{mu=(s-1)κ+1}^{sκ} |ψ_mu><ψ^{mu-(s-1)κ}|``
    """
    psi = _psi(s, kappa, basis)
    terms = _shift_terms(s, kappa)
    for mu in range((s - 1) * kappa + 1, s * kappa + 1):
        terms[(mu, mu - (s - 1) * kappa)] = sp.Integer(1)
    return Operator(psi, psi, terms)


def repeat_copy_input(
    s: int, kappa: int, basis: Basis | None = None, input_basis: Basis | None = None
) -> Operator:
    """W_uh = Ψ_s of paper Eq. 9: ``sum_{j=1}^{κ} |ψ_{(s-1)κ+j}><e^j|``."""
    psi = _psi(s, kappa, basis)
    e = standard_basis(kappa) if input_basis is None else input_basis
    if e.dim != kappa:
        raise ValueError(f"input_basis must have kappa = {kappa} vectors, got dim={e.dim}")
    return Operator(psi, e, {((s - 1) * kappa + j, j): sp.Integer(1) for j in range(1, kappa + 1)})


def repeat_copy_readout(
    s: int, kappa: int, basis: Basis | None = None, output_basis: Basis | None = None
) -> Operator:
    """W_r = Ψ_s^* of paper Eq. 9: ``sum_{j=1}^{κ} |e_j><ψ^{(s-1)κ+j}|``."""
    return fibonacci_readout(s, kappa, basis, output_basis)


def repeat_copy_phi_matrix(s: int, kappa: int) -> np.ndarray:
    """Φ of paper Eq. 9 as a ``(s*κ, s*κ)`` permutation matrix."""
    s = as_positive_int(s, "s")
    kappa = as_positive_int(kappa, "kappa")
    # Block k+1 goes to block k, block 1 wraps around to block s.
    return np.roll(np.eye(s * kappa), kappa, axis=1)


# --- linear variable-binding tasks ----------------------------------------------------------


def check_selection(F: Any) -> tuple[int, int]:
    """Validate a signed selection matrix and return ``(s, d)``.

    `F` has shape ``(s*d, d)`` and exactly one entry ±1 in each column (all others 0): the
    target is ``u(t) = F^T [u(t-s); ...; u(t-1)]``, oldest block first.
    """
    array = np.asarray(F)
    if array.ndim != 2 or array.shape[1] < 1 or array.shape[0] < array.shape[1]:
        raise ValueError(f"F must be a 2-d (s*d, d) matrix with s >= 1, got shape {array.shape}")
    rows, d = array.shape
    if rows % d:
        raise ValueError(f"F must have s*d rows for d = {d} columns; {rows} rows is not a multiple")
    if not np.all(np.isin(array, (-1, 0, 1))):
        raise ValueError("F must be a signed selection: entries may only be -1, 0 or +1")
    nonzero = np.count_nonzero(array, axis=0)
    if np.any(nonzero != 1):
        bad = int(np.flatnonzero(nonzero != 1)[0])
        raise ValueError(
            f"F must be a signed selection: each column needs exactly one ±1, column {bad} has "
            f"{int(nonzero[bad])} non-zero entries"
        )
    return rows // d, d


def repeat_copy_selection(s: int, d: int) -> np.ndarray:
    """F of repeat copy, shape ``(s*d, d)``: ``u(t) = u(t-s)`` selects the oldest block."""
    s = as_positive_int(s, "s")
    d = as_positive_int(d, "d")
    selection = np.zeros((s * d, d), dtype=np.int64)
    selection[:d] = np.eye(d, dtype=np.int64)
    return selection


def variable_binding_phi(F: Any, basis: Basis | None = None) -> Operator:
    """Φ of the linear variable-binding task with selection `F` (shape ``(s*d, d)``).

    ``Φ = sum_{mu=1}^{(s-1)d} |ψ_mu><ψ^{mu+d}|
          + sum_{i=1}^{d} |ψ_{(s-1)d+i}> sum_rho F_{rho i} <ψ^rho|``
    """
    s, d = check_selection(F)
    array = np.asarray(F)
    psi = _psi(s, d, basis)
    terms = _shift_terms(s, d)
    for rho, i in zip(*np.nonzero(array), strict=True):
        terms[((s - 1) * d + int(i) + 1, int(rho) + 1)] = sp.Integer(int(array[rho, i]))
    return Operator(psi, psi, terms)


def variable_binding_phi_matrix(F: Any) -> np.ndarray:
    """Φ of the task with selection `F` as a ``(s*d, s*d)`` array: block shift, ``F^T`` last."""
    s, d = check_selection(F)
    phi = np.eye(s * d, k=d)
    phi[(s - 1) * d :, :] = np.asarray(F, dtype=np.float64).T
    return phi
