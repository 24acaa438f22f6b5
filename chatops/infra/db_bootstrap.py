"""The one-off task that creates the apps' database roles inside the VPC (`chatops db bootstrap`).

RDS creates only the master user. The app role (`chat_app`) and the read-only role (`chat_readonly`)
must be created with SQL by the master, from inside the VPC (the database is not public). This module
registers a Fargate task definition that does exactly that and nothing else; `chatops db bootstrap`
(chatops/aws/db_bootstrap.py) runs it with ECS RunTask in the stack's task subnets under the `db-admin`
security group, waits for it to stop and reports its exit code and log.

The container is the public `postgres` client image from ECR Public (no Docker Hub rate limits, pulled
over the NAT gateways or, in dev, the tasks' public IPs). Its configuration comes from the environment
(host, port, database, role names) and ECS secrets (the master credentials and the two role passwords,
single JSON keys of their Secrets Manager secrets): nothing secret is in the task definition. It
downloads the RDS CA bundle and connects with `sslmode=verify-full`. The SQL is idempotent: roles are
created when missing, passwords and grants set every run, so running it again after a password
rotation or on a new replica tier is safe.

Only the bootstrap's own execution role may read the master secret; the services' execution role
cannot.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import pulumi
import pulumi_aws as aws

from chatops.infra.database import APP_USERNAME, DB_NAME, PORT, READONLY_USERNAME
from chatops.model.naming import Names
from chatops.model.profile import Profile

CONTAINER = "db-bootstrap"
#: psql 17 talks to every PostgreSQL the profiles allow (13 to 17) and has `\getenv` (psql 15+).
IMAGE = "public.ecr.aws/docker/library/postgres:17-alpine"
LOG_STREAM_PREFIX = "db-bootstrap"
#: The RDS global CA bundle (RDS User Guide, "Certificate bundles"): verifies the instance's certificate.
RDS_CA_BUNDLE_URL = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"

#: Idempotent: CREATE ROLE only when missing (\gexec runs the generated statement), everything else is
#: re-applied on every run. Values arrive as psql variables read from the environment (\getenv), and
#: psql quotes them (:'literal', :"identifier").
BOOTSTRAP_SQL = r"""
\set ON_ERROR_STOP on
\getenv app_role APP_ROLE
\getenv app_password APP_PASSWORD
\getenv ro_role READONLY_ROLE
\getenv ro_password READONLY_PASSWORD
\getenv db PGDATABASE
SET password_encryption = 'scram-sha-256';
SELECT format('CREATE ROLE %I LOGIN', :'app_role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app_role') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'ro_role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'ro_role') \gexec
ALTER ROLE :"app_role" WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
ALTER ROLE :"ro_role" WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD :'ro_password';
ALTER ROLE :"ro_role" SET default_transaction_read_only = on;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"app_role";
GRANT CONNECT ON DATABASE :"db" TO :"ro_role";
GRANT USAGE, CREATE ON SCHEMA public TO :"app_role";
GRANT USAGE ON SCHEMA public TO :"ro_role";
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO :"app_role";
GRANT SELECT ON ALL TABLES IN SCHEMA public TO :"ro_role";
GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO :"ro_role";
GRANT :"app_role" TO CURRENT_USER;
ALTER DEFAULT PRIVILEGES FOR ROLE :"app_role" IN SCHEMA public GRANT SELECT ON TABLES TO :"ro_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"app_role" IN SCHEMA public GRANT SELECT ON SEQUENCES TO :"ro_role";
SELECT 'chatops db bootstrap: roles ' || :'app_role' || ' and ' || :'ro_role' || ' ready' AS result;
""".strip()

#: The container's command: fetch the CA bundle, then run the SQL. `set -eu`: any failure is the exit code.
SCRIPT = ("set -eu\n"
          'wget -q -O /tmp/rds-ca.pem "$RDS_CA_BUNDLE_URL"\n'
          "psql --no-psqlrc --quiet <<'SQL'\n" + BOOTSTRAP_SQL + "\nSQL\n")


@dataclass(frozen=True)
class BootstrapSecrets:
    master_secret_arn: pulumi.Input[str]
    app_secret_arn: pulumi.Input[str]
    readonly_secret_arn: pulumi.Input[str]


def _document(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


class DatabaseBootstrap(pulumi.ComponentResource):
    """The task definition, its execution role and log group; `spec` is what `db bootstrap` needs."""

    spec: pulumi.Output[dict[str, Any]]

    def __init__(self, name: str, *, profile: Profile, names: Names, region: str, account_id: pulumi.Input[str],
                 cluster_name: pulumi.Input[str], subnet_ids: Sequence[pulumi.Input[str]], assign_public_ip: bool,
                 security_group_id: pulumi.Input[str], database_host: pulumi.Input[str], secrets: BootstrapSecrets,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("chatops:data:DatabaseBootstrap", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        group = aws.cloudwatch.LogGroup("db-bootstrap", name=names.log_group("db-bootstrap"),
                                        retention_in_days=profile.observability.log_retention_days, opts=child)
        role = aws.iam.Role(
            "db-bootstrap-execution", name=names.global_name("iam_role", "db-bootstrap"),
            description="db bootstrap task: its log group and the three database secrets",
            assume_role_policy=pulumi.Output.from_input(account_id).apply(lambda account: _document([{
                "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Condition": {"StringEquals": {"aws:SourceAccount": account},
                              "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:{region}:{account}:*"}}}])),
            opts=child)
        policy = aws.iam.RolePolicy(
            "db-bootstrap-execution", name="db-bootstrap-execution", role=role.id,
            policy=pulumi.Output.all(group.arn, secrets.master_secret_arn, secrets.app_secret_arn,
                                     secrets.readonly_secret_arn).apply(lambda a: _document([
                {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                 "Resource": f"{a[0]}:log-stream:*"},
                {"Sid": "DatabaseSecrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
                 "Resource": list(a[1:])}])),
            opts=child)
        task = aws.ecs.TaskDefinition(
            "db-bootstrap", family=names.of("ecs_family", "db-bootstrap"), network_mode="awsvpc",
            requires_compatibilities=["FARGATE"], cpu="256", memory="512",
            runtime_platform={"operating_system_family": "LINUX",
                              "cpu_architecture": "ARM64" if profile.compute.graviton else "X86_64"},
            execution_role_arn=role.arn,
            container_definitions=pulumi.Output.json_dumps([self._container(region, group.name, database_host,
                                                                            secrets)]),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]))
        self.spec = pulumi.Output.all(cluster_name, task.arn, list(subnet_ids), security_group_id, group.name).apply(
            lambda a: {"cluster": a[0], "taskDefinition": a[1], "subnets": a[2], "securityGroups": [a[3]],
                       "assignPublicIp": assign_public_ip, "container": CONTAINER, "logGroup": a[4],
                       "logStreamPrefix": LOG_STREAM_PREFIX})
        self.register_outputs({"spec": self.spec})

    @staticmethod
    def _container(region: str, log_group: pulumi.Input[str], host: pulumi.Input[str],
                   secrets: BootstrapSecrets) -> dict[str, Any]:
        def key(arn: pulumi.Input[str], field: str) -> pulumi.Output[str]:
            # ECS reads one JSON key of a secret: <arn>:<json-key>:<version-stage>:<version-id>.
            return pulumi.Output.concat(arn, ":", field, "::")

        environment = {"PGHOST": host, "PGPORT": str(PORT), "PGDATABASE": DB_NAME, "PGSSLMODE": "verify-full",
                       "PGSSLROOTCERT": "/tmp/rds-ca.pem", "PGCONNECT_TIMEOUT": "15",
                       "RDS_CA_BUNDLE_URL": RDS_CA_BUNDLE_URL, "APP_ROLE": APP_USERNAME,
                       "READONLY_ROLE": READONLY_USERNAME}
        return {
            "name": CONTAINER, "image": IMAGE, "essential": True,
            "entryPoint": ["sh", "-c"], "command": [SCRIPT],
            "environment": [{"name": k, "value": v} for k, v in sorted(environment.items())],
            "secrets": [
                {"name": "PGUSER", "valueFrom": key(secrets.master_secret_arn, "username")},
                {"name": "PGPASSWORD", "valueFrom": key(secrets.master_secret_arn, "password")},
                {"name": "APP_PASSWORD", "valueFrom": key(secrets.app_secret_arn, "password")},
                {"name": "READONLY_PASSWORD", "valueFrom": key(secrets.readonly_secret_arn, "password")},
            ],
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": log_group, "awslogs-region": region, "awslogs-stream-prefix": LOG_STREAM_PREFIX}},
        }
