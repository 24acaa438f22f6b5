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
from chatops.cli.output import emit_text, output_options
from chatops.cli.resolve import config_options, need_profile, resolve_target
from chatops.errors import UsageError
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
#: What the generated workflow installs by default: chatops from the repository checkout (the workflow lives
#: in your clone or fork of chatops, beside chatops.yaml and profiles/). `chatops` on PyPI is an unrelated
#: project: the bare name is never installed.
DEFAULT_INSTALL = "."


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


def check_install_spec(spec: str) -> str:
    """A path (./tools/chatops, .) or a VCS URL pinned with @tag-or-commit; never a bare package name,
    which pip would fetch from PyPI, where `chatops` is someone else's project."""
    spec = spec.strip()
    if spec.startswith((".", "/")) or spec.startswith("file:"):
        return spec
    vcs = re.match(r"^(chatops\s*@\s*)?(git|hg)\+[a-z+]*://\S+@([\w.\-/]+)(#\S*)?$", spec)
    if vcs:
        return spec
    raise UsageError(f"--install {spec!r}: give a path in the repository checkout (e.g. . or ./tools/chatops) or a VCS "
                     "URL pinned to a tag or commit (e.g. git+https://github.com/acme/chatops@v0.1.0); `chatops` "
                     "on PyPI is an unrelated project")


def render_workflow(profile: Profile, project: str, stack: str, region: str, branch: str = "main",
                    install_spec: str = DEFAULT_INSTALL, pulumi_version: str = DEFAULT_PULUMI_VERSION) -> str:
    return _environment().get_template(WORKFLOW_TEMPLATE).render(
        profile_name=profile.name, project=project, stack=stack, region=region, branch=branch,
        install_spec=install_spec, pulumi_version=pulumi_version, python_version="3.12")


def _check(value: str, pattern: str, what: str, example: str) -> str:
    if not re.match(pattern, value):
        raise click.BadParameter(f"{value!r} is not a valid {what} (e.g. {example})")
    return value


@click.command(epilog=examples(
    "chatops runbook --profile 50k-dau --stack prod",
    "chatops runbook --stack prod        # the prod stack of ./chatops.yaml: its tier, project and region",
    "chatops runbook --profile 100k --project acme --stack prod --region eu-central-1 --output docs/runbook.md",
    "chatops runbook --workflow --stack prod --install git+https://github.com/acme/chatops@v0.1.0 "
    "--output .github/workflows/deploy-prod.yml",
))
@profile_option(required=False)
@config_options
@click.option("--project", help="Project name. [default: chatops.yaml's, else chat]")
@click.option("--region", help="AWS region of the stack. [default: AWS_REGION, else the stack's, else us-east-1]")
@output_options
@click.option("--workflow", is_flag=True, help="Render the GitHub Actions deploy workflow instead of the runbook.")
@click.option("--branch", default="main", show_default=True, help="With --workflow: the branch that deploys.")
@click.option("--install", "install_spec", default=DEFAULT_INSTALL, show_default=True,
              help="With --workflow: what pip installs: a path in the repository checkout, or a VCS URL pinned "
                   "to a tag or commit (git+https://...@v0.1.0). Never the bare name `chatops`: an unrelated "
                   "project owns it on PyPI.")
def runbook(profile_ref: Optional[str], stack: Optional[str], config_path: Optional[str], project: Optional[str],
            region: Optional[str], output: Optional[Path], force: bool, workflow: bool, branch: str,
            install_spec: str) -> None:
    """The operations runbook of a stack: every alarm with its real name, threshold, what it means and the
    commands to run, plus log groups, restore and scaling procedures. Offline: no AWS account needed.

    With --workflow, a GitHub Actions workflow that deploys the stack with `chatops up --yes`.
    """
    target = resolve_target(profile_ref, stack, project, region, config_path)
    profile = load_profile(need_profile(target))
    stack = target.stack or ("prod" if profile.is_production else "dev")
    _check(target.project, NAME_PATTERN, "project name", "chat")
    _check(stack, NAME_PATTERN, "stack name", "prod")
    _check(target.region, REGION_PATTERN, "region", "eu-central-1")
    if workflow:
        text = render_workflow(profile, target.project, stack, target.region, branch=branch,
                               install_spec=check_install_spec(install_spec))
    else:
        text = render_runbook(profile, target.project, stack, target.region)
    emit_text(text, output, force)
