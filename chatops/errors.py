"""Errors a user can act on. The CLI prints them as one line and exits 1; never a traceback."""

from __future__ import annotations


class ChatopsError(Exception):
    """A failure with a message that says what went wrong and how to fix it."""


class ProfileError(ChatopsError):
    """A profile file that cannot be used; carries every problem found, each naming file and field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))
