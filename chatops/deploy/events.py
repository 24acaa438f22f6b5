"""Engine events -> what the user sees: one row per resource (operation, status, elapsed, message).

Pure bookkeeping on `pulumi.automation.events.EngineEvent`s, no rendering: ui/deploy_progress.py draws
a `Progress`. Events may arrive on another thread (the CLI streams them over gRPC), so updates hold a lock.

`EventTap` is the one callback chatops hands the SDK. The SDK swallows what goes wrong on its side of the
stream (an exception in `on_event` or an event it cannot parse only becomes a `warnings.warn` on the gRPC
path, and kills the log-watcher thread on the event-log path: pulumi/automation/_stack.py `_EventsServicer`,
`_watch_logs`), so the tap records both instead: a caller that decides from events (the stateful guard)
can then refuse to decide from an incomplete stream.
"""

from __future__ import annotations

import re
import threading
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional

from pulumi.automation import events as ev

STACK_TYPE = "pulumi:pulumi:Stack"

#: Engine step ops folded into what a user cares about.
REPLACE_OPS = {ev.OpType.REPLACE, ev.OpType.CREATE_REPLACEMENT, ev.OpType.DELETE_REPLACED,
               ev.OpType.DISCARD_REPLACED, ev.OpType.READ_REPLACEMENT, ev.OpType.IMPORT_REPLACEMENT}
CATEGORY = {
    ev.OpType.CREATE: "create", ev.OpType.UPDATE: "update", ev.OpType.DELETE: "delete",
    ev.OpType.IMPORT: "import", ev.OpType.REFRESH: "refresh", ev.OpType.READ: "read",
    ev.OpType.DISCARD: "delete", ev.OpType.REMOVE_PENDING_REPLACE: "delete",
    **{op: "replace" for op in REPLACE_OPS},
}

RUNNING, DONE, FAILED = "running", "done", "failed"
#: How the engine acknowledges a cancel request, as a stdout event (pkg/backend cancellation scope; the same
#: text for SIGTERM since pulumi/pulumi#17467).
CANCEL_ACKNOWLEDGED = "^C received; cancelling"
#: Texts of the SDK's warnings when it drops events (pulumi/automation/_stack.py `_EventsServicer`).
SDK_DROP_WARNINGS = ("Failed to parse engine event", "Error in event stream")


def category(op: ev.OpType) -> Optional[str]:
    """create/update/replace/delete/...; None for `same` (nothing happens to the resource)."""
    return CATEGORY.get(op)


def resource_name(urn: str) -> str:
    """The logical name: the last `::` segment of a URN."""
    return urn.rsplit("::", 1)[-1]


def clean_message(message: str) -> str:
    """Provider diagnostics are multi-line ('error: 1 error occurred:\\n\\t* creating ...'): one line."""
    text = re.sub(r"\x1b\[[0-9;]*m|<\{%[^%]*%\}>", "", message)  # ANSI and Pulumi color tags
    text = re.sub(r"\b\d+ errors? occurred:", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"^((error|warning):\s*)+", "", text)
    return text.lstrip("* ").strip()


@dataclass
class ResourceRow:
    urn: str
    type: str
    op: str
    status: str = RUNNING
    started: float = 0.0
    finished: Optional[float] = None
    message: str = ""

    @property
    def name(self) -> str:
        return resource_name(self.urn)

    def elapsed(self, now: float) -> float:
        return max(0.0, (self.finished if self.finished is not None else now) - self.started)


