"""Every AWS call chatops makes goes through here: one session factory, one error mapper.

- Credentials come from the standard chain (env vars, shared files, SSO, instance/container roles);
  `--aws-profile` / AWS_PROFILE picks a named profile. `--profile` is always a chatops tier.
- One endpoint override (`--endpoint-url` / AWS_ENDPOINT_URL) is passed to every client, so emulators
  such as moto or LocalStack work without any other code path.
- botocore "standard" retries (throttling and transient errors are retried with backoff) and short
  timeouts: a CLI should fail in seconds, not hang for minutes.
- Failures become one-line ChatopsErrors that name the service, the operation and the fix.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

import boto3
from botocore.config import Config
from botocore.exceptions import (BotoCoreError, ClientError, ConnectionClosedError, ConnectTimeoutError,
                                 EndpointConnectionError, NoCredentialsError, NoRegionError,
                                 PartialCredentialsError, ProfileNotFound, ReadTimeoutError,
                                 TokenRetrievalError)
from botocore.parsers import ResponseParserError

from chatops.errors import ChatopsError

ENDPOINT_ENV = "AWS_ENDPOINT_URL"
#: What a boto3 call can raise besides bugs (a garbled body is not a BotoCoreError).
AWS_FAILURES = (ClientError, BotoCoreError, ResponseParserError)
MAX_ATTEMPTS = 3
CONNECT_TIMEOUT_SECONDS = 5
READ_TIMEOUT_SECONDS = 20

#: boto3 client name -> IAM action prefix, where they differ (for "grant cloudwatch:DescribeAlarms").
IAM_PREFIX = {"elbv2": "elasticloadbalancing", "service-quotas": "servicequotas", "logs": "logs"}

THROTTLING_CODES = {"Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException",
                    "RequestLimitExceeded", "RequestThrottled", "RequestThrottledException", "SlowDown",
                    "LimitExceededException", "ProvisionedThroughputExceededException"}
ACCESS_DENIED_CODES = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess",
                       "AuthorizationError", "AuthorizationErrorException", "Forbidden", "403"}
BAD_CREDENTIALS_CODES = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId",
                         "UnrecognizedClientException", "SignatureDoesNotMatch", "AuthFailure",
                         "InvalidAccessKeyId", "InvalidToken"}


class AwsError(ChatopsError):
    """A mapped AWS failure; `code` is the AWS error code ('' for connection and credential problems)."""

    def __init__(self, message: str, code: str = "", aws_message: str = ""):
        super().__init__(message)
        self.code = code
        self.aws_message = aws_message  # AWS's own text, for callers that tell cases apart by it


def client_config() -> Config:
    return Config(retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS},
                  connect_timeout=CONNECT_TIMEOUT_SECONDS, read_timeout=READ_TIMEOUT_SECONDS)


def resolve_endpoint(endpoint_url: Optional[str]) -> Optional[str]:
    """--endpoint-url, else AWS_ENDPOINT_URL, else None (the real AWS endpoints)."""
    return endpoint_url or os.environ.get(ENDPOINT_ENV) or None


@dataclass
class Aws:
    """A boto3 session for one region (and optional endpoint), with cached clients and mapped errors."""

    session: boto3.Session
    region: str
    endpoint_url: Optional[str] = None
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)

    def client(self, service: str, region: Optional[str] = None) -> Any:
        key = f"{service}@{region or self.region}"
        if key not in self._clients:
            try:
                self._clients[key] = self.session.client(service, region_name=region or self.region,
                                                         endpoint_url=self.endpoint_url, config=client_config())
            except (BotoCoreError, ValueError) as exc:
                raise map_error(exc, service, "client setup", self.endpoint_url) from None
        return self._clients[key]

    def call(self, service: str, method: str, region: Optional[str] = None, **kwargs: Any) -> dict[str, Any]:
        """`client(service).method(**kwargs)`; any failure becomes a one-line ChatopsError."""
        client = self.client(service, region)
        try:
            return getattr(client, method)(**kwargs)
        except AWS_FAILURES as exc:
            raise map_error(exc, service, _operation_name(client, method), self.endpoint_url) from None

    def paginate(self, service: str, method: str, key: str, region: Optional[str] = None,
                 **kwargs: Any) -> Iterator[Any]:
        """Every item under `key` across all pages of a paginated operation."""
        client = self.client(service, region)
        try:
            for page in client.get_paginator(method).paginate(**kwargs):
                yield from page.get(key, [])
        except AWS_FAILURES as exc:
            raise map_error(exc, service, _operation_name(client, method), self.endpoint_url) from None


def make_aws(region: str, aws_profile: Optional[str] = None, endpoint_url: Optional[str] = None) -> Aws:
    """The one session factory. `aws_profile` None leaves AWS_PROFILE and the default chain in charge."""
    try:
        session = boto3.Session(profile_name=aws_profile or None, region_name=region)
    except ProfileNotFound:
        raise ChatopsError(f"AWS profile {aws_profile or os.environ.get('AWS_PROFILE')!r} not found in "
                           "~/.aws/config or ~/.aws/credentials; list them with `aws configure list-profiles` "
                           "(note: --profile is a chatops tier, --aws-profile is the AWS profile)") from None
    return Aws(session=session, region=region, endpoint_url=resolve_endpoint(endpoint_url))


def _operation_name(client: Any, method: str) -> str:
    return client.meta.method_to_api_mapping.get(method, method)


def iam_action(service: str, operation: str) -> str:
    return f"{IAM_PREFIX.get(service, service)}:{operation}"


def error_code(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def map_error(exc: Exception, service: str, operation: str, endpoint_url: Optional[str] = None) -> AwsError:
    """One line naming the service/operation and what to do; never a traceback."""
    return AwsError(_describe(exc, service, operation, endpoint_url), error_code(exc), _message(exc))


def _describe(exc: Exception, service: str, operation: str, endpoint_url: Optional[str]) -> str:
    where = f"{service} {operation}"
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return (f"{where}: no AWS credentials found; run `aws configure` or `aws sso login`, set AWS_PROFILE "
                "or pass --aws-profile, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
    if isinstance(exc, TokenRetrievalError):
        return f"{where}: the SSO session has expired; run `aws sso login` and retry"
    if isinstance(exc, NoRegionError):
        return f"{where}: no AWS region; set the stack's region in chatops.yaml or AWS_REGION"
    if isinstance(exc, (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, ConnectionClosedError)):
        target = endpoint_url or f"the {service} endpoint"
        override = " or fix --endpoint-url/AWS_ENDPOINT_URL" if endpoint_url else ""
        return (f"{where}: cannot reach {target} after {MAX_ATTEMPTS} attempts ({type(exc).__name__}); "
                f"check the network, proxy and region{override}")
    if isinstance(exc, ResponseParserError):
        return (f"{where}: the endpoint sent a response that is not an AWS answer; check "
                "--endpoint-url/AWS_ENDPOINT_URL and any proxy in between")
    code = error_code(exc)
    if code in THROTTLING_CODES:
        return (f"{where}: AWS throttled the request ({code}) even after {MAX_ATTEMPTS} attempts with backoff; "
                "wait a minute and retry, or ask for a higher API rate quota")
    if code in ACCESS_DENIED_CODES:
        return (f"{where}: access denied ({code}); grant {iam_action(service, operation)} to these credentials "
                "(docs/operating.md lists every permission chatops needs)")
    if code in BAD_CREDENTIALS_CODES:
        return (f"{where}: AWS rejected the credentials ({code}); refresh them (`aws sso login`, new access "
                "keys, or a new session token) and check AWS_PROFILE/--aws-profile")
    if isinstance(exc, ClientError):
        return f"{where}: {code or 'error'}: {_message(exc)}"
    return f"{where}: {type(exc).__name__}: {_message(exc)}"


def _message(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        text = str(exc.response.get("Error", {}).get("Message", "")) or str(exc)
    else:
        text = str(exc)
    return " ".join(text.split())[:300]
