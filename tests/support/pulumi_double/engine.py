"""preview / up / destroy / refresh for the Pulumi CLI double: a small step generator and step executor.

Mirrors, in a much reduced form:
- pkg/resource/deploy/step_generator.go `continueStepsFromDiff`: a changed input the provider reports as
  forcing replacement gives create-replacement + replace (+ delete-replaced after all creates/updates);
  `new.Protect && old.Protect` on a replacement is an error (in preview the engine reports it and goes on,
  in an update it bails); `GenerateDeletes`: resources in the state but not in the program are deleted,
  only targeted ones with `--target`.
- pkg/resource/deploy/step.go `DeleteStep.Apply`: a protected resource refuses deletion (`deleteProtectedError`)
  unless it is being replaced; providers only run Delete outside previews.
- pkg/engine/plan.go and update.go `previewActions/updateActions.OnResourceStepPost`: a failed step is a
  diagnostic (wrapped in "Preview failed: %v" during previews, diag.GetPreviewFailedError) plus, in
  updates, a resOpFailedEvent; only successful logical steps are counted in the summary.
- pkg/backend/cancellation scope (`NewScope`): the first SIGINT (or SIGTERM, pulumi/pulumi#17467) prints
  "^C received; cancelling..." as a stdout event and lets operations in flight finish; the second prints
  "^C received; terminating" and exits.
- pkg/backend/diy/lock.go: the stack is locked while the operation runs (the lock stays behind when the
  process is terminated).
- Pending operations (the checkpoint's `pending_operations`, apitype.OperationV2): pkg/backend/snapshot.go
  (SnapshotManager.BeginMutation/End) records a step as pending before the provider call and removes it
  when the step completes, so a process terminated mid-step leaves it behind. A new snapshot keeps none of
  the base snapshot's pending operations except the creates ("we don't want to clear pending CREATE
  operations because these must require user intervention", snapshot.go snap()), in updates and
  refreshes alike (pulumi/pulumi#8435, #9293). Only `refresh --clear-pending-creates` drops those, before
  refreshing (pkg/cmd/pulumi/operations/refresh.go filterMapPendingCreates; pulumi/pulumi#10394, #4265);
  a non-interactive refresh without it skips them.

Event JSON follows sdk/go/common/apitype/events.go; see transport.py for how it travels.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Optional

from checkpoint import STACK_TYPE, Backend, history_entry, stack_urn, state_entry
from transport import EventSink

LEGACY_FAILURE = 255  # sdk/go/common/util/cmdutil/exit.go: os.Exit(-1)
#: sdk/go/common/util/cmdutil/exitcodes.go (newer CLIs). Which failure maps to which code is from memory.
DETAILED = {"error": 1, "resource": 4, "cancelled": 8}

# pkg/resource/deploy/step_generator.go continueStepsFromDiff
REPLACE_PROTECTED = ("unable to replace resource \"{urn}\"\nas it is currently marked for protection. To unprotect "
                     "the resource, remove the `protect` flag from the resource in your Pulumi program and run "
                     "`pulumi up`")
# pkg/resource/deploy/step.go deleteProtectedError.Error (d.urn.Quote() single-quotes the URN for a shell)
DELETE_PROTECTED = ("resource \"{urn}\" cannot be deleted\nbecause it is protected. To unprotect the resource, either "
                    "remove the `protect` flag from the resource in your Pulumi program and run `pulumi up`, or "
                    "use the command:\n`pulumi state unprotect '{urn}'`")
# pkg/backend/... cancellationScopeSource.NewScope
CANCELLING = "^C received; cancelling. If you would like to terminate immediately, press ^C again.\n"
CANCELLING_NOTE = "Note that terminating immediately may lead to orphaned resources and other inconsistencies.\n"
TERMINATING = "^C received; terminating"


@dataclass
class Step:
    op: str
    urn: str
    type: str
    old: Optional[dict[str, Any]] = None      # the checkpoint entry
    new: Optional[dict[str, Any]] = None      # the goal as a checkpoint entry
    keys: Optional[list[str]] = None          # inputs forcing a replacement
    diffs: Optional[list[str]] = None         # changed inputs
    logical: bool = True
    error: Optional[str] = None               # found while generating the step (protected replacement)


@dataclass
class Operation:
    """One engine run: `kind` is preview, update, destroy or refresh."""

    kind: str
    backend: Backend
    stack: str
    config: dict[str, str]
    scenario: dict[str, Any]
    sink: EventSink
    targets: list[str] = field(default_factory=list)
    clear_pending_creates: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    cancelled: bool = False
    failed: bool = False
    _interrupts: int = 0
    _announce: bool = False

    @property
    def preview(self) -> bool:
        return self.kind == "preview"

    # -- entry point ----------------------------------------------------------------------------
    def run(self) -> int:
        started = time.time()
        lock = None if self.preview else self.backend.lock(self.stack)
        signal.signal(signal.SIGINT, self._on_sigint)
        signal.signal(signal.SIGTERM, self._on_sigint)  # handled like SIGINT since pulumi/pulumi#17467 (3.136)
        self.sink.emit({"preludeEvent": {"config": dict(self.config)}})
        print({"preview": "Previewing update", "update": "Updating", "destroy": "Destroying",
               "refresh": "Refreshing"}[self.kind] + f" ({self.stack}):", flush=True)
        try:
            if not self.preview:
                self._carry_pending_operations()
            steps = self._steps()
            self._execute(steps)
            if self.kind == "update" and not self.targets and not (self.failed or self.cancelled):
                self._record_outputs()
        finally:
            self.sink.emit({"summaryEvent": {"maybeCorrupt": False, "durationSeconds": int(time.time() - started),
                                             "resourceChanges": self.counts, "PolicyPacks": {}}})
            self.sink.emit({"cancelEvent": {}})
            self.sink.close()
        self._print_summary()
        if not self.preview:
            result = "failed" if (self.failed or self.cancelled) else "succeeded"
            self.backend.add_history(self.stack, history_entry(self.kind, result, self.config, self.counts, started))
        if lock is not None:
            lock.unlink(missing_ok=True)
        word = {"preview": "preview", "update": "update", "destroy": "destroy", "refresh": "refresh"}[self.kind]
        if self.cancelled:
            print(f"error: {word} canceled", file=sys.stderr, flush=True)  # (from memory)
            return self._exit("cancelled")
        if self.failed:
            print(f"error: {word} failed", file=sys.stderr, flush=True)
            return self._exit("resource")
        return 0

    def _exit(self, reason: str) -> int:
        return DETAILED[reason] if self.scenario.get("exit_codes") == "detailed" else LEGACY_FAILURE

    # -- planning -------------------------------------------------------------------------------
    def _steps(self) -> list[Step]:
        olds = {r["urn"]: r for r in self.backend.resources(self.stack)}
        if self.kind == "destroy":
            return [Step("delete", urn, r["type"], old=r) for urn, r in reversed(list(olds.items()))]
        if self.kind == "refresh":
            return [Step("refresh", urn, r["type"], old=r, new=r) for urn, r in olds.items() if r["type"] != STACK_TYPE]
        return self._update_steps(olds)

    def _update_steps(self, olds: dict[str, dict[str, Any]]) -> list[Step]:
        goal = self._goal()
        root = stack_urn(self.backend.project, self.stack)
        wanted = [{"urn": root, "type": STACK_TYPE, "custom": False, "inputs": {}}] + [
            r for r in goal["resources"] if r["type"] != STACK_TYPE]
        main: list[Step] = []
        deletes: list[Step] = []
        for resource in wanted:
            urn = resource["urn"]
            old = olds.get(urn)
            new = state_entry(resource, old.get("id") if old else None)
            targeted = not self.targets or urn in self.targets or urn == root
            if old is None:
                if targeted:
                    main.append(Step("create", urn, resource["type"], new=new))
                continue
            changed = _changed(old.get("inputs") or {}, new["inputs"])
            if not changed or not targeted:
                main.append(Step("same", urn, resource["type"], old=old, new=new if targeted else old))
                continue
            forcing = [key for key in changed if key in self._replace_keys(resource)]
            if not forcing:
                main.append(Step("update", urn, resource["type"], old=old, new=new, diffs=changed))
                continue
            error = REPLACE_PROTECTED.format(urn=urn) if new["protect"] and old.get("protect") else None
            main.append(Step("create-replacement", urn, resource["type"], old=old, new=new, keys=forcing,
                             diffs=changed, logical=False, error=error))
            main.append(Step("replace", urn, resource["type"], old=old, new=new, keys=forcing, diffs=changed))
            deletes.append(Step("delete-replaced", urn, resource["type"], old=old, logical=False))
        goal_urns = {r["urn"] for r in wanted}
        for urn, old in reversed(list(olds.items())):
            if urn not in goal_urns and (not self.targets or urn in self.targets):
                deletes.append(Step("delete", urn, old["type"], old=old))
        return main + deletes

    def _goal(self) -> dict[str, Any]:
        """The scenario's goal for this stack config; `{{config:KEY}}` in it reads the config, as a program
        reading its config would."""
        for goal in self.scenario.get("goals", []):
            if all(self.config.get(key) == value for key, value in (goal.get("when") or {}).items()):
                return _with_config(goal, self.config)
        raise SystemExit(self._fail_program(f"the test scenario has no goal for config {self.config}"))

    def _fail_program(self, message: str) -> int:
        print(f"error: an unhandled error occurred: {message}", file=sys.stderr, flush=True)
        return LEGACY_FAILURE

    def _replace_keys(self, resource: dict[str, Any]) -> set[str]:
        table = self.scenario.get("replace_keys") or {}
        return set(table.get(resource["urn"], [])) | set(table.get(resource["type"], []))

    # -- execution ------------------------------------------------------------------------------
    def _execute(self, steps: list[Step]) -> None:
        for step in steps:
            self._pump()
            if self.cancelled:
                break  # pkg/engine: no new steps after cancellation; those in flight have finished
            if step.error:
                self._diag(step.urn, step.error)
                self.failed = True
                if not self.preview:
                    break  # result.BailErrorf in an update; a preview goes on to show the diff
            self._event("resourcePreEvent", step)
            self._show(step, "...")
            problem = self._apply_problem(step)
            pending = self._begin_mutation(step) if problem is None else None
            if problem is None:
                self._work(step)
            if problem is None and not self.preview:
                problem = self._provider_failure(step) or self._effect(step)
            if pending is not None:
                self._end_mutation(pending)  # the step's result is known (done or failed): no longer pending
            if problem is not None:
                self._fail(step, problem)
                if not self.preview:
                    break  # the step executor cancels the steps not yet started
                continue
            self._event("resOutputsEvent", step)
            self._show(step, "done")
            if not self.preview:
                self._record(step)
            if step.logical and step.op != "refresh":
                self.counts[step.op] = self.counts.get(step.op, 0) + 1
            elif step.op == "refresh":
                drifted = step.urn in (self.scenario.get("drift") or {})
                key = "update" if drifted else "same"
                self.counts[key] = self.counts.get(key, 0) + 1

    def _apply_problem(self, step: Step) -> Optional[str]:
        if step.op == "delete" and step.old and step.old.get("protect"):
            message = DELETE_PROTECTED.format(urn=step.urn)
            return f"Preview failed: {message}" if self.preview else message
        return None

    def _provider_failure(self, step: Step) -> Optional[str]:
        for failure in self.scenario.get("failures") or []:
            if failure["urn"] == step.urn and failure.get("op", step.op) == step.op:
                return failure["message"]
        refusal = (self.scenario.get("refuse_delete") or {}).get(step.urn)
        if refusal and step.op in ("delete", "delete-replaced"):
            inputs = (step.old or {}).get("inputs") or {}
            if not all(inputs.get(k) == v for k, v in refusal.get("unless", {}).items()):
                return refusal["message"]
        return None

    def _effect(self, step: Step) -> Optional[str]:
        """What the provider's call does outside the state: the scenario's `effects` for this step run as a
        command (e.g. creating the resource in the tests' AWS emulator); a command that fails fails the step
        with its stderr, as a provider call that AWS refused."""
        for effect in self.scenario.get("effects") or []:
            if effect["urn"] == step.urn and effect.get("op", "create") == step.op:
                done = subprocess.run(effect["argv"], capture_output=True, text=True)
                if done.returncode != 0:
                    return (done.stderr or done.stdout).strip() or f"exit {done.returncode}"
        return None

    def _work(self, step: Step) -> None:
        """The provider call: takes the scenario's time, in slices so a SIGINT is answered at once."""
        seconds = (self.scenario.get("slow") or {}).get(step.urn, self.scenario.get("step_seconds", 0.0))
        if self.preview:
            seconds = self.scenario.get("preview_step_seconds", 0.0)  # the provider's Check/Diff calls
        if step.op == "same":
            seconds = 0.0
        deadline = time.time() + seconds
        while time.time() < deadline:
            time.sleep(min(0.05, max(0.0, deadline - time.time())))
            self._pump()

    # -- pending operations (pkg/backend/snapshot.go) ------------------------------------------------
    PENDING_TYPES = {"create": "creating", "update": "updating", "delete": "deleting", "replace": "creating",
                     "delete-replaced": "deleting"}

    def _carry_pending_operations(self) -> None:
        """The base snapshot's pending creates survive into this run (unless refresh clears them); every other
        pending operation is dropped. An update with pending operations warns (engine, from memory)."""
        pending = self.backend.pending_operations(self.stack)
        creates = [op for op in pending if op.get("type") == "creating"]
        if self.kind == "refresh" and self.clear_pending_creates:
            creates = []
        if self.kind == "update" and pending:
            print(f"warning: Attempting to deploy or update resources with {len(pending)} pending operations from "
                  "previous deployment.", flush=True)  # (from memory)
        if creates != pending:
            self.backend.save_pending_operations(self.stack, creates)

    def _begin_mutation(self, step: Step) -> Optional[dict[str, Any]]:
        kind = self.PENDING_TYPES.get(step.op)
        if self.preview or self.kind == "refresh" or kind is None:
            return None
        operation = {"resource": step.new if kind != "deleting" else step.old, "type": kind}
        self.backend.save_pending_operations(self.stack, self.backend.pending_operations(self.stack) + [operation])
        return operation

    def _end_mutation(self, operation: dict[str, Any]) -> None:
        pending = self.backend.pending_operations(self.stack)
        if operation in pending:
            pending.remove(operation)
        self.backend.save_pending_operations(self.stack, pending)

    def _record(self, step: Step) -> None:
        """Persist the step's result (the DIY backend writes the snapshot after each step)."""
        resources = self.backend.resources(self.stack)
        index = {r["urn"]: i for i, r in enumerate(resources)}
        if step.op in ("create",):
            resources.append(step.new)
        elif step.op in ("update", "same", "replace") and step.urn in index:
            resources[index[step.urn]] = step.new
        elif step.op == "delete" and step.urn in index:
            del resources[index[step.urn]]
        elif step.op == "refresh":
            drift = (self.scenario.get("drift") or {}).get(step.urn)
            if drift and step.urn in index:
                resources[index[step.urn]] = {**resources[index[step.urn]], **drift}
        self.backend.save_resources(self.stack, resources)

    def _record_outputs(self) -> None:
        """The program's exports land on the root stack resource when it finishes (RegisterResourceOutputs)."""
        resources = self.backend.resources(self.stack)
        for resource in resources:
            if resource["type"] == STACK_TYPE:
                resource["outputs"] = {} if self.kind == "destroy" else dict(self._goal().get("outputs") or {})
        self.backend.save_resources(self.stack, resources)

    def _fail(self, step: Step, message: str) -> None:
        self.failed = True
        self._diag(step.urn, message)
        if not self.preview:
            self.sink.emit({"resOpFailedEvent": {"metadata": self._metadata(step), "status": 0, "steps": 1}})
        self._show(step, "failed")

    # -- events ---------------------------------------------------------------------------------
    def _event(self, kind: str, step: Step) -> None:
        metadata = self._metadata(step)
        if kind == "resourcePreEvent" and step.urn in (self.scenario.get("unparseable") or []) \
                and self.kind in self.scenario.get("unparseable_in", [self.kind]):
            metadata["op"] = "provision"  # an op a newer engine might write; this SDK's OpType cannot parse it
        self.sink.emit({kind: {"metadata": metadata, "planning": self.preview}})

    def _metadata(self, step: Step) -> dict[str, Any]:
        data: dict[str, Any] = {"op": step.op, "urn": step.urn, "type": step.type, "logical": step.logical,
                                "provider": "" if step.type == STACK_TYPE else
                                f"urn:pulumi:{self.stack}::{self.backend.project}::pulumi:providers:"
                                f"{step.type.split(':')[0]}::default"}
        if step.old is not None:
            data["old"] = _state_meta(step.old)
        if step.new is not None:
            data["new"] = _state_meta(step.new)
        if step.keys:
            data["keys"] = step.keys
        if step.diffs:
            data["diffs"] = step.diffs
            data["detailedDiff"] = {key: {"diffKind": "update-replace" if key in (step.keys or []) else "update",
                                          "inputDiff": True} for key in step.diffs}
        return data

    def _diag(self, urn: str, message: str) -> None:
        # Diag.Errorf(diag.StreamMessage(urn, message, 0)): colorized text, severity error, prefix "error: "
        self.sink.emit({"diagnosticEvent": {"urn": urn, "prefix": "error: ", "message": f"<{{%reset%}}>{message}"
                                            "<{%reset%}>\n", "color": "never", "severity": "error"}})
        name = urn.rsplit("::", 1)[-1]
        print(f"Diagnostics:\n  {urn.split('::')[-2]} ({name}):\n    error: " + message.replace("\n", "\n    "),
              flush=True)

    # -- SIGINT ---------------------------------------------------------------------------------
    def _on_sigint(self, signum: int, frame: Any) -> None:
        self._interrupts += 1
        if self._interrupts == 1:
            # The scenario's `late_sigint`: the cancel lands while the last step runs, so there is nothing left
            # not to start: the engine announces it and the operation still ends as it would have (exit 0).
            self.cancelled = not self.scenario.get("late_sigint")
            self._announce = True
            return
        print(TERMINATING, flush=True)
        os._exit(self._exit("cancelled"))  # no summary, no unlock: the lock file stays behind

    def _pump(self) -> None:
        if self._announce:
            self._announce = False
            message = CANCELLING + ("" if self.preview else CANCELLING_NOTE)
            self.sink.emit({"stdoutEvent": {"message": message, "color": "never"}})
            print(message, end="", flush=True)

    # -- display (the CLI's non-interactive progress, much simplified) ----------------------------
    def _show(self, step: Step, status: str) -> None:
        if step.op == "same":
            return
        print(f"    {step.op} {step.type} {step.urn.rsplit('::', 1)[-1]} {status}", flush=True)

    def _print_summary(self) -> None:
        changed = sum(n for op, n in self.counts.items() if op != "same")
        print(f"Resources:\n    {changed} {'change' if changed == 1 else 'changes'}", flush=True)
        for op, count in sorted(self.counts.items()):
            print(f"    {count} {'to ' if self.preview else ''}{op}", flush=True)


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    names = list(before) + [k for k in after if k not in before]
    return [name for name in names if before.get(name) != after.get(name)]


def _state_meta(entry: dict[str, Any]) -> dict[str, Any]:
    """StepEventStateMetadata (sdk/go/common/apitype/events.go)."""
    meta = {"type": entry["type"], "urn": entry["urn"], "custom": entry.get("custom", True),
            "id": entry.get("id", ""), "protect": bool(entry.get("protect")), "inputs": entry.get("inputs") or {},
            "outputs": entry.get("outputs") or {}}
    if entry.get("parent"):
        meta["parent"] = entry["parent"]
    return meta


def _with_config(value: Any, config: dict[str, str]) -> Any:
    if isinstance(value, str) and value.startswith("{{config:") and value.endswith("}}"):
        return config.get(value[len("{{config:"):-2])
    if isinstance(value, dict):
        return {k: _with_config(v, config) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_config(v, config) for v in value]
    return value
