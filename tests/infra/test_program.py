"""The inline program under the mock engine, per tier: assertions on the resources and their inputs."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

from chatops.infra.program import OUTPUT_KEYS
from chatops.infra.synth import Synthesis, synthesize_with_outputs
from chatops.model.loading import BUILTIN_TIERS, load_profile
from chatops.model.naming import LIMITS
from chatops.model.settings import DeploymentSettings

# The same settings the session-wide `graphs` fixture (tests/conftest.py) synthesizes every tier with.
SETTINGS = DeploymentSettings.placeholder(project="chat", stack="prod")


def of_type(s: Synthesis, typ: str) -> list[dict[str, Any]]:
    return [r for r in s.resources if r["type"] == typ]


def named(s: Synthesis, typ: str, name: str) -> dict[str, Any]:
    matches = [r for r in of_type(s, typ) if r["urn"].endswith(f"::{name}")]
    assert len(matches) == 1, f"{typ} {name}: {len(matches)} matches"
    return matches[0]


def containers(s: Synthesis, service: str) -> dict[str, Any]:
    task = named(s, "aws:ecs/taskDefinition:TaskDefinition", service)
    (container,) = json.loads(task["inputs"]["containerDefinitions"])
    return container


tiers = pytest.mark.parametrize("tier", BUILTIN_TIERS)


# -- counts and switches ------------------------------------------------------------------------------

@tiers
def test_network_counts_follow_the_profile(graphs, tier):
    s, p = graphs[tier], load_profile(tier)
    zones = p.network.availability_zones
    subnets = of_type(s, "aws:ec2/subnet:Subnet")
    assert len(subnets) == 2 * zones
    assert len(of_type(s, "aws:ec2/natGateway:NatGateway")) == p.network.nat_gateways
    assert len(of_type(s, "aws:ec2/eip:Eip")) == p.network.nat_gateways
    assert {r["inputs"]["availabilityZone"] for r in subnets} == {f"us-east-1{c}" for c in "abcdef"[:zones]}
    assert sorted(r["inputs"]["cidrBlock"] for r in subnets) == sorted(
        [f"10.0.{i}.0/24" for i in range(zones)] + [f"10.0.{100 + i}.0/24" for i in range(zones)])
    assert len(of_type(s, "aws:ec2/vpcEndpoint:VpcEndpoint")) == 1
    flow = of_type(s, "aws:ec2/flowLog:FlowLog")
    assert len(flow) == 1 and flow[0]["inputs"]["logDestinationType"] == "cloud-watch-logs"
    private_routes = [r for r in of_type(s, "aws:ec2/route:Route") if "natGatewayId" in r["inputs"]]
    assert len(private_routes) == (zones if p.network.nat_gateways else 0)


@tiers
def test_services_and_capacity_provider_strategies(graphs, tier):
    s, p = graphs[tier], load_profile(tier)
    services = of_type(s, "aws:ecs/service:Service")
    assert sorted(r["urn"].rsplit("::", 1)[1] for r in services) == ["api", "realtime", "workers"]
    for svc in services:
        name = svc["urn"].rsplit("::", 1)[1]
        spot = getattr(p, name).spot_share_percent
        inputs = svc["inputs"]
        assert "launchType" not in inputs, "launchType with a capacity provider strategy is rejected by ECS"
        strategy = {x["capacityProvider"]: x for x in inputs["capacityProviderStrategies"]}
        if spot == 100:
            assert set(strategy) == {"FARGATE_SPOT"}
        else:
            assert strategy["FARGATE"]["base"] == 1
            assert ("FARGATE_SPOT" in strategy) == (spot > 0)
            if spot:
                share = strategy["FARGATE_SPOT"]["weight"] / sum(x["weight"] for x in strategy.values())
                assert share == pytest.approx(spot / 100)
        assert inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
        # A capacity provider strategy change must update in place, not replace the service.
        assert inputs["forceNewDeployment"] is True
        assert inputs["enableExecuteCommand"] is p.compute.enable_execute_command
        net = inputs["networkConfiguration"]
        assert net["assignPublicIp"] is (p.network.task_subnets == "public")
        assert len(net["subnets"]) == p.network.availability_zones
    assert len(of_type(s, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders")) == 1


@tiers
def test_task_definitions(graphs, tier):
    s, p = graphs[tier], load_profile(tier)
    for service in ("api", "realtime", "workers"):
        task = named(s, "aws:ecs/taskDefinition:TaskDefinition", service)["inputs"]
        spec = getattr(p, service)
        assert task["cpu"] == str(spec.cpu_units) and task["memory"] == str(spec.memory_mb)
        assert task["runtimePlatform"]["cpuArchitecture"] == ("ARM64" if p.compute.graviton else "X86_64")
        c = containers(s, service)
        assert "command" not in c, "no placeholder command: the image's own CMD runs"
        assert c["image"].endswith(f".amazonaws.com/chat-prod/{service}:unreleased")  # no tag, no digest yet
        assert c["stopTimeout"] == spec.stop_timeout_seconds
        assert c["logConfiguration"]["options"]["awslogs-group"] == f"/chatops/chat-prod/{service}"
        if service != "workers":
            assert c["portMappings"][0]["containerPort"] == spec.container_port
            # Exec form: distroless images have no shell for CMD-SHELL.
            command = c["healthCheck"]["command"]
            assert command[:3] == ["CMD", "node", "-e"] and len(command) == 4
            assert f"127.0.0.1:{spec.container_port}{spec.health_check.path}" in command[3]


@tiers
def test_feature_switches(graphs, tier):
    s, p = graphs[tier], load_profile(tier)
    assert len(of_type(s, "aws:wafv2/webAcl:WebAcl")) == int(p.waf.enabled)
    assert len(of_type(s, "aws:wafv2/webAclAssociation:WebAclAssociation")) == int(p.waf.enabled)
    assert len(of_type(s, "aws:rds/proxy:Proxy")) == int(p.database.proxy.enabled)
    assert len(of_type(s, "aws:rds/instance:Instance")) == 1 + int(p.database.read_replica.enabled)
    groups = of_type(s, "aws:elasticache/replicationGroup:ReplicationGroup")
    assert len(groups) == (2 if p.cache.split.enabled else 1)
    assert (s.outputs["wafAclArn"] is None) is (not p.waf.enabled)
    assert (s.outputs["dbProxyEndpoint"] is None) is (not p.database.proxy.enabled)
    assert (s.outputs["dbReplicaEndpoint"] is None) is (not p.database.read_replica.enabled)
    if p.cache.split.enabled:
        assert s.outputs["redisAdapterEndpoint"] != s.outputs["redisStateEndpoint"]
    else:
        assert s.outputs["redisAdapterEndpoint"] == s.outputs["redisStateEndpoint"]


def test_dev_runs_tasks_in_public_subnets_and_prod_in_private(graphs):
    for tier, subnet_kind in (("dev", "public"), ("100k-dau", "private")):
        s = graphs[tier]
        ids = set(s.outputs[f"{subnet_kind}SubnetIds"])
        for svc in of_type(s, "aws:ecs/service:Service"):
            assert set(svc["inputs"]["networkConfiguration"]["subnets"]) == ids


# -- ordering ------------------------------------------------------------------------------------------

@tiers
def test_services_and_task_definitions_wait_for_what_their_tasks_need(graphs, tier):
    s, p = graphs[tier], load_profile(tier)
    rules = {r["urn"].rsplit("::", 1)[1]: r["urn"] for r in of_type(s, "aws:lb/listenerRule:ListenerRule")}
    policies = {r["urn"].rsplit("::", 1)[1]: r["urn"] for r in of_type(s, "aws:iam/rolePolicy:RolePolicy")}
    routes = {r["urn"] for r in of_type(s, "aws:ec2/route:Route")
              if ("natGatewayId" in r["inputs"]) is (p.network.task_subnets == "private")}
    assert routes
    for service in ("api", "realtime", "workers"):
        needs = {policies["execution"], policies[f"{service}-task"], *routes}
        task = named(s, "aws:ecs/taskDefinition:TaskDefinition", service)
        svc = named(s, "aws:ecs/service:Service", service)
        assert needs <= set(task["dependencies"]), service
        assert needs <= set(svc["dependencies"]), service
        # ECS rejects a service whose target group no listener rule uses yet.
        assert (rules.get(service) in svc["dependencies"]) is (service != "workers")


def test_flow_log_and_proxy_wait_for_their_policies(graphs):
    s = graphs["100k-dau"]
    policies = {r["urn"].rsplit("::", 1)[1]: r["urn"] for r in of_type(s, "aws:iam/rolePolicy:RolePolicy")}
    (flow_log,) = of_type(s, "aws:ec2/flowLog:FlowLog")
    assert policies["flow-logs"] in flow_log["dependencies"]
    (proxy,) = of_type(s, "aws:rds/proxy:Proxy")
    assert policies["db-proxy-secret"] in proxy["dependencies"]


# -- security ------------------------------------------------------------------------------------------

def test_flow_logs_role_trusts_only_this_accounts_flow_logs(graphs):
    s = graphs["dev"]
    role = named(s, "aws:iam/role:Role", "flow-logs")
    (statement,) = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/*"}}


@tiers
def test_security_group_rules_are_least_privilege(graphs, tier):
    s, p = graphs[tier], load_profile(tier)
    groups = {r["inputs"]["name"].split("chat-prod-", 1)[1]: r for r in of_type(s, "aws:ec2/securityGroup:SecurityGroup")}
    proxy = p.database.proxy.enabled
    assert set(groups) == {"alb", "api", "realtime", "workers", "db", "redis", "db-admin"} | (
        {"db-proxy"} if proxy else set())
    # The VPC's default group is adopted with no rules at all (the provider revokes every rule it finds).
    (default,) = of_type(s, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert default["inputs"]["ingress"] == [] and default["inputs"]["egress"] == []
    for g in groups.values():
        assert "ingress" not in g["inputs"] and "egress" not in g["inputs"]
    by_urn = {r["urn"]: name for name, r in groups.items()}
    ingress = of_type(s, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    from_internet = [r for r in ingress if r["inputs"].get("cidrIpv4") == "0.0.0.0/0"]
    assert sorted(r["inputs"]["fromPort"] for r in from_internet) == [80, 443]
    assert all(r["urn"].rsplit("::", 1)[1].startswith("alb-") for r in from_internet)

    def sources(target: str) -> set[tuple[str, int]]:
        """(source group, port) of each group-to-group ingress rule of `target`."""
        out = set()
        for r in ingress:
            if "referencedSecurityGroupId" in r["inputs"]:
                assert "cidrIpv4" not in r["inputs"]
                owner, source = _owner_and_source(r)
                assert {by_urn[d] for d in r["dependencies"] if d in by_urn} == {owner, source}
                if owner == target:
                    out.add((source, r["inputs"]["fromPort"]))
        return out

    assert sources("api") == {("alb", p.api.container_port)}
    assert sources("realtime") == {("alb", p.realtime.container_port)}
    assert sources("workers") == set()
    from_services = {("api", 5432), ("realtime", 5432), ("workers", 5432)}
    assert sources("db") == from_services | {("db-admin", 5432)} | ({("db-proxy", 5432)} if proxy else set())
    assert sources("db-admin") == set(), "the bootstrap task accepts nothing"
    assert sources("db-proxy") == (from_services if proxy else set())
    assert any("proxy" in r["urn"] for r in of_type(s, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")) \
        is proxy
    assert sources("redis") == {("api", 6379), ("realtime", 6379), ("workers", 6379)}


def _owner_and_source(rule: dict[str, Any]) -> tuple[str, str]:
    # Logical names say it: "<owner>-from-<source>" (e.g. db-from-api, proxy-from-realtime).
    logical = rule["urn"].rsplit("::", 1)[1]
    owner, source = logical.split("-from-")
    aliases = {"proxy": "db-proxy", "admin": "db-admin"}
    return aliases.get(owner, owner), aliases.get(source, source)


@tiers
def test_encryption_and_tls(graphs, tier):
    s = graphs[tier]
    for db in of_type(s, "aws:rds/instance:Instance"):
        if "replicateSourceDb" not in db["inputs"]:
            assert db["inputs"]["storageEncrypted"] is True
    for g in of_type(s, "aws:elasticache/replicationGroup:ReplicationGroup"):
        assert g["inputs"]["atRestEncryptionEnabled"] is True and g["inputs"]["transitEncryptionEnabled"] is True
    for q in of_type(s, "aws:sqs/queue:Queue"):
        assert q["inputs"]["sqsManagedSseEnabled"] is True
    (sse,) = of_type(s, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    assert sse["inputs"]["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    (block,) = of_type(s, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert all(block["inputs"][k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                            "restrictPublicBuckets"))
    (lifecycle,) = of_type(s, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    assert lifecycle["inputs"]["rules"][0]["expiration"]["days"] > 0
    (policy,) = of_type(s, "aws:s3/bucketPolicy:BucketPolicy")
    statements = json.loads(policy["inputs"]["policy"])["Statement"]
    assert any(st["Principal"] == {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"} for st in statements)
    assert any(st["Principal"] == {"AWS": "arn:aws:iam::127311923021:root"} for st in statements)


@tiers
def test_container_env_and_secrets(graphs, tier):
    s, p = graphs[tier], load_profile(tier)
    for service in ("api", "realtime", "workers"):
        c = containers(s, service)
        env = {e["name"]: e["value"] for e in c["environment"]}
        secrets = {x["name"]: x["valueFrom"] for x in c["secrets"]}
        assert secrets["DATABASE_URL"] == s.outputs["databaseUrlSecretArn"]
        assert secrets["REDIS_PASSWORD"] == s.outputs["redisSecretArn"]
        assert ("DATABASE_READ_URL" in secrets) is p.database.read_replica.enabled
        assert env["REDIS_ADAPTER_HOST"] == s.outputs["redisAdapterEndpoint"]
        assert env["REDIS_STATE_HOST"] == s.outputs["redisStateEndpoint"]
        assert env["REDIS_TLS"] == "true" and env["REDIS_PORT"] == "6379"
        assert env["PUSH_QUEUE_URL"] == s.outputs["pushQueueUrl"]
        assert env["OFFLINE_QUEUE_URL"] == s.outputs["offlineQueueUrl"]
        assert env["METRICS_NAMESPACE"] == p.observability.metrics_namespace
        assert env["METRICS_DIMENSION_STACK"] == "chat-prod"
        assert {"AUTH0_DOMAIN", "AUTH0_AUDIENCE", "AWS_REGION"} <= set(env)
        # The CA bundle DATABASE_URL names as sslrootcert, also trusted by Node's own TLS.
        assert env["NODE_EXTRA_CA_CERTS"] == "/etc/ssl/certs/rds-ca-bundle.pem"
        assert not any(k in env for k in ("DATABASE_URL", "REDIS_PASSWORD", "DB_PASSWORD"))


@tiers
def test_no_plaintext_password_anywhere(graphs, tier):
    s = graphs[tier]
    passwords = [r for r in s.resources if r["type"] == "random:index/randomPassword:RandomPassword"]
    assert passwords
    # The mock password values start with this; secrets are shown as pulumi stack export does.
    text = json.dumps([r["inputs"] for r in s.resources])
    assert "MockPassword" not in text


@tiers
def test_db_bootstrap_task_creates_the_roles_inside_the_vpc(graphs, tier):
    s, p = graphs[tier], load_profile(tier)
    spec = s.outputs["dbBootstrap"]
    task = named(s, "aws:ecs/taskDefinition:TaskDefinition", "db-bootstrap")
    assert spec["taskDefinition"].endswith(f"task-definition/{task['inputs']['family']}:1")
    assert spec["cluster"] == s.outputs["ecsClusterName"]
    assert spec["subnets"] == s.outputs[f"{p.network.task_subnets}SubnetIds"]
    assert spec["assignPublicIp"] is (p.network.task_subnets == "public")
    admin = [r for r in of_type(s, "aws:ec2/securityGroup:SecurityGroup") if r["inputs"]["name"].endswith("-db-admin")]
    assert len(admin) == 1 and len(spec["securityGroups"]) == 1
    (c,) = json.loads(task["inputs"]["containerDefinitions"])
    assert c["image"].startswith("public.ecr.aws/docker/library/postgres:")
    assert c["entryPoint"] == ["sh", "-c"] and "psql" in c["command"][0]
    env = {e["name"]: e["value"] for e in c["environment"]}
    assert env["PGHOST"] == s.outputs["dbEndpoint"] and env["PGSSLMODE"] == "verify-full"
    assert (env["APP_ROLE"], env["READONLY_ROLE"]) == ("chat_app", "chat_readonly")
    secrets = {x["name"]: x["valueFrom"] for x in c["secrets"]}
    assert secrets["PGPASSWORD"] == f"{s.outputs['dbSecretArn']}:password::"
    assert secrets["PGUSER"] == f"{s.outputs['dbSecretArn']}:username::"
    assert {"APP_PASSWORD", "READONLY_PASSWORD"} <= set(secrets)
    assert not any("Password" in e["value"] for e in c["environment"])
    assert c["logConfiguration"]["options"]["awslogs-group"] == spec["logGroup"]
    assert c["logConfiguration"]["options"]["awslogs-stream-prefix"] == spec["logStreamPrefix"]
    # Its own execution role reads the master secret; the services' execution role does not.
    policies = {r["urn"].rsplit("::", 1)[1]: json.loads(r["inputs"]["policy"])
                for r in of_type(s, "aws:iam/rolePolicy:RolePolicy")}
    bootstrap = {x["Sid"]: x for x in policies["db-bootstrap-execution"]["Statement"]}
    assert s.outputs["dbSecretArn"] in bootstrap["DatabaseSecrets"]["Resource"]
    assert len(bootstrap["DatabaseSecrets"]["Resource"]) == 3
    # The SQL is idempotent: roles created only when missing, then altered and granted every run.
    script = c["command"][0]
    assert script.count("WHERE NOT EXISTS (SELECT 1 FROM pg_roles") == 2 and "\\gexec" in script
    assert "ON_ERROR_STOP on" in script and "set -eu" in script


# -- ALB and WAF ---------------------------------------------------------------------------------------

@tiers
def test_alb_listeners_and_rules(graphs, tier):
    s, p = graphs[tier], load_profile(tier)
    (alb,) = of_type(s, "aws:lb/loadBalancer:LoadBalancer")
    assert alb["inputs"]["idleTimeout"] == 300 and alb["inputs"]["dropInvalidHeaderFields"] is True
    assert alb["inputs"]["accessLogs"]["enabled"] is True
    listeners = {r["inputs"]["port"]: r["inputs"] for r in of_type(s, "aws:lb/listener:Listener")}
    assert listeners[80]["defaultActions"][0]["redirect"]["protocol"] == "HTTPS"
    assert listeners[443]["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    rules = {r["urn"].rsplit("::", 1)[1]: r["inputs"] for r in of_type(s, "aws:lb/listenerRule:ListenerRule")}
    assert rules["api"]["conditions"][0]["pathPattern"]["values"] == ["/api/*"]
    assert rules["realtime"]["conditions"][0]["pathPattern"]["values"] == ["/socket.io/*", "/ws/*"]
    assert rules["realtime"]["actions"][0]["targetGroupArn"] == s.outputs["realtimeTargetGroupArn"]
    tg = named(s, "aws:lb/targetGroup:TargetGroup", "realtime")["inputs"]
    assert tg["stickiness"] == {"type": "lb_cookie", "enabled": True,
                                "cookieDuration": p.realtime.sticky_duration_seconds}
    assert tg["deregistrationDelay"] == p.realtime.deregistration_delay_seconds
    assert tg["healthCheck"]["path"] == p.realtime.health_check.path


def test_bot_control_can_block_non_browser_clients_when_the_profile_says_so():
    from chatops.model.loading import profile_from_data, profile_to_data

    data = profile_to_data(load_profile("10k-dau"))
    data["waf"]["bot_control_non_browser"] = "block"
    s = synthesize_with_outputs(profile_from_data(data, source="test"), SETTINGS)
    (acl,) = of_type(s, "aws:wafv2/webAcl:WebAcl")
    bot = next(r for r in acl["inputs"]["rules"] if r["name"] == "bot-control")
    assert "ruleActionOverrides" not in bot["statement"]["managedRuleGroupStatement"]


@pytest.mark.parametrize("tier", [t for t in BUILTIN_TIERS if load_profile(t).waf.enabled])
def test_waf_rules(graphs, tier):
    s, p = graphs[tier], load_profile(tier)
    (acl,) = of_type(s, "aws:wafv2/webAcl:WebAcl")
    rules = {r["name"]: r for r in acl["inputs"]["rules"]}
    assert len({r["priority"] for r in rules.values()}) == len(rules)
    common = rules["common"]["statement"]["managedRuleGroupStatement"]
    assert {o["name"] for o in common["ruleActionOverrides"]} == {"SizeRestrictions_BODY", "CrossSiteScripting_BODY"}
    assert all(o["actionToUse"] == {"count": {}} for o in common["ruleActionOverrides"])
    assert "known-bad-inputs" in rules
    if p.waf.bot_control:
        bot = rules["bot-control"]["statement"]["managedRuleGroupStatement"]
        assert bot["managedRuleGroupConfigs"][0]["awsManagedRulesBotControlRuleSet"]["inspectionLevel"] == "COMMON"
        # Mobile apps and Node/Socket.IO clients are non-browser HTTP libraries: counted, never blocked.
        assert p.waf.bot_control_non_browser == "count"
        assert {o["name"]: o["actionToUse"] for o in bot["ruleActionOverrides"]} == {
            "SignalNonBrowserUserAgent": {"count": {}}, "CategoryHttpLibrary": {"count": {}}}
    # Blocked and counted requests are logged, to a group WAF accepts, with the profile's retention.
    (logging,) = of_type(s, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration")
    group = named(s, "aws:cloudwatch/logGroup:LogGroup", "waf-logs")["inputs"]
    assert group["name"].startswith("aws-waf-logs-") and group["retentionInDays"] == p.observability.log_retention_days
    assert logging["inputs"]["logDestinationConfigs"] == [f"arn:aws:logs:us-east-1:123456789012:log-group:{group['name']}"]
    assert logging["inputs"]["resourceArn"] == s.outputs["wafAclArn"]
    log_filter = logging["inputs"]["loggingFilter"]
    assert log_filter["defaultBehavior"] == "DROP"
    (keep,) = log_filter["filters"]
    assert keep["behavior"] == "KEEP" and keep["requirement"] == "MEETS_ANY"
    assert {c["actionCondition"]["action"] for c in keep["conditions"]} == {"BLOCK", "COUNT", "EXCLUDED_AS_COUNT"}
    assert {f["singleHeader"]["name"] for f in logging["inputs"]["redactedFields"]} == {"authorization", "cookie"}
    api = rules["rate-api"]["statement"]["rateBasedStatement"]
    assert api["limit"] == p.waf.api_rate_limit_per_5min
    assert api["scopeDownStatement"]["byteMatchStatement"]["searchString"] == "/api/"
    socket = rules["rate-socket"]["statement"]["rateBasedStatement"]
    assert socket["scopeDownStatement"]["byteMatchStatement"]["searchString"] == "/socket.io/"
    assert rules["rate-global"]["statement"]["rateBasedStatement"]["limit"] == p.waf.global_rate_limit_per_5min
    block = rules["rate-api"]["action"]["block"]["customResponse"]
    assert block["responseCode"] == 429
    (body,) = acl["inputs"]["customResponseBodies"]
    assert body["key"] == block["customResponseBodyKey"] and body["contentType"] == "APPLICATION_JSON"
    json.loads(body["content"])


# -- autoscaling ---------------------------------------------------------------------------------------

def _policies(s: Synthesis) -> dict[str, dict[str, Any]]:
    return {r["urn"].rsplit("::", 1)[1]: r["inputs"] for r in of_type(s, "aws:appautoscaling/policy:Policy")}


@tiers
def test_step_scaling_bounds_are_valid(graphs, tier):
    s = graphs[tier]
    steps_seen = 0
    for name, policy in _policies(s).items():
        if policy["policyType"] != "StepScaling" or name.endswith("-scale-in"):
            continue
        steps = policy["stepScalingPolicyConfiguration"]["stepAdjustments"]
        lowers = [float(x["metricIntervalLowerBound"]) for x in steps]
        assert lowers[0] == 0, f"{name}: the first step starts at the alarm threshold"
        assert "metricIntervalUpperBound" not in steps[-1], f"{name}: the last step is open-ended"
        for a, b in zip(steps, steps[1:]):
            assert float(a["metricIntervalUpperBound"]) == float(b["metricIntervalLowerBound"]), f"{name}: gap/overlap"
            assert float(a["metricIntervalUpperBound"]) > float(a["metricIntervalLowerBound"])
        alarms = [r for r in of_type(s, "aws:cloudwatch/metricAlarm:MetricAlarm") if r["urn"].endswith(f"::{name}")]
        assert len(alarms) == 1 and alarms[0]["inputs"]["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
        steps_seen += 1
    assert steps_seen >= 1


@tiers
def test_scaling_policies_per_service(graphs, tier):
    s, p = graphs[tier], load_profile(tier)
    policies = _policies(s)
    assert {"api-cpu", "api-memory", "api-requests", "realtime-cpu", "realtime-memory", "workers-age"} <= set(policies)
    label = policies["api-requests"]["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"][
        "resourceLabel"]
    assert label == f"{s.outputs['albArnSuffix']}/{s.outputs['apiTargetGroupArnSuffix']}"
    assert ("realtime-connections" in policies) is p.realtime.scale_on_connections
    assert ("realtime-lag" in policies) is p.realtime.scale_on_connections
    if p.realtime.scale_on_connections:
        spec = policies["realtime-connections"]["targetTrackingScalingPolicyConfiguration"]
        metric = spec["customizedMetricSpecification"]
        assert metric["metricName"] == "ActiveConnections" and metric["statistic"] == "Average"
        assert metric["namespace"] == p.observability.metrics_namespace
        assert metric["dimensions"] == [{"name": "Stack", "value": "chat-prod"}]
        assert 0 < spec["targetValue"] < p.realtime.max_connections_per_task
        (lag,) = [r["inputs"] for r in of_type(s, "aws:cloudwatch/metricAlarm:MetricAlarm")
                  if r["urn"].endswith("::realtime-lag")]
        assert lag["metricName"] == "EventLoopLagMs" and lag["extendedStatistic"] == "p95"
        assert lag["dimensions"] == {"Stack": "chat-prod"}
        assert lag["threshold"] == p.realtime.scale_on_event_loop_lag_ms
    targets = {r["urn"].rsplit("::", 1)[1]: r["inputs"] for r in of_type(s, "aws:appautoscaling/target:Target")}
    for service in ("api", "realtime", "workers"):
        scaling = getattr(p, service).autoscaling
        assert targets[service]["minCapacity"] == scaling.min_count
        assert targets[service]["maxCapacity"] == scaling.max_count
        assert targets[service]["resourceId"] == f"service/chat-prod-cluster/chat-prod-{service}"


@tiers
def test_policies_are_the_shared_description(graphs, tier):
    """The simulator reads chatops.model.autoscaling: every target, cooldown, alarm window and step the
    program creates must be the one described there."""
    from chatops.model import autoscaling

    s, p = graphs[tier], load_profile(tier)
    policies = _policies(s)
    alarms = {r["urn"].rsplit("::", 1)[1]: r["inputs"] for r in of_type(s, "aws:cloudwatch/metricAlarm:MetricAlarm")}
    described = autoscaling.scaling_policies(p)
    assert sorted(policies) == sorted(d.name for d in described)
    for d in described:
        created = policies[d.name]
        if isinstance(d, autoscaling.TargetTracking):
            config = created["targetTrackingScalingPolicyConfiguration"]
            assert (config["targetValue"], config["scaleOutCooldown"], config["scaleInCooldown"],
                    config["disableScaleIn"]) == (d.target_value, d.scale_out_cooldown_seconds,
                                                  d.scale_in_cooldown_seconds, d.disable_scale_in), d.name
        else:
            config = created["stepScalingPolicyConfiguration"]
            assert config["cooldown"] == d.cooldown_seconds
            assert config["metricAggregationType"] == d.metric_aggregation_type
            steps = [(float(x["metricIntervalLowerBound"]) if "metricIntervalLowerBound" in x else None,
                      float(x["metricIntervalUpperBound"]) if "metricIntervalUpperBound" in x else None,
                      x["scalingAdjustment"])
                     for x in config["stepAdjustments"]]
            assert steps == [(a.lower_bound, a.upper_bound, a.scaling_adjustment) for a in d.steps], d.name
            alarm = alarms[d.name]
            assert (alarm["threshold"], alarm["evaluationPeriods"], alarm["datapointsToAlarm"],
                    alarm["comparisonOperator"], alarm["treatMissingData"]) == (
                d.threshold, d.evaluation_periods, d.datapoints_to_alarm, d.comparison, d.treat_missing_data), d.name


@tiers
def test_workers_scale_in_on_cpu(graphs, tier):
    # The backlog empties as soon as the workers keep up: a CPU target-tracking policy holds the tasks the
    # load keeps busy (AWS scales in only when every target-tracking policy is ready to).
    s, p = graphs[tier], load_profile(tier)
    config = _policies(s)["workers-cpu"]["targetTrackingScalingPolicyConfiguration"]
    assert config["predefinedMetricSpecification"]["predefinedMetricType"] == "ECSServiceAverageCPUUtilization"
    assert config["targetValue"] == p.workers.autoscaling.cpu_target_percent
    assert config["disableScaleIn"] is False


def test_workers_without_container_insights_scale_out_by_steps_and_in_on_cpu():
    # Without Container Insights the backlog policy is step scaling, which only adds tasks: the CPU
    # target-tracking policy removes them again, or workers would stay at their peak forever.
    from chatops.model.loading import profile_from_data, profile_to_data

    data = profile_to_data(load_profile("10k-dau"))
    data["compute"]["container_insights"] = False
    profile = profile_from_data(data, source="test")
    s = synthesize_with_outputs(profile, SETTINGS)
    policies = _policies(s)
    kinds = {n: p["policyType"] for n, p in policies.items() if n.startswith("workers")}
    assert kinds == {"workers-cpu": "TargetTrackingScaling", "workers-backlog": "StepScaling",
                     "workers-age": "StepScaling"}
    assert policies["workers-cpu"]["targetTrackingScalingPolicyConfiguration"]["disableScaleIn"] is False
    (alarm,) = [r["inputs"] for r in of_type(s, "aws:cloudwatch/metricAlarm:MetricAlarm")
                if r["urn"].endswith("::workers-backlog")]
    assert alarm["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert {q["id"] for q in alarm["metricQueries"]} == {"push", "offline", "backlog"}
    # The cost estimate prices the policies' alarms from the shared list: it must name these too.
    from chatops.model.autoscaling import step_scaling_policies, target_tracking_policies

    assert sorted(step_scaling_policies(profile)) == sorted(
        n for n, p in policies.items() if p["policyType"] == "StepScaling")
    assert sorted(target_tracking_policies(profile)) == sorted(
        n for n, p in policies.items() if p["policyType"] == "TargetTrackingScaling")


# -- IAM -----------------------------------------------------------------------------------------------

@tiers
def test_iam_least_privilege(graphs, tier):
    s, p = graphs[tier], load_profile(tier)
    policies = {r["urn"].rsplit("::", 1)[1]: json.loads(r["inputs"]["policy"])
                for r in of_type(s, "aws:iam/rolePolicy:RolePolicy")}
    execution = {st["Sid"]: st for st in policies["execution"]["Statement"]}
    expected_secrets = {s.outputs["databaseUrlSecretArn"], s.outputs["redisSecretArn"]}
    assert expected_secrets <= set(execution["ContainerSecrets"]["Resource"])
    assert s.outputs["dbSecretArn"] not in execution["ContainerSecrets"]["Resource"]
    for service in ("api", "realtime", "workers"):
        statements = {st["Sid"]: st for st in policies[f"{service}-task"]["Statement"]}
        assert statements["Metrics"]["Condition"] == {
            "StringEquals": {"cloudwatch:namespace": p.observability.metrics_namespace}}
        assert ("EcsExec" in statements) is p.compute.enable_execute_command
        assert all(not a.endswith("*") for a in statements["Queues"]["Action"])
        consumes = "sqs:ReceiveMessage" in statements["Queues"]["Action"]
        assert consumes is (service == "workers")
        for st in statements.values():
            assert st["Resource"] != "*" or st["Sid"] in ("Metrics", "EcsExec", "EcsExecLogGroupLookup")


@tiers
def test_ecs_exec_off_in_prod_and_audited_when_on(graphs, tier):
    s, p = graphs[tier], load_profile(tier)
    exec_on = p.compute.enable_execute_command
    assert exec_on is (not p.is_production), "ECS Exec is opt-in in prod tiers"
    (cluster,) = of_type(s, "aws:ecs/cluster:Cluster")
    keys = of_type(s, "aws:kms/key:Key")
    groups = {r["inputs"]["name"]: r["inputs"] for r in of_type(s, "aws:cloudwatch/logGroup:LogGroup")}
    if not exec_on:
        assert "configuration" not in cluster["inputs"] and not keys
        assert "/chatops/chat-prod/ecs-exec" not in groups
        return
    (key,) = keys
    assert key["inputs"]["enableKeyRotation"] is True
    exec_config = cluster["inputs"]["configuration"]["executeCommandConfiguration"]
    assert exec_config["logging"] == "OVERRIDE"
    log_config = exec_config["logConfiguration"]
    assert log_config["cloudWatchEncryptionEnabled"] is True
    group = groups[log_config["cloudWatchLogGroupName"]]
    assert group["kmsKeyId"] == exec_config["kmsKeyId"] and group["retentionInDays"] == p.observability.log_retention_days
    # The key lets CloudWatch Logs use it for this log group only.
    statements = {st["Sid"]: st for st in json.loads(key["inputs"]["policy"])["Statement"]}
    logs = statements["CloudWatchLogsForTheExecLogGroup"]
    assert logs["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert logs["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"].endswith(
        f":log-group:{log_config['cloudWatchLogGroupName']}")
    # Each task role may write its session log there and decrypt the channel with that key.
    policies = {r["urn"].rsplit("::", 1)[1]: json.loads(r["inputs"]["policy"])
                for r in of_type(s, "aws:iam/rolePolicy:RolePolicy")}
    for service in ("api", "realtime", "workers"):
        st = {x["Sid"]: x for x in policies[f"{service}-task"]["Statement"]}
        assert st["EcsExecSessionLog"]["Resource"].endswith(f":log-group:{log_config['cloudWatchLogGroupName']}:*")
        assert st["EcsExecKms"]["Resource"] == exec_config["kmsKeyId"]
        assert st["EcsExecLogGroupLookup"]["Action"] == "logs:DescribeLogGroups"


# -- names, tags, protection, outputs ----------------------------------------------------------------

#: (resource type, input holding a physical name, naming.LIMITS key)
NAME_INPUTS = [
    ("aws:lb/loadBalancer:LoadBalancer", "name", "alb"),
    ("aws:rds/instance:Instance", "identifier", "rds"),
    ("aws:rds/proxy:Proxy", "name", "rds_proxy"),
    ("aws:elasticache/replicationGroup:ReplicationGroup", "replicationGroupId", "elasticache_group"),
    ("aws:sqs/queue:Queue", "name", "sqs"),
    ("aws:iam/role:Role", "name", "iam_role"),
    ("aws:s3/bucket:Bucket", "bucket", "s3_bucket"),
    ("aws:ecs/cluster:Cluster", "name", "ecs_cluster"),
    ("aws:ecs/service:Service", "name", "ecs_service"),
    ("aws:ecs/taskDefinition:TaskDefinition", "family", "ecs_family"),
    ("aws:cloudwatch/logGroup:LogGroup", "name", "log_group"),
    ("aws:wafv2/webAcl:WebAcl", "name", "waf_acl"),
    ("aws:backup/vault:Vault", "name", "backup_vault"),
    ("aws:backup/plan:Plan", "name", "backup_plan"),
    ("aws:ecr/repository:Repository", "name", "ecr_repository"),
    ("aws:secretsmanager/secret:Secret", "name", "secret"),
    ("aws:cloudwatch/metricAlarm:MetricAlarm", "name", "alarm"),
    ("aws:ec2/securityGroup:SecurityGroup", "name", "security_group"),
]


def _physical_names(s: Synthesis) -> list[tuple[str, str, str]]:
    return [(typ, r["inputs"][field], kind) for typ, field, kind in NAME_INPUTS for r in of_type(s, typ)
            if isinstance(r["inputs"].get(field), str)]


@pytest.mark.parametrize("project,stack", [("chat", "prod"), ("a" * 24, "b" * 24)])
def test_every_physical_name_fits_its_limit(graphs, project, stack):
    s = graphs["100k-dau"] if project == "chat" else synthesize_with_outputs(
        load_profile("100k-dau"), DeploymentSettings.placeholder(project=project, stack=stack))
    names = _physical_names(s)
    assert len(names) > 40
    for typ, name, kind in names:
        assert len(name) <= LIMITS[kind], f"{typ}: {name} ({len(name)} > {LIMITS[kind]})"
    for _, name, kind in names:
        if kind in ("alb", "target_group", "elasticache_group"):
            assert re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]", name), name


@tiers
def test_target_groups_use_a_name_prefix(graphs, tier):
    # Port or protocol changes replace a target group; create-before-delete needs a fresh name.
    for tg in of_type(graphs[tier], "aws:lb/targetGroup:TargetGroup"):
        assert "name" not in tg["inputs"]
        prefix = tg["inputs"]["namePrefix"]
        assert 1 <= len(prefix) <= 6 and re.fullmatch(r"[a-z0-9][a-z0-9-]*", prefix)
        assert len(tg["inputs"]["tags"]["Name"]) <= LIMITS["target_group"]


def test_one_stack_deploys_in_two_regions_of_one_account(graphs):
    # IAM roles and S3 buckets are global: their names must differ between regions.
    other = synthesize_with_outputs(load_profile("100k-dau"), DeploymentSettings.placeholder(
        project="chat", stack="prod", region="eu-west-1"))
    global_types = {"aws:iam/role:Role", "aws:s3/bucket:Bucket"}
    ours = {(t, n) for t, n, _ in _physical_names(graphs["100k-dau"]) if t in global_types}
    theirs = {(t, n) for t, n, _ in _physical_names(other) if t in global_types}
    assert len(ours) == len(theirs) >= 8 and not ours & theirs
    assert all("us-east-1" in n for _, n in ours) and all("eu-west-1" in n for _, n in theirs)


@pytest.mark.parametrize("project,stack,problem", [
    ("chat-", "prod", "ends with '-'"), ("chat", "prod-", "ends with '-'"), ("a--b", "prod", "contains '--'"),
    ("chat", "pr--od", "contains '--'"), ("sg", "prod", "'sg-'"), ("sg-chat", "prod", "'sg-'"),
    ("internal", "prod", "'internal-'"), ("internal-chat", "prod", "'internal-'"),
])
def test_names_aws_would_reject_are_refused(project, stack, problem):
    with pytest.raises(ValueError, match=re.escape(problem)):
        DeploymentSettings.placeholder(project=project, stack=stack)


def test_reserved_prefixes_only_matter_where_a_name_starts():
    # The stack is never at the start of an AWS name; a project merely beginning with the letters is fine.
    DeploymentSettings.placeholder(project="sgchat", stack="sg")
    DeploymentSettings.placeholder(project="internalchat", stack="internal")


def test_two_stacks_of_one_project_have_disjoint_names(graphs):
    other = synthesize_with_outputs(load_profile("100k-dau"), DeploymentSettings.placeholder(project="chat",
                                                                                              stack="staging"))
    ours = {(typ, n) for typ, n, _ in _physical_names(graphs["100k-dau"])}
    theirs = {(typ, n) for typ, n, _ in _physical_names(other)}
    assert ours and not (ours & theirs)


@tiers
def test_tags_on_every_taggable_resource(graphs, tier):
    s = graphs[tier]
    tagged = [r for r in s.resources if r["custom"] and "tags" in r["inputs"]]
    assert len(tagged) > 50
    for r in tagged:
        tags = r["inputs"]["tags"]
        assert {"project": "chat", "stack": "prod", "managed-by": "chatops"}.items() <= tags.items(), r["urn"]
        assert "tier" not in tags, r["urn"]  # a tier step must not retag every resource (docs/deploying.md)
    for typ in ("aws:ec2/vpc:Vpc", "aws:ecs/service:Service", "aws:rds/instance:Instance", "aws:sqs/queue:Queue",
                "aws:lb/loadBalancer:LoadBalancer", "aws:ecr/repository:Repository"):
        assert all("tags" in r["inputs"] for r in of_type(s, typ)), typ


def test_settings_tags_are_added():
    settings = DeploymentSettings.placeholder().model_copy(update={"tags": {"cost-center": "chat"}})
    s = synthesize_with_outputs(load_profile("dev"), settings)
    (vpc,) = of_type(s, "aws:ec2/vpc:Vpc")
    assert vpc["inputs"]["tags"]["cost-center"] == "chat"


def test_stateful_resources_protected_in_prod_only(graphs):
    for tier, protected in (("dev", False), ("100k-dau", True)):
        s = graphs[tier]
        for typ in ("aws:ecr/repository:Repository", "aws:s3/bucket:Bucket", "aws:rds/instance:Instance",
                    "aws:sqs/queue:Queue"):
            assert all(r["protect"] is protected for r in of_type(s, typ)), (tier, typ)
        for typ in ("aws:ec2/vpc:Vpc", "aws:lb/loadBalancer:LoadBalancer"):
            assert not any(r["protect"] for r in of_type(s, typ))


@tiers
def test_outputs_contract(graphs, tier):
    s = graphs[tier]
    assert set(s.outputs) == set(OUTPUT_KEYS)
    assert s.outputs["tier"] == tier and s.outputs["apiUrl"] == "https://api.chat.example.com"
    assert set(s.outputs["logGroupNames"]) == {"api", "realtime", "workers"}
    assert isinstance(s.outputs["redisReplicationGroupIds"], list)


def test_existing_certificate_skips_acm():
    settings = DeploymentSettings(project="chat", stack="synth", region="eu-west-1", domain="chat.acme.io",
                                  certificate_arn="arn:aws:acm:eu-west-1:123456789012:certificate/abc")
    s = synthesize_with_outputs(load_profile("dev"), settings)
    assert not of_type(s, "aws:acm/certificate:Certificate")
    assert not of_type(s, "aws:route53/record:Record")
    listeners = {r["inputs"]["port"]: r["inputs"] for r in of_type(s, "aws:lb/listener:Listener")}
    assert listeners[443]["certificateArn"] == settings.certificate_arn


def test_resources_have_export_fields(graphs):
    for r in graphs["dev"].resources:
        assert set(r) == {"urn", "type", "custom", "parent", "inputs", "dependencies", "protect"}
        assert r["urn"].startswith("urn:pulumi:prod::chat::")
        assert "pulumi:pulumi:Stack$" not in r["urn"]
    ints = [r["inputs"]["desiredCount"] for r in of_type(graphs["dev"], "aws:ecs/service:Service")]
    assert all(type(v) is int for v in ints)


def test_apply_immediately_setting_reaches_database_and_cache(graphs):
    prod = graphs["100k-dau"].resources
    now = synthesize_with_outputs(load_profile("100k-dau"), SETTINGS.model_copy(update={"apply_immediately": True}))
    for typ in ("aws:rds/instance:Instance", "aws:elasticache/replicationGroup:ReplicationGroup"):
        assert {r["inputs"]["applyImmediately"] for r in prod if r["type"] == typ} == {False}
        assert {r["inputs"]["applyImmediately"] for r in now.resources if r["type"] == typ} == {True}


def _url_version(s) -> dict[str, str]:
    """DATABASE_URL_VERSION per task definition family."""
    out = {}
    for r in of_type(s, "aws:ecs/taskDefinition:TaskDefinition"):
        if r["urn"].endswith("::db-bootstrap"):
            continue  # connects directly with the master secret; no app URL
        defs = r["inputs"]["containerDefinitions"]
        defs = json.loads(defs) if isinstance(defs, str) else defs
        env = {e["name"]: e["value"] for e in defs[0]["environment"]}
        out[r["inputs"]["family"]] = env["DATABASE_URL_VERSION"]
    return out


def test_a_changed_database_url_rolls_the_services(graphs):
    # 10k -> 5k turns the RDS Proxy off: DATABASE_URL points at the instance instead. ECS reads secrets
    # only at task start, so the task definitions must change for running tasks to be replaced.
    with_proxy, without = _url_version(graphs["10k-dau"]), _url_version(graphs["5k-dau"])
    assert all(with_proxy.values()) and with_proxy.keys() == without.keys()
    assert all(with_proxy[f] != without[f] for f in with_proxy)
    # ...and an unchanged URL leaves them alone (no needless redeploy on every up).
    assert _url_version(graphs["25k-dau"]) == _url_version(
        synthesize_with_outputs(load_profile("25k-dau"), SETTINGS))
