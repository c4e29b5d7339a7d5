"""Bad documents for the codec: a table of refusals, then a sweep over every field.

Decoding must refuse what it used to bend (a string read as a list of
characters, a repeated key resolved "last one wins"), and nothing but an
ItilCiError (a DecodeError for documents) may get out: no RecursionError,
UnicodeDecodeError, OverflowError or TypeError, and no warning
(``tests._refusal.refuses``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import itil_ci as ic
from itil_ci.errors import DecodeError, InvalidInputError
from itil_ci.io import from_dict, from_json, to_dict, to_json
from tests._refusal import WRONG, nested, refuses, survives

UTC = dt.UTC
KPI = ic.KPI("mttr", direction="lower", target=ic.Target(4.0, tolerance=0.5, due="2026-06-30"))
OPP = ic.Opportunity("Faster resets", kpis=["mttr"], effort=3, scores={"value": 8.0})


def _doc(obj: Any, **changes: Any) -> dict[str, Any]:
    data = to_dict(obj)
    data.update(changes)
    return data


def _text(obj: Any, **changes: Any) -> str:
    return json.dumps(_doc(obj, **changes))


def _with_score(value: Any) -> Callable[[], Any]:
    def run() -> Any:
        opp = ic.Opportunity("x", scores={"a": 1.0})
        opp.scores["a"] = value  # a dict entry changed after validation
        return to_json(opp)

    return run


ROWS: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    # a string where a list belongs, and other wrong containers (#11 class 7)
    (
        "kpis a string",
        lambda: from_dict(_doc(OPP, kpis="mttr"), ic.Opportunity),
        DecodeError,
        "opportunity.kpis: expected a list, got 'mttr'",
    ),
    (
        "kpis an object",
        lambda: from_dict(_doc(OPP, kpis={"mttr": 1}), ic.Opportunity),
        DecodeError,
        "opportunity.kpis: expected a list",
    ),
    (
        "kpis of numbers",
        lambda: from_dict(_doc(OPP, kpis=[1]), ic.Opportunity),
        DecodeError,
        "opportunity.kpis[0]: expected a string, got 1",
    ),
    (
        "scores a list",
        lambda: from_dict(_doc(OPP, scores=[["a", 1]]), ic.Opportunity),
        DecodeError,
        "opportunity.scores: expected an object",
    ),
    (
        "scores a string",
        lambda: from_dict(_doc(OPP, scores="a"), ic.Opportunity),
        DecodeError,
        "opportunity.scores: expected an object",
    ),
    (
        "filters a string",
        lambda: from_dict(_doc(ic.Baseline("k", 1.0), filters="team"), ic.Baseline),
        DecodeError,
        "baseline.filters: expected an object",
    ),
    (
        "initiative kpis an object",
        lambda: from_dict(_doc(ic.Initiative("x"), kpis={"key": "a"}), ic.Initiative),
        DecodeError,
        "initiative.kpis: expected a list",
    ),
    (
        "lessons a string",
        lambda: from_dict(_doc(ic.Initiative("x"), lessons="abc"), ic.Initiative),
        DecodeError,
        "initiative.lessons: expected a list",
    ),
    (
        "categories a string",
        lambda: from_dict(_doc(ic.Outcome("successful"), categories="time"), ic.Outcome),
        DecodeError,
        "outcome.categories: expected a list",
    ),
    (
        "roles a string",
        lambda: from_dict(_doc(ic.Actor("ana"), roles="stakeholder"), ic.Actor),
        DecodeError,
        "actor.roles: expected a list",
    ),
    (
        "ranking ids a string",
        lambda: from_dict(
            {**_doc(ic.Ranking(ids=("a",), scores=[1.0], ranks=[1], model="m")), "ids": "a"},
            ic.Ranking,
        ),
        DecodeError,
        "ranking.ids: expected a list",
    ),
    (
        "ranking parameter of three items",
        lambda: from_dict(
            {
                **_doc(ic.Ranking(ids=("a",), scores=[1.0], ranks=[1], model="m")),
                "parameters": [["a", "b", "c"]],
            },
            ic.Ranking,
        ),
        DecodeError,
        "ranking.parameters[0]: expected a list of 2 items",
    ),
    (
        "signal points a string",
        lambda: from_dict(
            _doc(ic.Signal(rule="we1", index=1, points=(1,), kind="concern"), points="12"),
            ic.Signal,
        ),
        DecodeError,
        "signal.points: expected a list",
    ),
    (
        "initiative signals of a string",
        lambda: from_dict(_doc(ic.Initiative("x"), signals={"k": "abc"}), ic.Initiative),
        DecodeError,
        "initiative.signals['k']: expected a list",
    ),
    # repeated keys and definitions (#11 class 7)
    (
        "a key repeated at the top",
        lambda: from_json('{"schema_version": 1, "title": "x", "title": "y"}', ic.Opportunity),
        DecodeError,
        "the key 'title' appears twice in one object",
    ),
    (
        "a score key repeated",
        lambda: from_json(
            '{"schema_version": 1, "title": "x", "scores": {"a": 1, "a": 2}}', ic.Opportunity
        ),
        DecodeError,
        "the key 'a' appears twice",
    ),
    (
        "a baseline key repeated",
        lambda: from_json(
            _text(ic.Initiative("x"))[:-1] + ', "baselines": {"k": {}, "k": {}}}', ic.Initiative
        ),
        DecodeError,
        "appears twice",
    ),
    (
        "a KPI defined twice",
        lambda: from_dict(
            _doc(ic.Initiative("x"), kpis=[_doc(ic.Initiative("x", kpis=[KPI]))["kpis"][0]] * 2),
            ic.Initiative,
        ),
        DecodeError,
        "initiative.kpis (keys): expected unique values, got 'mttr'",
    ),
    # documents that raised other exceptions (#11 class 8)
    (
        "bytes that are not UTF-8",
        lambda: from_json(b'\xff\xfe{"a": 1}', ic.Opportunity),
        DecodeError,
        "document: not UTF-8 (byte 0",
    ),
    (
        "Latin-1 bytes",
        lambda: from_json(
            '{"schema_version": 1, "title": "café"}'.encode("latin-1"), ic.Opportunity
        ),
        DecodeError,
        "not UTF-8",
    ),
    (
        "UTF-16 bytes",
        lambda: from_json(_text(OPP).encode("utf-16"), ic.Opportunity),
        DecodeError,
        "not UTF-8",
    ),
    (
        "arrays nested 100,000 deep",
        lambda: from_json("[" * 100_000 + "]" * 100_000, ic.Opportunity),
        DecodeError,
        "nested more than 100 levels deep",
    ),
    (
        "objects nested 100,000 deep",
        lambda: from_json('{"a":' * 100_000 + "1" + "}" * 100_000, ic.KPI),
        DecodeError,
        "nested more than 100 levels deep",
    ),
    (
        "a field nested 150 deep",
        lambda: from_json(
            '{"schema_version": 1, "title": "x", "scores": ' + "[" * 150 + "]" * 150 + "}",
            ic.Opportunity,
        ),
        DecodeError,
        "nested more than 100",
    ),
    (
        "a Python dict nested past repr",
        lambda: from_dict(
            {"schema_version": 1, "title": "x", "scores": {"a": nested(3000)}}, ic.Opportunity
        ),
        DecodeError,
        "opportunity.scores['a']: expected a number",
    ),
    (
        "an integer of 5,000 digits",
        lambda: from_json(
            '{"schema_version": 1, "title": "x", "effort": ' + "9" * 5000 + "}", ic.Opportunity
        ),
        DecodeError,
        "document: not valid JSON",
    ),
    (
        "effort beyond float64",
        lambda: from_json(
            '{"schema_version": 1, "title": "x", "effort": 1' + "0" * 400 + "}", ic.Opportunity
        ),
        DecodeError,
        "opportunity.effort: expected a number within the float64 range",
    ),
    (
        "1e400 (parsed as inf)",
        lambda: from_json('{"schema_version": 1, "title": "x", "effort": 1e400}', ic.Opportunity),
        DecodeError,
        "opportunity.effort: expected a finite number",
    ),
    (
        "a lone surrogate in a title",
        lambda: from_json('{"schema_version": 1, "title": "\\ud800"}', ic.Opportunity),
        DecodeError,
        "opportunity.title",
    ),
    (
        "text of the wrong type",
        lambda: from_json(5, ic.KPI),
        InvalidInputError,
        "text: expected a JSON string",
    ),
    (
        "a bytearray",
        lambda: from_json(bytearray(b"{}"), ic.KPI),
        InvalidInputError,
        "text: expected a JSON string",
    ),
    (
        "data not an object",
        lambda: from_dict("abc", ic.KPI),
        DecodeError,
        "kpi: expected an object",
    ),
    # times outside the nanosecond range (#11 class 2)
    (
        "raised_at in 3000",
        lambda: from_dict(_doc(OPP, raised_at="3000-01-01T00:00:00+00:00"), ic.Opportunity),
        DecodeError,
        "opportunity.raised_at: expected a time between 1677-09-21T00:12:44Z",
    ),
    (
        "raised_at past datetime.max in UTC",
        lambda: from_dict(_doc(OPP, raised_at="9999-12-31T23:00:00-05:00"), ic.Opportunity),
        DecodeError,
        "opportunity.raised_at: expected a time between",
    ),
    (
        "series time in 9999",
        lambda: from_json(
            '{"schema_version": 1, "times": ["9999-01-01T00:00:00Z"], "values": [1]}', ic.Series
        ),
        DecodeError,
        "series.times[0]: expected a time between 1678-09-22 and 2262-04-11",
    ),
    # encoding: numpy scalars are numbers, anything else is refused (#11 class 8)
    (
        "to_json of a non-JSON score",
        _with_score(object()),
        InvalidInputError,
        "obj: expected an object whose fields are all JSON data",
    ),
    (
        "to_json of a NaN score",
        _with_score(float("nan")),
        InvalidInputError,
        "obj: expected an object whose fields are all JSON data",
    ),
    (
        "to_json indent beyond reason",
        lambda: to_json(KPI, indent=10**400),
        InvalidInputError,
        "indent",
    ),
    (
        "to_json of a number",
        lambda: to_json(5),
        InvalidInputError,
        "obj: expected an itil_ci domain or result object",
    ),
]


@pytest.mark.parametrize(("label", "call", "error", "fragment"), ROWS, ids=[r[0] for r in ROWS])
def test_bad_document_is_refused(
    label: str, call: Callable[[], Any], error: type[Exception], fragment: str
) -> None:
    refuses(call, error, fragment)  # type: ignore[arg-type]


def test_table_is_large_enough() -> None:
    assert len(ROWS) >= 30


def test_what_is_not_refused() -> None:
    # brackets inside strings do not count as nesting; a UTF-8 BOM is allowed
    title = "[" * 500 + "{" * 500
    assert from_json(to_json(ic.Opportunity(title)), ic.Opportunity).title == title
    assert from_json(b"\xef\xbb\xbf" + to_json(KPI).encode(), ic.KPI) == KPI
    # a numpy score that got into a dict after validation is written as a number
    opp = ic.Opportunity("x", scores={"a": 1.0})
    opp.scores["a"] = np.float32(2.5)
    assert json.loads(to_json(opp))["scores"] == {"a": 2.5}


SAMPLES: list[Any] = [
    KPI,
    ic.Target(4.0, due="2027-01-31", tolerance=0.1),
    ic.Baseline("mttr", 5.2, start=dt.datetime(2026, 1, 1, tzinfo=UTC), n=3, filters={"s": "e"}),
    OPP,
    ic.Initiative("x", kpis=[KPI], lessons=["l"], baselines={"mttr": ic.Baseline("mttr", 1.0)}),
    ic.Series(np.array(["2026-01-01"], dtype="datetime64[ns]"), [1.0], kpi_key="k"),
    ic.Outcome("successful", categories=["time"]),
    ic.Actor("ana", roles=["stakeholder"]),
    ic.Signal(rule="we1", index=1, points=(1,), kind="concern"),
    ic.Ranking(ids=("a",), scores=[1.0], ranks=[1], model="m", parameters={"k": "v"}),
    ic.PDCARecord(0, prediction=ic.Prediction("k", -1.0)),
    ic.Comparison(difference=-1.5, low=-2.0, high=-1.0, p_value=0.01, verdict="improved"),
]

#: JSON values of the wrong kind for a field (nesting and big integers included)
JSON_WRONG: list[Any] = [
    None,
    True,
    0,
    -1,
    1.5,
    1e308,
    10**400,
    "abc",
    "1.5",
    "",
    "\ud800",
    [],
    [[]],
    [None],
    ["a"],
    [1, 2],
    {},
    {"a": 1},
    {"a": [1]},
    nested(50),
]


@pytest.mark.parametrize("obj", SAMPLES, ids=[type(s).__name__ for s in SAMPLES])
def test_every_field_of_a_document_refuses_only_with_decode_errors(obj: Any) -> None:
    cls = type(obj)
    doc = to_dict(obj)
    assert from_dict(doc, cls) == obj
    leaks = []
    for key in doc:
        for bad in [*WRONG, *JSON_WRONG]:  # any Python value through from_dict
            leak = survives(lambda key=key, bad=bad: from_dict({**doc, key: bad}, cls))
            if leak:
                leaks.append((key, type(bad).__name__, leak))
        for bad in JSON_WRONG:  # and the JSON text of each through from_json
            text = json.dumps({**doc, key: bad})
            leak = survives(lambda text=text: from_json(text, cls))
            if leak:
                leaks.append((key, f"json {type(bad).__name__}", leak))
    assert not leaks, leaks[:5]


def test_probe_count() -> None:
    n = sum(len(to_dict(s)) * (len(WRONG) + 2 * len(JSON_WRONG)) for s in SAMPLES)
    assert n + len(ROWS) >= 5000
