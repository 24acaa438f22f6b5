"""Options and parameter types shared by the commands: one spelling and one error wording for each."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, Sequence, TypeVar

import click

from chatops.errors import UsageError
from chatops.model.numbers import WHOLE_FIELDS, NumberError, check_range, parse_number

F = TypeVar("F", bound=Callable[..., Any])


def examples(*lines: str) -> str:
    """A click epilog listing example invocations, kept on their own lines."""
    return "Examples:\n\n\b\n" + "\n".join(f"  {line}" for line in lines)


def json_option(func: F) -> F:
    """`--json`: plain JSON on stdout, nothing else."""
    return click.option("--json", "as_json", is_flag=True, help="Print plain JSON on stdout (no rich markup).")(func)


# ---- numbers ----------------------------------------------------------------------------------------

class NumberType(click.ParamType):
    """A number in chatops's one syntax (50000, 50_000, 50,000, 50k, 1.5m; chatops.model.numbers) within
    bounds; the error names the flag and says what is accepted."""

    name = "NUMBER"

    def __init__(self, low: float = -math.inf, high: float = math.inf, low_open: bool = False,
                 whole: bool = False, what: str = "", metavar: str = "NUMBER"):
        self.low, self.high, self.low_open, self.whole, self.what = low, high, low_open, whole, what
        self.name = metavar

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> Any:
        try:
            number = parse_number(value, whole=self.whole)
            check_range(number, self.low, self.high, self.low_open, self.what)
        except NumberError as exc:
            self.fail(str(exc), param, ctx)
        return number


def usage_number(field: str) -> NumberType:
    """The bounds UsageAssumptions declares for `field` (one source of truth for flags and usage files)."""
    from chatops.model.demand import UsageAssumptions
    from chatops.model.records import limits_of

    limits = limits_of(UsageAssumptions, field).arguments
    low, low_open = (limits["gt"], True) if "gt" in limits else (limits.get("ge", -math.inf), False)
    whole = field in WHOLE_FIELDS
    what = "daily active users" if field == "dau" else ""
    return NumberType(low, limits.get("le", math.inf), low_open, whole=whole, what=what,
                      metavar="N" if whole else "NUMBER")


#: The usage assumptions as flags: field -> (flag, help). Defaults are read from UsageAssumptions.
USAGE_FLAGS = {
    "peak_concurrency": ("--peak-concurrency", "Share of DAU connected at the busiest minute, in (0, 1]."),
    "messages_per_user": ("--messages-per-user", "Messages each user sends per day."),
    "message_bytes": ("--message-bytes", "Average message payload in bytes."),
    "fanout": ("--fanout", "Recipients per message (1 = direct message)."),
    "api_requests_per_user": ("--api-requests-per-user", "REST API calls per user per day."),
    "peak_factor": ("--peak-factor", "Busiest hour over the daily average."),
}


def dau_option(help_text: str = "Daily active users (e.g. 50000, 50k, 1.5m).") -> Callable[[F], F]:
    return click.option("--dau", type=usage_number("dau"), default=None, help=help_text)


def usage_options(func: F) -> F:
    """The usage assumption flags, shared by `plan` and `cost-report` (same bounds, defaults and help)."""
    from chatops.model.demand import UsageAssumptions
    from chatops.model.records import default_of

    for field, (flag, text) in reversed(USAGE_FLAGS.items()):
        default = default_of(UsageAssumptions, field)
        func = click.option(flag, field, type=usage_number(field), default=None,
                            help=f"{text} [default: {default:g}; see docs/sizing.md]")(func)
    return func


def usage_values(flags: dict[str, Any]) -> dict[str, Any]:
    """The usage flags that were given (None means: not on the command line)."""
    return {field: flags[field] for field in USAGE_FLAGS if flags.get(field) is not None}


# ---- profiles ---------------------------------------------------------------------------------------

class ProfileRefType(click.ParamType):
    """A built-in tier name (50k-dau, 50k, 50K) or a profile file path. An unknown tier name is a usage
    error (exit 2) in every command; a file is read (and its problems reported) by the command."""

    name = "TIER|FILE"

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> str:
        text = str(value)
        from chatops.model.loading import BUILTIN_TIERS, looks_like_path, resolve_tier_name

        if resolve_tier_name(text) is not None or looks_like_path(text):
            return text
        self.fail(f"{text}: unknown tier; use one of {', '.join(BUILTIN_TIERS)} or a path to a profile file "
                  "(e.g. ./my-profile.yaml)", param, ctx)

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        """Tier names, then files (shell completion, see the README)."""
        from click.shell_completion import CompletionItem

        from chatops.model.loading import BUILTIN_TIERS

        tiers = [CompletionItem(t) for t in BUILTIN_TIERS if t.startswith(incomplete)]
        return tiers or [CompletionItem(incomplete, type="file")]


PROFILE_REF = ProfileRefType()


def profile_option(required: bool = True, default: str | None = None) -> Callable[[F], F]:
    """`--profile TIER|FILE`: a built-in tier name (50k-dau, or 50k) or a path to a profile file."""
    extra = {} if default is None else {"default": default}  # an explicit default=None defeats required
    return click.option("--profile", "-p", "profile_ref", type=PROFILE_REF, required=required and default is None,
                        metavar="TIER|FILE",
                        help="A built-in tier (e.g. 50k-dau or 50k) or a profile file path.", **extra)


@dataclass(frozen=True)
class StackChoice:
    """One stack of chatops.yaml, as the commands that read it need it."""

    project: str
    stack: str
    region: str
    profile_ref: str  # a tier name, or a profile path usable from the working directory


def stack_choice(stack: Optional[str], config_path: Optional[Path]) -> StackChoice:
    """The stack `stack` (or CHATOPS_STACK, or the only one) of chatops.yaml (--config, CHATOPS_CONFIG, or
    the one found from the current directory up), with the precedence of cli/resolve.py."""
    from chatops.cli.resolve import resolve_target
    from chatops.model.config_file import load_config, select_stack

    config_arg = str(config_path) if config_path else None
    target = resolve_target(None, stack, None, None, config_arg)
    if target.entry is None:  # no chatops.yaml, or several stacks and none chosen: the same errors as before
        config, path = load_config(config_arg)
        select_stack(config, stack, path)
    assert target.stack is not None and target.profile_ref is not None
    return StackChoice(target.project, target.stack, target.region, target.profile_ref)


# ---- stacks and AWS ---------------------------------------------------------------------------------

def stack_options(func: F) -> F:
    """--stack and --config, as every command that acts on a chatops.yaml stack takes them."""
    func = click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="CHATOPS_CONFIG",
                        help="Path to chatops.yaml (default: CHATOPS_CONFIG, else ./chatops.yaml or the nearest "
                             "one in a parent directory).")(func)
    return click.option("--stack", "-s", envvar="CHATOPS_STACK",
                        help="Stack in chatops.yaml (default: CHATOPS_STACK, else the only one).")(func)


def aws_options(func: F) -> F:
    """--aws-profile and --endpoint-url, shared by the commands that call AWS through boto3."""
    func = click.option("--endpoint-url", envvar="AWS_ENDPOINT_URL", metavar="URL",
                        help="Send every AWS call to this endpoint (an emulator); default: AWS_ENDPOINT_URL "
                             "or the real AWS endpoints.")(func)
    return aws_profile_option(func)


def aws_profile_option(func: F) -> F:
    """--aws-profile alone: the commands whose only AWS calls are the Pulumi provider's (refresh, destroy),
    which does not read an endpoint override."""
    return click.option("--aws-profile", envvar="AWS_PROFILE", metavar="NAME",
                        help="AWS named profile (default: AWS_PROFILE or the standard credential chain). "
                             "--profile is a chatops tier, not this.")(func)


def outputs_file_option(func: F) -> F:
    """--outputs-file: the stack outputs as `chatops outputs --json` wrote them, instead of the Pulumi state."""
    return click.option("--outputs-file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
                        help="Stack outputs as JSON (from `chatops outputs --json`) instead of reading the Pulumi "
                             "state.")(func)


# ---- formats ----------------------------------------------------------------------------------------

def format_option(formats: Sequence[str], default: str = "table") -> Callable[[F], F]:
    """`--format`, case-insensitive; with `--json` it must agree (see `chosen_format`)."""
    return click.option("--format", "fmt", type=click.Choice(list(formats), case_sensitive=False), default=None,
                        help=f"Output format. [default: {default}; --json is --format json]")


def chosen_format(fmt: Optional[str], as_json: bool, default: str = "table") -> str:
    """The one output format asked for; `--json` with another `--format` is a usage error."""
    if as_json and fmt not in (None, "json"):
        raise UsageError(f"--json and --format {fmt} ask for two formats; use one of them")
    return "json" if as_json else (fmt or default)


# ---- budget gates -----------------------------------------------------------------------------------

def budget_verdict(total: Any, budget: Optional[float]) -> Optional[dict[str, Any]]:
    """The budget gate as JSON (`ok` + `problems`), or None without --budget / without a cost."""
    if budget is None or total is None:
        return None
    from decimal import Decimal

    limit = Decimal(str(budget))
    over = total - limit
    problems = [] if over <= 0 else [
        f"monthly total ${total:,.2f} is ${over:,.2f} over the budget of ${limit:,.2f}"]
    return {"limit_monthly": limit, "total_monthly": total, "ok": not problems, "problems": problems}
