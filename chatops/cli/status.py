"""`chatops status`: health of a running stack, once or refreshed in place with --watch."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Optional

import click

from chatops.cli.common import aws_options, examples, json_option, outputs_file_option, stack_options
from chatops.cli.doctor import resolve_stack
from chatops.errors import EXIT_UNHEALTHY, OutcomeError


@click.command(epilog=examples("chatops status --stack prod",
                               "chatops status --stack prod --watch 10",
                               "chatops status --stack prod --outputs-file outputs.json --json"))
@stack_options
@outputs_file_option
@click.option("--watch", type=click.IntRange(min=1), metavar="SECONDS",
              help="Refresh every SECONDS until Ctrl-C.")
@click.option("--iterations", type=click.IntRange(min=1), hidden=True,
              help="Stop --watch after this many refreshes (for scripts and tests).")
@aws_options
@json_option
def status(stack: Optional[str], config_path: Optional[str], outputs_file: Optional[Path],
           watch: Optional[int], iterations: Optional[int], aws_profile: Optional[str],
           endpoint_url: Optional[str], as_json: bool) -> None:
    """Tasks, deployments, target health, alarms, queues, database, Redis, and realtime load against
    the tier's capacity, with the tier the observed peak needs. Exit 4 when the stack needs attention."""
    from chatops.aws.session import make_aws
    from chatops.aws.status import StatusContext, collect_status, read_outputs_file

    target = resolve_stack(config_path, stack)
    if outputs_file is not None:
        outputs = read_outputs_file(outputs_file)
    else:
        from chatops.deploy.driver import read_stack_outputs

        outputs = read_stack_outputs(target.config, target.config_path, target.stack)
    region = outputs.get("region") or target.entry.region
    aws = make_aws(region, aws_profile, endpoint_url)
    ctx = StatusContext(target.config.project, target.stack, target.profile, outputs, aws)

    if watch is None:
        report = collect_status(ctx)
        _show(report, as_json)
    else:
        report = _watch(lambda: collect_status(ctx), watch, iterations, as_json)
    if not report["ok"]:
        raise OutcomeError(f"stack {target.stack} needs attention: {len(report['problems'])} problem(s)",
                           EXIT_UNHEALTHY)


def _show(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        from chatops.ui.console import emit_json

        emit_json(report)
    else:
        from chatops.ui.console import console
        from chatops.ui.status import status_view

        console().print(status_view(report))


def _watch(refresh: Any, seconds: int, iterations: Optional[int], as_json: bool) -> dict[str, Any]:
    """Redraw in place until Ctrl-C (the CLI's handler prints 'Interrupted.'); with --json, one document
    per refresh. Returns the last report (its verdict is the exit code after --iterations)."""
    if as_json:
        from chatops.ui.console import emit_json

        count = 0
        while True:
            report = refresh()
            emit_json(report)
            count += 1
            if iterations is not None and count >= iterations:
                return report
            time.sleep(seconds)
    from chatops.ui.status import watch_live

    return watch_live(refresh, seconds, iterations)
