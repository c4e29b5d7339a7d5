"""``--set NAME=VALUE``: every artefact checked, with an error in the command line's terms.

Each artefact is fed malformed JSON, values of the wrong type and deep
nesting at a step that takes it; no input may end in a traceback or an
internal error, and what is malformed is a usage error (exit 2) naming
``--set NAME``.  Every example in ``--help`` parses.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itil_ci.cli import _artefacts
from itil_ci.cli._context import BadValue, UserError
from itil_ci.domain import KPI, Initiative, Opportunity, PDCARecord, Target
from itil_ci.engines import ENGINES
from itil_ci.errors import ItilCiError
from itil_ci.register import Register
from tests.cli._run import clean, run

ROLES = [
    "--actor", "mia", "--role", "continual-improvement-manager", "--role", "improvement-team",
    "--role", "service-owner",
]  # fmt: skip

#: Where each artefact is taken: (model, step), the first step of the first model taking it.
WHERE: dict[str, tuple[str, str]] = {}
for _model, _cls in ENGINES.items():
    for _step, _gate in _cls.gates.items():
        for _spec in _gate.accepts:
            WHERE.setdefault(_spec.name, (_model.value, _step))

DEEP = "[" * 100_000 + "]" * 100_000
#: Values no artefact takes: each must be a usage error naming --set NAME.
ALWAYS_BAD = [
    DEEP,
    '{"mttr.email": ' + "[" * 40 + "]" * 40 + "}",
    "[" * 30 + '"x"' + "]" * 30,
]
#: Values malformed as JSON (an artefact that takes plain text may take them as text).
MALFORMED = ["{", "[1,", '{"a": }', '{"mttr.email": {"value": 4,}}', "nul", "[[]", "'x'"]
#: Values of the wrong type for most artefacts (valid for a few).
WRONG = [
    "1", "-1", "1e999", "NaN", "-Infinity", "true", "null", '"text"', "[]", "{}", "[1, 2]",
    "[null]", '{"mttr.email": 1}', '{"mttr.email": [1]}', '{"mttr.email": null}',
    '{"mttr.email": {"value": "x"}}', '{"mttr.email": {"start": 5}}', '{"": {}}',
    '{"nope": {}}', '[{"title": 5}]', '[{"title": "a", "due": "31/12/2025"}]',
    '["a:b:c:d"]', '[{"name": "x", "weight": -1}]', '{"a": {"b": "x"}}',
    '{"kpi": "mttr.email", "change": "x"}', '["\\ud800"]', '"\\ud800"', str(10**400),
    '{"mttr.email": {"missing": -1, "duplicates": 0, "outliers": 0}}', '["mttr.email", 5]',
    '["mttr.email", "mttr.email"]', '{"mttr.email": {"value": 4, "extra": 1}}', "2026-02-30",
]  # fmt: skip


def _register(path: Path) -> None:
    kpi = KPI("mttr.email", unit="hours", direction="lower", target=Target(4, tolerance=1))
    times = np.arange("2025-01-01", "2025-12-31", dtype="datetime64[D]").astype("datetime64[ns]")
    values = np.linspace(20.0, 12.0, times.size)
    with Register.open(path) as reg:
        reg.define_kpi(kpi)
        reg.record("mttr.email", times, values)
        from itil_ci import measurement

        reg.add_baseline(measurement.baseline(kpi, reg.series("mttr.email")))
        reg.log(Opportunity("Runbooks", id="opp-1"))


def _initiative(name: str, i: int) -> Initiative:
    model, step = WHERE.get(name, ("itil4", "vision"))
    kpi = KPI("mttr.email", unit="hours", direction="lower", target=Target(4, tolerance=1))
    ini = Initiative(f"{name} {i}", id=f"ini-{name}-{i}", model=model, step=step, kpis=[kpi])
    if model == "pdca":
        ini.pdca = [PDCARecord(cycle=0)]
    return ini


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("set") / "reg.sqlite"
    _register(path)
    return path


NAMES = sorted({s.name for s in _artefacts.SPECS} | set(WHERE))


def test_every_artefact_of_every_engine_has_a_spec() -> None:
    assert set(WHERE) <= {s.name for s in _artefacts.SPECS}


@pytest.mark.parametrize("name", NAMES)
def test_no_input_ends_in_a_traceback(
    name: str, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = {s.name: s for s in _artefacts.SPECS}[name]
    for i, text in enumerate([*ALWAYS_BAD, *MALFORMED, *WRONG]):
        with Register.open(db) as reg:
            ini = reg.log(_initiative(name, i))
        for as_json in ([], ["--json"]):
            args = ["initiative", "advance", ini.id, *ROLES, "--set", f"{name}={text}"]
            code, _, err = run(capsys, "--db", str(db), *as_json, *args)
            clean(err)
            assert code in (0, 1, 2), (name, text)
            if as_json and code:
                error = json.loads(err)
                assert set(error) == {"error", "hint"}
            if code == 0:
                break  # the step moved on; the next value gets a new initiative
            if text in ALWAYS_BAD or (text in MALFORMED and not spec.text):
                assert code == 2, (name, text, err)
                assert f"--set {name}" in err, (name, text, err)


def test_a_name_the_step_does_not_take(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Register.open(db) as reg:
        ini = reg.log(_initiative("objectives", 99))
    code, _, err = run(
        capsys, "--db", str(db), "initiative", "advance", ini.id, *ROLES, "--set", "targets={}"
    )
    assert code == 2
    assert "'targets' is not an artefact of step 'vision'; it takes: objectives, vision" in err
    code, _, err = run(
        capsys, "--db", str(db), "initiative", "advance", ini.id, *ROLES, "--set", "no-equals"
    )
    assert code == 2
    assert "expected NAME=VALUE" in err


def _all_names() -> list[str]:
    return [s.name for s in _artefacts.SPECS]


@pytest.mark.parametrize("spec", [s for s in _artefacts.SPECS if s.shape], ids=lambda s: s.name)
def test_the_help_example_of_every_artefact_parses(spec: _artefacts.Spec, db: Path) -> None:
    name, _, _ = spec.example.partition("=")
    assert name == spec.name
    with Register.open(db) as reg:
        ini = _initiative(spec.name, 0)
        out = _artefacts.parse([spec.example], reg, ini, _all_names())
    assert set(out) == {spec.name}
    assert f"--set '{spec.example}'" in _artefacts.help_text()


def test_parsed_values_are_what_the_engines_take(db: Path) -> None:
    with Register.open(db) as reg:
        ini = _initiative("targets", 0)
        got = _artefacts.parse(
            [
                'targets={"mttr.email": {"value": 4, "due": "2026-03-31", "tolerance": 0.1, '
                '"tolerance_kind": "relative"}}',
                'series={"mttr.email": {"start": "2025-02-01", "end": "2025-03-01"}}',
                'actions=[{"title": "Publish a runbook", "owner": "sam", "due": "2026-01-31"}]',
                'criteria=["benefit:2", {"name": "effort", "weight": 1, "direction": "cost"}]',
                "remeasure_on=2026-03-31",
                "seed=7",
                'opportunities=["opp"]',
            ],
            reg,
            ini,
            _all_names(),
        )
    assert got["targets"]["mttr.email"] == Target(
        4, due="2026-03-31", tolerance=0.1, tolerance_kind="relative"
    )
    # February 2025 has 28 days: the window [2025-02-01, 2025-03-01) holds 28 daily values
    assert len(got["series"]["mttr.email"]) == 28
    assert got["actions"][0].due == dt.date(2026, 1, 31)
    assert [(c.name, c.weight, c.direction.value) for c in got["criteria"]] == [
        ("benefit", 2.0, "benefit"),
        ("effort", 1.0, "cost"),
    ]
    assert got["remeasure_on"] == dt.date(2026, 3, 31)
    assert got["seed"] == 7
    assert [o.id for o in got["opportunities"]] == ["opp-1"]  # a unique start of the id


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(["mttr.email", "2025-01-01", "Publish a runbook", "adopt", "opp"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["mttr.email", "value", "due", "start", "end", "title", "kpi", "x"])
            | st.text(max_size=4),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=300)
@given(st.sampled_from(NAMES), _JSON)
def test_any_json_value_is_parsed_or_refused_in_cli_terms(name: str, value: Any) -> None:
    reg = Register.in_memory()
    kpi = KPI("mttr.email", direction="lower")
    reg.define_kpi(kpi)
    reg.record("mttr.email", np.array(["2025-01-01"], dtype="datetime64[ns]"), [5.0])
    reg.log(Opportunity("Runbooks", id="opp-1"))
    text = json.dumps(value)
    refused: BadValue | None = None
    try:
        _artefacts.parse([f"{name}={text}"], reg, _initiative(name, 0), _all_names())
    except BadValue as exc:
        refused = exc
    except (UserError, ItilCiError):
        pass  # a KPI, baseline or opportunity not in the register
    if refused is not None:
        assert refused.param_hint in (f"--set {name}", "--set")


def test_the_cli_guide_shows_every_artefact_with_its_example() -> None:
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text(encoding="utf-8")
    for spec in _artefacts.SPECS:
        if spec.shape:
            assert f"--set '{spec.example}'" in guide, spec.name
