"""How `chatops doctor` shows its checks."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from chatops.aws.doctor import Check, DoctorContext
from chatops.ui.console import console

_STYLE = {"pass": "[green]pass[/]", "warn": "[yellow]warn[/]", "fail": "[red]FAIL[/]"}


def doctor_json(ctx: DoctorContext, checks: list[Check]) -> dict[str, Any]:
    return {"project": ctx.config.project, "stack": ctx.stack, "region": ctx.aws.region,
            "tier": ctx.profile.name, "ok": not any(c.status == "fail" for c in checks),
            "checks": [c.to_json() for c in checks]}


def render_doctor(ctx: DoctorContext, checks: list[Check]) -> None:
    out = console()
    table = Table(title=f"chatops doctor: {ctx.config.project}-{ctx.stack} ({ctx.profile.name}, {ctx.aws.region})")
    for column in ("check", "result", "detail", "fix"):
        table.add_column(column, overflow="fold")
    for check in checks:
        table.add_row(check.name, _STYLE[check.status], check.detail, check.fix)
    out.print(table)
    failed = sum(c.status == "fail" for c in checks)
    warned = sum(c.status == "warn" for c in checks)
    verdict = "[red]not ready[/]" if failed else "[green]ready for `chatops up`[/]"
    out.print(f"{verdict}: {failed} failed, {warned} warning(s), {len(checks) - failed - warned} passed")
