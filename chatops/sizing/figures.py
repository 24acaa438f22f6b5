"""Per-unit capacity figures: what one task, one database vCPU or one cache node can carry.

Every figure names its source, or says plainly that it is a conservative assumption. They are
deliberately below the published maxima: a tier should hold its peak while autoscaling, deployments and
reconnect storms happen, not only in a benchmark. docs/sizing.md lists them with their reasoning.
"""

from __future__ import annotations

# --- Realtime (Socket.IO on Node.js) ------------------------------------------------------------------

#: Connections one vCPU of a Socket.IO process holds. A single Node process at 20,000 clients used ~90 %
#: of a core, 30,000 saturated it, each client receiving 1 KB/s (github.com/ezioda004/
#: benchmark-socketio-uwebsockets; socket.io "Memory usage"/"Performance tuning" docs). Chat clients
#: are mostly idle (25 s heartbeats, socket.io server options), but we keep half the benchmark's figure
#: for message fan-out, TLS-less ALB re-handshakes and reconnect storms.
CONNECTIONS_PER_VCPU = 10_000

#: Node.js runs JavaScript on one thread: a task with more than one vCPU does not hold more sockets
#: unless the app runs a cluster of processes, which the seed's apps do not.
NODE_USABLE_VCPU = 1.0

#: Memory of an idle Socket.IO connection with its per-socket state. socket.io's "Memory usage" page:
#: memory scales linearly with clients; websocket.org "connection limits": 2-10 KB idle, 10-100 KB+
#: active; a raw `ws` server held 250k sockets in 870 MB (~3.5 KB each; NeuronEnix/1-million-websocket).
#: 50 KB is the active end for Socket.IO with rooms, buffers and app state.
SOCKET_MEMORY_KB = 50

#: Memory a Node.js process and the container use before the first client (V8 heap, modules, agent).
NODE_BASELINE_MB = 150

# --- API (Node.js / Fastify, REST) ----------------------------------------------------------------------

#: Requests/s one vCPU of the API serves when each request does one or two PostgreSQL queries. A
#: conservative assumption: Node/Fastify serve thousands of trivial JSON requests/s per core
#: (fastify.dev benchmarks); with auth, validation and database round trips we plan for 200.
API_REQUESTS_PER_VCPU = 200

# --- Workers (SQS consumers sending pushes and offline deliveries) ------------------------------------

#: Jobs/s one vCPU of a worker completes. Jobs are I/O bound (an HTTP/2 call to FCM/APNs, one SQS
#: delete batch per 10 messages); an assumption of 400/s per vCPU with ~40 jobs in flight at 100 ms each.
WORKER_JOBS_PER_VCPU = 400

# --- Burstable instances (RDS db.t3/db.t4g, ElastiCache cache.t3/cache.t4g) ------------------------------

#: Share of each vCPU a burstable instance sustains without spending CPU credits, by size (EC2 User
#: Guide, "Key concepts and definitions for burstable performance instances": t3/t4g micro 10 %,
#: small 20 %, medium 20 %, large 30 %, xlarge 40 %, 2xlarge 40 %; RDS and ElastiCache T classes are
#: these instances). The busiest hour is planned at the baseline, never on credits.
BURSTABLE_BASELINE = {"micro": 0.10, "small": 0.20, "medium": 0.20, "large": 0.30, "xlarge": 0.40,
                      "2xlarge": 0.40}

# --- RDS for PostgreSQL ---------------------------------------------------------------------------------

#: Connections PostgreSQL keeps for superusers (superuser_reserved_connections default 3) and RDS's own
#: rdsadmin sessions; the application cannot use them.
RDS_RESERVED_CONNECTIONS = 5

#: Connections each application task holds to PostgreSQL: node-postgres's Pool defaults to max 10.
DB_POOL_PER_TASK = 10

#: Mean time a query holds a connection (Little's law: busy connections = queries/s x time).
DB_QUERY_SECONDS = 0.005

#: Single-row write transactions per second per database vCPU. An assumption well under pgbench results
#: on gp3 (thousands of TPS on a 2-vCPU r6g.large); commits wait on gp3's 3,000 baseline IOPS below
#: 400 GB (Amazon RDS User Guide, "gp3 storage").
DB_WRITES_PER_VCPU = 500

#: Indexed reads (a history page, an auth lookup) per second per database vCPU when the pages are
#: cached. An assumption: pgbench's select-only run does tens of thousands of primary-key lookups per
#: second per core; a chat history page reads ~50 rows by (conversation_id, created_at), so we plan for
#: 2,000 such queries per vCPU.
DB_READS_PER_VCPU = 2_000

#: With a read replica the app sends its history reads to DATABASE_READ_URL: one of the two queries per
#: API call (demand.DB_READS_PER_API_REQUEST); the auth lookup stays on the primary (read-your-writes).
DB_REPLICA_READ_SHARE = 0.5

# Working set: what PostgreSQL must find in memory for chat's reads and writes to stay off the disk.
# It is the recent heap of active conversations plus the index pages their queries walk, plus the rows
# of the people using the product. (It replaces "7 days of every message in memory", about 4x too much.)

#: Hours of messages chat reads from: reconnect catch-up (unread messages), conversation list previews
#: and the first history page of a conversation opened today. New rows are appended to the end of the
#: heap, so these hours are the last pages of the table. An assumption; older pages are read from gp3.
DB_RECENT_HOURS = 24

