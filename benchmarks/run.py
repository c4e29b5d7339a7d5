"""Run every benchmark script in this folder, one after the other.

Each benchmark prints lines of the form ``name: ours X s, baseline Y s, ratio X/Y``.
Usage: ``python benchmarks/run.py [substring ...]`` runs the scripts whose file
name contains any of the substrings (all of them by default); ``python
benchmarks/run.py scale`` runs the Dask forms' benchmark alone (it writes its
Parquet datasets, 20M and 60M tickets, once under ``$ITIL_CI_BENCH_DIR``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    scripts = sorted(
        p for p in here.glob("*.py") if p.name != "run.py" and not p.name.startswith("_")
    )
    if argv:
        scripts = [p for p in scripts if any(a in p.name for a in argv)]
    failed = 0
    for script in scripts:
        print(f"# {script.name}", flush=True)
        failed += subprocess.run([sys.executable, str(script)], check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
