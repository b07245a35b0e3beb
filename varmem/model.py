"""Elman RNNs of paper Eq. 20: one model on torch.nn.RNN, and M independent models stacked."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from varmem._checks import as_positive_int

__all__ = ["INITS", "ElmanEnsemble", "ElmanRNN", "Workspace", "initial_weights"]

INITS = ("uniform", "gaussian")


def initial_weights(
    d_in: int, n_hidden: int, d_out: int, init: str, seed: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Draw ``(W_uh (N, d_in), W_hh (N, N), W_r (d_out, N))`` from a generator seeded by `seed`.

    ``"uniform"`` is PyTorch's default for nn.RNN and nn.Linear here, U(-k, k) with
    k = 1/sqrt(N_h) for all three; ``"gaussian"`` is N(0, 1/N_h) (paper B.5, Figure 5).
    """
    d_in = as_positive_int(d_in, "d_in")
    n_hidden = as_positive_int(n_hidden, "n_hidden")
    d_out = as_positive_int(d_out, "d_out")
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    generator = torch.Generator().manual_seed(int(seed))
    shapes = [(n_hidden, d_in), (n_hidden, n_hidden), (d_out, n_hidden)]
    k = 1.0 / math.sqrt(n_hidden)
    if init == "uniform":
        weights = [(torch.rand(shape, generator=generator) * 2 - 1) * k for shape in shapes]
    else:
        weights = [torch.randn(shape, generator=generator) * k for shape in shapes]
    return weights[0], weights[1], weights[2]


class ElmanRNN(nn.Module):
    """``h(t) = tanh(W_hh h(t-1) + W_uh u(t))``, ``y(t) = W_r h(t)``, no biases, ``h(0) = 0``.

    Runs on ``torch.nn.RNN`` (tanh, bias=False) with a bias-free ``nn.Linear`` readout, the
    authors' architecture. Inputs are ``(batch, time, d_in)``, outputs ``(batch, time, d_out)``.
    """

    def __init__(
        self,
        d_in: int,
        n_hidden: int,
        d_out: int | None = None,
        init: str = "uniform",
        seed: int = 0,
    ) -> None:
        super().__init__()
        d_out = d_in if d_out is None else d_out
        w_uh, w_hh, w_r = initial_weights(d_in, n_hidden, d_out, init, seed)
        self.rnn = nn.RNN(d_in, n_hidden, nonlinearity="tanh", bias=False, batch_first=True)
        self.readout = nn.Linear(n_hidden, d_out, bias=False)
        self._assign(w_uh, w_hh, w_r)

    def _assign(self, W_uh: torch.Tensor, W_hh: torch.Tensor, W_r: torch.Tensor) -> None:
        with torch.no_grad():
            self.rnn.weight_ih_l0.copy_(W_uh)
            self.rnn.weight_hh_l0.copy_(W_hh)
            self.readout.weight.copy_(W_r)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        hidden, _ = self.rnn(inputs)
        return self.readout(hidden)

    def hidden_states(self, inputs: torch.Tensor) -> torch.Tensor:
        """``(batch, time, N_h)`` hidden states h(1..T) for `inputs` ``(batch, time, d_in)``."""
        return self.rnn(inputs)[0]

    @property
    def W_uh(self) -> np.ndarray:
        """Input weights, ``(N_h, d_in)``."""
        return self.rnn.weight_ih_l0.detach().cpu().numpy().copy()

    @property
    def W_hh(self) -> np.ndarray:
        """Recurrent weights, ``(N_h, N_h)``."""
        return self.rnn.weight_hh_l0.detach().cpu().numpy().copy()

    @property
    def W_r(self) -> np.ndarray:
        """Readout weights, ``(d_out, N_h)``."""
        return self.readout.weight.detach().cpu().numpy().copy()

    def weights(self) -> dict[str, torch.Tensor]:
        """The three weight matrices by name, detached copies."""
        return {
            "W_uh": self.rnn.weight_ih_l0.detach().clone(),
            "W_hh": self.rnn.weight_hh_l0.detach().clone(),
            "W_r": self.readout.weight.detach().clone(),
        }

    @classmethod
    def from_weights(cls, W_uh: torch.Tensor, W_hh: torch.Tensor, W_r: torch.Tensor) -> ElmanRNN:
        """A model with the given ``(N, d_in)``, ``(N, N)``, ``(d_out, N)`` weights."""
        n_hidden, d_in = W_uh.shape
        if W_hh.shape != (n_hidden, n_hidden) or W_r.shape[1] != n_hidden:
            raise ValueError(
                f"weights must have shapes (N, d_in), (N, N), (d_out, N); got "
                f"{tuple(W_uh.shape)}, {tuple(W_hh.shape)}, {tuple(W_r.shape)}"
            )
        model = cls(d_in, n_hidden, W_r.shape[0])
        model._assign(W_uh, W_hh, W_r)
        return model


