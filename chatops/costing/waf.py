"""AWS WAF web ACL: the ACL, one charge per rule or managed rule group, inspected requests, and Bot
Control (Common) subscription plus its per-request fee. Prices are the same in every region."""

from __future__ import annotations

from chatops.costing import usage
from chatops.costing.components import Pricer, ResourceCost, resource
from chatops.model.demand import DemandEstimate
from chatops.model.profile import Profile

WAF_TYPE = "aws:wafv2/webAcl:WebAcl"
MILLION = 1_000_000


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
        lines.append(pricer.line("Bot Control requests", "1M requests", millions, "waf.bot_control_requests_million",
                                 usage_based=True))
    return [resource("waf web ACL", WAF_TYPE, 1, lines)]
