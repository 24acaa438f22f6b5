"""What AWS actually offers: RDS for PostgreSQL instance classes, ElastiCache node types, Fargate sizes.

Pure data, used by profile validation (a class must exist for its engine), by sizing (memory and
vCPU drive capacity) and by costing (which classes need a price).

Sources:
- RDS: "Supported DB engines for DB instance classes" and "Hardware specifications for DB instance
  classes" in the Amazon RDS User Guide (docs.aws.amazon.com/AmazonRDS/latest/UserGuide/
  Concepts.DBInstanceClass.Support.html, ...DBInstanceClass.Summary.html).
- ElastiCache: "Supported node types" (docs.aws.amazon.com/AmazonElastiCache/latest/dg/
  CacheNodes.SupportedTypes.html). T3 and T4g stop at medium; M6g starts at large
  (so the seed's cache.t3.large and cache.m6g.medium do not exist).
- Fargate: "Task CPU and memory" in the Amazon ECS Developer Guide.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class InstanceClass:
    """One RDS instance class or ElastiCache node type."""

    name: str
    vcpu: int
    memory_gib: float

    @property
    def family(self) -> str:
        # "db.r6g.large" -> "r6g"; "cache.t3.micro" -> "t3"
        return self.name.split(".")[1]

    @property
    def size(self) -> str:
        return self.name.split(".")[2]

    @property
    def graviton(self) -> bool:
        # AWS names Graviton families with a "g" after the generation digit (t4g, m6g, r7g).
        return self.family.endswith("g")

    @property
    def burstable(self) -> bool:
        return self.family.startswith("t")


def _classes(prefix: str, families: tuple[str, ...], sizes: Mapping[str, tuple[int, float]]) -> dict[str, InstanceClass]:
    out: dict[str, InstanceClass] = {}
    for family in families:
        for size, (vcpu, mem) in sizes.items():
            name = f"{prefix}.{family}.{size}"
            out[name] = InstanceClass(name, vcpu, mem)
    return out


_RDS_BURSTABLE = {"micro": (2, 1), "small": (2, 2), "medium": (2, 4), "large": (2, 8), "xlarge": (4, 16), "2xlarge": (8, 32)}
_RDS_GENERAL = {"large": (2, 8), "xlarge": (4, 16), "2xlarge": (8, 32), "4xlarge": (16, 64), "8xlarge": (32, 128),
                "12xlarge": (48, 192), "16xlarge": (64, 256)}
_RDS_MEMORY = {"large": (2, 16), "xlarge": (4, 32), "2xlarge": (8, 64), "4xlarge": (16, 128), "8xlarge": (32, 256),
               "12xlarge": (48, 384), "16xlarge": (64, 512)}

#: RDS for PostgreSQL instance classes (the current families that support PostgreSQL 13 to 17).
RDS_POSTGRES_CLASSES: dict[str, InstanceClass] = {
    **_classes("db", ("t3", "t4g"), _RDS_BURSTABLE),
    **_classes("db", ("m5", "m6g", "m6i", "m7g"), _RDS_GENERAL),
    **_classes("db", ("r5", "r6g", "r6i", "r7g"), _RDS_MEMORY),
}

_CACHE_BURSTABLE = {"micro": (2, 0.5), "small": (2, 1.37), "medium": (2, 3.09)}
_CACHE_GENERAL = {"large": (2, 6.38), "xlarge": (4, 12.93), "2xlarge": (8, 26.04), "4xlarge": (16, 52.26),
                  "8xlarge": (32, 103.68), "12xlarge": (48, 157.12), "16xlarge": (64, 209.55)}
_CACHE_MEMORY = {"large": (2, 13.07), "xlarge": (4, 26.32), "2xlarge": (8, 52.82), "4xlarge": (16, 105.81),
                 "8xlarge": (32, 209.55), "12xlarge": (48, 317.77), "16xlarge": (64, 419.09)}

#: ElastiCache node types that run Redis OSS 7 with encryption in transit and at rest.
CACHE_NODE_TYPES: dict[str, InstanceClass] = {
    **_classes("cache", ("t3", "t4g"), _CACHE_BURSTABLE),
    **_classes("cache", ("m6g", "m7g"), _CACHE_GENERAL),
    **_classes("cache", ("r6g", "r7g"), _CACHE_MEMORY),
}

#: Fargate task CPU units -> the memory sizes (MiB) allowed with it (Linux).
FARGATE_MEMORY_MB: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

#: CloudWatch Logs accepts only these retention periods (PutRetentionPolicy).
LOG_RETENTION_DAYS: tuple[int, ...] = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                                       1827, 2192, 2557, 2922, 3288, 3653)

#: PostgreSQL major versions RDS supports and chatops accepts.
POSTGRES_MAJOR_VERSIONS: tuple[int, ...] = (13, 14, 15, 16, 17)

#: AWS WAF rate-based rule limit range (requests per evaluation window); the minimum is 10.
WAF_RATE_LIMIT_MIN = 10
WAF_RATE_LIMIT_MAX = 2_000_000_000

#: AWS Backup continuous backups (point-in-time recovery) keep at most 35 days.
CONTINUOUS_BACKUP_MAX_DAYS = 35


def closest_names(name: str, known: Mapping[str, InstanceClass], limit: int = 3) -> list[str]:
    """Suggestions for a mistyped class: same family first, then same size."""
    parts = name.split(".")
    family = parts[1] if len(parts) > 1 else ""
    size = parts[2] if len(parts) > 2 else ""
    same_family = [k for k, v in known.items() if v.family == family]
    same_size = [k for k, v in known.items() if v.size == size]
    return (same_family or same_size)[:limit]
