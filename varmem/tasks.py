"""Linear binary variable-binding tasks (T1-T4 of the paper) and seeded batches of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from varmem._checks import as_positive_int
from varmem.operators import check_selection, variable_binding_phi_matrix

__all__ = [
    "Batch",
    "VariableBindingTask",
    "compose_copy",
    "decode_task_id",
    "repeat_copy",
    "selection_from_rule",
    "task_by_name",
    "task_t3",
    "task_t4",
]

# One output component of a rule: (lag, component, sign) means sign * u(t - lag)[component].
Term = tuple[int, int, int]


def selection_from_rule(rule: Sequence[Term], s: int) -> np.ndarray:
    """The ``(s*d, d)`` selection F of a rule ``u(t)[j] = sign_j * u(t - lag_j)[comp_j]``.

    `rule` has one ``(lag, component, sign)`` per output component j, with ``1 <= lag <= s``,
    ``0 <= component < d`` (d = len(rule)) and sign ±1. Window block k (1 = oldest) holds
    ``u(t - s + k - 1)``, so lag l sits in block ``s - l + 1``.
    """
    s = as_positive_int(s, "s")
    d = len(rule)
    if d < 1:
        raise ValueError("rule must have at least one (lag, component, sign) term")
    F = np.zeros((s * d, d), dtype=np.int64)
    for j, (lag, comp, sign) in enumerate(rule):
        if not 1 <= lag <= s:
            raise ValueError(f"rule[{j}]: lag must be in 1..s={s}, got {lag}")
        if not 0 <= comp < d:
            raise ValueError(f"rule[{j}]: component must be in 0..{d - 1}, got {comp}")
        if sign not in (-1, 1):
            raise ValueError(f"rule[{j}]: sign must be -1 or +1, got {sign}")
        F[(s - lag) * d + comp, j] = sign
    return F


def decode_task_id(mask: int, swap: int, sign: int, s: int, d: int) -> np.ndarray:
    """The selection F encoded by the authors' integer task triple ``(mask, swap, sign)``.

    `mask` is a bitmask over the ``s*d`` window entries (flat index ``(k-1)*d + i``, oldest
    block first) that picks exactly d of them; `swap` is a base-d code whose digit j swaps
    positions j and j + digit_j of the picked entries, applied for j = 0, 1, ...; bit j of
    `sign` makes output j negative. Returns F of shape ``(s*d, d)``.
    """
    s = as_positive_int(s, "s")
    d = as_positive_int(d, "d")
    for name, value in (("mask", mask), ("swap", swap), ("sign", sign)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    if mask >= 1 << (s * d):
        raise ValueError(f"mask must address the s*d = {s * d} window entries, got {mask}")
    picked = [bit for bit in range(s * d) if mask >> bit & 1]
    if len(picked) != d:
        raise ValueError(f"mask must pick exactly d = {d} window entries, it picks {len(picked)}")
    if swap >= d**d:
        raise ValueError(f"swap must be a base-{d} code of {d} digits (< {d**d}), got {swap}")
    if sign >= 1 << d:
        raise ValueError(f"sign must be a {d}-bit code (< {1 << d}), got {sign}")
    order = list(range(d))
    for j in range(d):
        other = j + (swap // d**j) % d
        if other >= d:
            raise ValueError(f"swap digit {j} moves position {j} past the last one ({d - 1})")
        order[j], order[other] = order[other], order[j]
    F = np.zeros((s * d, d), dtype=np.int64)
    for j in range(d):
        F[picked[order[j]], j] = -1 if sign >> j & 1 else 1
    return F


@dataclass(frozen=True)
class Batch:
    """A batch of one task: `inputs` and `targets` are ``(batch, s + horizon, d)``.

    The first `n_input` = s steps are the input phase (random ±1 inputs, zero targets, not
    scored); the remaining `horizon` steps have zero input and are scored.
    """

    inputs: torch.Tensor
    targets: torch.Tensor
    n_input: int

    @property
    def horizon(self) -> int:
        return self.inputs.shape[1] - self.n_input

    @property
    def output_targets(self) -> torch.Tensor:
        """``(batch, horizon, d)``: the scored part of the targets."""
        return self.targets[:, self.n_input :]

    def head(self, size: int) -> Batch:
        """The first `size` sequences of the batch (views, no copy)."""
        return Batch(self.inputs[:size], self.targets[:size], self.n_input)


@dataclass
class VariableBindingTask:
    """A linear binary variable-binding task ``u(t) = F^T [u(t-s); ...; u(t-1)]`` for t > s.

    `F` is a signed selection of shape ``(s*d, d)`` (one ±1 per column). The input phase shows
    s random vectors of {-1, +1}^d; after it the input is zero and the targets follow the rule.
    """

    F: np.ndarray
    name: str = "custom"
    s: int = field(init=False)
    d: int = field(init=False)
    _powers: torch.Tensor | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.s, self.d = check_selection(self.F)
        self.F = np.asarray(self.F, dtype=np.int64)

    @property
    def phi(self) -> np.ndarray:
        """The theoretical Φ of the task, ``(s*d, s*d)``: block shift with F^T in the last row."""
        return variable_binding_phi_matrix(self.F)

    def _readout_powers(self, horizon: int) -> torch.Tensor:
        """``(horizon, d, s*d)``: entry t is W_r Φ^(t+1), which maps u(1..s) to u(s+t+1)."""
        cached = 0 if self._powers is None else len(self._powers)
        if cached < horizon:
            phi, state, rows = self.phi, np.eye(self.s * self.d), []
            for _ in range(max(horizon, 2 * cached)):
                state = phi @ state
                rows.append(state[(self.s - 1) * self.d :])
            # Each row of Φ^n holds a single ±1, so the products are exact in float32.
            self._powers = torch.tensor(np.array(rows), dtype=torch.float32)
        assert self._powers is not None
        return self._powers[:horizon]

    def targets_from_inputs(self, first_inputs: torch.Tensor, horizon: int) -> torch.Tensor:
        """``(batch, horizon, d)`` targets for the input phase `first_inputs` ``(batch, s, d)``."""
        horizon = as_positive_int(horizon, "horizon")
        if first_inputs.ndim != 3 or first_inputs.shape[1:] != (self.s, self.d):
            raise ValueError(
                f"first_inputs must have shape (batch, s, d) = (batch, {self.s}, {self.d}), "
                f"got {tuple(first_inputs.shape)}"
            )
        window = first_inputs.reshape(first_inputs.shape[0], self.s * self.d)
        powers = self._readout_powers(horizon).to(first_inputs.dtype)
        return torch.einsum("hdk,bk->bhd", powers, window)

    def sample_input_phase(
        self, batch_size: int, generator: torch.Generator, dtype=torch.float32
    ) -> torch.Tensor:
        """``(batch, s, d)`` random ±1 input vectors: the draws behind `sample`."""
        batch_size = as_positive_int(batch_size, "batch_size")
        bits = torch.randint(0, 2, (batch_size, self.s, self.d), generator=generator)
        return (2 * bits - 1).to(dtype)

    def sample(
        self, batch_size: int, horizon: int, generator: torch.Generator, dtype=torch.float32
    ) -> Batch:
        """Draw a batch of `batch_size` sequences with `horizon` scored output steps.

        Only the ``(batch, s, d)`` input vectors are random, so the draws from `generator` do
        not depend on `horizon`: two calls with the same generator state and different
        horizons give the same sequences, one a prefix of the other.
        """
        horizon = as_positive_int(horizon, "horizon")
        first = self.sample_input_phase(batch_size, generator, dtype)
        inputs = torch.zeros(batch_size, self.s + horizon, self.d, dtype=dtype)
        inputs[:, : self.s] = first
        targets = torch.zeros_like(inputs)
        targets[:, self.s :] = self.targets_from_inputs(first, horizon)
        return Batch(inputs, targets, self.s)


def repeat_copy(s: int = 8, d: int = 8) -> VariableBindingTask:
    """T1, repeat copy: ``u(t) = u(t - s)``."""
    s = as_positive_int(s, "s")
    d = as_positive_int(d, "d")
    return VariableBindingTask(selection_from_rule([(s, i, 1) for i in range(d)], s), "T1")


def compose_copy(s: int = 8, d: int = 8) -> VariableBindingTask:
    """T2, compose copy: ``u(t)[i] = u(t - s + i)[i]``, the diagonal of the window (d <= s)."""
    s = as_positive_int(s, "s")
    d = as_positive_int(d, "d")
    if d > s:
        raise ValueError(
            f"compose copy needs d <= s (one window block per component), got {d} > {s}"
        )
    return VariableBindingTask(selection_from_rule([(s - i, i, 1) for i in range(d)], s), "T2")


_T3_RULE: list[Term] = [(4, 4, -1), (5, 3, 1), (6, 2, -1), (8, 0, -1),
                        (7, 1, -1), (3, 5, -1), (1, 7, 1), (2, 6, -1)]  # fmt: skip
_T4_RULE: list[Term] = [(3, 5, -1), (2, 6, 1), (8, 0, 1), (7, 1, 1),
                        (6, 2, -1), (5, 3, 1), (4, 4, 1), (1, 7, -1)]  # fmt: skip


def task_t3() -> VariableBindingTask:
    """T3 (s = d = 8): a signed permutation of the window's diagonal, as in the authors' code."""
    return VariableBindingTask(selection_from_rule(_T3_RULE, 8), "T3")


def task_t4() -> VariableBindingTask:
    """T4 (s = d = 8): another signed permutation of the window's diagonal."""
    return VariableBindingTask(selection_from_rule(_T4_RULE, 8), "T4")


def task_by_name(name: str, s: int = 8, d: int = 8) -> VariableBindingTask:
    """T1..T4 by name; T1 and T2 take any valid (s, d), T3 and T4 exist for s = d = 8 only."""
    if name == "T1":
        return repeat_copy(s, d)
    if name == "T2":
        return compose_copy(s, d)
    if name in ("T3", "T4"):
        if (s, d) != (8, 8):
            raise ValueError(f"{name} is defined for s = d = 8 only, got s={s}, d={d}")
        return task_t3() if name == "T3" else task_t4()
    raise ValueError(f"name must be one of 'T1', 'T2', 'T3', 'T4', got {name!r}")
