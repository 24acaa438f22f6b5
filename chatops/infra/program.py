"""The inline Pulumi program: every component, wired from a Profile and DeploymentSettings.

`build_program(profile, settings, dashboard_template)` returns the PulumiFn the Automation API (and the
mock engine in `synth`) runs. The caller reads the dashboard template (infra/ reads no files).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import pulumi
import pulumi_aws as aws

from chatops.infra.alb import LoadBalancer
from chatops.infra.backup import BackupPlan
from chatops.infra.cache import Cache
from chatops.infra.cluster import Cluster
from chatops.infra.database import Database
from chatops.infra.db_bootstrap import BootstrapSecrets, DatabaseBootstrap
from chatops.infra.dns import ApiRecord, Certificate, api_host
from chatops.infra.iam import ExecAudit, TaskRoles
from chatops.infra.network import Network
from chatops.infra.observability import Observability, ObservedResources
from chatops.infra.queues import Queues
from chatops.infra.registry import COMPONENT_NAME as REGISTRY_NAME, Registries
from chatops.infra.security import SecurityGroups
from chatops.infra.services import AppWiring, Placement, ServiceLogs, Services
from chatops.infra.tags import register_tagging, stack_tags
from chatops.infra.waf import WebAcl
from chatops.model.naming import Names
from chatops.model.profile import Profile
from chatops.model.settings import DeploymentSettings

#: The stack outputs, in the order `chatops outputs` shows them (a test checks the program exports
#: exactly these).
OUTPUT_KEYS: tuple[str, ...] = (
    "region", "tier", "vpcId", "publicSubnetIds", "privateSubnetIds", "albDnsName", "albArnSuffix",
    "apiTargetGroupArn", "apiTargetGroupArnSuffix", "realtimeTargetGroupArn", "realtimeTargetGroupArnSuffix",
    "ecsClusterName", "apiServiceName", "realtimeServiceName", "workersServiceName", "apiTaskDefinitionArn",
    "realtimeTaskDefinitionArn", "workersTaskDefinitionArn", "apiRepositoryUrl",
    "realtimeRepositoryUrl", "workersRepositoryUrl", "dbInstanceId", "dbEndpoint", "dbProxyEndpoint",
    "dbReplicaInstanceId", "dbReplicaEndpoint", "dbSecretArn", "databaseUrlSecretArn", "redisSecretArn",
    "redisReplicationGroupIds", "redisAdapterEndpoint", "redisStateEndpoint", "pushQueueUrl", "pushDlqUrl",
    "offlineQueueUrl", "offlineDlqUrl", "dashboardName", "alertTopicArn", "wafAclArn", "backupVaultName",
    "apiUrl", "socketUrl", "metricsNamespace", "logGroupNames", "dbBootstrap",
)


def build_program(profile: Profile, settings: DeploymentSettings,
                  dashboard_template: Optional[str] = None) -> Callable[[], None]:
    """The inline program for one stack. `dashboard_template` is the text of templates/dashboard.json.j2."""
    if dashboard_template is None:
        raise ValueError("build_program needs the dashboard template text (read it with "
                         "chatops.model.loading.builtin_templates_dir() / 'dashboard.json.j2')")

    def program() -> None:
        for key, value in _build(profile, settings, dashboard_template).items():
            pulumi.export(key, value)

    return program


def _build(profile: Profile, settings: DeploymentSettings, dashboard_template: str) -> dict[str, Any]:
    names = Names(settings.project, settings.stack, settings.region)
    register_tagging(stack_tags(settings))
    account_id = aws.get_caller_identity_output().account_id

    network = Network("network", profile=profile, names=names, region=settings.region, account_id=account_id)
    groups = SecurityGroups("security", profile=profile, names=names, vpc_id=network.vpc_id)
    certificate = Certificate("certificate", settings=settings)
    alb = LoadBalancer("alb", profile=profile, names=names, region=settings.region, account_id=account_id,
                       vpc_id=network.vpc_id, subnet_ids=network.public_subnet_ids, security_group_id=groups.alb,
                       certificate_arn=certificate.arn, log_retention_days=profile.observability.log_retention_days,
                       destroying=settings.destroying)
    if settings.hosted_zone_id:
        ApiRecord("api-record", settings=settings, alb_dns_name=alb.dns_name, alb_zone_id=alb.zone_id)
    waf = WebAcl("waf", profile=profile, names=names, alb_arn=alb.arn) if profile.waf.enabled else None

    registries = Registries(REGISTRY_NAME, profile=profile, names=names, destroying=settings.destroying)
    cluster = Cluster("cluster", profile=profile, names=names, region=settings.region, account_id=account_id)
    # settings.apply_immediately (scale-to --apply-immediately) forces class changes now; otherwise the
    # components decide: dev applies now, prod waits for the maintenance window.
    apply_now = settings.apply_immediately or None
    database = Database("database", profile=profile, names=names, subnet_ids=network.private_subnet_ids,
                        security_group_id=groups.database, proxy_security_group_id=groups.proxy,
                        apply_immediately=apply_now, destroying=settings.destroying,
                        final_snapshot_identifier=settings.final_snapshot_identifier)
    cache = Cache("cache", profile=profile, names=names, subnet_ids=network.private_subnet_ids,
                  security_group_id=groups.cache, apply_immediately=apply_now)
    queues = Queues("queues", profile=profile, names=names)
    backup = BackupPlan("backup", profile=profile, names=names, database_arn=database.instance_arn,
                        destroying=settings.destroying)

    wiring = AppWiring(
        database_url_secret_arn=database.database_url_secret_arn,
        read_replica_url_secret_arn=database.read_replica_url_secret_arn,
        redis_password_secret_arn=cache.auth_secret_arn, redis_adapter_host=cache.adapter_endpoint,
        redis_state_host=cache.state_endpoint, redis_port=cache.port,
        push_queue_url=queues.push.url, offline_queue_url=queues.offline.url,
        database_urls_version=database.url_secrets_version)
    logs = ServiceLogs("logs", profile=profile, names=names)
    roles = TaskRoles("iam", names=names, region=settings.region, account_id=account_id,
                      repository_arns=list(registries.arns.values()), log_group_arns=logs.arns,
                      secret_arns=wiring.secret_arns(), queue_arns=[queues.push.arn, queues.offline.arn],
                      metrics_namespace=profile.observability.metrics_namespace,
                      exec_audit=ExecAudit(cluster.exec_log_group_arn, cluster.exec_kms_key_arn)
                      if profile.compute.enable_execute_command else None)
    placement = Placement(
        cluster_arn=cluster.arn, cluster_name=cluster.name, capacity_providers=cluster.capacity_providers,
        subnet_ids=network.task_subnet_ids, assign_public_ip=network.assign_public_ip,
        security_group_ids=groups.services, execution_role_arn=roles.execution_role_arn,
        task_role_arns=roles.task_role_arns, repository_urls=registries.urls, target_groups=alb.target_groups,
        listener_rules=alb.listener_rules, iam_policies=roles.policies, network_routes=network.task_routes,
        alb_arn_suffix=alb.arn_suffix,
        queue_names={"push": queues.push.name, "offline": queues.offline.name})
    services = Services("services", profile=profile, settings=settings, names=names, placement=placement,
                        wiring=wiring, logs=logs)
    bootstrap = DatabaseBootstrap(
        "db-bootstrap", profile=profile, names=names, region=settings.region, account_id=account_id,
        cluster_name=cluster.name, subnet_ids=network.task_subnet_ids, assign_public_ip=network.assign_public_ip,
        security_group_id=groups.database_admin, database_host=database.endpoint,
        secrets=BootstrapSecrets(database.master_secret_arn, database.app_secret_arn, database.readonly_secret_arn),
        opts=pulumi.ResourceOptions(depends_on=network.task_routes))

    tgs = alb.target_groups
    observability = Observability("observability", profile=profile, settings=settings, names=names,
                                  dashboard_template=dashboard_template, observed=ObservedResources(
        cluster_name=cluster.name, service_names=services.service_names, alb_arn_suffix=alb.arn_suffix,
        target_group_arn_suffixes={s: tg.arn_suffix for s, tg in tgs.items()},
        db_instance_id=database.instance_id, db_replica_instance_id=database.replica_instance_id,
        redis_member_cluster_ids=cache.member_cluster_ids,
        queue_names={"push": queues.push.name, "offline": queues.offline.name,
                     "push_dlq": queues.push_dlq.name, "offline_dlq": queues.offline_dlq.name},
        log_group_names=logs.names))

    host = api_host(settings)
    return {
        "region": settings.region, "tier": profile.name, "vpcId": network.vpc_id,
        "publicSubnetIds": network.public_subnet_ids, "privateSubnetIds": network.private_subnet_ids,
        "albDnsName": alb.dns_name, "albArnSuffix": alb.arn_suffix,
        "apiTargetGroupArn": tgs["api"].arn, "apiTargetGroupArnSuffix": tgs["api"].arn_suffix,
        "realtimeTargetGroupArn": tgs["realtime"].arn, "realtimeTargetGroupArnSuffix": tgs["realtime"].arn_suffix,
        "ecsClusterName": cluster.name, "apiServiceName": services.service_names["api"],
        "realtimeServiceName": services.service_names["realtime"],
        "workersServiceName": services.service_names["workers"],
        **{f"{s}TaskDefinitionArn": arn for s, arn in services.task_definition_arns.items()},
        "apiRepositoryUrl": registries.urls["api"], "realtimeRepositoryUrl": registries.urls["realtime"],
        "workersRepositoryUrl": registries.urls["workers"],
        "dbInstanceId": database.instance_id, "dbEndpoint": database.endpoint,
        "dbProxyEndpoint": database.proxy_endpoint, "dbReplicaInstanceId": database.replica_instance_id,
        "dbReplicaEndpoint": database.replica_endpoint, "dbSecretArn": database.master_secret_arn,
        "databaseUrlSecretArn": database.database_url_secret_arn, "redisSecretArn": cache.auth_secret_arn,
        "redisReplicationGroupIds": cache.replication_group_ids, "redisAdapterEndpoint": cache.adapter_endpoint,
        "redisStateEndpoint": cache.state_endpoint, "pushQueueUrl": queues.push.url,
        "pushDlqUrl": queues.push_dlq.url, "offlineQueueUrl": queues.offline.url,
        "offlineDlqUrl": queues.offline_dlq.url, "dashboardName": observability.dashboard_name,
        "alertTopicArn": observability.alert_topic_arn, "wafAclArn": waf.arn if waf else None,
        "backupVaultName": backup.vault_name, "apiUrl": f"https://{host}", "socketUrl": f"wss://{host}",
        "metricsNamespace": profile.observability.metrics_namespace, "logGroupNames": logs.names,
        "dbBootstrap": bootstrap.spec,
    }
