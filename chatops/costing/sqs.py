"""SQS: push and offline queues and their two dead-letter queues. Queues are free; requests are billed
(sends, receives, deletes and the workers' empty long polls)."""

from __future__ import annotations

from chatops.costing import usage
from chatops.costing.components import Pricer, ResourceCost, resource
from chatops.model.demand import DemandEstimate
from chatops.model.profile import Profile

QUEUE_TYPE = "aws:sqs/queue:Queue"
QUEUES = 4
MILLION = 1_000_000


def price_queues(pricer: Pricer, profile: Profile, demand: DemandEstimate) -> ResourceCost:
    millions = usage.sqs_requests(demand, profile.workers.desired_count) / MILLION
    return resource("sqs queues", QUEUE_TYPE, QUEUES, [
        pricer.line("standard requests", "1M requests", millions, "sqs.requests_million", usage_based=True),
    ])
