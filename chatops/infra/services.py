"""The three ECS services (api, realtime, workers): log groups, task definitions, services, autoscaling.

Images come from the deployment settings (default: this stack's ECR repository), by digest once chatops
has resolved them (chatops/model/images.py); the container keeps its own CMD. Passwords reach the
containers only as ECS secrets (Secrets Manager ARNs), never as plain environment values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from chatops.infra import metrics
from chatops.infra.database import RDS_CA_BUNDLE_PATH
from chatops.model import autoscaling
from chatops.model.capacity_providers import capacity_provider_strategy
from chatops.model.images import reference_suffix
from chatops.model.naming import Names
from chatops.model.profile import Profile
from chatops.model.settings import DeploymentSettings, ImageRef

SERVICES = ("api", "realtime", "workers")
WEB_SERVICES = ("api", "realtime")
SCALABLE_DIMENSION = "ecs:service:DesiredCount"
#: Policy metric kinds (chatops.model.autoscaling) that are Application Auto Scaling predefined metrics.
PREDEFINED_METRICS = {"cpu_percent": "ECSServiceAverageCPUUtilization",
                      "memory_percent": "ECSServiceAverageMemoryUtilization",
                      "requests_per_target": "ALBRequestCountPerTarget"}
#: ECS caps a container health check's start period at 300 s.
MAX_HEALTH_START_PERIOD = 300


# -- pure helpers (tested through the synthesized graph) --------------------------------------------

def step_adjustments(steps: Sequence[autoscaling.StepAdjustment]) -> list[dict[str, Any]]:
    """The provider's step adjustments (bounds relative to the alarm threshold; an open bound is omitted)."""
    out = []
    for step in steps:
        adjustment: dict[str, Any] = {}
        if step.lower_bound is not None:
            adjustment["metric_interval_lower_bound"] = _bound(step.lower_bound)
        if step.upper_bound is not None:
            adjustment["metric_interval_upper_bound"] = _bound(step.upper_bound)
        adjustment["scaling_adjustment"] = step.scaling_adjustment
        out.append(adjustment)
    return out


def _scales_in(policy: autoscaling.StepScaling) -> bool:
    return all(step.scaling_adjustment < 0 for step in policy.steps)


def _bound(value: float) -> str:
    # The provider takes step bounds as strings.
    return str(int(value)) if float(value).is_integer() else str(value)


def image_uri(ref: ImageRef, repository_url: pulumi.Input[str]) -> pulumi.Output[str]:
    """`<repository>@sha256:...` (the digest chatops resolved before the program ran, or the one pinned in
    chatops.yaml), else `<repository>:<tag>`; no repository means this stack's ECR repository. A new
    digest changes the container definitions, so ECS gets a new task definition and rolls it out."""
    return pulumi.Output.concat(ref.repository if ref.repository else repository_url, reference_suffix(ref))


def node_health_command(port: int, path: str) -> list[str]:
    """A container health check that needs nothing but node: the exec form (`CMD`), because distroless
    images have no shell for `CMD-SHELL`, and slim ones no curl or wget. ECS runs the arguments as given
    (ECS HealthCheck API: "CMD" executes the command directly, "CMD-SHELL" through the default shell)."""
    script = (f"require('http').get('http://127.0.0.1:{port}{path}',"
              "r=>process.exit(r.statusCode<400?0:1)).on('error',()=>process.exit(1))")
    return ["CMD", "node", "-e", script]


# -- wiring ------------------------------------------------------------------------------------------

@dataclass
class AppWiring:
    """What the containers are told about the rest of the stack."""

    database_url_secret_arn: pulumi.Input[str]
    read_replica_url_secret_arn: Optional[pulumi.Input[str]]
    redis_password_secret_arn: pulumi.Input[str]
    redis_adapter_host: pulumi.Input[str]
    redis_state_host: pulumi.Input[str]
    redis_port: int
    push_queue_url: pulumi.Input[str]
    offline_queue_url: pulumi.Input[str]
    database_urls_version: pulumi.Input[str]

    def secret_arns(self) -> list[pulumi.Input[str]]:
        arns = [self.database_url_secret_arn, self.redis_password_secret_arn]
        if self.read_replica_url_secret_arn is not None:
            arns.append(self.read_replica_url_secret_arn)
        return arns


