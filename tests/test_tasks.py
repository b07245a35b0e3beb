"""Tasks T1-T4 against targets computed by hand, the authors' task ids, batches, bad input."""

import numpy as np
import pytest
import torch

from varmem import operators as ops
from varmem import tasks

AUTHOR_IDS = {
    "T1": (255, 0, 0),
    "T2": (9241421688590303745, 0, 0),
    "T3": (9241421688590303745, 262676, 189),
    "T4": (9241421688590303745, 38637, 145),
}


def hand_targets(u: np.ndarray, name: str, horizon: int) -> np.ndarray:
    """Run the rule of the notes step by step on a (s, d) input, returning (horizon, d)."""
    seq = [row for row in u]
    s = len(seq)
    for _ in range(horizon):
        t = len(seq)  # index of the new vector; seq[t - k] is u(t - k)
        if name == "T1":
            new = seq[t - s].copy()
        elif name == "T2":
            new = np.array([seq[t - s + i][i] for i in range(u.shape[1])])
        elif name == "T3":
            a, b, c, e, f, g, h, k = (seq[t - lag] for lag in (4, 5, 6, 8, 7, 3, 1, 2))
            new = np.array([-a[4], b[3], -c[2], -e[0], -f[1], -g[5], h[7], -k[6]])
        else:
            a, b, c, e, f, g, h, k = (seq[t - lag] for lag in (3, 2, 8, 7, 6, 5, 4, 1))
            new = np.array([-a[5], b[6], c[0], e[1], -f[2], g[3], h[4], -k[7]])
        seq.append(new)
    return np.array(seq[s:])


@pytest.mark.parametrize("name", ["T1", "T2", "T3", "T4"])
def test_targets_match_hand_computation(name):
    task = tasks.task_by_name(name)
    batch = task.sample(16, 40, torch.Generator().manual_seed(3))
    for b in range(16):
        u = batch.inputs[b, : task.s].numpy()
        expected = hand_targets(u, name, 40)
        assert np.array_equal(batch.output_targets[b].numpy(), expected)


@pytest.mark.parametrize(("s", "d"), [(3, 2), (5, 5), (8, 4)])
def test_repeat_and_compose_copy_for_other_sizes(s, d):
    g = torch.Generator().manual_seed(0)
    for name in ("T1", "T2"):
        task = tasks.task_by_name(name, s, d)
        batch = task.sample(4, 3 * s, g)
        for b in range(4):
            u = batch.inputs[b, :s].numpy()
            assert np.array_equal(batch.output_targets[b].numpy(), hand_targets(u, name, 3 * s))


@pytest.mark.parametrize("name", ["T1", "T2", "T3", "T4"])
def test_author_task_ids_decode_to_the_same_selection(name):
    F = tasks.decode_task_id(*AUTHOR_IDS[name], s=8, d=8)
    assert np.array_equal(F, tasks.task_by_name(name).F)


def test_phi_of_repeat_copy_is_the_cyclic_shift():
    assert np.array_equal(tasks.repeat_copy(8, 8).phi, ops.repeat_copy_phi_matrix(8, 8))


def test_batch_layout_and_determinism():
    task = tasks.repeat_copy(4, 3)
    a = task.sample(8, 10, torch.Generator().manual_seed(1))
    b = task.sample(8, 25, torch.Generator().manual_seed(1))
    assert a.inputs.shape == (8, 14, 3) and a.n_input == 4 and a.horizon == 10
    assert torch.all(a.inputs[:, 4:] == 0) and torch.all(a.targets[:, :4] == 0)
    assert set(a.inputs[:, :4].unique().tolist()) == {-1.0, 1.0}
    # The random draw does not depend on the horizon: the short batch is a prefix.
    assert torch.equal(a.inputs, b.inputs[:, :14]) and torch.equal(a.targets, b.targets[:, :14])
    c = task.sample(8, 10, torch.Generator().manual_seed(2))
    assert not torch.equal(a.inputs, c.inputs)
    head = a.head(3)
    assert head.n_input == 4 and head.horizon == 10
    assert torch.equal(head.inputs, a.inputs[:3]) and torch.equal(
        head.output_targets, a.output_targets[:3]
    )


def test_long_horizons_extend_the_cache():
    task = tasks.compose_copy(3, 3)
    g = torch.Generator().manual_seed(5)
    short = task.sample(2, 5, g)
    long = task.targets_from_inputs(short.inputs[:, :3], 500)
    u = short.inputs[0, :3].numpy()
    assert np.array_equal(long[0].numpy(), hand_targets(u, "T2", 500))


def test_selection_from_rule_and_its_errors():
    F = tasks.selection_from_rule([(2, 1, -1), (1, 0, 1)], s=2)
    assert F.tolist() == [[0, 0], [-1, 0], [0, 1], [0, 0]]
    with pytest.raises(ValueError, match=r"lag must be in 1..s=2"):
        tasks.selection_from_rule([(3, 0, 1)], s=2)
    with pytest.raises(ValueError, match="component must be in"):
        tasks.selection_from_rule([(1, 1, 1)], s=2)
    with pytest.raises(ValueError, match="sign must be -1 or"):
        tasks.selection_from_rule([(1, 0, 2)], s=2)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((255, 0, 0, 0, 8), "s must be a positive integer"),
        ((255, 0, 0, 8, -1), "d must be a positive integer"),
        ((3, 0, 0, 8, 8), "exactly d = 8"),
        ((1 << 64, 0, 0, 8, 8), "address the s\\*d = 64"),
        ((255, 8**8, 0, 8, 8), "base-8 code"),
        ((255, 8**7, 0, 8, 8), "past the last one"),
        ((255, 0, 256, 8, 8), "8-bit code"),
        ((-1, 0, 0, 8, 8), "mask must be a non-negative integer"),
    ],
)
def test_bad_task_ids(args, message):
    with pytest.raises(ValueError, match=message):
        tasks.decode_task_id(*args[:3], s=args[3], d=args[4])


def test_bad_task_arguments():
    with pytest.raises(ValueError, match="d <= s"):
        tasks.compose_copy(2, 3)
    with pytest.raises(ValueError, match="s = d = 8 only"):
        tasks.task_by_name("T3", 4, 4)
    with pytest.raises(ValueError, match="name must be one of"):
        tasks.task_by_name("T5")
    with pytest.raises(ValueError, match="s must be a positive integer"):
        tasks.repeat_copy(0, 2)
    with pytest.raises(ValueError, match="F must be a signed selection"):
        tasks.VariableBindingTask(np.ones((4, 2)))
    task = tasks.repeat_copy(2, 2)
    with pytest.raises(ValueError, match="horizon must be a positive integer"):
        task.sample(4, 0, torch.Generator())
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        task.sample(0, 4, torch.Generator())
    with pytest.raises(ValueError, match=r"first_inputs must have shape \(batch, s, d\)"):
        task.targets_from_inputs(torch.zeros(3, 3, 2), 4)
