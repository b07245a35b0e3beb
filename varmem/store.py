"""Trained models on disk with their config, history and provenance, keyed by the config."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import platform
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

import varmem
from varmem.model import ElmanRNN
from varmem.training import TrainingConfig, TrainingResult, train_ensemble

__all__ = [
    "FORMAT",
    "StoreError",
    "config_key",
    "exists",
    "get_or_train",
    "get_or_train_many",
    "load",
    "provenance",
    "save",
]

FORMAT = 1


class StoreError(RuntimeError):
    """A stored model is corrupt, truncated, or belongs to another config."""


def config_key(config: TrainingConfig) -> str:
    """16 hex digits of the SHA-256 of the config's canonical JSON: the model's file name."""
    canonical = json.dumps(config.to_dict(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def provenance(wall_time: float | None = None) -> dict[str, Any]:
    """Where and how a result was made: versions, CPU, thread count, date, wall time."""
    return {
        "varmem": varmem.__version__,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu": _cpu_name(),
        "threads": torch.get_num_threads(),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "wall_time_s": wall_time,
    }


def _atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that a reader sees the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _meta_path(config: TrainingConfig, directory: str | os.PathLike) -> Path:
    return Path(directory) / f"{config_key(config)}.json"


def save(result: TrainingResult, directory: str | os.PathLike) -> Path:
    """Store `result` under `directory`: ``<key>.json`` and the tensors it names.

    The tensors go to ``<key>.<checksum>.pt`` first; the JSON, which names that file and its
    SHA-256, is written last and atomically. A save killed at any point therefore leaves the
    previous entry (or none) intact, never a half-written one. Returns the JSON's path.
    """
    meta_path = _meta_path(result.config, directory)
    key = config_key(result.config)
    buffer = io.BytesIO()
    torch.save(
        {
            "weights": result.model.weights(),
            "history": {k: torch.as_tensor(np.asarray(v)) for k, v in result.history.items()},
            "accuracy_by_timestep": torch.as_tensor(np.asarray(result.accuracy_by_timestep)),
        },
        buffer,
    )
    blob = buffer.getvalue()
    checksum = hashlib.sha256(blob).hexdigest()
    weights_name = f"{key}.{checksum[:12]}.pt"
    meta = {
        "format": FORMAT,
        "key": key,
        "config": result.config.to_dict(),
        "test_accuracy": result.test_accuracy,
        "iterations": result.iterations,
        "solved": result.solved,
        "wall_time_s": result.wall_time,
        "weights_file": weights_name,
        "weights_sha256": checksum,
        "provenance": result.extra.get("provenance") or provenance(result.wall_time),
    }
    _atomic_write(meta_path.parent / weights_name, blob)
    _atomic_write(meta_path, (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode())
    for stale in meta_path.parent.glob(f"{key}.*.pt"):
        if stale.name != weights_name:
            stale.unlink(missing_ok=True)
    return meta_path


def exists(config: TrainingConfig, directory: str | os.PathLike) -> bool:
    """Whether `directory` holds an entry (possibly corrupt) for `config`."""
    return _meta_path(config, directory).exists()


def load(config: TrainingConfig, directory: str | os.PathLike) -> TrainingResult:
    """Load the stored result of `config`; FileNotFoundError if absent, StoreError if broken."""
    meta_path = _meta_path(config, directory)
    if not meta_path.exists():
        raise FileNotFoundError(
            f"no stored model for this config in {directory} ({meta_path.name})"
        )
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError) as error:
        raise StoreError(
            f"{meta_path} is not valid JSON ({error}); delete it to retrain"
        ) from error
    if meta.get("format") != FORMAT:
        raise StoreError(f"{meta_path} has format {meta.get('format')!r}, expected {FORMAT}")
    if meta.get("config") != config.to_dict():
        raise StoreError(
            f"{meta_path} holds a model of another config (key collision or edited file); "
            "delete it to retrain"
        )
    weights_path = meta_path.parent / str(meta.get("weights_file"))
    try:
        blob = weights_path.read_bytes()
    except OSError as error:
        raise StoreError(f"{weights_path} is missing or unreadable ({error})") from error
    if hashlib.sha256(blob).hexdigest() != meta.get("weights_sha256"):
        raise StoreError(f"{weights_path} does not match its checksum: the file is corrupt")
    payload = torch.load(io.BytesIO(blob), weights_only=True)
    model = ElmanRNN.from_weights(**payload["weights"])
    return TrainingResult(
        config=config,
        model=model,
        history={k: v.numpy() for k, v in payload["history"].items()},
        test_accuracy=float(meta["test_accuracy"]),
        accuracy_by_timestep=payload["accuracy_by_timestep"].numpy(),
        iterations=int(meta["iterations"]),
        solved=bool(meta["solved"]),
        wall_time=float(meta["wall_time_s"]),
        extra={"provenance": meta["provenance"], "key": meta["key"]},
    )


def get_or_train(
    config: TrainingConfig,
    directory: str | os.PathLike,
    device: str | torch.device = "cpu",
    progress: bool = True,
) -> TrainingResult:
    """Load the model of `config` from `directory`, or train it (progress bar) and save it."""
    return get_or_train_many(config, [config.seed], directory, device, progress)[0]


def get_or_train_many(
    config: TrainingConfig,
    seeds: Sequence[int],
    directory: str | os.PathLike,
    device: str | torch.device = "cpu",
    progress: bool = True,
) -> list[TrainingResult]:
    """Like `get_or_train` for several seeds; the missing ones train together as one ensemble."""
    configs = [config.replace(seed=int(seed)) for seed in seeds]
    missing = [c.seed for c in configs if not exists(c, directory)]
    if missing:
        for result in train_ensemble(config, missing, device=device, progress=progress):
            result.extra["provenance"] = provenance(result.wall_time) | {
                "trained_together_with": len(missing)
            }
            save(result, directory)
    return [load(c, directory) for c in configs]
