"""Every Python block of the docs pages runs (the quickstart runs in tests/test_readme.py).

Each page runs as a script: its ```python blocks in order, in one namespace,
in a fresh temporary working directory (``docs/_runner.py``, which the mkdocs
hook also uses to draw the pages' figures).  A block may be left out only
with a reason in an HTML comment just before it
(``<!-- docs-test: skip (reason) -->``).
"""

from __future__ import annotations

import importlib.util
import re
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def _load_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_docs_runner", DOCS / "_runner.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("_docs_runner", module)
    spec.loader.exec_module(module)
    return module


runner = _load_runner()

#: Pages whose code must run as written.
RUN = sorted(
    [
        DOCS / "tutorial.md",
        DOCS / "cli.md",
        DOCS / "conventions.md",
        DOCS / "engines.md",
        DOCS / "itsm-kpis.md",
        DOCS / "measurement.md",
        DOCS / "prioritisation.md",
        DOCS / "register.md",
        DOCS / "postgres.md",
        DOCS / "reports.md",
        *list((DOCS / "howto").glob("*.md")),
        *list((DOCS / "concepts").glob("*.md")),
    ]
)


def _rel(p: Path) -> str:
    return p.relative_to(DOCS).as_posix()


def test_every_page_with_python_is_run() -> None:
    run = {_rel(p) for p in RUN}
    for page in sorted(DOCS.rglob("*.md")):
        rel = _rel(page)
        # quickstart.md runs in tests/test_readme.py, next to the README it mirrors
        if runner.blocks(page) and rel != "quickstart.md":
            assert rel in run, f"{rel} has python blocks that no test runs"


def test_pages_to_run_exist_and_have_code() -> None:
    assert DOCS / "tutorial.md" in RUN
    assert len([p for p in RUN if p.parent.name == "howto"]) >= 6
    assert runner.blocks(DOCS / "tutorial.md")


#: Pages whose code needs a PostgreSQL server: it reads the URL from ``ITIL_CI_DB``, which
#: the test points at a schema of its own on the test server (skipped without a server,
#: except in CI, as the register's PostgreSQL tests).
NEEDS_POSTGRES = {DOCS / "postgres.md"}


@pytest.fixture
def postgres_for(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    page = request.node.callspec.params["page"]
    if page not in NEEDS_POSTGRES:
        yield
        return
    from tests.register.conftest import Backend

    backend = Backend("postgres", Path())
    monkeypatch.setenv("ITIL_CI_DB", backend.url)
    yield
    backend.close()


@pytest.mark.parametrize("page", RUN, ids=_rel)
def test_page_runs(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_for: None
) -> None:
    monkeypatch.setenv("MPLBACKEND", "Agg")
    blocks = runner.blocks(page)
    skipped = [b for b in blocks if b.skip is not None]
    assert all(b.skip for b in skipped)  # a reason each (blocks() refuses an empty one)
    runner.run_page(page, tmp_path)
    # the figures the page shows are the ones its code writes
    shown = re.findall(r"\]\((?:\.\./)*figures/[a-z0-9-]+/([^)]+\.png)\)", page.read_text())
    for name in shown:
        assert (tmp_path / name).is_file(), (
            f"{_rel(page)} shows {name} but its code does not write it"
        )


def test_a_skip_comment_needs_a_reason(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text("<!-- docs-test: skip -->\n```python\n1 / 0\n```\n")
    with pytest.raises(ValueError, match="needs a reason"):
        runner.blocks(page)
    page.write_text("<!-- docs-test: skip (needs a live ServiceNow) -->\n```python\n1 / 0\n```\n")
    (block,) = runner.blocks(page)
    assert block.skip == "needs a live ServiceNow"
    runner.run_page(page, tmp_path)  # the skipped block does not run


def test_a_failing_block_names_its_page_and_line(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text("# t\n\n```python\nx = 1\n```\n\ntext\n\n```python\nassert x == 2\n```\n")
    with pytest.raises(AssertionError) as err:
        runner.run_page(page, tmp_path)
    frames = [(f.filename, f.lineno) for f in traceback.extract_tb(err.value.__traceback__)]
    assert (str(page), 10) in frames


def test_console_blocks_run_the_command_line_and_check_what_it_prints(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text(
        "```console\n"
        "$ itil-ci --db r.sqlite kpi define mttr \\\n"
        "    --unit hours\n"
        "defined KPI mttr\n"
        "...\n"
        "$ itil-ci --db r.sqlite kpi list\n"
        "mttr ... hours ...\n"
        "$ itil-ci --db r.sqlite kpi measure nope  # exit 1\n"
        "error: KPI 'nope' is not defined in the register\n"
        "hint: ...\n"
        "```\n"
    )
    (block,) = runner.blocks(page)
    assert block.lang == "console"
    first = runner.commands(block)[0]
    assert first.args == ("--db", "r.sqlite", "kpi", "define", "mttr", "--unit", "hours")
    runner.run_page(page, tmp_path)
    assert (tmp_path / "r.sqlite").is_file()
    # the same page as a script: the commands become calls whose exit codes are checked
    assert "_itil_ci(('--db', 'r.sqlite', 'kpi', 'measure', 'nope'), 1)" in runner.script(page)


@pytest.mark.parametrize(
    ("shown", "why"),
    [
        ("$ itil-ci --db r.sqlite kpi list\nno KPIs at all\n", "printed"),
        ("$ itil-ci --db r.sqlite kpi measure nope\n...\n", "exit code 1"),
        ("$ ls\n", "must start with itil-ci"),
        ("output first\n$ itil-ci --help\n", "output before"),
    ],
)
def test_a_console_block_that_does_not_match_names_its_line(
    shown: str, why: str, tmp_path: Path
) -> None:
    page = tmp_path / "p.md"
    page.write_text("# t\n\n```console\n" + shown + "```\n")
    with pytest.raises((AssertionError, ValueError), match=why) as err:
        runner.run_page(page, tmp_path)
    if isinstance(err.value, AssertionError):
        assert f"{page}:4" in str(err.value)
