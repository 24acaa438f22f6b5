"""Demand: usage assumptions in (what users do), load out (what the infrastructure must carry).

The estimator lives in chatops/sizing/demand.py; costing reads the monthly quantities from the same
DemandEstimate, so the capacity plan and the usage-based costs describe the same traffic.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MAX_DAU = 1_000_000_000


class UsageAssumptions(BaseModel):
    """What users do. Each default's reasoning and source is in docs/sizing.md ("Demand model")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dau: int = Field(gt=0, le=MAX_DAU, description="daily active users")
    # 0.15 = 72 connected minutes per user per day x peak factor 3 / 1440 (Little's law); inside the
    # seed's 10-30 % range, whose upper end the tiers reach by autoscaling.
    peak_concurrency: float = Field(default=0.15, gt=0, le=1,
                                    description="share of DAU connected at the busiest minute")
    messages_per_user: float = Field(default=40, ge=0, le=100_000, description="messages sent per user per day")
    message_bytes: int = Field(default=512, gt=0, le=262_144, description="average message payload in bytes")
    fanout: float = Field(default=5, ge=1, le=100_000, description="recipients per message")
    api_requests_per_user: float = Field(default=100, ge=0, le=1_000_000, description="REST calls per user per day")
    peak_factor: float = Field(default=3, ge=1, le=100, description="busiest hour over the daily average")


class DemandEstimate(BaseModel):
    """Load at the busiest minute (peak_*) and over a month (monthly_*, averages times 730 hours)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    usage: UsageAssumptions
    peak_concurrent_connections: int
    peak_messages_per_second: float
    peak_deliveries_per_second: float
    peak_api_requests_per_second: float
    peak_db_writes_per_second: float
    peak_db_reads_per_second: float
    peak_redis_pubsub_per_second: float
    peak_sqs_push_per_second: float
    peak_sqs_offline_per_second: float
    peak_new_connections_per_second: float
    storage_growth_gb_per_month: float
    data_out_gb_per_month: float
    monthly_api_requests: float
    monthly_messages: float
    monthly_deliveries: float
    monthly_sqs_messages: float
    monthly_processed_gb: float = Field(description="bytes through the ALB (both directions), GB")
    monthly_log_gb: float = Field(description="application log volume ingested, GB")

    @property
    def dau(self) -> int:
        return self.usage.dau

    @property
    def peak_worker_jobs_per_second(self) -> float:
        """SQS messages the workers must consume per second at peak (push + offline queues)."""
        return self.peak_sqs_push_per_second + self.peak_sqs_offline_per_second
