"""Dimensions of observations: validation, canonical keys, grouping and matching (private).

A *dimension* labels observations with a name (an identifier such as
``service``) and a non-empty string value.  The observations of one
:meth:`~itil_ci.register.Register.record` call are split by their
combination of dimensions; each combination is stored as its canonical key,
the JSON of the combination with sorted names and no spaces (``'{}'`` for
none), so equal combinations always give equal keys.
"""

from __future__ import annotations

import functools
import json
import math
import re
import types
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from itil_ci._internal.strings import factorise
from itil_ci._internal.validate import fail, text
from itil_ci.errors import InvalidInputError
from itil_ci.register.store import NO_DIMS

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}\Z")
_NAMES = "a dimension name (a letter or '_', then letters, digits or '_'; at most 64; not 'source')"

Rows = npt.NDArray[np.intp]


def check_name(arg: str, name: object) -> str:
    """``name`` if it is a valid dimension name, else InvalidInputError naming ``arg``.

    Examples:
        >>> check_name("dims", "service")
        'service'
        >>> check_name("dims", "source")
        Traceback (most recent call last):
        ...
        itil_ci.errors.InvalidInputError: dims: expected a dimension name ...
    """
    if not isinstance(name, str) or not _NAME.match(name) or name == "source":
        raise fail(arg, _NAMES, name)
    return name


def canonical(combination: Mapping[str, str]) -> str:
    """The canonical key of a combination of dimensions.

    Examples:
        >>> canonical({"team": "b", "service": "email"})
        '{"service":"email","team":"b"}'
        >>> canonical({})
        '{}'
    """
    if not combination:
        return NO_DIMS
    return json.dumps(dict(combination), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def parse(key: str) -> dict[str, str]:
    """The combination of a canonical key (validated: names and non-empty string values).

    Raises InvalidInputError when ``key`` is not the canonical key of a
    combination (e.g. read from a damaged or hand-edited file).

    Examples:
        >>> parse('{"service":"email"}')
        {'service': 'email'}
        >>> parse('{"service": "email"}')
        Traceback (most recent call last):
        ...
        itil_ci.errors.InvalidInputError: dims: expected the canonical JSON ...
    """
    try:
        value = json.loads(key)
    except (TypeError, ValueError):
        value = None
    if (
        not isinstance(value, dict)
        or not all(isinstance(v, str) and v for v in value.values())
        or canonical(value) != key
    ):
        raise fail(
            "dims",
            "the canonical JSON of a dimensions mapping (sorted names, no spaces, "
            "non-empty string values)",
            key,
        )
    for name in value:
        check_name("dims", name)
    return value


def check_combination(arg: str, combination: object) -> dict[str, str]:
    """A validated copy of a mapping of dimension names to one non-empty string each.

    Examples:
        >>> check_combination("dims", {"service": "email"})
        {'service': 'email'}
    """
    if not isinstance(combination, Mapping):
        raise fail(arg, "a mapping of dimension names to strings", combination)
    out: dict[str, str] = {}
    for name, value in combination.items():
        check_name(arg, name)
        if not isinstance(value, str) or not value:
            raise fail(f"{arg}[{name!r}]", "a non-empty string", value)
        out[name] = text(f"{arg}[{name!r}]", value)
    return out


def _kind(item: object) -> int:
    """0 for a missing value (None, or NaN / ``pd.NA`` from pandas), 1 for a string, 2 else."""
    if isinstance(item, str):
        return 1
    if item is None or (isinstance(item, float) and math.isnan(item)):
        return 0
    return 0 if type(item).__name__ == "NAType" else 2


def _column(arg: str, value: object, n: int) -> tuple[npt.NDArray[np.str_], bool]:
    """One dimension's values as a ``str`` array of length ``n``; ``''`` marks None.

    The flag says whether any observation lacks the dimension (None).
    """
    # a list goes through the object path, so 3 is refused rather than read as "3"
    arr = value if isinstance(value, np.ndarray) else np.asarray(value, dtype=object)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise InvalidInputError(
            f"{arg}: expected one string or {n} strings (one per observation), "
            f"got {'a scalar' if arr.ndim == 0 else f'shape {arr.shape}'}"
        )
    if arr.dtype.kind == "U":
        strings = arr
        absent = False
    elif arr.dtype.kind == "O":
        with np.errstate(invalid="ignore"):  # a NaN among the items is not an error here
            kinds = np.asarray(np.frompyfunc(_kind, 1, 1)(arr)).astype(np.int8)
        none, bad = kinds == 0, kinds == 2
        if bad.any():
            i = int(np.argmax(bad))
            raise fail(f"{arg}[{i}]", "a string (or None: no such dimension)", arr[i])
        absent = bool(none.any())
        strings = np.where(none, "", arr).astype(str) if absent else arr.astype(str)
    elif n == 0:
        return np.empty(0, dtype=str), False
    else:
        raise fail(arg, "strings (one per observation)", f"an array of {arr.dtype}")
    empty = strings == ""
    if absent:
        empty &= ~none
    if empty.any():
        i = int(np.argmax(empty))
        raise fail(f"{arg}[{i}]", "a non-empty string (or None: no such dimension)", "")
    return strings, absent


def split(dims: object, n: int) -> list[tuple[str, Rows | None]]:
    """Group ``n`` observations by their combination of ``dims``.

    Returns (canonical key, rows) per combination in key order; rows is
    None when every observation has that combination, else the ascending
    row numbers (so a time-sorted batch stays time-sorted in each group).

    Examples:
        >>> [(k, None if r is None else r.tolist())
        ...  for k, r in split({"service": ["a", "b", "a"], "team": "x"}, 3)]
        [('{"service":"a","team":"x"}', [0, 2]), ('{"service":"b","team":"x"}', [1])]
    """
    if dims is None:
        return [(NO_DIMS, None)]
    if not isinstance(dims, Mapping):
        raise fail("dims", "None or a mapping of dimension names to strings or arrays", dims)
    fixed: dict[str, str] = {}
    columns: list[tuple[str, npt.NDArray[np.str_], npt.NDArray[np.int64]]] = []
    for name, value in dims.items():
        check_name("dims", name)
        arg = f"dims[{name!r}]"
        if isinstance(value, str):
            if not value:
                raise fail(arg, "a non-empty string or one string per observation", value)
            fixed[name] = text(arg, value)
            continue
        values, _ = _column(arg, value, n)
        inverse, uniq = factorise(values)
        for item in uniq.tolist():  # one check per distinct value, not per observation
            text(arg, item)
        if uniq.size == 1 and uniq[0] != "":
            fixed[name] = str(uniq[0])  # one value throughout: no grouping needed
        elif uniq.size == 1:
            continue  # no observation has it
        else:
            columns.append((name, uniq, inverse))
    if not columns:
        return [(canonical(fixed), None)]
    codes = np.zeros(n, dtype=np.int64)
    uniques: list[npt.NDArray[np.str_]] = []
    radix = 1
    for _, uniq, inverse in columns:
        uniques.append(uniq)
        if radix * uniq.size >= 2**62:  # too many combinations for one integer: renumber
            _, codes = np.unique(codes, return_inverse=True)
            codes = codes.astype(np.int64)
            radix = int(codes.max()) + 1
        codes = codes * uniq.size + inverse.reshape(-1)
        radix *= uniq.size
    _, first, group = np.unique(codes, return_index=True, return_inverse=True)
    group = group.reshape(-1)
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(first.size + 1))
    out: list[tuple[str, Rows | None]] = []
    for g, row in enumerate(first.tolist()):  # one step per combination, not per row
        combination = dict(fixed)
        for name, uniq, inverse in columns:
            value = str(uniq[inverse[row]])
            if value:
                combination[name] = value
        out.append((canonical(combination), order[bounds[g] : bounds[g + 1]]))
    out.sort(key=lambda kr: kr[0])
    return out


