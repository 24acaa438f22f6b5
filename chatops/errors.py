"""Errors a user can act on, and the exit code each one means. The CLI prints them as one line; never a
traceback. The table of exit codes (README "Exit codes") is this module: every command follows it.

    0  success
    1  an actionable failure (ChatopsError): one line saying what went wrong and how to fix it
    2  a usage error (UsageError, and click's own): a bad flag, value, tier name or flag combination
    3  no tier fits the demand (`plan`: the demand is above every tier, or the given tier does not hold it)
    4  unhealthy (`status`: the stack has problems; `doctor`: a check failed)
    5  over budget (`plan --budget`, `cost-report --fail-above`)
    130 interrupted (Ctrl-C)
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_NO_FIT = 3
EXIT_UNHEALTHY = 4
EXIT_OVER_BUDGET = 5
EXIT_INTERRUPTED = 130


class ChatopsError(Exception):
    """A failure with a message that says what went wrong and how to fix it (exit 1)."""

    exit_code = EXIT_FAILURE


class UsageError(ChatopsError):
    """The command line itself is wrong: a bad value, an unknown tier name, conflicting flags (exit 2)."""

    exit_code = EXIT_USAGE


class ProfileError(ChatopsError):
    """A profile file that cannot be used; carries every problem found, each naming file and field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class Cancelled(ChatopsError):
    """The command was stopped by the user (Ctrl-C, including at a prompt) or a termination signal before it
    finished (exit 130); the message says where things stand."""

    exit_code = EXIT_INTERRUPTED


class OutcomeError(ChatopsError):
    """The command ran and reported its result, and the result itself is a failure a script must see:
    no tier fits, the stack is unhealthy, the budget is exceeded. The report is already printed; the
    message is the one-line reason on stderr."""

    def __init__(self, message: str, exit_code: int):
        self.exit_code = exit_code
        super().__init__(message)
