"""The SNS alert topic: free itself; alarm notifications are publish requests (email deliveries of a
few notifications fall in the free 1,000)."""

from __future__ import annotations

from chatops.costing import usage
from chatops.costing.components import Pricer, ResourceCost, resource

TOPIC_TYPE = "aws:sns/topic:Topic"
MILLION = 1_000_000


def price_topic(pricer: Pricer, alarms: int) -> ResourceCost:
    millions = usage.dec(alarms * usage.NOTIFICATIONS_PER_ALARM) / MILLION
    return resource("alert topic", TOPIC_TYPE, 1, [
        pricer.line("publish requests", "1M requests", millions, "sns.requests_million", usage_based=True),
    ])
