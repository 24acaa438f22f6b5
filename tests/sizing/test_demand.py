"""The demand model's realtime events: typing, read receipts and presence reach Redis, receipts the database."""

from __future__ import annotations

import pytest

from chatops.model.demand import UsageAssumptions
from chatops.sizing.demand import DB_WRITES_PER_MESSAGE, STORED_BYTES_OVERHEAD, estimate_demand
from chatops.sizing.figures import MESSAGE_INDEX_BYTES, MESSAGE_ROW_OVERHEAD_BYTES

# 100,000 DAU x 40 messages / 86,400 s x peak factor 3 = 138.9 messages/s at the peak, 694.4 deliveries/s.
PEAK_MESSAGES = 100_000 * 40 / 86_400 * 3


def test_default_events_at_100k_dau():
    d = estimate_demand(UsageAssumptions(dau=100_000))
    assert d.peak_typing_events_per_second == pytest.approx(2 * PEAK_MESSAGES)  # start + stop per message
    assert d.peak_read_receipts_per_second == pytest.approx(0.2 * 5 * PEAK_MESSAGES)  # 20 % of 5 deliveries
    assert d.peak_presence_changes_per_second == pytest.approx(100_000 * 20 / 86_400 * 3)
    assert d.peak_redis_pubsub_per_second == pytest.approx(625.0)  # 138.9 + 277.8 + 138.9 + 69.4


def test_every_event_is_one_redis_publish():
    d = estimate_demand(UsageAssumptions(dau=10_000))
    assert d.peak_redis_pubsub_per_second == pytest.approx(
        d.peak_messages_per_second + d.peak_typing_events_per_second + d.peak_read_receipts_per_second
        + d.peak_presence_changes_per_second)


def test_without_typing_receipts_and_presence_only_messages_are_published():
    quiet = UsageAssumptions(dau=10_000, typing_events_per_message=0, read_receipt_share=0, presence_changes_per_user=0)
    d = estimate_demand(quiet)
    assert d.peak_redis_pubsub_per_second == pytest.approx(d.peak_messages_per_second)
    assert d.peak_db_writes_per_second == pytest.approx(d.peak_messages_per_second * DB_WRITES_PER_MESSAGE)


def test_a_read_receipt_writes_the_readers_pointer():
    d = estimate_demand(UsageAssumptions(dau=10_000))
    assert d.peak_db_writes_per_second == pytest.approx(
        d.peak_messages_per_second * DB_WRITES_PER_MESSAGE + d.peak_read_receipts_per_second)


def test_storage_per_message_is_the_heap_row_and_its_index_entries():
    assert STORED_BYTES_OVERHEAD == MESSAGE_ROW_OVERHEAD_BYTES + MESSAGE_INDEX_BYTES == 300


def test_the_usage_file_sets_the_event_assumptions(run, tmp_path):
    usage = tmp_path / "usage.yaml"
    usage.write_text("dau: 20000\ntyping-events-per-message: 6\nread_receipt_share: 1\npresence_changes_per_user: 0\n")
    result = run("plan", "--usage-file", str(usage), "--json")
    assert result.exit_code == 0, result.stderr
    import json

    demand = json.loads(result.stdout)["demand"]
    assert demand["peak_typing_events_per_second"] == pytest.approx(6 * demand["peak_messages_per_second"], rel=1e-3)
    assert demand["peak_presence_changes_per_second"] == 0


def test_the_usage_file_rejects_a_share_above_one(run, tmp_path):
    usage = tmp_path / "usage.yaml"
    usage.write_text("dau: 20000\nread_receipt_share: 1.5\n")
    result = run("plan", "--usage-file", str(usage))
    assert result.exit_code == 1 and "read_receipt_share" in result.stderr
