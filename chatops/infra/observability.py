"""Observability: the SNS alert topic, one CloudWatch alarm per `alarm_specs(profile)` entry, and the
dashboard rendered from templates/dashboard.json.j2.

`alarm_specs` says what each alarm watches (`dimension_kind`, `target`, `member`); this module maps that
to real CloudWatch dimensions from the resources other components created (`ObservedResources`).
The dashboard template text comes in as a string (infra/ reads no files); it is rendered inside an
Output.apply once the names are known and checked to be valid JSON before it reaches AWS.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

import jinja2
import pulumi
import pulumi_aws as aws

from chatops.model.alarms import STACK_DIMENSION, AlarmSpec, alarm_specs
from chatops.model.records import record_to_data
from chatops.model.naming import Names
from chatops.model.profile import Profile
from chatops.model.settings import DeploymentSettings

#: Every member cluster of a (non cluster-mode) replication group has exactly one node, "0001".
REDIS_NODE_ID = "0001"


@dataclass
class ObservedResources:
    """Names of what the alarms and the dashboard watch (Outputs or plain strings)."""

    cluster_name: pulumi.Input[str]
    service_names: Mapping[str, pulumi.Input[str]]             # api / realtime / workers
    alb_arn_suffix: pulumi.Input[str]
    target_group_arn_suffixes: Mapping[str, pulumi.Input[str]]  # api / realtime
    db_instance_id: pulumi.Input[str]
    db_replica_instance_id: Optional[pulumi.Input[str]]
    redis_member_cluster_ids: pulumi.Input[list[str]]
    queue_names: Mapping[str, pulumi.Input[str]]                # push / offline / push_dlq / offline_dlq
    log_group_names: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)


def render_dashboard(template_text: str, context: Mapping[str, Any]) -> str:
    """Render the dashboard template and return compact JSON; a template that does not produce valid
    JSON fails here (at synth/preview time), not in CloudWatch."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)
    rendered = env.from_string(template_text).render(**context)
    try:
        body = json.loads(rendered)
    except json.JSONDecodeError as exc:
        raise ValueError(f"dashboard template did not render valid JSON: {exc}") from None
    return json.dumps(body, separators=(",", ":"))


class Observability(pulumi.ComponentResource):
    alert_topic_arn: pulumi.Output[str]
    dashboard_name: pulumi.Output[str]
    alarm_names: list[pulumi.Output[str]]

    def __init__(self, name: str, *, profile: Profile, settings: DeploymentSettings, names: Names,
                 observed: ObservedResources, dashboard_template: str,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("chatops:observability:Observability", name, None, opts)
        self._profile = profile
        self._names = names
        self._observed = observed
        self._child = pulumi.ResourceOptions(parent=self)

        # Not KMS-encrypted on purpose: CloudWatch cannot publish to a topic encrypted with the AWS-managed
        # aws/sns key, and alerts carry no secrets.
        topic = aws.sns.Topic("alerts", name=names.of("sns", "alerts"), opts=self._child)
        if settings.alert_email:
            aws.sns.TopicSubscription("alerts-email", topic=topic.arn, protocol="email",
                                      endpoint=settings.alert_email, opts=self._child)

        alarms = [self._alarm(spec, topic.arn) for spec in alarm_specs(profile)]
        dashboard = aws.cloudwatch.Dashboard(
            "dashboard", dashboard_name=names.of("dashboard", "operations"),
            dashboard_body=self._dashboard_body(dashboard_template, settings.region, [a.arn for a in alarms]),
            opts=self._child)

        self.alert_topic_arn = topic.arn
        self.dashboard_name = dashboard.dashboard_name
        self.alarm_names = [a.name for a in alarms]
        self.register_outputs({"alert_topic_arn": self.alert_topic_arn, "dashboard_name": self.dashboard_name,
                               "alarm_count": len(alarms)})

    # -- alarms ----------------------------------------------------------------------------------

    def _alarm(self, spec: AlarmSpec, topic_arn: pulumi.Output[str]) -> aws.cloudwatch.MetricAlarm:
        return aws.cloudwatch.MetricAlarm(
            spec.key, name=self._names.of("alarm", spec.key), alarm_description=spec.description,
            namespace=spec.namespace, metric_name=spec.metric_name, dimensions=self._dimensions(spec),
            statistic=spec.statistic, extended_statistic=spec.extended_statistic,
            period=spec.period_seconds, evaluation_periods=spec.evaluation_periods,
            datapoints_to_alarm=spec.datapoints_to_alarm, threshold=spec.threshold,
            comparison_operator=spec.comparison, treat_missing_data=spec.treat_missing_data,
            actions_enabled=True, alarm_actions=[topic_arn], ok_actions=[topic_arn], opts=self._child)

    def _dimensions(self, spec: AlarmSpec) -> dict[str, pulumi.Input[str]]:
        o = self._observed
        kind = spec.dimension_kind
        if kind == "ecs_service":
            return {"ClusterName": o.cluster_name, "ServiceName": o.service_names[spec.target]}
        if kind == "rds_instance":
            return {"DBInstanceIdentifier": o.db_instance_id}
        if kind == "rds_replica":
            if o.db_replica_instance_id is None:
                raise ValueError("the profile has a read replica but no replica instance id was passed")
            return {"DBInstanceIdentifier": o.db_replica_instance_id}
        if kind == "redis_member":
            member = spec.member
            cluster_id = pulumi.Output.from_input(o.redis_member_cluster_ids).apply(lambda ids: ids[member])
            return {"CacheClusterId": cluster_id, "CacheNodeId": REDIS_NODE_ID}
        if kind == "alb":
            return {"LoadBalancer": o.alb_arn_suffix}
        if kind == "alb_target_group":
            return {"LoadBalancer": o.alb_arn_suffix, "TargetGroup": o.target_group_arn_suffixes[spec.target]}
        if kind == "sqs_queue":
            return {"QueueName": o.queue_names[spec.target]}
        if kind == "custom_stack":
            return {STACK_DIMENSION: self._names.prefix}
        raise ValueError(f"unknown alarm dimension kind {kind!r}")

    # -- dashboard -------------------------------------------------------------------------------

    def _dashboard_body(self, template_text: str, region: str,
                        alarm_arns: list[pulumi.Output[str]]) -> pulumi.Output[str]:
        o = self._observed
        p = self._profile
        resolved = pulumi.Output.all(
            cluster=o.cluster_name, services=_all_dict(o.service_names), alb=o.alb_arn_suffix,
            target_groups=_all_dict(o.target_group_arn_suffixes), db=o.db_instance_id,
            replica=o.db_replica_instance_id, redis=o.redis_member_cluster_ids,
            queues=_all_dict(o.queue_names), log_groups=_all_dict(o.log_group_names),
            alarm_arns=pulumi.Output.all(*alarm_arns))

        def render(values: dict) -> str:
            context = {**values, "region": region, "title": f"{self._names.prefix} ({p.name})",
                       "namespace": p.observability.metrics_namespace, "stack_dimension": STACK_DIMENSION,
                       "stack": self._names.prefix, "redis_node_id": REDIS_NODE_ID,
                       "thresholds": record_to_data(p.observability.alarms),
                       "max_connections_per_task": p.realtime.max_connections_per_task}
            return render_dashboard(template_text, context)

        return resolved.apply(render)


def _all_dict(values: Mapping[str, pulumi.Input[str]]) -> pulumi.Output[dict]:
    """A dict of inputs as one Output of a plain dict (Output.all(**{}) with no items resolves to {})."""
    return pulumi.Output.all(**dict(values)) if values else pulumi.Output.from_input({})