#: Heap bytes per message row over its payload: the 23-byte tuple header and 4-byte line pointer
#: (PostgreSQL "Database Page Layout"), ids (message, conversation, sender: 3 x 16-byte uuid), two
#: timestamps, flags and alignment padding, with the page's 10 % free space for updates: ~200 bytes.
MESSAGE_ROW_OVERHEAD_BYTES = 200

#: Index bytes per message: the primary key and (conversation_id, created_at) b-tree entries, each an
#: 8-byte index tuple header plus its keys, at the b-tree's 90 % leaf fill factor (PostgreSQL "B-Tree
#: Indexes", fillfactor): ~100 bytes. With MESSAGE_ROW_OVERHEAD_BYTES this is the 300 bytes of storage
#: per message over the payload the demand model uses.
MESSAGE_INDEX_BYTES = 100

#: PostgreSQL's block size (BLCKSZ, 8 kB by default and on RDS).
DB_PAGE_BYTES = 8_192

#: Conversations a user opens per day. Each active conversation's newest index entries sit on their own
#: (conversation_id, created_at) leaf page, so every one of them keeps a page hot. An assumption.
CONVERSATIONS_PER_USER_PER_DAY = 10

#: Index entries per inner b-tree page (8 kB pages of ~30-byte separator keys, ~250; we take 200): the
#: inner levels of every message index over the whole runway are 1/200 of its leaves, and every lookup
#: walks them, so they stay in memory whatever their age.
BTREE_INNER_FANOUT = 200

#: Rows of the people using the product (user, devices, memberships with read pointers, sessions) per
#: daily active user: 4 KB. An assumption.
DB_METADATA_BYTES_PER_DAU = 4_096

#: Share of instance memory that caches data: RDS for PostgreSQL's default effective_cache_size is
#: {DBInstanceClassMemory/16384} pages of 8 kB, i.e. half of memory (shared_buffers is a quarter,
#: {DBInstanceClassMemory/32768}, the OS page cache holds the rest; "RDS for PostgreSQL memory", Amazon
#: RDS User Guide). The other half is connections' work_mem, the OS and RDS's agents.
DB_CACHE_SHARE = 0.5

# Storage (gp3, storage autoscaling up to max_allocated_storage)

#: Months of message growth the database storage must hold up to its autoscaling ceiling at the planned
#: demand: a year before anyone has to raise max_allocated_storage.
STORAGE_RUNWAY_MONTHS = 12

#: Months of growth the first allocation holds when a profile is planned (plan --storage-months).
#: Allocated gp3 is billed whether used or not and never shrinks; autoscaling adds the rest.
DEFAULT_STORAGE_MONTHS = 3

#: RDS gp3 limits for PostgreSQL: 20 GiB to 64 TiB (Amazon RDS User Guide, "Amazon RDS DB instance storage").
RDS_STORAGE_MIN_GB = 20
RDS_STORAGE_MAX_GB = 65_536

#: max_allocated_storage over allocated_storage: RDS requires at least 10 % more and recommends at least
#: 26 % so the instance never raises the "storage reached its maximum threshold" event (RDS-EVENT-0225;
#: "Managing capacity automatically with Amazon RDS storage autoscaling").
RDS_MAX_STORAGE_OVER_ALLOCATED = 1.26

# --- ElastiCache (Redis OSS 7) --------------------------------------------------------------------------

#: ElastiCache parameter groups reserve 25 % of node memory (reserved-memory-percent) for snapshots,
#: replication buffers and failover (ElastiCache User Guide, "Managing reserved memory").
REDIS_USABLE_MEMORY_SHARE = 0.75

#: Redis memory per connected user: session + presence keys and adapter room bookkeeping (~1 KB).
REDIS_BYTES_PER_CONNECTION = 1_024

#: Baseline dataset: rate-limiter counters, adapter channels, caches (an assumption).
REDIS_BASE_MB = 64

#: Operations/s one Redis main thread sustains without pipelining: redis-benchmark reports ~100-180k
#: req/s (redis.io "Redis benchmark"; antirez gist 1892983); we take the low end. A pub/sub delivery to
#: one subscriber counts as one operation.
REDIS_OPS_PER_NODE = 100_000

#: Throughput over REDIS_OPS_PER_NODE on nodes whose extra cores run ElastiCache's I/O threads, which
#: write pub/sub deliveries to the subscribers' sockets (ElastiCache "Supported node types": enhanced
#: I/O multiplexing from xlarge, 4 vCPUs; "Supported engine versions": 7.0's multiplexing gave up to
#: 72 % more throughput on r6g.xlarge, and 7.1 up to twice 7.0's on nodes of 8 physical cores or more,
#: 2xlarge on Graviton). We take less than each "up to": x1.5 from 4 vCPUs, x2.5 from 8 on Redis 7.1.
REDIS_IO_THREADS_SPEEDUP_4_VCPU = 1.5
REDIS_IO_THREADS_SPEEDUP_8_VCPU_71 = 2.5

# --- Application Load Balancer ---------------------------------------------------------------------------

#: One LCU covers 25 new connections/s, 3,000 active connections (per minute), 1 GB/h processed for
#: IP targets, 1,000 rule evaluations/s; billing uses the highest (aws.amazon.com/elasticloadbalancing/
#: pricing). The ALB scales itself: LCUs are reported, not a headroom dimension.
ALB_NEW_CONNECTIONS_PER_LCU = 25
ALB_ACTIVE_CONNECTIONS_PER_LCU = 3_000
ALB_GB_PER_HOUR_PER_LCU = 1.0
ALB_RULE_EVALUATIONS_PER_LCU = 1_000
