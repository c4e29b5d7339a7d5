"""Run the code blocks of a docs page (used by the docs tests and the mkdocs hook).

Every ```` ```python ```` block of a page runs, in order, in one namespace, in
a working directory of the caller's choice: a page is a script a reader can
follow.  ```` ```console ```` blocks are command-line sessions: each line
``$ itil-ci ARGS`` (continued over lines ending in ``\\``) runs the command
line in-process, in the same working directory and in page order with the
Python blocks, and what it prints (stdout, then stderr) must match the lines
shown under it (``...`` on a line of its own stands for any number of lines,
inside a line for any text).  A command must exit with 0 unless it ends with
a comment ``# exit N``.  Before the first block, the files of ``docs/data/``
(which the pages link for download) are copied into the working directory.

A block may be left out only with a reason, in an HTML comment on the line
just before it::

    <!-- docs-test: skip (needs a ServiceNow instance) -->

A skip comment without a reason is an error.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Block", "Command", "blocks", "commands", "run_command", "run_page", "script"]

_FENCE = re.compile(r"^(?P<indent>[ ]*)```(?P<lang>[A-Za-z0-9_+-]*)[^\n]*$")
_SKIP = re.compile(r"^\s*<!--\s*docs-test:\s*skip\b(?P<reason>.*?)-->\s*$")


@dataclass(frozen=True)
class Block:
    """One fenced block: the page, the line of its opening fence, its code, its language."""

    page: str
    line: int
    code: str
    skip: str | None = None  # the reason, when the page leaves the block out
    lang: str = "python"  # or "console"


@dataclass(frozen=True)
class Command:
    """One ``$ itil-ci ...`` command of a console block and the output shown under it."""

    line: int
    args: tuple[str, ...]
    expected: tuple[str, ...]
    exit_code: int = 0


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
        if lang not in ("python", "console"):
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
        out.append(Block(str(p), start + 1, code + "\n", skip, lang))
    return out


_EXIT = re.compile(r"\s+#\s*exit\s+(\d+)\s*$")


def commands(block: Block) -> list[Command]:
    """The commands of a console block, each with the lines shown under it."""
    if block.lang != "console":
        raise ValueError(f"{block.page}:{block.line}: not a console block")
    lines = block.code.rstrip("\n").split("\n")
    out: list[Command] = []
    i = 0
    while i < len(lines):
        if not lines[i].startswith("$ "):
            raise ValueError(
                f"{block.page}:{block.line + 1 + i}: output before the first '$ ' command"
            )
        first = block.line + 1 + i
        text = lines[i][2:]
        while text.endswith("\\"):
            i += 1
            text = text[:-1] + " " + lines[i].strip()
        i += 1
        shown: list[str] = []
        while i < len(lines) and not lines[i].startswith("$ "):
            shown.append(lines[i])
            i += 1
        code = 0
        m = _EXIT.search(text)
        if m:
            code, text = int(m.group(1)), text[: m.start()]
        args = shlex.split(text)
        if not args or args[0] != "itil-ci":
            raise ValueError(f"{block.page}:{first}: a console command must start with itil-ci")
        out.append(Command(first, tuple(args[1:]), tuple(shown), code))
    return out


def _matches(expected: list[str], got: list[str]) -> bool:
    """Whether ``got`` matches ``expected`` with ``...`` wildcards (lines and inside lines)."""
    if not expected:
        return not got
    head, rest = expected[0], expected[1:]
    if head.strip() == "...":
        return any(_matches(rest, got[k:]) for k in range(len(got) + 1))
    if not got:
        return False
    pattern = ".*".join(re.escape(part) for part in head.rstrip().split("..."))
    return re.fullmatch(pattern, got[0].rstrip()) is not None and _matches(rest, got[1:])


def run_command(page: str, command: Command) -> str:
    """Run one command in-process; raise AssertionError if its exit code or output differ."""
    from itil_ci.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(command.args))
    text = out.getvalue() + err.getvalue()
    got = text.rstrip("\n").split("\n") if text.strip() else []
    where = f"{page}:{command.line}: itil-ci {shlex.join(command.args)}"
    if code != command.exit_code:
        raise AssertionError(f"{where}\nexit code {code}, expected {command.exit_code}:\n{text}")
    if not _matches(list(command.expected), got):
        shown = "\n".join(command.expected)
        raise AssertionError(f"{where}\nprinted:\n{text}\nthe page shows:\n{shown}")
    return text


_SCRIPT_CLI = """\
def _itil_ci(args, code=0):  # a console block of the page: run the command, check its exit code
    from itil_ci.cli import main

    got = main(list(args))
    assert got == code, (args, got)

"""


def script(path: str | os.PathLike[str]) -> str:
    """The page's runnable blocks as one script, each headed by where it comes from.

    A console block becomes calls of the command line (their exit codes are
    checked; their output is printed, not compared).
    """
    parts: list[str] = []
    for b in blocks(path):
        if b.skip is not None:
            continue
        if b.lang == "python":
            parts.append(f"# --- {b.page}:{b.line}\n{b.code}")
        else:
            calls = "".join(f"_itil_ci({c.args!r}, {c.exit_code})\n" for c in commands(b))
            parts.append(f"# --- {b.page}:{b.line}\n{calls}")
    if any(b.lang == "console" and b.skip is None for b in blocks(path)):
        parts.insert(0, _SCRIPT_CLI)
    return "\n".join(parts)


DATA = Path(__file__).resolve().parent / "data"


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
    if DATA.is_dir():
        for f in sorted(DATA.iterdir()):
            if f.is_file():
                shutil.copy(f, Path(workdir) / f.name)
    with _cwd(Path(workdir)):
        for b in page:
            if b.skip is not None:
                continue
            if b.lang == "python":
                exec(compile("\n" * b.line + b.code, b.page, "exec"), namespace)
            else:
                for c in commands(b):
                    run_command(b.page, c)
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        pass
    else:
        plt.close("all")
    return namespace
