"""The ECS cluster: Container Insights, the FARGATE / FARGATE_SPOT capacity providers, and (when the
profile turns ECS Exec on) the audit trail of exec sessions.

ECS Exec opens a shell in a running task. When the profile allows it, every session is logged
(`logging = OVERRIDE`) to a dedicated CloudWatch log group encrypted with a customer-managed KMS key,
and the same key encrypts the session's data channel (`kms_key_id`). ECS Developer Guide, "Monitor
Amazon ECS containers with ECS Exec": logging and encryption configuration, and the task-role
permissions they need (chatops/infra/iam.py adds them).
"""

from __future__ import annotations

import json
from typing import Optional

import pulumi
import pulumi_aws as aws

from chatops.model.naming import Names
from chatops.model.profile import Profile

CAPACITY_PROVIDERS = ["FARGATE", "FARGATE_SPOT"]


def exec_log_key_policy(account_id: str, region: str, log_group_name: str) -> str:
    """The account administers the key; CloudWatch Logs may use it for this one log group only (the
    encryption-context condition of the CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs
    using AWS KMS")."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "CloudWatchLogsForTheExecLogGroup", "Effect": "Allow",
         "Principal": {"Service": f"logs.{region}.amazonaws.com"},
         "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
         "Resource": "*",
         "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn":
                                     f"arn:aws:logs:{region}:{account_id}:log-group:{log_group_name}"}}},
    ]})


class Cluster(pulumi.ComponentResource):
    name: pulumi.Output[str]
    arn: pulumi.Output[str]
    capacity_providers: aws.ecs.ClusterCapacityProviders
    #: Set only when ECS Exec is on: where sessions are logged and the key that encrypts them.
    exec_log_group_arn: Optional[pulumi.Output[str]]
    exec_kms_key_arn: Optional[pulumi.Output[str]]

    def __init__(self, name: str, *, profile: Profile, names: Names, region: str, account_id: pulumi.Input[str],
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("chatops:cluster:Cluster", name, None, opts)
        self.exec_log_group_arn = self.exec_kms_key_arn = None
        configuration = None
        if profile.compute.enable_execute_command:
            configuration = self._exec_audit(profile, names, region, account_id)
        cluster = aws.ecs.Cluster(
            "cluster", name=names.of("ecs_cluster", "cluster"),
            settings=[{"name": "containerInsights",
                       "value": "enabled" if profile.compute.container_insights else "disabled"}],
            configuration=configuration, opts=pulumi.ResourceOptions(parent=self))
        # Services choose their own strategy; the default only applies to tasks run by hand.
        self.capacity_providers = aws.ecs.ClusterCapacityProviders(
            "cluster", cluster_name=cluster.name, capacity_providers=CAPACITY_PROVIDERS,
            default_capacity_provider_strategies=[{"capacity_provider": "FARGATE", "weight": 1, "base": 0}],
            opts=pulumi.ResourceOptions(parent=self))
        self.name = cluster.name
        self.arn = cluster.arn
        self.register_outputs({"name": self.name})

    def _exec_audit(self, profile: Profile, names: Names, region: str,
                    account_id: pulumi.Input[str]) -> dict:
        child = pulumi.ResourceOptions(parent=self)
        log_group_name = names.log_group("ecs-exec")
        key = aws.kms.Key(
            "ecs-exec", description=f"{names.prefix}: ECS Exec session logs and data channel",
            enable_key_rotation=True, deletion_window_in_days=30 if profile.is_production else 7,
            policy=pulumi.Output.from_input(account_id).apply(
                lambda account: exec_log_key_policy(account, region, log_group_name)),
            opts=child)
        group = aws.cloudwatch.LogGroup(
            "ecs-exec", name=log_group_name, kms_key_id=key.arn,
            retention_in_days=profile.observability.log_retention_days, opts=child)
        self.exec_log_group_arn = group.arn
        self.exec_kms_key_arn = key.arn
        return {"execute_command_configuration": {
            "kms_key_id": key.arn, "logging": "OVERRIDE",
            "log_configuration": {"cloud_watch_log_group_name": group.name, "cloud_watch_encryption_enabled": True}}}
