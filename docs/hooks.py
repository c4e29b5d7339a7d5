"""mkdocs hook: draw each model's diagram from its engine, so the docs cannot drift.

A line ``<!-- diagram: itil4 -->`` (or ``seven-step``, ``pdca``) becomes a
Mermaid block with ``engine_class(model).mermaid()``.
"""

from __future__ import annotations

import re
from typing import Any

_MARK = re.compile(r"^<!-- diagram: ([a-z0-9-]+) -->$", re.M)


def _diagram(match: re.Match[str]) -> str:
    from itil_ci.engines import engine_class

    return "```mermaid\n" + engine_class(match.group(1)).mermaid() + "\n```"


def on_page_markdown(markdown: str, **_: Any) -> str:
    return _MARK.sub(_diagram, markdown)
