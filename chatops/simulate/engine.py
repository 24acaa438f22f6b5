"""One ECS service under Application Auto Scaling, minute by minute.

Each minute: tasks whose start has finished begin serving; the load model says what the serving tasks
carry and which metric values they publish; every policy's alarm takes the minute's datapoint; alarms in
ALARM invoke their policy (once per minute while they stay in ALARM); the resulting desired count takes
effect at the end of the minute. The rules and their AWS sources are listed in docs/simulate.md:

- target tracking: AlarmHigh after 3 of 3 datapoints above the target, AlarmLow after 15 of 15 below
  `scale_in_threshold` x the target; new capacity = ceil(capacity x metric / target) (proportional, rounded
  up); scale out if any policy says so, scale in only if every policy with scale-in enabled does;
- step scaling: the policy's alarm (M of N), adjustment by the step the breach falls in;
- cooldowns count from the end of the scaling activity (ECS: new tasks RUNNING; removed tasks stopped after
  their deregistration delay); until a scale-out's cooldown ends, the capacity it added counts as part of the
  desired capacity (proposals are computed from the capacity before it, and apply only if larger); a
  scale-out cancels a scale-in cooldown; scale-ins wait for the scale-in cooldown;
- min and max capacity bound every change;
- a new task is billed from the end of provisioning (image pull) and serves after provisioning + image
  pull + health checks; a task removed by scale-in stops serving at once and is billed until its
  deregistration delay has passed; tasks still starting are cancelled first.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Optional, Sequence

from chatops.model.autoscaling import Policy, ScalableTarget, StepAdjustment, StepScaling, TargetTracking
from chatops.simulate.cloudwatch import COMPARISONS, Episodes
from chatops.simulate.load import METRICS_AT, AnyLoad

#: The alarms Application Auto Scaling creates for a target-tracking policy on one-minute metrics.
HIGH_EVALUATION_PERIODS = 3
LOW_EVALUATION_PERIODS = 15
#: AlarmLow's threshold as a share of the target (observed on the alarms AWS creates for ECS services).
DEFAULT_SCALE_IN_THRESHOLD = 0.9

SECONDS_PER_MINUTE = 60
_ROUNDING = 1e-9  # ceil(2.0000000001) must stay 2 when the ratio is 2 up to float error


@dataclass(frozen=True)
class TaskTimes:
    """How long a new task takes to serve, and how long a removed one is still billed."""

    provisioning_seconds: float
    image_pull_seconds: float
    health_check_seconds: float
    deregistration_delay_seconds: float

    @property
    def start_seconds(self) -> float:
        return self.provisioning_seconds + self.image_pull_seconds + self.health_check_seconds


@dataclass(frozen=True)
class ScalingEvent:
    minute: int       # the change takes effect at the end of this minute
    from_count: int
    to_count: int
    policy: str


@dataclass
class ServiceRun:
    """Everything one service did, minute by minute."""

    service: str
    unit: str
    per_task: float
    target: ScalableTarget
    times: TaskTimes
    demand: list[float]
    capacity: list[float] = field(default_factory=list)
    desired: list[int] = field(default_factory=list)
    serving: list[int] = field(default_factory=list)
    saturated: list[bool] = field(default_factory=list)
    shortfall: list[float] = field(default_factory=list)
    metrics: dict[str, list[Optional[float]]] = field(default_factory=dict)
    events: list[ScalingEvent] = field(default_factory=list)
    #: "<policy> AlarmHigh" / "<policy> AlarmLow" / "<policy>" (a step policy's alarm) -> when in ALARM.
    policy_alarms: dict[str, Episodes] = field(default_factory=dict)
    #: task count -> seconds billed at that count (includes tasks starting and draining).
    billed_seconds: dict[int, float] = field(default_factory=dict)

    @property
    def minutes(self) -> int:
        return len(self.demand)

    @property
    def task_hours(self) -> float:
        return sum(count * seconds for count, seconds in self.billed_seconds.items()) / 3600

    @property
    def peak_tasks(self) -> int:
        return max(self.desired)

    @property
    def saturated_minutes(self) -> int:
        return sum(self.saturated)

    @property
    def worst_minute(self) -> Optional[int]:
        """The minute of the largest shortfall among the saturated minutes."""
        saturated = [i for i, s in enumerate(self.saturated) if s]
        return max(saturated, key=lambda i: self.shortfall[i]) if saturated else None

    @property
    def worst_shortfall(self) -> float:
        worst = self.worst_minute
        return 0.0 if worst is None else self.shortfall[worst]


def step_adjustment(steps: Sequence[StepAdjustment], breach: float) -> int:
    """The adjustment of the step whose interval (relative to the threshold) holds `breach`."""
    for step in steps:
        if ((step.lower_bound is None or breach >= step.lower_bound)
                and (step.upper_bound is None or breach < step.upper_bound)):
            return step.scaling_adjustment
    return 0


def run_service(model: AnyLoad, demand: Sequence[float], policies: Sequence[Policy], target: ScalableTarget,
                initial_count: int, times: TaskTimes, scale_in_threshold: float = DEFAULT_SCALE_IN_THRESHOLD,
                stop_when_saturated: bool = False) -> ServiceRun:
    """Simulate one service over `demand` (one value per minute), starting with `initial_count` tasks serving.
    With `stop_when_saturated` the run ends at its first saturated minute (a yes/no answer, for searches).

    The loop is written for speed (a month is 43,200 minutes per service): no calls per alarm, alarm states
    logged only when they change, per-minute rows transposed into series once at the end.
    """
    names = model.metric_names
    tracking = [p for p in policies if isinstance(p, TargetTracking)]
    stepping = [p for p in policies if isinstance(p, StepScaling)]
    alarm_names = [f"{p.name} {side}" for p in tracking for side in ("AlarmHigh", "AlarmLow")]
    alarm_names += [p.name for p in stepping]
    # Target-tracking alarms need every datapoint of their window (3 of 3, 15 of 15): a run length of
    # breaching minutes is their window. Step alarms may be M of N: a bit mask of the last N datapoints.
    runs = [0] * len(alarm_names)
    states = [False] * len(alarm_names)
    masks = [0] * len(stepping)
    changes: list[tuple[int, int, bool]] = []  # (minute, alarm, new state): states are logged only on change
    track = [(2 * j, METRICS_AT + names.index(p.metric), 1 / p.target_value, p.disable_scale_in, p.name,
              p.scale_out_cooldown_seconds) for j, p in enumerate(tracking)]
    steps = [(2 * len(tracking) + j, j, METRICS_AT + names.index(p.metric), p, COMPARISONS[p.comparison],
              (1 << p.evaluation_periods) - 1) for j, p in enumerate(stepping)]
    scale_in_able = any(not p.disable_scale_in for p in tracking)
    scale_in_cooldown = max((p.scale_in_cooldown_seconds for p in tracking if not p.disable_scale_in), default=0)
    lo, hi = target.min_capacity, target.max_capacity
    observe, ceil = model.observe, math.ceil
    high_needed, low_needed = HIGH_EVALUATION_PERIODS, LOW_EVALUATION_PERIODS

    desired = serving = min(max(initial_count, lo), hi)
    pending: deque[tuple[int, float]] = deque()  # (first serving minute, billed from second) per starting task
    billing: list[tuple[float, int]] = [(0.0, serving)]
    events: list[ScalingEvent] = []
    observations: list[tuple] = []
    counts: list[tuple[int, int]] = []
    out_until = in_until = 0.0
    out_base = desired
    start_minutes = ceil(times.start_seconds / SECONDS_PER_MINUTE - _ROUNDING)
    running_after = times.provisioning_seconds + times.image_pull_seconds

    for minute, load in enumerate(demand):
        while pending and pending[0][0] <= minute:
            pending.popleft()
            serving += 1
        observation = observe(load, serving)
        observations.append(observation)
        counts.append((desired, serving))
        if stop_when_saturated and observation[2]:
            break

        now = (minute + 1) * SECONDS_PER_MINUTE
        base = out_base if now < out_until else desired
        proposal, proposer, proposer_cooldown = desired, "", 0
        every_low, scale_in_to = scale_in_able, lo
        step_in_to, step_in_by, step_in_cooldown = None, "", 0
        for a, index, per_target, no_scale_in, name, cooldown in track:
            value = observation[index]
            ratio = -1.0 if value is None else value * per_target  # a missing datapoint breaches nothing
            run = runs[a] = runs[a] + 1 if ratio > 1 else 0
            is_high = run >= high_needed
            if is_high is not states[a]:
                states[a] = is_high
                changes.append((minute, a, is_high))
            if is_high:
                wanted = ceil(base * ratio - _ROUNDING)
                if wanted > proposal:
                    proposal, proposer, proposer_cooldown = wanted, name, cooldown
            run = runs[a + 1] = runs[a + 1] + 1 if 0 <= ratio < scale_in_threshold else 0
            is_low = run >= low_needed
            if is_low is not states[a + 1]:
                states[a + 1] = is_low
                changes.append((minute, a + 1, is_low))
            if no_scale_in:
                continue
            if is_low:
                wanted = ceil(desired * ratio - _ROUNDING)
                if wanted > scale_in_to:
                    scale_in_to = wanted
            else:
                every_low = False
        for a, j, index, policy, compare, full in steps:
            value = observation[index]
            masks[j] = mask = ((masks[j] << 1) | (value is not None and compare(value, policy.threshold))) & full
            in_alarm = mask.bit_count() >= policy.datapoints_to_alarm
            if in_alarm is not states[a]:
                states[a] = in_alarm
                changes.append((minute, a, in_alarm))
            if in_alarm:
                adjustment = step_adjustment(policy.steps, value - policy.threshold)
                wanted = base + adjustment
                if adjustment > 0 and wanted > proposal:
                    proposal, proposer, proposer_cooldown = wanted, policy.name, policy.cooldown_seconds
                elif adjustment < 0:
                    # A step scale-in policy (workers without Container Insights): of several scale-ins,
                    # Application Auto Scaling takes the one leaving the largest capacity.
                    wanted = max(desired + adjustment, lo)
                    if step_in_to is None or wanted > step_in_to:
                        step_in_to, step_in_by, step_in_cooldown = wanted, policy.name, policy.cooldown_seconds

        new = desired
        if proposal > desired and hi > desired:
            new = min(proposal, hi)
            if now >= out_until:
                # The cooldown counts from the activity's end: ECS reports it in progress until the new
                # tasks run (RUNNING comes after the image pull, before the load balancer's checks).
                out_base, out_until = desired, now + running_after + proposer_cooldown
            in_until = 0.0  # a scale-out ends a scale-in cooldown
        elif now >= in_until:
            # Target tracking scales in only when all its policies are low; a step scale-in policy on its own
            # alarm. Of both, the one leaving the larger capacity wins.
            scale_ins = [(scale_in_to, "scale-in (all target-tracking policies low)", scale_in_cooldown)] \
                if every_low and scale_in_to < desired else []
            if step_in_to is not None and step_in_to < desired:
                scale_ins.append((step_in_to, step_in_by, step_in_cooldown))
            if scale_ins:
                new, proposer, cooldown_after = max(scale_ins, key=lambda option: option[0])
                # A scale-in ends when the removed tasks have stopped, after their deregistration delay.
                in_until = now + times.deregistration_delay_seconds + cooldown_after
        if new == desired:
            continue
        events.append(ScalingEvent(minute, desired, new, proposer))
        if new > desired:
            bill_from = now + times.provisioning_seconds
            for _ in range(new - desired):
                pending.append((minute + 1 + start_minutes, bill_from))
                billing.append((bill_from, 1))
        else:
            for _ in range(desired - new):
                if pending:
                    _, bill_from = pending.pop()  # the task with the least progress goes first
                    billing.append((max(now, bill_from), -1))
                else:
                    serving -= 1
                    billing.append((now + times.deregistration_delay_seconds, -1))
        desired = new

    minutes = len(observations)
    alarm_episodes = {name: _episodes([(m, s) for m, a, s in changes if a == i], minutes)
                      for i, name in enumerate(alarm_names)}
    return _collect(model, demand, target, times, observations, counts, events, alarm_episodes, billing)


def _episodes(changes: list[tuple[int, bool]], minutes: int) -> Episodes:
    """Minutes in ALARM, how many times it went into ALARM and when first, from its state changes."""
    total, count, first, since = 0, 0, None, None
    for minute, state in changes:
        if state:
            count += 1
            first = minute if first is None else first
            since = minute
        elif since is not None:
            total += minute - since
            since = None
    if since is not None:
        total += minutes - since
    return Episodes(total, count, first)


def _collect(model: AnyLoad, demand: Sequence[float], target: ScalableTarget, times: TaskTimes,
             observations: list[tuple], counts: list[tuple[int, int]], events: list[ScalingEvent],
             alarm_episodes: dict[str, Episodes], billing: list[tuple[float, int]]) -> ServiceRun:
    """The loop's rows as per-minute series (transposed once, at the end)."""
    minutes = len(observations)
    width = 3 + len(model.metric_names)
    columns = [list(c) for c in zip(*observations)] if minutes else [[] for _ in range(width)]
    desired, serving = ([list(c) for c in zip(*counts)]) if minutes else ([], [])
    return ServiceRun(
        model.service, model.unit, model.per_task, target, times, list(demand), capacity=columns[0],
        desired=desired, serving=serving, saturated=columns[2], shortfall=columns[1],
        metrics=dict(zip(model.metric_names, columns[3:])), events=events, policy_alarms=alarm_episodes,
        billed_seconds=_time_at_each_count(billing, minutes * SECONDS_PER_MINUTE))


def _time_at_each_count(changes: list[tuple[float, int]], end: float) -> dict[int, float]:
    """Seconds spent at each billed task count, from (time, +1/-1) changes, up to `end`."""
    spent: dict[int, float] = {}
    count, since = 0, 0.0
    for when, delta in sorted(changes):
        when = min(when, end)
        if when > since:
            spent[count] = spent.get(count, 0.0) + when - since
            since = when
        count += delta
    if end > since:
        spent[count] = spent.get(count, 0.0) + end - since
    return {c: s for c, s in spent.items() if s > 0}
