"""How `chatops doctor` shows its checks."""

from __future__ import annotations

from typing import Any

from rich.markup import escape

from chatops.aws.doctor import Check, DoctorContext
from chatops.ui.console import console
from chatops.ui.tables import Col, Row, whole_table

_STYLE = {"pass": "[green]pass[/]", "warn": "[yellow]warn[/]", "fail": "[red]FAIL[/]"}


def doctor_json(ctx: DoctorContext, checks: list[Check]) -> dict[str, Any]:
    failed = [c for c in checks if c.status == "fail"]
    return {"project": ctx.config.project, "stack": ctx.stack, "region": ctx.aws.region,
            "profile": ctx.profile.name, "ok": not failed,
            "problems": [f"{c.name}: {c.detail}" + (f" (fix: {c.fix})" if c.fix else "") for c in failed],
            "checks": [c.to_json() for c in checks]}


def render_doctor(ctx: DoctorContext, checks: list[Check]) -> None:
    out = console()
    title = f"chatops doctor: {ctx.config.project}-{ctx.stack} ({ctx.profile.name}, {ctx.aws.region})"
    columns = [Col("check", whole=True), Col("result", whole=True), Col("detail"), Col("fix")]
    rows: list[Row] = [[check.name, _STYLE[check.status], escape(check.detail), escape(check.fix)] for check in checks]
    out.print(whole_table(title, columns, rows))
    failed = sum(c.status == "fail" for c in checks)
    warned = sum(c.status == "warn" for c in checks)
    verdict = "[red]not ready[/]" if failed else "[green]ready for `chatops up`[/]"
    out.print(f"{verdict}: {failed} failed, {warned} warning(s), {len(checks) - failed - warned} passed")
