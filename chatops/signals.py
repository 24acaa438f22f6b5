"""SIGTERM and SIGHUP as interruptions, like Ctrl-C.

A cancelled CI job (SIGTERM: `docker stop`, a runner's cancel) or a closed terminal (SIGHUP) would kill
chatops at once by Python's default: no `finally`, no protection put back by scale-to, and in the middle of
an update the SDK's pipes to the `pulumi` process and the server hosting the inline program gone, cutting
Pulumi's orderly cancel short. While a command runs, both raise `Terminated` in the main thread instead: a
KeyboardInterrupt, so every path that handles Ctrl-C handles them (exit 130), and deploy/running.py treats
them like the first Ctrl-C of an engine operation.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

#: The signals handled like Ctrl-C (SIGHUP does not exist on Windows).
TERMINATING = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where Python raises KeyboardInterrupt for Ctrl-C."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


def cause(exc: BaseException) -> str:
    """How the user reads what interrupted the command: 'Ctrl-C', 'SIGTERM' or 'SIGHUP'."""
    return exc.name if isinstance(exc, Terminated) else "Ctrl-C"


@contextmanager
def terminating_as_interrupt() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP raise Terminated in the main thread (signal handlers can only
    be set there; elsewhere the block runs unchanged). The previous handlers come back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise Terminated(signum)

    previous = {s: signal.signal(s, interrupt) for s in TERMINATING}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
