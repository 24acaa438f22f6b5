"""The Application Load Balancer: HTTPS (TLS 1.3 policy), HTTP->HTTPS redirect, path rules to the api and
realtime target groups, WebSocket-friendly idle timeout, sticky realtime sessions, access logs to a
private, encrypted S3 bucket that expires old logs."""

from __future__ import annotations

import json
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

from chatops.model.naming import Names
from chatops.model.profile import HealthCheck, Profile

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
IDLE_TIMEOUT_SECONDS = 300  # WebSockets: above Socket.IO's 25 s ping interval with a wide margin
ACCESS_LOG_PREFIX = "alb"
API_PATHS = ["/api/*"]
REALTIME_PATHS = ["/socket.io/*", "/ws/*"]

#: Regions opened before August 2022 deliver ALB access logs from a regional ELB account; newer ones
#: from the log delivery service principal (Elastic Load Balancing User Guide, "Enable access logs").
#: The bucket policy grants both where the regional account exists.
LEGACY_ELB_LOG_REGIONS = frozenset({
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-south-1",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2",
    "ap-southeast-3", "ca-central-1", "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3",
    "eu-south-1", "eu-north-1", "me-south-1", "sa-east-1", "us-gov-west-1", "us-gov-east-1",
})
LOG_DELIVERY_PRINCIPAL = "logdelivery.elasticloadbalancing.amazonaws.com"
#: Target group name prefixes: at most 6 characters (terraform-provider-aws `name_prefix` validation).
TARGET_GROUP_NAME_PREFIXES = {"api": "api-", "realtime": "rt-"}


