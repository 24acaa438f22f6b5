"""`chatops runbook`: the operations runbook of a stack (or, with --workflow, its GitHub Actions deploy
workflow), rendered offline from templates/ with the stack's real names and the profile's thresholds.

The names of the data tier and the alarms are the ones the program creates (Names + alarm_specs, the
same calls as chatops/infra); names AWS generates (cluster, services, target groups) are read from the
stack outputs by the shell snippets in the runbook itself.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional

import click
import jinja2

from chatops.cli.common import examples, profile_option
from chatops.errors import ChatopsError
from chatops.model import alarms
from chatops.model.loading import builtin_templates_dir, load_profile
from chatops.model.naming import Names
from chatops.model.profile import Profile
from chatops.model.settings import NAME_PATTERN, REGION_PATTERN

RUNBOOK_TEMPLATE = "runbook.md.j2"
WORKFLOW_TEMPLATE = "github-deploy.yml.j2"
COMPARISONS = {"GreaterThanThreshold": ">", "GreaterThanOrEqualToThreshold": ">=", "LessThanThreshold": "<",
               "LessThanOrEqualToThreshold": "<="}
DEFAULT_PULUMI_VERSION = "3.272.0"  # the CLI matching the pulumi SDK chatops is tested with


def data_tier_names(profile: Profile, names: Names) -> dict[str, Any]:
    """Physical names of what chatops/infra/{database,cache,queues,backup,observability}.py create."""
    groups = []
    for role, count in alarms.redis_groups(profile):
        component = "redis" if role == "redis" else f"redis-{role}"
        groups.append({"role": role, "nodes": count, "id": names.of("elasticache_group", component)})
    members = [{"group_id": g["id"], "cluster_id": f"{g['id']}-{n:03d}"} for g in groups
               for n in range(1, g["nodes"] + 1)]
    db = profile.database
    return {
        "topic": names.of("sns", "alerts"),
        "dashboard": names.of("dashboard", "operations"),
        "db": names.of("rds", "db"),
        "replica": names.of("rds", "db-replica") if db.read_replica.enabled else None,
        "proxy": names.of("rds_proxy", "db-proxy") if db.proxy.enabled else None,
        "database_url_secret": names.of("secret", "database-url"),
        "master_secret": names.of("secret", "db-master"),
        "redis_secret": names.of("secret", "redis-auth"),
        "redis_groups": groups,
        "redis_members": members,
        "queues": {key: names.of("sqs", key.replace("_", "-"))
                   for key in ("push", "offline", "push_dlq", "offline_dlq")},
        "backup_vault": names.of("backup_vault", "vault"),
        "log_groups": {service: names.log_group(service) for service in alarms.SERVICES},
    }


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(builtin_templates_dir())),
                              undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)


def render_runbook(profile: Profile, project: str, stack: str, region: str) -> str:
    names = Names(project, stack)
    specs = alarms.alarm_specs(profile)
    return _environment().get_template(RUNBOOK_TEMPLATE).render(
        profile=profile, project=project, stack=stack, region=region, prefix=names.prefix,
        res=data_tier_names(profile, names), specs=specs,
        alarm_names={s.key: names.of("alarm", s.key) for s in specs}, comparisons=COMPARISONS,
        stack_dimension=alarms.STACK_DIMENSION, active_connections_metric=alarms.ACTIVE_CONNECTIONS_METRIC,
        event_loop_lag_metric=alarms.EVENT_LOOP_LAG_METRIC)


def render_workflow(profile: Profile, project: str, stack: str, region: str, branch: str = "main",
                    install_spec: str = "chatops", pulumi_version: str = DEFAULT_PULUMI_VERSION) -> str:
    return _environment().get_template(WORKFLOW_TEMPLATE).render(
        profile_name=profile.name, project=project, stack=stack, region=region, branch=branch,
        install_spec=install_spec, pulumi_version=pulumi_version, python_version="3.12")


def _check(value: str, pattern: str, what: str, example: str) -> str:
    if not re.match(pattern, value):
        raise click.BadParameter(f"{value!r} is not a valid {what} (e.g. {example})")
    return value


@click.command(epilog=examples(
    "chatops runbook --profile 50k-dau --stack prod",
    "chatops runbook --profile 100k --project acme --stack prod --region eu-central-1 --output docs/runbook.md",
    "chatops runbook --workflow --profile 50k-dau --stack prod --output .github/workflows/deploy-prod.yml",
))
@profile_option()
@click.option("--stack", "-s", default=None, help="Stack name (default: prod for production tiers, dev for dev).")
@click.option("--project", default="chat", show_default=True, help="Project name (as in chatops.yaml).")
@click.option("--region", default="us-east-1", show_default=True, help="AWS region of the stack.")
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of stdout.")
@click.option("--workflow", is_flag=True, help="Render the GitHub Actions deploy workflow instead of the runbook.")
@click.option("--branch", default="main", show_default=True, help="With --workflow: the branch that deploys.")
@click.option("--install", "install_spec", default="chatops", show_default=True,
              help="With --workflow: what pip installs (e.g. 'chatops==0.1.0' or '.').")
def runbook(profile_ref: str, stack: Optional[str], project: str, region: str, output: Optional[str],
            workflow: bool, branch: str, install_spec: str) -> None:
    """The operations runbook of a stack: every alarm with its real name, threshold, what it means and the
    commands to run, plus log groups, restore and scaling procedures. Offline: no AWS account needed.

    With --workflow, a GitHub Actions workflow that deploys the stack with `chatops up --yes`.
    """
    profile = load_profile(profile_ref)
    stack = stack or ("prod" if profile.is_production else "dev")
    _check(project, NAME_PATTERN, "project name", "chat")
    _check(stack, NAME_PATTERN, "stack name", "prod")
    _check(region, REGION_PATTERN, "region", "eu-central-1")
    if workflow:
        text = render_workflow(profile, project, stack, region, branch=branch, install_spec=install_spec)
    else:
        text = render_runbook(profile, project, stack, region)
    if output is None:
        click.echo(text, nl=False)
        return
    path = Path(output)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ChatopsError(f"{output}: cannot write ({exc.strerror}); choose another --output path") from None
    click.echo(f"Wrote {output}", err=True)
