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
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable, Generic, Optional, TypeVar

from chatops.deploy.errors import DeployError
from chatops.errors import Cancelled

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


def call_in_worker(call: Callable[[], T], on_first_interrupt: Callable[[], None],
                   abandoned: Callable[[], Interrupted], poll_seconds: float = 0.2) -> CallResult[T]:
    """Run `call` in a daemon thread; the first Ctrl-C calls `on_first_interrupt` and keeps waiting, the
    second raises `abandoned()` (the thread is left to the process's exit)."""
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
    announced = False
    while True:
        try:
            if interrupts and not announced:
                announced = True
                on_first_interrupt()
            if done.wait(poll_seconds):
                break
        except KeyboardInterrupt:
            interrupts += 1
            if interrupts >= 2:
                raise abandoned() from None
    error = box.get("error")
    return CallResult(box.get("value"), error if isinstance(error, BaseException) else None,  # type: ignore[arg-type]
                      interrupts > 0)


def cancelling_notice(kind: str, stack: str) -> str:
    what = WHAT[kind]
    if kind == "preview":
        return f"Ctrl-C: Pulumi is stopping the preview of stack {stack} (nothing is changed). Waiting for it..."
    return (f"Ctrl-C: Pulumi is cancelling the {what} of stack {stack}: operations already running finish and "
            "are saved, no new ones start, then the lock is released. Waiting for that; press Ctrl-C again "
            "only to stop waiting (Pulumi then terminates at once and may leave operations unrecorded).")


def cancelled(kind: str, stack: str, said: str = "") -> Interrupted:
    """The SDK call returned after a first Ctrl-C: the command stops here, whatever the call returned.

    What chatops cannot know is not claimed: Pulumi may have honoured the cancel part-way, or finished
    before it (the Ctrl-C then landed in the SDK's follow-up calls, `stack output` and `stack history`,
    `_stack.py` up()/destroy()), or survived it. `said`: what Pulumi reported, when the call failed."""
    detail = f" (Pulumi: {said})" if said else ""
    if kind == "preview":
        return Interrupted(f"Ctrl-C: stopped after the preview of stack {stack}{detail}; nothing was changed and "
                           "nothing will be applied")
    again = {"up": f"`chatops preview --stack {stack}` shows what is left to do",
             "destroy": f"`chatops destroy --stack {stack}` again deletes what is left",
             "refresh": f"`chatops refresh --stack {stack}` again completes it"}[kind]
    return Interrupted(f"Ctrl-C during the {WHAT[kind]} of stack {stack}{detail}: chatops stopped after it and "
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
