"""Helpers shared by the widget tests: read every mark array of an explorer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import bqplot as bq
import numpy as np

DATA_TRAITS = ("x", "y", "text")


def mark_arrays(figure: bq.Figure) -> Iterator[tuple[Any, str, np.ndarray]]:
    """Every data array of every mark of ``figure``: (mark, trait name, array)."""
    for mark in figure.marks:
        for name in DATA_TRAITS:
            value = getattr(mark, name, None)
            if value is not None:
                yield mark, name, np.asarray(value)


def snapshot_marks(explorer: Any) -> list[np.ndarray]:
    """Copies of every mark array of an explorer, in a fixed order."""
    return [array.copy() for fig in explorer.figures for _m, _n, array in mark_arrays(fig)]


def same_marks(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    """Whether two snapshots hold identical data (NaN equal to NaN)."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if x.shape != y.shape:
            return False
        if x.dtype.kind == "f" and y.dtype.kind == "f":
            if not np.array_equal(x, y, equal_nan=True):
                return False
        elif not np.array_equal(x, y):
            return False
    return True
