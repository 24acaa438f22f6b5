"""Wall time of `chatops synth --profile 100k-dau` (target: under 3 s here). Prints; asserts nothing.

Run: .venv/bin/python benchmarks/synth.py [TIER]
"""

from __future__ import annotations

import subprocess
import sys
import time


def main() -> None:
    tier = sys.argv[1] if len(sys.argv) > 1 else "100k-dau"
    command = [sys.executable, "-m", "chatops", "synth", "--profile", tier]
    start = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        print(f"chatops synth failed ({result.returncode}): {result.stderr.strip()}", file=sys.stderr)
        sys.exit(result.returncode)
    print(f"chatops synth --profile {tier}: {elapsed:.2f} s wall (target < 3 s)")


if __name__ == "__main__":
    main()