class ElmanEnsemble(nn.Module):
    """M independent Elman RNNs of one shape, stacked so one forward pass runs all of them.

    Parameters are ``W_uh (M, N, d_in)``, ``W_hh (M, N, N)`` and ``W_r (M, d_out, N)``; member
    m initialised with ``seeds[m]`` starts from the same weights as ``ElmanRNN(seed=seeds[m])``.
    """

    def __init__(
        self,
        d_in: int,
        n_hidden: int,
        d_out: int | None = None,
        init: str = "uniform",
        seeds: Sequence[int] = (0,),
    ) -> None:
        super().__init__()
        d_out = d_in if d_out is None else d_out
        if len(seeds) < 1:
            raise ValueError("seeds must name at least one model")
        drawn = [initial_weights(d_in, n_hidden, d_out, init, seed) for seed in seeds]
        self.W_uh = nn.Parameter(torch.stack([w[0] for w in drawn]))
        self.W_hh = nn.Parameter(torch.stack([w[1] for w in drawn]))
        self.W_r = nn.Parameter(torch.stack([w[2] for w in drawn]))

    @property
    def size(self) -> int:
        """Number of models M."""
        return self.W_hh.shape[0]

    @classmethod
    def from_weights(
        cls, W_uh: torch.Tensor, W_hh: torch.Tensor, W_r: torch.Tensor
    ) -> ElmanEnsemble:
        """An ensemble with stacked weights ``(M, N, d_in)``, ``(M, N, N)``, ``(M, d_out, N)``."""
        if W_uh.ndim != 3 or W_hh.shape != (W_uh.shape[0], W_uh.shape[1], W_uh.shape[1]):
            raise ValueError(
                f"weights must be stacked (M, N, d_in), (M, N, N), (M, d_out, N); got "
                f"{tuple(W_uh.shape)}, {tuple(W_hh.shape)}, {tuple(W_r.shape)}"
            )
        ensemble = cls.__new__(cls)
        nn.Module.__init__(ensemble)
        ensemble.W_uh = nn.Parameter(W_uh.detach().clone())
        ensemble.W_hh = nn.Parameter(W_hh.detach().clone())
        ensemble.W_r = nn.Parameter(W_r.detach().clone())
        return ensemble

    @classmethod
    def from_models(cls, models: Sequence[ElmanRNN]) -> ElmanEnsemble:
        """Stack existing single models (same shape) into an ensemble."""
        if not models:
            raise ValueError("models must hold at least one ElmanRNN")
        return cls.from_weights(
            torch.stack([m.rnn.weight_ih_l0.detach() for m in models]),
            torch.stack([m.rnn.weight_hh_l0.detach() for m in models]),
            torch.stack([m.readout.weight.detach() for m in models]),
        )

    def member(self, m: int) -> ElmanRNN:
        """Member m as a stand-alone ElmanRNN (a copy of its weights)."""
        if not 0 <= m < self.size:
            raise ValueError(f"m must be in 0..{self.size - 1}, got {m}")
        return ElmanRNN.from_weights(
            self.W_uh[m].detach(), self.W_hh[m].detach(), self.W_r[m].detach()
        )

    def members(self, index: Sequence[int] | torch.Tensor) -> ElmanEnsemble:
        """A new ensemble of the members at `index` (a copy of their weights, in that order)."""
        index = torch.as_tensor(index, dtype=torch.long, device=self.W_hh.device)
        if index.ndim != 1 or len(index) == 0 or index.min() < 0 or index.max() >= self.size:
            raise ValueError(
                f"index must list members in 0..{self.size - 1}, at least one, got {index}"
            )
        weights = (self.W_uh, self.W_hh, self.W_r)
        return ElmanEnsemble.from_weights(*(w.detach()[index] for w in weights))

    def hidden_states(
        self,
        inputs: torch.Tensor,
        n_input: int | None = None,
        lengths: Sequence[int] | torch.Tensor | None = None,
    ) -> torch.Tensor:
        """``(M, batch, time, N)`` hidden states for `inputs` of shape ``(M, batch, time, d_in)``.

        `inputs` may also be ``(batch, time, d_in)``, shared by all models. If `n_input` is
        given, the input is taken to be zero after the first `n_input` steps (the output phase
        of a task), which skips the input term there. `lengths` ``(M,)``, if given, runs model m
        for ``lengths[m]`` steps only; its later states are zero. That saves the work of the
        steps a model does not need when models train at different horizons. The states are
        computed without gradient (for analysis); `forward` is the differentiable path.
        """
        with torch.no_grad():
            drive, W_hh, _, running, unsort = self._prepare(inputs, n_input, lengths)
            return _restore(_run_recurrence(drive, W_hh, running), unsort).transpose(1, 2)

    def forward(
        self,
        inputs: torch.Tensor,
        n_input: int | None = None,
        lengths: Sequence[int] | torch.Tensor | None = None,
        workspace: Workspace | None = None,
    ) -> torch.Tensor:
        """``(M, batch, time, d_out)`` outputs; the arguments are those of `hidden_states`.

        A `workspace` lets a training loop reuse the large per-iteration tensors instead of
        allocating them afresh every time (see `Workspace` for the one rule it asks for).
        """
        drive, W_hh, W_r, running, unsort = self._prepare(inputs, n_input, lengths)
        if torch.is_grad_enabled():
            outputs = _ElmanRun.apply(drive, W_hh, W_r, running, workspace)
        else:
            hidden = _run_recurrence(
                drive, W_hh, running, _take(workspace, "hidden", drive, len(running))
            )
            outputs = _readout(hidden, W_r)
            _give(workspace, "hidden", hidden)
        return _restore(outputs, unsort).transpose(1, 2)

    def _prepare(
        self,
        inputs: torch.Tensor,
        n_input: int | None,
        lengths: Sequence[int] | torch.Tensor | None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, list[int], torch.Tensor | None]:
        """Check the inputs and put the models in the order the recurrence wants.

        Returns the input drive ``(M, n_input, B, N)``, W_hh and W_r in that order, how many
        models run at each step, and the index that restores the caller's order (None if the
        order is unchanged).
        """
        if inputs.ndim == 3:
            inputs = inputs.unsqueeze(0).expand(self.size, *inputs.shape)
        d_in = self.W_uh.shape[2]
        if inputs.ndim != 4 or inputs.shape[0] != self.size or inputs.shape[-1] != d_in:
            raise ValueError(
                f"inputs must be (M, batch, time, d_in) = ({self.size}, batch, time, {d_in}) "
                f"or (batch, time, d_in), got {tuple(inputs.shape)}"
            )
        steps = inputs.shape[2]
        n_input = steps if n_input is None else max(1, min(n_input, steps))
        # Input drive of the input phase, model-major: (M, n_input, batch, N).
        drive = torch.matmul(
            inputs[:, :, :n_input].transpose(1, 2), self.W_uh.transpose(1, 2).unsqueeze(1)
        )
        if lengths is None:
            return drive.contiguous(), self.W_hh, self.W_r, [self.size] * steps, None
        lengths = torch.as_tensor(lengths, dtype=torch.long).cpu()
        if lengths.shape != (self.size,) or lengths.min() < 1 or lengths.max() > steps:
            raise ValueError(
                f"lengths must hold one length in 1..{steps} per model ({self.size}), got {lengths}"
            )
        running = [int((lengths > t).sum()) for t in range(steps)]
        if bool(torch.all(lengths[:-1] >= lengths[1:])):
            # Already longest first: no reordering, and no index_select to backpropagate.
            return drive.contiguous(), self.W_hh, self.W_r, running, None
        # Longest first, so that the models still running at any step are a leading slice.
        index = torch.argsort(lengths, descending=True, stable=True).to(drive.device)
        return (
            drive.index_select(0, index),
            self.W_hh.index_select(0, index),
            self.W_r.index_select(0, index),
            running,
            torch.argsort(index),
        )


