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

# --- RDS for PostgreSQL ---------------------------------------------------------------------------------


#: Connections PostgreSQL keeps for superusers (superuser_reserved_connections default 3) and RDS's own
#: rdsadmin sessions; the application cannot use them.
RDS_RESERVED_CONNECTIONS = 5

#: Connections each application task holds to PostgreSQL: node-postgres's Pool defaults to max 10.
DB_POOL_PER_TASK = 10

#: Mean time a query holds a connection (Little's law: busy connections = queries/s x time).
DB_QUERY_SECONDS = 0.005

#: Days of messages the database should keep in memory: chat reads are recent conversations, so the
#: last week of message rows and indexes is the hot set (an assumption; RDS for PostgreSQL sets
#: shared_buffers to 25 % of memory and leans on the OS page cache for the rest).
DB_HOT_DAYS = 7

#: Single-row write transactions per second per database vCPU. An assumption well under pgbench results
#: on gp3 (thousands of TPS on a 2-vCPU r6g.large); commits wait on gp3's 3,000 baseline IOPS below
#: 400 GB (Amazon RDS User Guide, "gp3 storage").
DB_WRITES_PER_VCPU = 500

# --- ElastiCache (Redis OSS 7) --------------------------------------------------------------------------

#: ElastiCache parameter groups reserve 25 % of node memory (reserved-memory-percent) for snapshots,
#: replication buffers and failover (ElastiCache User Guide, "Managing reserved memory").
REDIS_USABLE_MEMORY_SHARE = 0.75

#: Redis memory per connected user: session + presence keys and adapter room bookkeeping (~1 KB).
REDIS_BYTES_PER_CONNECTION = 1_024

#: Baseline dataset: rate-limiter counters, adapter channels, caches (an assumption).
REDIS_BASE_MB = 64

#: Operations/s one Redis main thread sustains without pipelining: redis-benchmark reports ~100-180k
#: req/s (redis.io "Redis benchmark"; antirez gist 1892983); we take the low end.
REDIS_OPS_PER_NODE = 100_000

#: Burstable node types sustain only their CPU baseline (EC2 "Burstable performance instances",
#: baseline per vCPU: t3/t4g micro 10 %, small 20 %, medium 20 %); above it they spend credits.
REDIS_BURSTABLE_BASELINE = {"micro": 0.10, "small": 0.20, "medium": 0.20}

# --- Application Load Balancer ---------------------------------------------------------------------------

#: One LCU covers 25 new connections/s, 3,000 active connections (per minute), 1 GB/h processed for
#: IP targets, 1,000 rule evaluations/s; billing uses the highest (aws.amazon.com/elasticloadbalancing/
#: pricing). The ALB scales itself: LCUs are reported, not a headroom dimension.
ALB_NEW_CONNECTIONS_PER_LCU = 25
ALB_ACTIVE_CONNECTIONS_PER_LCU = 3_000
ALB_GB_PER_HOUR_PER_LCU = 1.0
ALB_RULE_EVALUATIONS_PER_LCU = 1_000
