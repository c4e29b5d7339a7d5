"""The pyarrow fast path of the CSV importers (private)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci.io import _build


@attrs.frozen(eq=False)
class Fast:
    """Columns read by pyarrow: raw values to convert, and times already typed."""

    raw: dict[str, Any]
    times: dict[str, npt.NDArray[np.datetime64]]
    rows: int
    where: npt.NDArray[np.int64]


def read(
    path: str,
    *,
    header: Sequence[str],
    columns: Mapping[str, str],
    times: _build.TimeParser,
    na_values: Sequence[str],
    delimiter: str,
    encoding: str,
    required: bool,
) -> Fast | None:
    """The wanted columns via pyarrow, or None when the streaming parser must run."""
    return None
