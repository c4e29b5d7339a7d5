"""The tamper-evident audit trail of an initiative.

Every move an engine makes appends one :class:`~itil_ci.domain.AuditRecord`.
Each record carries ``prev_hash`` (the previous record's hash, ``""`` for the
first) and ``hash``: the SHA-256 of a canonical JSON text of the record's
content together with ``prev_hash``.  Editing a record changes its hash;
removing or reordering records breaks the chain or the sequence numbers;
removing the newest records leaves a trail that no longer ends at the
initiative's current step.  :func:`verify_history` checks all of this.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import attrs

from itil_ci.domain.initiative import AuditRecord, Initiative

__all__ = ["HistoryCheck", "record_hash", "seal", "verify_history"]

#: Prefix of the steps of a PDCA cycle run inside another model's step.
NESTED_PREFIX = "pdca:"


def _canonical(record: AuditRecord) -> bytes:
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
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def record_hash(record: AuditRecord) -> str:
    """The SHA-256 (hex) of ``record``'s content and ``prev_hash``; ``hash`` is ignored.

    Examples:
        >>> import datetime as dt
        >>> from itil_ci.domain import AuditRecord
        >>> r = AuditRecord(0, "start", None, "plan", dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "ana")
        >>> len(record_hash(r))
        64
    """
    return hashlib.sha256(_canonical(record)).hexdigest()


def seal(record: AuditRecord, prev_hash: str) -> AuditRecord:
    """``record`` chained after a record whose hash is ``prev_hash``, with its own hash set.

    Examples:
        >>> import datetime as dt
        >>> from itil_ci.domain import AuditRecord
        >>> r = AuditRecord(0, "start", None, "plan", dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "ana")
        >>> sealed = seal(r, "")
        >>> sealed.hash == record_hash(sealed)
        True
    """
    chained = attrs.evolve(record, prev_hash=prev_hash, hash="")
    return attrs.evolve(chained, hash=record_hash(chained))


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


def verify_history(initiative: Initiative) -> HistoryCheck:
    """Check that ``initiative.history`` is the untouched trail of its moves.

    Finds an edited record (its hash no longer matches its content), a removed
    or reordered record (sequence numbers or the hash chain break), and a
    trail whose newest records were removed (it no longer ends at the
    initiative's current step).

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
    """
    problems: list[str] = []
    prev = ""
    last_main: AuditRecord | None = None
    last_nested: AuditRecord | None = None
    for i, rec in enumerate(initiative.history):
        if rec.seq != i:
            problems.append(f"record {i} has sequence number {rec.seq}: records removed or moved")
        if rec.prev_hash != prev:
            problems.append(f"record {i} does not follow record {i - 1}: the chain is broken")
        if record_hash(rec) != rec.hash:
            problems.append(f"record {i} was edited: its hash does not match its content")
        prev = rec.hash
        if rec.to_step.startswith(NESTED_PREFIX):
            last_nested = rec
        else:
            last_main = rec
    if initiative.step is not None and (last_main is None or last_main.to_step != initiative.step):
        shown = None if last_main is None else last_main.to_step
        problems.append(
            f"the trail ends at step {shown!r} but the initiative is at {initiative.step!r}: "
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
