"""The keyed audit trail: HMAC-SHA256 seals under ``audit_key``, and what the verifier rejects."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itil_ci.domain import (
    KPI,
    Action,
    Actor,
    AuditRecord,
    Baseline,
    Initiative,
    Objective,
    Prediction,
)
from itil_ci.domain.results import Comparison
from itil_ci.engines import (
    ContinualImprovementModel,
    PDCACycle,
    SevenStepProcess,
    resume,
    start,
    verify_history,
)
from itil_ci.engines.audit import record_hash, seal
from itil_ci.errors import InvalidInputError, InvalidTransition, StepBlocked
from itil_ci.io import from_json, to_json

KEY = b"0123456789abcdef"  # 16 bytes: the shortest accepted
OTHER = b"fedcba9876543210"
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
MIA = Actor("mia", roles=["continual-improvement-manager"])
TOM = Actor("tom", roles=["improvement-team"])
COMPARISON = Comparison(difference=-1.0, low=-1.5, high=-0.5, p_value=0.01, verdict="improved")


def _clock() -> Callable[[], dt.datetime]:
    ticks = [0]

    def now() -> dt.datetime:
        ticks[0] += 1
        return T0 + dt.timedelta(minutes=ticks[0])

    return now


def _walk(key: bytes | None = KEY) -> Initiative:
    """An ITIL 4 initiative with six records carrying notes, a reason and artefacts."""
    ini = Initiative(title="Faster restores", owner="tom", id="i-1")
    engine = start(ini, actor=MIA, clock=_clock(), audit_key=key)
    engine.advance(actor=TOM, note="agreed", objectives=[Objective("Restore within 4 h")])
    engine.advance(
        actor=TOM,
        kpis=[KPI("mttr", direction="lower")],
        baselines={"mttr": Baseline("mttr", 6.0, n=30)},
    )
    engine.return_to("vision", actor=TOM, reason="the sponsor rewrote the objective")
    engine.advance(actor=TOM, objectives=[Objective("Restore within 3 h")])
    engine.advance(
        actor=TOM,
        kpis=[KPI("mttr", direction="lower")],
        baselines={"mttr": Baseline("mttr", 6.0, n=30)},
    )
    return ini


def _with(ini: Initiative, history: list[AuditRecord]) -> Initiative:
    return attrs.evolve(ini, history=history)


def _reseal(
    records: list[AuditRecord], prev: str, key: bytes | None, initiative_id: str = "i-1"
) -> list[AuditRecord]:
    """What a forger does: re-chain ``records`` after ``prev``, sealing with ``key``."""
    out = []
    for rec in records:
        rec = seal(rec, prev, key=key, initiative_id=initiative_id)
        out.append(rec)
        prev = rec.hash
    return out


# -- known answers ------------------------------------------------------------------

AT = dt.datetime(2026, 1, 1, 0, 1, tzinfo=dt.UTC)
PLAIN_RECORD = AuditRecord(0, "start", None, "plan", AT, "mia")


def test_plain_hash_is_the_sha256_of_the_canonical_text_as_before() -> None:
    # printf '%s' '{"actor":"mia","artefacts":{},"at":"2026-01-01T00:01:00+00:00","event":"start",
    #   "from_step":null,"note":"","prev_hash":"","reason":"","seq":0,"to_step":"plan"}' | sha256sum
    # (no "seal" key: the text of the library before seals existed; OLD_DOCUMENT below, written by
    # that version, carries the same hash for the same record)
    expected = "94d1c5fc59cc55399d7784bbf609e164fb4cec4d6a06cf46b9eba6d1aabf2c94"
    assert record_hash(PLAIN_RECORD) == expected
    assert record_hash(PLAIN_RECORD, KEY) == expected  # a plain record ignores the key
    assert seal(PLAIN_RECORD, "").hash == expected


def test_keyed_hash_is_the_hmac_of_the_canonical_text_with_the_seal_and_initiative() -> None:
    # printf '%s' '{"actor":"mia","artefacts":{},"at":"2026-01-01T00:01:00+00:00","event":"start",
    #   "from_step":null,"initiative":"i-1","note":"","prev_hash":"","reason":"",
    #   "seal":"hmac-sha256","seq":0,"to_step":"plan"}' \
    #   | openssl dgst -sha256 -hmac '0123456789abcdef'
    expected = "a385beaf0e28326b1889545e62255c837a644f576023bdb94af7920327d4d20f"
    keyed = seal(PLAIN_RECORD, "", key=KEY, initiative_id="i-1")
    assert keyed.seal == "hmac-sha256"
    assert keyed.hash == expected
    assert record_hash(keyed, KEY, initiative_id="i-1") == expected
    assert record_hash(keyed, OTHER, initiative_id="i-1") != expected
    # the same record bound to initiative "i-2": same printf text with "initiative":"i-2"
    assert (
        record_hash(keyed, KEY, initiative_id="i-2")
        == "7f8e37c67b04e1c40048031e4d47cf6773c30b855c6d4453b37390ec460cb3e5"
    )


def test_record_hash_of_a_keyed_record_needs_the_key_and_the_initiative() -> None:
    keyed = seal(PLAIN_RECORD, "", key=KEY, initiative_id="i-1")
    with pytest.raises(InvalidInputError, match=r"key: expected the secret key record 0"):
        record_hash(keyed)
    for bad in (None, "", 7):
        with pytest.raises(InvalidInputError, match=r"^initiative_id: expected the id of the"):
            record_hash(keyed, KEY, initiative_id=bad)  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError, match=r"^initiative_id: expected the id of the"):
            seal(PLAIN_RECORD, "", key=KEY, initiative_id=bad)  # type: ignore[arg-type]


# -- the keyed trail ----------------------------------------------------------------


def test_keyed_engine_seals_every_record_and_the_trail_verifies_with_the_key() -> None:
    ini = _walk()
    assert [r.seal for r in ini.history] == ["hmac-sha256"] * 6
    assert verify_history(ini, key=KEY).problems == ()
    assert verify_history(ini, key=bytearray(KEY)).ok


def test_keyed_trail_without_the_key_names_each_keyed_record_and_does_not_raise() -> None:
    check = verify_history(_walk())
    assert not check
    assert check.problems == tuple(f"record {i} is keyed; pass key= to verify it" for i in range(6))


def test_keyed_trail_with_a_wrong_key_reads_as_tampered() -> None:
    check = verify_history(_walk(), key=OTHER)
    assert not check.ok
    assert len(check.problems) == 6
    assert all("edited, sealed with another key or copied" in p for p in check.problems)


def test_unkeyed_engine_trail_is_plain_and_verifies_as_before() -> None:
    ini = _walk(key=None)
    assert {r.seal for r in ini.history} == {"sha256"}
    assert verify_history(ini).ok


# -- tampering with a keyed trail ----------------------------------------------------


def _flip(digest: str) -> str:
    """``digest`` with its first hex digit changed (still a valid digest)."""
    return ("1" if digest[0] == "0" else "0") + digest[1:]


EDITS: dict[str, Callable[[AuditRecord], AuditRecord]] = {
    "seq": lambda r: attrs.evolve(r, seq=r.seq + 1),
    "event": lambda r: attrs.evolve(r, event=r.event + "x"),
    "from_step": lambda r: attrs.evolve(r, from_step="plan" if r.from_step != "plan" else "vision"),
    "to_step": lambda r: attrs.evolve(r, to_step=r.to_step + "x"),
    "at": lambda r: attrs.evolve(r, at=r.at + dt.timedelta(seconds=1)),
    "actor": lambda r: attrs.evolve(r, actor="eve"),
    "note": lambda r: attrs.evolve(r, note=r.note + "!"),
    "reason": lambda r: attrs.evolve(r, reason=r.reason + "!"),
    "artefacts": lambda r: attrs.evolve(r, artefacts={**r.artefacts, "forged": "1"}),
    "prev_hash": lambda r: attrs.evolve(r, prev_hash=_flip(r.prev_hash or "0" * 64)),
    "hash": lambda r: attrs.evolve(r, hash=_flip(r.hash)),
    "seal": lambda r: attrs.evolve(r, seal="sha256"),
}


@pytest.mark.parametrize("field", sorted(EDITS))
@pytest.mark.parametrize("index", range(6))
def test_editing_any_field_of_any_keyed_record_is_found(field: str, index: int) -> None:
    ini = _walk()
    history = list(ini.history)
    history[index] = EDITS[field](history[index])
    check = verify_history(_with(ini, history), key=KEY)
    assert not check.ok
    assert any(f"record {index} " in p for p in check.problems), check.problems


@pytest.mark.parametrize("index", range(6))
def test_removing_a_keyed_record_is_found(index: int) -> None:
    ini = _walk()
    history = list(ini.history)
    del history[index]
    assert not verify_history(_with(ini, history), key=KEY).ok


@pytest.mark.parametrize("index", range(5))
def test_swapping_two_keyed_records_is_found(index: int) -> None:
    ini = _walk()
    history = list(ini.history)
    history[index], history[index + 1] = history[index + 1], history[index]
    assert not verify_history(_with(ini, history), key=KEY).ok


@pytest.mark.parametrize("keep", [0, 1, 2, 4, 5])
def test_truncating_a_keyed_trail_is_found(keep: int) -> None:
    ini = _walk()
    check = verify_history(_with(ini, ini.history[:keep]), key=KEY)
    assert not check.ok
    assert "records removed" in check.problems[-1]


def test_a_cut_back_to_an_earlier_visit_of_the_current_step_needs_an_anchor() -> None:
    # The documented limit of any chain without an outside anchor: records 3-5 went
    # target_state -> vision -> current_state -> target_state, so the first three records
    # end where the initiative is.  Keeping the newest hash elsewhere finds it.
    ini = _walk()
    cut = _with(ini, ini.history[:3])
    assert cut.history[-1].to_step == ini.step == "target_state"
    assert verify_history(cut, key=KEY).ok
    assert cut.history[-1].hash != ini.history[-1].hash


@pytest.mark.parametrize("start_at", range(6))
def test_replacing_keyed_records_by_recomputed_plain_ones_is_found_with_the_key(
    start_at: int,
) -> None:
    ini = _walk()
    prev = ini.history[start_at - 1].hash if start_at else ""
    forged = _reseal([attrs.evolve(r, actor="eve") for r in ini.history[start_at:]], prev, key=None)
    forged_ini = _with(ini, [*ini.history[:start_at], *forged])
    check = verify_history(forged_ini, key=KEY)
    assert not check.ok
    if start_at:
        assert f"record {start_at} is unkeyed after keyed record 0" in check.problems[0]
    else:
        assert check.problems == (
            "no record is keyed although key= was given: the trail was written or rewritten "
            "without the key",
        )


@pytest.mark.parametrize("start_at", range(1, 6))
def test_a_downgrade_after_a_keyed_record_is_found_even_without_the_key(start_at: int) -> None:
    ini = _walk()
    forged = _reseal(ini.history[start_at:], ini.history[start_at - 1].hash, key=None)
    check = verify_history(_with(ini, [*ini.history[:start_at], *forged]))
    assert any("(downgrade)" in p for p in check.problems)


def test_a_trail_rewritten_whole_with_plain_hashes_passes_only_without_the_key() -> None:
    # The documented limit: without the key nothing tells it from a trail written before keys.
    ini = _walk()
    forged_ini = _with(ini, _reseal(list(ini.history), "", key=None))
    assert verify_history(forged_ini).ok
    assert not verify_history(forged_ini, key=KEY).ok


def test_a_trail_resealed_under_another_key_is_found() -> None:
    ini = _walk()
    forged = _reseal([attrs.evolve(r, actor="eve") for r in ini.history], "", key=OTHER)
    assert verify_history(_with(ini, forged), key=OTHER).ok  # consistent under the forger's key
    check = verify_history(_with(ini, forged), key=KEY)
    assert len(check.problems) == 6


# -- old and mixed trails -----------------------------------------------------------

#: An initiative written by the library before seals existed (commit b77ab41), with
#: ``start(ini, actor=mia)`` and ``close(actor=mia, outcome="withdrawn", note="superseded")``.
OLD_DOCUMENT = json.dumps(
    {
        "schema_version": 1,
        "type": "Initiative",
        "title": "Old trail",
        "id": "old-1",
        "model": "pdca",
        "step": "closed",
        "history": [
            {
                "seq": 0,
                "event": "start",
                "from_step": None,
                "to_step": "plan",
                "at": "2026-01-01T00:01:00+00:00",
                "actor": "mia",
                "note": "",
                "reason": "",
                "artefacts": {},
                "prev_hash": "",
                "hash": "94d1c5fc59cc55399d7784bbf609e164fb4cec4d6a06cf46b9eba6d1aabf2c94",
            },
            {
                "seq": 1,
                "event": "withdraw",
                "from_step": "plan",
                "to_step": "closed",
                "at": "2026-01-01T00:02:00+00:00",
                "actor": "mia",
                "note": "superseded",
                "reason": "",
                "artefacts": {},
                "prev_hash": "94d1c5fc59cc55399d7784bbf609e164fb4cec4d6a06cf46b9eba6d1aabf2c94",
                "hash": "4f66be17d55812ed62fae608b2d15f79dd2452e05fdac2f6075782170582696b",
            },
        ],
        "outcome": {"closure": "withdrawn", "categories": [], "summary": ""},
        "created_at": "2026-01-01T00:00:00+00:00",
        "updated_at": "2026-01-01T00:02:00+00:00",
    }
)


def test_an_old_document_loads_with_plain_seals_and_verifies() -> None:
    ini = from_json(OLD_DOCUMENT, Initiative)
    assert [r.seal for r in ini.history] == ["sha256", "sha256"]
    assert verify_history(ini).ok
    # With key= an all-plain trail is refused: it could be a keyed trail rewritten whole.
    assert not verify_history(ini, key=KEY).ok


def test_an_old_document_still_shows_an_edit() -> None:
    doc = json.loads(OLD_DOCUMENT)
    doc["history"][1]["actor"] = "eve"
    check = verify_history(from_json(json.dumps(doc), Initiative))
    assert check.problems == ("record 1 was edited: its hash does not match its content",)


def _mixed() -> Initiative:
    """Two plain records (a trail begun before the key), then keyed ones."""
    ini = Initiative(title="Migrated", owner="tom", model="pdca", id="m-1")
    engine = start(ini, actor=MIA, clock=_clock())
    engine.advance(
        actor=MIA, objective="Fewer reopens", prediction=Prediction("r", -1.0, direction="lower")
    )
    ini = from_json(to_json(ini), Initiative)
    engine = resume(ini, clock=_clock(), audit_key=KEY)
    engine.advance(actor=TOM, done="Checklist")
    engine.advance(actor=TOM, comparison=COMPARISON)
    return ini


def test_a_keyed_tail_after_a_plain_start_verifies_with_the_key() -> None:
    ini = _mixed()
    assert [r.seal for r in ini.history] == ["sha256"] * 2 + ["hmac-sha256"] * 2
    assert verify_history(ini, key=KEY).ok
    assert verify_history(ini).problems == (
        "record 2 is keyed; pass key= to verify it",
        "record 3 is keyed; pass key= to verify it",
    )


def test_rewriting_the_plain_prefix_of_a_mixed_trail_is_found() -> None:
    # The forger recomputes the plain records and re-points the first keyed record at them:
    # its HMAC covers prev_hash, so it no longer verifies.
    ini = _mixed()
    prefix = _reseal([attrs.evolve(r, actor="eve") for r in ini.history[:2]], "", key=None)
    keyed = attrs.evolve(ini.history[2], prev_hash=prefix[-1].hash)
    check = verify_history(_with(ini, [*prefix, keyed, ini.history[3]]), key=KEY)
    assert check.problems == (
        "record 2 was edited, sealed with another key or copied from another initiative: its "
        "HMAC does not match its content and initiative 'm-1'",
    )


def test_a_plain_record_after_the_keyed_tail_is_a_downgrade() -> None:
    ini = _mixed()
    extra = seal(attrs.evolve(ini.history[-1], seq=4, event="advance"), ini.history[-1].hash)
    check = verify_history(_with(ini, [*ini.history, extra]), key=KEY)
    assert (
        "record 4 is unkeyed after keyed record 2: keyed records were replaced"
        in (check.problems[0])
    )


# -- the engines with and without the key --------------------------------------------


def test_an_engine_without_the_key_refuses_to_move_a_keyed_trail_and_writes_nothing() -> None:
    ini = _walk()
    before = to_json(ini)
    engine = resume(ini)
    assert "vision" in engine.next_steps()  # reading needs no key
    assert engine.missing()
    with pytest.raises(InvalidInputError, match=r"audit_key: .* is keyed \(hmac-sha256\)"):
        engine.return_to("vision", actor=TOM, reason="x")
    assert to_json(ini) == before


def test_an_engine_with_another_key_refuses_to_move_a_keyed_trail() -> None:
    ini = _walk()
    before = to_json(ini)
    with pytest.raises(InvalidInputError, match=r"audit_key: .* record 5 does not verify .*copied"):
        resume(ini, audit_key=OTHER).return_to("vision", actor=TOM, reason="x")
    assert to_json(ini) == before


def test_the_key_check_comes_after_the_move_table() -> None:
    ini = _walk()
    with pytest.raises(InvalidTransition):
        resume(ini).return_to("momentum", actor=TOM, reason="x")


def test_a_keyed_pdca_engine_and_the_seven_step_engine_seal_too() -> None:
    for model in ("pdca", "seven-step"):
        ini = Initiative(title="x", model=model)
        engine = start(ini, audit_key=KEY)
        engine.close(actor=MIA, outcome="withdrawn")
        assert [r.seal for r in ini.history] == ["hmac-sha256"] * 2
        assert verify_history(ini, key=KEY).ok


def test_start_on_a_started_keyed_initiative_resumes_with_the_key() -> None:
    ini = _walk()
    start(ini, audit_key=KEY).return_to("vision", actor=TOM, reason="again")
    assert verify_history(ini, key=KEY).ok


def test_a_nested_pdca_cycle_of_a_keyed_itil4_engine_seals_with_the_key() -> None:
    first = seal(AuditRecord(0, "start", None, "action", T0, "mia"), "", key=KEY, initiative_id="x")
    ini = Initiative(title="x", id="x", step="action", plan=[Action("Runbook")], history=[first])
    engine = ContinualImprovementModel(ini, audit_key=KEY)
    engine.pdca(actor=TOM)
    assert verify_history(ini, key=KEY).ok


def test_json_round_trip_keeps_the_seal_and_the_key_is_not_stored() -> None:
    ini = _walk()
    text = to_json(ini)
    assert text.count('"seal": "hmac-sha256"') == 6
    assert KEY.decode() not in text
    assert KEY.hex() not in text
    back = from_json(text, Initiative)
    assert back.history == ini.history
    assert verify_history(back, key=KEY).ok
    resume(back, audit_key=KEY).return_to("vision", actor=TOM, reason="after a reload")
    assert verify_history(back, key=KEY).ok


# -- bad keys ---------------------------------------------------------------------------

BAD_KEYS: list[tuple[object, str]] = [
    ("0123456789abcdef", "got a str (decode it"),
    (12345678901234567890, "got a int"),
    ([1] * 16, "got a list"),
    (memoryview(KEY), "got a memoryview"),
    (b"", "at least 16 bytes, got 0 bytes"),
    (b"s3cr3t-but-15ch", "at least 16 bytes, got 15 bytes"),
    (bytearray(b"x"), "at least 16 bytes, got 1 byte"),
]

ENTRY_POINTS: dict[str, Callable[[object], Any]] = {
    "start": lambda k: start(Initiative(title="x"), audit_key=k),
    "resume": lambda k: resume(Initiative(title="x", step="plan"), audit_key=k),
    "ContinualImprovementModel": lambda k: ContinualImprovementModel(
        Initiative(title="x"), audit_key=k
    ),
    "SevenStepProcess": lambda k: SevenStepProcess(
        Initiative(title="x", model="seven-step"), audit_key=k
    ),
    "PDCACycle": lambda k: PDCACycle(Initiative(title="x", model="pdca"), audit_key=k),
    "nested PDCACycle": lambda k: PDCACycle(Initiative(title="x"), nested=True, audit_key=k),
}


@pytest.mark.parametrize(("key", "text"), BAD_KEYS)
@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_a_bad_audit_key_is_refused_without_showing_it(entry: str, key: object, text: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        ENTRY_POINTS[entry](key)
    message = str(info.value)
    assert message.startswith("audit_key: expected a secret key")
    assert text in message
    if isinstance(key, str | bytes | bytearray) and key:
        assert str(key) not in message
        assert repr(key) not in message


@pytest.mark.parametrize(("key", "text"), BAD_KEYS)
def test_a_bad_key_for_verify_history_is_refused(key: object, text: str) -> None:
    with pytest.raises(InvalidInputError, match=r"^key: expected a secret key") as info:
        verify_history(_walk(), key=key)  # type: ignore[arg-type]
    assert text in str(info.value)


def test_a_refused_key_leaves_the_initiative_unstarted() -> None:
    ini = Initiative(title="x")
    with pytest.raises(InvalidInputError):
        start(ini, audit_key=b"short")
    assert ini.step is None
    assert ini.history == []


# -- property: random walks with a key -------------------------------------------------

ARTEFACTS: dict[str, dict[str, dict[str, object]]] = {
    "itil4": {
        "vision": {"objectives": [Objective("Faster restores")]},
        "current_state": {
            "kpis": [KPI("mttr", direction="lower")],
            "baselines": {"mttr": Baseline("mttr", 6.0)},
        },
    },
    "pdca": {
        "plan": {"objective": "Fewer reopens", "prediction": Prediction("r", -1.0)},
        "do": {"done": "Checklist"},
        "check": {"comparison": COMPARISON},
        "act": {"decision": "adapt"},
    },
}
OPS = st.sampled_from(["advance", "back", "reload", "withdraw"])


def _run(model: str, ops: list[str]) -> Initiative:
    clock = _clock()
    ini = Initiative(title="Walk", owner="tom", model=model, id="i-1")
    engine = start(ini, actor=MIA, clock=clock, audit_key=KEY)
    for op in ops:
        try:
            if op == "advance":
                engine.advance(actor=MIA, **ARTEFACTS[model].get(engine.step or "", {}))
            elif op == "back":
                engine.return_to("vision", actor=MIA, reason="rework")
            elif op == "withdraw":
                engine.close(actor=MIA, outcome="withdrawn")
            else:
                ini = from_json(to_json(ini), Initiative)
                engine = resume(ini, clock=clock, audit_key=KEY)
        except (InvalidTransition, StepBlocked):
            pass
    return ini


TAMPERS = ["edit", "remove", "swap", "truncate", "downgrade", "rekey"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    model=st.sampled_from(["itil4", "pdca"]),
    ops=st.lists(OPS, max_size=14),
    tamper=st.sampled_from(TAMPERS),
    data=st.data(),
)
def test_random_keyed_walks_verify_and_any_tampering_is_found(
    model: str, ops: list[str], tamper: str, data: st.DataObject
) -> None:
    ini = _run(model, ops)
    n = len(ini.history)
    assert {r.seal for r in ini.history} == {"hmac-sha256"}
    assert verify_history(ini, key=KEY).ok
    assert len(verify_history(ini).problems) == n  # one "pass key=" per record, no crash
    assert not verify_history(ini, key=OTHER).ok

    history = list(ini.history)
    if tamper == "edit":
        i = data.draw(st.integers(0, n - 1))
        history[i] = EDITS[data.draw(st.sampled_from(sorted(EDITS)))](history[i])
    elif tamper == "remove":
        del history[data.draw(st.integers(0, n - 1))]
    elif tamper == "swap":
        if n < 2:
            return
        i = data.draw(st.integers(0, n - 2))
        history[i], history[i + 1] = history[i + 1], history[i]
    elif tamper == "truncate":
        history = history[: data.draw(st.integers(0, n - 1))]
        ends = [r.to_step for r in history if not r.to_step.startswith("pdca:")][-1:]
        if ends == [ini.step]:  # a cut to an earlier visit of the step: only an anchor finds it
            assert history[-1].hash != ini.history[-1].hash
            return
    elif tamper == "downgrade":
        i = data.draw(st.integers(0, n - 1))
        prev = history[i - 1].hash if i else ""
        history = [*history[:i], *_reseal(history[i:], prev, key=None)]
    else:
        history = _reseal(history, "", key=OTHER)
    assert not verify_history(_with(ini, history), key=KEY).ok
