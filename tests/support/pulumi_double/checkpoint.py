"""Where the Pulumi CLI double keeps stacks between calls: a file backend laid out like Pulumi's DIY backend.

Mirrors pkg/backend/diy/backend.go (project-scoped layout `.pulumi/stacks/<project>/<stack>.json`, a
checkpoint `{"version": 3, "checkpoint": {"stack", "latest": deployment}}`) and pkg/backend/diy/lock.go
(`.pulumi/locks/<project>/<stack>/<id>.json`, one file per running operation). What the real backend keeps in
`.pulumi/history/` (update history) and in the secrets provider state (the passphrase salt) is kept in a
`<stack>.double.json` sidecar instead: history entries, and a fingerprint of the passphrase the stack was
created with, so a wrong or missing passphrase fails as it would.

Imported by the double (script mode) and by the test harness (package mode): no sibling imports.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
import uuid
from pathlib import Path
from typing import Any, Optional

STACK_TYPE = "pulumi:pulumi:Stack"


def stack_urn(project: str, stack: str) -> str:
    return f"urn:pulumi:{stack}::{project}::{STACK_TYPE}::{project}-{stack}"


def fingerprint(passphrase: str) -> str:
    return hashlib.sha256(passphrase.encode()).hexdigest()


class Backend:
    """One project's stacks in a file backend directory."""

    def __init__(self, root: Path, project: str) -> None:
        self.root = Path(root)
        self.project = project

    # -- paths ----------------------------------------------------------------------------------
    def stack_file(self, stack: str) -> Path:
        return self.root / ".pulumi" / "stacks" / self.project / f"{stack}.json"

    def sidecar_file(self, stack: str) -> Path:
        return self.root / ".pulumi" / "stacks" / self.project / f"{stack}.double.json"

    def locks_dir(self, stack: str) -> Path:
        return self.root / ".pulumi" / "locks" / self.project / stack

    # -- stacks ---------------------------------------------------------------------------------
    def exists(self, stack: str) -> bool:
        return self.stack_file(stack).is_file()

    def create(self, stack: str, passphrase: str, version: str) -> None:
        self._write(self.stack_file(stack), {"version": 3, "checkpoint": {
            "stack": f"organization/{self.project}/{stack}",
            "latest": {"manifest": {"time": _now(), "magic": "", "version": f"v{version}"},
                       "secrets_providers": {"type": "passphrase", "state": {"salt": f"v1:{uuid.uuid4().hex[:12]}"}},
                       "resources": []}}})
        self._write(self.sidecar_file(stack), {"passphrase_sha256": fingerprint(passphrase), "history": []})

    def deployment(self, stack: str) -> dict[str, Any]:
        return json.loads(self.stack_file(stack).read_text())["checkpoint"]["latest"]

    def resources(self, stack: str) -> list[dict[str, Any]]:
        return list(self.deployment(stack).get("resources") or [])

    def save_resources(self, stack: str, resources: list[dict[str, Any]]) -> None:
        """Write the checkpoint (the DIY backend persists the snapshot after every completed step)."""
        data = json.loads(self.stack_file(stack).read_text())
        data["checkpoint"]["latest"]["resources"] = resources
        data["checkpoint"]["latest"]["manifest"]["time"] = _now()
        self._write(self.stack_file(stack), data)

    def pending_operations(self, stack: str) -> list[dict[str, Any]]:
        """apitype.DeploymentV3.PendingOperations: [{"resource": ResourceV3, "type": "creating" | ...}]."""
        return list(self.deployment(stack).get("pending_operations") or [])

    def save_pending_operations(self, stack: str, operations: list[dict[str, Any]]) -> None:
        data = json.loads(self.stack_file(stack).read_text())
        if operations:
            data["checkpoint"]["latest"]["pending_operations"] = operations
        else:  # `json:"pending_operations,omitempty"`
            data["checkpoint"]["latest"].pop("pending_operations", None)
        self._write(self.stack_file(stack), data)

    def outputs(self, stack: str) -> dict[str, Any]:
        for resource in self.resources(stack):
            if resource["type"] == STACK_TYPE:
                return dict(resource.get("outputs") or {})
        return {}

    def sidecar(self, stack: str) -> dict[str, Any]:
        return json.loads(self.sidecar_file(stack).read_text())

    def add_history(self, stack: str, entry: dict[str, Any]) -> None:
        side = self.sidecar(stack)
        side["history"].insert(0, entry)  # newest first, as `pulumi stack history` lists them
        self._write(self.sidecar_file(stack), side)

    def passphrase_matches(self, stack: str, passphrase: str) -> bool:
        return self.sidecar(stack)["passphrase_sha256"] == fingerprint(passphrase)

    # -- locks ----------------------------------------------------------------------------------
    def locks(self, stack: str) -> list[Path]:
        directory = self.locks_dir(stack)
        return sorted(directory.glob("*.json")) if directory.is_dir() else []

    def lock(self, stack: str) -> Path:
        directory = self.locks_dir(stack)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{uuid.uuid4()}.json"
        self._write(path, {"pid": os.getpid(), "username": os.environ.get("USER", "ci"),
                           "hostname": socket.gethostname(), "timestamp": _now()})
        return path

    # -- seeding (tests) --------------------------------------------------------------------------
    def seed(self, stack: str, resources: list[dict[str, Any]], outputs: Optional[dict[str, Any]] = None,
             passphrase: str = "", config: Optional[dict[str, str]] = None, version: str = "3.190.0") -> None:
        """A stack as if a successful `up` had created `resources` (the test's starting point)."""
        self.create(stack, passphrase, version)
        root = {"urn": stack_urn(self.project, stack), "type": STACK_TYPE, "custom": False,
                "outputs": dict(outputs or {})}
        self.save_resources(stack, [root] + [state_entry(r) for r in resources if r["type"] != STACK_TYPE])
        self.add_history(stack, history_entry("update", "succeeded", config or {}, {"create": len(resources)}))

    @staticmethod
    def _write(path: Path, data: dict[str, Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(data, indent=2))
        tmp.replace(path)


def state_entry(resource: dict[str, Any], resource_id: Optional[str] = None) -> dict[str, Any]:
    """A goal resource (the program's registration) as the checkpoint stores it after create/update."""
    urn = resource["urn"]
    entry = {"urn": urn, "type": resource["type"], "custom": resource.get("custom", True),
             "id": resource_id or f"{urn.rsplit('::', 1)[-1]}-{hashlib.sha1(urn.encode()).hexdigest()[:8]}",
             "inputs": dict(resource.get("inputs") or {}), "outputs": dict(resource.get("inputs") or {}),
             "protect": bool(resource.get("protect"))}
    if resource.get("parent"):
        entry["parent"] = resource["parent"]
    return entry


def history_entry(kind: str, result: str, config: dict[str, str], changes: dict[str, int],
                  started: Optional[float] = None) -> dict[str, Any]:
    """One `pulumi stack history --json` row (apitype.UpdateInfo as the CLI prints it)."""
    start = started or time.time()
    return {"kind": kind, "startTime": _iso(start), "message": "", "environment": {"exec.kind": "auto.inline"},
            "config": {key: {"value": value, "secret": False} for key, value in config.items()},
            "result": result, "endTime": _iso(time.time()), "resourceChanges": changes}


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + "Z"


def _iso(stamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(stamp)) + f".{int(stamp % 1 * 1e6):06d}Z"
