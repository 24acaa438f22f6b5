"""WAF (when the profile enables it): per-IP rate limits first (cheap, and they spare Bot Control's
per-request fee), then AWS managed rules, associated with the ALB.

Rate limits block with HTTP 429 and a JSON body the apps' clients can parse. The Common rule set's
body-size and body-XSS rules only count (as the seed does): chat messages and uploads trip them.
"""

from __future__ import annotations

import json
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from chatops.model.naming import Names
from chatops.model.profile import Profile

RATE_LIMITED_BODY_KEY = "rate-limited"
RATE_LIMITED_BODY = json.dumps({"error": "rate_limited", "message": "Too many requests, retry later."})
RATE_WINDOW_SECONDS = 300
COMMON_RULES_COUNTED = ("SizeRestrictions_BODY", "CrossSiteScripting_BODY")


class WebAcl(pulumi.ComponentResource):
    arn: pulumi.Output[str]

    def __init__(self, name: str, *, profile: Profile, names: Names, alb_arn: pulumi.Input[str],
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("chatops:waf:WebAcl", name, None, opts)
        self._names = names
        waf = profile.waf
        rules = [
            self._rate_rule("rate-api", 1, waf.api_rate_limit_per_5min, "/api/"),
            self._rate_rule("rate-socket", 2, waf.socket_rate_limit_per_5min, "/socket.io/"),
            self._rate_rule("rate-global", 3, waf.global_rate_limit_per_5min, None),
            self._managed_rule("common", 10, "AWSManagedRulesCommonRuleSet", counted=COMMON_RULES_COUNTED),
            self._managed_rule("known-bad-inputs", 20, "AWSManagedRulesKnownBadInputsRuleSet"),
        ]
        if waf.bot_control:
            rules.append(self._managed_rule("bot-control", 30, "AWSManagedRulesBotControlRuleSet", config=[{
                "aws_managed_rules_bot_control_rule_set": {"inspection_level": "COMMON"}}]))
        acl = aws.wafv2.WebAcl(
            "acl", name=names.of("waf_acl", "web-acl"), description="chatops: rate limits and managed rules",
            scope="REGIONAL", default_action={"allow": {}}, rules=rules,
            custom_response_bodies=[{"key": RATE_LIMITED_BODY_KEY, "content": RATE_LIMITED_BODY,
                                     "content_type": "APPLICATION_JSON"}],
            visibility_config=self._visibility("web-acl"), opts=pulumi.ResourceOptions(parent=self))
        aws.wafv2.WebAclAssociation("alb", resource_arn=alb_arn, web_acl_arn=acl.arn,
                                    opts=pulumi.ResourceOptions(parent=self))
        self.arn = acl.arn
        self.register_outputs({"arn": self.arn})

    def _visibility(self, metric: str) -> dict[str, Any]:
        return {"cloudwatch_metrics_enabled": True, "sampled_requests_enabled": True,
                "metric_name": self._names.of("waf_metric", metric)}

    def _rate_rule(self, rule: str, priority: int, limit: int, path_prefix: Optional[str]) -> dict[str, Any]:
        statement: dict[str, Any] = {"limit": limit, "aggregate_key_type": "IP",
                                     "evaluation_window_sec": RATE_WINDOW_SECONDS}
        if path_prefix is not None:
            statement["scope_down_statement"] = {"byte_match_statement": {
                "search_string": path_prefix, "positional_constraint": "STARTS_WITH",
                "field_to_match": {"uri_path": {}},
                "text_transformations": [{"priority": 0, "type": "LOWERCASE"}]}}
        return {"name": rule, "priority": priority, "statement": {"rate_based_statement": statement},
                "action": {"block": {"custom_response": {"response_code": 429,
                                                         "custom_response_body_key": RATE_LIMITED_BODY_KEY}}},
                "visibility_config": self._visibility(rule)}

    def _managed_rule(self, rule: str, priority: int, group: str, counted: tuple[str, ...] = (),
                      config: Optional[list[dict[str, Any]]] = None) -> dict[str, Any]:
        statement: dict[str, Any] = {"vendor_name": "AWS", "name": group}
        if counted:
            statement["rule_action_overrides"] = [{"name": n, "action_to_use": {"count": {}}} for n in counted]
        if config:
            statement["managed_rule_group_configs"] = config
        return {"name": rule, "priority": priority, "override_action": {"none": {}},
                "statement": {"managed_rule_group_statement": statement},
                "visibility_config": self._visibility(rule)}