class LoadBalancer(pulumi.ComponentResource):
    dns_name: pulumi.Output[str]
    zone_id: pulumi.Output[str]
    arn: pulumi.Output[str]
    arn_suffix: pulumi.Output[str]
    target_groups: dict[str, aws.lb.TargetGroup]
    https_listener: aws.lb.Listener
    #: The rule that forwards to each service's target group: ECS rejects a service whose target group
    #: is not yet attached to a load balancer, so services wait for these.
    listener_rules: dict[str, aws.lb.ListenerRule]
    log_bucket_name: pulumi.Output[str]

    def __init__(self, name: str, *, profile: Profile, names: Names, region: str, account_id: pulumi.Input[str],
                 vpc_id: pulumi.Input[str], subnet_ids: Sequence[pulumi.Input[str]],
                 security_group_id: pulumi.Input[str], certificate_arn: pulumi.Input[str],
                 log_retention_days: int, destroying: bool = False,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        """destroying: `destroy --unprotect` is about to delete the stack (deletion protection off, the log
        bucket emptied on delete)."""
        super().__init__("chatops:alb:LoadBalancer", name, None, opts)
        self._names = names
        self._profile = profile
        self._destroying = destroying
        child = pulumi.ResourceOptions(parent=self)

        bucket, policy = self._log_bucket(region, account_id, log_retention_days)
        alb = aws.lb.LoadBalancer(
            "alb", name=names.of("alb", "alb"), load_balancer_type="application", internal=False,
            ip_address_type="ipv4", security_groups=[security_group_id], subnets=list(subnet_ids),
            idle_timeout=IDLE_TIMEOUT_SECONDS, drop_invalid_header_fields=True, enable_http2=True,
            enable_deletion_protection=profile.is_production and not destroying,
            access_logs=aws.lb.LoadBalancerAccessLogsArgs(bucket=bucket.bucket, prefix=ACCESS_LOG_PREFIX,
                                                          enabled=True),
            # ELB checks it can write to the bucket when access logs are turned on.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]))

        self.target_groups = {
            "api": self._target_group("api", vpc_id, profile.api.container_port,
                                      profile.api.deregistration_delay_seconds, profile.api.health_check),
            "realtime": self._target_group("realtime", vpc_id, profile.realtime.container_port,
                                           profile.realtime.deregistration_delay_seconds,
                                           profile.realtime.health_check,
                                           sticky_seconds=profile.realtime.sticky_duration_seconds),
        }

        aws.lb.Listener("http", load_balancer_arn=alb.arn, port=80, protocol="HTTP",
                        default_actions=[aws.lb.ListenerDefaultActionArgs(
                            type="redirect", redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                                port="443", protocol="HTTPS", status_code="HTTP_301"))], opts=child)
        https = aws.lb.Listener(
            "https", load_balancer_arn=alb.arn, port=443, protocol="HTTPS", ssl_policy=TLS_POLICY,
            certificate_arn=certificate_arn,
            default_actions=[aws.lb.ListenerDefaultActionArgs(
                type="fixed-response", fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
                    content_type="application/json", message_body='{"error":"not found"}', status_code="404"))],
            opts=child)
        self.listener_rules = {
            "api": self._rule("api", https, 10, API_PATHS, self.target_groups["api"]),
            "realtime": self._rule("realtime", https, 20, REALTIME_PATHS, self.target_groups["realtime"]),
        }

        self.https_listener = https
        self.arn = alb.arn
        self.dns_name = alb.dns_name
        self.zone_id = alb.zone_id
        self.arn_suffix = alb.arn_suffix
        self.log_bucket_name = bucket.bucket
        self.register_outputs({"dns_name": self.dns_name, "arn_suffix": self.arn_suffix,
                               "log_bucket": self.log_bucket_name})

    def _target_group(self, service: str, vpc_id: pulumi.Input[str], port: int, deregistration_delay: int,
                      check: HealthCheck, sticky_seconds: Optional[int] = None) -> aws.lb.TargetGroup:
        stickiness = None
        if sticky_seconds is not None:
            # Socket.IO's HTTP long-polling fallback needs every request of a session on one task.
            stickiness = aws.lb.TargetGroupStickinessArgs(type="lb_cookie", enabled=True,
                                                          cookie_duration=sticky_seconds)
        # A name prefix, not a name: port and protocol changes replace a target group, and the new one
        # must exist (create before delete) while the listener rule still points at the old one; a fixed
        # name would collide. The provider adds a unique suffix; the Name tag keeps it readable.
        return aws.lb.TargetGroup(
            service, name_prefix=TARGET_GROUP_NAME_PREFIXES[service],
            tags={"Name": self._names.of("target_group", service)}, port=port, protocol="HTTP",
            protocol_version="HTTP1", target_type="ip", vpc_id=vpc_id,
            deregistration_delay=deregistration_delay, stickiness=stickiness,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True, path=check.path, protocol="HTTP", port="traffic-port", matcher="200-399",
                interval=check.interval_seconds, timeout=check.timeout_seconds,
                healthy_threshold=check.healthy_threshold, unhealthy_threshold=check.unhealthy_threshold),
            opts=pulumi.ResourceOptions(parent=self))

    def _rule(self, service: str, listener: aws.lb.Listener, priority: int, paths: list[str],
              target_group: aws.lb.TargetGroup) -> aws.lb.ListenerRule:
        return aws.lb.ListenerRule(
            service, listener_arn=listener.arn, priority=priority,
            conditions=[aws.lb.ListenerRuleConditionArgs(
                path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=paths))],
            actions=[aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=target_group.arn)],
            opts=pulumi.ResourceOptions(parent=self))

    # -- access logs -----------------------------------------------------------------------------

    def _log_bucket(self, region: str, account_id: pulumi.Input[str],
                    retention_days: int) -> tuple[aws.s3.Bucket, aws.s3.BucketPolicy]:
        prod = self._profile.is_production
        child = pulumi.ResourceOptions(parent=self)
        name = pulumi.Output.from_input(account_id).apply(lambda acct: self._names.s3_bucket("alb-logs", acct))
        bucket = aws.s3.Bucket("alb-logs", bucket=name, force_destroy=not prod or self._destroying,
                               opts=pulumi.ResourceOptions(parent=self, protect=prod))
        aws.s3.BucketOwnershipControls("alb-logs", bucket=bucket.id, rule={"object_ownership": "BucketOwnerEnforced"},
                                       opts=child)
        block = aws.s3.BucketPublicAccessBlock("alb-logs", bucket=bucket.id, block_public_acls=True,
                                               block_public_policy=True, ignore_public_acls=True,
                                               restrict_public_buckets=True, opts=child)
        # ALB access logs support SSE-S3 only (not SSE-KMS).
        aws.s3.BucketServerSideEncryptionConfiguration(
            "alb-logs", bucket=bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}], opts=child)
        aws.s3.BucketLifecycleConfiguration(
            "alb-logs", bucket=bucket.id,
            rules=[{"id": "expire-access-logs", "status": "Enabled", "filter": {"prefix": ""},
                    "expiration": {"days": retention_days},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 1}}], opts=child)
        elb_account = None
        if region in LEGACY_ELB_LOG_REGIONS:
            elb_account = aws.elb.get_service_account_output(region=region,
                                                            opts=pulumi.InvokeOutputOptions(parent=self)).arn
        policy_json = pulumi.Output.all(bucket.arn, account_id, elb_account).apply(
            lambda args: json.dumps(self._log_policy(*args)))
        policy = aws.s3.BucketPolicy("alb-logs", bucket=bucket.id, policy=policy_json,
                                     # The public access block must exist first or S3 may reject the put.
                                     opts=pulumi.ResourceOptions(parent=self, depends_on=[block]))
        return bucket, policy

    @staticmethod
    def _log_policy(bucket_arn: str, account_id: str, elb_account_arn: Optional[str]) -> dict:
        objects = f"{bucket_arn}/{ACCESS_LOG_PREFIX}/AWSLogs/{account_id}/*"
        statements = [
            {"Sid": "LogDeliveryWrite", "Effect": "Allow", "Principal": {"Service": LOG_DELIVERY_PRINCIPAL},
             "Action": "s3:PutObject", "Resource": objects},
            {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": [bucket_arn, f"{bucket_arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        ]
        if elb_account_arn:
            statements.insert(1, {"Sid": "RegionalElbAccountWrite", "Effect": "Allow",
                                  "Principal": {"AWS": elb_account_arn}, "Action": "s3:PutObject",
                                  "Resource": objects})
        return {"Version": "2012-10-17", "Statement": statements}
