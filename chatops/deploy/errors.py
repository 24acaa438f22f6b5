"""Pulumi and Automation API failures as one-line ChatopsErrors that say what to do next.

Automation API errors carry the CLI's whole stdout/stderr in their text; we match the few patterns a
user can act on (credentials, passphrase, lock, backend) and otherwise keep only the last error line.

Credential texts are pulumi-aws v7's own (pulumi/pulumi-aws provider/errors/*.txt, shown when the provider
validates credentials before configuring) and the AWS SDK / API texts the provider passes through; they are
matched case-insensitively. A backend problem is only claimed from a line about the backend (its URL, bucket
or host, or the backend's own error texts): "no such host" while creating an RDS instance is the provider's
problem, not the state backend's.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Iterator, Optional

from chatops.deploy.pulumi_cli import not_installed_message
from chatops.errors import ChatopsError

#: pulumi-aws provider/errors: no_credentials.txt, invalid_credentials.txt, expired_credentials.txt,
#: expired_sso.txt, expired_login.txt, credential_process.txt; then AWS SDK and API texts.
CREDENTIAL_PATTERNS = (
    "no valid credential sources", "the configured aws credentials are invalid or have expired",
    "the configured aws credentials have expired", "failed to refresh cached sso credentials",
    "has expired or was not found", "unable to validate aws credentials", "credential_process configured for",
    "nocredentialproviders", "expiredtoken", "invalidclienttokenid", "unrecognizedclientexception",
    "security token included in the request is expired", "security token included in the request is invalid",
    "signaturedoesnotmatch", "failed to refresh cached credentials", "refresh cached sso token failed")
#: pulumi-aws provider/errors/profile_not_found.txt
PROFILE_NOT_FOUND = re.compile(r'the aws profile "([^"]*)" was not found', re.IGNORECASE)
PASSPHRASE_PATTERNS = ("incorrect passphrase", "passphrase must be set")
LOGIN_PATTERNS = ("pulumi_access_token", "problem logging in", "401 http error")
#: Texts only the state backend produces (pkg/backend/diy, pkg/backend/httpstate).
BACKEND_ONLY_PATTERNS = ("unable to open bucket", "could not access backend", "failed to load checkpoint")
#: Network and storage texts that mean the backend only on a line that names the backend.
BACKEND_NETWORK_PATTERNS = ("no such host", "connection refused", "i/o timeout", "nosuchbucket", "accessdenied",
                            "access denied", "timeout", "403")


class DeployError(ChatopsError):
    """A deploy failure; `detail` keeps Pulumi's full output for --debug style logs, never for stderr."""

    def __init__(self, message: str, detail: str = ""):
        self.detail = detail
        super().__init__(message)


def explain(exc: BaseException, stack: str, backend: str = "") -> ChatopsError:
    """Map an exception raised by the Automation API to a one-line, actionable ChatopsError."""
    from pulumi.automation import errors as auto_errors

    if isinstance(exc, ChatopsError):
        return exc
    if isinstance(exc, FileNotFoundError):
        return DeployError(not_installed_message(), str(exc))
    if isinstance(exc, auto_errors.InvalidVersionError):
        from chatops.deploy.pulumi_cli import _invalid_version_message

        return DeployError(_invalid_version_message(str(exc)), str(exc))
    text = str(exc)
    if isinstance(exc, auto_errors.ConcurrentUpdateError):
        return DeployError(f"stack {stack} is locked by another update; wait for it to finish, or run "
                           f"`chatops unlock --stack {stack}` if no other update is running", text)
    if isinstance(exc, auto_errors.StackNotFoundError):
        return DeployError(f"stack {stack} does not exist in {backend or 'the backend'} yet; create it with "
                           f"`chatops up --stack {stack}`", text)
    message = _explain_text(text, stack, backend)
    if message is not None:
        return DeployError(message, text)
    if isinstance(exc, auto_errors.InlineSourceRuntimeError):
        return DeployError(f"the chatops program failed while building stack {stack}: {last_error_line(text)}; "
                           "this is a chatops bug, please report it with CHATOPS_DEBUG=1 output", text)
    if isinstance(exc, auto_errors.CommandError):
        return DeployError(f"pulumi failed on stack {stack}: {last_error_line(text)}", text)
    return DeployError(f"{type(exc).__name__}: {first_line(text)}", text)


