"""Train Elman RNNs on variable-binding tasks: the paper's recipe, many seeds at once."""

from __future__ import annotations

import ctypes
import dataclasses
import itertools
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from tqdm import TqdmWarning

with warnings.catch_warnings():
    # Without ipywidgets tqdm.auto warns and falls back to the text bar; the text bar is fine.
    warnings.simplefilter("ignore", TqdmWarning)
    from tqdm.auto import tqdm

from varmem._checks import as_positive_int
from varmem.model import INITS, ElmanEnsemble, ElmanRNN, Workspace
from varmem.tasks import Batch, VariableBindingTask, task_by_name

__all__ = [
    "CURRICULA",
    "Curriculum",
    "DivergenceError",
    "TrainingConfig",
    "TrainingResult",
    "data_seed",
    "evaluate",
    "passes_test",
    "table2_rows",
    "train",
    "train_ensemble",
    "tune_allocator",
]

CURRICULA = ("paper", "ladder", "fixed")


class DivergenceError(RuntimeError):
    """The loss became NaN or infinite; the message names the iteration and the seed."""


@dataclass(frozen=True)
class TrainingConfig:
    """Every setting of a training run. Defaults are the paper's (Appendix B.3, Table 2).

    Where the paper leaves a value open the default says so: ``lr_after_change`` (the new
    learning rate at ``lr_change_iteration`` is not stated, so None keeps it) and
    ``loss_smoothing`` (the rolling average of L(t) is not specified; an exponential moving
    average with this factor is used).
    """

    task: str = "T1"
    s: int = 8
    d: int = 8
    n_hidden: int = 128
    iterations: int = 45_000
    batch_size: int = 64
    learning_rate: float = 1e-3
    lr_change_iteration: int | None = 36_000
    lr_after_change: float | None = None
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    curriculum: str = "paper"
    h0: int = 10
    h_max: int = 100
    gamma: float = 1.2
    epsilon: float = 3e-2
    loss_smoothing: float = 0.9
    ladder: tuple[int, ...] = (10, 20, 40, 60, 100)
    ladder_threshold: float = 0.9
    init: str = "uniform"
    seed: int = 0
    early_stop: bool = True
    stop_patience: int = 100
    eval_every: int | None = None
    target_accuracy: float = 0.999
    test_horizon: int = 200
    test_batches: int = 10
    test_batch_size: int = 64
    test_seed: int = 2023

    def __post_init__(self) -> None:
        positive = ("s", "d", "n_hidden", "iterations", "batch_size", "h0", "h_max",
                    "stop_patience", "test_horizon", "test_batches", "test_batch_size")  # fmt: skip
        for name in positive:
            as_positive_int(getattr(self, name), name)
        for name in ("seed", "test_seed"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
        for name in ("learning_rate", "grad_clip", "epsilon"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)!r}")
        if not self.weight_decay >= 0:
            raise ValueError(f"weight_decay must be >= 0, got {self.weight_decay!r}")
        if self.eval_every is not None and (
            isinstance(self.eval_every, bool)
            or not isinstance(self.eval_every, int)
            or self.eval_every < 1
        ):
            raise ValueError(
                f"eval_every must be a positive integer or None, got {self.eval_every!r}"
            )
        if self.lr_after_change is not None and not self.lr_after_change >= 0:
            raise ValueError(f"lr_after_change must be >= 0 or None, got {self.lr_after_change!r}")
        if self.curriculum not in CURRICULA:
            raise ValueError(f"curriculum must be one of {CURRICULA}, got {self.curriculum!r}")
        if self.init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {self.init!r}")
        if self.h0 > self.h_max:
            raise ValueError(f"h0 must not exceed h_max, got h0={self.h0} > h_max={self.h_max}")
        if not self.gamma > 1:
            raise ValueError(f"gamma must be greater than 1, got {self.gamma!r}")
        if not 0 <= self.loss_smoothing < 1:
            raise ValueError(f"loss_smoothing must be in [0, 1), got {self.loss_smoothing!r}")
        if not 0 < self.target_accuracy <= 1:
            raise ValueError(f"target_accuracy must be in (0, 1], got {self.target_accuracy!r}")
        if not 0 < self.ladder_threshold <= 1:
            raise ValueError(f"ladder_threshold must be in (0, 1], got {self.ladder_threshold!r}")
        ladder = tuple(self.ladder)
        if not ladder or any(b <= a for a, b in itertools.pairwise(ladder)) or ladder[0] < 1:
            raise ValueError(f"ladder must be increasing positive horizons, got {self.ladder!r}")
        object.__setattr__(self, "ladder", ladder)
        self.make_task()  # raises for a task name or size that does not exist

    def make_task(self) -> VariableBindingTask:
        """The task this config trains on."""
        return task_by_name(self.task, self.s, self.d)

    def replace(self, **changes: Any) -> TrainingConfig:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (tuples become lists)."""
        out = dataclasses.asdict(self)
        out["ladder"] = list(self.ladder)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainingConfig:
        """Inverse of `to_dict`; unknown keys raise ValueError."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown config fields: {sorted(unknown)}")
        values = dict(data)
        if "ladder" in values:
            values["ladder"] = tuple(values["ladder"])
        return cls(**values)


