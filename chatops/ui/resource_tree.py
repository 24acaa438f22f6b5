"""The offline preview as a rich tree: components, the resource types under each, counts and costs."""

from __future__ import annotations

from typing import Any

from rich.tree import Tree

from chatops.costing.money import fmt_usd
from chatops.ui.console import console


def _money(value: Any) -> str:
    return f"{fmt_usd(value)}/mo" if value is not None else ""


def render_resource_tree(view: dict[str, Any]) -> None:
    root = Tree(f"[bold]{view['stack']}[/] · {view['profile']} · {view['region']} · "
                f"{view['resource_count']} resources"
                + f" · [green]{_money(view['total_monthly'])}[/]")
    for comp in view["components"]:
        branch = root.add(f"[bold cyan]{comp['name']}[/] [dim]{comp['type']}[/] ({comp['resource_count']})")
        for row in comp["resources"]:
            cost = f"  [green]{_money(row['cost_monthly'])}[/]" if row["cost_monthly"] is not None else ""
            branch.add(f"{row['count']} × {row['type']}{cost}")
    out = console()
    out.print(root)
    out.print("[dim]Monthly estimate from the price catalog; usage-based parts at the tier's design load. "
              "`chatops cost-report` has the details.[/]")