class Workspace:
    """Large scratch tensors that a training loop keeps from one iteration to the next.

    The hidden states of an ensemble and their gradients are ``(M, T, B, N)`` tensors of tens
    of MB. The C allocator hands blocks that large straight back to the kernel when they are
    freed, so a fresh one page-faults on first touch every iteration, which we measured at a
    sizeable share of the step time. A workspace hands out such tensors and takes them back
    when the step is done. Its one rule: backpropagate each graph at most once (the default,
    ``retain_graph=False``). A tensor in use is never handed out twice, so forward passes
    without gradient, such as tests in the middle of training, may share the workspace.
    """

    def __init__(self) -> None:
        self._free: dict[str, torch.Tensor] = {}

    def take(self, name: str, shape: Sequence[int], like: torch.Tensor) -> torch.Tensor:
        """A tensor of `shape` with the dtype and device of `like`; its contents are garbage."""
        numel = math.prod(shape)
        flat = self._free.pop(name, None)
        if (
            flat is None
            or flat.numel() < numel
            or flat.dtype != like.dtype
            or flat.device != like.device
        ):
            flat = like.new_empty(numel)
        return flat[:numel].view(*shape)

    def give(self, name: str, tensor: torch.Tensor) -> None:
        """Return a tensor from `take` under the same name; the larger of two is kept."""
        flat = tensor.view(-1) if tensor._base is None else tensor._base
        kept = self._free.get(name)
        if kept is None or kept.numel() < flat.numel():
            self._free[name] = flat


