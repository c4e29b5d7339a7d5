"""Run the Python code blocks of a docs page (used by the docs tests and the mkdocs hook).

Every ```` ```python ```` block of a page runs, in order, in one namespace, in
a working directory of the caller's choice: a page is a script a reader can
follow.  A block may be left out only with a reason, in an HTML comment on
the line just before it::

    <!-- docs-test: skip (needs a ServiceNow instance) -->

A skip comment without a reason is an error.
"""

from __future__ import annotations

import contextlib
import os
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Block", "blocks", "run_page", "script"]

_FENCE = re.compile(r"^(?P<indent>[ ]*)```(?P<lang>[A-Za-z0-9_+-]*)[^\n]*$")
_SKIP = re.compile(r"^\s*<!--\s*docs-test:\s*skip\b(?P<reason>.*?)-->\s*$")


@dataclass(frozen=True)
class Block:
    """One fenced Python block: the page, the line of its opening fence, its code."""

    page: str
    line: int
    code: str
    skip: str | None = None  # the reason, when the page leaves the block out


def blocks(path: str | os.PathLike[str]) -> list[Block]:
    """The ```` ```python ```` blocks of a Markdown page, in order."""
    p = Path(path)
    lines = p.read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, lang, start = m.group("indent"), m.group("lang"), i
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i])
            i += 1
        i += 1
        if lang != "python":
            continue
        skip = None
        prev = lines[start - 1] if start > 0 else ""
        s = _SKIP.match(prev)
        if s:
            skip = s.group("reason").strip(" -—:()")
            if not skip:
                raise ValueError(f"{p}:{start}: a docs-test skip comment needs a reason")
        code = textwrap.dedent(
            "\n".join(b[len(indent) :] if b.startswith(indent) else b for b in body)
        )
        out.append(Block(str(p), start + 1, code + "\n", skip))
    return out


def script(path: str | os.PathLike[str]) -> str:
    """The page's runnable blocks as one script, each headed by where it comes from."""
    parts = [f"# --- {b.page}:{b.line}\n{b.code}" for b in blocks(path) if b.skip is None]
    return "\n".join(parts)


@contextlib.contextmanager
def _cwd(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def run_page(path: str | os.PathLike[str], workdir: str | os.PathLike[str]) -> dict[str, Any]:
    """Run the page's blocks in order, in one namespace, inside ``workdir``."""
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    page = blocks(Path(path).resolve())
    with _cwd(Path(workdir)):
        for b in page:
            if b.skip is None:
                exec(compile("\n" * b.line + b.code, b.page, "exec"), namespace)
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        pass
    else:
        plt.close("all")
    return namespace
