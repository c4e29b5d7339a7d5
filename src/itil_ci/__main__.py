"""``python -m itil_ci``: the ``itil-ci`` command line."""

from __future__ import annotations

import sys

from itil_ci.cli import main

if __name__ == "__main__":
    sys.exit(main())