def filters(value: object) -> tuple[tuple[str | None, ...] | None, dict[str, tuple[str, ...]]]:
    """Validate ``series`` filters: (wanted sources or None, wanted values per dimension).

    Examples:
        >>> filters({"source": [None, "jira"], "service": "email"})
        ((None, 'jira'), {'service': ('email',)})
    """
    if value is None:
        return None, {}
    if not isinstance(value, Mapping):
        raise fail("filters", "a mapping such as {'source': 'snow', 'service': 'email'}", value)
    sources: tuple[str | None, ...] | None = None
    wanted: dict[str, tuple[str, ...]] = {}
    for name, want in value.items():
        if name != "source":
            check_name("filters", name)
        items: list[Any] = (
            list(want) if isinstance(want, list | tuple | set | frozenset) else [want]
        )
        arg = f"filters[{name!r}]"
        for item in items:
            if item is None and name == "source":
                continue
            if isinstance(item, str):
                text(arg, item)
            else:
                accepted = (
                    "a source name, None or a list of them"
                    if name == "source"
                    else ("a string or a list of strings")
                )
                raise fail(arg, accepted, want)
        if name == "source":
            sources = tuple(items)
        else:
            wanted[name] = tuple(items)
    return sources, wanted


def matching(keys: Sequence[str], wanted: Mapping[str, tuple[str, ...]]) -> list[str]:
    """The canonical keys among ``keys`` whose combination matches every wanted dimension.

    A combination without a wanted dimension does not match.

    Examples:
        >>> matching(['{}', '{"service":"a"}', '{"service":"b"}'], {"service": ("a", "c")})
        ['{"service":"a"}']
    """
    out = []
    for key in keys:
        combination = _parsed(key)
        if all(combination.get(name) in allowed for name, allowed in wanted.items()):
            out.append(key)
    return out


@functools.lru_cache(maxsize=4096)
def _parsed(key: str) -> Mapping[str, str]:
    """:func:`parse` of a stored key, cached: a filtered read matches the same keys each time."""
    return types.MappingProxyType(parse(key))
