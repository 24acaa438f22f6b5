"""SQS: the push-notification and offline-message queues, each with a dead-letter queue.

Settings (the seed does not state them; these are ours, documented in docs/infra-data.md):
- push: visibility 60 s (a push send is quick), retention 4 days (a stale notification is useless).
- offline: visibility 300 s (batch delivery of stored messages), retention 7 days.
- DLQs: retention 14 days (the SQS maximum), so failures can be inspected and redriven.

A message keeps its original enqueue time when it moves to a dead-letter queue, so a DLQ must keep
messages longer than its source queue or they expire there at once (SQS Developer Guide, "Using
dead-letter queues": "always set the retention period of a dead-letter queue to be longer than the
retention period of the original queue"). The offline queue therefore keeps 7 days, not 14.
All queues use SQS-managed encryption and 20 s long polling; a message moves to its DLQ after 3 receives.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from chatops.model.naming import Names
from chatops.model.profile import Profile

MAX_RECEIVE_COUNT = 3
LONG_POLL_SECONDS = 20
DAY = 86400


@dataclass(frozen=True)
class QueueSettings:
    visibility_timeout_seconds: int
    retention_seconds: int


QUEUE_SETTINGS: dict[str, QueueSettings] = {
    "push": QueueSettings(visibility_timeout_seconds=60, retention_seconds=4 * DAY),
    "offline": QueueSettings(visibility_timeout_seconds=300, retention_seconds=7 * DAY),
}
DLQ_RETENTION_SECONDS = 14 * DAY


class Queues(pulumi.ComponentResource):
    push: aws.sqs.Queue
    offline: aws.sqs.Queue
    push_dlq: aws.sqs.Queue
    offline_dlq: aws.sqs.Queue

    def __init__(self, name: str, *, profile: Profile, names: Names,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("chatops:data:Queues", name, None, opts)
        self._names = names
        # Queues hold undelivered user messages: protect them in prod.
        self._child = pulumi.ResourceOptions(parent=self, protect=profile.is_production)
        self.push_dlq = self._queue("push-dlq", DLQ_RETENTION_SECONDS, visibility=60)
        self.offline_dlq = self._queue("offline-dlq", DLQ_RETENTION_SECONDS, visibility=300)
        self.push = self._main_queue("push", self.push_dlq)
        self.offline = self._main_queue("offline", self.offline_dlq)
        self.register_outputs({
            "push_url": self.push.url, "offline_url": self.offline.url,
            "push_dlq_url": self.push_dlq.url, "offline_dlq_url": self.offline_dlq.url,
        })

    def _queue(self, component: str, retention: int, visibility: int,
               redrive_policy: Optional[pulumi.Input[str]] = None) -> aws.sqs.Queue:
        return aws.sqs.Queue(
            component,
            name=self._names.of("sqs", component),
            visibility_timeout_seconds=visibility,
            message_retention_seconds=retention,
            receive_wait_time_seconds=LONG_POLL_SECONDS,
            sqs_managed_sse_enabled=True,
            redrive_policy=redrive_policy,
            opts=self._child,
        )

    def _main_queue(self, component: str, dlq: aws.sqs.Queue) -> aws.sqs.Queue:
        settings = QUEUE_SETTINGS[component]
        redrive = dlq.arn.apply(lambda arn: json.dumps({"deadLetterTargetArn": arn,
                                                        "maxReceiveCount": MAX_RECEIVE_COUNT}))
        queue = self._queue(component, settings.retention_seconds, settings.visibility_timeout_seconds, redrive)
        # Only this queue may use the DLQ. A separate resource, because the DLQ exists before its source.
        aws.sqs.RedriveAllowPolicy(
            f"{component}-dlq-allow",
            queue_url=dlq.url,
            redrive_allow_policy=queue.arn.apply(lambda arn: json.dumps({
                "redrivePermission": "byQueue", "sourceQueueArns": [arn]})),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return queue
