"""The `chatops` command: one click group whose commands are imported only when they run.

Lazy loading keeps `chatops plan` fast and free of pulumi and boto3: only the module of the command
being run is imported. Each entry names its module, its click object and a one-line description.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any, Optional

import click

from chatops import __version__
from chatops.errors import EXIT_INTERRUPTED, ChatopsError

#: name -> (module, attribute, one-line help). The order is the order of `chatops --help`.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "plan": ("chatops.cli.plan", "plan", "From daily users to a tier, its capacity headroom and its cost."),
    "profiles": ("chatops.cli.profiles", "profiles", "List, show, diff and validate scale-tier profiles."),
    "cost-report": ("chatops.cli.cost_report", "cost_report", "Monthly cost per resource, tier comparison, actual spend."),
    "simulate": ("chatops.cli.simulate", "simulate", "A day or a month of traffic through the autoscaling policies."),
    "prices": ("chatops.cli.prices", "prices", "Show or refresh the AWS price catalog used for estimates."),
    "synth": ("chatops.cli.synth", "synth", "Every resource `up` would create, offline, as JSON."),
    "preview": ("chatops.cli.preview", "preview", "What `up` would change (or --offline: the resource tree with costs)."),
    "runbook": ("chatops.cli.runbook", "runbook", "The operations runbook for a stack, with its real alarm names."),
    "init": ("chatops.cli.init", "init", "Write chatops.yaml: project, backend, stacks, domain, images."),
    "doctor": ("chatops.cli.doctor", "doctor", "Preflight checks before the first `up`: CLI, credentials, zone, quotas."),
    "up": ("chatops.cli.up", "up", "Provision or update a stack through Pulumi's Automation API."),
    "release": ("chatops.cli.release", "release", "Deploy a new image tag to one or all services, by digest."),
    "scale-to": ("chatops.cli.scale_to", "scale_to", "Move a live stack to another tier, safely."),
    "db": ("chatops.cli.db", "db", "Database administration of a stack: `db bootstrap` creates the apps' roles."),
    "status": ("chatops.cli.status", "status", "Health of a running stack: tasks, targets, alarms, queues, load."),
    "outputs": ("chatops.cli.outputs", "outputs", "The stack's outputs (URLs, endpoints, names)."),
    "refresh": ("chatops.cli.refresh", "refresh", "Reconcile the stack's state with what exists in AWS."),
    "destroy": ("chatops.cli.destroy", "destroy", "Delete a stack's resources (asks for the stack name)."),
    "unlock": ("chatops.cli.unlock", "unlock", "Remove a lock left behind by a crashed update."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> Optional[click.Command]:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, attribute, _ = entry
        return getattr(importlib.import_module(module_name), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Use the registry's descriptions so `--help` does not import every command (and pulumi).
        rows = [(name, help_text) for name, (_, _, help_text) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        from chatops.signals import cause, terminating_as_interrupt

        try:
            with terminating_as_interrupt():  # SIGTERM/SIGHUP end a command like Ctrl-C, cleanups included
                return super().invoke(ctx)
        except ChatopsError as exc:
            _say(f"Error: {exc}")
            ctx.exit(exc.exit_code)
        except (KeyboardInterrupt, click.exceptions.Abort) as exc:  # Abort: click's Ctrl-C at a prompt
            _say("Interrupted." if not isinstance(exc, KeyboardInterrupt) or cause(exc) == "Ctrl-C"
                 else f"Interrupted ({cause(exc)}).")
            ctx.exit(EXIT_INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException):
            raise
        except Exception as exc:  # a bug, not a user mistake: still one line unless asked for more
            if os.environ.get("CHATOPS_DEBUG"):
                raise
            click.echo(f"Error: internal error ({type(exc).__name__}: {exc}); rerun with CHATOPS_DEBUG=1 "
                       "for the traceback and report it", err=True)
            ctx.exit(1)


def _say(line: str) -> None:
    """The last line on stderr; after SIGHUP the terminal may be gone, and the exit code must still be set."""
    try:
        click.echo(line, err=True)
    except OSError:
        pass


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
             epilog="Shell completion (bash, zsh, fish): eval \"$(_CHATOPS_COMPLETE=bash_source chatops)\"; "
                    "see the README.\n\nExample:\n\n    chatops plan --dau 50000\n\n    chatops profiles list")
@click.version_option(__version__, prog_name="chatops")
@click.option("--quiet", "-q", is_flag=True, envvar="CHATOPS_QUIET", show_envvar=True,
              help="Only the result and errors: no notes or progress on stderr.")
@click.option("--no-color", is_flag=True, help="Plain text: no colours, no bold (NO_COLOR removes the colours).")
def cli(quiet: bool, no_color: bool) -> None:
    """Size, price and provision the AWS infrastructure of a realtime chat product.

    Start with `chatops plan --dau N` (no AWS account needed), then `chatops init` and `chatops up`.
    Options of chatops itself go before the command: `chatops --quiet --no-color plan --dau 50k`.
    """
    from chatops.ui.console import configure

    configure(quiet=quiet, no_color=no_color)


def main() -> None:
    cli(prog_name="chatops")


if __name__ == "__main__":
    sys.exit(main())
