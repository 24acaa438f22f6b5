"""IAM for the tasks: one execution role (what ECS needs to start them) and one task role per service
(what the app itself may do), each with only the actions and resources it needs.

- execution role: pull from this stack's ECR repositories, write to the three log groups, read exactly
  the secrets injected as container secrets.
- api: send to the push and offline queues; publish metrics to the stack's namespace.
- realtime: send to the push and offline queues (offline delivery); publish its custom metrics.
- workers: consume the push and offline queues; publish metrics.
- all, when ECS Exec is on: the four ssmmessages channel actions, writing the session log to the
  cluster's exec log group and decrypting with its KMS key (ECS Developer Guide, "Monitor Amazon ECS
  containers with ECS Exec", IAM permissions for logging and for KMS encryption).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import pulumi
import pulumi_aws as aws

from chatops.model.naming import Names

SEND_ACTIONS = ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"]
CONSUME_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
                   "sqs:GetQueueAttributes", "sqs:GetQueueUrl"]
EXEC_ACTIONS = ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]
ECR_PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]

#: What the exec session agent does in the session log group (DescribeLogGroups, which it also calls,
#: has no resource-level permission).
EXEC_LOG_ACTIONS = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]


@dataclass(frozen=True)
class ExecAudit:
    """Where ECS Exec sessions are logged and the key of the log group and the data channel."""

    log_group_arn: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]


#: What each service does with the queues.
QUEUE_ACCESS: dict[str, list[str]] = {"api": SEND_ACTIONS, "realtime": SEND_ACTIONS, "workers": CONSUME_ACTIONS}


def _document(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def _assume_by_ecs_tasks(account_id: str, region: str) -> str:
    # Only ECS tasks of this account and region may assume the role (confused-deputy guard).
    return _document([{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
        "Condition": {"StringEquals": {"aws:SourceAccount": account_id},
                      "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:{region}:{account_id}:*"}}}])


class TaskRoles(pulumi.ComponentResource):
    execution_role_arn: pulumi.Output[str]
    task_role_arns: dict[str, pulumi.Output[str]]
    #: Per service, the inline policies its tasks need (execution + task role). A role exists before its
    #: policy does; a task started in between cannot pull its image or read its secrets.
    policies: dict[str, list[aws.iam.RolePolicy]]

    def __init__(self, name: str, *, names: Names, region: str, account_id: pulumi.Input[str],
                 repository_arns: Sequence[pulumi.Input[str]], log_group_arns: Sequence[pulumi.Input[str]],
                 secret_arns: Sequence[pulumi.Input[str]], queue_arns: Sequence[pulumi.Input[str]],
                 metrics_namespace: str, exec_audit: Optional[ExecAudit],
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        """exec_audit: set when ECS Exec is on (the tasks then need the session channel and log rights)."""
        super().__init__("chatops:iam:TaskRoles", name, None, opts)
        self._names = names
        self._assume = pulumi.Output.from_input(account_id).apply(lambda acct: _assume_by_ecs_tasks(acct, region))

        execution = self._role("execution", "ECS task execution: image pull, logs, container secrets")
        execution_policy = self._policy("execution", execution, pulumi.Output.all(
            list(repository_arns), list(log_group_arns), list(secret_arns)).apply(
                lambda a: _document(self._execution_statements(*a))))

        self.task_role_arns = {}
        self.policies = {}
        for service, actions in QUEUE_ACCESS.items():
            role = self._role(f"{service}-task", f"{service} task: its queues and metrics")
            exec_arns = (exec_audit.log_group_arn, exec_audit.kms_key_arn) if exec_audit else (None, None)
            task_policy = self._policy(f"{service}-task", role, pulumi.Output.all(
                list(queue_arns), *exec_arns).apply(
                lambda a, actions=actions: _document(self._task_statements(
                    actions, list(a[0]), metrics_namespace, ExecAudit(a[1], a[2]) if exec_audit else None))))
            self.task_role_arns[service] = role.arn
            self.policies[service] = [execution_policy, task_policy]
        self.execution_role_arn = execution.arn
        self.register_outputs({"execution_role_arn": self.execution_role_arn, **{
            f"{s}_task_role_arn": a for s, a in self.task_role_arns.items()}})

    def _role(self, component: str, description: str) -> aws.iam.Role:
        return aws.iam.Role(component, name=self._names.global_name("iam_role", component), description=description,
                            assume_role_policy=self._assume, opts=pulumi.ResourceOptions(parent=self))

    def _policy(self, component: str, role: aws.iam.Role, document: pulumi.Input[str]) -> aws.iam.RolePolicy:
        return aws.iam.RolePolicy(component, name=component, role=role.id, policy=document,
                           opts=pulumi.ResourceOptions(parent=self))

    @staticmethod
    def _execution_statements(repository_arns: list[str], log_group_arns: list[str],
                              secret_arns: list[str]) -> list[dict[str, Any]]:
        return [
            # GetAuthorizationToken has no resource-level permissions.
            {"Sid": "EcrLogin", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {"Sid": "EcrPull", "Effect": "Allow", "Action": ECR_PULL_ACTIONS, "Resource": repository_arns},
            {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
             "Resource": [f"{arn}:log-stream:*" for arn in log_group_arns]},
            {"Sid": "ContainerSecrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
             "Resource": secret_arns},
        ]

    @staticmethod
    def _task_statements(queue_actions: list[str], queue_arns: list[str], namespace: str,
                         exec_audit: Optional[ExecAudit]) -> list[dict[str, Any]]:
        statements = [
            {"Sid": "Queues", "Effect": "Allow", "Action": queue_actions, "Resource": queue_arns},
            # PutMetricData has no resources; the namespace condition keeps it to the stack's metrics.
            {"Sid": "Metrics", "Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*",
             "Condition": {"StringEquals": {"cloudwatch:namespace": namespace}}},
        ]
        if exec_audit is not None:
            statements += [
                {"Sid": "EcsExec", "Effect": "Allow", "Action": EXEC_ACTIONS, "Resource": "*"},
                {"Sid": "EcsExecLogGroupLookup", "Effect": "Allow", "Action": "logs:DescribeLogGroups",
                 "Resource": "*"},
                {"Sid": "EcsExecSessionLog", "Effect": "Allow", "Action": EXEC_LOG_ACTIONS,
                 "Resource": f"{exec_audit.log_group_arn}:*"},
                {"Sid": "EcsExecKms", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": exec_audit.kms_key_arn},
            ]
        return statements

