"""`chatops profiles`: list, show, diff and validate scale-tier profiles."""

from __future__ import annotations

import click

from chatops.cli.common import PROFILE_REF, examples, json_option
from chatops.errors import EXIT_FAILURE, OutcomeError, ProfileError
from chatops.model.loading import load_builtin_profiles, load_profile, profile_to_data
from chatops.model.profile_diff import diff_profiles
from chatops.ui import profiles as ui
from chatops.ui.console import emit_json


@click.group(epilog=examples("chatops profiles list", "chatops profiles show 50k-dau",
                             "chatops profiles diff 25k-dau 50k-dau", "chatops profiles validate ./mine.yaml"))
def profiles() -> None:
    """List, show, diff and validate scale-tier profiles.

    Wherever a tier name is accepted (50k-dau, or short 50k), a path to a profile file works too.
    """


@profiles.command("list", epilog=examples("chatops profiles list", "chatops profiles list --json"))
@json_option
def list_profiles(as_json: bool) -> None:
    """The built-in tiers: design DAU, peak connections, sizes, classes and features."""
    tiers = load_builtin_profiles()
    if as_json:
        emit_json({"profiles": [{**profile_to_data(p), "features": ui.features(p)} for p in tiers]})
    else:
        ui.render_profile_table(tiers)


@profiles.command("show", epilog=examples("chatops profiles show 50k-dau", "chatops profiles show ./mine.yaml --json"))
@click.argument("tier", type=PROFILE_REF, metavar="TIER|FILE")
@json_option
def show(tier: str, as_json: bool) -> None:
    """One whole profile as a tree."""
    profile = load_profile(tier)
    data = profile_to_data(profile)
    if as_json:
        emit_json(data)
    else:
        ui.render_profile_tree(profile, data)


@profiles.command("diff", epilog=examples("chatops profiles diff 25k-dau 50k-dau",
                                          "chatops profiles diff 50k ./mine.yaml --json"))
@click.argument("a", type=PROFILE_REF, metavar="A")
@click.argument("b", type=PROFILE_REF, metavar="B")
@json_option
def diff(a: str, b: str, as_json: bool) -> None:
    """What changes between two profiles, field by field."""
    first, second = load_profile(a), load_profile(b)
    changes = diff_profiles(first, second)
    if as_json:
        emit_json({"from": first.name, "to": second.name,
                   "changes": [{"path": c.path, "before": c.before, "after": c.after} for c in changes]})
    else:
        ui.render_diff(first, second, changes)


@profiles.command("validate", epilog=examples("chatops profiles validate ./mine.yaml",
                                              "chatops profiles validate profiles/*.yaml --json"))
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@json_option
def validate(files: tuple[str, ...], as_json: bool) -> None:
    """Validate profile files; every problem is reported at once with its file and field. Exit 1 if any is
    invalid."""
    from pathlib import Path

    from chatops.model.loading import load_profile_file

    results: list[tuple[str, str | None, list[str]]] = []
    for file in files:
        try:
            results.append((file, load_profile_file(Path(file)).name, []))
        except ProfileError as exc:
            results.append((file, None, exc.problems))
    if as_json:
        emit_json({"ok": not any(problems for _, _, problems in results),
                   "files": [{"file": f, "ok": not problems, "profile": name, "problems": problems}
                             for f, name, problems in results]})
    else:
        ui.render_validation(results)
    invalid = [f for f, _, problems in results if problems]
    if invalid:
        raise OutcomeError(f"{len(invalid)} of {len(results)} profile file(s) invalid: {', '.join(invalid)}",
                           EXIT_FAILURE)
