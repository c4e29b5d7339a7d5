"""Option values shared by several commands: NAME=VALUE pairs, days, criteria, entry ids."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from itil_ci.cli._context import BadValue, UserError

if TYPE_CHECKING:
    from itil_ci.domain import Initiative, Opportunity
    from itil_ci.prioritisation import Criterion
    from itil_ci.register import Register


def pairs(items: Sequence[str], option: str, example: str) -> dict[str, str]:
    """``NAME=VALUE`` items as a dict (the last of a repeated name wins)."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise BadValue(f"expected NAME=VALUE, got {item!r}", option, f"e.g. {example}")
        out[key.strip()] = value.strip()
    return out


def day(text: str | None, option: str) -> dt.datetime | None:
    """``YYYY-MM-DD`` (or an ISO time with an offset) as an aware UTC datetime."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise BadValue(f"expected a date YYYY-MM-DD, got {text!r}", option)
    try:
        d = dt.date.fromisoformat(text)
    except ValueError:
        pass
    else:
        return dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC)
    try:
        t = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BadValue(f"expected a date YYYY-MM-DD, got {text!r}", option) from None
    if t.tzinfo is None:
        raise BadValue(f"expected a date, or a time with its UTC offset, got {text!r}", option)
    return t.astimezone(dt.UTC)


def window(
    start: str | None, end: str | None, names: tuple[str, str] = ("--start", "--end")
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """A ``[start, end)`` window of days; the end must be after the start."""
    lo, hi = day(start, names[0]), day(end, names[1])
    if lo is not None and hi is not None and not hi > lo:
        raise BadValue(f"the end {end} is not after the start {start}", names[1])
    return lo, hi


CRITERION_EXAMPLE = "--criterion benefit:2 --criterion effort:1:cost"


def criterion(item: str, option: str) -> Criterion:
    """``NAME:WEIGHT[:cost]`` (``:benefit`` is the default) as a Criterion."""
    from itil_ci.errors import InvalidInputError
    from itil_ci.prioritisation import Criterion

    parts = item.split(":")
    if len(parts) not in (2, 3) or not parts[0].strip():
        raise BadValue(
            f"expected NAME:WEIGHT[:cost], got {item!r}", option, f"e.g. {CRITERION_EXAMPLE}"
        )
    try:
        weight = float(parts[1])
    except ValueError:
        raise BadValue(f"{parts[0]}: the weight {parts[1]!r} is not a number", option) from None
    try:
        return Criterion(parts[0].strip(), weight, parts[2] if len(parts) == 3 else "benefit")
    except InvalidInputError as exc:
        raise BadValue(f"{item!r}: {exc}", option, f"e.g. {CRITERION_EXAMPLE}") from None


def criteria(items: Sequence[str], option: str = "--criterion") -> list[Criterion]:
    """Several ``NAME:WEIGHT[:cost]`` items, names unique."""
    out = [criterion(i, option) for i in items]
    names = [c.name for c in out]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise BadValue(f"each criterion once, got {', '.join(twice)} more than once", option)
    return out


def short(id: str) -> str:
    """The first 8 characters of an id, what a list shows (any unique prefix is accepted)."""
    return id[:8]


def find(reg: Register, kind: Literal["opportunity", "initiative"], text: str) -> Any:
    """The opportunity or initiative whose id is ``text`` or starts with it (unique)."""
    from itil_ci.errors import NotFound

    get = reg.opportunity if kind == "opportunity" else reg.initiative
    if not text:
        raise BadValue(f"expected an {kind} id (or the start of one), got ''", kind.upper())
    try:
        return get(text)
    except NotFound:
        pass
    entries: list[Opportunity] | list[Initiative] = (
        reg.opportunities() if kind == "opportunity" else reg.initiatives()
    )
    found = [e for e in entries if e.id.startswith(text)]
    listing = "itil-ci opportunity list" if kind == "opportunity" else "itil-ci initiative status"
    if not found:
        raise UserError(f"no {kind} has an id starting with {text!r}", f"'{listing}' shows the ids")
    if len(found) > 1:
        shown = ", ".join(f"{e.id} ({e.title})" for e in found[:10])
        more = f" and {len(found) - 10} more" if len(found) > 10 else ""
        raise UserError(
            f"{len(found)} {kind} ids start with {text!r}: {shown}{more}",
            "give more of the id to pick one",
        )
    return found[0]
