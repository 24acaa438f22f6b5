"""PostgreSQL max_connections per RDS instance class: one formula for capacity, parameter group and alarms."""

from __future__ import annotations

from chatops.model import catalog

#: RDS for PostgreSQL's default parameter group: max_connections = LEAST({DBInstanceClassMemory/9531392},
#: 5000) (Amazon RDS User Guide, "Quotas and constraints" -> "Maximum number of database connections").
MAX_CONNECTIONS_DIVISOR = 9_531_392
MAX_CONNECTIONS_CAP = 5_000

#: DBInstanceClassMemory is the class's memory less what the OS and RDS processes keep. AWS does not
#: publish it; this fit (0.2 GiB + 3 % of memory) reproduces the measured defaults within 2 %:
#: 2 GiB -> 198, 4 GiB -> 413, 8 GiB -> 856, 15.25 GiB -> 1660 (gist guizmaii/1cacffef793c2ba9645083c3e18b3d8c,
#: `show max_connections;` on RDS PostgreSQL).
RDS_RESERVED_GIB_BASE = 0.2
RDS_RESERVED_SHARE = 0.03


def max_connections(instance_class: str) -> int:
    """RDS's default LEAST(DBInstanceClassMemory/9531392, 5000) for this class. The chat parameter group
    sets exactly this value, so sizing's capacity and the connections alarm describe what deploys."""
    gib = catalog.RDS_POSTGRES_CLASSES[instance_class].memory_gib
    class_memory = (gib - RDS_RESERVED_GIB_BASE - RDS_RESERVED_SHARE * gib) * 1024**3
    return int(min(class_memory // MAX_CONNECTIONS_DIVISOR, MAX_CONNECTIONS_CAP))
