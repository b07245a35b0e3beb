"""Elman RNNs: initialisation, the ensemble against separate nn.RNN models, bad input."""

import numpy as np
import pytest
import torch

from varmem import operators as ops
from varmem.model import ElmanEnsemble, ElmanRNN, Workspace, initial_weights


def test_uniform_and_gaussian_initialisation():
    w_uh, w_hh, w_r = initial_weights(8, 400, 8, "uniform", 0)
    k = 1 / np.sqrt(400)
    assert w_hh.abs().max() <= k and w_hh.abs().max() > 0.99 * k
    assert abs(w_hh.std().item() - k / np.sqrt(3)) < 0.01 * k
    _, g_hh, _ = initial_weights(8, 400, 8, "gaussian", 0)
    assert abs(g_hh.std().item() - k) < 0.01 * k
    assert w_uh.shape == (400, 8) and w_r.shape == (8, 400)
    again = initial_weights(8, 400, 8, "uniform", 0)
    assert all(torch.equal(a, b) for a, b in zip((w_uh, w_hh, w_r), again, strict=True))


def test_ensemble_members_start_as_the_single_models():
    ensemble = ElmanEnsemble(3, 10, seeds=[4, 7])
    for m, seed in enumerate([4, 7]):
        single = ElmanRNN(3, 10, seed=seed)
        assert np.array_equal(ensemble.member(m).W_hh, single.W_hh)
        assert np.array_equal(ensemble.member(m).W_uh, single.W_uh)
        assert np.array_equal(ensemble.member(m).W_r, single.W_r)


@pytest.mark.parametrize("n_input", [None, 3])
def test_ensemble_matches_separate_models_forward_and_backward(n_input):
    seeds = [0, 1, 2]
    models = [ElmanRNN(4, 12, 4, seed=s) for s in seeds]
    ensemble = ElmanEnsemble(4, 12, 4, seeds=seeds)
    inputs = torch.randn(3, 5, 9, 4, generator=torch.Generator().manual_seed(0))
    if n_input is not None:
        inputs[:, :, n_input:] = 0  # the output phase has no input
    targets = torch.randn(3, 5, 9, 4, generator=torch.Generator().manual_seed(1))
    out = ensemble(inputs, n_input=n_input)
    ((out - targets) ** 2).mean(dim=(1, 2, 3)).sum().backward()
    for m, model in enumerate(models):
        single = model(inputs[m])
        torch.testing.assert_close(out[m], single, rtol=1e-5, atol=1e-6)
        ((single - targets[m]) ** 2).mean().backward()
        torch.testing.assert_close(
            ensemble.W_hh.grad[m], model.rnn.weight_hh_l0.grad, rtol=1e-4, atol=1e-6
        )
        torch.testing.assert_close(
            ensemble.W_uh.grad[m], model.rnn.weight_ih_l0.grad, rtol=1e-4, atol=1e-6
        )
        torch.testing.assert_close(
            ensemble.W_r.grad[m], model.readout.weight.grad, rtol=1e-4, atol=1e-6
        )
    hidden = ensemble.hidden_states(inputs, n_input)
    torch.testing.assert_close(hidden[1], models[1].hidden_states(inputs[1]), rtol=1e-5, atol=1e-6)


def test_shared_inputs_broadcast_to_every_model():
    ensemble = ElmanEnsemble(2, 6, seeds=[0, 1])
    x = torch.randn(4, 5, 2)
    torch.testing.assert_close(ensemble(x)[1], ensemble.member(1)(x), rtol=1e-5, atol=1e-6)


def test_from_models_and_weights_round_trip():
    models = [ElmanRNN(2, 5, seed=s) for s in (3, 9)]
    ensemble = ElmanEnsemble.from_models(models)
    assert ensemble.size == 2
    rebuilt = ElmanRNN.from_weights(**models[1].weights())
    assert np.array_equal(rebuilt.W_hh, models[1].W_hh)
    assert np.array_equal(ensemble.member(0).W_r, models[0].W_r)
    picked = ElmanEnsemble.from_models([*models, ElmanRNN(2, 5, seed=4)]).members([2, 0])
    assert picked.size == 2
    assert np.array_equal(picked.member(0).W_hh, ElmanRNN(2, 5, seed=4).W_hh)
    assert np.array_equal(picked.member(1).W_uh, models[0].W_uh)


def test_theoretical_repeat_copy_circuit_runs_through_tanh():
    """W_hh = 2 Phi, W_uh = Psi_s, W_r = Psi_s^*: tanh keeps every sign, so the copy is exact."""
    s, d = 4, 3
    model = ElmanRNN.from_weights(
        torch.tensor(ops.input_matrix(s, d), dtype=torch.float32),
        torch.tensor(2 * ops.repeat_copy_phi_matrix(s, d), dtype=torch.float32),
        torch.tensor(ops.readout_matrix(s, d), dtype=torch.float32),
    )
    u = torch.tensor(np.random.default_rng(0).choice([-1.0, 1.0], (6, s, d)), dtype=torch.float32)
    x = torch.cat([u, torch.zeros(6, 5 * s, d)], dim=1)
    y = torch.sign(model(x))[:, s:]
    assert torch.equal(y, u.repeat(1, 5, 1))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_hidden": 0}, "n_hidden must be a positive integer"),
        ({"n_hidden": 2.5}, "n_hidden must be a positive integer"),
        ({"d_in": 0}, "d_in must be a positive integer"),
        ({"init": "normal"}, "init must be one of"),
        ({"seed": -1}, "seed must be a non-negative integer"),
    ],
)
def test_bad_model_arguments(kwargs, message):
    args = {"d_in": 2, "n_hidden": 4, "init": "uniform", "seed": 0} | kwargs
    with pytest.raises(ValueError, match=message):
        ElmanRNN(**args)


