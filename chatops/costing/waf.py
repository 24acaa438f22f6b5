"""AWS WAF web ACL: the ACL, one charge per rule or managed rule group, inspected requests, Bot Control
(Common) subscription plus its per-request fee above the free allowance, and the WAF log group.
Prices are the same in every region.

Bot Control (Common) requests: the first 10 million a month are free, then $1 per million (AWS WAF
pricing; Price List usage type `<region>-AMR-BotControl-Request`, whose first tier is $0 up to
10,000,000 requests). The allowance belongs to the account in each region, so stacks sharing an
account and region share it; the estimate gives each stack the whole allowance (a lower bound there).

WAF logs (chatops/infra/waf.py): only requests a rule blocked or counted. With Bot Control counting
non-browser clients, every request from a mobile app or a Node client is a counted request.
"""

from __future__ import annotations

from decimal import Decimal

from chatops.costing import usage
from chatops.costing.components import Pricer, ResourceCost, resource
from chatops.model.demand import DemandEstimate
from chatops.model.profile import Profile

WAF_TYPE = "aws:wafv2/webAcl:WebAcl"
LOG_GROUP_TYPE = "aws:cloudwatch/logGroup:LogGroup"
MILLION = 1_000_000
BOT_CONTROL_FREE_MILLIONS = Decimal(10)
#: A WAF log record (JSON with headers, labels and rule matches), bytes: an assumption.
WAF_LOG_RECORD_BYTES = Decimal(1500)
#: Requests blocked or counted by the rate limits and the Common/Known Bad Inputs rules: an assumption.
FLAGGED_SHARE = Decimal("0.02")
#: Requests from non-browser clients (mobile apps, Node services): counted by Bot Control. An assumption.
NON_BROWSER_SHARE = Decimal("0.5")


def waf_rules(profile: Profile) -> int:
    """Managed Common and Known Bad Inputs, the /api/, /socket.io/ and global rate limits, Bot Control."""
    return 2 + 3 + (1 if profile.waf.bot_control else 0)


def price_waf(pricer: Pricer, profile: Profile, demand: DemandEstimate) -> list[ResourceCost]:
    if not profile.waf.enabled:
        return []
    millions = usage.alb_requests(demand) / MILLION
    lines = [
        pricer.line("web ACL", "ACL-months", 1, "waf.acl_month"),
        pricer.line("rules and managed rule groups", "rule-months", waf_rules(profile), "waf.rule_month"),
        pricer.line("requests inspected", "1M requests", millions, "waf.requests_million", usage_based=True),
    ]
    if profile.waf.bot_control:
        lines.append(pricer.line("Bot Control (Common) subscription", "months", 1, "waf.bot_control_month"))
        lines.append(pricer.line(f"Bot Control requests above the free {BOT_CONTROL_FREE_MILLIONS}M",
                                 "1M requests", max(Decimal(0), millions - BOT_CONTROL_FREE_MILLIONS),
                                 "waf.bot_control_requests_million", usage_based=True))
    return [resource("waf web ACL", WAF_TYPE, 1, lines), _log_group(pricer, profile, demand)]


def waf_logged_share(profile: Profile) -> Decimal:
    counted_clients = profile.waf.bot_control and profile.waf.bot_control_non_browser == "count"
    return FLAGGED_SHARE + (NON_BROWSER_SHARE if counted_clients else 0)


def _log_group(pricer: Pricer, profile: Profile, demand: DemandEstimate) -> ResourceCost:
    gb = usage.alb_requests(demand) * waf_logged_share(profile) * WAF_LOG_RECORD_BYTES / usage.GB
    retention = profile.observability.log_retention_days
    return resource("waf log group", LOG_GROUP_TYPE, 1, [
        pricer.line("WAF logs ingested (blocked and counted requests)", "GB", gb, "logs.ingest_gb", usage_based=True),
        pricer.line(f"WAF log storage ({retention} d)", "GB-months", usage.stored_gb(gb, retention),
                    "logs.storage_gb_month", usage_based=True),
    ])
