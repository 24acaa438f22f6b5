"""Monthly usage quantities for the usage-based cost lines, derived from the DemandEstimate.

The demand model (chatops/sizing/demand.py) says what users do; this module turns it into what AWS
meters (LCU-hours, NAT GB, WAF requests, SQS requests, log GB, backup GB ...). Every constant here is
an assumption written down with its reason; docs/costing.md lists them.
"""

from __future__ import annotations

from decimal import Decimal

from chatops.costing.money import HOURS_PER_MONTH, dec
from chatops.model.demand import DemandEstimate
from chatops.model.profile import Profile

GB = Decimal(1_000_000_000)
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600

#: ALB LCU dimensions (AWS ELB pricing page): per LCU, 25 new connections/s, 3,000 active connections
#: (per minute), 1 GB/hour processed for container targets.
LCU_NEW_CONNECTIONS_PER_SECOND = Decimal(25)
LCU_ACTIVE_CONNECTIONS = Decimal(3000)
LCU_GB_PER_HOUR = Decimal(1)
#: Each Socket.IO connection costs about two HTTP requests through the ALB and WAF (handshake + upgrade).
HTTP_REQUESTS_PER_CONNECTION = Decimal(2)
#: SQS: each message is sent once (1 request, payload < 64 KB); workers receive with
#: MaxNumberOfMessages=10 and delete with DeleteMessageBatch, so receive + delete cost 2/10 request per
#: message under load (docs/infra.md asks the workers app to batch; unbatched it would be 3 per message).
SQS_SEND_REQUESTS_PER_MESSAGE = Decimal(1)
SQS_BATCH_SIZE = Decimal(10)
SQS_REQUESTS_PER_MESSAGE = SQS_SEND_REQUESTS_PER_MESSAGE + 2 / SQS_BATCH_SIZE
#: Each worker long-polls both work queues with a 20 s wait: 3 receives a minute per queue when idle.
SQS_EMPTY_RECEIVES_PER_WORKER_QUEUE = Decimal(3 * 60) * HOURS_PER_MONTH
WORK_QUEUES = 2
#: Bytes per SQS API call through NAT (request + response envelope over the payload) and per push call.
SQS_CALL_OVERHEAD_BYTES = Decimal(1024)
PUSH_CALL_BYTES = Decimal(2048)
#: VPC flow logs: a ~150-byte record per flow and direction per 10-minute aggregation interval.
FLOW_RECORD_BYTES = Decimal(150)
FLOW_INTERVALS_PER_MONTH = HOURS_PER_MONTH * 6
#: Container Insights (classic, ECS): about one 2 KB performance event per task per minute.
CONTAINER_INSIGHTS_GB_PER_TASK = Decimal(2048) * 60 * HOURS_PER_MONTH / GB
#: Application custom metrics (ActiveConnections, EventLoopLag per service dimension).
APP_CUSTOM_METRICS = 2
#: ALB access logs: ~450 bytes a line, ~8x gzip; one log object per ALB node (zone) every 5 minutes.
ACCESS_LOG_BYTES_PER_REQUEST = Decimal(450) / 8
ACCESS_LOG_OBJECTS_PER_ZONE = Decimal(12) * HOURS_PER_MONTH
#: Lifecycle expiry assumed for the access-log bucket.
ACCESS_LOG_RETENTION_DAYS = 90
#: ECR: images kept per repository by the lifecycle rules, and a compressed Node.js image size.
ECR_IMAGES_KEPT = 10
ECR_IMAGE_GB = Decimal("0.3")
#: SNS: alarm notifications published per alarm per month (state changes).
NOTIFICATIONS_PER_ALARM = 10
DAYS_PER_MONTH = Decimal("30.42")


def monthly_new_connections(d: DemandEstimate) -> Decimal:
    # peak_* is the busiest minute; the monthly average is peak / peak_factor.
    return dec(d.peak_new_connections_per_second) / dec(d.usage.peak_factor) * SECONDS_PER_MONTH


def average_concurrent_connections(d: DemandEstimate) -> Decimal:
    return dec(d.peak_concurrent_connections) / dec(d.usage.peak_factor)


def alb_requests(d: DemandEstimate) -> Decimal:
    return dec(d.monthly_api_requests) + monthly_new_connections(d) * HTTP_REQUESTS_PER_CONNECTION


def alb_lcu_hours(d: DemandEstimate) -> Decimal:
    """LCU-hours a month: the highest LCU dimension at average load, every hour."""
    new_per_second = monthly_new_connections(d) / SECONDS_PER_MONTH
    gb_per_hour = dec(d.monthly_processed_gb) / HOURS_PER_MONTH
    lcus = max(new_per_second / LCU_NEW_CONNECTIONS_PER_SECOND,
               average_concurrent_connections(d) / LCU_ACTIVE_CONNECTIONS,
               gb_per_hour / LCU_GB_PER_HOUR)
    return lcus * HOURS_PER_MONTH


def sqs_requests(d: DemandEstimate, workers: int) -> Decimal:
    polls = SQS_EMPTY_RECEIVES_PER_WORKER_QUEUE * workers * WORK_QUEUES
    return dec(d.monthly_sqs_messages) * SQS_REQUESTS_PER_MESSAGE + polls


def nat_gb(d: DemandEstimate) -> Decimal:
    """Traffic from private tasks to public AWS endpoints and the internet (no interface endpoints):
    application logs, SQS calls and push-notification calls. ECR layers use the S3 gateway endpoint."""
    sqs_bytes = dec(d.monthly_sqs_messages) * SQS_REQUESTS_PER_MESSAGE * (dec(d.usage.message_bytes) + SQS_CALL_OVERHEAD_BYTES)
    push_bytes = dec(d.monthly_sqs_messages) / 2 * PUSH_CALL_BYTES
    return dec(d.monthly_log_gb) + (sqs_bytes + push_bytes) / GB


def flow_log_gb(d: DemandEstimate) -> Decimal:
    records = (average_concurrent_connections(d) * FLOW_INTERVALS_PER_MONTH + monthly_new_connections(d)) * 2
    return records * FLOW_RECORD_BYTES / GB


def stored_gb(monthly_gb: Decimal, retention_days: int) -> Decimal:
    """Steady-state stored volume of data kept `retention_days`."""
    return monthly_gb * dec(retention_days) / DAYS_PER_MONTH


def access_log_stored_gb(d: DemandEstimate) -> Decimal:
    return stored_gb(alb_requests(d) * ACCESS_LOG_BYTES_PER_REQUEST / GB, ACCESS_LOG_RETENTION_DAYS)


def backup_gb(profile: Profile, d: DemandEstimate) -> Decimal:
    """AWS Backup keeps one full copy of the database plus the changes over the longest retention.
    Snapshots are incremental, so changes ~ storage growth per day times the days kept."""
    b = profile.backup
    days = max(b.daily_retention_days, b.weekly_retention_days)
    growth_per_day = dec(d.storage_growth_gb_per_month) / DAYS_PER_MONTH
    return dec(profile.database.allocated_storage_gb) + growth_per_day * dec(days)
