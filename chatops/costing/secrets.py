"""Secrets Manager secrets: the three database roles' credentials (master, chat_app, chat_readonly),
DATABASE_URL, the read-replica URL when enabled, and the Redis AUTH token."""

from __future__ import annotations

from chatops.costing.components import Pricer, ResourceCost, resource
from chatops.model.profile import Profile

SECRET_TYPE = "aws:secretsmanager/secret:Secret"


def secret_count(profile: Profile) -> int:
    return 5 + (1 if profile.database.read_replica.enabled else 0)


def price_secrets(pricer: Pricer, profile: Profile) -> ResourceCost:
    count = secret_count(profile)
    return resource("secrets", SECRET_TYPE, count, [
        pricer.line("secrets", "secret-months", count, "secretsmanager.secret_month"),
    ])
