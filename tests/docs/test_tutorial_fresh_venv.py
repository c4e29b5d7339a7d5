"""A newcomer can follow the tutorial: a fresh venv, ``pip install .[plot,calendars]``.

The tutorial's code blocks run as one script with that environment's Python
in an empty directory.  pip's cache is reused, so after the first run this
needs no download beyond what changed.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _script() -> str:
    spec = importlib.util.spec_from_file_location("_docs_runner", ROOT / "docs" / "_runner.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("_docs_runner", module)
    spec.loader.exec_module(module)
    text: str = module.script(ROOT / "docs" / "tutorial.md")
    return text


@pytest.mark.slow
def test_tutorial_in_a_fresh_virtual_environment(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True, clear=True)
    python = env_dir / ("Scripts" if os.name == "nt" else "bin") / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", f"{ROOT}[plot,calendars]"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr[-3000:]

    work = tmp_path / "work"
    work.mkdir()
    for data in sorted((ROOT / "docs" / "data").iterdir()):  # the files the page links to
        (work / data.name).write_bytes(data.read_bytes())
    (work / "tutorial.py").write_text(_script(), encoding="utf-8")
    env["MPLBACKEND"] = "Agg"
    run = subprocess.run(
        [str(python), "-W", "error", "tutorial.py"],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    # it used the installed package, not the checkout
    where = subprocess.run(
        [str(python), "-c", "import itil_ci; print(itil_ci.__file__)"],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert str(env_dir) in where.stdout
    assert "improved" in run.stdout
    for name in (
        "incidents.csv",
        "cycle.sqlite",
        "cycle-report.html",
        "cycle-report.md",
        "improvements.sqlite",
        "report.html",
    ):
        assert (work / name).is_file(), name
    for name in ("baseline-chart.png", "pareto.png", "staged-chart.png"):
        assert (work / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
