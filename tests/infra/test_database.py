"""Database under the mock engine: per-tier shape, encryption, parameters, secrets, protect."""

from __future__ import annotations

import json

import pytest

from chatops.model.postgres import max_connections
from chatops.model.loading import BUILTIN_TIERS, load_profile
from chatops.model.naming import LIMITS, Names
from tests.support.infra_data_harness import MOCK_PASSWORD, plaintext_paths, synth

INSTANCE = "aws:rds/instance:Instance"
PROXY = "aws:rds/proxy:Proxy"
SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"


def build(tier: str):
    from chatops.infra.database import Database

    profile = load_profile(tier)

    def _program():
        db = Database("database", profile=profile, names=Names("chat", "test", "us-east-1"), subnet_ids=["subnet-a", "subnet-b"],
                      security_group_id="sg-db", proxy_security_group_id="sg-proxy")
        return db.database_url_secret_arn

    return synth(_program)


@pytest.fixture(scope="module")
def graphs():
    return {tier: build(tier) for tier in BUILTIN_TIERS}


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_shape_follows_the_profile(graphs, tier):
    g, db = graphs[tier], load_profile(tier).database
    assert len(g.of_type(INSTANCE)) == 1 + db.read_replica.enabled
    assert len(g.of_type(PROXY)) == int(db.proxy.enabled)
    assert len(g.of_type("aws:rds/proxyTarget:ProxyTarget")) == int(db.proxy.enabled)
    # master, chat_app, chat_readonly, DATABASE_URL, and the read URL with a replica
    assert len(g.of_type(SECRET)) == 4 + db.read_replica.enabled


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_primary_instance_inputs(graphs, tier):
    p = load_profile(tier)
    primary = graphs[tier].named("db")
    assert primary.plain("storageEncrypted") is True
    assert primary.plain("storageType") == "gp3"
    assert primary.plain("maxAllocatedStorage") == p.database.max_allocated_storage_gb
    assert primary.plain("multiAz") is p.database.multi_az
    assert primary.plain("performanceInsightsEnabled") is p.database.performance_insights
    assert primary.plain("enabledCloudwatchLogsExports") == ["postgresql", "upgrade"]
    assert primary.plain("publiclyAccessible") is False
    assert primary.plain("deletionProtection") is p.database.deletion_protection
    assert primary.plain("skipFinalSnapshot") is (not p.is_production)
    assert bool(primary.plain("finalSnapshotIdentifier")) is p.is_production
    assert len(primary.plain("identifier")) <= LIMITS["rds"]


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_aws_backup_owns_the_retention_under_point_in_time_recovery(graphs, tier):
    # Continuous backup sets the instance's retention to the backup rule's; an update sending another
    # value after a refresh is rejected (hashicorp/terraform-provider-aws#33465).
    p = load_profile(tier)
    primary = graphs[tier].named("db")
    assert primary.plain("backupRetentionPeriod") == p.database.backup_retention_days
    if p.backup.point_in_time_recovery:
        assert p.database.backup_retention_days == p.backup.daily_retention_days
        assert set(primary.ignore_changes) == {"backupRetentionPeriod", "backupWindow"}
    else:
        assert primary.ignore_changes == ()


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_rds_log_groups_expire_and_exist_before_the_instances(graphs, tier):
    # RDS creates /aws/rds/instance/<id>/<log> itself, never expiring, unless the group already exists.
    g, p = graphs[tier], load_profile(tier)
    groups = {r.plain("name"): r for r in g.of_type("aws:cloudwatch/logGroup:LogGroup")}
    for instance in g.of_type(INSTANCE):
        ident = instance.plain("identifier")
        for export in instance.plain("enabledCloudwatchLogsExports"):
            group = groups[f"/aws/rds/instance/{ident}/{export}"]
            assert group.plain("retentionInDays") == p.observability.log_retention_days
            assert group.urn in instance.depends_on, (ident, export)
    assert len(groups) == 2 * len(g.of_type(INSTANCE))


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_connection_logging_follows_the_profile_and_is_off_behind_the_proxy(graphs, tier):
    db = load_profile(tier).database
    params = {x["name"]: x["value"] for x in graphs[tier].one("aws:rds/parameterGroup:ParameterGroup").plain("parameters")}
    expected = "1" if db.log_connections else "0"
    assert params["log_connections"] == params["log_disconnections"] == expected
    if db.proxy.enabled:
        assert expected == "0"


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_parameter_group_is_tuned_for_chat(graphs, tier):
    p = load_profile(tier)
    group = graphs[tier].one("aws:rds/parameterGroup:ParameterGroup")
    assert group.plain("family") == f"postgres{p.database.engine_version.split('.')[0]}"
    params = {x["name"]: x for x in group.plain("parameters")}
    assert params["rds.force_ssl"]["value"] == "1"
    assert params["max_connections"]["value"] == str(max_connections(p.database.instance_class))
    assert params["max_connections"]["applyMethod"] == "pending-reboot"
    assert params["shared_buffers"]["applyMethod"] == "pending-reboot"
    for name in ("log_min_duration_statement", "log_connections", "idle_in_transaction_session_timeout"):
        assert name in params


