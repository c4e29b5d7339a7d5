"""Shared checks of the bad-input tables: only ItilCiError subclasses, never a warning."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pytest

from itil_ci.errors import InvalidInputError, ItilCiError


def refuses(
    call: Callable[[], Any], error: type[ItilCiError] = InvalidInputError, fragment: str = ""
) -> ItilCiError:
    """Run ``call``: it must raise ``error`` (an ItilCiError) whose message holds ``fragment``,
    and let no other exception and no warning out."""
    found: ItilCiError | None = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            call()
        except ItilCiError as exc:
            found = exc
        except BaseException as exc:  # the point of the table: nothing else gets out
            pytest.fail(f"{type(exc).__name__} escaped: {exc}")
    if found is None:
        pytest.fail("bad input was accepted")
    assert isinstance(found, error), f"{type(found).__name__}, not {error.__name__}: {found}"
    assert fragment in str(found), f"{fragment!r} not in {str(found)!r}"
    assert not caught, [f"{w.category.__name__}: {w.message}" for w in caught]
    return found


def nested(depth: int) -> list[Any]:
    """A list nested ``depth`` deep (its repr alone raises RecursionError past ~1000)."""
    out: list[Any] = []
    for _ in range(depth):
        out = [out]
    return out


#: Values of the wrong kind for almost any argument: each must be refused with an
#: ItilCiError or accepted, never crash with another exception or warn.
WRONG: tuple[Any, ...] = (
    None,
    True,
    0,
    -1,
    1.5,
    float("nan"),
    float("inf"),
    10**400,
    1 + 2j,
    "abc",
    "1.5",
    "",
    "\ud800",
    "a\x00b",
    b"abc",
    2**70,
    [],
    [1],
    [[]],
    [None],
    ["a"],
    {},
    {"a": 1},
    object(),
    np.array([]),
    np.array([1, 2]),
    np.array([[1.0, 2.0]]),
    np.array(["x"]),
    np.array([1 + 1j]),
    np.int64(3),
    np.float64("nan"),
    np.bool_(True),
    np.timedelta64(1, "D"),
    np.datetime64("NaT"),
    dt.datetime(2026, 1, 1),
    dt.date(2026, 1, 1),
    nested(3000),
    {1, 2},
    slice(1),
)


def probes(
    fn: Callable[..., Any], args: Sequence[Any], kwargs: Mapping[str, Any]
) -> Iterator[tuple[str, Callable[[], Any]]]:
    """Every call of ``fn`` with one argument replaced by one of :data:`WRONG`."""
    for i in range(len(args)):
        for bad in WRONG:
            a = list(args)
            a[i] = bad
            yield f"arg{i}={type(bad).__name__}", lambda a=a: fn(*a, **kwargs)
    for key in kwargs:
        for bad in WRONG:
            kw = {**kwargs, key: bad}
            yield f"{key}={type(bad).__name__}", lambda kw=kw: fn(*args, **kw)


def survives(call: Callable[[], Any]) -> str | None:
    """None when ``call`` succeeds or raises an ItilCiError without a warning, else what leaked."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            call()
        except ItilCiError:
            pass
        except BaseException as exc:
            return f"{type(exc).__name__}: {exc}"[:200]
    if caught:
        return f"warning {caught[0].category.__name__}: {caught[0].message}"
    return None


def leaks(calls: Iterable[tuple[str, Callable[[], Any]]]) -> list[tuple[str, str]]:
    """``(label, what leaked)`` for every labelled call that :func:`survives`."""
    return [(label, leak) for label, call in calls if (leak := survives(call))]


def probe_count(
    calls: Iterable[tuple[Callable[..., Any], Sequence[Any], Mapping[str, Any]]],
) -> int:
    """How many probes :func:`probes` and :func:`extreme_probes` make for these base calls."""
    return sum(
        len(list(probes(fn, a, kw))) + len(list(extreme_probes(fn, a, kw))) for fn, a, kw in calls
    )


#: Finite numbers at the edges of float64: each must give a right answer or an
#: ItilCiError, never an overflow warning, inf or NaN taken for an answer.
EXTREME = (1.7e308, -1.7e308, 1e308, 2.0**1023, 5e-324, -5e-324, 1e-310, 0.0)


def extremes(value: Any) -> list[Any]:
    """Arrays shaped like ``value`` (when it is an array of numbers) filled with :data:`EXTREME`."""
    try:
        a = None if isinstance(value, str | dict) else np.asarray(value)
    except (TypeError, ValueError):
        return []
    if a is None or a.dtype.kind not in "if" or a.size == 0:
        return []
    rng = np.random.default_rng(0)
    out: list[Any] = [np.full(a.shape, v) for v in EXTREME]
    out += [rng.choice(EXTREME, size=a.shape) * rng.choice([1, -1], size=a.shape) for _ in range(6)]
    with np.errstate(over="ignore", under="ignore"):
        out += [a * 1e300, a * 1e-318]
    return out


def extreme_probes(
    fn: Callable[..., Any], args: Sequence[Any], kwargs: Mapping[str, Any]
) -> Iterator[tuple[str, Callable[[], Any]]]:
    """Every call of ``fn`` with one array of numbers replaced by one of :func:`extremes`."""
    for i, arg in enumerate(args):
        for j, ext in enumerate(extremes(arg)):
            a = list(args)
            a[i] = ext
            yield f"arg{i} extreme {j}", lambda a=a: fn(*a, **kwargs)
    for key, arg in kwargs.items():
        for j, ext in enumerate(extremes(arg)):
            kw = {**kwargs, key: ext}
            yield f"{key} extreme {j}", lambda kw=kw: fn(*args, **kw)


def escapes(targets: Mapping[str, Callable[[Any], object]]) -> list[str]:
    """Feed every :data:`WRONG` value to every target; what escaped other than an ItilCiError.

    Warnings are errors in the suite, so a warning counts as an escape too.
    """
    import reprlib

    short = reprlib.Repr()
    short.maxlevel, short.maxstring, short.maxother = 2, 30, 30
    out = []
    for name, call in targets.items():
        for value in WRONG:
            try:
                call(value)
            except ItilCiError:
                pass
            except Exception as exc:
                out.append(f"{name}({short.repr(value)}): {type(exc).__name__}: {exc}")
    return out
