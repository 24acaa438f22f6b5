"""A small Pulumi mock-engine harness for testing the data-tier components standalone.

`synth(build)` runs `build()` under Pulumi's mock engine (the real pulumi-aws classes, no CLI, no AWS) and
returns every registered resource with its type, name, inputs (wire names, secrets still wrapped),
parent and protect flag, as the engine received them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc

ACCOUNT = "123456789012"
REGION = "us-east-1"
#: The value every RandomPassword resolves to, so tests can search for plaintext leaks.
MOCK_PASSWORD = "MockGeneratedPassw0rdXYZ123"
SECRET_SIG = rpc._special_sig_key
SECRET_VALUE = rpc._special_secret_sig


@dataclass
class Registered:
    type: str
    name: str
    inputs: dict
    parent: str
    protect: bool
    custom: bool
    urn: str
    provider: str = ""
    ignore_changes: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()

    def plain(self, key: str, default: Any = None) -> Any:
        """An input with any secret wrapper removed."""
        return unwrap(self.inputs.get(key, default))


@dataclass
class Graph:
    resources: list[Registered] = field(default_factory=list)
    value: Any = None

    def of_type(self, token: str) -> list[Registered]:
        return [r for r in self.resources if r.type == token]

    def one(self, token: str) -> Registered:
        found = self.of_type(token)
        assert len(found) == 1, f"expected one {token}, found {len(found)}"
        return found[0]

    def named(self, name: str) -> Registered:
        found = [r for r in self.resources if r.name == name]
        assert len(found) == 1, f"expected one resource named {name}, found {[r.name for r in found]}"
        return found[0]


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG) == SECRET_VALUE


def unwrap(value: Any) -> Any:
    if is_secret(value):
        return unwrap(value["value"])
    if isinstance(value, dict):
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def plaintext_paths(value: Any, needle: str, path: str = "") -> list[str]:
    """Input paths where `needle` appears outside a secret wrapper."""
    if is_secret(value):
        return []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in plaintext_paths(v, needle, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in plaintext_paths(v, needle, f"{path}[{i}]")]
    return [path] if isinstance(value, str) and needle in value else []


class _Mocks(pulumi.runtime.Mocks):
    """Plausible outputs per resource type: ARNs, endpoints, member clusters, generated passwords."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[Optional[str], dict]:
        inputs = unwrap(args.inputs)
        outputs = {**inputs, "arn": f"arn:aws:mock:{REGION}:{ACCOUNT}:{args.typ.split(':')[-1].lower()}/{args.name}"}
        physical = inputs.get("identifier") or inputs.get("name") or inputs.get("replicationGroupId") or args.name
        extra = _TYPE_OUTPUTS.get(args.typ)
        if extra:
            outputs.update(extra(physical, inputs))
        return f"{physical}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, Optional[list[tuple[str, str]]]]:
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:root", "userId": "mock"}, None
        if args.token == "aws:index/getRegion:getRegion":
            return {"name": REGION, "region": REGION}, None
        return {}, None


def _rds_instance(physical: str, inputs: dict) -> dict:
    address = f"{physical}.cabc123.{REGION}.rds.amazonaws.com"
    return {"address": address, "endpoint": f"{address}:5432", "port": 5432, "identifier": physical}


def _replication_group(physical: str, inputs: dict) -> dict:
    count = int(inputs.get("numCacheClusters", 1))
    return {"primaryEndpointAddress": f"master.{physical}.abc123.use1.cache.amazonaws.com",
            "readerEndpointAddress": f"replica.{physical}.abc123.use1.cache.amazonaws.com",
            "memberClusters": [f"{physical}-{n:03d}" for n in range(1, count + 1)], "port": 6379}


_TYPE_OUTPUTS: dict[str, Callable[[str, dict], dict]] = {
    "aws:rds/instance:Instance": _rds_instance,
    "aws:rds/proxy:Proxy": lambda p, i: {"endpoint": f"{p}.proxy-abc123.{REGION}.rds.amazonaws.com"},
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "random:index/randomPassword:RandomPassword": lambda p, i: {"result": MOCK_PASSWORD},
    "aws:sqs/queue:Queue": lambda p, i: {"url": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{p}",
                                         "arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{p}"},
    "aws:lb/loadBalancer:LoadBalancer": lambda p, i: {"arnSuffix": f"app/{p}/0123456789abcdef"},
}


class _RecordingMonitor(pulumi_mocks.MockMonitor):
    """The mock monitor, also keeping what the engine would store (protect, parent)."""

    def __init__(self, mocks: pulumi.runtime.Mocks, graph: Graph):
        super().__init__(mocks)
        self.graph = graph

    def RegisterResource(self, request):  # noqa: N802 (grpc name)
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.graph.resources.append(Registered(
                type=request.type, name=request.name, inputs=rpc.deserialize_properties(request.object),
                parent=request.parent, protect=bool(request.protect), custom=bool(request.custom),
                urn=response.urn, provider=request.provider, ignore_changes=tuple(request.ignoreChanges),
                depends_on=tuple(request.dependencies)))
        return response


def synth(build: Callable[[], Any]) -> Graph:
    """Run `build()` under the mock engine; resolve what it returns (an Output or a plain value)."""
    graph = Graph()
    mocks = _Mocks()
    pulumi.runtime.set_mocks(mocks, project="chat", stack="test", preview=False,
                             monitor=_RecordingMonitor(mocks, graph))

    @pulumi.runtime.test
    def _run():
        result = build()
        if isinstance(result, pulumi.Output):
            return result.apply(lambda v: graph.__setattr__("value", v))
        graph.value = result
        return None

    _run()
    return graph


def json_inputs(resource: Registered, key: str) -> Any:
    """A JSON-string input (policies, dashboard body) parsed."""
    return json.loads(resource.plain(key))
