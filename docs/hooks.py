"""mkdocs hooks: diagrams drawn by the engines, figures drawn by the pages' own code.

- A line ``<!-- diagram: itil4 -->`` (or ``seven-step``, ``pdca``) becomes a
  Mermaid block with ``engine_class(model).mermaid()``, so the docs cannot
  drift from the engines.
- A page that shows figures (an image link to ``figures/<page>/<name>.png``)
  is run at build time, its Python blocks in order in a temporary directory
  (``docs/_runner.py``, the same runner the docs tests use); every PNG the code
  writes is published as ``figures/<page>/<name>.png``.  The pictures are
  therefore exactly what the code on the page produces, and a page whose code
  fails does not build.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

_MARK = re.compile(r"^<!-- diagram: ([a-z0-9-]+) -->$", re.M)
_FIGURE = re.compile(r"\]\((?:\.\./)*figures/([a-z0-9-]+)/[^)]+\.png\)")
_HERE = Path(__file__).resolve().parent


def _runner() -> Any:
    spec = importlib.util.spec_from_file_location("_docs_runner", _HERE / "_runner.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("_docs_runner", module)
    spec.loader.exec_module(module)
    return module


def _diagram(match: re.Match[str]) -> str:
    from itil_ci.engines import engine_class

    return "```mermaid\n" + engine_class(match.group(1)).mermaid() + "\n```"


def on_page_markdown(markdown: str, **_: Any) -> str:
    return _MARK.sub(_diagram, markdown)


def on_files(files: Any, config: Any, **_: Any) -> Any:
    from mkdocs.structure.files import File

    os.environ.setdefault("MPLBACKEND", "Agg")
    runner = None
    for page in list(files.documentation_pages()):
        text = Path(page.abs_src_path).read_text(encoding="utf-8")
        names = set(_FIGURE.findall(text))
        stem = Path(page.src_uri).stem
        if not names:
            continue
        if names != {stem}:
            raise ValueError(f"{page.src_uri}: figures must live under figures/{stem}/")
        runner = runner or _runner()
        with tempfile.TemporaryDirectory() as tmp:
            with contextlib.redirect_stdout(io.StringIO()):  # the pages print as they teach
                runner.run_page(page.abs_src_path, tmp)
            for png in sorted(Path(tmp).glob("*.png")):
                uri = f"figures/{stem}/{png.name}"
                files.append(File.generated(config, uri, content=png.read_bytes()))
    return files
