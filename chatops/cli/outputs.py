"""`chatops outputs`: the stack's outputs (URLs, endpoints, names)."""

from __future__ import annotations

from typing import Optional

import click

from chatops.cli.common import examples, json_option, stack_options
from chatops.cli.up import show_outputs
from chatops.deploy.driver import read_stack_outputs, resolve_target
from chatops.ui.console import emit_json


@click.command(epilog=examples("chatops outputs --stack prod", "chatops outputs --stack prod --json"))
@stack_options
@click.option("--show-secrets", is_flag=True, help="Print secret outputs instead of [secret].")
@json_option
def outputs(stack: Optional[str], config_path: Optional[str], show_secrets: bool, as_json: bool) -> None:
    """The stack's outputs, from its last update."""
    target = resolve_target(config_path, stack)
    values = read_stack_outputs(target.config, target.config_path, target.stack, show_secrets=show_secrets)
    if as_json:
        emit_json({"stack": target.stack, "outputs": values})
    else:
        show_outputs(values)
