"""The examples run: every script, and every code cell of every notebook in order."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize("script", sorted(EXAMPLES.glob("*.py")), ids=lambda p: p.name)
def test_example_script_runs(script: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(script), run_name="__main__")
    assert capsys.readouterr().out.strip()


@pytest.mark.parametrize("notebook", sorted(EXAMPLES.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_executes(notebook: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code
    namespace: dict[str, object] = {"__name__": "__main__"}
    displayed = []
    for cell in code:
        source = "".join(cell["source"])
        tree = compile(source, notebook.name, "exec", flags=0, dont_inherit=True)
        exec(tree, namespace)
        # like a notebook, show the value of a final bare expression
        last = source.strip().splitlines()[-1]
        if last and not last.startswith((" ", "#")) and "=" not in last.split("(")[0]:
            try:
                value = eval(last, namespace)
            except SyntaxError:
                continue
            displayed.append(value)
    html = [v._repr_html_() for v in displayed if hasattr(v, "_repr_html_")]
    assert html
    assert all("<table" in h for h in html)
