"""The README's quick start runs as written, and its commands stay what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _blocks(lang: str) -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(rf"^```{lang}\n(.*?)^```$", text, flags=re.S | re.M)


def test_readme_quick_start_runs_and_prints_what_it_says() -> None:
    import contextlib
    import io

    (code,) = _blocks("python")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    # the block's trailing "# ..." lines are the output it promises
    promised = []
    for line in reversed(code.rstrip().splitlines()):
        if not line.startswith("# "):
            break
        promised.insert(0, line[2:])
    assert promised
    assert out.getvalue().splitlines() == promised


def test_readme_opens_with_the_two_commands() -> None:
    first, second = _blocks("sh")[:2]
    assert "pip install" in first
    assert "pip install" in second
    assert "pytest" in second


def test_docs_quick_start_runs() -> None:
    text = (ROOT / "docs" / "quickstart.md").read_text()
    namespace: dict[str, object] = {}
    for code in re.findall(r"^```python\n(.*?)^```$", text, flags=re.S | re.M):
        exec(compile(code, "docs/quickstart.md", "exec"), namespace)
