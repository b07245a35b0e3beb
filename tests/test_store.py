"""The model store: round trip, provenance, corruption, mismatch, killed saves, get_or_train."""

import json
import os

import numpy as np
import pytest

from varmem import store, training
from varmem.training import TrainingConfig

TINY = TrainingConfig(task="T1", s=2, d=2, n_hidden=8, h0=2, h_max=4, iterations=30,
                      early_stop=False, lr_change_iteration=None, test_horizon=8)  # fmt: skip


@pytest.fixture(scope="module")
def result():
    return training.train(TINY, progress=False)


def test_round_trip_keeps_everything(tmp_path, result):
    path = store.save(result, tmp_path)
    assert path.name == store.config_key(TINY) + ".json"
    loaded = store.load(TINY, tmp_path)
    assert np.array_equal(loaded.model.W_hh, result.model.W_hh)
    assert np.array_equal(loaded.model.W_r, result.model.W_r)
    for k in result.history:
        assert np.array_equal(loaded.history[k], result.history[k])
    assert loaded.test_accuracy == result.test_accuracy
    assert np.array_equal(loaded.accuracy_by_timestep, result.accuracy_by_timestep)
    prov = loaded.extra["provenance"]
    assert {"varmem", "torch", "cpu", "date", "wall_time_s"} <= set(prov)


def test_key_depends_on_the_config():
    assert store.config_key(TINY) == store.config_key(TINY.replace())
    assert store.config_key(TINY) != store.config_key(TINY.replace(seed=1))
    assert len(store.config_key(TINY)) == 16


def test_missing_entry(tmp_path):
    with pytest.raises(FileNotFoundError, match="no stored model"):
        store.load(TINY, tmp_path)


def test_corrupt_weights_are_detected(tmp_path, result):
    meta = json.loads(store.save(result, tmp_path).read_text())
    weights = tmp_path / meta["weights_file"]
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(store.StoreError, match="corrupt"):
        store.load(TINY, tmp_path)


def test_truncated_json_and_mismatched_config(tmp_path, result):
    path = store.save(result, tmp_path)
    text = path.read_text()
    path.write_text(text[: len(text) // 2])
    with pytest.raises(store.StoreError, match="not valid JSON"):
        store.load(TINY, tmp_path)
    meta = json.loads(text)
    meta["config"]["n_hidden"] = 99
    path.write_text(json.dumps(meta))
    with pytest.raises(store.StoreError, match="another config"):
        store.load(TINY, tmp_path)


def test_killed_save_leaves_the_previous_entry(tmp_path, result, monkeypatch):
    store.save(result, tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    real_replace = os.replace

    def die_on_json(src, dst):
        if str(dst).endswith(".json"):
            raise KeyboardInterrupt  # the process is killed between the two writes
        real_replace(src, dst)

    changed = training.TrainingResult(**{**result.__dict__, "test_accuracy": 0.123})
    changed.model.rnn.weight_hh_l0.data += 1  # different weights, different weights file
    monkeypatch.setattr(os, "replace", die_on_json)
    with pytest.raises(KeyboardInterrupt):
        store.save(changed, tmp_path)
    monkeypatch.setattr(os, "replace", real_replace)
    changed.model.rnn.weight_hh_l0.data -= 1
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    loaded = store.load(TINY, tmp_path)  # the old entry still loads and checks out
    assert loaded.test_accuracy == result.test_accuracy
    assert set(before) <= {p.name for p in tmp_path.iterdir()}


def test_get_or_train_trains_once(tmp_path, monkeypatch):
    first = store.get_or_train(TINY, tmp_path, progress=False)
    assert store.exists(TINY, tmp_path)

    def no_training(*args, **kwargs):
        raise AssertionError("should load, not train")

    monkeypatch.setattr(store, "train_ensemble", no_training)
    again = store.get_or_train(TINY, tmp_path, progress=False)
    assert np.array_equal(again.model.W_hh, first.model.W_hh)


def test_get_or_train_many_trains_only_the_missing_seeds(tmp_path, monkeypatch):
    store.get_or_train(TINY.replace(seed=1), tmp_path, progress=False)
    seen = []
    real = store.train_ensemble

    def spy(config, seeds, **kwargs):
        seen.append(list(seeds))
        return real(config, seeds, **kwargs)

    monkeypatch.setattr(store, "train_ensemble", spy)
    results = store.get_or_train_many(TINY, [0, 1, 2], tmp_path, progress=False)
    assert seen == [[0, 2]]
    assert [r.config.seed for r in results] == [0, 1, 2]
    assert results[0].extra["provenance"]["trained_together_with"] == 2
