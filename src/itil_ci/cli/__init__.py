"""The ``itil-ci`` command line.

Every command works on a continual improvement register (a SQLite file,
``--db``, default ``improvements.sqlite`` or ``$ITIL_CI_DB``).  ``--json``
prints machine-readable output.  Both global options may come before or
after the command.  Exit codes: 0 success, 1 a failure (the message and a
hint go to stderr, no traceback; JSON under ``--json``), 2 bad usage.

The command line is a thin layer: each command is a few calls of the
library.  One module per command group (``_kpis``, ``_initiatives``, ...);
they share one context and one error path (``_context``).
"""

from __future__ import annotations

from itil_ci.cli._main import main

__all__ = ["main"]
