"""Numbers, dates and words as a report writes them for people (private).

One module shared by the HTML and Markdown renderers, so both print a value
the same way:

- a number keeps 4 significant digits in fixed point (never ``1.2e-05``),
  thousands are separated, and float noise smaller than :data:`NOISE` in
  size prints as 0 (a score of ``-6.661e-17`` is 0);
- a KPI measured as a share (unit ``share``, ``proportion``, ``fraction`` or
  ``ratio``) prints as a percentage, its changes in percentage points;
- a p-value below 0.001 prints as ``< 0.001``;
- something unknown prints as an em dash, never as ``None`` or ``nan``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np

from itil_ci.domain.kpi import KPI, Direction, Target

__all__ = [
    "DASH",
    "NOISE",
    "change_in",
    "clean",
    "date",
    "decimals",
    "fixed",
    "is_share",
    "kpi_change",
    "kpi_fixed",
    "kpi_value",
    "num",
    "p_is",
    "pct",
    "plural",
    "pvalue",
    "share_unit",
    "signed",
    "target",
    "unit_of",
    "value_in",
    "when",
]

#: What an unknown value prints as.
DASH = "—"

#: Values smaller than this in size are float noise and print as 0.
NOISE = 1e-9

_SHARE_UNITS = frozenset({"share", "proportion", "fraction", "ratio"})


def clean(x: float) -> float:
    """``x`` with float noise (smaller than :data:`NOISE` in size) and ``-0.0`` turned into 0.

    Examples:
        >>> clean(-6.661e-17), clean(0.25), clean(-0.0)
        (0.0, 0.25, 0.0)
    """
    return 0.0 if abs(x) < NOISE else float(x)


def _known(x: Any) -> float | None:
    if x is None:
        return None
    f = float(x)
    return f if math.isfinite(f) else None


def num(x: float | None, unit: str = "", *, digits: int = 4) -> str:
    """A number for people: ``digits`` significant digits in fixed point, thousands separated.

    Examples:
        >>> num(5.23456), num(123456.7), num(None), num(4.0, "h"), num(-6.661e-17)
        ('5.235', '123,457', '—', '4 h', '0')
        >>> num(0.0000123), num(float("nan")), num(20.66, digits=3)
        ('0.0000123', '—', '20.7')
    """
    f = _known(x)
    if f is None:
        return DASH
    f = clean(f)
    a = abs(f)
    if a == 0:
        s = "0"
    else:
        decimals = min(12, max(0, digits - 1 - math.floor(math.log10(a))))
        s = f"{f:.{decimals}f}"
        if abs(float(s)) >= 1000:
            s = f"{f:,.0f}"
        elif "." in s:
            s = s.rstrip("0").rstrip(".")
        if s in ("-0", ""):
            s = "0"
    return f"{s} {unit}" if unit else s


def decimals(scale: float | None, digits: int = 3) -> int:
    """How many decimals give ``digits`` significant digits at the size of ``scale``.

    Examples:
        >>> decimals(12.0), decimals(29.3), decimals(0.0463), decimals(1052.6), decimals(None)
        (1, 1, 4, 0, 0)
    """
    f = _known(scale)
    if f is None or clean(f) == 0:
        return 0
    return min(6, max(0, digits - 1 - math.floor(math.log10(abs(f)))))


def fixed(x: float | None, places: int, unit: str = "") -> str:
    """``x`` with exactly ``places`` decimals (a column of numbers lines up), thousands separated.

    Examples:
        >>> fixed(12.0, 1, "h"), fixed(7.7341, 1), fixed(1052.6, 0)
        ('12.0 h', '7.7', '1,053')
        >>> fixed(-1e-17, 2), fixed(-0.001, 1), fixed(None, 1)
        ('0.00', '0.0', '—')
    """
    f = _known(x)
    if f is None:
        return DASH
    text = f"{clean(f):,.{places}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    return f"{text} {unit}" if unit else text


def pct(x: float | None, decimals: int = 0) -> str:
    """A share as a percentage.

    Examples:
        >>> pct(0.8412), pct(None), pct(0.95864, 1), pct(-1e-18)
        ('84%', '—', '95.9%', '0%')
    """
    f = _known(x)
    if f is None:
        return DASH
    return f"{clean(f) * 100:.{decimals}f}%".replace("-0%", "0%")


def signed(x: float | None, unit: str = "", *, digits: int = 4) -> str:
    """A change with its sign (``+`` for an increase).

    Examples:
        >>> signed(-7.5421, "h"), signed(0.5), signed(0.0), signed(None)
        ('-7.542 h', '+0.5', '0', '—')
    """
    f = _known(x)
    if f is None:
        return DASH
    f = clean(f)
    text = num(f, unit, digits=digits)
    return "+" + text if f > 0 else text


def pvalue(p: float | None) -> str:
    """A p-value: ``< 0.001`` when it is that small, else three decimals at most.

    Examples:
        >>> pvalue(3.3e-31), pvalue(0.0123), pvalue(0.5), pvalue(None)
        ('< 0.001', '0.012', '0.5', '—')
    """
    f = _known(p)
    if f is None:
        return DASH
    if f < 0.001:
        return "< 0.001"
    return f"{f:.3f}".rstrip("0").rstrip(".")


def p_is(p: float | None) -> str:
    """A p-value in a sentence: ``p < 0.001`` or ``p = 0.012``.

    Examples:
        >>> p_is(3.3e-31), p_is(0.0123)
        ('p < 0.001', 'p = 0.012')
    """
    text = pvalue(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def plural(n: int, one: str, many: str) -> str:
    """``one`` for a count of 1, else ``many``.

    Examples:
        >>> plural(1, "initiative", "initiatives"), plural(2, "KPI", "KPIs")
        ('initiative', 'KPIs')
    """
    return one if n == 1 else many


def when(t: dt.datetime | dt.date | None) -> str:
    """A time in UTC to the minute, or a date.

    Examples:
        >>> when(dt.datetime(2025, 7, 2, 9, 30, tzinfo=dt.UTC)), when(None)
        ('2025-07-02 09:30 UTC', '—')
    """
    if t is None:
        return DASH
    if isinstance(t, dt.datetime):
        return t.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return t.isoformat()


def date(t: Any) -> str:
    """The UTC date of a ``datetime64``, a datetime or a date.

    Examples:
        >>> date(np.datetime64("2025-12-29T00:00", "ns")), date(None)
        ('2025-12-29', '—')
    """
    if t is None:
        return DASH
    if isinstance(t, np.datetime64):
        if np.isnat(t):
            return DASH
        return str(np.datetime_as_string(t, unit="D"))
    if isinstance(t, dt.datetime):
        return t.astimezone(dt.UTC).date().isoformat()
    if isinstance(t, dt.date):
        return t.isoformat()
    return str(t)


# --- KPI values -------------------------------------------------------------------


def share_unit(unit: str) -> bool:
    """Whether ``unit`` names a share of 1 (``share``, ``proportion``, ``fraction``, ``ratio``).

    Examples:
        >>> share_unit("Share"), share_unit("hours")
        (True, False)
    """
    return unit.strip().lower() in _SHARE_UNITS


def is_share(kpi: KPI) -> bool:
    """Whether the KPI is a share of 1 (printed as a percentage).

    Examples:
        >>> is_share(KPI("sla", unit="share")), is_share(KPI("mttr", unit="hours"))
        (True, False)
    """
    return share_unit(kpi.unit) or kpi.aggregation.method.value == "proportion"


def unit_of(kpi: KPI) -> str:
    """The unit the report prints the KPI's values in (``%`` for a share).

    Examples:
        >>> unit_of(KPI("sla", unit="share")), unit_of(KPI("mttr", unit="hours"))
        ('%', 'hours')
    """
    return "%" if is_share(kpi) else kpi.unit


def _share_value(x: float | None) -> str:
    return pct(x, 1)


def _share_change(x: float | None) -> str:
    f = _known(x)
    if f is None:
        return DASH
    text = f"{clean(f) * 100:+.1f} points"
    return "0.0 points" if text in ("+0.0 points", "-0.0 points") else text


def value_in(x: float | None, unit: str, *, show_unit: bool = True) -> str:
    """A value in ``unit``: a percentage for a share unit, else a number with the unit.

    Examples:
        >>> value_in(0.95864, "share"), value_in(13.116, "hours")
        ('95.9%', '13.12 hours')
        >>> value_in(2.0, "h", show_unit=False)
        '2'
    """
    if share_unit(unit):
        return _share_value(x)
    return num(x, unit if show_unit else "")


def change_in(x: float | None, unit: str, *, show_unit: bool = True) -> str:
    """A change in ``unit``: percentage points for a share unit, else signed.

    Examples:
        >>> change_in(0.0603, "share"), change_in(-7.54, "h"), change_in(-1e-17, "share")
        ('+6.0 points', '-7.54 h', '0.0 points')
    """
    if share_unit(unit):
        return _share_change(x)
    return signed(x, unit if show_unit else "")


def kpi_value(x: float | None, kpi: KPI, *, unit: bool = True, digits: int = 4) -> str:
    """A value of ``kpi``: a percentage for a share, else a number with the KPI's unit.

    Examples:
        >>> kpi_value(0.95864, KPI("sla", unit="share")), kpi_value(13.116, KPI("m", unit="hours"))
        ('95.9%', '13.12 hours')
        >>> mttr = KPI("m", unit="hours")
        >>> kpi_value(13.116, mttr, unit=False), kpi_value(13.116, mttr, digits=3)
        ('13.12', '13.1 hours')
    """
    if is_share(kpi):
        return _share_value(x)
    return num(x, kpi.unit if unit else "", digits=digits)


def kpi_fixed(x: float | None, kpi: KPI, places: int, *, unit: bool = True) -> str:
    """A value of ``kpi`` with ``places`` decimals (a share: a percentage with one decimal).

    Examples:
        >>> kpi_fixed(12.0, KPI("m", unit="hours"), 1), kpi_fixed(0.0463, KPI("r", unit="share"), 3)
        ('12.0 hours', '4.6%')
    """
    if is_share(kpi):
        return _share_value(x)
    return fixed(x, places, kpi.unit if unit else "")


def kpi_change(x: float | None, kpi: KPI, *, unit: bool = True) -> str:
    """A change of ``kpi``: percentage points for a share, else signed in the KPI's unit.

    Examples:
        >>> kpi_change(0.0603, KPI("sla", unit="share")), kpi_change(-7.54, KPI("m", unit="h"))
        ('+6.0 points', '-7.54 h')
    """
    if is_share(kpi):
        return _share_change(x)
    return signed(x, kpi.unit if unit else "")


def target(
    kpi: KPI,
    t: Target | None = None,
    *,
    due: bool = True,
    unit: bool = True,
    tolerance: bool = True,
) -> str:
    """The KPI's target as a goal: ``≤ 14.5 hours`` when lower is better, ``≥`` when higher.

    The tolerance follows as ``± w`` and the due date as ``by YYYY-MM-DD``;
    ``unit=False`` leaves the unit out (for a table with a unit column),
    ``tolerance=False`` the tolerance and ``due=False`` the due date.

    Examples:
        >>> from itil_ci.domain import Target
        >>> target(KPI("m", unit="h", direction="lower", target=Target(14.5, due="2025-12-31")))
        '≤ 14.5 h by 2025-12-31'
        >>> target(KPI("s", unit="share", direction="higher", target=Target(0.928, tolerance=0.01)))
        '≥ 92.8% ± 1.0 points'
        >>> mttr = KPI("m", unit="h", direction="lower", target=Target(4, tolerance=0.5))
        >>> target(mttr, unit=False)
        '≤ 4 ± 0.5'
        >>> target(KPI("x"))
        '—'
    """
    t = t if t is not None else kpi.target
    if t is None:
        return DASH
    sign = {Direction.LOWER_IS_BETTER: "≤ ", Direction.HIGHER_IS_BETTER: "≥ ", None: ""}[
        kpi.direction
    ]
    text = sign + kpi_value(t.value, kpi, unit=unit)
    w = t.tolerance_width if tolerance else 0.0
    if w:
        text += " ± " + (f"{clean(w) * 100:.1f} points" if is_share(kpi) else num(w))
    if due and t.due is not None:
        text += f" by {t.due.isoformat()}"
    return text
