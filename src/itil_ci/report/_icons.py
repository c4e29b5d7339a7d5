"""Small inline SVG for the KPI summary: variation and assurance icons, sparklines (private).

Drawn here from plain shapes (no font, image or external asset), each with a
``<title>`` and an ``aria-label``: the words a screen reader reads and a
tooltip shows.  The colours follow *Making Data Count*: blue for
improvement, orange for concern, purple for a special cause with no
direction, grey for common cause and for a target that is hit and missed.
"""

from __future__ import annotations

import html

import numpy as np
import numpy.typing as npt

from itil_ci import plot
from itil_ci.report.summary import Assurance, KPISummary, Variation

__all__ = [
    "COLOURS",
    "assurance",
    "assurance_icon",
    "sparkline",
    "variation",
    "variation_icon",
]

# The charts' colours (plot), so that an icon and the points it speaks of agree.
BLUE = plot.BLUE
ORANGE = plot.RED
PURPLE = plot.PURPLE
GREY = "#6e6e6e"
GREEN = plot.GREEN

#: Colour of each variation and assurance.
COLOURS: dict[Variation | Assurance, str] = {
    Variation.IMPROVEMENT: BLUE,
    Variation.CONCERN: ORANGE,
    Variation.NEITHER: PURPLE,
    Variation.COMMON: GREY,
    Assurance.MET: BLUE,
    Assurance.MISSED: ORANGE,
    Assurance.HIT_AND_MISS: GREY,
}

_SIZE = 26


def _svg(label: str, body: str, width: int = _SIZE, height: int = _SIZE, cls: str = "") -> str:
    text = html.escape(label, quote=True)
    klass = f' class="{cls}"' if cls else ""
    return (
        f'<svg{klass} role="img" aria-label="{text}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{text}</title>{body}</svg>"
    )


def _ring(colour: str) -> str:
    return f'<circle cx="13" cy="13" r="11.5" fill="#fff" stroke="{colour}" stroke-width="2"/>'


def _dots(ys: list[float], colour: str, last: str) -> str:
    xs = (6.0, 9.5, 13.0, 16.5, 20.0)
    pts = " ".join(f"{x:g},{y:g}" for x, y in zip(xs, ys, strict=True))
    out = [f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.2"/>']
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        fill = last if i == len(xs) - 1 else colour
        out.append(f'<circle cx="{x:g}" cy="{y:g}" r="1.6" fill="{fill}"/>')
    return "".join(out)


def variation_icon(kind: Variation, high: bool | None, label: str) -> str:
    """The icon of a variation (``high``: the special cause is in higher values)."""
    colour = COLOURS[kind]
    if kind is Variation.COMMON:
        body = _ring(colour) + _dots([13, 11, 14, 12, 13], colour, colour)
    else:
        ys = [17.5, 17, 16.5, 14, 10.5] if high else [9, 9.5, 10, 12.5, 16]
        # The letter sits in the corner the dots leave free: top left when they rise.
        letter = _letter("H", 7.0, 10.5) if high else _letter("L", 8.0, 19.5)
        body = (
            _ring(colour)
            + _dots(ys, GREY, colour)
            + f'<path d="{letter}" fill="none" stroke="{colour}" stroke-width="1.6" '
            'stroke-linecap="round"/>'
        )
    return _svg(label, body, cls="icon")


def _letter(letter: str, x: float, y: float) -> str:
    """A tiny H or L drawn as strokes, its lower-left corner at (x, y), 5 high."""
    if letter == "H":
        return f"M{x} {y}v-5M{x + 3.5} {y}v-5M{x} {y - 2.5}h3.5"
    return f"M{x} {y - 5}v5h3.2"


def assurance_icon(kind: Assurance, label: str) -> str:
    """The icon of an assurance."""
    colour = COLOURS[kind]
    if kind is Assurance.MET:
        mark = (
            f'<path d="M7.5 13.5l4 4 7-9" fill="none" stroke="{colour}" '
            'stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round"/>'
        )
    elif kind is Assurance.MISSED:
        mark = (
            f'<path d="M8.5 8.5l9 9M17.5 8.5l-9 9" fill="none" stroke="{colour}" '
            'stroke-width="2.4" stroke-linecap="round"/>'
        )
    else:
        mark = (
            '<path d="M5 13h16" stroke="#333" stroke-width="1" stroke-dasharray="2 1.5"/>'
            f'<path d="M5.5 16q2.5-8 5 0t5 0 5-3" fill="none" stroke="{colour}" '
            'stroke-width="1.8" stroke-linecap="round"/>'
        )
    return _svg(label, _ring(colour) + mark, cls="icon")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def variation(s: KPISummary) -> str:
    """The variation icon of ``s`` (an empty string when there is none)."""
    if s.variation is None:
        return ""
    return variation_icon(s.variation, s.high, _sentence(s.variation_text))


def assurance(s: KPISummary) -> str:
    """The assurance icon of ``s`` (an empty string when there is none)."""
    if s.assurance is None:
        return ""
    return assurance_icon(s.assurance, _sentence(s.assurance_text))


def _downsample(x: npt.NDArray[np.float64], most: int) -> npt.NDArray[np.float64]:
    if x.size <= most:
        return x
    edges = np.linspace(0, x.size, most + 1).astype(np.int64)[:-1]
    counts = np.diff(np.append(edges, x.size))
    out: npt.NDArray[np.float64] = np.add.reduceat(x, edges) / counts
    return out


def sparkline(s: KPISummary, *, width: int = 100, height: int = 26) -> str:
    """A line of the summarised values, the target dashed, the latest point in its colour."""
    x = _downsample(s.values, width)
    if x.size < 2:
        return ""
    target = s.kpi.target.value if s.kpi.target is not None else None
    lo, hi = float(x.min()), float(x.max())
    if target is not None:
        lo, hi = min(lo, target), max(hi, target)
    span = hi - lo if hi > lo else 1.0
    pad = 3.0
    px = pad + np.arange(x.size) * (width - 2 * pad) / (x.size - 1)
    py = height - pad - (x - lo) / span * (height - 2 * pad)
    pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px.tolist(), py.tolist(), strict=True))
    body = []
    if target is not None:
        ty = height - pad - (target - lo) / span * (height - 2 * pad)
        body.append(
            f'<line x1="0" x2="{width}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="{GREEN}" '
            'stroke-width="1" stroke-dasharray="3 2"/>'
        )
    body.append(f'<polyline points="{pts}" fill="none" stroke="#44546a" stroke-width="1.2"/>')
    last = COLOURS.get(s.variation, GREY) if s.variation is not None else GREY
    body.append(f'<circle cx="{px[-1]:.1f}" cy="{py[-1]:.1f}" r="2.6" fill="{last}"/>')
    per = {"week": "weekly means", "day": "daily values"}.get(s.period, "values")
    label = f"Sparkline of {s.kpi.label}: {s.values.size} {per}"
    if target is not None:
        label += ", target dashed"
    return _svg(label, "".join(body), width, height, cls="spark")
