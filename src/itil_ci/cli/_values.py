"""The values ``--set`` takes, one JSON shape at a time, each refused in the command line's terms.

:class:`Value` carries one ``--set NAME=VALUE`` on its way to the engine and
builds the error for it (:meth:`Value.bad`: ``--set NAME``, what was
expected, what was given, an example); the functions check the shapes the
artefacts are made of (texts, numbers, dates, objects with known fields).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from itil_ci._internal import validate as v
from itil_ci.cli._context import BadValue
from itil_ci.cli._parsing import day

if TYPE_CHECKING:
    from itil_ci.domain import Initiative
    from itil_ci.register import Register

__all__ = ["Value", "date", "fields", "mapping", "number", "text", "texts", "time", "whole"]


@attrs.frozen
class Value:
    """One ``--set`` value on its way to the engine."""

    name: str
    text: str
    data: Any  # the decoded JSON, or the text itself when it is not JSON
    json_error: str | None
    reg: Register
    initiative: Initiative
    example: str

    @property
    def option(self) -> str:
        return f"--set {self.name}"

    def bad(self, expected: str, got: object = attrs.NOTHING, where: str = "") -> BadValue:
        """The error for this value: what was expected, what was given, an example."""
        shown = v.shown(self.data if got is attrs.NOTHING else got)
        note = ""
        if self.json_error is not None and isinstance(self.data, str):
            note = f" (not valid JSON: {self.json_error})"
        return BadValue(
            f"{where}expected {expected}, got {shown}{note}",
            self.option,
            f"e.g. --set '{self.example}'",
        )

    def build(self, where: str, make: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``make(*args, **kwargs)``; a value the library refuses is a BadValue naming ``where``."""
        from itil_ci.errors import InvalidInputError

        try:
            return make(*args, **kwargs)
        except (InvalidInputError, OverflowError) as exc:
            raise BadValue(f"{where}{exc}", self.option, f"e.g. --set '{self.example}'") from None


def text(x: Value, data: object = attrs.NOTHING, where: str = "") -> str:
    item = x.data if data is attrs.NOTHING else data
    if not isinstance(item, str) or not item.strip():
        raise x.bad("a non-blank text", item, where)
    return item


def texts(x: Value, data: object = attrs.NOTHING, where: str = "") -> list[str]:
    item = x.data if data is attrs.NOTHING else data
    if isinstance(item, str):
        item = [item]
    if not isinstance(item, list) or not item:
        raise x.bad("a text or a non-empty list of texts", item, where)
    return [text(x, t, f"{where}[{i}]: ") for i, t in enumerate(item)]


def mapping(
    x: Value, data: object = attrs.NOTHING, where: str = "", what: str = ""
) -> dict[str, Any]:
    item = x.data if data is attrs.NOTHING else data
    if not isinstance(item, dict) or not item:
        raise x.bad(what or "a JSON object", item, where)
    return item


def fields(
    x: Value, item: object, where: str, required: Sequence[str], optional: Sequence[str]
) -> dict[str, Any]:
    """A JSON object with the ``required`` fields and perhaps some ``optional`` ones."""
    allowed = [*required, *optional]
    what = "an object with " + ", ".join(
        [*(f'"{f}"' for f in required), *(f'optional "{f}"' for f in optional)]
    )
    if isinstance(item, dict):
        unknown = sorted(set(item) - set(allowed))
        missing = [f for f in required if f not in item]
        if not unknown and not missing:
            return item
    raise x.bad(what, item, where)


def number(x: Value, item: object, where: str) -> float:
    try:
        number = float(item) if v.is_real(item) else None
    except OverflowError:  # a JSON integer too large for a float
        number = None
    if number is None or not abs(number) <= v.FLOAT_MAX:
        raise x.bad("a finite number", item, where)
    return number


def whole(x: Value, item: object, where: str = "") -> int:
    if not v.is_whole(item) or item < 0 or item > 2**63 - 1:
        raise x.bad("a whole number >= 0", item, where)
    return int(item)


def date(x: Value, item: object, where: str) -> dt.date:
    if not isinstance(item, str):
        raise x.bad("a date YYYY-MM-DD", item, where)
    try:
        return dt.date.fromisoformat(item)
    except ValueError:
        raise x.bad("a date YYYY-MM-DD", item, where) from None


def time(x: Value, item: object, where: str) -> dt.datetime | None:
    if item is None:
        return None
    if not isinstance(item, str):
        raise x.bad("a date YYYY-MM-DD or null", item, where)
    try:
        return day(item, x.option)
    except BadValue:
        raise x.bad("a date YYYY-MM-DD or null", item, where) from None
