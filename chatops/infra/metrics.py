"""The custom-metric contract between the realtime app and the infrastructure.

The realtime app publishes, once a minute per task, to namespace = profile.observability.metrics_namespace
with exactly ONE dimension `Stack` = Names(project, stack).prefix:

- `ActiveConnections` (unit Count): sockets open on this task.
- `EventLoopLagMs` (unit Milliseconds): event-loop lag of this task.

Every task publishes the same metric with the same dimension, so the statistic `Average` over a minute
is the mean per task (what target tracking needs) and `p95` is the lag of the slowest tasks. The names
live in chatops.model.alarms (model/ may not import infra/); this module is the infra-side name for them.
"""

from __future__ import annotations

from chatops.model.alarms import ACTIVE_CONNECTIONS_METRIC, EVENT_LOOP_LAG_METRIC, STACK_DIMENSION
# The scaling targets on these metrics are part of the autoscaling description (model/autoscaling.py).
from chatops.model.autoscaling import CONNECTION_UTILISATION_TARGET, EVENT_LOOP_LAG_STATISTIC

ACTIVE_CONNECTIONS = ACTIVE_CONNECTIONS_METRIC
EVENT_LOOP_LAG_MS = EVENT_LOOP_LAG_METRIC

__all__ = ["ACTIVE_CONNECTIONS", "EVENT_LOOP_LAG_MS", "STACK_DIMENSION", "CONNECTION_UTILISATION_TARGET",
           "EVENT_LOOP_LAG_STATISTIC", "dimensions"]


def dimensions(stack_prefix: str) -> dict[str, str]:
    """The one dimension every custom metric carries."""
    return {STACK_DIMENSION: stack_prefix}
