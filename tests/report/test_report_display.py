"""Notebook display: _repr_html_ of domain and result objects is compact and safe."""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itil_ci._internal import display
from itil_ci.domain import KPI, Initiative, Opportunity, Series, Target
from itil_ci.domain.ranking import Ranking
from itil_ci.report import ReportData

from .sample import HOSTILE


def test_large_arrays_are_summarised_not_dumped() -> None:
    r = Ranking(
        ids=tuple(f"o{i}" for i in range(10_000)),
        scores=np.linspace(0, 1, 10_000),
        ranks=np.arange(10_000, 0, -1),
        model="m",
    )
    out = display.html(r)
    assert len(out) < 3000
    assert "array of 10000 float64: min 0, mean 0.5, max 1" in out
    assert "… (10000 in all)" in out


def test_series_shows_n_span_and_range() -> None:
    times = np.datetime64("2026-01-01", "ns") + np.arange(1_000_000) * np.timedelta64(1, "m")
    s = Series(times, np.arange(1_000_000.0) % 7, kpi_key="mttr")
    out = display.html(s)
    assert "n=1000000, 2026-01-01T00:00:00Z … 2027-11-26T10:39:00Z" in out  # 999,999 minutes
    # 0..6 repeating: 142,857 full cycles (sum 21 each) and a last 0: mean 2999997/1e6 -> "3"
    assert "min 0, mean 3, max 6" in out
    assert len(out) < 600


def test_missing_values_are_counted() -> None:
    s = Series(
        np.array(["2026-01-01", "2026-01-02"], dtype="datetime64[ns]"),
        [1.0, np.nan],
        allow_missing=True,
    )
    assert "1 missing" in display.html(s)


def test_empty_fields_are_counted_not_shown() -> None:
    out = display.html(Initiative("x"))
    assert "<th" in out
    assert "empty fields not shown" in out
    assert ">gaps<" not in out


@given(st.text(max_size=60))
@settings(max_examples=60, deadline=None)
def test_any_title_is_escaped(title: str) -> None:
    title = title.strip() or "x"
    out = Opportunity(title + HOSTILE)._repr_html_()
    assert "<script" not in out
    assert "<img" not in out


@pytest.mark.parametrize(
    "obj",
    [
        KPI("mttr", direction="lower", target=Target(4.0, due=dt.date(2027, 1, 1))),
        Opportunity("Fix VPN"),
        Initiative("Faster restores"),
        ReportData(title=HOSTILE),
    ],
)
def test_repr_html_is_a_table(obj: object) -> None:
    out = obj._repr_html_()  # type: ignore[attr-defined]
    assert out.startswith('<table class="itil-ci"')
    assert out.endswith("</table>")
    assert f'<caption style="text-align:left;font-weight:bold">{type(obj).__name__}<' in out


def test_nesting_is_limited() -> None:
    @attrs.frozen
    class Node:
        child: object = None

    deep = Node(Node(Node(Node(Node()))))
    assert "Node(…)" in display.html(deep)


def test_summary_of_plain_values() -> None:
    assert display.summary(float("nan")) == "nan"
    assert display.summary(np.array([], dtype=float)) == "array of 0 float64"
    assert display.summary(np.array([np.nan, np.nan])) == "[nan, nan]"
    assert display.summary(np.full(9, np.nan)) == "array of 9 float64 (no finite values)"
    assert display.summary(np.array(["a", "b"])) == "[a, b]"
    assert display.summary({"k": 1}) == "{'k': 1}"
    assert display.summary(frozenset({"b", "a"})) == "['a', 'b']"
    assert display.summary("x" * 500).endswith("…")
