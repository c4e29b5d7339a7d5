"""Timing helper shared by the benchmark scripts (not a benchmark itself)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def best(fn: Callable[..., Any], *args: Any, repeats: int = 3) -> float:
    """The fastest of ``repeats`` runs of ``fn(*args)``, in seconds."""
    fastest = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(*args)
        fastest = min(fastest, time.perf_counter() - t0)
    return fastest
