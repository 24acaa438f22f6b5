"""`synthesize`: run the inline program under Pulumi's mock engine, no AWS account and no Pulumi CLI.

Returns the resources as `pulumi stack export` shows them (urn, type, custom, parent, inputs with the
provider's camelCase wire names, dependencies, protect). The mocks answer with plausible outputs (ids,
ARNs, DNS names, endpoints) so every Output in the program resolves as it would in a deployment.

Each call resets the SDK's global runtime state and installs fresh mocks, so one process can
synthesize many stacks in a row (the tests do every tier). This module is a caller of the program, like
the deploy driver, so it reads the dashboard template for it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Optional

import pulumi
from pulumi.runtime import Mocks, MockCallArgs, MockResourceArgs, set_mocks
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.rpc import is_rpc_secret, unwrap_rpc_secret
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from chatops.infra.program import build_program
from chatops.model.loading import read_dashboard_template
from chatops.model.profile import Profile
from chatops.model.settings import DeploymentSettings

MOCK_ACCOUNT_ID = "123456789012"
#: How `pulumi stack export` shows a secret (the value itself is never printed).
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


@dataclass
class Synthesis:
    resources: list[dict[str, Any]]
    outputs: dict[str, Any] = field(default_factory=dict)
    #: urn -> {"id", "outputs", "ignoreChanges", "propertyDependencies"}: what the mocks answered for each custom resource (the
    #: `id` and `outputs` of `pulumi stack export`) and the options the provider sees, so a caller can
    #: tell which output an input came from (the provider conformance tests turn that into references).
    details: dict[str, dict[str, Any]] = field(default_factory=dict)


def synthesize(profile: Profile, settings: DeploymentSettings) -> list[dict[str, Any]]:
    """Every resource the program creates for this profile and stack, in registration order."""
    return synthesize_with_outputs(profile, settings).resources


def synthesize_with_outputs(profile: Profile, settings: DeploymentSettings,
                            dashboard_template: Optional[str] = None) -> Synthesis:
    """The resources and the stack outputs."""
    template = dashboard_template if dashboard_template is not None else read_dashboard_template()
    program = build_program(profile, settings, dashboard_template=template)
    mocks = AwsMocks(settings.region)
    monitor = RecordingMonitor(mocks)
    _reset_runtime()
    set_mocks(mocks, project=settings.project, stack=settings.stack, preview=False, monitor=monitor)
    outputs: dict[str, Any] = {}

    async def run() -> None:
        program()
        root = runtime_settings.get_root_resource()
        resolved = await pulumi.Output.from_input(dict(root.outputs)).future()  # type: ignore[union-attr]
        outputs.update(resolved or {})

    try:
        _sync_await(run_pulumi_func(run))
    finally:
        _reset_runtime()
    return Synthesis(resources=monitor.exported(), outputs=_plain(outputs), details=monitor.answered())


def _reset_runtime() -> None:
    # A fresh root stack per run: stack transformations and outputs hang off it.
    runtime_settings.ROOT.set(None)
    runtime_settings.SETTINGS.rpc_manager.clear()
    runtime_settings.SETTINGS.outputs.clear()


# -- the monitor: keeps what `pulumi stack export` would show -------------------------------------

class RecordingMonitor(MockMonitor):
    """The SDK's mock monitor, plus the parent, dependencies and protect flag of each registration
    (MockResourceArgs does not carry them)."""

    def __init__(self, mocks: Mocks) -> None:
        super().__init__(mocks)
        self._records: list[dict[str, Any]] = []
        self._answers: dict[str, dict[str, Any]] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # As the engine builds URNs: the parent's whole qualified type chain, without the root stack.
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != "pulumi:pulumi:Stack":
                type_ = f"{parent_type}${type_}"
        return "::".join(["urn:pulumi:" + runtime_settings.get_stack(), runtime_settings.get_project(), type_, name])

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            args = self.mocks.last_inputs.pop((request.type, request.name), {})  # type: ignore[attr-defined]
            answer = self.mocks.last_outputs.pop((request.type, request.name), None)  # type: ignore[attr-defined]
            if answer is not None:
                self._answers[response.urn] = {
                    "id": answer[0], "outputs": answer[1], "ignoreChanges": sorted(request.ignoreChanges),
                    "propertyDependencies": {key: sorted(deps.urns)
                                             for key, deps in request.propertyDependencies.items() if deps.urns}}
            self._records.append({
                "urn": response.urn, "type": request.type, "custom": bool(request.custom),
                "parent": request.parent or None, "inputs": args,
                "dependencies": sorted(set(request.dependencies)), "protect": bool(request.protect),
            })
        else:
            self._records.append({"urn": response.urn, "type": request.type, "custom": False, "parent": None,
                                  "inputs": {}, "dependencies": [], "protect": False})
        return response

    def exported(self) -> list[dict[str, Any]]:
        return [{**r, "inputs": _plain(r["inputs"])} for r in self._records]

    def answered(self) -> dict[str, dict[str, Any]]:
        return {urn: _plain(answer) for urn, answer in self._answers.items()}


# -- the mocks: plausible AWS outputs ---------------------------------------------------------------

def _hex(text: str, length: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _arn(service: str, region: str, resource: str, *, global_: bool = False) -> str:
    return f"arn:aws:{service}:{'' if global_ else region}:{MOCK_ACCOUNT_ID}:{resource}"


class AwsMocks(Mocks):
    def __init__(self, region: str) -> None:
        self.region = region
        self.last_inputs: dict[tuple[str, str], dict[str, Any]] = {}
        self.last_outputs: dict[tuple[str, str], tuple[Optional[str], dict[str, Any]]] = {}

    def call(self, args: MockCallArgs) -> tuple[dict, Optional[list[tuple[str, str]]]]:
        token = args.token
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            letters = "abcdef"
            return {"id": self.region, "names": [f"{self.region}{c}" for c in letters],
                    "zoneIds": [f"use1-az{i + 1}" for i in range(6)], "groupNames": [self.region] * 6,
                    "state": "available"}, []
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"id": MOCK_ACCOUNT_ID, "accountId": MOCK_ACCOUNT_ID,
                    "arn": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:user/chatops", "userId": "AIDAMOCKUSER"}, []
        if token == "aws:index/getRegion:getRegion":
            return {"id": self.region, "name": self.region, "region": self.region,
                    "endpoint": f"ec2.{self.region}.amazonaws.com", "description": self.region}, []
        if token == "aws:elb/getServiceAccount:getServiceAccount":
            return {"id": "127311923021", "arn": "arn:aws:iam::127311923021:root"}, []
        if token == "aws:iam/getPolicyDocument:getPolicyDocument":
            return {"id": "policy", "json": '{"Version":"2012-10-17","Statement":[]}'}, []
        return {}, []

    def new_resource(self, args: MockResourceArgs) -> tuple[Optional[str], dict]:
        self.last_inputs[(args.typ, args.name)] = args.inputs
        inputs = args.inputs
        key = _hex(f"{args.typ}/{args.name}/{inputs.get('name', '')}", 17)
        outputs: dict[str, Any] = dict(inputs)
        resource_id, extra = self._outputs(args.typ, args.name, inputs, key)
        outputs.update(extra)
        self.last_outputs[(args.typ, args.name)] = (resource_id, outputs)
        return resource_id, outputs

    def _outputs(self, typ: str, name: str, inputs: dict[str, Any], key: str) -> tuple[str, dict[str, Any]]:
        r = self.region
        given = inputs.get("name") if isinstance(inputs.get("name"), str) else name
        simple_prefixes = {
            "aws:ec2/vpc:Vpc": "vpc", "aws:ec2/subnet:Subnet": "subnet", "aws:ec2/securityGroup:SecurityGroup": "sg",
            "aws:ec2/internetGateway:InternetGateway": "igw", "aws:ec2/natGateway:NatGateway": "nat",
            "aws:ec2/eip:Eip": "eipalloc", "aws:ec2/routeTable:RouteTable": "rtb",
            "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce", "aws:ec2/flowLog:FlowLog": "fl",
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
            "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc",
        }
        if typ in simple_prefixes:
            rid = f"{simple_prefixes[typ]}-{key}"
            service = "ec2"
            out: dict[str, Any] = {"arn": _arn(service, r, f"{simple_prefixes[typ]}/{rid}")}
            if typ == "aws:ec2/eip:Eip":
                out.update(allocationId=rid, publicIp=f"203.0.113.{int(key[:2], 16) % 250 + 1}")
            return rid, out
        if typ == "aws:lb/loadBalancer:LoadBalancer":
            suffix = f"app/{given}/{key[:16]}"
            return _arn("elasticloadbalancing", r, f"loadbalancer/{suffix}"), {
                "arn": _arn("elasticloadbalancing", r, f"loadbalancer/{suffix}"), "arnSuffix": suffix,
                "dnsName": f"{given}-{int(key[:8], 16)}.{r}.elb.amazonaws.com", "zoneId": "Z35SXDOTRQ7X7K"}
        if typ == "aws:lb/targetGroup:TargetGroup":
            suffix = f"targetgroup/{given}/{key[:16]}"
            arn = _arn("elasticloadbalancing", r, suffix)
            return arn, {"arn": arn, "arnSuffix": suffix}
        if typ in ("aws:lb/listener:Listener", "aws:lb/listenerRule:ListenerRule"):
            arn = _arn("elasticloadbalancing", r, f"listener/app/{key}")
            return arn, {"arn": arn}
        if typ == "aws:acm/certificate:Certificate":
            arn = _arn("acm", r, f"certificate/{key}")
            domain = inputs.get("domainName", "api.example.com")
            return arn, {"arn": arn, "domainValidationOptions": [{
                "domainName": domain, "resourceRecordName": f"_{key[:12]}.{domain}.",
                "resourceRecordType": "CNAME", "resourceRecordValue": f"_{key[:12]}.acm-validations.aws."}]}
        if typ == "aws:route53/record:Record":
            return f"{inputs.get('zoneId')}_{inputs.get('name')}_{inputs.get('type')}", {
                "fqdn": str(inputs.get("name", "")).rstrip(".")}
        if typ == "aws:s3/bucket:Bucket":
            bucket = inputs.get("bucket", name)
            return bucket, {"bucket": bucket, "arn": f"arn:aws:s3:::{bucket}",
                            "bucketDomainName": f"{bucket}.s3.amazonaws.com"}
        if typ == "aws:ecr/repository:Repository":
            return given, {"arn": _arn("ecr", r, f"repository/{given}"), "registryId": MOCK_ACCOUNT_ID,
                           "repositoryUrl": f"{MOCK_ACCOUNT_ID}.dkr.ecr.{r}.amazonaws.com/{given}"}
        if typ == "aws:ecs/cluster:Cluster":
            return _arn("ecs", r, f"cluster/{given}"), {"arn": _arn("ecs", r, f"cluster/{given}"), "name": given}
        if typ == "aws:ecs/service:Service":
            return _arn("ecs", r, f"service/{given}"), {"name": given}
        if typ == "aws:ecs/taskDefinition:TaskDefinition":
            family = inputs.get("family", name)
            return family, {"arn": _arn("ecs", r, f"task-definition/{family}:1"), "revision": 1}
        if typ == "aws:cloudwatch/logGroup:LogGroup":
            return given, {"arn": _arn("logs", r, f"log-group:{given}"), "name": given}
        if typ == "aws:iam/role:Role":
            return given, {"arn": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:role/{given}", "uniqueId": f"AROA{key.upper()}"}
        if typ == "aws:secretsmanager/secret:Secret":
            arn = _arn("secretsmanager", r, f"secret:{given}-{key[:6]}")
            return arn, {"arn": arn}
        if typ == "aws:secretsmanager/secretVersion:SecretVersion":
            # Secrets Manager gives every new value a new version id; derive it from the value.
            version = hashlib.sha256(repr(inputs.get("secretString")).encode()).hexdigest()[:32]
            return f"{inputs.get('secretId')}|{version}", {"versionId": version}
        if typ == "aws:sqs/queue:Queue":
            url = f"https://sqs.{r}.amazonaws.com/{MOCK_ACCOUNT_ID}/{given}"
            return url, {"arn": _arn("sqs", r, given), "url": url, "name": given}
        if typ == "aws:sns/topic:Topic":
            return _arn("sns", r, given), {"arn": _arn("sns", r, given), "name": given}
        if typ == "aws:rds/instance:Instance":
            ident = inputs.get("identifier", name)
            address = f"{ident}.{key[:12]}.{r}.rds.amazonaws.com"
            return ident, {"arn": _arn("rds", r, f"db:{ident}"), "identifier": ident, "address": address,
                           "endpoint": f"{address}:5432", "port": 5432, "resourceId": f"db-{key.upper()}"}
        if typ == "aws:rds/proxy:Proxy":
            return given, {"arn": _arn("rds", r, f"db-proxy:prx-{key}"),
                           "endpoint": f"{given}.proxy-{key[:12]}.{r}.rds.amazonaws.com"}
        if typ == "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup":
            # Every proxy has exactly one target group, which RDS names `default`; its id is the proxy's name.
            proxy = inputs.get("dbProxyName", name)
            return proxy, {"name": "default", "arn": _arn("rds", r, f"target-group:prx-tg-{key}")}
        if typ == "aws:elasticache/replicationGroup:ReplicationGroup":
            gid = inputs.get("replicationGroupId", name)
            members = int(inputs.get("numCacheClusters") or 1)
            return gid, {"arn": _arn("elasticache", r, f"replicationgroup:{gid}"),
                         "primaryEndpointAddress": f"master.{gid}.{key[:6]}.{_short_region(r)}.cache.amazonaws.com",
                         "readerEndpointAddress": f"replica.{gid}.{key[:6]}.{_short_region(r)}.cache.amazonaws.com",
                         "memberClusters": [f"{gid}-{i + 1:03d}" for i in range(members)]}
        if typ == "random:index/randomPassword:RandomPassword":
            return key, {"result": f"MockPassword{key}", "bcryptHash": f"$2a$10${key}"}
        if typ == "aws:wafv2/webAcl:WebAcl":
            return key, {"arn": _arn("wafv2", r, f"regional/webacl/{given}/{key}")}
        if typ == "aws:backup/vault:Vault":
            return given, {"arn": _arn("backup", r, f"backup-vault:{given}"), "name": given}
        if typ == "aws:cloudwatch/dashboard:Dashboard":
            return inputs.get("dashboardName", name), {}
        if typ == "aws:cloudwatch/metricAlarm:MetricAlarm":
            return given, {"arn": _arn("cloudwatch", r, f"alarm:{given}")}
        if typ == "aws:appautoscaling/policy:Policy":
            arn = _arn("autoscaling", r, f"scalingPolicy:{key}:resource/ecs/{given}")
            return arn, {"arn": arn}
        service = typ.split(":")[1].split("/")[0] if ":" in typ else "mock"
        return f"{name}-{key[:8]}", {"arn": _arn(service, r, f"{name}/{key[:8]}")}


def _short_region(region: str) -> str:
    parts = region.split("-")
    return f"{parts[0]}{parts[1][0]}{parts[-1]}"


# -- JSON shaping ---------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """JSON-ready inputs: integral floats back to ints (the mock monitor receives every number as a
    float), secrets as `pulumi stack export` shows them (an opaque ciphertext that differs when the value
    differs, here a digest of the mock value, so comparing two graphs sees a changed secret), resources
    by URN."""
    if is_rpc_secret(value):
        digest = hashlib.sha256(repr(_plain(unwrap_rpc_secret(value))).encode()).hexdigest()[:16]
        return {SECRET_SIG_KEY: SECRET_SIG, "ciphertext": f"[secret:{digest}]"}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, pulumi.Resource):
        return getattr(value, "_urn_name", None) or str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
