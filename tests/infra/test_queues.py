"""Queues under the mock engine: DLQs, redrive, SSE, long polling, retention, protect in prod."""

from __future__ import annotations

import json

import pytest

from chatops.model.loading import load_profile
from chatops.model.naming import LIMITS, Names
from tests.support.infra_data_harness import synth

Q = "aws:sqs/queue:Queue"


def build(tier: str, project: str = "chat", stack: str = "test"):
    from chatops.infra.queues import Queues

    return synth(lambda: Queues("queues", profile=load_profile(tier), names=Names(project, stack)))


@pytest.fixture(scope="module")
def prod():
    return build("100k-dau")


def test_four_encrypted_long_polling_queues(prod):
    queues = prod.of_type(Q)
    assert len(queues) == 4
    for q in queues:
        assert q.plain("sqsManagedSseEnabled") is True
        assert q.plain("receiveWaitTimeSeconds") == 20
        assert len(q.plain("name")) <= LIMITS["sqs"]


def test_main_queues_redrive_to_their_dlq_after_three_receives(prod):
    push, offline = prod.named("push"), prod.named("offline")
    assert push.plain("visibilityTimeoutSeconds") == 60 and push.plain("messageRetentionSeconds") == 4 * 86400
    assert offline.plain("visibilityTimeoutSeconds") == 300
    assert offline.plain("messageRetentionSeconds") == 7 * 86400
    for q, dlq in ((push, "push-dlq"), (offline, "offline-dlq")):
        policy = json.loads(q.plain("redrivePolicy"))
        assert policy["maxReceiveCount"] == 3
        assert policy["deadLetterTargetArn"].endswith(Names("chat", "test", "us-east-1").of("sqs", dlq))
    for dlq in ("push-dlq", "offline-dlq"):
        assert prod.named(dlq).plain("messageRetentionSeconds") == 14 * 86400
        assert prod.named(dlq).plain("redrivePolicy") is None


def test_redrive_allow_only_from_the_source_queue(prod):
    allows = prod.of_type("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy")
    assert len(allows) == 2
    for allow in allows:
        policy = json.loads(allow.plain("redriveAllowPolicy"))
        assert policy["redrivePermission"] == "byQueue" and len(policy["sourceQueueArns"]) == 1


def test_protect_in_prod_only(prod):
    assert all(q.protect for q in prod.of_type(Q))
    assert not any(q.protect for q in build("dev").of_type(Q))


def test_two_stacks_get_different_names():
    a = {q.plain("name") for q in build("dev", stack="a").of_type(Q)}
    b = {q.plain("name") for q in build("dev", stack="b").of_type(Q)}
    assert not a & b


def test_every_dlq_keeps_messages_a_week_longer_than_its_queue(prod):
    # A redriven message keeps its original enqueue time: with equal retention it would expire in the
    # DLQ the moment it arrives (SQS Developer Guide, dead-letter queues).
    for main in ("push", "offline"):
        main_retention = prod.named(main).plain("messageRetentionSeconds")
        dlq_retention = prod.named(f"{main}-dlq").plain("messageRetentionSeconds")
        assert dlq_retention - main_retention >= 7 * 86400, main