def _take(
    workspace: Workspace | None, name: str, like: torch.Tensor, steps: int
) -> torch.Tensor | None:
    """A ``(M, steps, B, N)`` tensor from `workspace` shaped after `like` ``(M, *, B, N)``.

    None without a workspace, so that the caller allocates.
    """
    if workspace is None:
        return None
    n_models, _, batch, n_hidden = like.shape
    return workspace.take(name, (n_models, steps, batch, n_hidden), like)


def _give(workspace: Workspace | None, name: str, tensor: torch.Tensor) -> None:
    if workspace is not None:
        workspace.give(name, tensor)


def _restore(tensor: torch.Tensor, unsort: torch.Tensor | None) -> torch.Tensor:
    """Put models (dim 0) back in the caller's order."""
    return tensor if unsort is None else tensor.index_select(0, unsort)


def _readout(hidden: torch.Tensor, W_r: torch.Tensor) -> torch.Tensor:
    """``(M, T, B, d_out)`` outputs h_t W_r^T of ``(M, T, B, N)`` states, one product per model."""
    n_models, steps, batch, n_hidden = hidden.shape
    flat = torch.bmm(hidden.view(n_models, steps * batch, n_hidden), W_r.transpose(1, 2))
    return flat.view(n_models, steps, batch, -1)


def _run_recurrence(
    drive: torch.Tensor,
    W_hh: torch.Tensor,
    running: list[int],
    hidden: torch.Tensor | None = None,
) -> torch.Tensor:
    """``h_t = tanh(h_{t-1} W_hh^T + drive_t)`` for M models, ``(M, T, B, N)``, h(0) = 0.

    `drive` is ``(M, n_input, B, N)``; there are ``T = len(running)`` steps, and only the
    first ``running[t]`` models advance at step t; the states of the others stay 0. The
    model-major layout makes every model's states over all steps one matrix of ``T*B`` rows,
    so the weight gradient is one large product. `hidden`, if given, is filled and returned.
    """
    n_models, n_input, batch, n_hidden = drive.shape
    steps = len(running)
    shape = (n_models, steps, batch, n_hidden)
    if hidden is None or hidden.shape != shape:
        hidden = drive.new_empty(shape)
    recurrent = W_hh.transpose(1, 2)
    state = torch.empty_like(hidden[:, 0])  # contiguous work buffer for the matmuls
    minus_one = drive.new_tensor(-1.0)
    at = hidden.unbind(1)  # one (M, B, N) view per step, made once instead of sliced per step
    k_views = -1
    # tanh(x) = 2 sigmoid(2x) - 1. On the CPUs we measured torch's sigmoid runs about ten times
    # faster than its tanh, and the factor 2 inside comes free as the alpha/beta of the matmul.
    for t in range(steps):
        k = running[t]
        if k != k_views:  # models stop only at a few steps; the views change only there
            k_views, rec, work = k, recurrent[:k], state[:k]
        if t == 0:
            torch.mul(drive[:, 0], 2.0, out=work)
        else:
            previous = at[t - 1] if k == n_models else at[t - 1][:k]
            if t < n_input:
                torch.baddbmm(drive[:k, t], previous, rec, beta=2.0, alpha=2.0, out=work)
            else:
                work.baddbmm_(previous, rec, beta=0.0, alpha=2.0)
        work.sigmoid_()
        if k == n_models:
            torch.add(minus_one, work, alpha=2.0, out=at[t])
        else:
            torch.add(minus_one, work, alpha=2.0, out=at[t][:k])
            at[t][k:] = 0  # zeroing only what stopped is cheaper than zeroing it all
    return hidden


