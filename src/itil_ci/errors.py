"""The one exception hierarchy of :mod:`itil_ci`.

Every error the library raises on purpose derives from :class:`ItilCiError`,
so ``except ItilCiError`` catches all of them.  Errors about bad input are also
instances of the built-in class Python code conventionally expects
(``ValueError``, ``TypeError`` or ``KeyError``), so existing handlers keep
working.

Examples:
    >>> from itil_ci.errors import InvalidInputError, ItilCiError
    >>> issubclass(InvalidInputError, ValueError) and issubclass(InvalidInputError, ItilCiError)
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = [
    "ConflictError",
    "DecodeError",
    "ImportRowError",
    "InvalidInputError",
    "InvalidTransition",
    "ItilCiError",
    "NotFound",
    "PermissionDenied",
    "StepBlocked",
    "StorageError",
    "UnreadableEntries",
]


class ItilCiError(Exception):
    """Root of every error raised by :mod:`itil_ci`.

    Examples:
        >>> from itil_ci.domain import Opportunity
        >>> try:
        ...     Opportunity(title="x", effort=-1)
        ... except ItilCiError as err:
        ...     print(type(err).__name__)
        InvalidInputError
    """


class InvalidInputError(ItilCiError, ValueError):
    """An argument has a value the library cannot accept.

    The message names the argument, the bad value and what would be accepted.

    Examples:
        >>> raise InvalidInputError("effort: expected a number >= 0, got -1")
        Traceback (most recent call last):
        ...
        itil_ci.errors.InvalidInputError: effort: expected a number >= 0, got -1
    """


class DecodeError(InvalidInputError):
    """A serialised document could not be turned back into domain objects.

    ``problems`` lists every bad field as ``"path: what is wrong"``; the message
    is those lines joined.

    Examples:
        >>> err = DecodeError(["opportunity.effort: expected a number, got 'abc'"])
        >>> err.problems
        ("opportunity.effort: expected a number, got 'abc'",)
    """

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("; ".join(self.problems) or "invalid document")


class ImportRowError(InvalidInputError):
    """A ticket export could not be imported; says where and why.

    ``path`` is the file, ``line`` the 1-based line (text formats) and
    ``record`` the 0-based index of the record in the export's array (JSON
    formats); ``field`` is the source column or field, when one is to blame.
    Any of them may be None when it does not apply.

    Examples:
        >>> err = ImportRowError("t.csv", "expected a date-time", line=3, field="opened")
        >>> print(err)
        t.csv, line 3, field 'opened': expected a date-time
        >>> err.line, err.field
        (3, 'opened')
    """

    def __init__(
        self,
        path: str,
        reason: str,
        *,
        line: int | None = None,
        record: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = path
        self.reason = reason
        self.line = line
        self.record = record
        self.field = field
        where = [path]
        if line is not None:
            where.append(f"line {line}")
        if record is not None:
            where.append(f"record {record}")
        if field is not None:
            where.append(f"field {field!r}")
        super().__init__(", ".join(where) + ": " + reason)


class InvalidTransition(ItilCiError, ValueError):
    """A lifecycle move that is never allowed from the current state.

    ``allowed`` lists the moves that are allowed from there.

    Examples:
        >>> err = InvalidTransition("status: cannot move from 'closed' to 'logged'", allowed=())
        >>> err.allowed
        ()
    """

    def __init__(self, message: str, *, allowed: Sequence[str] = ()) -> None:
        self.allowed: tuple[str, ...] = tuple(allowed)
        super().__init__(message)


class StepBlocked(ItilCiError):
    """A step cannot be left because artefacts it must produce are missing.

    ``step`` names the step and ``missing`` every missing artefact.

    Examples:
        >>> err = StepBlocked("current_state", ["baseline for KPI 'mttr'"])
        >>> str(err)
        "step 'current_state' is blocked; missing: baseline for KPI 'mttr'"
    """

    def __init__(self, step: str, missing: Iterable[str]) -> None:
        self.step = step
        self.missing: tuple[str, ...] = tuple(missing)
        super().__init__(f"step {step!r} is blocked; missing: " + "; ".join(self.missing))


class PermissionDenied(ItilCiError):
    """An actor lacks the role a move requires.

    Examples:
        >>> from itil_ci.domain import Actor, Initiative
        >>> from itil_ci.engines import start
        >>> engine = start(Initiative(title="Shorter queues"), "pdca")
        >>> engine.advance(actor=Actor("sam", roles=["stakeholder"]))
        Traceback (most recent call last):
        ...
        itil_ci.errors.PermissionDenied: actor 'sam' may not advance from step 'plan' ...
    """


class ConflictError(ItilCiError):
    """An update was made from a stale copy (optimistic concurrency).

    Examples:
        >>> err = ConflictError("initiative", "abc", expected=3, actual=4)
        >>> print(err)
        initiative 'abc' was changed by someone else: your copy is version 3, the stored
        one is version 4
    """

    def __init__(self, entity: str, id: str, *, expected: int, actual: int) -> None:
        self.entity = entity
        self.id = id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"{entity} {id!r} was changed by someone else: your copy is version "
            f"{expected}, the stored one is version {actual}"
        )


class NotFound(ItilCiError, KeyError):
    """Nothing is stored under the given key.

    Examples:
        >>> str(NotFound("opportunity 'x' not found"))
        "opportunity 'x' not found"
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "not found"


class StorageError(ItilCiError):
    """The storage backend failed (unreadable, corrupt, read-only or full).

    Examples:
        >>> from itil_ci.register import Register
        >>> reg = Register.in_memory()
        >>> reg.close()
        >>> reg.opportunities()
        Traceback (most recent call last):
        ...
        itil_ci.errors.StorageError: the register is closed; open it again to use it
    """


class UnreadableEntries(StorageError):
    """Some stored entries of a listing cannot be read back; every one is named.

    A listing of the register (opportunities, initiatives, KPIs, baselines)
    raises this when one or more of its stored documents is damaged (its
    checksum does not match) or no longer decodes, rather than leave them
    out silently.  ``problems`` names each one with its kind and id and says
    why; ``readable`` holds every other entry of the listing, decoded and in
    the listing's order, so nothing intact is hidden.

    Examples:
        >>> err = UnreadableEntries(["opportunity 'o2': its checksum does not match"], ["o1"])
        >>> print(err)
        1 stored entry cannot be read back: opportunity 'o2': its checksum does not match
        >>> err.readable
        ('o1',)
    """

    def __init__(self, problems: Iterable[str], readable: Iterable[object] = ()) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        self.readable: tuple[object, ...] = tuple(readable)
        n = len(self.problems)
        super().__init__(
            f"{n} stored {'entry' if n == 1 else 'entries'} cannot be read back: "
            + "; ".join(self.problems)
        )
