"""Wall time of `chatops plan --dau 50000 --json` against the bare imports it cannot avoid.

Runs both commands alternately (so background load hits both alike), 20 times each by default, and
prints the medians and their ratio. The target is a ratio of at most 1.5. Informational: it never
fails on timing (tests do not assert timings either).

    python benchmarks/cli_latency.py [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

PLAN = [sys.executable, "-m", "chatops", "plan", "--dau", "50000", "--json"]
BASELINE = [sys.executable, "-c", "import click, rich, pydantic, yaml"]
TARGET_RATIO = 1.5


#: As installed: `pip install` compiles every module to .pyc, so a user's runs load bytecode. A shell with
#: PYTHONDONTWRITEBYTECODE=1 (this project's CI images set it) would make every run of an editable install
#: compile chatops from source, about 40 ms that no installed chatops spends; the baseline's packages have
#: their .pyc already. The warm-up run below writes them.
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def _time(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="runs of each command (default 20)")
    args = parser.parse_args()
    _time(PLAN), _time(BASELINE)  # warm the file system cache and .pyc files
    plan_times, base_times = [], []
    for _ in range(args.runs):
        plan_times.append(_time(PLAN))
        base_times.append(_time(BASELINE))
    plan_median, base_median = statistics.median(plan_times), statistics.median(base_times)
    ratio = plan_median / base_median
    print(f"chatops plan --dau 50000 --json      median {plan_median * 1000:8.1f} ms over {args.runs} runs")
    print(f"python -c 'import click, rich, ...'  median {base_median * 1000:8.1f} ms over {args.runs} runs")
    print(f"ratio {ratio:.2f} (target <= {TARGET_RATIO}): {'within target' if ratio <= TARGET_RATIO else 'OVER target'}")


if __name__ == "__main__":
    main()
