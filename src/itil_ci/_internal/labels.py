"""Labels beside the points of a scatter chart that overlap nothing (private; for plot)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["place_labels"]


# Where a label may go around its point, in points from it: right, then left, above
# before below, nearest first.
_LABEL_OFFSETS = ((4, 3), (4, -11), (-4, 3), (-4, -11), (4, 13), (-4, 13), (4, -21), (-4, -21))


def place_labels(
    ax: Axes,
    xs: npt.NDArray[np.float64],
    ys: npt.NDArray[np.float64],
    labels: Sequence[str],
    *,
    fontsize: float = 7.5,
) -> None:
    """Label points so that labels overlap neither each other, the points nor the corners.

    Points at the same place share one label (their labels joined by ", ").
    Each label takes the first place around its point (see ``_LABEL_OFFSETS``)
    whose box, estimated in axes fractions from the text's length, is free;
    when none is, the least crowded one.  Loops over labels (a backlog's
    options, not observations).
    """
    groups: dict[tuple[float, float], list[str]] = {}
    for x, y, lab in zip(xs.tolist(), ys.tolist(), labels, strict=True):
        groups.setdefault((x, y), []).append(lab)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    box = ax.get_window_extent()
    dpi_scale = ax.figure.dpi / 72.0
    width_pt, height_pt = box.width / dpi_scale, box.height / dpi_scale
    # Obstacles as (left, bottom, right, top) in axes fractions: points and corner texts.
    taken: list[tuple[float, float, float, float]] = [
        (0.0, 0.9, 0.25, 1.0),
        (0.75, 0.9, 1.0, 1.0),
        (0.0, 0.0, 0.25, 0.1),
        (0.75, 0.0, 1.0, 0.1),
    ]
    mark_w, mark_h = 4 / width_pt, 4 / height_pt
    centres = [((x - x0) / (x1 - x0), (y - y0) / (y1 - y0)) for x, y in groups]
    taken += [(cx - mark_w, cy - mark_h, cx + mark_w, cy + mark_h) for cx, cy in centres]

    def overlap(a: tuple[float, float, float, float]) -> float:
        return sum(
            max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
            * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
            for b in taken
        )

    for (x, y), (cx, cy) in zip(groups, centres, strict=True):
        text = ", ".join(groups[(x, y)])
        w = (0.55 * fontsize * len(text) + 2) / width_pt
        h = (fontsize + 2) / height_pt
        options = []
        for dx, dy in _LABEL_OFFSETS:
            left = cx + dx / width_pt - (w if dx < 0 else 0.0)
            bottom = cy + dy / height_pt
            rect = (left, bottom, left + w, bottom + h)
            outside = left < 0 or bottom < 0 or left + w > 1 or bottom + h > 1
            options.append((overlap(rect) + (1.0 if outside else 0.0), dx, dy, rect))
            if options[-1][0] == 0:
                break
        _, dx, dy, rect = min(options, key=lambda o: o[0])
        taken.append(rect)
        ax.annotate(
            text,
            (x, y),
            fontsize=fontsize,
            xytext=(dx, dy),
            textcoords="offset points",
            ha="right" if dx < 0 else "left",
            va="bottom",
            parse_math=False,
        )
