"""Argument checks shared by the varmem modules: clear errors that name the parameter."""

from typing import Any

import numpy as np


def as_positive_int(value: Any, name: str) -> int:
    """Return `value` as an int, or raise ValueError naming `name` unless it is an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)
