"""``_build.finish_if_clean``: the fast path's last step, checked and finished at once."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from itil_ci._internal.threads import PARALLEL_FROM
from itil_ci.io import _build


@pytest.fixture(params=[10, PARALLEL_FROM], ids=["small", "large"])
def where(request: pytest.FixtureRequest) -> Any:
    return np.arange(request.param, dtype=np.int64)  # large: the two run on threads


def _stub(monkeypatch: pytest.MonkeyPatch, ok: bool, outcome: object) -> list[str]:
    calls: list[str] = []

    def clean(cols: Any, problems: Any) -> bool:
        calls.append("clean")
        return ok

    def finish(cols: Any, where: Any, coll: Any, *, strict: bool) -> Any:
        calls.append(f"finish strict={strict}")
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(_build, "clean", clean)
    monkeypatch.setattr(_build, "finish", finish)
    return calls


def test_a_clean_table_is_finished_strictly(monkeypatch: pytest.MonkeyPatch, where: Any) -> None:
    calls = _stub(monkeypatch, True, "built")
    assert _build.finish_if_clean({}, [], where, None) == "built"  # type: ignore[arg-type]
    assert sorted(calls) == ["clean", "finish strict=True"]


def test_a_table_that_is_not_clean_gives_none_whatever_finishing_did(
    monkeypatch: pytest.MonkeyPatch, where: Any
) -> None:
    _stub(monkeypatch, False, "built")
    assert _build.finish_if_clean({}, [], where, None) is None  # type: ignore[arg-type]
    _stub(monkeypatch, False, ValueError("never reached in order"))
    assert _build.finish_if_clean({}, [], where, None) is None  # type: ignore[arg-type]


def test_an_error_finishing_a_clean_table_is_raised(
    monkeypatch: pytest.MonkeyPatch, where: Any
) -> None:
    _stub(monkeypatch, True, ValueError("boom"))
    with pytest.raises(ValueError, match="boom"):
        _build.finish_if_clean({}, [], where, None)  # type: ignore[arg-type]