def _explain_text(text: str, stack: str, backend: str) -> Optional[str]:
    low = text.lower()
    profile = PROFILE_NOT_FOUND.search(text)
    if profile:
        return (f"the AWS profile {profile.group(1)!r} was not found; set AWS_PROFILE to a profile in "
                "~/.aws/config (`aws configure list-profiles`), or unset it, then retry")
    if any(p in low for p in CREDENTIAL_PATTERNS):
        return ("AWS credentials are missing or expired; sign in (`aws sso login`, or set AWS_PROFILE / "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), check with `aws sts get-caller-identity`, then retry")
    if any(p in low for p in PASSPHRASE_PATTERNS):
        return (f"wrong or missing secrets passphrase for stack {stack}: set PULUMI_CONFIG_PASSPHRASE or "
                "PULUMI_CONFIG_PASSPHRASE_FILE to the one the stack was created with (a chatops-generated one "
                "is in .chatops/passphrase beside chatops.yaml)")
    if any(p in low for p in LOGIN_PATTERNS):
        return (f"not logged in to the state backend {backend or ''}; set PULUMI_ACCESS_TOKEN (Pulumi Cloud) "
                "or change `backend:` in chatops.yaml").replace("  ", " ")
    line = backend_line(text, backend)
    if line is not None:
        return (f"the state backend {backend or ''} is not reachable ({_clean(line)}); check the URL in "
                "chatops.yaml, the network, and access to the bucket").replace("  ", " ")
    return None


def backend_line(text: str, backend: str) -> Optional[str]:
    """The first line of `text` that is about the state backend, if any."""
    names = backend_names(backend)
    for line in text.splitlines():
        low = line.lower()
        if any(p in low for p in BACKEND_ONLY_PATTERNS):
            return line
        if names and any(name in line for name in names) and any(p in low for p in BACKEND_NETWORK_PATTERNS):
            return line
    return None


def backend_names(backend: str) -> list[str]:
    """How the backend shows up in error lines: its URL, and its bucket or host."""
    if not backend:
        return []
    match = re.match(r"^[a-z0-9]+://([^/?]+)", backend)
    names = [backend]
    if match and not backend.startswith("file://"):
        names.append(match.group(1))
    return names


def _clean(line: str) -> str:
    return re.sub(r"^(code|stdout|stderr):\s*", "", line.strip()).removeprefix("error: ")[:300]


@contextmanager
def pulumi_errors(stack: str, backend: str = "") -> Iterator[None]:
    """Translate whatever the Automation API raises inside the block; KeyboardInterrupt passes through."""
    try:
        yield
    except (KeyboardInterrupt, ChatopsError):
        raise
    except Exception as exc:  # the Automation API raises builtins too (FileNotFoundError, RuntimeError)
        raise explain(exc, stack, backend) from exc


def first_line(text: str) -> str:
    for line in text.strip().splitlines():
        if line.strip():
            return line.strip()
    return "no details"


def last_error_line(text: str) -> str:
    """The last `error: ...` line Pulumi printed (the most specific), else the last non-empty line."""
    # str(CommandError) is "code: N / stdout: ... / stderr: ...": drop those labels first
    lines = [re.sub(r"^(code|stdout|stderr):\s*", "", line.strip()) for line in text.splitlines()]
    lines = [line for line in lines if line and not re.fullmatch(r"\d+", line)]
    generic = {"error: update failed", "error: preview failed", "error: destroy failed", "error: refresh failed"}
    errors = [line for line in lines if re.match(r"^(error|\* |\w+Error)", line) and line not in generic]
    chosen = errors[-1] if errors else (lines[-1] if lines else "no details")
    return re.sub(r"^error:\s*", "", chosen)[:400]
