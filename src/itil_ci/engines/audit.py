"""The tamper-evident audit trail of an initiative.

Every move an engine makes appends one :class:`~itil_ci.domain.AuditRecord`.
Each record carries ``prev_hash`` (the previous record's hash, ``""`` for the
first) and ``hash``, computed over a canonical JSON text of the record's
content together with ``prev_hash``.  Editing a record changes its hash;
removing or reordering records breaks the chain or the sequence numbers;
removing the newest records leaves a trail that no longer ends at the
initiative's current step; a step set by hand between two moves (``ini.step =
"act"`` and then ``close()``) leaves a record that does not start where the
previous one ended.  :func:`verify_history` checks all of this.

Continuity is checked per track: the main steps of the initiative, and the
steps of the PDCA cycles run inside the ITIL 4 "action" step (``"pdca:..."``).
Each record of a track must move from the step the previous record of that
track moved to; only the first record of a track may start from nowhere (a
start) or from any step (an initiative created at a step, whose earlier
moves were not recorded here).  A nested cycle that starts again after one
closed moves from ``"pdca:closed"``.

How a record is sealed is written in its ``seal`` field:

- ``"sha256"`` (no key): ``hash`` is the SHA-256 of the canonical text.  Anyone
  who can write to the store can recompute it, so it shows accidental damage
  but not deliberate forgery.  The canonical text is exactly what it was
  before keys existed, so trails stored then verify unchanged.
- ``"hmac-sha256"`` (an engine given ``audit_key``): ``hash`` is the
  HMAC-SHA256 under that key of the canonical text, which then also holds
  ``"seal": "hmac-sha256"`` and ``"initiative"``, the id of the initiative the
  record belongs to.  Without the key nobody can produce a record that
  verifies, and since one key usually serves a whole deployment, the id binds
  each keyed record to its initiative: a keyed trail copied into another
  initiative (same key, other id) no longer verifies.  The key is never
  stored; the verifier passes it as ``key=``.

Rules for a trail that holds both kinds (see :func:`verify_history`): unkeyed
records may come first (a trail started before the key was introduced; the
first keyed record's ``prev_hash`` then vouches for all of them), but once a
record is keyed every later one must be keyed too, otherwise a forger could
replace the keyed tail by recomputed plain hashes (a downgrade).  Verifying
with ``key=`` also demands that the trail holds at least one keyed record,
so a trail rewritten entirely with plain hashes is refused.  An engine with no
key refuses to append to a keyed trail, and an engine with a key refuses to
append to a trail whose newest keyed record does not verify with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import attrs

from itil_ci._internal.validate import shown
from itil_ci.domain.initiative import AuditRecord, Initiative
from itil_ci.errors import InvalidInputError

__all__ = ["HistoryCheck", "record_hash", "seal", "verify_history"]

#: Prefix of the steps of a PDCA cycle run inside another model's step.
NESTED_PREFIX = "pdca:"

#: The two values of ``AuditRecord.seal``.
PLAIN = "sha256"
KEYED = "hmac-sha256"

#: The shortest secret key accepted (bytes): 128 bits.
MIN_KEY_BYTES = 16


def _same(expected: str, stored: str) -> bool:
    """Constant-time ``expected == stored`` over bytes, so no stored text can make it raise.

    ``hmac.compare_digest`` rejects a ``str`` holding non-ASCII characters;
    ``AuditRecord`` only admits hex digests, but a record can be altered behind
    its validators, and :func:`verify_history` must still answer, not raise.
    """
    if not isinstance(stored, str):
        return False
    return hmac.compare_digest(expected.encode(), stored.encode("utf-8", "surrogatepass"))


def _check_key(name: str, key: object) -> bytes | None:
    """``key`` as bytes, or None; the message never shows the key itself."""
    if key is None:
        return None
    if not isinstance(key, bytes | bytearray):
        hint = " (decode it, e.g. base64.b64decode(text))" if isinstance(key, str) else ""
        raise InvalidInputError(
            f"{name}: expected a secret key as bytes (at least {MIN_KEY_BYTES} bytes) or None, "
            f"got a {type(key).__name__}{hint}"
        )
    if len(key) < MIN_KEY_BYTES:
        raise InvalidInputError(
            f"{name}: expected a secret key of at least {MIN_KEY_BYTES} bytes, "
            f"got {len(key)} byte{'' if len(key) == 1 else 's'}"
        )
    return bytes(key)


def _canonical(record: AuditRecord, initiative_id: str | None) -> bytes:
    content = {
        "seq": record.seq,
        "event": record.event,
        "from_step": record.from_step,
        "to_step": record.to_step,
        "at": record.at.astimezone(dt.UTC).isoformat(),
        "actor": record.actor,
        "note": record.note,
        "reason": record.reason,
        "artefacts": dict(sorted(record.artefacts.items())),
        "prev_hash": record.prev_hash,
    }
    if record.seal != PLAIN:  # plain records hash exactly as they did before seals existed
        content["seal"] = record.seal
        content["initiative"] = initiative_id
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    # AuditRecord refuses lone surrogates; "surrogatepass" keeps hashing total (and injective)
    # for a record altered behind its validators or an initiative id holding one.
    return text.encode("utf-8", "surrogatepass")


def _check_id(initiative_id: object, record: AuditRecord) -> str:
    if not isinstance(initiative_id, str) or not initiative_id:
        raise InvalidInputError(
            f"initiative_id: expected the id of the initiative keyed record {record.seq} belongs "
            f"to (a non-empty string), got {initiative_id!r}"
        )
    return initiative_id


def record_hash(
    record: AuditRecord, key: bytes | None = None, *, initiative_id: str | None = None
) -> str:
    """The hash (hex) ``record`` should carry, by its ``seal``; its own ``hash`` is ignored.

    A ``"sha256"`` record gets the SHA-256 of its content and ``prev_hash``
    (``key`` and ``initiative_id`` are not used); an ``"hmac-sha256"`` record
    gets the HMAC-SHA256 under ``key`` of the same together with its seal and
    ``initiative_id`` (the id of the initiative whose trail holds it), and
    requires both.

    Examples:
        >>> import datetime as dt
        >>> from itil_ci.domain import AuditRecord
        >>> r = AuditRecord(0, "start", None, "plan", dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "ana")
        >>> len(record_hash(r))
        64
        >>> keyed = attrs.evolve(r, seal="hmac-sha256")
        >>> k = b"k" * 32
        >>> record_hash(keyed, k, initiative_id="a") != record_hash(keyed, k, initiative_id="b")
        True
    """
    if not isinstance(record, AuditRecord):
        raise InvalidInputError(f"record: expected an AuditRecord, got {shown(record, 80)}")
    if record.seal == PLAIN:
        return hashlib.sha256(_canonical(record, None)).hexdigest()
    checked = _check_key("key", key)
    if checked is None:
        raise InvalidInputError(
            f"key: expected the secret key record {record.seq} was sealed with "
            f"({record.seal!r}), got None"
        )
    text = _canonical(record, _check_id(initiative_id, record))
    return hmac.new(checked, text, hashlib.sha256).hexdigest()


def seal(
    record: AuditRecord,
    prev_hash: str,
    *,
    key: bytes | None = None,
    initiative_id: str | None = None,
) -> AuditRecord:
    """``record`` chained after a record whose hash is ``prev_hash``, with its own hash set.

    With ``key`` (bytes, at least 16) the record is sealed ``"hmac-sha256"``
    and bound to ``initiative_id`` (required then: the id of the initiative
    whose trail it joins); without it ``"sha256"``.

    Examples:
        >>> import datetime as dt
        >>> from itil_ci.domain import AuditRecord
        >>> r = AuditRecord(0, "start", None, "plan", dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "ana")
        >>> sealed = seal(r, "")
        >>> sealed.seal, sealed.hash == record_hash(sealed)
        ('sha256', True)
        >>> key = b"a secret of 16+ bytes"
        >>> keyed = seal(r, "", key=key, initiative_id="i-1")
        >>> keyed.seal, keyed.hash == record_hash(keyed, key, initiative_id="i-1")
        ('hmac-sha256', True)
    """
    if not isinstance(record, AuditRecord):
        raise InvalidInputError(f"record: expected an AuditRecord, got {shown(record, 80)}")
    checked = _check_key("key", key)
    chained = attrs.evolve(
        record, prev_hash=prev_hash, hash="", seal=PLAIN if checked is None else KEYED
    )
    return attrs.evolve(chained, hash=record_hash(chained, checked, initiative_id=initiative_id))


def _check_append(initiative: Initiative, key: bytes | None) -> None:
    """Refuse a move that would write a record the trail's verifier must reject.

    Without a key on a keyed trail the new record would be a downgrade; with a
    key under which the newest keyed record does not verify, the trail would
    mix keys (or it was altered).  Only the newest keyed record is checked.
    """
    newest = next((r for r in reversed(initiative.history) if r.seal != PLAIN), None)
    if newest is None:
        return
    if key is None:
        raise InvalidInputError(
            f"audit_key: expected the secret key, got None: the audit trail of initiative "
            f"{initiative.id!r} is keyed ({newest.seal}) from record {_first_keyed(initiative)}, "
            "and an unkeyed record after it would read as a forgery; pass audit_key= to "
            "start()/resume()"
        )
    if not _same(record_hash(newest, key, initiative_id=initiative.id), newest.hash):
        raise InvalidInputError(
            f"audit_key: expected the key the audit trail of initiative {initiative.id!r} was "
            f"sealed with, got a key under which its record {newest.seq} does not verify "
            "(another key, the record was altered, or the trail was copied from another "
            "initiative; check it with verify_history)"
        )


def _first_keyed(initiative: Initiative) -> int:
    return next(i for i, r in enumerate(initiative.history) if r.seal != PLAIN)


@attrs.frozen
class HistoryCheck:
    """The verdict of :func:`verify_history`: ``ok`` and every ``problem`` found.

    Truthy when the trail is intact.

    Examples:
        >>> bool(HistoryCheck(ok=True, problems=()))
        True
    """

    ok: bool
    problems: tuple[str, ...]

    def __bool__(self) -> bool:
        return self.ok


def _track(step: object) -> bool:
    """Whether ``step`` is a step of a nested PDCA cycle (the other track)."""
    return isinstance(step, str) and step.startswith(NESTED_PREFIX)


def _continuity(
    i: int, rec: AuditRecord, last_at: dict[bool, tuple[int, AuditRecord]]
) -> list[str]:
    """A problem if record ``i`` does not move from where its track's previous record ended."""
    track = _track(rec.to_step)
    previous = last_at.get(track)
    last_at[track] = (i, rec)
    if previous is None:
        return []
    j, before = previous
    if rec.from_step == before.to_step:
        return []
    return [
        f"record {i} moves from {rec.from_step!r} but record {j} ended at {before.to_step!r}: "
        "a step was skipped or set by hand, or records were altered"
    ]


