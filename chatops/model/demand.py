"""Demand: usage assumptions in (what users do), load out (what the infrastructure must carry).

The estimator lives in chatops/sizing/demand.py; costing reads the monthly quantities from the same
DemandEstimate, so the capacity plan and the usage-based costs describe the same traffic.
"""

from __future__ import annotations

from typing import Annotated

from chatops.model.records import Limits, Record, record

MAX_DAU = 1_000_000_000


@record
class UsageAssumptions(Record):
    """What users do. Each default's reasoning and source is in docs/sizing.md ("Demand model").

    The bounds are checked where values come in: by plan's flags (chatops/cli/plan.py reads them from
    here) and by the usage file's validator (chatops/sizing/usage_file.py).
    """

    # A usage file may write 50000 as 50000.0 or 40 messages as "40": lax numbers, unlike profiles.
    __pydantic_config__ = {"extra": "forbid"}

    dau: Annotated[int, Limits(gt=0, le=MAX_DAU, description="daily active users")]
    # 0.15 = 72 connected minutes per user per day x peak factor 3 / 1440 (Little's law); inside the
    # seed's 10-30 % range, whose upper end the tiers reach by autoscaling.
    peak_concurrency: Annotated[
        float, Limits(gt=0, le=1, description="share of DAU connected at the busiest minute")] = 0.15
    messages_per_user: Annotated[float, Limits(ge=0, le=100_000, description="messages sent per user per day")] = 40
    message_bytes: Annotated[int, Limits(gt=0, le=262_144, description="average message payload in bytes")] = 512
    fanout: Annotated[float, Limits(ge=1, le=100_000, description="recipients per message")] = 5
    api_requests_per_user: Annotated[float, Limits(ge=0, le=1_000_000, description="REST calls per user per day")] = 100
    peak_factor: Annotated[float, Limits(ge=1, le=100, description="busiest hour over the daily average")] = 3
    # Realtime events besides messages. Each is one Socket.IO room broadcast, so one Redis publish that
    # every realtime task receives; docs/sizing.md ("Demand model") gives each default's reasoning.
    typing_events_per_message: Annotated[
        float, Limits(ge=0, le=1_000, description="typing start/stop events per message sent")] = 2
    read_receipt_share: Annotated[
        float, Limits(ge=0, le=1, description="share of delivered messages acknowledged by their own read receipt")] = 0.2
    presence_changes_per_user: Annotated[
        float, Limits(ge=0, le=100_000, description="online/offline presence changes per user per day")] = 20


@record
class DemandEstimate(Record):
    """Load at the busiest minute (peak_*) and over a month (monthly_*, averages times 730 hours)."""

    usage: UsageAssumptions
    peak_concurrent_connections: int
    peak_messages_per_second: float
    peak_deliveries_per_second: float
    peak_api_requests_per_second: float
    peak_db_writes_per_second: float
    peak_db_reads_per_second: float
    peak_redis_pubsub_per_second: float  # Redis publishes: messages, typing, read receipts, presence
    peak_typing_events_per_second: float
    peak_read_receipts_per_second: float
    peak_presence_changes_per_second: float
    peak_sqs_push_per_second: float
    peak_sqs_offline_per_second: float
    peak_new_connections_per_second: float
    storage_growth_gb_per_month: float
    data_out_gb_per_month: float
    monthly_api_requests: float
    monthly_messages: float
    monthly_deliveries: float
    monthly_sqs_messages: float
    monthly_processed_gb: float  # bytes through the ALB (both directions), GB
    monthly_log_gb: float  # application log volume ingested, GB

    @property
    def dau(self) -> int:
        return self.usage.dau

    @property
    def peak_worker_jobs_per_second(self) -> float:
        """SQS messages the workers must consume per second at peak (push + offline queues)."""
        return self.peak_sqs_push_per_second + self.peak_sqs_offline_per_second