def table2_rows(config: TrainingConfig | None = None) -> list[tuple[str, str]]:
    """Rows ``(parameter, value)`` of the paper's Table 2, read from `config` (default: paper)."""
    c = TrainingConfig() if config is None else config
    lr = f"{c.learning_rate:g}"
    if c.lr_change_iteration is not None:
        after = "unstated" if c.lr_after_change is None else f"{c.lr_after_change:g}"
        lr += f", changed at iteration {c.lr_change_iteration} (new value: {after})"
    return [
        ("Input & output dimensions", str(c.d)),
        ("Input phase (# of timesteps)", str(c.s)),
        ("Training horizon", str(c.h_max)),
        ("Hidden dimension N_h", str(c.n_hidden)),
        ("# of training iterations", str(c.iterations)),
        ("(Mini)batch size", str(c.batch_size)),
        ("Learning rate", lr),
        (
            "Weight decay (L2 regularization)",
            "none" if c.weight_decay == 0 else f"{c.weight_decay:g}",
        ),
        ("Gradient clipping threshold", f"{c.grad_clip:g}"),
    ]


def tune_allocator() -> bool:
    """Ask glibc's malloc to keep freed memory instead of returning it to the system.

    Training allocates and frees tensors of tens of MB every iteration; by default glibc hands
    such blocks back to the kernel and the next iteration page-faults them in again, which on
    the virtual machines we measured cost a third of the run time. This raises the mmap and
    trim thresholds for the whole process (like setting MALLOC_MMAP_THRESHOLD_ and
    MALLOC_TRIM_THRESHOLD_). Returns False where there is no glibc, and changes nothing there.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_top_pad, m_mmap_threshold = -1, -2, -3
        return bool(
            libc.mallopt(m_mmap_threshold, 1 << 25)
            and libc.mallopt(m_trim_threshold, (1 << 31) - 1)
            and libc.mallopt(m_top_pad, 1 << 28)
        )
    except (OSError, AttributeError):
        return False


def data_seed(seed: int) -> int:
    """Seed of the training-batch generator of the model with init seed `seed`."""
    return 1_000_003 + int(seed)


class Curriculum:
    """The training horizon of one model, updated once per iteration.

    ``"paper"`` (Appendix B.3): an exponential moving average of the per-step loss L(t) is
    kept; if every L(t) within the current horizon is below ε the horizon grows by γ, if
    their mean (the loss) is above ε it shrinks by γ, and otherwise it stays, always within
    [h0, h_max]. The averages of the steps given up by a shrink are reset.
    ``"ladder"`` (the authors' code): climb one rung of `ladder` when the batch accuracy
    exceeds `ladder_threshold`. ``"fixed"``: always h_max.
    """

    def __init__(self, config: TrainingConfig) -> None:
        self.config = config
        self.rung = 0
        self.value = float(config.ladder[0] if config.curriculum == "ladder" else config.h0)
        if config.curriculum == "fixed":
            self.value = float(config.h_max)
        self.step_loss = np.full(config.h_max, np.nan)  # smoothed L(t), NaN until seen

    @property
    def horizon(self) -> int:
        return round(self.value)

    def update(self, step_loss: np.ndarray, accuracy: float) -> None:
        """Update after a batch: `step_loss` is L(t) ``(horizon,)``, `accuracy` its accuracy."""
        c = self.config
        if c.curriculum == "ladder":
            if accuracy > c.ladder_threshold and self.rung + 1 < len(c.ladder):
                self.rung += 1
                self.value = float(c.ladder[self.rung])
            return
        if c.curriculum == "fixed":
            return
        h = len(step_loss)
        seen = self.step_loss[:h]
        beta = c.loss_smoothing
        self.step_loss[:h] = np.where(
            np.isnan(seen), step_loss, beta * seen + (1 - beta) * step_loss
        )
        if np.all(self.step_loss[:h] < c.epsilon):
            self.value = min(self.value * c.gamma, float(c.h_max))
        elif np.mean(self.step_loss[:h]) > c.epsilon:
            self.value = max(self.value / c.gamma, float(c.h0))
            # Forget the steps the horizon no longer covers: a stale average from before the
            # model learned them would otherwise push the horizon back every time it returns.
            self.step_loss[self.horizon :] = np.nan


@dataclass
class TrainingResult:
    """One trained model with its config, history and test scores.

    `history` holds one entry per iteration: ``loss`` (MSE over the output phase), ``horizon``
    and ``accuracy`` (batch accuracy), each a 1-d array. `accuracy_by_timestep` is
    ``(test_horizon,)``. `wall_time` runs from the start of training to the model's finish,
    tests included; ``extra["train_seconds"]`` is the same span without the tests.
    """

    config: TrainingConfig
    model: ElmanRNN
    history: dict[str, np.ndarray]
    test_accuracy: float
    accuracy_by_timestep: np.ndarray
    iterations: int
    solved: bool
    wall_time: float
    extra: dict[str, Any] = field(default_factory=dict)


def evaluate(
    model: ElmanRNN | ElmanEnsemble,
    task: VariableBindingTask,
    horizon: int = 200,
    batches: int = 10,
    batch_size: int = 64,
    seed: int = 2023,
    workspace: Workspace | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Test accuracy as the authors define it, for every model of `model`.

    Outputs are thresholded at 0 to ±1 and compared element-wise with the targets over
    `horizon` output steps, on `batches` batches of `batch_size` drawn from `seed`. Returns
    ``accuracy (M,)`` and ``accuracy_by_timestep (M, horizon)``; M = 1 for a single model.
    A `workspace` (see `varmem.model.Workspace`) saves reallocating the states batch by batch.
    """
    ensemble = model if isinstance(model, ElmanEnsemble) else ElmanEnsemble.from_models([model])
    device = ensemble.W_hh.device
    generator = torch.Generator().manual_seed(seed)
    correct = torch.zeros(ensemble.size, horizon, dtype=torch.float64)
    workspace = Workspace() if workspace is None else workspace
    with torch.no_grad():
        for _ in range(batches):
            batch = task.sample(batch_size, horizon, generator)
            outputs = ensemble(batch.inputs.to(device), n_input=task.s, workspace=workspace)
            outputs = outputs[:, :, task.s :]
            hits = torch.sign(outputs) == batch.output_targets.to(device)
            correct += hits.double().mean(dim=(1, 3)).cpu()
    by_step = (correct / batches).numpy()
    return by_step.mean(axis=1), by_step


def passes_test(
    model: ElmanRNN | ElmanEnsemble,
    task: VariableBindingTask,
    target_accuracy: float = 0.999,
    horizon: int = 200,
    batches: int = 10,
    batch_size: int = 64,
    seed: int = 2023,
    workspace: Workspace | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Whether each model reaches `target_accuracy` in the test of `evaluate`, stopping early.

    The test is that of `evaluate` with the same arguments, but a model leaves it as soon as
    its wrong outputs exceed what the target allows (counted first on the first eighth of the
    first batch, then batch by batch), so a test of models that are not there yet mostly
    costs a few sequences instead of all of them. Returns ``passed (M,)`` (bool, the same
    decision as ``evaluate(...)[0] >= target_accuracy``), ``accuracy (M,)`` and
    ``accuracy_by_timestep (M, horizon)``; the last two are exactly `evaluate`'s for the
    models that pass and NaN for the others.
    """
    ensemble = model if isinstance(model, ElmanEnsemble) else ElmanEnsemble.from_models([model])
    device = ensemble.W_hh.device
    generator = torch.Generator().manual_seed(seed)
    n_models = ensemble.size
    # A model with more wrong outputs than this cannot pass; the half keeps the comparison
    # on the safe side of rounding, and the exact float test decides for the survivors.
    allowed = (1 - target_accuracy) * batches * batch_size * horizon * task.d + 0.5
    correct = torch.zeros(n_models, horizon, dtype=torch.float64)
    wrong = torch.zeros(n_models, dtype=torch.float64)
    alive = torch.arange(n_models)
    current = ensemble
    workspace = Workspace() if workspace is None else workspace

    def wrong_outputs(model: ElmanEnsemble, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
        outputs = model(batch.inputs.to(device), n_input=task.s, workspace=workspace)
        hits = torch.sign(outputs[:, :, task.s :]) == batch.output_targets.to(device)
        return hits, (~hits).sum(dim=(1, 2, 3)).double().cpu()

    def keep(still: torch.Tensor) -> bool:
        """Keep the models of `alive` where `still`; whether any are left."""
        nonlocal alive, current
        if not bool(still.all()):
            alive = alive[still]
            if len(alive) > 0:
                current = ensemble.members(alive)
        return len(alive) > 0

    # The first few sequences of the first batch already rule out most models that are not
    # there yet, at an eighth of the cost; the survivors then take the whole test as usual.
    probe = batch_size // 8
    with torch.no_grad():
        for index in range(batches):
            batch = task.sample(batch_size, horizon, generator)
            if index == 0 and probe >= 1:
                if not keep(wrong_outputs(current, batch.head(probe))[1] <= allowed):
                    break
            hits, batch_wrong = wrong_outputs(current, batch)
            correct[alive] += hits.double().mean(dim=(1, 3)).cpu()
            wrong[alive] += batch_wrong
            if not keep(wrong[alive] <= allowed):
                break
    by_step = np.full((n_models, horizon), np.nan)
    by_step[alive.numpy()] = (correct[alive] / batches).numpy()
    accuracy = by_step.mean(axis=1)
    passed = np.zeros(n_models, dtype=bool)
    passed[alive.numpy()] = accuracy[alive.numpy()] >= target_accuracy
    return passed, accuracy, by_step


def _clip_per_model(ensemble: ElmanEnsemble, max_norm: float) -> None:
    """Clip each model's gradient norm to `max_norm`, as clip_grad_norm_ does for one model."""
    params = [ensemble.W_uh, ensemble.W_hh, ensemble.W_r]
    norms = torch.sqrt(sum(p.grad.pow(2).sum(dim=(1, 2)) for p in params))
    scale = torch.clamp(max_norm / (norms + 1e-6), max=1.0)
    for p in params:
        p.grad.mul_(scale[:, None, None])


def _compact(
    ensemble: ElmanEnsemble, optimizer: torch.optim.Adam, keep: list[int]
) -> tuple[ElmanEnsemble, torch.optim.Adam]:
    """Drop finished models from the ensemble and from Adam's state, keeping the rest exact."""
    index = torch.tensor(keep, device=ensemble.W_hh.device)
    old_params = [ensemble.W_uh, ensemble.W_hh, ensemble.W_r]
    smaller = ensemble.members(index)
    group = optimizer.param_groups[0]
    new_optimizer = torch.optim.Adam(
        [smaller.W_uh, smaller.W_hh, smaller.W_r],
        lr=group["lr"],
        weight_decay=group["weight_decay"],
    )
    for old, new in zip(old_params, [smaller.W_uh, smaller.W_hh, smaller.W_r], strict=True):
        state = optimizer.state.get(old)
        if state:
            new_optimizer.state[new] = {
                key: (value[index].clone() if key != "step" else value.clone())
                for key, value in state.items()
            }
    return smaller, new_optimizer


def train(
    config: TrainingConfig, device: str | torch.device = "cpu", progress: bool = True
) -> TrainingResult:
    """Train one model with `config` (its seed) and return it with history and test scores."""
    return train_ensemble(config, [config.seed], device=device, progress=progress)[0]


def train_ensemble(
    config: TrainingConfig,
    seeds: Sequence[int],
    device: str | torch.device = "cpu",
    progress: bool = True,
) -> list[TrainingResult]:
    """Train one model per seed with `config`, all at once as one stacked ensemble.

    Each model draws its own initial weights (``seed``) and its own batches
    (``data_seed(seed)``), keeps its own curriculum and clips its own gradient norm, so its
    result matches a run of `train` with that seed up to floating-point rounding. With
    ``early_stop``, a model finishes once it has held ``h_max`` with batch loss below ε for
    ``stop_patience`` iterations and then reaches ``target_accuracy`` on the test set (and,
    with ``eval_every``, also when a test every that many iterations reaches it); finished
    models leave the ensemble so the others run faster. Raises DivergenceError on a NaN or
    infinite loss.
    """
    seeds = [int(s) for s in seeds]
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct and at least one, got {seeds!r}")
    configs = [config.replace(seed=s) for s in seeds]
    task = config.make_task()
    s = task.s
    device = torch.device(device)
    ensemble = ElmanEnsemble(task.d, config.n_hidden, task.d, config.init, seeds).to(device)
    optimizer = torch.optim.Adam(
        [ensemble.W_uh, ensemble.W_hh, ensemble.W_r],
        lr=config.learning_rate,
        weight_decay=config.weight_decay,
    )
    generators = [torch.Generator().manual_seed(data_seed(seed)) for seed in seeds]
    curricula = [Curriculum(c) for c in configs]
    histories: list[dict[str, list[float]]] = [
        {"loss": [], "horizon": [], "accuracy": []} for _ in seeds
    ]
    calm = [0] * len(seeds)  # consecutive iterations at h_max with loss below epsilon
    active = list(range(len(seeds)))  # model index of each ensemble member
    results: dict[int, TrainingResult] = {}
    start = time.perf_counter()
    bar = tqdm(
        total=config.iterations,
        disable=not progress,
        desc=f"{config.task} x{len(seeds)}",
        mininterval=2.0,  # a notebook keeps every redraw of a text bar as output
    )

    workspace = Workspace()
    eval_seconds = 0.0  # time spent in tests, so that training speed can be told apart

    def timed_evaluate(model: ElmanRNN | ElmanEnsemble) -> tuple[np.ndarray, np.ndarray]:
        nonlocal eval_seconds
        began = time.perf_counter()
        out = evaluate(model, task, config.test_horizon, config.test_batches,
                       config.test_batch_size, config.test_seed, workspace)  # fmt: skip
        eval_seconds += time.perf_counter() - began
        return out

    def timed_screen(members: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        nonlocal eval_seconds
        began = time.perf_counter()
        candidates = ensemble.members(members)
        out = passes_test(candidates, task, config.target_accuracy, config.test_horizon,
                          config.test_batches, config.test_batch_size, config.test_seed,
                          workspace)  # fmt: skip
        eval_seconds += time.perf_counter() - began
        return out

    def finish(m: int, member: int, iteration: int, solved: bool, test: tuple | None) -> None:
        model = ensemble.member(member)
        elapsed, tested = time.perf_counter() - start, eval_seconds
        if test is None:
            acc, by_step = timed_evaluate(model)
            test = (acc[0], by_step[0])
        results[m] = TrainingResult(
            config=configs[m],
            model=model,
            history={k: np.asarray(v) for k, v in histories[m].items()},
            test_accuracy=float(test[0]),
            accuracy_by_timestep=np.asarray(test[1]),
            iterations=iteration,
            solved=solved or float(test[0]) >= config.target_accuracy,
            wall_time=elapsed,
            extra={"train_seconds": elapsed - tested, "ensemble_size": len(seeds)},
        )

    iteration = 0
    for iteration in range(1, config.iterations + 1):
        if config.lr_change_iteration == iteration and config.lr_after_change is not None:
            for group in optimizer.param_groups:
                group["lr"] = config.lr_after_change
        horizons = [curricula[m].horizon for m in active]
        longest = max(horizons)
        firsts = torch.stack([task.sample_input_phase(config.batch_size, generators[m])
                              for m in active])  # fmt: skip
        targets = task.targets_from_inputs(firsts.flatten(0, 1), longest)
        targets = targets.view(len(active), config.batch_size, longest, task.d)
        inputs = torch.zeros(len(active), config.batch_size, s + longest, task.d)
        inputs[:, :, :s] = firsts
        inputs, targets = inputs.to(device), targets.to(device)

        steps = [s + h for h in horizons]
        outputs = ensemble(inputs, n_input=s, lengths=steps, workspace=workspace)[:, :, s:]
        squared = (outputs - targets).pow(2)
        step_loss = squared.mean(dim=(1, 3))  # (M, longest): L(t) of each model
        lengths = torch.tensor(horizons, device=device)
        within = torch.arange(longest, device=device)[None, :] < lengths[:, None]
        losses = (step_loss * within).sum(dim=1) / lengths
        optimizer.zero_grad(set_to_none=False)
        losses.sum().backward()
        if not torch.all(torch.isfinite(losses)):
            bad = int(torch.nonzero(~torch.isfinite(losses))[0, 0])
            bar.close()
            raise DivergenceError(
                f"loss became {losses[bad].item()} at iteration {iteration} "
                f"(seed {seeds[active[bad]]}); lower learning_rate or check the inputs"
            )
        _clip_per_model(ensemble, config.grad_clip)
        optimizer.step()

        with torch.no_grad():
            hits = (torch.sign(outputs) == targets).float().mean(dim=(1, 3))
            accuracy = ((hits * within).sum(dim=1) / lengths).cpu().numpy()
        loss_values = losses.detach().cpu().numpy()
        step_values = step_loss.detach().cpu().numpy()
        candidates = []
        for member, m in enumerate(active):
            h = horizons[member]
            histories[m]["loss"].append(float(loss_values[member]))
            histories[m]["horizon"].append(h)
            histories[m]["accuracy"].append(float(accuracy[member]))
            curricula[m].update(step_values[member, :h], float(accuracy[member]))
            at_max = h >= config.h_max and loss_values[member] < config.epsilon
            calm[m] = calm[m] + 1 if at_max else 0
            if config.early_stop and calm[m] >= config.stop_patience:
                candidates.append(member)
            elif config.early_stop and config.eval_every and iteration % config.eval_every == 0:
                candidates.append(member)

        done: list[int] = []
        if candidates:
            passed, acc, by_step = timed_screen(candidates)
            for i, member in enumerate(candidates):
                m = active[member]
                if passed[i]:
                    finish(m, member, iteration, True, (acc[i], by_step[i]))
                    done.append(member)
                else:
                    calm[m] = 0  # not there yet: hold h_max for another stretch
        if done:
            keep = [member for member in range(len(active)) if member not in done]
            if not keep:
                bar.update(1)
                break
            ensemble, optimizer = _compact(ensemble, optimizer, keep)
            active = [active[member] for member in keep]
        bar.update(1)
        if progress and (iteration % 25 == 0 or done):
            bar.set_postfix(
                refresh=False,
                models=len(active),
                horizon=f"{min(horizons)}-{max(horizons)}",
                loss=f"{float(np.mean(loss_values)):.4f}",
                acc=f"{float(np.mean(accuracy)):.4f}",
            )
    bar.close()
    for member, m in enumerate(active):
        if m not in results:
            finish(m, member, iteration, False, None)
    return [results[m] for m in range(len(seeds))]