def _secret_value(g, component: str) -> str:
    return next(v.plain("secretString") for v in g.of_type(VERSION) if v.name == component)


TLS = "?sslmode=verify-full&sslrootcert=/etc/ssl/certs/rds-ca-bundle.pem"


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_urls_use_the_least_privileged_roles_and_verify_the_server(graphs, tier):
    g, db = graphs[tier], load_profile(tier).database
    url = _secret_value(g, "database-url")
    # The apps are chat_app, never the master user; TLS verified against the bundle the image holds.
    assert url.startswith(f"postgresql://chat_app:{MOCK_PASSWORD}@") and url.endswith(f":5432/chat{TLS}")
    host = url.split("@")[1].split(":")[0]
    assert (".proxy-" in host) is db.proxy.enabled
    if db.read_replica.enabled:
        read = _secret_value(g, "database-read-url")
        assert read.startswith("postgresql://chat_readonly:") and read.endswith(TLS)
        assert Names("chat", "test", "us-east-1").of("rds", "db-replica") in read


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_each_role_has_its_generated_password_in_its_own_secret(graphs, tier):
    g = graphs[tier]
    passwords = {r.name for r in g.of_type("random:index/randomPassword:RandomPassword")}
    assert {"db-master-password", "db-app-password", "db-readonly-password"} <= passwords
    for component, user in (("db-master", "chatadmin"), ("db-app", "chat_app"), ("db-readonly", "chat_readonly")):
        value = json.loads(_secret_value(g, component))
        assert value["username"] == user and value["password"] and value["dbname"] == "chat"


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_no_plaintext_password_in_any_input(graphs, tier):
    for r in graphs[tier].resources:
        if r.type == "random:index/randomPassword:RandomPassword":
            continue
        assert plaintext_paths(r.inputs, MOCK_PASSWORD) == [], f"{r.type} {r.name} carries the password in clear"


def test_proxy_requires_tls_and_logs_in_as_the_app_role_only(graphs):
    g, settings = graphs["100k-dau"], load_profile("100k-dau").database.proxy
    proxy = g.one(PROXY)
    assert proxy.plain("requireTls") is True and proxy.plain("engineFamily") == "POSTGRESQL"
    assert proxy.plain("idleClientTimeout") == settings.idle_client_timeout_seconds
    assert proxy.plain("vpcSecurityGroupIds") == ["sg-proxy"]
    auths = proxy.plain("auths")
    # chat_readonly reads on the replica directly (RDS Proxy's read-only endpoints are Aurora-only)
    assert {a["secretArn"].rsplit("/", 1)[1] for a in auths} == {"db-app"}
    assert all(a["authScheme"] == "SECRETS" and a["clientPasswordAuthType"] == "POSTGRES_SCRAM_SHA_256" for a in auths)
    assert len(proxy.plain("name")) <= LIMITS["rds_proxy"]
    pool = g.one("aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup").plain("connectionPoolConfig")
    assert pool["maxConnectionsPercent"] == settings.max_connections_percent
    policy = json.loads(g.one("aws:iam/rolePolicy:RolePolicy").plain("policy"))
    (statement,) = policy["Statement"]
    assert statement["Action"] == "secretsmanager:GetSecretValue"
    assert sorted(arn.rsplit("/", 1)[1] for arn in statement["Resource"]) == ["db-app"]
    trust = json.loads(g.one("aws:iam/role:Role").plain("assumeRolePolicy"))
    assert trust["Statement"][0]["Principal"]["Service"] == "rds.amazonaws.com"
    # The proxy reads its secrets on creation: their values and the policy come first.
    versions = {v.urn for v in g.of_type(VERSION) if v.name in ("db-app", "db-readonly")}
    assert versions <= set(proxy.depends_on)


def test_replica_replicates_the_primary(graphs):
    replica = graphs["100k-dau"].named("db-replica")
    assert replica.plain("replicateSourceDb") == Names("chat", "test", "us-east-1").of("rds", "db")
    assert replica.plain("instanceClass") == load_profile("100k-dau").database.read_replica.instance_class
    assert replica.plain("storageEncrypted") is True
    assert replica.plain("password") is None


def test_stateful_resources_are_protected_in_prod_only(graphs):
    prod, dev = graphs["100k-dau"], graphs["dev"]
    for token in (INSTANCE, SECRET):
        assert all(r.protect for r in prod.of_type(token))
        assert not any(r.protect for r in dev.of_type(token))
    assert all(s.plain("recoveryWindowInDays") == 0 for s in dev.of_type(SECRET))


def test_apply_immediately_defaults_by_environment_and_can_be_forced(graphs):
    from chatops.infra.database import Database

    assert graphs["dev"].named("db").plain("applyImmediately") is True
    assert graphs["100k-dau"].named("db").plain("applyImmediately") is False
    forced = synth(lambda: Database("database", profile=load_profile("100k-dau"), names=Names("chat", "test", "us-east-1"),
                                    subnet_ids=["s"], security_group_id="sg", proxy_security_group_id="sgp",
                                    apply_immediately=True).instance_id)
    assert all(i.plain("applyImmediately") is True for i in forced.of_type(INSTANCE))
