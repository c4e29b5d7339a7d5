"""The codec: exact JSON round trips for every domain class, and precise decode errors."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import itil_ci as ic
from itil_ci.io import SCHEMA_VERSION, from_dict, from_json, to_dict, to_json
from tests import strategies as st_

ROUND_TRIP = [
    (ic.KPI, st_.kpis),
    (ic.Target, st_.targets),
    (ic.CSF, st_.csfs),
    (ic.Aggregation, st_.aggregations),
    (ic.Series, st_.series()),
    (ic.Baseline, st_.baselines()),
    (ic.Actor, st_.actors),
    (ic.Objective, st_.objectives),
    (ic.Action, st_.actions),
    (ic.Outcome, st_.outcomes),
    (ic.AuditRecord, st_.audit_records),
    (ic.Opportunity, st_.opportunities),
    (ic.Initiative, st_.initiatives()),
    (ic.Evaluation, st_.evaluations),
    (ic.Comparison, st_.comparisons),
    (ic.Trend, st_.trends),
    (ic.Signal, st_.signals()),
    (ic.Ranking, st_.rankings()),
    (ic.Prediction, st_.predictions),
    (ic.PDCARecord, st_.pdca_records),
    (ic.MeasureGap, st_.measure_gaps),
    (ic.Presentation, st_.presentations),
]


@pytest.mark.parametrize(("cls", "strategy"), ROUND_TRIP, ids=[c.__name__ for c, _ in ROUND_TRIP])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_json_round_trip_is_exact(
    cls: type, strategy: st.SearchStrategy, data: st.DataObject
) -> None:  # type: ignore[type-arg]
    obj = data.draw(strategy)
    text = to_json(obj)
    back = from_json(text, cls)
    assert back == obj
    assert type(back) is cls
    # the document is plain JSON and re-encodes identically
    assert to_json(back) == text


@given(st_.opportunities)
@settings(max_examples=30, deadline=None)
def test_round_trip_keeps_entity_fields_exact(opp: ic.Opportunity) -> None:
    back = from_dict(to_dict(opp), ic.Opportunity)
    assert (back.id, back.version, back.updated_at, back.status) == (
        opp.id,
        opp.version,
        opp.updated_at,
        opp.status,
    )


def test_every_document_carries_schema_version_and_type() -> None:
    data = json.loads(to_json(ic.Opportunity(title="x")))
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["type"] == "Opportunity"


def test_series_travel_as_iso_utc_strings_and_numbers() -> None:
    import numpy as np

    s = ic.Series(
        np.array(["2026-03-01T10:00:00"], dtype="datetime64[ns]"),
        [
            2.5,
        ][:1],
    )
    data = to_dict(s)
    assert data["times"] == ["2026-03-01T10:00:00.000000000Z"]
    assert data["values"] == [2.5]


def _initiative_doc() -> dict:  # type: ignore[type-arg]
    ini = ic.Initiative(
        title="t",
        kpis=[ic.KPI("a"), ic.KPI("b"), ic.KPI("c", target=ic.Target(1.0))],
    )
    return to_dict(ini)


def test_error_names_the_path_of_the_bad_field() -> None:
    doc = _initiative_doc()
    doc["kpis"][2]["target"]["value"] = "abc"
    with pytest.raises(ic.DecodeError) as err:
        from_dict(doc, ic.Initiative)
    assert str(err.value) == "initiative.kpis[2].target.value: expected a number, got 'abc'"


def test_all_problems_are_reported_together() -> None:
    doc = _initiative_doc()
    doc["kpis"][0]["direction"] = "up"
    doc["title"] = 5
    with pytest.raises(ic.DecodeError) as err:
        from_dict(doc, ic.Initiative)
    assert set(err.value.problems) == {
        "initiative.title: expected a string, got 5",
        "initiative.kpis[0].direction: expected one of 'higher-is-better', "
        "'lower-is-better', got 'up'",
    }


def test_newer_schema_is_refused() -> None:
    doc = to_dict(ic.CSF("x"))
    doc["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(ic.DecodeError, match="upgrade itil_ci"):
        from_dict(doc, ic.CSF)


def test_wrong_document_type_is_refused() -> None:
    with pytest.raises(ic.DecodeError, match=r"csf.type: expected 'CSF', got 'KPI'"):
        from_dict(to_dict(ic.KPI("x")) | {"type": "KPI"}, ic.CSF)


def test_to_dict_rejects_non_domain_objects() -> None:
    with pytest.raises(ic.InvalidInputError, match="obj: expected"):
        to_dict({"a": 1})


def _nested_doc() -> dict[str, Any]:
    ini = ic.Initiative(
        title="t",
        kpis=[ic.KPI("a"), ic.KPI("c", target=ic.Target(1.0))],
        baselines={"a": ic.Baseline("a", 2.0)},
        plan=[ic.Action("x", due="2026-01-01")],
    )
    return to_dict(ini)


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ((), "initiative: unknown field(s) ['bogus']"),
        (("kpis", 0), "initiative.kpis[0]: unknown field(s) ['bogus']"),
        (("kpis", 1, "target"), "initiative.kpis[1].target: unknown field(s) ['bogus']"),
        (("kpis", 0, "aggregation"), "initiative.kpis[0].aggregation: unknown field(s) ['bogus']"),
        (("baselines", "a"), "initiative.baselines['a']: unknown field(s) ['bogus']"),
        (("plan", 0), "initiative.plan[0]: unknown field(s) ['bogus']"),
    ],
)
def test_unknown_field_is_named_by_its_nested_path(
    where: tuple[str | int, ...], expected: str
) -> None:
    # the module docstring: unknown fields are rejected, each problem with the field's path
    doc = _nested_doc()
    node: Any = doc
    for step in where:
        node = node[step]
    node["bogus"] = 1
    with pytest.raises(ic.DecodeError) as err:
        from_dict(doc, ic.Initiative)
    assert err.value.problems == (expected,)


def test_unknown_fields_in_two_nested_objects_are_all_reported() -> None:
    doc = _nested_doc()
    doc["kpis"][0]["bogus"] = 1
    doc["kpis"][0]["another"] = 1
    doc["plan"][0]["zz"] = 2
    with pytest.raises(ic.DecodeError) as err:
        from_dict(doc, ic.Initiative)
    assert set(err.value.problems) == {
        "initiative.kpis[0]: unknown field(s) ['another', 'bogus']",
        "initiative.plan[0]: unknown field(s) ['zz']",
    }


def test_series_document_rejects_unknown_and_mistyped_fields() -> None:
    s = ic.Series(np.array(["2026-01-01"], dtype="datetime64[ns]"), [1.0], kpi_key="k")
    with pytest.raises(ic.DecodeError) as err:
        from_dict(to_dict(s) | {"bogus": 1}, ic.Series)
    assert err.value.problems == ("series: unknown field(s) ['bogus']",)
    with pytest.raises(ic.DecodeError) as err:
        from_dict(to_dict(s) | {"allow_missing": "yes"}, ic.Series)
    assert err.value.problems == ("series.allow_missing: expected true or false, got 'yes'",)


@given(st.lists(st.integers(-(2**63) + 1, 2**63 - 1), min_size=1, max_size=20))
@settings(max_examples=60, deadline=None)
def test_series_times_decode_the_same_by_the_fast_and_the_general_path(ns: list[int]) -> None:
    import numpy as np

    from itil_ci.io import _codec_values

    times = np.array(ns, dtype=np.int64).view("datetime64[ns]")
    canonical = _codec_values._times_out(times)  # "YYYY-MM-DDTHH:MM:SS.fffffffffZ"
    general = [t[:-1] + "+00:00" for t in canonical]  # same instants, other spelling
    assert _codec_values._times_in(canonical).tolist() == times.tolist()
    assert _codec_values._times_in(general).tolist() == times.tolist()


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("1677-09-21T00:12:43.145224193Z", True),  # the earliest (INT64_MIN is NaT)
        ("2262-04-11T23:47:16.854775807Z", True),  # the latest
        ("1677-09-21T00:12:43.145224192Z", False),
        ("2262-04-11T23:47:16.854775808Z", False),
    ],
)
def test_series_times_at_the_edges_of_the_nanosecond_range(text: str, ok: bool) -> None:
    doc = json.dumps({"schema_version": 1, "times": [text], "values": [1.0]})
    if ok:
        assert from_json(doc, ic.Series).times.astype(str).tolist() == [text[:-1]]
    else:
        with pytest.raises(ic.DecodeError, match="nanosecond range"):
            from_json(doc, ic.Series)
