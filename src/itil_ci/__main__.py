"""``python -m itil_ci``: run the worked example end to end and print it."""

from __future__ import annotations

import sys

from itil_ci.cli import main

if __name__ == "__main__":
    sys.exit(main())
