"""Run one Automation API call so that Ctrl-C never cuts Pulumi off in the middle of an update.

Ctrl-C in a terminal reaches the whole foreground process group: chatops and the `pulumi` process the SDK
started. Pulumi handles it itself (pkg/backend cancellation scope): the first SIGINT cancels (operations in
flight finish, their results are saved, the lock is released), the second terminates at once. If chatops
died on the first one, the SDK would close the CLI's pipes and stop the gRPC server hosting the inline
program, and Pulumi's orderly cancel would be cut short.

So the SDK call runs in a worker thread while the main thread (where Python delivers KeyboardInterrupt)
waits: on the first Ctrl-C it says that Pulumi is cancelling and keeps waiting for the call to return; on a
second one it stops waiting and says exactly what to run next. The worker's exceptions are returned to the
main thread, never printed as thread tracebacks.

SIGTERM and SIGHUP (a cancelled CI job, a closed terminal; chatops.signals) count like Ctrl-C. They may
reach chatops alone (`docker stop` signals PID 1, `kill PID`), so unless Pulumi says within a second that
it is cancelling (its "^C received; cancelling" event: SIGINT, and since pulumi/pulumi#17467 SIGTERM, start
its cancellation scope), chatops passes the cancel on as a SIGINT to the `pulumi` process it started.
Waiting for that acknowledgment first matters: a signal sent to the whole group already reached Pulumi, and
a second signal from chatops would make it terminate at once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Generic, Optional, TypeVar

from chatops.deploy.errors import DeployError
from chatops.errors import Cancelled
from chatops.signals import Terminated, cause, terminating_as_interrupt

T = TypeVar("T")

#: Operation kinds as the user reads them.
WHAT = {"preview": "preview", "up": "update", "destroy": "destroy", "refresh": "refresh"}


class Interrupted(DeployError, Cancelled):
    """Ctrl-C ended an operation (exit 130); the message says where things stand and what to run next.
    `abandoned`: chatops stopped waiting, Pulumi may still hold the lock (run nothing else on the stack)."""

    exit_code = Cancelled.exit_code
    abandoned = False


@dataclass
class CallResult(Generic[T]):
    value: Optional[T]
    error: Optional[BaseException]
    interrupted: bool
    cause: str = ""  # what interrupted it first: Ctrl-C, SIGTERM or SIGHUP


#: How long Pulumi has to acknowledge a SIGTERM/SIGHUP that may have reached it too, before chatops sends it
#: a SIGINT.
FORWARD_GRACE_SECONDS = 1.0


def call_in_worker(call: Callable[[], T], on_first_interrupt: Callable[[str], None],
                   abandoned: Callable[[], Interrupted], poll_seconds: float = 0.2,
                   engine_cancelling: Callable[[], bool] = lambda: True) -> CallResult[T]:
    """Run `call` in a daemon thread; the first Ctrl-C (or SIGTERM/SIGHUP) calls `on_first_interrupt` with
    what it was and keeps waiting, the second raises `abandoned()` (the thread is left to the process's
    exit). After a SIGTERM/SIGHUP, the `pulumi` child gets a SIGINT unless `engine_cancelling()` says
    within FORWARD_GRACE_SECONDS that Pulumi is cancelling already."""
    box: dict[str, object] = {}
    done = threading.Event()

    def work() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # handed to the main thread, never printed as a thread traceback
            box["error"] = exc
        finally:
            done.set()

    # Wait on an Event, not Thread.join: a KeyboardInterrupt inside join() can leave the thread marked as
    # stopped while it still runs (CPython 3.11 `_wait_for_tstate_lock`), and we would stop waiting too early.
    threading.Thread(target=work, name="pulumi-call", daemon=True).start()
    interrupts = 0
    first = ""
    announced = False
    forward_at: Optional[float] = None
    with terminating_as_interrupt():
        while True:
            try:
                if interrupts and not announced:
                    announced = True
                    _say(on_first_interrupt, first)
                if forward_at is not None and time.monotonic() >= forward_at:
                    forward_at = None
                    if not engine_cancelling():
                        interrupt_pulumi()
                if done.wait(poll_seconds):
                    break
            except KeyboardInterrupt as exc:
                interrupts += 1
                if interrupts >= 2:
                    raise abandoned() from None
                first = cause(exc)
                if isinstance(exc, Terminated):
                    forward_at = time.monotonic() + FORWARD_GRACE_SECONDS
    error = box.get("error")
    return CallResult(box.get("value"), error if isinstance(error, BaseException) else None,  # type: ignore[arg-type]
                      interrupts > 0, first)


def _say(notify: Callable[[str], None], what: str) -> None:
    try:
        notify(what)
    except OSError:  # SIGHUP: the terminal is gone, writing to it fails; waiting for Pulumi matters more
        pass


def interrupt_pulumi() -> list[int]:
    """Send SIGINT to the `pulumi` processes this process started (the SDK's Popen; the inline program runs
    in-process, so the CLI is the only child during an engine call). Returns their pids."""
    pids = [pid for pid in _child_pids() if "pulumi" in _command_line(pid)]
    for pid in pids:
        try:
            os.kill(pid, signal.SIGINT)
        except OSError:  # it exited meanwhile
            continue
    return pids


def _child_pids() -> list[int]:
    """Linux: /proc/<pid>/task/*/children; elsewhere `pgrep -P` (macOS, BSD)."""
    me = os.getpid()
    tasks = Path(f"/proc/{me}/task")
    if tasks.is_dir():
        found: set[int] = set()
        for task in tasks.iterdir():
            try:
                found.update(int(pid) for pid in (task / "children").read_text().split())
            except (OSError, ValueError):
                continue
        return sorted(found)
    try:
        out = subprocess.run(["pgrep", "-P", str(me)], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(int(pid) for pid in out.split() if pid.isdigit())


def _command_line(pid: int) -> str:
    path = Path(f"/proc/{pid}/cmdline")
    if path.is_file():
        try:
            return path.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return ""
    try:
        return subprocess.run(["ps", "-o", "command=", "-p", str(pid)], capture_output=True, text=True,
                              timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def cancelling_notice(kind: str, stack: str, by: str = "Ctrl-C") -> str:
    what = WHAT[kind]
    if kind == "preview":
        return f"{by}: Pulumi is stopping the preview of stack {stack} (nothing is changed). Waiting for it..."
    return (f"{by}: Pulumi is cancelling the {what} of stack {stack}: operations already running finish and "
            "are saved, no new ones start, then the lock is released. Waiting for that; press Ctrl-C again "
            "only to stop waiting (Pulumi then terminates at once and may leave operations unrecorded).")


def cancelled(kind: str, stack: str, said: str = "", by: str = "Ctrl-C") -> Interrupted:
    """The SDK call returned after a first Ctrl-C: the command stops here, whatever the call returned.

    What chatops cannot know is not claimed: Pulumi may have honoured the cancel part-way, or finished
    before it (the Ctrl-C then landed in the SDK's follow-up calls, `stack output` and `stack history`,
    `_stack.py` up()/destroy()), or survived it. `said`: what Pulumi reported, when the call failed."""
    detail = f" (Pulumi: {said})" if said else ""
    if kind == "preview":
        return Interrupted(f"{by}: stopped after the preview of stack {stack}{detail}; nothing was changed and "
                           "nothing will be applied")
    again = {"up": f"`chatops preview --stack {stack}` shows what is left to do",
             "destroy": f"`chatops destroy --stack {stack}` again deletes what is left",
             "refresh": f"`chatops refresh --stack {stack}` again completes it"}[kind]
    return Interrupted(f"{by} during the {WHAT[kind]} of stack {stack}{detail}: chatops stopped after it and "
                       f"starts nothing else. Pulumi was told to cancel (operations already running finish and are "
                       f"saved, no new ones start), so the {WHAT[kind]} may have completed or stopped part-way. Next: "
                       f"{again}")


def abandoned(kind: str, stack: str) -> Interrupted:
    """The second Ctrl-C: chatops stops waiting; Pulumi terminates without finishing its bookkeeping."""
    if kind == "preview":
        error = Interrupted(f"stopped waiting for the preview of stack {stack}; nothing was changed (if a later "
                            f"command reports a lock: `chatops unlock --stack {stack}`)")
    else:
        error = Interrupted(f"stopped waiting for the {WHAT[kind]} of stack {stack}: Pulumi was told to terminate "
                            "at once, so operations that were in flight may be missing from the state and its lock "
                            "may still be held. Next, once no pulumi process runs for this stack (other terminals, "
                            f"CI): 1) `chatops unlock --stack {stack}` 2) `chatops refresh --stack {stack}` (it lists "
                            "the operations left pending; a create it cannot resolve: check AWS, then `chatops "
                            f"refresh --stack {stack} --clear-pending-creates`, or import what exists, "
                            f"docs/deploying.md) 3) `chatops preview --stack {stack}`")
    error.abandoned = True
    return error
