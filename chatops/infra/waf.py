"""WAF (when the profile enables it): per-IP rate limits first (cheap, and they spare Bot Control's
per-request fee), then AWS managed rules, associated with the ALB.

Rate limits block with HTTP 429 and a JSON body the apps' clients can parse. The Common rule set's
body-size and body-XSS rules only count (as the seed does): chat messages and uploads trip them.

Bot Control (Common) blocks requests whose user agent is not a browser's (SignalNonBrowserUserAgent) and
HTTP libraries (CategoryHttpLibrary) by default: the product's mobile apps and Node/Socket.IO clients.
With `waf.bot_control_non_browser: count` (every built-in tier) those two rules only count and label
(WAF Developer Guide, "Bot Control example: Creating an exception for a blocked user agent": "Mobile apps
typically have non-browser user agents, which the SignalNonBrowserUserAgent rule blocks by default").

Requests that a rule blocked or counted are logged to the `aws-waf-logs-<project>-<stack>` log group
(the name prefix WAF requires) with the profile's retention; allowed requests are dropped from the log.
WAF adds the log group's resource policy for log delivery itself when logging is turned on
(PutLoggingConfiguration). The Authorization and Cookie headers are redacted.
"""

from __future__ import annotations

import json
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from chatops.model.naming import LIMITS, Names, fit
from chatops.model.profile import Profile

RATE_LIMITED_BODY_KEY = "rate-limited"
RATE_LIMITED_BODY = json.dumps({"error": "rate_limited", "message": "Too many requests, retry later."})
RATE_WINDOW_SECONDS = 300
COMMON_RULES_COUNTED = ("SizeRestrictions_BODY", "CrossSiteScripting_BODY")
#: Bot Control rules that block the product's own non-browser clients unless counted.
BOT_CONTROL_NON_BROWSER_RULES = ("SignalNonBrowserUserAgent", "CategoryHttpLibrary")
#: Log what a rule blocked or counted. A managed rule overridden to Count logs as EXCLUDED_AS_COUNT
#: (WAF API reference, ActionCondition), a custom Count rule as COUNT.
LOGGED_ACTIONS = ("BLOCK", "COUNT", "EXCLUDED_AS_COUNT")
REDACTED_HEADERS = ("authorization", "cookie")
WAF_LOG_GROUP_PREFIX = "aws-waf-logs-"


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
            counted = BOT_CONTROL_NON_BROWSER_RULES if waf.bot_control_non_browser == "count" else ()
            rules.append(self._managed_rule("bot-control", 30, "AWSManagedRulesBotControlRuleSet", counted=counted,
                                            config=[{"aws_managed_rules_bot_control_rule_set": {
                                                "inspection_level": "COMMON"}}]))
        acl = aws.wafv2.WebAcl(
            "acl", name=names.of("waf_acl", "web-acl"), description="chatops: rate limits and managed rules",
            scope="REGIONAL", default_action={"allow": {}}, rules=rules,
            custom_response_bodies=[{"key": RATE_LIMITED_BODY_KEY, "content": RATE_LIMITED_BODY,
                                     "content_type": "APPLICATION_JSON"}],
            visibility_config=self._visibility("web-acl"), opts=pulumi.ResourceOptions(parent=self))
        aws.wafv2.WebAclAssociation("alb", resource_arn=alb_arn, web_acl_arn=acl.arn,
                                    opts=pulumi.ResourceOptions(parent=self))
        self._logging(acl, profile, names)
        self.arn = acl.arn
        self.register_outputs({"arn": self.arn})

    def _logging(self, acl: aws.wafv2.WebAcl, profile: Profile, names: Names) -> None:
        group = aws.cloudwatch.LogGroup(
            "waf-logs", name=fit(f"{WAF_LOG_GROUP_PREFIX}{names.prefix}", LIMITS["log_group"]),
            retention_in_days=profile.observability.log_retention_days, opts=pulumi.ResourceOptions(parent=self))
        aws.wafv2.WebAclLoggingConfiguration(
            "waf-logs", resource_arn=acl.arn, log_destination_configs=[group.arn],
            logging_filter={"default_behavior": "DROP", "filters": [{
                "behavior": "KEEP", "requirement": "MEETS_ANY",
                "conditions": [{"action_condition": {"action": action}} for action in LOGGED_ACTIONS]}]},
            redacted_fields=[{"single_header": {"name": header}} for header in REDACTED_HEADERS],
            opts=pulumi.ResourceOptions(parent=self))

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
