"""Notebook display: a compact, safe HTML table for any attrs object (private).

Domain and result classes define ``_repr_html_`` as ``return display.html(self)``.
Every piece of text is escaped, numpy arrays and measured series are summarised
(never dumped), long strings and collections are cut short, and nesting is
limited, so displaying a large object stays small and fast.
"""

from __future__ import annotations

import datetime as dt
import enum
import html as _html
from typing import Any, cast

import attrs
import numpy as np

__all__ = ["html", "summary"]

_MAX_TEXT = 160
_MAX_ITEMS = 5
_MAX_DEPTH = 2

_STYLE = (
    "border-collapse:collapse;font-family:system-ui,sans-serif;font-size:0.9em;"
    "margin:0.2em 0;text-align:left"
)
_CELL = "padding:1px 8px;vertical-align:top;text-align:left"


def _cut(text: str, limit: int = _MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _num(x: float) -> str:
    if x != x:  # NaN
        return "nan"
    return f"{x:.6g}"


def _empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str | list | tuple | dict | set | frozenset):
        return len(value) == 0
    return False


def _is_series(obj: object) -> bool:
    times = getattr(obj, "times", None)
    values = getattr(obj, "values", None)
    return (
        isinstance(times, np.ndarray)
        and isinstance(values, np.ndarray)
        and times.dtype.kind == "M"
        and values.dtype.kind == "f"
    )


def _array(a: np.ndarray[Any, Any]) -> str:
    head = f"array of {a.size} {a.dtype}" if a.ndim == 1 else f"array {a.shape} {a.dtype}"
    if a.size == 0:
        return head
    if a.dtype.kind in "iuf":
        if a.size <= _MAX_ITEMS and a.ndim == 1:
            return "[" + ", ".join(_num(float(x)) for x in a) + "]"
        f = a.astype(np.float64)
        ok = f[np.isfinite(f)]
        if ok.size == 0:
            return head + " (no finite values)"
        return f"{head}: min {_num(float(ok.min()))}, mean {_num(float(ok.mean()))}, max " + _num(
            float(ok.max())
        )
    if a.ndim == 1 and a.size <= _MAX_ITEMS:
        return "[" + ", ".join(_cut(str(x), 40) for x in a) + "]"
    return head


def _series(obj: Any) -> str:
    times: np.ndarray[Any, Any] = obj.times
    values: np.ndarray[Any, Any] = obj.values
    n = int(values.size)
    if n == 0:
        return "n=0"
    ok = values[np.isfinite(values)]
    out = f"n={n}, {np.datetime_as_string(times[0], unit='s')}Z … "
    out += f"{np.datetime_as_string(times[-1], unit='s')}Z"
    if ok.size:
        out += f"; min {_num(float(ok.min()))}, mean {_num(float(ok.mean()))}, "
        out += f"max {_num(float(ok.max()))}"
    if ok.size < n:
        out += f"; {n - ok.size} missing"
    return out


def summary(value: object, depth: int = 0) -> str:
    """One line of plain text describing ``value`` (not escaped).

    Examples:
        >>> import numpy as np
        >>> summary(np.arange(1000.0))
        'array of 1000 float64: min 0, mean 499.5, max 999'
        >>> summary(["a", "b"])
        "['a', 'b']"
    """
    if value is None:
        return "None"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool | int | str):
        return _cut(repr(value) if isinstance(value, str) and depth else str(value))
    if isinstance(value, float | np.floating):
        return _num(float(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if _is_series(value):
        return f"{type(value).__name__}({_series(value)})"
    if isinstance(value, np.ndarray):
        return _array(value)
    if attrs.has(type(value)):
        if depth >= _MAX_DEPTH:
            return f"{type(value).__name__}(…)"
        parts = [
            f"{f.name}={summary(getattr(value, f.name), depth + 1)}"
            for f in attrs.fields(cast(Any, type(value)))
            if f.repr
        ]
        return _cut(f"{type(value).__name__}(" + ", ".join(parts) + ")")
    if isinstance(value, dict):
        items = list(value.items())
        shown = ", ".join(
            f"{summary(k, depth + 1)}: {summary(x, depth + 1)}" for k, x in items[:_MAX_ITEMS]
        )
        more = f", … ({len(items)} in all)" if len(items) > _MAX_ITEMS else ""
        return _cut("{" + shown + more + "}")
    if isinstance(value, list | tuple | set | frozenset):
        items2 = list(value)
        if isinstance(value, set | frozenset):
            items2 = sorted(items2, key=lambda x: summary(x, depth + 1))
        shown = ", ".join(summary(x, depth + 1) for x in items2[:_MAX_ITEMS])
        more = f", … ({len(items2)} in all)" if len(items2) > _MAX_ITEMS else ""
        return _cut("[" + shown + more + "]")
    return _cut(repr(value))


def html(obj: object) -> str:
    """A compact HTML table of ``obj``'s fields, every text escaped.

    attrs objects show one row per field (empty fields are counted, not
    shown); a measured series shows its length,
    first and last time and min/mean/max; anything else shows a one-line
    summary.

    Examples:
        >>> import attrs
        >>> @attrs.frozen
        ... class Note:
        ...     title: str
        ...     n: int = 0
        >>> out = html(Note("<b>x</b>", 3))
        >>> "&lt;b&gt;x&lt;/b&gt;" in out and "<b>x</b>" not in out
        True
    """
    name = _html.escape(type(obj).__name__)
    if _is_series(obj) or not attrs.has(type(obj)):
        body = f'<tr><td style="{_CELL}">{_html.escape(summary(obj))}</td></tr>'
    else:
        rows = []
        hidden = 0
        for f in attrs.fields(cast(Any, type(obj))):
            if not f.repr:
                continue
            val = getattr(obj, f.name)
            if _empty(val):
                hidden += 1
                continue
            text = _cut(val) if isinstance(val, str) else summary(val, 1)
            rows.append(
                f'<tr><th style="{_CELL}">{_html.escape(f.name)}</th>'
                f'<td style="{_CELL}">{_html.escape(text)}</td></tr>'
            )
        if hidden:
            rows.append(
                f'<tr><td colspan="2" style="{_CELL};color:#667">'
                f"{hidden} empty field{'s' if hidden > 1 else ''} not shown</td></tr>"
            )
        body = "".join(rows)
    return (
        f'<table class="itil-ci" style="{_STYLE}">'
        f'<caption style="text-align:left;font-weight:bold">{name}</caption>{body}</table>'
    )
