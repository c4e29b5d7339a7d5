"""Fail when `import itil_ci` takes 0.3 s or more on a fresh interpreter (best of 5)."""

import subprocess
import sys

best = min(
    float(
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import time; t=time.perf_counter(); import itil_ci; print(time.perf_counter()-t)",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    for _ in range(5)
)
print(f"import itil_ci: {best:.3f} s (limit 0.3 s)")
sys.exit(0 if best < 0.3 else 1)
