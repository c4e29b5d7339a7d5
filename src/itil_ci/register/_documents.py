"""Documents in and out of a store: what is written reads back, what cannot is named (private).

Every write of the register goes through :func:`encode`: the object is
encoded by the codec and decoded again, exactly as a later read will, so an
entity changed after it was built (``opp.kpis.append(5)``, ``ini.model =
"seven-step"`` while its step belongs to ITIL 4, a baseline's ``filters``
given a number) is refused with :class:`~itil_ci.errors.InvalidInputError`
before anything is stored, instead of making every later listing fail.

Every read goes through :func:`decode` (one entry: a
:class:`~itil_ci.errors.StorageError` naming it) or :func:`decode_listing`
(many: every unreadable one is named in one
:class:`~itil_ci.errors.UnreadableEntries`, which carries the readable ones
too).  A listing does not skip a damaged entry silently: a register is a
system of record, and a review that quietly misses an item is worse than
one that stops and says which item is damaged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from itil_ci._internal.validate import shown
from itil_ci.errors import (
    DecodeError,
    InvalidInputError,
    ItilCiError,
    StorageError,
    UnreadableEntries,
)
from itil_ci.io.codec import from_json, to_json
from itil_ci.register.store import Damaged, Listed

T = TypeVar("T")

#: The largest entry version a store keeps (SQLite INTEGER is signed 64-bit; update adds 1).
MAX_VERSION = 2**63 - 2

# what goes wrong inside the standard json module and the codec on hostile input
_CODEC_ERRORS = (TypeError, ValueError, OverflowError, RecursionError, AttributeError, KeyError)


def encode(arg: str, what: str, obj: T, cls: type[T]) -> tuple[str, T]:
    """The codec document of ``obj`` and its decoded copy, or InvalidInputError naming ``arg``.

    The copy is what a read will return; the register indexes it, not
    ``obj``, so the indexed columns always agree with the stored document.

    Examples:
        >>> from itil_ci import Opportunity
        >>> opp = Opportunity("x", id="o1")
        >>> doc, back = encode("entry", "opportunity 'o1'", opp, Opportunity)
        >>> back == opp
        True
        >>> opp.kpis.append(5)
        >>> encode("entry", "opportunity 'o1'", opp, Opportunity)
        Traceback (most recent call last):
        ...
        itil_ci.errors.InvalidInputError: entry: opportunity 'o1' cannot be stored as it is: ...
    """
    try:
        document = to_json(obj)
    except ItilCiError as exc:
        raise InvalidInputError(f"{arg}: {what} cannot be stored as it is: {exc}") from None
    except _CODEC_ERRORS as exc:
        raise InvalidInputError(
            f"{arg}: {what} cannot be stored as it is: it cannot be encoded ({exc})"
        ) from None
    try:
        document.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInputError(
            f"{arg}: {what} cannot be stored as it is: a text holds a lone surrogate "
            "(expected text that encodes as UTF-8)"
        ) from None
    try:
        back = from_json(document, cls)
    except DecodeError as exc:
        raise InvalidInputError(
            f"{arg}: {what} cannot be stored as it is: {exc} (it was changed after it was "
            "built, and a read would refuse it)"
        ) from None
    return document, back


def load(text: object, cls: type[T], name: str) -> T:
    """Decode a document given by a caller (an import).

    The codec refuses what its parser cannot take (deep nesting, bytes that
    are not UTF-8, numbers JSON cannot hold) with a
    :class:`~itil_ci.errors.DecodeError`; only the type of ``text`` is
    checked here, naming ``name``.

    Examples:
        >>> from itil_ci import KPI
        >>> load("[" * 100_000, KPI, "text")
        Traceback (most recent call last):
        ...
        itil_ci.errors.DecodeError: document: nested more than 100 levels deep
        >>> load(5, KPI, "text")
        Traceback (most recent call last):
        ...
        itil_ci.errors.DecodeError: text: expected a JSON document (str or bytes), got 5
    """
    if not isinstance(text, str | bytes | bytearray):
        raise DecodeError(
            [f"{name}: expected a JSON document (str or bytes), got {shown(text, 80)}"]
        )
    return from_json(bytes(text) if isinstance(text, bytearray) else text, cls)


def _read(document: str | Damaged, cls: type[T]) -> T | str:
    """The decoded document, or why it cannot be read."""
    if isinstance(document, Damaged):
        return document.reason
    try:
        return from_json(document, cls)
    except DecodeError as exc:
        return f"it no longer decodes: {exc}"
    except _CODEC_ERRORS as exc:
        return f"it no longer decodes ({type(exc).__name__}: {exc})"


def decode(what: str, cls: type[T], document: str) -> T:
    """One stored document, decoded; a StorageError naming ``what`` when it cannot be.

    Examples:
        >>> from itil_ci import KPI
        >>> decode("KPI 'mttr'", KPI, '{"schema_version": 1, "key": 5}')
        Traceback (most recent call last):
        ...
        itil_ci.errors.StorageError: stored KPI 'mttr' cannot be read back: it no longer ...
    """
    found = _read(document, cls)
    if isinstance(found, str):
        raise StorageError(f"stored {what} cannot be read back: {found}")
    return found


def decode_listing(
    cls: type[T], rows: Sequence[Listed], name: Callable[[int, str], str]
) -> list[T]:
    """Every listed document decoded, or UnreadableEntries naming each one that is not.

    ``name(i, id)`` names row ``i`` (its kind and id) in the error.

    Examples:
        >>> from itil_ci import KPI
        >>> from itil_ci.io import to_json
        >>> rows = [("fcr", to_json(KPI("fcr"))), ("mttr", Damaged("its checksum does not match"))]
        >>> decode_listing(KPI, rows, lambda i, key: f"KPI {key!r}")
        Traceback (most recent call last):
        ...
        itil_ci.errors.UnreadableEntries: 1 stored entry cannot be read back: KPI 'mttr': its ...
    """
    out: list[T] = []
    problems: list[str] = []
    for i, (id, document) in enumerate(rows):
        found = _read(document, cls)
        if isinstance(found, str):
            problems.append(f"{name(i, id)}: {found}")
        else:
            out.append(found)
    if problems:
        raise UnreadableEntries(problems, out)
    return out


def check_version(arg: str, what: str, version: Any) -> None:
    """Refuse an entry version a store cannot hold (SQLite keeps signed 64-bit integers).

    Examples:
        >>> check_version("entry", "opportunity 'o1'", 2**70)
        Traceback (most recent call last):
        ...
        itil_ci.errors.InvalidInputError: entry: opportunity 'o1' has version ...
    """
    if isinstance(version, bool) or not isinstance(version, int) or not 0 <= version <= MAX_VERSION:
        raise InvalidInputError(
            f"{arg}: {what} has version {shown(version, 40)}; expected a whole number from 0 to "
            f"{MAX_VERSION} (the largest a store keeps)"
        )
