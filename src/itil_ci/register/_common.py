"""What the stores share besides the protocol: argument checks, errors, nesting (private).

Every store runs the arguments of the generic primitives through the same
checks (so all of them accept and refuse the same values), raises the same
errors for a duplicate, missing or stale entry, and joins nested
transactions the same way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

from itil_ci._internal.validate import fail, shown, text
from itil_ci.errors import ConflictError, InvalidInputError, NotFound, StorageError
from itil_ci.register import store as _store
from itil_ci.register._schema import INDEXED
from itil_ci.register.store import NO_DIMS


def indexed(kind: object) -> tuple[str, tuple[str, ...]]:
    """The table and indexed columns of an entity kind (StorageError for another kind)."""
    if not isinstance(kind, str) or kind not in INDEXED:
        raise StorageError(f"unknown entity kind {shown(kind, 40)}")
    return INDEXED[kind]


def group_order(key: tuple[str, str | None, str]) -> tuple[str, bool, str, bool, str]:
    """Sort key of a (KPI key, source, dims) group: None source and no dims first."""
    k, source, dims = key
    return (k, source is not None, source or "", dims != NO_DIMS, dims)


def duplicate(kind: str, id: str) -> InvalidInputError:
    """The error for logging an id that is already stored."""
    return fail(
        f"{kind}.id", "an id not yet in the register (use update to change a stored entry)", id
    )


def missing(kind: str, id: str) -> NotFound:
    """The error for an id that is not stored."""
    return NotFound(f"{kind} {id!r} not found in the register")


def conflict(kind: str, id: str, expected: int, actual: int) -> ConflictError:
    """The error for an update from a stale copy."""
    return ConflictError(kind, id, expected=expected, actual=actual)


def _name(arg: str, value: object) -> str:
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value) > _store.MAX_NAME
        or "\x00" in value
    ):
        raise fail(
            arg,
            f"a non-empty name of at most {_store.MAX_NAME} characters without NUL characters",
            value,
        )
    return text(arg, value)


def _text_value(arg: str, value: object) -> str:
    if not isinstance(value, str) or "\x00" in value:
        raise fail(arg, "text without NUL characters", value)
    return text(arg, value)


def checked_document(kind: object, key: object, document: object = "") -> tuple[str, str, str]:
    """``(kind, key, document)`` of a named document, or InvalidInputError naming the bad one.

    Every store runs its arguments through this one check, so all of them
    accept and refuse the same values.

    Examples:
        >>> checked_document("sla", "p1", "{}")
        ('sla', 'p1', '{}')
        >>> checked_document("sla", "")
        Traceback (most recent call last):
        ...
        itil_ci.errors.InvalidInputError: key: expected a non-empty name of at most 500 ...
    """
    return _name("kind", kind), _name("key", key), _text_value("document", document)


def checked_table(
    name: object, chunks: object = (), meta: object = ""
) -> tuple[str, list[bytes], str]:
    """``(name, chunks as bytes, meta)`` of a named table, or InvalidInputError.

    ``chunks`` is a list or tuple of bytes-like objects (``bytes``,
    ``bytearray``, ``memoryview``, a C-contiguous numpy array), each at most
    :data:`~itil_ci.register.store.MAX_TABLE_CHUNK` bytes.

    Examples:
        >>> checked_table("tickets", [b"ab", bytearray(b"c")], "{}")
        ('tickets', [b'ab', b'c'], '{}')
        >>> checked_table("tickets", b"ab", "{}")
        Traceback (most recent call last):
        ...
        itil_ci.errors.InvalidInputError: chunks: expected a list or tuple of bytes ...
    """
    checked = _name("name", name)
    if not isinstance(chunks, list | tuple):
        raise fail("chunks", "a list or tuple of bytes (one item per chunk)", chunks)
    out: list[bytes] = []
    for i, chunk in enumerate(chunks):
        if isinstance(chunk, str):
            raise fail(f"chunks[{i}]", "bytes (not text)", chunk)
        try:
            view = memoryview(chunk)
        except TypeError:
            raise fail(f"chunks[{i}]", "bytes", chunk) from None
        if view.nbytes > _store.MAX_TABLE_CHUNK:
            raise InvalidInputError(
                f"chunks[{i}]: expected at most {_store.MAX_TABLE_CHUNK} bytes per chunk "
                f"(split the table into more chunks), got {view.nbytes}"
            )
        if not view.c_contiguous:
            raise fail(f"chunks[{i}]", "C-contiguous bytes", chunk)
        out.append(chunk if type(chunk) is bytes else view.tobytes())
    return checked, out, _text_value("meta", meta)


class Depth(threading.local):
    """How deep the calling thread's transaction is nested (0: none).

    Per thread (a :class:`threading.local`): the PostgreSQL store runs the
    threads' transactions side by side, each on its own connection.  For the
    memory and SQLite stores, whose lock lets one thread at a time into a
    transaction, that is the same as one depth for the store.
    """

    depth = 0


def nested(
    state: Depth,
    begin: Callable[[], None],
    commit: Callable[[], None],
    rollback: Callable[[], None],
) -> Iterator[None]:
    """The body of a store's ``transaction()``: the outermost one begins and ends it.

    A nested transaction joins the one already open: its writes commit or
    roll back with it.  ``begin``/``commit``/``rollback`` are the store's own
    (``BEGIN IMMEDIATE`` for SQLite, a server transaction, a snapshot of
    dicts); ``rollback`` runs on any exception, which is then raised again.

    Examples:
        >>> log = []
        >>> state = Depth()
        >>> def txn():
        ...     yield from nested(state, lambda: log.append("begin"),
        ...                       lambda: log.append("commit"), lambda: log.append("rollback"))
        >>> from contextlib import contextmanager
        >>> t = contextmanager(txn)
        >>> with t():
        ...     with t():
        ...         log.append("write")
        >>> log
        ['begin', 'write', 'commit']
    """
    if state.depth:
        state.depth += 1
        try:
            yield
        finally:
            state.depth -= 1
        return
    begin()
    state.depth = 1
    try:
        yield
        commit()
    except BaseException:
        rollback()
        raise
    finally:
        state.depth = 0
