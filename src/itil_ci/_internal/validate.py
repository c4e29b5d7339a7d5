"""Input checks shared by the domain and the cores (private).

Each check raises :class:`~itil_ci.errors.InvalidInputError` with a message of
the form ``"<name>: expected <what is accepted>, got <value>"``.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import reprlib
import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeGuard, TypeVar, cast

import attrs
import numpy as np

from itil_ci.errors import InvalidInputError

E = TypeVar("E", bound=enum.Enum)


_SHORT = reprlib.Repr()
_SHORT.maxlevel = 4
_SHORT.maxdict = _SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxset = _SHORT.maxfrozenset = 8
_SHORT.maxstring = _SHORT.maxother = 80


def shown(value: object, limit: int = 80) -> str:
    """A short ``repr`` of ``value`` for an error message, at most ``limit`` characters.

    Large or deeply nested containers are abbreviated without building their
    whole ``repr`` (a list nested 100,000 deep has no ``repr`` at all: it
    raises RecursionError).
    """
    try:
        if isinstance(value, list | tuple | dict | set | frozenset) and len(value) > 8:
            text = _SHORT.repr(value)
        else:
            text = repr(value)
    except (RecursionError, MemoryError):
        text = _SHORT.repr(value)
    except Exception:  # a broken __repr__ must not hide the real error
        text = f"<{type(value).__name__} object>"
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def fail(name: str, expected: str, value: object) -> InvalidInputError:
    """Build the standard error for a bad argument."""
    return InvalidInputError(f"{name}: expected {expected}, got {shown(value)}")


def new_id() -> str:
    """A fresh random identifier (UUID4 as a string)."""
    return str(uuid.uuid4())


def utc_now() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


#: The largest finite float64 (about 1.8e308).
FLOAT_MAX = 1.7976931348623157e308


def is_real(value: object) -> TypeGuard[int | float | np.integer[Any] | np.floating[Any]]:
    """Whether ``value`` is a real number: a Python or numpy int or float, not a bool.

    ``numpy.timedelta64`` is a numpy integer type but a duration, not a number.
    """
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.timedelta64
    )


def is_whole(value: object) -> TypeGuard[int | np.integer[Any]]:
    """Whether ``value`` is a Python or numpy integer (not a bool, not a ``timedelta64``)."""
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.timedelta64)


def flag(name: str, value: object) -> bool:
    """``value`` when it is ``True`` or ``False`` (not 0, 1 or a numpy bool); else refused.

    Examples:
        >>> flag("append", True)
        True
        >>> flag("append", 1)
        Traceback (most recent call last):
        ...
        itil_ci.errors.InvalidInputError: append: expected True or False, got 1
    """
    if not isinstance(value, bool):
        raise fail(name, "True or False", value)
    return value


def choice(name: str, value: object, options: Iterable[str]) -> str:
    """Check that ``value`` is one of the strings ``options``; return it.

    Anything that is not a string (a list, an array, ...) is refused before it
    is compared, so no ``TypeError`` or ambiguous-truth ``ValueError`` escapes.
    """
    allowed = tuple(options)
    if not isinstance(value, str) or value not in allowed:
        raise fail(name, "one of " + ", ".join(map(repr, allowed)), value)
    return value


def real(value: object) -> object:
    """A numpy real scalar as the Python number it holds; anything else unchanged.

    ``np.int64(3)`` becomes ``3`` and ``np.float64(1.5)`` becomes ``1.5``, so a
    value that passed validation can also be stored and serialised; numpy
    booleans are not numbers and are left for the validator to refuse.
    """
    if isinstance(value, np.integer) and not isinstance(value, np.timedelta64):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def number(
    name: str,
    value: object,
    *,
    minimum: float | None = None,
    strict_min: bool = False,
    allow_none: bool = False,
) -> float | None:
    """Check that ``value`` is a finite real number (not a bool); return it as a float.

    Python ints and floats and numpy integer and floating scalars are
    accepted; booleans, strings, complex numbers, NaN, infinities and
    integers beyond the float64 range are refused.
    """
    if value is None and allow_none:
        return None
    if not is_real(value):
        raise fail(name, "a number", value)
    value = real(value)
    assert isinstance(value, int | float)
    if isinstance(value, int) and abs(value) > FLOAT_MAX:
        raise fail(name, "a number within the float64 range (±1.8e308)", value)
    if not math.isfinite(value):
        raise fail(name, "a finite number", value)
    if minimum is not None:
        if strict_min and not value > minimum:
            raise fail(name, f"a number > {minimum:g}", value)
        if not strict_min and not value >= minimum:
            raise fail(name, f"a number >= {minimum:g}", value)
    return float(value)


def whole(
    name: str, value: object, *, minimum: int | None = None, allow_none: bool = False
) -> int | None:
    """Check that ``value`` is a whole number (an int or numpy integer, not a bool); return it."""
    if value is None and allow_none:
        return None
    if not is_whole(value):
        raise fail(
            name, "a whole number" + (f" >= {minimum}" if minimum is not None else ""), value
        )
    n = int(cast(Any, value))
    if minimum is not None and n < minimum:
        raise fail(name, f"a whole number >= {minimum}", n)
    return n


def rng(name: str, seed: object) -> np.random.Generator:
    """A random generator from ``seed``: None (fresh entropy), a whole number >= 0, or a Generator.

    A numpy integer counts as a whole number; a bool does not.  A Generator is
    returned as it is (drawing from it advances the caller's stream).
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if is_whole(seed) and int(cast(Any, seed)) >= 0:
        return np.random.default_rng(int(cast(Any, seed)))
    raise fail(name, "None, a whole number >= 0 or a numpy.random.Generator", seed)


def text(name: str, value: object, *, allow_empty: bool = True) -> str:
    """Check that ``value`` is a string (non-blank unless ``allow_empty``)."""
    if not isinstance(value, str):
        raise fail(name, "a string", value)
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise fail(name, "text that encodes as UTF-8 (no lone surrogates)", value) from None
    if not allow_empty and not value.strip():
        raise fail(name, "a non-empty string", value)
    return value


#: The first and last instants an int64 count of nanoseconds since 1970 can hold
#: (int64's minimum is numpy's NaT), as aware datetimes rounded inwards to a microsecond.
TIME_MIN = dt.datetime(1677, 9, 21, 0, 12, 43, 145225, tzinfo=dt.UTC)
TIME_MAX = dt.datetime(2262, 4, 11, 23, 47, 16, 854775, tzinfo=dt.UTC)
#: What every time check says it accepts when a time is outside that range.
TIME_RANGE = (
    "a time between 1677-09-21T00:12:44Z and 2262-04-11T23:47:16Z "
    "(times are int64 nanoseconds since 1970)"
)


def _utc(value: dt.datetime) -> dt.datetime | None:
    """``value`` in UTC, or None when the conversion leaves the datetime range (years 1-9999)."""
    try:
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return None


def in_time_range(name: str, value: dt.datetime) -> dt.datetime:
    """Refuse an aware datetime outside the int64-nanosecond range (see ``TIME_RANGE``)."""
    utc = _utc(value)
    if utc is None or not TIME_MIN <= utc <= TIME_MAX:
        raise fail(name, TIME_RANGE, value.isoformat())
    return utc


def aware(name: str, value: object) -> dt.datetime:
    """Check that ``value`` is a timezone-aware datetime; return it in UTC.

    ISO-8601 strings with an offset (or ``Z``) are accepted too.  Times
    outside the int64-nanosecond range (``TIME_MIN`` to ``TIME_MAX``) are
    refused: every time of the library fits in ``datetime64[ns]``.
    """
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise fail(name, "an ISO-8601 date-time with a UTC offset", value) from None
    if not isinstance(value, dt.datetime):
        raise fail(name, "a timezone-aware datetime", value)
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise fail(name, "a timezone-aware datetime (naive datetimes are ambiguous)", value)
    return in_time_range(name, value)


def date(name: str, value: object) -> dt.date:
    """Check that ``value`` is a date (a datetime is not accepted)."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise fail(name, "an ISO-8601 date (YYYY-MM-DD)", value) from None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise fail(name, "a date", value)
    return value


def member(name: str, enum_cls: type[E], value: object) -> E:
    """Coerce ``value`` (a member or its string value) to ``enum_cls``."""
    if isinstance(value, enum_cls):
        return value
    if isinstance(value, str):  # every enum of the library has string values
        try:
            return enum_cls(value)
        except ValueError:
            pass
        key = value.strip().upper().replace("-", "_").replace(" ", "_")
        if key in enum_cls.__members__:
            return enum_cls.__members__[key]
    accepted = ", ".join(repr(m.value) for m in enum_cls)
    raise fail(name, f"one of {accepted}", value)


# --- attrs adapters -----------------------------------------------------------


def _field_name(inst: object, attribute: attrs.Attribute[Any]) -> str:
    return f"{type(inst).__name__}.{attribute.name}"


def v_text(*, allow_empty: bool = True) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """attrs validator: a string (non-blank unless ``allow_empty``)."""

    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        text(_field_name(inst, attribute), value, allow_empty=allow_empty)

    return check


def v_number(
    *, minimum: float | None = None, strict_min: bool = False, allow_none: bool = False
) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """attrs validator: a finite number, optionally bounded below."""

    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        number(
            _field_name(inst, attribute),
            value,
            minimum=minimum,
            strict_min=strict_min,
            allow_none=allow_none,
        )

    return check


def v_whole(
    *, minimum: int | None = None, allow_none: bool = False
) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """attrs validator: a whole number (int, not bool), optionally bounded below."""

    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        whole(_field_name(inst, attribute), value, minimum=minimum, allow_none=allow_none)

    return check


def c_real(value: Any) -> Any:
    """attrs converter: numpy real scalars to Python numbers (see :func:`real`)."""
    return real(value)


def c_real_dict(value: Any) -> Any:
    """attrs converter: a dict whose numpy real values become Python numbers (a new dict
    only when one needs it); anything else unchanged, for the validator."""
    if isinstance(value, dict) and any(
        isinstance(x, np.integer | np.floating) for x in value.values()
    ):
        return {k: real(x) for k, x in value.items()}
    return value


def v_aware(*, allow_none: bool = False) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """attrs validator: a timezone-aware datetime already in UTC."""

    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None and allow_none:
            return
        name = _field_name(inst, attribute)
        if not isinstance(value, dt.datetime) or value.utcoffset() is None:
            raise fail(name, "a timezone-aware datetime", value)
        if value.utcoffset() != dt.timedelta(0):
            in_time_range(name, value)  # a time the converter could not bring to UTC
            raise fail(name, "a timezone-aware datetime in UTC", value)
        in_time_range(name, value)

    return check


def v_date(*, allow_none: bool = False) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """attrs validator: a date (not a datetime)."""

    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None and allow_none:
            return
        date(_field_name(inst, attribute), value)

    return check


def v_str_list(
    *, allow_empty_items: bool = False
) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """attrs validator: a sequence of strings."""

    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        name = _field_name(inst, attribute)
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise fail(name, "a list of strings", value)
        for i, item in enumerate(value):
            text(f"{name}[{i}]", item, allow_empty=allow_empty_items)

    return check


def v_instances(
    cls: type[Any] | tuple[type[Any], ...],
) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """attrs validator: a list/tuple whose items are all instances of ``cls``."""

    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        name = _field_name(inst, attribute)
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise fail(name, "a list", value)
        names = cls.__name__ if isinstance(cls, type) else " or ".join(c.__name__ for c in cls)
        for i, item in enumerate(value):
            if not isinstance(item, cls):
                raise fail(f"{name}[{i}]", f"a {names}", item)

    return check


def c_aware(value: Any) -> Any:
    """attrs converter: normalise an aware datetime or ISO string to UTC.

    Anything else is passed through for the validator to reject with a clear
    message.
    """
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if (
        isinstance(value, dt.datetime)
        and value.tzinfo is not None
        and value.utcoffset() is not None
    ):
        utc = _utc(value)
        return value if utc is None else utc
    return value


def c_date(value: Any) -> Any:
    """attrs converter: parse an ISO date string; pass anything else through."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def c_enum(enum_cls: type[E]) -> Callable[[Any], Any]:
    """attrs converter: coerce strings to ``enum_cls``; leave bad values for the validator."""

    def convert(value: Any) -> Any:
        if isinstance(value, enum_cls):
            return value
        try:
            return member("value", enum_cls, value)
        except InvalidInputError:
            return value

    return convert


def v_enum(enum_cls: type[E]) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """attrs validator: a member of ``enum_cls``."""

    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        member(_field_name(inst, attribute), enum_cls, value)
        if not isinstance(value, enum_cls):  # pragma: no cover - converter ran
            raise fail(_field_name(inst, attribute), enum_cls.__name__, value)

    return check


def c_list(value: Any) -> Any:
    """attrs converter: tuples and other non-string iterables become lists."""
    if isinstance(value, tuple):
        return list(value)
    return value


def unique(name: str, items: Iterable[str]) -> None:
    """Reject duplicates in ``items``."""
    seen: set[str] = set()
    for item in items:
        if item in seen:
            raise fail(name, "unique values", item)
        seen.add(item)


def v_instance(
    cls: type[Any] | tuple[type[Any], ...], *, allow_none: bool = False
) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """attrs validator: an instance of ``cls`` (or None when allowed)."""

    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None and allow_none:
            return
        if not isinstance(value, cls):
            names = cls.__name__ if isinstance(cls, type) else " or ".join(c.__name__ for c in cls)
            raise fail(
                _field_name(inst, attribute),
                f"a {names}" + (" or None" if allow_none else ""),
                value,
            )

    return check


def v_str_dict(
    *, values: type[Any] | tuple[type[Any], ...] = str
) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """attrs validator: a dict with non-empty string keys and values of a type."""

    def check(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        name = _field_name(inst, attribute)
        if not isinstance(value, dict):
            raise fail(name, "a dict", value)
        for k, item in value.items():
            text(f"{name} key", k, allow_empty=False)
            if values is float:
                number(f"{name}[{k!r}]", item)
            elif not isinstance(item, values) or (isinstance(item, bool) and values is not bool):
                tname = values.__name__ if isinstance(values, type) else "value"
                raise fail(f"{name}[{k!r}]", f"a {tname}", item)

    return check


def to_member(enum_cls: type[E], value: Any) -> Any:
    """Converter body: ``value`` as a member of ``enum_cls`` when it names one, else unchanged."""
    return c_enum(enum_cls)(value)
