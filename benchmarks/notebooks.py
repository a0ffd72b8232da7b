"""How long the main job takes: every notebook on the default lab market (200 tickers, 15
years), executed by ``factorlab run`` as ``make run`` does. Target: under 2 minutes on the
project's 2-core machine.

Run: .venv/bin/python benchmarks/notebooks.py [factorlab run options, e.g. -p n_tickers 500]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 120


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "factorlab.cli", "run", "--output", tmp, *sys.argv[1:]],
            capture_output=True,
            text=True,
        )
        total = time.perf_counter() - start
        summary = json.loads((Path(tmp) / "summary.json").read_text())
    for run in summary["notebooks"]:
        print(f"  {run['notebook']:<16} {run['seconds']:6.1f} s  {run['status']}")
    within = "within" if total < TARGET_S else "OVER"
    print(f"total {total:.1f} s with kernel start-ups and HTML ({within} the {TARGET_S} s target)")
    sys.exit(done.returncode)


if __name__ == "__main__":
    main()
