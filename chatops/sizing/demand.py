"""DAU -> load. Pure arithmetic over UsageAssumptions; constants say where they come from.

A first version written with the model so costing can price usage; the sizing work refines it.
"""

from __future__ import annotations

from chatops.model.demand import DemandEstimate, UsageAssumptions
from chatops.sizing import figures as f

SECONDS_PER_DAY = 86_400
HOURS_PER_MONTH = 730
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
GB = 1_000_000_000

#: Rows written per message (message row + conversation/unread update).
DB_WRITES_PER_MESSAGE = 2
#: Rows written per read receipt: the reader's last-read pointer in the conversation membership.
DB_WRITES_PER_READ_RECEIPT = 1
#: Queries per API request (auth lookup + the request's own read).
DB_READS_PER_API_REQUEST = 2
#: Share of recipients offline when a message is sent: each gets a push and an offline-queue entry.
OFFLINE_RECIPIENT_SHARE = 0.3
#: Average API response size, bytes.
API_RESPONSE_BYTES = 2_048
#: Socket.IO frame + TLS overhead per delivered message, bytes.
DELIVERY_OVERHEAD_BYTES = 100
#: Stored bytes per message over the payload: the heap row's overhead and its index entries
#: (figures.py says where each comes from; the working-set model reads the same two figures).
STORED_BYTES_OVERHEAD = f.MESSAGE_ROW_OVERHEAD_BYTES + f.MESSAGE_INDEX_BYTES
#: Connections are re-established this often per connected user per hour (reconnects, app switches).
RECONNECTS_PER_HOUR = 2
#: Log lines per API request / per message, at ~200 bytes a line.
LOG_BYTES_PER_EVENT = 200


def estimate_demand(usage: UsageAssumptions) -> DemandEstimate:
    daily_messages = usage.dau * usage.messages_per_user
    daily_api = usage.dau * usage.api_requests_per_user
    avg_msgs = daily_messages / SECONDS_PER_DAY
    avg_api = daily_api / SECONDS_PER_DAY
    peak_msgs = avg_msgs * usage.peak_factor
    peak_api = avg_api * usage.peak_factor
    peak_deliveries = peak_msgs * usage.fanout
    offline_per_message = usage.fanout * OFFLINE_RECIPIENT_SHARE
    peak_conns = max(1, round(usage.dau * usage.peak_concurrency))
    peak_typing = peak_msgs * usage.typing_events_per_message
    peak_receipts = peak_deliveries * usage.read_receipt_share
    peak_presence = usage.dau * usage.presence_changes_per_user / SECONDS_PER_DAY * usage.peak_factor

    monthly_messages = avg_msgs * SECONDS_PER_MONTH
    monthly_api = avg_api * SECONDS_PER_MONTH
    monthly_deliveries = monthly_messages * usage.fanout
    delivered_bytes = monthly_deliveries * (usage.message_bytes + DELIVERY_OVERHEAD_BYTES)
    api_bytes = monthly_api * API_RESPONSE_BYTES
    inbound_bytes = monthly_messages * (usage.message_bytes + DELIVERY_OVERHEAD_BYTES)

    return DemandEstimate(
        usage=usage,
        peak_concurrent_connections=peak_conns,
        peak_messages_per_second=peak_msgs,
        peak_deliveries_per_second=peak_deliveries,
        peak_api_requests_per_second=peak_api,
        peak_db_writes_per_second=peak_msgs * DB_WRITES_PER_MESSAGE + peak_receipts * DB_WRITES_PER_READ_RECEIPT,
        peak_db_reads_per_second=peak_api * DB_READS_PER_API_REQUEST,
        # The Socket.IO Redis adapter publishes once per room broadcast: every message, typing event, read
        # receipt (to the conversation, so the sender sees it) and presence change (to the user's contacts).
        peak_redis_pubsub_per_second=peak_msgs + peak_typing + peak_receipts + peak_presence,
        peak_typing_events_per_second=peak_typing,
        peak_read_receipts_per_second=peak_receipts,
        peak_presence_changes_per_second=peak_presence,
        peak_sqs_push_per_second=peak_msgs * offline_per_message,
        peak_sqs_offline_per_second=peak_msgs * offline_per_message,
        peak_new_connections_per_second=peak_conns * RECONNECTS_PER_HOUR / 3600,
        storage_growth_gb_per_month=monthly_messages * (usage.message_bytes + STORED_BYTES_OVERHEAD) / GB,
        data_out_gb_per_month=(delivered_bytes + api_bytes) / GB,
        monthly_api_requests=monthly_api,
        monthly_messages=monthly_messages,
        monthly_deliveries=monthly_deliveries,
        monthly_sqs_messages=monthly_messages * offline_per_message * 2,
        monthly_processed_gb=(delivered_bytes + api_bytes + inbound_bytes) / GB,
        monthly_log_gb=(monthly_api + monthly_messages) * LOG_BYTES_PER_EVENT / GB,
    )
