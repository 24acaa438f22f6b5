"""Wall time of a 30-day, per-minute simulation of the three services, next to `chatops plan`'s.

The target (issue 15) is under one second for the simulation itself: 3 services x 43,200 minutes through
their scaling policies, alarms and task lifecycle. Also printed: the whole `chatops simulate` command for
30 days (imports, prices, rendering the JSON) and `chatops plan --dau 50000 --json`, each the median of
alternating runs. Informational: it never fails on timing (tests do not assert timings either).

    python benchmarks/simulate.py [--runs 7] [--profile 50k-dau] [--days 30] [--load 1.5]

The traffic is the two-peaks shape at --load times the tier's design DAU, so the services scale out and in
twice a day: the timed path is the one with scaling activity, not a month of idle minutes.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

TARGET_SECONDS = 1.0
SHAPE = "two-peaks"
#: As installed (pip compiles .pyc): without this, PYTHONDONTWRITEBYTECODE=1 would make every command run
#: compile chatops from source (see benchmarks/cli_latency.py).
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def _dau(profile_name: str, load: float) -> int:
    from chatops.model.loading import load_profile

    return round(load_profile(profile_name).design.dau * load)


def _simulation_seconds(profile_name: str, days: int, load: float) -> tuple[float, float, int]:
    """(wall, CPU) seconds of one simulate() call, and its scaling events."""
    from chatops.model.demand import UsageAssumptions
    from chatops.model.loading import load_profile
    from chatops.simulate.demand import shaped
    from chatops.simulate.scenario import simulate
    from chatops.simulate.traffic import shape_multipliers
    from chatops.sizing.demand import estimate_demand

    profile = load_profile(profile_name)
    estimate = estimate_demand(UsageAssumptions(dau=_dau(profile_name, load)))
    demand = shaped(estimate, shape_multipliers(SHAPE, estimate.usage.peak_factor, days))
    wall, cpu = time.perf_counter(), time.process_time()
    stack = simulate(profile, demand)
    return time.perf_counter() - wall, time.process_time() - cpu, sum(len(r.events) for r in stack.runs.values())


def _command_seconds(command: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of `command` (CPU: user + system of the child, which a busy shared
    machine inflates far less than wall time)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each measurement (default 7)")
    parser.add_argument("--profile", default="50k-dau", help="tier to simulate (default 50k-dau)")
    parser.add_argument("--days", type=int, default=30, help="days to simulate (default 30)")
    parser.add_argument("--load", type=float, default=1.5, help="DAU as a multiple of the tier's design DAU (1.5)")
    args = parser.parse_args()
    simulate_cli = [sys.executable, "-m", "chatops", "simulate", "--profile", args.profile, "--days", str(args.days),
                    "--dau", str(_dau(args.profile, args.load)), "--shape", SHAPE, "--json", "--no-series",
                    "--no-recommend"]
    plan_cli = [sys.executable, "-m", "chatops", "plan", "--dau", "50000", "--json"]
    _simulation_seconds(args.profile, 1, args.load), _command_seconds(plan_cli)  # warm imports, .pyc files and caches
    sims, cpus, simulate_cmd, plan_cmd, events = [], [], [], [], 0
    for _ in range(args.runs):
        wall, cpu, events = _simulation_seconds(args.profile, args.days, args.load)
        sims.append(wall)
        cpus.append(cpu)
        simulate_cmd.append(_command_seconds(simulate_cli))
        plan_cmd.append(_command_seconds(plan_cli))
    sim = statistics.median(sims)
    minutes = args.days * 1440
    print(f"simulation: {args.profile} at {_dau(args.profile, args.load):,} DAU ({SHAPE}), {args.days} days x 3 services = "
          f"{3 * minutes:,} service-minutes, {events} scaling events; medians over {args.runs} runs")
    print(f"  simulate()                           {sim * 1000:8.1f} ms wall {statistics.median(cpus) * 1000:8.1f} ms CPU"
          f"  ({'within' if sim < TARGET_SECONDS else 'OVER'} the {TARGET_SECONDS:g} s target)")
    for label, runs in ((f"chatops simulate --days {args.days} --json", simulate_cmd),
                        ("chatops plan --dau 50000 --json", plan_cmd)):
        print(f"  {label:<36} {statistics.median(w for w, _ in runs) * 1000:8.1f} ms wall "
              f"{statistics.median(c for _, c in runs) * 1000:8.1f} ms CPU")


if __name__ == "__main__":
    main()
