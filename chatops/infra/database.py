"""RDS PostgreSQL: generated credentials, a chat-tuned parameter group, the instance, and (per profile)
an RDS Proxy and a read replica.

Three database roles, each with a generated password (pulumi-random, letters and digits: no URL
escaping) kept in its own Secrets Manager secret, reaching AWS only as Pulumi secrets:
- the master user (`chatadmin`): administration only (schema bootstrap, `chatops db bootstrap`);
  no app and not the proxy uses it;
- `chat_app`: the apps' role (DML on the schema, CREATE for migrations), in DATABASE_URL, through the
  proxy when enabled;
- `chat_readonly`: SELECT only, default_transaction_read_only, in DATABASE_READ_URL on the replica.
RDS does not create the two app roles: `chatops db bootstrap` runs a one-off Fargate task
(chatops/infra/db_bootstrap.py) that creates them with the master secret, idempotently.

The URLs verify the server: `sslmode=verify-full&sslrootcert=<RDS_CA_BUNDLE_PATH>` (see docs/infra.md,
"TLS to RDS": the container contract).
"""

from __future__ import annotations

import json
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from chatops.model.postgres import max_connections
from chatops.model.naming import Names
from chatops.model.profile import Profile

DB_NAME = "chat"
MASTER_USERNAME = "chatadmin"
APP_USERNAME = "chat_app"
READONLY_USERNAME = "chat_readonly"
#: Where the app images keep the CA bundle that verifies RDS and RDS Proxy certificates (the container
#: contract: the RDS global bundle plus the Amazon Root CAs, since the proxy's certificates come from ACM).
RDS_CA_BUNDLE_PATH = "/etc/ssl/certs/rds-ca-bundle.pem"
PORT = 5432
LOG_EXPORTS = ["postgresql", "upgrade"]


def rds_log_group_name(instance_id: str, export: str) -> str:
    """The group RDS writes an exported log to (RDS User Guide, "Publishing PostgreSQL logs to Amazon
    CloudWatch Logs": /aws/rds/instance/<id>/<log>). RDS creates it with no expiry when it does not exist."""
    return f"/aws/rds/instance/{instance_id}/{export}"
# Windows in UTC that do not overlap each other nor the AWS Backup jobs (03:00 daily, Sun 04:00 weekly).
BACKUP_WINDOW = "01:00-01:30"
MAINTENANCE_WINDOW = "mon:04:30-mon:05:30"
#: With AWS Backup continuous backup (point-in-time recovery) AWS Backup manages the instance's automated
#: backups: it sets the retention to the continuous rule's and may move the window. Sending our values
#: again after a refresh fails the update (hashicorp/terraform-provider-aws#33465), so the program sets
#: them at creation (equal values: a profile rule) and leaves them to AWS Backup afterwards.
BACKUP_OWNED_BY_AWS_BACKUP = ["backupRetentionPeriod", "backupWindow"]


def engine_family(engine_version: str) -> str:
    """'16' or '16.4' -> 'postgres16' (the parameter group family)."""
    return f"postgres{engine_version.split('.')[0]}"


def chat_parameters(instance_class: str, log_connections: bool = False) -> dict[str, tuple[str, str]]:
    """name -> (value, apply method). Static parameters apply at the next reboot."""
    connections = "1" if log_connections else "0"
    return {
        # Sized per class; the connections alarm uses the same number.
        "max_connections": (str(max_connections(instance_class)), "pending-reboot"),
        # 25% of instance memory, in 8 KiB pages (RDS formula syntax).
        "shared_buffers": ("{DBInstanceClassMemory/32768}", "pending-reboot"),
        # Chat requests are short: log anything slower than 1 s; connection churn per profile (behind the
        # RDS Proxy every connection is the proxy's own, so the profile turns it off there).
        "log_min_duration_statement": ("1000", "immediate"),
        "log_connections": (connections, "immediate"),
        "log_disconnections": (connections, "immediate"),
        "log_lock_waits": ("1", "immediate"),
        "log_temp_files": ("10240", "immediate"),
        # A session idle inside a transaction holds locks and a pool slot: end it after 60 s.
        "idle_in_transaction_session_timeout": ("60000", "immediate"),
        # Refuse unencrypted connections (the URLs say sslmode=verify-full).
        "rds.force_ssl": ("1", "immediate"),
    }


#: Query string of every URL: encrypt and verify the server's certificate and name against the bundle.
#: node-postgres reads `sslrootcert` as the CA file and, since pg-connection-string 2.7, treats
#: sslmode=require as verify-full anyway; libpq (psql, psycopg) gives both their standard meaning.
TLS_QUERY = f"sslmode=verify-full&sslrootcert={RDS_CA_BUNDLE_PATH}"


