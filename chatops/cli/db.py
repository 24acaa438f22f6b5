"""`chatops db`: database administration of a deployed stack. `db bootstrap` creates the apps' roles."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import click

from chatops.cli.common import aws_options, examples, json_option, outputs_file_option, stack_options
from chatops.cli.doctor import resolve_stack
from chatops.errors import EXIT_FAILURE, OutcomeError


@click.group(epilog=examples("chatops db bootstrap --stack prod"))
def db() -> None:
    """Database administration of a deployed stack."""


@db.command(epilog=examples("chatops db bootstrap --stack prod",
                            "chatops db bootstrap --stack prod --timeout 900 --json",
                            "chatops db bootstrap --stack dev --outputs-file outputs.json"))
@stack_options
@outputs_file_option
@click.option("--timeout", "timeout_seconds", type=click.IntRange(min=30), default=600, show_default=True,
              metavar="SECONDS", help="Stop the task and fail if it has not finished by then.")
@click.option("--poll", "poll_seconds", type=click.FloatRange(min=0), default=5.0, hidden=True,
              help="Seconds between status checks (tests use 0).")
@aws_options
@json_option
def bootstrap(stack: Optional[str], config_path: Optional[str], outputs_file: Optional[Path],
              timeout_seconds: int, poll_seconds: float, aws_profile: Optional[str], endpoint_url: Optional[str],
              as_json: bool) -> None:
    """Create or update the apps' database roles (chat_app, chat_readonly) inside the VPC.

    Runs the stack's one-off Fargate task (ECS RunTask in the task subnets, `db-admin` security group),
    which connects to RDS with the master secret over verified TLS and applies idempotent SQL: roles
    created when missing, passwords and grants set every run. Waits for the task to stop and reports
    its exit code and the last lines of its log. Run it once after the first `chatops up`, and again
    after rotating a role's password. Exit 0 when the task succeeded, 1 otherwise.
    """
    from chatops.aws.db_bootstrap import BootstrapSpec, run_bootstrap
    from chatops.aws.session import make_aws
    from chatops.aws.status import read_outputs_file

    target = resolve_stack(config_path, stack)
    if outputs_file is not None:
        outputs = read_outputs_file(outputs_file)
    else:
        from chatops.deploy.driver import read_stack_outputs

        outputs = read_stack_outputs(target.config, target.config_path, target.stack)
    spec = BootstrapSpec.from_outputs(outputs)
    aws = make_aws(outputs.get("region") or target.entry.region, aws_profile, endpoint_url)

    def progress(line: str) -> None:
        click.echo(f"db bootstrap: {line}", err=True)  # stderr: a terminal and CI logs; stdout stays JSON

    result = run_bootstrap(aws, spec, timeout_seconds=timeout_seconds, poll_seconds=poll_seconds, progress=progress)
    report = {"schema_version": 1, "stack": target.stack, **result.to_json()}
    if as_json:
        from chatops.ui.console import emit_json

        emit_json(report)
    else:
        status = "succeeded" if result.ok else "FAILED"
        click.echo(f"db bootstrap {status}: task {result.task_arn}, exit code {result.exit_code}, "
                   f"{result.duration_seconds:.0f} s")
        if result.log_tail:
            click.echo("last log lines:")
            for line in result.log_tail:
                click.echo(f"  {line}")
    if not result.ok:
        raise OutcomeError(f"db bootstrap failed: {'; '.join(result.problems())}; the log lines above say why "
                           f"(log group {spec.log_group})", EXIT_FAILURE)