def verify_history(initiative: Initiative, *, key: bytes | None = None) -> HistoryCheck:
    """Check that ``initiative.history`` is the untouched trail of its moves.

    Finds an edited record (its hash no longer matches its content), a removed
    or reordered record (sequence numbers or the hash chain break), a
    trail whose newest records were removed (it no longer ends at the
    initiative's current step), and a skipped step: a record that does not
    move from the step the previous record of its track moved to (main steps
    and nested PDCA steps are two tracks), keyed or not.

    Keyed records (``seal == "hmac-sha256"``) are checked with ``key`` and
    ``initiative.id``: without the key each is reported as not verifiable; with
    a wrong key, or in a trail copied from another initiative, as edited.  An
    unkeyed record after a keyed one is reported as a downgrade, and with
    ``key`` a trail holding no keyed record at all is reported too (see the
    module docstring for these rules).  Bad input (``key`` not bytes or
    shorter than 16 bytes) raises; a bad trail never does.

    Examples:
        >>> from itil_ci.domain import Actor, Initiative, Objective
        >>> from itil_ci.engines import start
        >>> ini = Initiative(title="Faster restores")
        >>> _ = start(ini, actor=Actor("ana", roles=["improvement-team"]))
        >>> verify_history(ini).ok
        True
        >>> ini.history[0] = attrs.evolve(ini.history[0], actor="eve")
        >>> verify_history(ini).problems
        ('record 0 was edited: its hash does not match its content',)
        >>> key = b"0123456789abcdef"
        >>> keyed = Initiative(title="Faster restores")
        >>> _ = start(keyed, audit_key=key)
        >>> verify_history(keyed, key=key).ok
        True
        >>> verify_history(keyed).problems
        ('record 0 is keyed; pass key= to verify it',)
        >>> skipped = Initiative(title="Fewer reopens")
        >>> engine = start(skipped, "pdca")
        >>> skipped.step = "act"  # set by hand: no record of plan -> do -> check -> act
        >>> _ = engine.close(actor=Actor("ana", roles=["continual-improvement-manager"]),
        ...                  outcome="withdrawn")
        >>> verify_history(skipped).problems
        ("record 1 moves from 'act' but record 0 ended at 'plan': a step was skipped ...",)
    """
    if not isinstance(initiative, Initiative):
        raise InvalidInputError(f"initiative: expected an Initiative, got {shown(initiative, 80)}")
    checked = _check_key("key", key)
    problems: list[str] = []
    prev = ""
    first_keyed: int | None = None
    last_main: AuditRecord | None = None
    last_nested: AuditRecord | None = None
    last_at: dict[bool, tuple[int, AuditRecord]] = {}  # per track: nested or not
    for i, rec in enumerate(initiative.history):
        if rec.seq != i:
            problems.append(f"record {i} has sequence number {rec.seq}: records removed or moved")
        if rec.prev_hash != prev:
            problems.append(f"record {i} does not follow record {i - 1}: the chain is broken")
        if rec.seal == PLAIN:
            if first_keyed is not None:
                problems.append(
                    f"record {i} is unkeyed after keyed record {first_keyed}: keyed records "
                    "were replaced by plain hashes (downgrade)"
                )
            if not _same(record_hash(rec), rec.hash):
                problems.append(f"record {i} was edited: its hash does not match its content")
        else:
            if first_keyed is None:
                first_keyed = i
            if checked is None:
                problems.append(f"record {i} is keyed; pass key= to verify it")
            elif not _same(record_hash(rec, checked, initiative_id=initiative.id), rec.hash):
                problems.append(
                    f"record {i} was edited, sealed with another key or copied from another "
                    f"initiative: its HMAC does not match its content and initiative "
                    f"{initiative.id!r}"
                )
        problems.extend(_continuity(i, rec, last_at))
        prev = rec.hash
        if rec.to_step.startswith(NESTED_PREFIX):
            last_nested = rec
        else:
            last_main = rec
    if checked is not None and initiative.history and first_keyed is None:
        problems.append(
            "no record is keyed although key= was given: the trail was written or rewritten "
            "without the key"
        )
    if initiative.step is not None and (last_main is None or last_main.to_step != initiative.step):
        ended_at = None if last_main is None else last_main.to_step
        problems.append(
            f"the trail ends at step {ended_at!r} but the initiative is at {initiative.step!r}: "
            "records removed"
        )
    nested = getattr(initiative, "pdca_step", None)
    if nested is not None:
        ended = None if last_nested is None else last_nested.to_step[len(NESTED_PREFIX) :]
        if ended != nested:
            problems.append(
                f"the trail ends at PDCA step {ended!r} but the initiative is at {nested!r}: "
                "records removed"
            )
    return HistoryCheck(ok=not problems, problems=tuple(problems))