def connection_url(username: str, host: pulumi.Input[str], password: pulumi.Input[str]) -> pulumi.Output[str]:
    url = pulumi.Output.concat("postgresql://", username, ":", password, "@", host, ":", str(PORT),
                               "/", DB_NAME, "?", TLS_QUERY)
    return pulumi.Output.secret(url)


class Database(pulumi.ComponentResource):
    instance_id: pulumi.Output[str]
    instance_arn: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    port: pulumi.Output[int]
    proxy_endpoint: Optional[pulumi.Output[str]]
    replica_instance_id: Optional[pulumi.Output[str]]
    replica_endpoint: Optional[pulumi.Output[str]]
    master_secret_arn: pulumi.Output[str]
    app_secret_arn: pulumi.Output[str]
    readonly_secret_arn: pulumi.Output[str]
    database_url_secret_arn: pulumi.Output[str]
    read_replica_url_secret_arn: Optional[pulumi.Output[str]]

    def __init__(self, name: str, *, profile: Profile, names: Names, subnet_ids: Sequence[pulumi.Input[str]],
                 security_group_id: pulumi.Input[str], proxy_security_group_id: Optional[pulumi.Input[str]],
                 apply_immediately: Optional[bool] = None, destroying: bool = False,
                 final_snapshot_identifier: Optional[str] = None,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        """apply_immediately: apply class/parameter changes now (settings.apply_immediately, from
        `scale-to --apply-immediately`); None = dev applies now, prod waits for the maintenance window.
        destroying: `destroy --unprotect` is about to delete the stack (deletion protection off), with
        `final_snapshot_identifier` as the name of prod's final snapshot (unique per destroy: RDS refuses a
        name that exists, so a fixed one fails the second destroy)."""
        super().__init__("chatops:data:Database", name, None, opts)
        self._profile = profile
        self._names = names
        self._prod = profile.is_production
        self._apply_immediately = (not self._prod) if apply_immediately is None else apply_immediately
        self._destroying = destroying
        self._final_snapshot = final_snapshot_identifier
        self._child = pulumi.ResourceOptions(parent=self)
        self._stateful = pulumi.ResourceOptions(parent=self, protect=self._prod)
        self._role_versions: list[aws.secretsmanager.SecretVersion] = []

        password = self._password("db-master-password")
        app_password = self._password("db-app-password")
        readonly_password = self._password("db-readonly-password")
        subnet_group = aws.rds.SubnetGroup(
            "db-subnets", name=names.of("db_subnet_group", "db"), subnet_ids=list(subnet_ids),
            description=f"{names.prefix} database subnets", opts=self._child)
        parameters = self._parameter_group()
        instance = self._instance(password, subnet_group, parameters, security_group_id,
                                  self._log_groups("db", names.of("rds", "db")))
        master_secret = self._role_secret("db-master", MASTER_USERNAME, password, instance,
                                          "RDS master credentials: administration only (db bootstrap)")
        app_secret = self._role_secret("db-app", APP_USERNAME, app_password, instance,
                                       "chat_app credentials (read by the RDS Proxy)")
        readonly_secret = self._role_secret("db-readonly", READONLY_USERNAME, readonly_password, instance,
                                            "chat_readonly credentials (read-only role)")

        self.instance_id = instance.identifier
        self.instance_arn = instance.arn
        self.endpoint = instance.address
        self.port = instance.port
        self.master_secret_arn = master_secret.arn
        self.app_secret_arn = app_secret.arn
        self.readonly_secret_arn = readonly_secret.arn

        self.proxy_endpoint = None
        if profile.database.proxy.enabled:
            if proxy_security_group_id is None:
                raise ValueError("the profile enables the RDS Proxy but no proxy security group was given")
            # A proxy's subnets cannot change in place: pin it to the first two zones' subnets (RDS Proxy
            # needs two zones), so a tier step that adds a zone does not replace it and change its endpoint.
            # Only chat_app goes through the proxy: RDS Proxy has read-only endpoints for Aurora clusters
            # only, so DATABASE_READ_URL reaches the replica directly and chat_readonly needs no proxy auth.
            self.proxy_endpoint = self._proxy(app_secret, instance, list(subnet_ids)[:2], proxy_security_group_id)
        self._url_versions: list[pulumi.Output[str]] = []
        self.database_url_secret_arn = self._url_secret(
            "database-url", APP_USERNAME, self.proxy_endpoint or instance.address, app_password,
            "DATABASE_URL for the apps: chat_app, via the RDS Proxy when enabled").arn

        self.replica_instance_id = self.replica_endpoint = self.read_replica_url_secret_arn = None
        if profile.database.read_replica.enabled:
            replica = self._replica(instance, parameters, security_group_id)
            self.replica_instance_id = replica.identifier
            self.replica_endpoint = replica.address
            self.read_replica_url_secret_arn = self._url_secret(
                "database-read-url", READONLY_USERNAME, replica.address, readonly_password,
                "DATABASE_READ_URL for the apps: chat_readonly on the replica").arn

        # ECS reads secrets only when a task starts: the URL secrets' version ids, given to the containers
        # as a plain variable, make a changed URL (proxy on/off, new host) roll the services.
        self.url_secrets_version = pulumi.Output.all(*self._url_versions).apply(
            lambda ids: ",".join(str(i) for i in ids if i))

        self.register_outputs({
            "instance_id": self.instance_id, "endpoint": self.endpoint, "proxy_endpoint": self.proxy_endpoint,
            "replica_endpoint": self.replica_endpoint, "master_secret_arn": self.master_secret_arn,
            "app_secret_arn": self.app_secret_arn, "readonly_secret_arn": self.readonly_secret_arn,
            "database_url_secret_arn": self.database_url_secret_arn,
            "read_replica_url_secret_arn": self.read_replica_url_secret_arn,
        })

    # -- credentials -----------------------------------------------------------------------------

    def _password(self, component: str) -> pulumi.Output[str]:
        generated = random.RandomPassword(component, length=32, special=False,
                                          min_lower=2, min_upper=2, min_numeric=2, opts=self._stateful)
        return pulumi.Output.secret(generated.result)

    def _secret(self, component: str, description: str) -> aws.secretsmanager.Secret:
        return aws.secretsmanager.Secret(
            component, name=self._names.of("secret", component), description=description,
            # Dev stacks are torn down and recreated: free the name at once. Prod keeps the 30-day window.
            recovery_window_in_days=30 if self._prod else 0, opts=self._stateful)

    def _role_secret(self, component: str, username: str, password: pulumi.Output[str],
                     instance: aws.rds.Instance, description: str) -> aws.secretsmanager.Secret:
        """A role's credentials as JSON: the RDS Proxy reads `username` and `password`; ECS injects single
        keys (`<arn>:password::`) into the bootstrap task; the rest helps humans and tools."""
        secret = self._secret(component, description)
        value = pulumi.Output.all(password, instance.address).apply(lambda args: json.dumps({
            "engine": "postgres", "username": username, "password": args[0], "host": args[1],
            "port": PORT, "dbname": DB_NAME}))
        version = aws.secretsmanager.SecretVersion(
            component, secret_id=secret.id, secret_string=pulumi.Output.secret(value), opts=self._child)
        self._role_versions.append(version)
        return secret

    def _url_secret(self, component: str, username: str, host: pulumi.Input[str], password: pulumi.Output[str],
                    description: str) -> aws.secretsmanager.Secret:
        secret = self._secret(component, description)
        version = aws.secretsmanager.SecretVersion(component, secret_id=secret.id,
                                                   secret_string=connection_url(username, host, password),
                                                   opts=self._child)
        self._url_versions.append(version.version_id)
        return secret

    # -- instances -------------------------------------------------------------------------------

    def _parameter_group(self) -> aws.rds.ParameterGroup:
        db = self._profile.database
        return aws.rds.ParameterGroup(
            "db-params", name=self._names.of("db_parameter_group", f"{engine_family(db.engine_version)}-chat"),
            family=engine_family(db.engine_version), description="Chat workload: pooled short queries, TLS only",
            parameters=[aws.rds.ParameterGroupParameterArgs(name=k, value=v, apply_method=m)
                        for k, (v, m) in chat_parameters(db.instance_class, db.log_connections).items()],
            # The family is in the name, so a major upgrade creates the new group before the old one goes.
            opts=self._child)

    def _common_instance_args(self, parameters: aws.rds.ParameterGroup,
                              security_group_id: pulumi.Input[str]) -> dict:
        db = self._profile.database
        return dict(
            storage_type="gp3", storage_encrypted=True, max_allocated_storage=db.max_allocated_storage_gb,
            parameter_group_name=parameters.name, vpc_security_group_ids=[security_group_id],
            publicly_accessible=False, auto_minor_version_upgrade=True, copy_tags_to_snapshot=True,
            performance_insights_enabled=db.performance_insights,
            performance_insights_retention_period=7 if db.performance_insights else None,
            enabled_cloudwatch_logs_exports=LOG_EXPORTS,
            deletion_protection=db.deletion_protection and not self._destroying,
            maintenance_window=MAINTENANCE_WINDOW,
            apply_immediately=self._apply_immediately)

    def _log_groups(self, component: str, instance_id: str) -> list[aws.cloudwatch.LogGroup]:
        """The exported logs' groups, ours with the profile's retention, created before the instance: RDS
        would otherwise create them itself, without expiry, and a later create of ours would collide."""
        return [aws.cloudwatch.LogGroup(f"{component}-{export}-logs", name=rds_log_group_name(instance_id, export),
                                        retention_in_days=self._profile.observability.log_retention_days,
                                        opts=self._child)
                for export in LOG_EXPORTS]

    def _instance(self, password: pulumi.Output[str], subnet_group: aws.rds.SubnetGroup,
                  parameters: aws.rds.ParameterGroup, security_group_id: pulumi.Input[str],
                  log_groups: list[aws.cloudwatch.LogGroup]) -> aws.rds.Instance:
        db = self._profile.database
        return aws.rds.Instance(
            "db", identifier=self._names.of("rds", "db"), engine="postgres", engine_version=db.engine_version,
            instance_class=db.instance_class, allocated_storage=db.allocated_storage_gb,
            db_name=DB_NAME, username=MASTER_USERNAME, password=password, port=PORT,
            db_subnet_group_name=subnet_group.name, multi_az=db.multi_az,
            backup_retention_period=db.backup_retention_days, backup_window=BACKUP_WINDOW,
            # Prod keeps a final snapshot on delete; dev skips it so `destroy` is quick and clean.
            skip_final_snapshot=not self._prod,
            final_snapshot_identifier=(self._final_snapshot or self._names.of("rds", "db-final"))
            if self._prod else None,
            **self._common_instance_args(parameters, security_group_id),
            opts=pulumi.ResourceOptions.merge(self._stateful, pulumi.ResourceOptions(
                depends_on=log_groups,
                ignore_changes=BACKUP_OWNED_BY_AWS_BACKUP if self._profile.backup.point_in_time_recovery else None)))

    def _replica(self, primary: aws.rds.Instance, parameters: aws.rds.ParameterGroup,
                 security_group_id: pulumi.Input[str]) -> aws.rds.Instance:
        db = self._profile.database
        # Same region: engine, credentials, subnet group and storage size come from the source.
        identifier = self._names.of("rds", "db-replica")
        return aws.rds.Instance(
            "db-replica", identifier=identifier, replicate_source_db=primary.identifier,
            instance_class=db.read_replica.instance_class, multi_az=False, backup_retention_period=0,
            skip_final_snapshot=True, **self._common_instance_args(parameters, security_group_id),
            opts=pulumi.ResourceOptions.merge(self._stateful, pulumi.ResourceOptions(
                depends_on=self._log_groups("db-replica", identifier))))

    # -- proxy -----------------------------------------------------------------------------------

    def _proxy(self, app_secret: aws.secretsmanager.Secret, instance: aws.rds.Instance,
               subnet_ids: list, proxy_security_group_id: pulumi.Input[str]) -> pulumi.Output[str]:
        """The proxy logs in as the app role (its one `auth`), never as the master user."""
        settings = self._profile.database.proxy
        role = aws.iam.Role(
            "db-proxy-role", name=self._names.global_name("iam_role", "db-proxy"),
            assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "rds.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
            opts=self._child)
        secret_policy = aws.iam.RolePolicy(
            "db-proxy-secret", role=role.id,
            policy=app_secret.arn.apply(lambda arn: json.dumps({
                "Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": [arn]}]})),
            opts=self._child)
        proxy = aws.rds.Proxy(
            "db-proxy", name=self._names.of("rds_proxy", "db-proxy"), engine_family="POSTGRESQL",
            require_tls=True, idle_client_timeout=settings.idle_client_timeout_seconds, role_arn=role.arn,
            vpc_subnet_ids=subnet_ids, vpc_security_group_ids=[proxy_security_group_id], debug_logging=False,
            auths=[aws.rds.ProxyAuthArgs(auth_scheme="SECRETS", secret_arn=app_secret.arn, iam_auth="DISABLED",
                                         client_password_auth_type="POSTGRES_SCRAM_SHA_256",
                                         description=f"{APP_USERNAME} credentials")],
            # The proxy reads its secrets as soon as it exists: the policy must be there first.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*self._role_versions, secret_policy]))
        target_group = aws.rds.ProxyDefaultTargetGroup(
            "db-proxy-pool", db_proxy_name=proxy.name,
            connection_pool_config=aws.rds.ProxyDefaultTargetGroupConnectionPoolConfigArgs(
                max_connections_percent=settings.max_connections_percent,
                max_idle_connections_percent=max(1, settings.max_connections_percent // 2),
                connection_borrow_timeout=120),
            opts=self._child)
        aws.rds.ProxyTarget("db-proxy-target", db_proxy_name=proxy.name, target_group_name=target_group.name,
                            db_instance_identifier=instance.identifier, opts=self._child)
        return proxy.endpoint