class _ElmanRun(torch.autograd.Function):
    """Outputs ``y_t = h_t W_r^T`` of M stacked Elman RNNs with a hand-written BPTT.

    Autograd would record several nodes per time step and keep one tensor per step; here the
    forward pass fills one ``(M, T, B, N)`` tensor, the backward pass is three operations
    per step, and the gradients of W_hh and W_r are one large batched product each over all
    steps. With a `Workspace` the large tensors are reused between iterations.
    """

    @staticmethod
    def forward(
        ctx,
        drive: torch.Tensor,
        W_hh: torch.Tensor,
        W_r: torch.Tensor,
        running: list[int],
        workspace: Workspace | None,
    ) -> torch.Tensor:
        hidden = _take(workspace, "hidden", drive, len(running))
        hidden = _run_recurrence(drive, W_hh, running, hidden)
        ctx.save_for_backward(hidden, W_hh, W_r)
        ctx.n_input = drive.shape[1]
        ctx.running = running
        ctx.workspace = workspace
        ctx.spent = False
        return _readout(hidden, W_r)

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        if ctx.spent:
            raise RuntimeError(
                "an ElmanEnsemble graph built with a Workspace can be backpropagated only once; "
                "its hidden states have been handed back (drop the workspace to retain_graph)"
            )
        hidden, W_hh, W_r = ctx.saved_tensors
        n_input, running, workspace = ctx.n_input, ctx.running, ctx.workspace
        n_models, steps, batch, n_hidden = hidden.shape
        grad_out = grad_out.contiguous()
        rows = steps * batch
        flat_grad_out = grad_out.view(n_models, rows, -1)
        # y_t = h_t W_r^T, so dL/dW_r = sum over steps and batch of (dL/dy_t)^T h_t, and the
        # readout sends dL/dy_t W_r into h_t. That second product is thin (d_out columns);
        # added step by step into the carry it costs less than one pass over a (M, T, B, N)
        # tensor made for it.
        grad_W_r = torch.bmm(flat_grad_out.transpose(1, 2), hidden.view(n_models, rows, n_hidden))
        grad_pre = _take(workspace, "grad_pre", hidden, steps)
        if grad_pre is None:
            grad_pre = torch.empty_like(hidden)
        h_at, grad_at, out_at = hidden.unbind(1), grad_pre.unbind(1), grad_out.unbind(1)
        carry = torch.bmm(out_at[-1], W_r)  # dL/dh_t along all paths
        for t in range(steps - 1, -1, -1):
            k = running[t]
            if k == n_models:
                # carry (1 - h_t^2)
                torch.ops.aten.tanh_backward.grad_input(carry, h_at[t], grad_input=grad_at[t])
                if t > 0:
                    # pre_t = h_{t-1} W_hh^T, so dL/dh_{t-1} = grad_pre_t W_hh + dL/dy_{t-1} W_r.
                    torch.bmm(grad_at[t], W_hh, out=carry)
                    carry.baddbmm_(out_at[t - 1], W_r)
                continue
            torch.ops.aten.tanh_backward.grad_input(
                carry[:k], h_at[t][:k], grad_input=grad_at[t][:k]
            )
            grad_at[t][k:] = 0
            if t > 0:
                above = running[t - 1]  # models whose last step is t - 1 start their carry here
                torch.bmm(out_at[t - 1][k:above], W_r[k:above], out=carry[k:above])
                torch.bmm(grad_at[t][:k], W_hh[:k], out=carry[:k])
                carry[:k].baddbmm_(out_at[t - 1][:k], W_r[:k])
        # dL/dW_hh = sum_t grad_pre_t^T h_{t-1}: one product over all steps and batch rows.
        later = grad_pre[:, 1:].reshape(n_models, rows - batch, n_hidden)
        earlier = hidden[:, :-1].reshape(n_models, rows - batch, n_hidden)
        grad_W_hh = torch.bmm(later.transpose(1, 2), earlier)
        grad_drive = grad_pre[:, :n_input]
        if workspace is not None:
            grad_drive = grad_drive.clone()  # grad_pre goes back to the workspace
            workspace.give("hidden", hidden)
            workspace.give("grad_pre", grad_pre)
            ctx.spent = True
        return grad_drive, grad_W_hh, grad_W_r, None, None
