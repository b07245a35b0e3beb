"""Training: config validation, curriculum rules, ensemble = separate runs, divergence."""

import numpy as np
import pytest
import torch

from varmem import training
from varmem.tasks import VariableBindingTask
from varmem.training import Curriculum, DivergenceError, TrainingConfig

SMALL = TrainingConfig(task="T1", s=3, d=2, n_hidden=16, h0=4, h_max=12, iterations=120,
                       early_stop=False, lr_change_iteration=None, test_horizon=24)  # fmt: skip


def test_defaults_are_the_papers_table_2():
    c = TrainingConfig()
    assert (c.s, c.d, c.n_hidden, c.batch_size, c.iterations) == (8, 8, 128, 64, 45_000)
    assert (c.learning_rate, c.lr_change_iteration, c.weight_decay, c.grad_clip) == (
        1e-3, 36_000, 0.0, 1.0)  # fmt: skip
    assert (c.h0, c.h_max, c.gamma, c.epsilon, c.curriculum) == (10, 100, 1.2, 3e-2, "paper")
    rows = dict(training.table2_rows())
    assert (
        rows["Hidden dimension N_h"] == "128" and rows["Weight decay (L2 regularization)"] == "none"
    )
    assert rows["# of training iterations"] == "45000"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"n_hidden": 0}, "n_hidden must be a positive integer"),
        ({"s": -1}, "s must be a positive integer"),
        ({"d": 0}, "d must be a positive integer"),
        ({"learning_rate": 0}, "learning_rate must be positive"),
        ({"curriculum": "linear"}, "curriculum must be one of"),
        ({"h0": 200}, "h0 must not exceed h_max"),
        ({"gamma": 1.0}, "gamma must be greater than 1"),
        ({"task": "T9"}, "name must be one of"),
        ({"task": "T3", "s": 4}, "s = d = 8 only"),
        ({"ladder": (10, 5)}, "ladder must be increasing"),
        ({"eval_every": 0}, "eval_every must be a positive integer or None"),
        ({"weight_decay": -1.0}, "weight_decay must be >= 0"),
        ({"init": "zeros"}, "init must be one of"),
    ],
)
def test_bad_config(changes, message):
    with pytest.raises(ValueError, match=message):
        TrainingConfig(**changes)


def test_config_round_trips_through_json_form():
    c = SMALL.replace(ladder=(2, 4, 8), seed=5)
    assert TrainingConfig.from_dict(c.to_dict()) == c
    with pytest.raises(ValueError, match="unknown config fields"):
        TrainingConfig.from_dict({"hidden": 3})


def test_paper_curriculum_grows_holds_and_shrinks():
    c = TrainingConfig(h0=10, h_max=30, gamma=1.2, epsilon=0.1, loss_smoothing=0.0)
    cur = Curriculum(c)
    assert cur.horizon == 10
    cur.update(np.full(10, 0.05), 1.0)  # every L(t) below epsilon: grow
    assert cur.horizon == 12
    cur.update(np.r_[np.full(11, 0.01), 0.5], 1.0)  # one step above, mean below: hold
    assert cur.horizon == 12
    cur.update(np.full(12, 0.5), 0.0)  # mean above: shrink, and forget the dropped steps
    assert cur.horizon == 10 and np.all(np.isnan(cur.step_loss[10:]))
    for _ in range(20):
        cur.update(np.zeros(cur.horizon), 1.0)
    assert cur.horizon == 30  # capped at h_max
    for _ in range(20):
        cur.update(np.ones(cur.horizon), 0.0)
    assert cur.horizon == 10  # floored at h0


def test_paper_curriculum_smooths_the_step_loss():
    cur = Curriculum(TrainingConfig(h0=4, h_max=8, epsilon=0.1, loss_smoothing=0.5))
    cur.update(np.full(4, 0.3), 0.0)  # first sight: the average is the value itself
    assert np.allclose(cur.step_loss[:4], 0.3) and cur.horizon == 4
    cur.update(np.full(4, 0.0), 1.0)  # 0.15: still above, mean above -> stays at h0
    assert np.allclose(cur.step_loss[:4], 0.15)
    cur.update(np.full(4, 0.0), 1.0)  # 0.075 < 0.1: grow
    assert cur.horizon == 5


def test_ladder_and_fixed_curricula():
    cur = Curriculum(TrainingConfig(curriculum="ladder", ladder_threshold=0.9))
    assert cur.horizon == 10
    cur.update(np.zeros(10), 0.85)
    assert cur.horizon == 10
    for expected in (20, 40, 60, 100, 100):
        cur.update(np.zeros(cur.horizon), 0.95)
        assert cur.horizon == expected
    fixed = Curriculum(TrainingConfig(curriculum="fixed"))
    fixed.update(np.ones(100), 0.0)
    assert fixed.horizon == 100


