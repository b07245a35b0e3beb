"""Training speed of varmem against a plain torch.nn.RNN loop, measured in one process.

Usage (from the repository root, after `pip install -r requirements.txt`):

    python benchmarks/train_speed.py            # full run, about an hour on 2 cores
    python benchmarks/train_speed.py --quick    # smaller version of every measurement

It measures, all in this process and on this machine:
  1. per-model training iterations per second at N_h = 64 and 128 (fixed horizon 100) for
     (a) the baseline loop, (b) varmem's single-model trainer, (c) varmem's ensemble at
     M = 8 and 20, interleaved over several rounds and summarised by the median;
  2. time-to-solution of T1 (s = 8, d = 8, N_h = 128): wall time until test accuracy >= 0.999
     at horizon 200 (10 batches of 64); median over seeds. The baseline runs the full test
     every 250 iterations, as a plain loop would; varmem screens every `--check-every`
     iterations (default 25) with `passes_test`, the same test stopped as soon as a model
     cannot pass it;
  3. wall time to solve `--seeds` seeds of that model: baseline one after the other, varmem
     as one ensemble, both with their own check schedule and, to tell the engine's share
     from the check's, varmem once more with the baseline's schedule of 250;
  4. achieved GFLOP/s of the training step against a measured GEMM peak.
Every solved model is also tested on 10 batches it was never checked on (another seed), so
that stopping at a check that happens to pass would show. Ratios are against the baseline.
Results are written to benchmarks/results/*.json after every part (atomically), so an
interrupted run keeps what it measured.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

from varmem import store
from varmem.model import ElmanRNN, initial_weights
from varmem.training import (
    Curriculum,
    TrainingConfig,
    data_seed,
    evaluate,
    train,
    train_ensemble,
    tune_allocator,
)

EVAL_EVERY = 250  # the baseline's test schedule
HELD_OUT_SEED = 4046  # test batches that no stopping decision has seen


def baseline_train(config: TrainingConfig, fixed_iterations: int | None = None) -> dict:
    """The plain recipe a new user would write: nn.RNN + Linear, Adam, clipping, curriculum.

    Same task, batches, initial weights, curriculum rule and stopping test as varmem, so the
    comparison measures the training engine and nothing else.
    """
    task = config.make_task()
    rnn = nn.RNN(task.d, config.n_hidden, nonlinearity="tanh", bias=False, batch_first=True)
    readout = nn.Linear(config.n_hidden, task.d, bias=False)
    w_uh, w_hh, w_r = initial_weights(task.d, config.n_hidden, task.d, config.init, config.seed)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(w_uh)
        rnn.weight_hh_l0.copy_(w_hh)
        readout.weight.copy_(w_r)
    params = list(rnn.parameters()) + list(readout.parameters())
    optimizer = torch.optim.Adam(params, lr=config.learning_rate, weight_decay=config.weight_decay)
    generator = torch.Generator().manual_seed(data_seed(config.seed))
    curriculum = Curriculum(config)
    start = time.perf_counter()
    limit = fixed_iterations or config.iterations
    for iteration in range(1, limit + 1):
        horizon = curriculum.horizon
        batch = task.sample(config.batch_size, horizon, generator)
        hidden, _ = rnn(batch.inputs)
        outputs = readout(hidden)[:, task.s :]
        step_loss = ((outputs - batch.output_targets) ** 2).mean(dim=(0, 2))
        loss = step_loss.mean()
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, config.grad_clip)
        optimizer.step()
        accuracy = (torch.sign(outputs) == batch.output_targets).float().mean().item()
        curriculum.update(step_loss.detach().numpy(), accuracy)
        if fixed_iterations is None and iteration % EVAL_EVERY == 0:
            model = _as_elman(rnn, readout)
            acc, _ = evaluate(model, task, config.test_horizon, config.test_batches,
                              config.test_batch_size, config.test_seed)  # fmt: skip
            if acc[0] >= config.target_accuracy:
                return {"iterations": iteration, "seconds": time.perf_counter() - start,
                        "accuracy": float(acc[0]), "solved": True,
                        "held_out_accuracy": held_out_accuracy(model, config)}  # fmt: skip
    return {"iterations": limit, "seconds": time.perf_counter() - start, "solved": False}


def held_out_accuracy(model: ElmanRNN, config: TrainingConfig) -> float:
    """Test accuracy of `model` on batches drawn from HELD_OUT_SEED."""
    acc, _ = evaluate(model, config.make_task(), config.test_horizon, config.test_batches,
                      config.test_batch_size, HELD_OUT_SEED)  # fmt: skip
    return float(acc[0])


def summary(result) -> dict:
    """The JSON record of one varmem TrainingResult."""
    return {"seconds": result.wall_time, "iterations": result.iterations,
            "solved": result.solved, "accuracy": result.test_accuracy,
            "held_out_accuracy": held_out_accuracy(result.model, result.config)}  # fmt: skip


def _as_elman(rnn: nn.RNN, readout: nn.Linear) -> ElmanRNN:
    return ElmanRNN.from_weights(rnn.weight_ih_l0.detach(), rnn.weight_hh_l0.detach(),
                                 readout.weight.detach())  # fmt: skip


def gemm_peak() -> float:
    """GFLOP/s of a 2048 x 2048 float32 matrix product, best of five."""
    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    a @ b
    best = min(_timed(lambda: a @ b) for _ in range(5))
    return 2 * 2048**3 / best / 1e9


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def step_flops(config: TrainingConfig, horizon: int) -> float:
    """Floating-point operations of one training iteration of one model (forward + backward)."""
    n, d, b, s = config.n_hidden, config.d, config.batch_size, config.s
    steps = s + horizon
    forward = 2 * b * (steps * n * n + s * n * d + steps * n * d)
    return 3 * forward  # backward costs about twice the forward pass


def throughput(n_hidden: int, rounds: int, iterations: int) -> dict:
    """Per-model iterations per second at a fixed horizon of 100, medians over rounds."""
    config = TrainingConfig(n_hidden=n_hidden, curriculum="fixed", early_stop=False,
                            iterations=iterations, lr_change_iteration=None)  # fmt: skip
    runners = {
        "baseline": lambda: iterations / baseline_train(config, iterations)["seconds"],
        "varmem single": lambda: iterations / train(config, progress=False).extra["train_seconds"],
    }
    for m in (8, 20):
        runners[f"varmem ensemble M={m}"] = lambda m=m: (
            m
            * iterations
            / train_ensemble(config, range(m), progress=False)[0].extra["train_seconds"]
        )
    for run in runners.values():
        run()  # warm up every path once
    samples = {name: [] for name in runners}
    for _ in range(rounds):
        for name, run in runners.items():
            samples[name].append(run())
    rates = {name: statistics.median(v) for name, v in samples.items()}
    flops = step_flops(config, 100)
    return {name: {"it_per_s": rate, "ratio": rate / rates["baseline"],
                   "gflops": rate * flops / 1e9} for name, rate in rates.items()}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller version of each part")
    parser.add_argument("--seeds", type=int, default=None, help="seeds for the many-seed part")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-solve", action="store_true")
    parser.add_argument(
        "--check-every", type=int, default=25, help="iterations between varmem's tests"
    )
    parser.add_argument(
        "--skip-same-schedule",
        action="store_true",
        help="skip the many-seed varmem run on the baseline's test schedule",
    )
    args = parser.parse_args()
    tuned = tune_allocator()
    rounds, iterations = (2, 10) if args.quick else (5, 30)
    n_seeds = args.seeds or (4 if args.quick else 20)
    tts_seeds = [0, 1] if args.quick else [0, 1, 2]
    report: dict = {"provenance": store.provenance(), "allocator_tuned": tuned, "complete": False}
    peak = gemm_peak()
    report["gemm_peak_gflops"] = peak
    print(f"GEMM peak (2048^2 float32): {peak:.0f} GFLOP/s; threads {torch.get_num_threads()}")

    if not args.skip_throughput:
        report["throughput"] = {}
        for n_hidden in (64, 128):
            result = throughput(n_hidden, rounds, iterations)
            report["throughput"][n_hidden] = result
            print(f"\nPer-model throughput, N_h = {n_hidden}, horizon 100, batch 64")
            print(
                f"{'trainer':26s} {'it/s':>8s} {'x baseline':>11s} {'GFLOP/s':>8s} {'% peak':>7s}"
            )
            for name, r in result.items():
                print(f"{name:26s} {r['it_per_s']:8.1f} {r['ratio']:11.2f} {r['gflops']:8.1f} "
                      f"{100 * r['gflops'] / peak:6.1f}%")  # fmt: skip
            write_report(report, args.quick)

    if not args.skip_solve:
        config = TrainingConfig(eval_every=EVAL_EVERY, iterations=20_000)
        ours_config = config.replace(eval_every=args.check_every)
        report["check_every"] = {"baseline": EVAL_EVERY, "varmem": args.check_every}
        print("\nTime to solution, T1 s=8 d=8 N_h=128 (test accuracy >= 0.999 at horizon 200)")
        base = [baseline_train(config.replace(seed=s)) for s in tts_seeds]
        ours = [summary(train(ours_config.replace(seed=s), progress=False)) for s in tts_seeds]
        for s, b, o in zip(tts_seeds, base, ours, strict=True):
            print(f"  seed {s}: baseline {b['seconds']:6.1f} s ({b['iterations']} it), "
                  f"varmem {o['seconds']:6.1f} s ({o['iterations']} it)")  # fmt: skip
        base_median = statistics.median(b["seconds"] for b in base)
        ours_median = statistics.median(o["seconds"] for o in ours)
        print(f"  median: baseline {base_median:.1f} s, varmem {ours_median:.1f} s, "
              f"ratio {base_median / ours_median:.2f}x")  # fmt: skip
        report["time_to_solution"] = {
            "seeds": tts_seeds, "baseline": base, "varmem": ours,
            "median_ratio": base_median / ours_median,
        }  # fmt: skip
        write_report(report, args.quick)

        seeds = list(range(100, 100 + n_seeds))
        print(f"\nSolving {n_seeds} seeds of the same model")
        start = time.perf_counter()
        base_many = [baseline_train(config.replace(seed=s)) for s in seeds]
        base_wall = time.perf_counter() - start
        print(f"  baseline, one after the other: {base_wall:.0f} s, "
              f"{sum(b['solved'] for b in base_many)}/{n_seeds} solved")  # fmt: skip
        report["many_seeds"] = {"seeds": n_seeds, "baseline_s": base_wall, "baseline": base_many}
        write_report(report, args.quick)
        runs = [("varmem", ours_config)]
        if not args.skip_same_schedule:
            runs.append(("varmem_every_250", config))
        for name, run_config in runs:
            start = time.perf_counter()
            results = train_ensemble(run_config, seeds, progress=False)
            wall = time.perf_counter() - start
            print(f"  {name}, one ensemble, test every {run_config.eval_every}: {wall:.0f} s, "
                  f"{sum(r.solved for r in results)}/{n_seeds} solved; "
                  f"{wall / base_wall:.2f} of the baseline's wall time")  # fmt: skip
            report["many_seeds"][f"{name}_s"] = wall
            report["many_seeds"][f"{name}_fraction"] = wall / base_wall
            report["many_seeds"][name] = [summary(r) for r in results]
            write_report(report, args.quick)
        held_out = [r["held_out_accuracy"] for r in base_many if r["solved"]]
        held_out += [r["held_out_accuracy"] for r in report["many_seeds"]["varmem"] if r["solved"]]
        print(f"  lowest held-out accuracy of a solved model: {min(held_out):.4f}")

    report["complete"] = True
    print(f"\nwrote {write_report(report, args.quick)}")


def write_report(report: dict, quick: bool) -> Path:
    """Write `report` atomically to benchmarks/results/ and return the path.

    Called after every part, so that an interrupted run keeps what it measured; the key
    ``complete`` is true only once every part has run.
    """
    out_dir = Path(__file__).parent / "results"
    out_dir.mkdir(exist_ok=True)
    path = out_dir / ("train_speed-quick.json" if quick else "train_speed.json")
    fd, tmp = tempfile.mkstemp(dir=out_dir, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(report, f, indent=2, default=str)
    os.replace(tmp, path)
    return path


if __name__ == "__main__":
    main()