def test_bad_ensemble_input_shape():
    ensemble = ElmanEnsemble(2, 4, seeds=[0, 1])
    with pytest.raises(ValueError, match="inputs must be"):
        ensemble(torch.zeros(3, 4, 5, 2))
    with pytest.raises(ValueError, match="inputs must be"):
        ensemble(torch.zeros(4, 5, 3))
    with pytest.raises(ValueError, match="seeds must name at least one"):
        ElmanEnsemble(2, 4, seeds=[])
    with pytest.raises(ValueError, match=r"m must be in 0\.\.1"):
        ensemble.member(2)
    for bad in ([], [2], [-1], [[0]]):
        with pytest.raises(ValueError, match=r"index must list members in 0\.\.1"):
            ensemble.members(bad)


def test_lengths_run_each_model_only_as_long_as_asked():
    seeds = [0, 1, 2, 3]
    ensemble = ElmanEnsemble(3, 10, seeds=seeds)
    reference = ElmanEnsemble(3, 10, seeds=seeds)
    x = torch.randn(4, 6, 12, 3, generator=torch.Generator().manual_seed(2))
    x[:, :, 4:] = 0
    lengths = [7, 12, 5, 9]
    mask = (torch.arange(12)[None, :] < torch.tensor(lengths)[:, None]).float()
    target = torch.randn(4, 6, 12, 3, generator=torch.Generator().manual_seed(3))
    out = ensemble(x, n_input=4, lengths=lengths)
    full = reference(x, n_input=4)
    for m, n in enumerate(lengths):
        torch.testing.assert_close(out[m, :, :n], full[m, :, :n], rtol=1e-5, atol=1e-6)
        assert torch.all(out[m, :, n:] == 0)
    weight = mask[:, None, :, None]
    ((out - target) ** 2 * weight).sum().backward()
    ((full - target) ** 2 * weight).sum().backward()
    for name in ("W_uh", "W_hh", "W_r"):
        torch.testing.assert_close(
            getattr(ensemble, name).grad, getattr(reference, name).grad, rtol=1e-4, atol=1e-6
        )
    with pytest.raises(ValueError, match="lengths must hold one length"):
        ensemble(x, lengths=[13, 1, 1, 1])


def _loss_and_grads(ensemble, inputs, lengths, workspace):
    ensemble.zero_grad()
    out = ensemble(inputs, n_input=3, lengths=lengths, workspace=workspace)
    out.pow(2).mean().backward()
    return out.detach(), [p.grad.clone() for p in (ensemble.W_uh, ensemble.W_hh, ensemble.W_r)]


def test_workspace_reuses_its_buffers_and_changes_no_result():
    ensemble = ElmanEnsemble(2, 6, seeds=[0, 1, 2])
    inputs = torch.randn(3, 4, 10, 2, generator=torch.Generator().manual_seed(0))
    inputs[:, :, 3:] = 0
    workspace = Workspace()
    plain = _loss_and_grads(ensemble, inputs, [10, 7, 9], None)
    first = _loss_and_grads(ensemble, inputs, [10, 7, 9], workspace)
    kept = {name: t.data_ptr() for name, t in workspace._free.items()}
    assert set(kept) == {"hidden", "grad_pre"}
    # A shorter second run fits in the same buffers: nothing new is allocated.
    _loss_and_grads(ensemble, inputs[:, :, :8], [8, 5, 6], workspace)
    assert {name: t.data_ptr() for name, t in workspace._free.items()} == kept
    again = _loss_and_grads(ensemble, inputs, [10, 7, 9], workspace)
    for a, b, c in zip([plain[0], *plain[1]], [first[0], *first[1]], [again[0], *again[1]],
                       strict=True):  # fmt: skip
        assert torch.equal(a, b) and torch.equal(a, c)


def test_workspace_shared_by_a_test_in_the_middle_of_a_step():
    ensemble = ElmanEnsemble(2, 6, seeds=[0, 1])
    inputs = torch.randn(2, 4, 9, 2, generator=torch.Generator().manual_seed(1))
    inputs[:, :, 3:] = 0
    expected = _loss_and_grads(ensemble, inputs, None, None)
    workspace = Workspace()
    ensemble.zero_grad()
    out = ensemble(inputs, n_input=3, workspace=workspace)
    with torch.no_grad():  # e.g. a test between forward and backward: must not touch the states
        ensemble(torch.randn(2, 4, 12, 2), workspace=workspace)
    out.pow(2).mean().backward()
    assert torch.equal(ensemble.W_hh.grad, expected[1][1])


def test_workspace_graph_backpropagates_once():
    ensemble = ElmanEnsemble(2, 6, seeds=[0, 1])
    out = ensemble(torch.randn(2, 4, 9, 2), workspace=Workspace())
    loss = out.pow(2).mean()
    loss.backward(retain_graph=True)
    with pytest.raises(RuntimeError, match="backpropagated only once"):
        loss.backward()


def test_tanh_through_sigmoid_matches_torch_tanh():
    ensemble = ElmanEnsemble(3, 20, seeds=[5])
    inputs = 3 * torch.randn(1, 16, 30, 3, generator=torch.Generator().manual_seed(2))
    hidden = ensemble.hidden_states(inputs)[0]
    W_uh, W_hh = ensemble.W_uh[0].detach(), ensemble.W_hh[0].detach()
    h = torch.zeros(16, 20)
    for t in range(30):
        h = torch.tanh(h @ W_hh.T + inputs[0, :, t] @ W_uh.T)
        torch.testing.assert_close(hidden[:, t], h, rtol=0, atol=5e-7)