@dataclass
class Placement:
    """Where and how the tasks run."""

    cluster_arn: pulumi.Input[str]
    cluster_name: pulumi.Input[str]
    capacity_providers: pulumi.Resource
    subnet_ids: Sequence[pulumi.Input[str]]
    assign_public_ip: bool
    security_group_ids: Mapping[str, pulumi.Input[str]]
    execution_role_arn: pulumi.Input[str]
    task_role_arns: Mapping[str, pulumi.Input[str]]
    repository_urls: Mapping[str, pulumi.Input[str]]
    target_groups: Mapping[str, aws.lb.TargetGroup]
    listener_rules: Mapping[str, pulumi.Resource]          # api / realtime
    iam_policies: Mapping[str, Sequence[pulumi.Resource]]  # per service: execution + task role policies
    network_routes: Sequence[pulumi.Resource]              # the task subnets' default routes
    alb_arn_suffix: pulumi.Input[str]
    queue_names: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)  # push / offline


class ServiceLogs(pulumi.ComponentResource):
    """One log group per service (created before the roles that may write to them)."""

    groups: dict[str, aws.cloudwatch.LogGroup]

    def __init__(self, name: str, *, profile: Profile, names: Names,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("chatops:services:ServiceLogs", name, None, opts)
        self.groups = {
            s: aws.cloudwatch.LogGroup(s, name=names.log_group(s),
                                       retention_in_days=profile.observability.log_retention_days,
                                       opts=pulumi.ResourceOptions(parent=self))
            for s in SERVICES}
        self.register_outputs({s: g.name for s, g in self.groups.items()})

    @property
    def names(self) -> dict[str, pulumi.Output[str]]:
        return {s: g.name for s, g in self.groups.items()}

    @property
    def arns(self) -> list[pulumi.Output[str]]:
        return [g.arn for g in self.groups.values()]


class Services(pulumi.ComponentResource):
    service_names: dict[str, pulumi.Output[str]]
    #: What each service must run after an update; the rollout wait compares it with the deployment ECS
    #: runs, which tells a circuit-breaker rollback (back on the old task definition) from success.
    task_definition_arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, *, profile: Profile, settings: DeploymentSettings, names: Names,
                 placement: Placement, wiring: AppWiring, logs: ServiceLogs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("chatops:services:Services", name, None, opts)
        self._profile = profile
        self._settings = settings
        self._names = names
        self._placement = placement
        self._wiring = wiring
        self._logs = logs

        self.service_names = {}
        self.task_definition_arns = {}
        for service in SERVICES:
            task = self._task_definition(service)
            self.task_definition_arns[service] = task.arn
            self.service_names[service] = self._service(service, task).name
        self._autoscaling()
        self.register_outputs({f"{s}_service": n for s, n in self.service_names.items()})

    # -- task definitions ----------------------------------------------------------------------------

    def _spec(self, service: str):
        return getattr(self._profile, service)

    def _environment(self, service: str) -> list[dict[str, pulumi.Input[str]]]:
        w = self._wiring
        values: dict[str, pulumi.Input[str]] = {
            "NODE_ENV": "production",
            "AWS_REGION": self._settings.region,
            "REDIS_ADAPTER_HOST": w.redis_adapter_host,
            "REDIS_STATE_HOST": w.redis_state_host,
            "REDIS_PORT": str(w.redis_port),
            "REDIS_TLS": "true",
            "PUSH_QUEUE_URL": w.push_queue_url,
            "OFFLINE_QUEUE_URL": w.offline_queue_url,
            "AUTH0_DOMAIN": self._settings.auth0.domain,
            "AUTH0_AUDIENCE": self._settings.auth0.audience,
            "METRICS_NAMESPACE": self._profile.observability.metrics_namespace,
            "METRICS_DIMENSION_STACK": self._names.prefix,
            # The CA bundle the image must hold (docs/infra.md, "TLS to RDS"): DATABASE_URL names it as
            # sslrootcert; Node's own TLS (other drivers, fetch) trusts it through this variable.
            "NODE_EXTRA_CA_CERTS": RDS_CA_BUNDLE_PATH,
            # Changes when DATABASE_URL's value changes, so the services redeploy and read the new one.
            "DATABASE_URL_VERSION": w.database_urls_version,
        }
        if service in WEB_SERVICES:
            values["PORT"] = str(self._spec(service).container_port)
        return [{"name": k, "value": v} for k, v in sorted(values.items())]

    def _secrets(self) -> list[dict[str, pulumi.Input[str]]]:
        w = self._wiring
        secrets = [{"name": "DATABASE_URL", "valueFrom": w.database_url_secret_arn},
                   {"name": "REDIS_PASSWORD", "valueFrom": w.redis_password_secret_arn}]
        if w.read_replica_url_secret_arn is not None:
            secrets.append({"name": "DATABASE_READ_URL", "valueFrom": w.read_replica_url_secret_arn})
        return secrets

    def _container(self, service: str) -> dict[str, Any]:
        spec = self._spec(service)
        container: dict[str, Any] = {
            "name": service,
            "image": image_uri(getattr(self._settings.images, service), self._placement.repository_urls[service]),
            "essential": True,
            "environment": self._environment(service),
            "secrets": self._secrets(),
            "stopTimeout": spec.stop_timeout_seconds,
            # ECS Exec and clean signal handling both want an init process as PID 1.
            "linuxParameters": {"initProcessEnabled": True},
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": self._logs.groups[service].name, "awslogs-region": self._settings.region,
                "awslogs-stream-prefix": service}},
        }
        if service in WEB_SERVICES:
            container["portMappings"] = [{"name": service, "containerPort": spec.container_port,
                                          "protocol": "tcp", "appProtocol": "http"}]
            container["healthCheck"] = {
                "command": node_health_command(spec.container_port, spec.health_check.path),
                "interval": 30, "timeout": 5, "retries": 3,
                "startPeriod": min(self._profile.compute.health_check_grace_period_seconds, MAX_HEALTH_START_PERIOD)}
        return container

    def _task_definition(self, service: str) -> aws.ecs.TaskDefinition:
        spec = self._spec(service)
        return aws.ecs.TaskDefinition(
            service, family=self._names.of("ecs_family", service), network_mode="awsvpc",
            requires_compatibilities=["FARGATE"], cpu=str(spec.cpu_units), memory=str(spec.memory_mb),
            runtime_platform={"operating_system_family": "LINUX",
                              "cpu_architecture": "ARM64" if self._profile.compute.graviton else "X86_64"},
            execution_role_arn=self._placement.execution_role_arn,
            task_role_arn=self._placement.task_role_arns[service],
            container_definitions=pulumi.Output.json_dumps([self._container(service)]),
            opts=pulumi.ResourceOptions(parent=self, depends_on=self._launch_prerequisites(service)))

    def _launch_prerequisites(self, service: str) -> list[pulumi.Resource]:
        """What a task needs before it can start: its IAM policies (a role alone grants nothing) and the
        route out of its subnet (image pull, secrets, logs)."""
        p = self._placement
        return [*p.iam_policies[service], *p.network_routes]

    # -- services ------------------------------------------------------------------------------------

    def _service(self, service: str, task: aws.ecs.TaskDefinition) -> aws.ecs.Service:
        spec = self._spec(service)
        p = self._placement
        web = service in WEB_SERVICES
        load_balancers = None
        if web:
            load_balancers = [{"target_group_arn": p.target_groups[service].arn, "container_name": service,
                               "container_port": spec.container_port}]
        # ECS rejects a service whose target group is not attached to a load balancer yet: wait for the
        # listener rule that forwards to it.
        depends_on = [p.capacity_providers, *self._launch_prerequisites(service)] + (
            [p.listener_rules[service]] if web else [])
        return aws.ecs.Service(
            service, name=self._names.of("ecs_service", service), cluster=p.cluster_arn,
            task_definition=task.arn, desired_count=spec.desired_count,
            # Never launch_type together with a strategy: the strategy is what puts tasks on Spot.
            capacity_provider_strategies=capacity_provider_strategy(spec.spot_share_percent),
            # Without it the provider marks any strategy change ForceNew (terraform-provider-aws
            # internal/service/ecs/service.go, capacityProviderStrategyCustomizeDiff), and the new service
            # collides with the old one's fixed name. With it, a Spot share change is an in-place
            # UpdateService that rolls the tasks onto the new strategy.
            force_new_deployment=True,
            platform_version="LATEST",
            deployment_minimum_healthy_percent=spec.deployment_min_healthy_percent,
            deployment_maximum_percent=spec.deployment_max_percent,
            deployment_circuit_breaker={"enable": True, "rollback": True},
            network_configuration={"subnets": list(p.subnet_ids), "security_groups": [p.security_group_ids[service]],
                                   "assign_public_ip": p.assign_public_ip},
            load_balancers=load_balancers,
            # Only services behind a load balancer accept a grace period.
            health_check_grace_period_seconds=self._profile.compute.health_check_grace_period_seconds if web else None,
            enable_execute_command=self._profile.compute.enable_execute_command,
            propagate_tags="SERVICE", enable_ecs_managed_tags=True, wait_for_steady_state=False,
            # The autoscaler owns the running count after the first deployment.
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on, ignore_changes=["desiredCount"]))

    # -- autoscaling: the policies of chatops.model.autoscaling, with their CloudWatch metrics ----------

    def _autoscaling(self) -> None:
        targets = {s: self._scalable_target(t) for s, t in autoscaling.scalable_targets(self._profile).items()}
        for policy in autoscaling.scaling_policies(self._profile):
            if isinstance(policy, autoscaling.TargetTracking):
                self._target_tracking(targets[policy.service], policy)
            else:
                self._step_policy(targets[policy.service], policy)

    def _scalable_target(self, target: autoscaling.ScalableTarget) -> aws.appautoscaling.Target:
        return aws.appautoscaling.Target(
            target.service, service_namespace="ecs", scalable_dimension=SCALABLE_DIMENSION,
            resource_id=pulumi.Output.concat("service/", self._placement.cluster_name, "/",
                                             self._service_name(target.service)),
            min_capacity=target.min_capacity, max_capacity=target.max_capacity,
            opts=pulumi.ResourceOptions(parent=self))

    def _service_name(self, service: str) -> pulumi.Output[str]:
        return self.service_names[service]

    def _target_tracking(self, target: aws.appautoscaling.Target,
                         policy: autoscaling.TargetTracking) -> aws.appautoscaling.Policy:
        config: dict[str, Any] = {"target_value": policy.target_value,
                                  "scale_in_cooldown": policy.scale_in_cooldown_seconds,
                                  "scale_out_cooldown": policy.scale_out_cooldown_seconds,
                                  "disable_scale_in": policy.disable_scale_in,
                                  **self._tracking_metric_specification(policy.metric)}
        return aws.appautoscaling.Policy(
            policy.name, name=self._names.of("alarm", policy.name), policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace, resource_id=target.resource_id,
            scalable_dimension=target.scalable_dimension, target_tracking_scaling_policy_configuration=config,
            opts=pulumi.ResourceOptions(parent=self))

    def _tracking_metric_specification(self, metric: autoscaling.Metric) -> dict[str, Any]:
        if metric in PREDEFINED_METRICS:
            label = None
            if metric == "requests_per_target":
                label = pulumi.Output.concat(self._placement.alb_arn_suffix, "/",
                                             self._placement.target_groups["api"].arn_suffix)
            return {"predefined_metric_specification": {"predefined_metric_type": PREDEFINED_METRICS[metric],
                                                        "resource_label": label}}
        if metric == "connections_per_task":
            # Every task publishes the same metric and dimension: Average is the mean per task. No `unit`
            # filter: CloudWatch would then ignore datapoints an app publishes without that exact unit.
            dims = [{"name": k, "value": v} for k, v in metrics.dimensions(self._names.prefix).items()]
            return {"customized_metric_specification": {
                "metric_name": metrics.ACTIVE_CONNECTIONS, "namespace": self._profile.observability.metrics_namespace,
                "dimensions": dims, "statistic": "Average"}}
        if metric == "backlog_per_task":
            queues = self._placement.queue_names
            return {"customized_metric_specification": {"metrics": [
                self._tracking_metric("push", "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Sum",
                                      {"QueueName": queues["push"]}),
                self._tracking_metric("offline", "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Sum",
                                      {"QueueName": queues["offline"]}),
                self._tracking_metric("tasks", "ECS/ContainerInsights", "RunningTaskCount", "Average",
                                      {"ClusterName": self._placement.cluster_name,
                                       "ServiceName": self.service_names["workers"]}),
                {"id": "backlog", "label": "visible messages per running worker", "return_data": True,
                 "expression": "(push + offline) / IF(tasks < 1, 1, tasks)"}]}}
        raise ValueError(f"no target-tracking metric for {metric!r}")

    def _step_policy(self, target: aws.appautoscaling.Target, policy: autoscaling.StepScaling) -> None:
        """A step policy and the alarm that triggers it, exactly as described (scale-out or scale-in)."""
        scaling_policy = aws.appautoscaling.Policy(
            policy.name, name=self._names.of("alarm", policy.name), policy_type="StepScaling",
            service_namespace=target.service_namespace, resource_id=target.resource_id,
            scalable_dimension=target.scalable_dimension,
            step_scaling_policy_configuration={
                "adjustment_type": policy.adjustment_type, "cooldown": policy.cooldown_seconds,
                "metric_aggregation_type": policy.metric_aggregation_type,
                "step_adjustments": step_adjustments(policy.steps)},
            opts=pulumi.ResourceOptions(parent=self))
        aws.cloudwatch.MetricAlarm(
            policy.name, name=self._names.of("alarm", policy.name), threshold=policy.threshold,
            comparison_operator=policy.comparison, treat_missing_data=policy.treat_missing_data,
            alarm_description=f"{'scale in' if _scales_in(policy) else 'scale out'}: {policy.name}", actions_enabled=True, alarm_actions=[scaling_policy.arn],
            evaluation_periods=policy.evaluation_periods, datapoints_to_alarm=policy.datapoints_to_alarm,
            **self._step_alarm_metric(policy), opts=pulumi.ResourceOptions(parent=self))

    def _step_alarm_metric(self, policy: autoscaling.StepScaling) -> dict[str, Any]:
        """The CloudWatch metric (or metric math) a step policy's alarm watches."""
        if policy.metric == "event_loop_lag_ms":
            return {"namespace": self._profile.observability.metrics_namespace,
                    "metric_name": metrics.EVENT_LOOP_LAG_MS, "dimensions": metrics.dimensions(self._names.prefix),
                    "extended_statistic": metrics.EVENT_LOOP_LAG_STATISTIC, "period": policy.period_seconds}
        queues = self._placement.queue_names

        def queue_metric(queue: str, metric_name: str, stat: str) -> dict[str, Any]:
            return {"id": queue, "return_data": False, "metric": {
                "namespace": "AWS/SQS", "metric_name": metric_name, "period": policy.period_seconds, "stat": stat,
                "dimensions": {"QueueName": queues[queue]}}}

        if policy.metric == "visible_messages":
            return {"metric_queries": [
                queue_metric("push", "ApproximateNumberOfMessagesVisible", "Sum"),
                queue_metric("offline", "ApproximateNumberOfMessagesVisible", "Sum"),
                {"id": "backlog", "expression": "push + offline", "label": "visible messages", "return_data": True}]}
        if policy.metric == "oldest_message_age_seconds":
            return {"metric_queries": [
                queue_metric("push", "ApproximateAgeOfOldestMessage", "Maximum"),
                queue_metric("offline", "ApproximateAgeOfOldestMessage", "Maximum"),
                {"id": "oldest", "expression": "MAX([push, offline])", "label": "oldest message age (s)",
                 "return_data": True}]}
        raise ValueError(f"no step-scaling alarm metric for {policy.metric!r}")

    @staticmethod
    def _tracking_metric(query_id: str, namespace: str, metric_name: str, stat: str,
                         dimensions: Mapping[str, pulumi.Input[str]]) -> dict[str, Any]:
        return {"id": query_id, "return_data": False, "metric_stat": {"stat": stat, "metric": {
            "namespace": namespace, "metric_name": metric_name,
            "dimensions": [{"name": k, "value": v} for k, v in dimensions.items()]}}}
