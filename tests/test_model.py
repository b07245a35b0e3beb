"""Elman RNNs: initialisation, the ensemble against separate nn.RNN models, bad input."""

import numpy as np
import pytest
import torch

from varmem import operators as ops
from varmem.model import ElmanEnsemble, ElmanRNN, initial_weights


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
