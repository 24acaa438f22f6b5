"""The session's provider work, done once and concurrently: each tier converted, validated and planned;
each tier's state; each tier step planned against the previous tier's state.

Terraform runs are independent processes, so a small thread pool overlaps them (the provider's start-up
and schema load dominate a run). Results are cached: the conformance, identity and scale tests share them.
"""

from __future__ import annotations

import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from tests.support.terraform.changes import ProviderChange, plan_changes
from tests.support.terraform.cli import Terraform
from tests.support.terraform.convert import Converted, convert
from tests.support.terraform.schema import ProviderSchema
from tests.support.terraform.state import state_from_plan, write_state

T = TypeVar("T")
#: Two concurrent terraform runs per core is where this machine's wall time stops improving.
WORKERS = max(2, min(4, 2 * (os.cpu_count() or 1)))


@dataclass
class Conformance:
    validate: dict[str, Any]            # `terraform validate -json` of the configuration (with references)
    plan_exit: int                      # 0 no changes, 1 error, 2 changes
    plan_output: str                    # stderr+stdout of the plan (diagnostics)
    state: Path | None = None           # the tier's deployed state, built from the plan


@dataclass
class Step:
    plan_exit: int
    plan_output: str
    changes: dict[str, ProviderChange]  # urn -> what the provider does


class ProviderBench:
    def __init__(self, terraform: Terraform, schema: ProviderSchema, graphs: dict[str, Any]) -> None:
        self.terraform = terraform
        self.schema = schema
        self.graphs = graphs
        self._lock = threading.Lock()
        self._converted: dict[str, Converted] = {}
        self._conformance: dict[str, Conformance] = {}
        self._steps: dict[tuple[str, str], Step] = {}

    # -- conversion -------------------------------------------------------------------------------

    def converted(self, tier: str) -> Converted:
        with self._lock:
            if tier not in self._converted:
                synthesis = self.graphs[tier]
                self._converted[tier] = convert(synthesis.resources, synthesis.details, self.schema)
            return self._converted[tier]

    # -- conformance: validate + plan of each tier's configuration --------------------------------

    def conformance(self, tier: str) -> Conformance:
        """`terraform validate` of the tier's configuration, then an offline plan of it.

        The plan is of the literal twin (every value known, as the synthesized graph has it): the
        provider validates known values only, so it is the stricter plan, and its planned values make
        the tier's deployed state. The configuration with references is planned too, against that
        state, by the identity step of test_provider_scale.py."""
        if tier not in self._conformance:
            self._run_all(self._conform, [t for t in self.graphs if t not in self._conformance], self._conformance)
        return self._conformance[tier]

    def _conform(self, tier: str) -> Conformance:
        converted = self.converted(tier)
        result = self.check_config(f"tier-{tier}", converted)
        if result.plan_exit == 2:
            directory = self.terraform.root / "work" / f"tier-{tier}"
            state = state_from_plan(self.terraform.show_plan(directory), converted, self.schema,
                                    self.graphs[tier].details)
            result.state = write_state(directory / "deployed.tfstate", state)
        return result

    def check_config(self, name: str, converted: Converted) -> Conformance:
        """Validate a configuration, plan its literal twin (uncached)."""
        validation = self.terraform.validate(self.terraform.workdir(f"{name}-validate", converted.config))
        if not validation.get("valid"):
            return Conformance(validation, 1, "(not planned: validation failed)")
        result = self.terraform.plan(self.terraform.workdir(name, converted.literal_config), check=False)
        return Conformance(validation, result.returncode, result.stderr + result.stdout)

    # -- states and steps -------------------------------------------------------------------------

    def state(self, tier: str) -> Path:
        state = self.conformance(tier).state
        assert state is not None, f"{tier} does not plan, so it has no state to step from"
        return state

    def steps(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Step]:
        wanted = [p for p in pairs if p not in self._steps]
        for tier in sorted({a for a, _ in wanted}):
            self.state(tier)
        self._run_all(lambda pair: self._step(*pair), wanted, self._steps)
        return self._steps

    def step(self, before: str, after: str) -> Step:
        return self.steps([(before, after)])[(before, after)]

    def _step(self, before: str, after: str) -> Step:
        directory = self.terraform.workdir(f"step-{before}-to-{after}", self.converted(after).config)
        result = self.terraform.plan(directory, state=self.state(before), check=False, stream=True)
        if result.returncode == 1:
            return Step(1, _diagnostics(result.stdout) + result.stderr, {})
        return Step(result.returncode, result.stderr,
                    plan_changes(result.stdout, self.converted(before), self.converted(after)))

    # -- helpers ----------------------------------------------------------------------------------

    def _run_all(self, work: Callable[[Any], T], keys: list, into: dict) -> None:
        if not keys:
            return
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            for key, value in zip(keys, pool.map(work, keys)):
                into[key] = value


def _diagnostics(stream: str) -> str:
    messages = [json.loads(line) for line in stream.splitlines() if line.startswith("{")]
    return "\n".join(f"{m['diagnostic'].get('summary')}: {m['diagnostic'].get('detail', '')} "
                     f"({m['diagnostic'].get('address', '')})" for m in messages if m.get("type") == "diagnostic")


def load_schema(terraform: Terraform, cache: Path) -> ProviderSchema:
    """The provider schema, computed once and kept under the session's temp dir."""
    if not cache.exists():
        cache.write_text(json.dumps(terraform.schema()), encoding="utf-8")
    return ProviderSchema(json.loads(cache.read_text(encoding="utf-8")))