@dataclass
class Progress:
    """The state of an update as events arrive; `handle` is the Automation API's on_event callback."""

    clock: Callable[[], float] = time.time
    rows: dict[str, ResourceRow] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)      # stack-level errors (no resource)
    warnings: list[str] = field(default_factory=list)
    summary: Optional[dict[str, int]] = None
    cancelled: bool = False
    #: Called with (row, what happened: "started" | "done" | "failed") as each resource event arrives.
    listener: Optional[Callable[["ResourceRow", str], None]] = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def handle(self, event: ev.EngineEvent) -> None:
        with self._lock:
            changed = self._apply(event)
        if changed is not None and self.listener is not None:
            self.listener(*changed)

    def snapshot(self) -> list[ResourceRow]:
        with self._lock:
            return [_copy(r) for r in self.rows.values()]

    def failed(self) -> list[ResourceRow]:
        return [row for row in self.snapshot() if row.status == FAILED]

    def _apply(self, event: ev.EngineEvent) -> Optional[tuple["ResourceRow", str]]:
        stamp = float(event.timestamp) if event.timestamp else self.clock()
        if event.resource_pre_event is not None:
            return self._pre(event.resource_pre_event.metadata, stamp)
        if event.res_outputs_event is not None:
            return self._finished(event.res_outputs_event.metadata, stamp, DONE)
        if event.res_op_failed_event is not None:
            return self._finished(event.res_op_failed_event.metadata, stamp, FAILED)
        if event.diagnostic_event is not None:
            self._diagnostic(event.diagnostic_event)
        elif event.summary_event is not None:
            self.summary = {str(getattr(k, "value", k)): int(v)
                            for k, v in event.summary_event.resource_changes.items()}
        elif event.cancel_event is not None:
            self.cancelled = True
        return None

    def _pre(self, md: ev.StepEventMetadata, stamp: float) -> Optional[tuple["ResourceRow", str]]:
        op = category(md.op)
        if op is None or md.type == STACK_TYPE:
            return None
        row = self.rows.get(md.urn)
        if row is None:
            row = self.rows[md.urn] = ResourceRow(md.urn, md.type, op, RUNNING, stamp)
        elif op == "replace" or row.status != RUNNING:
            # a replacement is several steps on one URN (create-replacement, replace, delete-replaced)
            row.op, row.status, row.finished = op, RUNNING, None
        else:
            return None
        return _copy(row), "started"

    def _finished(self, md: ev.StepEventMetadata, stamp: float, status: str) -> Optional[tuple["ResourceRow", str]]:
        row = self.rows.get(md.urn)
        if row is None:
            if category(md.op) is None or md.type == STACK_TYPE:
                return None
            row = self.rows[md.urn] = ResourceRow(md.urn, md.type, category(md.op) or "update", status, stamp)
        if row.status != FAILED:  # a failure sticks even if a later step on the URN reports
            row.status = status
        row.finished = stamp
        return _copy(row), row.status

    def _diagnostic(self, diag: ev.DiagnosticEvent) -> None:
        if diag.ephemeral or not diag.severity.startswith(("error", "warning")):
            return
        text = clean_message(diag.message)
        if not text:
            return
        row = self.rows.get(diag.urn or "")
        if row is None:
            (self.errors if diag.severity == "error" else self.warnings).append(text)
            return
        if diag.severity == "error":
            row.status = FAILED
            row.message = text
        elif not row.message:
            row.message = text


def _copy(row: ResourceRow) -> ResourceRow:
    return ResourceRow(**{k: getattr(row, k) for k in ResourceRow.__dataclass_fields__})


class EventTap:
    """The `on_event` callback for one Automation API call: passes each event to every handler, never
    raises into the SDK, and records what went wrong on either side of the stream."""

    def __init__(self, *handlers: Optional[Callable[[ev.EngineEvent], Any]]) -> None:
        self.handlers = [h for h in handlers if h is not None]
        self.problems: list[str] = []
        #: Pulumi said it is cancelling (it received a SIGINT or SIGTERM itself).
        self.engine_cancelling = False
        self._lock = threading.Lock()

    def __call__(self, event: ev.EngineEvent) -> None:
        if event.stdout_event is not None and CANCEL_ACKNOWLEDGED in (event.stdout_event.message or ""):
            self.engine_cancelling = True
        for handler in self.handlers:
            try:
                handler(event)
            except Exception as exc:  # recorded, not swallowed: the guard refuses on any problem
                self.record(f"chatops's event handler failed ({type(exc).__name__}: {exc})")

    def record(self, problem: str) -> None:
        with self._lock:
            self.problems.append(problem)

    @contextmanager
    def watching_sdk(self) -> Iterator["EventTap"]:
        """While an operation runs: the SDK's dropped-event warnings and any thread's uncaught exception
        (the event-log watcher dies on an event it cannot parse) are recorded here instead of printed."""
        previous_hook = threading.excepthook

        def show(message: Any, category: Any, filename: str, lineno: int, file: Any = None,
                 line: Optional[str] = None) -> None:
            text = str(message)
            if text.startswith(SDK_DROP_WARNINGS):
                self.record(f"the Pulumi SDK dropped an engine event ({text.splitlines()[-1][:200]})")
            else:
                original(message, category, filename, lineno, file, line)

        def hook(args: threading.ExceptHookArgs) -> None:
            self.record(f"a Pulumi SDK thread failed reading engine events ({args.exc_type.__name__}: "
                        f"{args.exc_value})")

        with warnings.catch_warnings():
            original = warnings.showwarning
            for text in SDK_DROP_WARNINGS:  # every occurrence, not once per location
                warnings.filterwarnings("always", message=re.escape(text))
            warnings.showwarning = show
            threading.excepthook = hook
            try:
                yield self
            finally:
                threading.excepthook = previous_hook
