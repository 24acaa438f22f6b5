"""`chatops cost-report --actual`: the stack's real spend next to chatops's estimate.

No click command of its own: `cost-report` parses the options and calls run_actual_report.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Optional, Union

from chatops.errors import ChatopsError


def run_actual_report(stack: Optional[str], config_path: Optional[Union[str, Path]], as_json: bool,
                      aws_profile: Optional[str], endpoint_url: Optional[str], region: Optional[str]) -> None:
    """Print the report (rich table or JSON); raise ChatopsError on any failure.

    The estimate uses the stack's region from chatops.yaml, so it prices what was deployed; `region` is
    used only when that entry has none."""
    from chatops.cli.doctor import resolve_stack
    from chatops.costing.estimate import estimate_cost
    from chatops.aws.session import make_aws
    from chatops.aws.cost_explorer import (CE_REGION, compare, estimate_by_service, fetch_costs,
                                              not_tagged_message, periods_for)

    target = resolve_stack(str(config_path) if config_path else None, stack)
    stack_region = target.entry.region or region or CE_REGION
    periods = periods_for(_today())
    aws = make_aws(CE_REGION, aws_profile, endpoint_url)
    last, mtd, estimated = fetch_costs(aws, target.config.project, target.stack, periods)
    if not last and not mtd:
        raise ChatopsError(not_tagged_message(target.config.project, target.stack))
    estimate = estimate_cost(target.profile, stack_region)
    report: dict[str, Any] = {
        "project": target.config.project, "stack": target.stack, "profile": target.profile.name,
        "region": stack_region, "currency": "USD", "metric": "UnblendedCost",
        "last_month": {"start": periods.last_month_start.isoformat(), "end": periods.month_start.isoformat()},
        "month_to_date": {"start": periods.month_start.isoformat(), "end": periods.today.isoformat(),
                          "elapsed_days": periods.elapsed_days, "days_in_month": periods.days_in_month},
        "estimated_by_aws": estimated,
        "services": compare(estimate_by_service(estimate), last, mtd, periods),
    }
    report["totals"] = _totals(report["services"])
    if as_json:
        from chatops.ui.console import emit_json

        emit_json(report)
    else:
        from chatops.ui.actual_cost import render_actual_cost

        render_actual_cost(report)


def _today() -> date:
    return datetime.now(timezone.utc).date()


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    from decimal import Decimal

    def total(key: str) -> Decimal:
        return sum((row[key] or Decimal(0) for row in rows), Decimal(0))

    est, last = total("estimate_monthly"), total("last_month_monthly")
    return {"estimate_monthly": est, "last_month_monthly": last, "month_to_date_monthly": total("month_to_date_monthly"),
            "projected_monthly": total("projected_monthly"), "variance_monthly": last - est,
            "variance_percent": round(float((last - est) / est * 100), 1) if est else None}
