"""A real moto server on a free loopback port, and a fault server that answers every call with one error.

The commands reach both only through `--endpoint-url` (the same setting a user would pass for an
emulator): no test-only code path in chatops.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest
import yaml

REGION = "us-east-1"
PROJECT = "chat"
DOMAIN = "chat.example.com"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _moto_server_command() -> list[str]:
    beside = Path(sys.executable).with_name("moto_server")
    found = str(beside) if beside.exists() else shutil.which("moto_server")
    if found is None:
        pytest.skip("moto_server is not installed (pip install 'moto[server]')")
    return [found]


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("moto_server did not answer in time")


@pytest.fixture(scope="session", autouse=True)
def aws_env() -> Iterator[None]:
    """Dummy credentials and a region, and nothing from the developer's own AWS setup."""
    saved = dict(os.environ)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "CHATOPS_STACK", "CHATOPS_CONFIG"):
        os.environ.pop(name, None)
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": REGION, "AWS_CONFIG_FILE": os.devnull,
                       "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "PULUMI_CONFIG_PASSPHRASE": "test"})
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([*_moto_server_command(), "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


class _FaultHandler(BaseHTTPRequestHandler):
    """Answers every AWS call with the configured error, in the protocol the caller speaks."""

    status = 403
    code = "AccessDenied"
    message = ""

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        message = self.message or f"chatops test fault: {self.code}"
        if self.headers.get("X-Amz-Target"):  # JSON protocols (ECS, Cost Explorer, Service Quotas)
            body = json.dumps({"__type": self.code, "message": message}).encode()
            content_type = "application/x-amz-json-1.1"
        else:  # query/XML protocols (STS, RDS, ElastiCache, CloudWatch, SQS query)
            body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{self.code}</Code><Message>{message}"
                    f"</Message></Error><RequestId>1</RequestId></ErrorResponse>").encode()
            content_type = "text/xml"
        self.send_response(self.status)
        self.send_header("Content-Type", content_type)
        self.send_header("x-amzn-ErrorType", self.code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fault_server():
    """`start(status, code, message)` -> the URL of a loopback server answering every request with that error."""
    servers: list[ThreadingHTTPServer] = []

    def start(status: int, code: str, message: str = "") -> str:
        handler = type("Handler", (_FaultHandler,), {"status": status, "code": code, "message": message})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL nothing listens on (the port was free a moment ago)."""
    return f"http://127.0.0.1:{free_port()}"


def write_config(directory: Path, stack: str = "prod", profile: str = "10k-dau", zone_id: str = "Z0EXAMPLE",
                 domain: str = DOMAIN, backend: str | None = None, auth0: dict | None = None) -> Path:
    """A ChatopsConfig-valid chatops.yaml with one stack (Auth0 left at the placeholders unless given)."""
    entry: dict = {"profile": profile, "region": REGION, "domain": domain, "hosted_zone_id": zone_id,
                   "alert_email": "ops@example.com"}
    if auth0:
        entry["auth0"] = auth0
    data: dict = {"project": PROJECT, "stacks": {stack: entry}}
    if backend:
        data["backend"] = backend
    path = directory / "chatops.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path
