"""Keyed records are bound to their initiative; stored digests and record texts are well formed."""

from __future__ import annotations

import datetime as dt
import json

import attrs
import pytest

from itil_ci.domain import Actor, AuditRecord, Initiative, Objective
from itil_ci.engines import resume, start, verify_history
from itil_ci.engines.audit import record_hash, seal
from itil_ci.errors import DecodeError, InvalidInputError
from itil_ci.io import from_json, to_json

KEY = b"0123456789abcdef"
LI = Actor("li", roles=["continual-improvement-manager"])
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
DIGEST = "0" * 64

# -- H1: a keyed trail copied into another initiative --------------------------------


def _withdrawn(title: str, key: bytes | None = KEY) -> Initiative:
    ini = Initiative(title=title)
    start(ini, "pdca", audit_key=key).close(actor=LI, outcome="withdrawn")
    return ini


def test_a_keyed_trail_copied_into_another_initiative_is_found() -> None:
    a = _withdrawn("A")
    b = Initiative(title="B")
    start(b, "pdca", audit_key=KEY)
    b.history = list(a.history)
    b.step = a.step
    assert verify_history(a, key=KEY).ok
    check = verify_history(b, key=KEY)
    assert not check.ok
    assert check.problems == tuple(
        f"record {i} was edited, sealed with another key or copied from another initiative: "
        f"its HMAC does not match its content and initiative {b.id!r}"
        for i in range(2)
    )


def test_a_copied_keyed_trail_cannot_be_extended_either() -> None:
    a = _withdrawn("A")
    b = Initiative(title="B", model="pdca")
    start(b, audit_key=KEY)
    b.history = list(a.history[:1])
    with pytest.raises(InvalidInputError, match=r"copied from another initiative"):
        resume(b, audit_key=KEY).advance(actor=LI, objective="x")


def test_a_copied_trail_with_the_id_changed_back_verifies() -> None:
    # The binding is to the id, nothing else: the same id is the same initiative.
    a = _withdrawn("A")
    twin = attrs.evolve(_withdrawn("B"), id=a.id, history=list(a.history))
    assert verify_history(twin, key=KEY).ok


def test_plain_trails_are_not_bound_to_the_initiative() -> None:
    # Plain SHA-256 hashes keep the text they had before keys existed (old documents
    # verify); anyone can recompute them anyway, so binding them would add nothing.
    a = _withdrawn("A", key=None)
    copy = attrs.evolve(a, id="other", history=list(a.history))
    assert verify_history(copy).ok


def test_keyed_trails_still_verify_after_a_json_round_trip() -> None:
    a = _withdrawn("A")
    back = from_json(to_json(a), Initiative)
    assert back.id == a.id
    assert verify_history(back, key=KEY).ok
    doc = json.loads(to_json(a))
    doc["id"] = "renamed"
    assert not verify_history(from_json(json.dumps(doc), Initiative), key=KEY).ok


# -- L4: stored digests --------------------------------------------------------------

BAD_DIGESTS = [
    "ä" * 64,  # non-ASCII: hmac.compare_digest raised TypeError on it
    "A" * 64,  # upper case: the engines only write hexdigest()
    "0" * 63,
    "0" * 65,
    "g" * 64,
    " " + "0" * 63,
    "0" * 64 + "\n",
    None,
    64,
]


@pytest.mark.parametrize("field", ["hash", "prev_hash"])
@pytest.mark.parametrize("bad", BAD_DIGESTS)
def test_a_bad_digest_is_refused_by_name(field: str, bad: object) -> None:
    with pytest.raises(InvalidInputError, match=rf"^AuditRecord\.{field}: expected '' or 64 lower"):
        AuditRecord(0, "start", None, "plan", T0, "li", **{field: bad})  # type: ignore[arg-type]


def test_a_stored_document_with_a_non_ascii_hash_fails_to_load_and_does_not_crash() -> None:
    doc = json.loads(to_json(_withdrawn("A")))
    doc["history"][1]["hash"] = "é" * 64
    with pytest.raises(DecodeError, match=r"hash"):
        from_json(json.dumps(doc), Initiative)


