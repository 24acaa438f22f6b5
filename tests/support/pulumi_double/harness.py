"""The test side of the Pulumi CLI double: puts it first on PATH, writes the scenario, reads what happened.

Used through the `pulumi_double` fixture (tests/conftest.py). A scenario is a JSON object:

    version        `pulumi version` (default 3.190.0; > 3.205.0 switches the SDK to the gRPC event stream)
    exit_codes     "legacy" (255 on every failure, cmdutil/exit.go) or "detailed" (cmdutil/exitcodes.go)
    goals          [{"when": {config key: value}, "resources": [...], "outputs": {...}}]: what the program
                   registers when the stack config matches `when` (resources as `synthesize()` returns them:
                   urn, type, inputs, protect, parent)
    replace_keys   {type or urn: [input, ...]}: the provider's Diff says a change of these inputs replaces
    failures       [{"urn", "op", "message"}]: the provider fails that step of an update with `message`
    refuse_delete  {urn: {"unless": {input: value}, "message"}}: the provider's Delete fails unless the state's
                   inputs have these values (deletion protection, non-empty buckets...)
    step_seconds   how long each provider call takes (default 0); slow: {urn: seconds}; preview_step_seconds
                   the same for each step of a preview (the provider's Check/Diff)
    late_sigint    the first SIGINT is announced but lands too late to stop anything (during the last step):
                   the operation ends as it would have, exit 0
    command_seconds {command: seconds}: how long a non-operation command (e.g. "stack output") takes
    unparseable    [urn]: the pre-event of that URN's step carries an op this SDK cannot parse
    unparseable_in [kind]: only in these operations (preview, update, destroy, refresh; default all)
    drift          {urn: {...}}: what `refresh` finds changed (merged into the state entry)
    command_failures [{"command" (e.g. "stack export"), "after" (optional: only once this command ran), "message"}]:
                   that CLI command fails with `message` (a backend that stops answering mid-flow)
    effects        [{"urn", "op" (default create), "argv"}]: after that step of an update succeeds, the provider's
                   effect outside the state, run as a command (the tests create the resource in moto: see
                   tests/support/deploy_aws.py); a failing command fails the step with its stderr
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Iterable, Optional

from tests.support.pulumi_double.checkpoint import Backend

DOUBLE_DIR = Path(__file__).resolve().parent
GRPC_VERSION = "3.230.0"   # newer than 3.205.0: events over gRPC
FILE_VERSION = "3.190.0"   # event-log file


class PulumiDouble:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.scenario_path = root / "scenario.json"
        self.log_path = root / "calls.jsonl"
        self.home = root / "pulumi-home"
        self.data: dict[str, Any] = {"version": FILE_VERSION}
        self.write()

    # -- environment ----------------------------------------------------------------------------
    def env(self, base: Optional[dict[str, str]] = None) -> dict[str, str]:
        """The environment a chatops process needs to find the double (for subprocess tests)."""
        env = dict(os.environ if base is None else base)
        for name in ("PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE", "PULUMI_BACKEND_URL",
                     "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK", "CHATOPS_STACK", "CHATOPS_CONFIG"):
            env.pop(name, None)
        env.update(PATH=f"{DOUBLE_DIR}{os.pathsep}{env.get('PATH', '')}", PULUMI_DOUBLE_PYTHON=sys.executable,
                   PULUMI_DOUBLE_SCENARIO=str(self.scenario_path), PULUMI_DOUBLE_LOG=str(self.log_path),
                   PULUMI_HOME=str(self.home))
        return env

    # -- scenario -------------------------------------------------------------------------------
    def scenario(self, **fields: Any) -> "PulumiDouble":
        self.data.update(fields)
        self.write()
        return self

    def write(self) -> None:
        self.scenario_path.write_text(json.dumps(self.data, indent=1))

    # -- what happened --------------------------------------------------------------------------
    def calls(self) -> list[dict[str, Any]]:
        if not self.log_path.is_file():
            return []
        return [json.loads(line) for line in self.log_path.read_text().splitlines() if line.strip()]

    def commands(self) -> list[str]:
        """Each call as its subcommand words, e.g. ['version', 'stack select', 'config set-all', 'preview']."""
        result = []
        for call in self.calls():
            words = [a for a in call["argv"] if not a.startswith("-")]
            if not words:
                continue
            two = {"stack", "config", "plugin", "state"}
            result.append(" ".join(words[:2]) if words[0] in two and len(words) > 1 else words[0])
        return result

    def forget_calls(self) -> None:
        self.log_path.unlink(missing_ok=True)


def backend(root: Path, project: str = "chat") -> Backend:
    return Backend(root, project)


def goal(resources: Iterable[dict[str, Any]], when: Optional[dict[str, str]] = None,
         outputs: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    keep = ("urn", "type", "inputs", "protect", "parent", "custom")
    return {"when": dict(when or {}), "resources": [{k: r[k] for k in keep if k in r} for r in resources],
            "outputs": dict(outputs or {})}
