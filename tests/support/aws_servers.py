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
import urllib.error
import urllib.request
from contextlib import contextmanager
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


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto server process on a free loopback port, for as long as the block runs; yields its URL."""
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


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


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
                 domain: str = DOMAIN, backend: str | None = None, auth0: dict | None = None,
                 images: dict | None = None) -> Path:
    """A ChatopsConfig-valid chatops.yaml with one stack (Auth0 left at the placeholders unless given)."""
    entry: dict = {"profile": profile, "region": REGION, "domain": domain, "hosted_zone_id": zone_id,
                   "alert_email": "ops@example.com"}
    if auth0:
        entry["auth0"] = auth0
    if images:
        entry["images"] = images
    data: dict = {"project": PROJECT, "stacks": {stack: entry}}
    if backend:
        data["backend"] = backend
    path = directory / "chatops.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


# ---- ECR images --------------------------------------------------------------------------------------

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"


def _sha256(data: bytes) -> str:
    import hashlib

    return "sha256:" + hashlib.sha256(data).hexdigest()


#: Image config blobs by digest, as pushed by push_image; the ECR layer double serves them.
CONFIG_BLOBS: dict[str, bytes] = {}


def _platform_manifest(build: str, platform: str) -> str:
    """A Docker image manifest (schema 2) for one platform; its config blob (which names the architecture,
    as in the OCI image spec) is kept in CONFIG_BLOBS under its digest."""
    os_name, arch = platform.split("/")[:2]
    config = json.dumps({"architecture": arch, "os": os_name, "config": {"Cmd": ["node", "server.js"]},
                         "rootfs": {"type": "layers", "diff_ids": [_sha256(f"layer {build} {platform}".encode())]}})
    CONFIG_BLOBS[_sha256(config.encode())] = config.encode()
    return json.dumps({
        "schemaVersion": 2, "mediaType": DOCKER_MANIFEST,
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": len(config),
                   "digest": _sha256(config.encode())},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 3370706,
                    "digest": _sha256(f"layer {build} {platform}".encode())}]})


def push_image(url: str, repository: str, tag: str, platforms: tuple[str, ...] = ("linux/amd64",),
               build: str = "", region: str = REGION) -> str:
    """Push an image as `docker push` would leave it in ECR (the repository is created if missing): one image
    manifest for a single platform, else an OCI image index over per-platform manifests plus a buildx
    attestation entry (platform unknown/unknown). Returns the digest ECR reports: sha256 of the manifest."""
    import boto3

    ecr = boto3.client("ecr", endpoint_url=url, region_name=region)
    try:
        ecr.create_repository(repositoryName=repository)
    except ecr.exceptions.RepositoryAlreadyExistsException:
        pass
    build = build or tag
    if len(platforms) == 1:
        manifest, media_type = _platform_manifest(build, platforms[0]), DOCKER_MANIFEST
    else:
        entries = []
        for platform in platforms:
            child = _platform_manifest(build, platform)
            os_name, arch = platform.split("/")[:2]
            entries.append({"mediaType": DOCKER_MANIFEST, "size": len(child), "digest": _sha256(child.encode()),
                            "platform": {"architecture": arch, "os": os_name}})
        entries.append({"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 840,
                        "digest": _sha256(f"attestation {build}".encode()),
                        "annotations": {"vnd.docker.reference.type": "attestation-manifest"},
                        "platform": {"architecture": "unknown", "os": "unknown"}})
        manifest, media_type = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}), OCI_INDEX
    digest = _sha256(manifest.encode())
    try:
        ecr.put_image(repositoryName=repository, imageManifest=manifest, imageManifestMediaType=media_type,
                      imageTag=tag, imageDigest=digest)
    except ecr.exceptions.ImageAlreadyExistsException:
        pass  # the same image under the same tag: pushing again changes nothing, as with docker push
    return digest


def create_repository(url: str, repository: str, region: str = REGION) -> str:
    import boto3

    ecr = boto3.client("ecr", endpoint_url=url, region_name=region)
    try:
        return ecr.create_repository(repositoryName=repository)["repository"]["repositoryUri"]
    except ecr.exceptions.RepositoryAlreadyExistsException:
        return ecr.describe_repositories(repositoryNames=[repository])["repositories"][0]["repositoryUri"]


class _EcrLayerHandler(BaseHTTPRequestHandler):
    """ECR's GetDownloadUrlForLayer and the presigned download it points to, which moto does not implement
    (moto/ecr/responses.py raises NotImplementedError); every other call is forwarded to moto unchanged.
    Shapes: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetDownloadUrlForLayer.html"""

    upstream = ""

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("X-Amz-Target", "").endswith(".GetDownloadUrlForLayer"):
            digest = json.loads(body)["layerDigest"]
            if digest not in CONFIG_BLOBS:
                return self._answer(400, json.dumps({"__type": "LayersNotFoundException",
                                                     "message": f"layer {digest} not found"}).encode())
            url = f"http://127.0.0.1:{self.server.server_address[1]}/blobs/{digest}"
            return self._answer(200, json.dumps({"downloadUrl": url, "layerDigest": digest}).encode())
        self._forward("POST", body)

    def do_GET(self) -> None:  # noqa: N802
        if self.path.startswith("/blobs/"):
            blob = CONFIG_BLOBS.get(self.path[len("/blobs/"):])
            return self._answer(200 if blob else 404, blob or b"not found", "application/octet-stream")
        self._forward("GET", None)

    def _forward(self, method: str, body: bytes | None) -> None:
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        request = urllib.request.Request(self.upstream + self.path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request) as response:
                status, payload, content_type = response.status, response.read(), response.headers.get("Content-Type")
        except urllib.error.HTTPError as exc:
            status, payload, content_type = exc.code, exc.read(), exc.headers.get("Content-Type")
        self._answer(status, payload, content_type or "application/x-amz-json-1.1")

    def _answer(self, status: int, body: bytes, content_type: str = "application/x-amz-json-1.1") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def ecr_layers_url(moto_url: str) -> Iterator[str]:
    """moto behind a loopback server that adds ECR's layer download (for reading image config blobs)."""
    handler = type("Handler", (_EcrLayerHandler,), {"upstream": moto_url})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