@pytest.mark.parametrize("key", [KEY, None])
def test_a_non_ascii_hash_altered_behind_the_validators_reads_as_edited(
    key: bytes | None,
) -> None:
    ini = Initiative(title="A")
    start(ini, "pdca", audit_key=key)
    object.__setattr__(ini.history[0], "hash", "é" * 64)
    check = verify_history(ini, key=key)  # used to raise TypeError from hmac.compare_digest
    assert check.problems[0].startswith("record 0 was edited")
    # a later move is refused with InvalidInputError (no TypeError), and nothing is written
    before = list(ini.history)
    with pytest.raises(InvalidInputError, match=r"record 0 does not verify|AuditRecord\.prev_hash"):
        resume(ini, audit_key=key).close(actor=LI, outcome="withdrawn")
    assert ini.history == before


def test_engines_write_only_lower_case_digests() -> None:
    for key in (KEY, None):
        ini = _withdrawn("A", key=key)
        for rec in ini.history:
            assert rec.hash == rec.hash.lower()
            assert len(rec.hash) == 64
            assert rec.prev_hash in ("", *(r.hash for r in ini.history))


# -- L4: lone surrogates in record text ----------------------------------------------

SURROGATE = "\ud800"


@pytest.mark.parametrize(
    ("field", "value", "name"),
    [
        ("note", SURROGATE, "AuditRecord.note"),
        ("reason", "a" + SURROGATE, "AuditRecord.reason"),
        ("actor", SURROGATE, "AuditRecord.actor"),
        ("event", SURROGATE, "AuditRecord.event"),
        ("to_step", SURROGATE, "AuditRecord.to_step"),
        ("from_step", SURROGATE, "AuditRecord.from_step"),
        ("artefacts", {"k": SURROGATE}, "AuditRecord.artefacts['k']"),
        ("artefacts", {SURROGATE: "v"}, "AuditRecord.artefacts key"),
    ],
)
def test_a_lone_surrogate_in_record_text_is_refused_by_name(
    field: str, value: object, name: str
) -> None:
    fields: dict[str, object] = {
        "seq": 0,
        "event": "start",
        "from_step": None,
        "to_step": "plan",
        "at": T0,
        "actor": "li",
        field: value,
    }
    with pytest.raises(InvalidInputError) as info:
        AuditRecord(**fields)  # type: ignore[arg-type]
    message = str(info.value)
    assert message.startswith(f"{name}: expected text that encodes as UTF-8")
    message.encode("utf-8")  # the message itself is printable


@pytest.mark.parametrize("key", [KEY, None])
@pytest.mark.parametrize("field", ["note", "reason"])
def test_an_engine_move_with_a_lone_surrogate_raises_by_name_and_writes_nothing(
    key: bytes | None, field: str
) -> None:
    ini = Initiative(title="A")
    engine = start(ini, audit_key=key)
    if field == "reason":
        engine.advance(actor=LI, objectives=[Objective("Faster")])
    before = to_json(ini)

    def move() -> object:
        if field == "note":
            return engine.advance(actor=LI, note=SURROGATE, objectives=[Objective("x")])
        return engine.return_to("vision", actor=LI, reason=SURROGATE)

    # refused at the engine's edge, by the name of the argument the caller passed
    with pytest.raises(InvalidInputError, match=rf"^{field}: expected text that encodes as UTF-8"):
        move()
    assert to_json(ini) == before
    assert verify_history(ini, key=key).ok


def test_hashing_never_raises_on_a_record_altered_behind_its_validators() -> None:
    rec = seal(AuditRecord(0, "start", None, "plan", T0, "li"), "")
    object.__setattr__(rec, "note", SURROGATE)
    assert record_hash(rec) != rec.hash
    keyed = seal(AuditRecord(0, "start", None, "plan", T0, "li"), "", key=KEY, initiative_id="x")
    assert record_hash(keyed, KEY, initiative_id=SURROGATE) != keyed.hash