def test_ensemble_training_matches_separate_runs():
    seeds = [1, 2, 3]
    together = training.train_ensemble(SMALL, seeds, progress=False)
    for seed, result in zip(seeds, together, strict=True):
        alone = training.train(SMALL.replace(seed=seed), progress=False)
        assert result.config.seed == seed
        assert np.array_equal(result.history["horizon"], alone.history["horizon"])
        np.testing.assert_allclose(
            result.history["loss"], alone.history["loss"], rtol=1e-4, atol=1e-6
        )
        np.testing.assert_allclose(result.model.W_hh, alone.model.W_hh, rtol=1e-4, atol=1e-5)


def test_training_is_deterministic_for_a_seed():
    a = training.train(SMALL.replace(iterations=40), progress=False)
    b = training.train(SMALL.replace(iterations=40), progress=False)
    assert np.array_equal(a.history["loss"], b.history["loss"])
    assert np.array_equal(a.model.W_hh, b.model.W_hh)


@pytest.fixture(scope="module")
def solved_small():
    config = TrainingConfig(task="T1", s=3, d=2, n_hidden=24, h0=4, h_max=24, iterations=3000,
                            eval_every=100, lr_change_iteration=None, test_horizon=60)  # fmt: skip
    return training.train(config, progress=False)


def test_small_model_learns_repeat_copy(solved_small):
    result = solved_small
    assert result.solved and result.test_accuracy >= 0.999
    assert result.iterations < 3000
    assert result.accuracy_by_timestep.shape == (60,)
    assert len(result.history["loss"]) == result.iterations


@pytest.mark.parametrize("target", [0.999, "exact", 0.3])
def test_early_exit_test_decides_as_the_full_test(solved_small, target):
    solved = solved_small.model
    untrained = training.ElmanRNN(2, 24, seed=7)
    noisy = training.ElmanRNN.from_weights(
        *(w + 0.02 * torch.randn(w.shape, generator=torch.Generator().manual_seed(3))
          for w in solved.weights().values())
    )  # fmt: skip
    ensemble = training.ElmanEnsemble.from_models([untrained, solved, noisy])
    task = solved_small.config.make_task()
    acc, by_step = training.evaluate(ensemble, task, 60, 10, 64, 11)
    target = float(acc[1]) if target == "exact" else target
    passed, screened, screened_by_step = training.passes_test(
        ensemble, task, target, 60, 10, 64, 11
    )
    assert passed.tolist() == (acc >= target).tolist()
    assert passed[1]
    np.testing.assert_array_equal(screened[passed], acc[passed])
    np.testing.assert_array_equal(screened_by_step[passed], by_step[passed])
    assert np.isnan(screened[~passed]).all()


def test_finished_models_leave_the_ensemble_and_keep_their_weights():
    config = SMALL.replace(
        iterations=1500, early_stop=True, eval_every=50, h_max=8, test_horizon=16
    )
    results = training.train_ensemble(config, [0, 1, 2, 3], progress=False)
    assert all(r.solved for r in results)
    assert len({r.iterations for r in results}) > 1  # they finished at different times
    for r in results:
        acc, _ = training.evaluate(r.model, config.make_task(), 16, 10, 64, config.test_seed)
        assert acc[0] == pytest.approx(r.test_accuracy)


def test_divergence_names_the_iteration(monkeypatch):
    original = VariableBindingTask.targets_from_inputs
    calls = {"n": 0}

    def poisoned(self, first_inputs, horizon):
        out = original(self, first_inputs, horizon)
        calls["n"] += 1
        return out * float("nan") if calls["n"] >= 3 else out

    monkeypatch.setattr(VariableBindingTask, "targets_from_inputs", poisoned)
    with pytest.raises(DivergenceError, match="at iteration 3"):
        training.train(SMALL, progress=False)


def test_learning_rate_change_is_applied():
    config = SMALL.replace(iterations=6, lr_change_iteration=3, lr_after_change=0.0)
    frozen = training.train(config, progress=False)
    two_steps = training.train(SMALL.replace(iterations=2), progress=False)
    # With lr 0 from iteration 3 on, the weights stay as they were after two updates.
    np.testing.assert_allclose(frozen.model.W_hh, two_steps.model.W_hh, rtol=1e-6, atol=1e-7)


def test_seeds_must_be_distinct():
    with pytest.raises(ValueError, match="seeds must be distinct"):
        training.train_ensemble(SMALL, [1, 1], progress=False)
    assert torch.get_num_threads() >= 1
