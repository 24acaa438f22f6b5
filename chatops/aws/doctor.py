"""Preflight checks before the first `up`: each says pass, warn or fail, and what to do about it.

A check never raises for an AWS problem: the mapped one-line error becomes its detail, so one run shows
everything that is wrong. When the credentials check fails the other AWS checks are not attempted
(each would fail the same way, after its own retries).
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Literal, Optional

from chatops.aws.session import Aws, AwsError
from chatops.model.naming import too_long
from chatops.model.profile import Profile
from chatops.model.settings import Auth0, ChatopsConfig, StackEntry

Status = Literal["pass", "warn", "fail"]

#: Service Quotas codes (service code "fargate") and AWS's documented default for new accounts, used
#: when the API has no value for the account (Service Quotas answers NoSuchResource for some accounts
#: and regions, and emulators know no Fargate quotas).
FARGATE_ON_DEMAND_VCPU = "L-3032A538"
FARGATE_SPOT_VCPU = "L-36FBB829"
FARGATE_DEFAULT_VCPU = 6.0


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""

    def to_json(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class DoctorContext:
    """Everything the checks read: the stack's settings, its tier, and an AWS session for its region."""

    config: ChatopsConfig
    config_path: Path
    stack: str
    entry: StackEntry
    profile: Profile
    aws: Aws


def run_checks(ctx: DoctorContext) -> list[Check]:
    checks = [check_pulumi_cli(), check_credentials(ctx)]
    aws_ok = checks[-1].status == "pass"
    for aws_check in (check_hosted_zone, check_rds_classes, check_cache_node_types, check_fargate_quota):
        checks.append(aws_check(ctx) if aws_ok else _skipped(aws_check))
    checks += [check_backend(ctx), check_passphrase(ctx), check_auth0(ctx), check_names(ctx)]
    return checks


def _skipped(check: Callable[[DoctorContext], Check]) -> Check:
    name = CHECK_NAMES[check.__name__]
    return Check(name, "warn", "not checked: the AWS credentials check failed", "fix the credentials first")


CHECK_NAMES = {"check_hosted_zone": "hosted zone", "check_rds_classes": "database classes",
               "check_cache_node_types": "cache node types", "check_fargate_quota": "fargate vcpu quota"}


def check_pulumi_cli() -> Check:
    from chatops.deploy.pulumi_cli import MIN_PULUMI_VERSION, check_pulumi_cli as probe

    status = probe()
    if status.ok:
        return Check("pulumi cli", "pass", f"{status.path} version {status.version} (>= {MIN_PULUMI_VERSION})")
    return Check("pulumi cli", "fail", "not found" if not status.found else f"{status.path}: unusable",
                 status.problem or "")


def check_credentials(ctx: DoctorContext) -> Check:
    try:
        who = ctx.aws.call("sts", "get_caller_identity")
    except AwsError as exc:
        return Check("aws credentials", "fail", str(exc), "see the message; `aws sts get-caller-identity` "
                     "must work with the same profile and region")
    return Check("aws credentials", "pass", f"account {who['Account']} as {who['Arn']}, region {ctx.aws.region}")


def check_hosted_zone(ctx: DoctorContext) -> Check:
    zone_id, domain = ctx.entry.hosted_zone_id, ctx.entry.domain
    if zone_id is None:
        return Check("hosted zone", "warn", f"no hosted_zone_id; certificate {ctx.entry.certificate_arn} is used",
                     f"create the DNS record api.{domain} -> the ALB yourself after `up`")
    try:
        zone = ctx.aws.call("route53", "get_hosted_zone", Id=zone_id)["HostedZone"]
    except AwsError as exc:
        if exc.code == "NoSuchHostedZone":
            return Check("hosted zone", "fail", f"{zone_id} does not exist in this account",
                         "fix hosted_zone_id in chatops.yaml (`aws route53 list-hosted-zones`)")
        return Check("hosted zone", "fail", str(exc), "")
    zone_name = zone["Name"].rstrip(".").lower()
    if not (domain == zone_name or domain.endswith("." + zone_name)):
        return Check("hosted zone", "fail", f"{zone_id} is {zone_name}; {domain} is not in it",
                     f"use the zone of {domain} or a parent domain, or change domain")
    if zone.get("Config", {}).get("PrivateZone"):
        return Check("hosted zone", "fail", f"{zone_id} ({zone_name}) is a private zone",
                     "ACM DNS validation and the public api record need a public hosted zone")
    return Check("hosted zone", "pass", f"{zone_id} is {zone_name}, which holds {domain}")


def rds_classes(profile: Profile) -> list[str]:
    classes = [profile.database.instance_class]
    replica = profile.database.read_replica
    if replica.enabled and replica.instance_class:
        classes.append(replica.instance_class)
    return sorted(set(classes))


def cache_node_types(profile: Profile) -> list[str]:
    split = profile.cache.split
    if split.enabled:
        return sorted({group.node_type for group in (split.adapter, split.state) if group is not None})
    return [profile.cache.node_type]


def check_rds_classes(ctx: DoctorContext) -> Check:
    """RDS describe_orderable_db_instance_options: an empty answer for a class means it is not offered."""
    name = "database classes"
    try:
        missing = [cls for cls in rds_classes(ctx.profile) if not _rds_offers(ctx.aws, cls)]
        if missing and not _rds_offers(ctx.aws, None):
            # Not a single PostgreSQL option: the region (or the endpoint) cannot answer this question.
            return Check(name, "warn", f"the region lists no RDS for PostgreSQL options at all; could not verify "
                         f"{', '.join(rds_classes(ctx.profile))}", "check the RDS console for the region")
    except AwsError as exc:
        return Check(name, "fail", str(exc), "")
    if missing:
        return Check(name, "fail", f"{', '.join(missing)} not offered for PostgreSQL in {ctx.aws.region}",
                     "choose another region, or a profile file with an offered instance class")
    return Check(name, "pass", f"{', '.join(rds_classes(ctx.profile))} offered for PostgreSQL in {ctx.aws.region}")


def _rds_offers(aws: Aws, instance_class: Optional[str]) -> bool:
    kwargs = {"Engine": "postgres", "MaxRecords": 20}
    if instance_class:
        kwargs["DBInstanceClass"] = instance_class
    return bool(aws.call("rds", "describe_orderable_db_instance_options", **kwargs)["OrderableDBInstanceOptions"])


def check_cache_node_types(ctx: DoctorContext) -> Check:
    """ElastiCache has no 'orderable node types' call; reserved-node offerings exist for every node type a
    region sells, so an empty offering list means the type is not available there."""
    name = "cache node types"
    types = cache_node_types(ctx.profile)
    try:
        missing = [t for t in types if not ctx.aws.call("elasticache", "describe_reserved_cache_nodes_offerings",
                                                        CacheNodeType=t, ProductDescription="redis",
                                                        MaxRecords=20)["ReservedCacheNodesOfferings"]]
    except AwsError as exc:
        if exc.code in ("", "InvalidParameterValue", "InvalidParameterCombination") or "not an AWS" in str(exc):
            return Check(name, "warn", f"could not verify {', '.join(types)}: {exc}",
                         "check the ElastiCache console for the region")
        return Check(name, "fail", str(exc), "")
    if missing:
        return Check(name, "fail", f"{', '.join(missing)} not offered for Redis in {ctx.aws.region}",
                     "choose another region, or a profile file with an offered node type")
    return Check(name, "pass", f"{', '.join(types)} offered for Redis in {ctx.aws.region}")


@dataclass(frozen=True)
class FargateNeed:
    on_demand_vcpu: float
    spot_vcpu: float
    on_demand_surge_vcpu: float  # during a rolling deployment at autoscaling maximum
    spot_surge_vcpu: float


def fargate_need(profile: Profile) -> FargateNeed:
    """vCPUs of every service at its autoscaling maximum, split between on-demand and Spot like the
    capacity provider strategy; the surge adds the deployment's extra tasks (max percent)."""
    need = [0.0, 0.0, 0.0, 0.0]
    for service in (profile.api, profile.realtime, profile.workers):
        tasks = service.autoscaling.max_count
        surge_tasks = math.ceil(tasks * service.deployment_max_percent / 100)
        vcpu = service.cpu_units / 1024
        for index, count in ((0, tasks), (2, surge_tasks)):
            spot = math.floor(count * service.spot_share_percent / 100)
            need[index] += (count - spot) * vcpu
            need[index + 1] += spot * vcpu
    return FargateNeed(*need)


def fargate_quota(aws: Aws, code: str) -> tuple[float, str]:
    """(value, where it came from): the account's quota, else AWS's default for it, else the documented one."""
    try:
        return float(aws.call("service-quotas", "get_service_quota", ServiceCode="fargate",
                              QuotaCode=code)["Quota"]["Value"]), "account quota"
    except AwsError as exc:
        if exc.code != "NoSuchResourceException":
            raise
    try:
        return float(aws.call("service-quotas", "get_aws_default_service_quota", ServiceCode="fargate",
                              QuotaCode=code)["Quota"]["Value"]), "AWS default (no account value)"
    except AwsError:
        return FARGATE_DEFAULT_VCPU, "documented default (Service Quotas gave no value)"


def check_fargate_quota(ctx: DoctorContext) -> Check:
    name = "fargate vcpu quota"
    need = fargate_need(ctx.profile)
    try:
        on_demand, od_source = fargate_quota(ctx.aws, FARGATE_ON_DEMAND_VCPU)
        spot, spot_source = fargate_quota(ctx.aws, FARGATE_SPOT_VCPU)
    except AwsError as exc:
        return Check(name, "fail", str(exc), "")
    detail = (f"at autoscaling maximum: {need.on_demand_vcpu:g} on-demand vCPU (quota {on_demand:g}, {od_source}), "
              f"{need.spot_vcpu:g} Spot vCPU (quota {spot:g}, {spot_source})")
    fix = (f"request more in Service Quotas: fargate {FARGATE_ON_DEMAND_VCPU} (on-demand) / {FARGATE_SPOT_VCPU} "
           f"(Spot) in {ctx.aws.region}")
    if need.on_demand_vcpu > on_demand or need.spot_vcpu > spot:
        return Check(name, "fail", detail, fix)
    if need.on_demand_surge_vcpu > on_demand or need.spot_surge_vcpu > spot:
        return Check(name, "warn", detail + f"; a deployment at maximum needs {need.on_demand_surge_vcpu:g} + "
                     f"{need.spot_surge_vcpu:g}", fix)
    return Check(name, "pass", detail)


def check_backend(ctx: DoctorContext) -> Check:
    from chatops.deploy.workspace import backend_url, local_backend_path

    try:
        url = backend_url(ctx.config, ctx.config_path)
    except Exception as exc:  # a ChatopsError naming the bad value
        return Check("state backend", "fail", str(exc), "fix backend in chatops.yaml")
    local = local_backend_path(url)
    if local is not None:
        return _check_local_backend(local)
    if url.startswith("s3://"):
        return _check_s3_backend(ctx.aws, url)
    if url.startswith("https://") or url.startswith("http://"):
        return _check_pulumi_cloud(url)
    return Check("state backend", "warn", f"{url}: not checked by chatops", "make sure `pulumi login` works")


def _check_local_backend(path: Path) -> Check:
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is not None and existing.is_dir() and os.access(existing, os.W_OK):
        state = "exists" if existing == path else f"will be created under {existing}"
        return Check("state backend", "pass", f"file://{path} ({state}, writable)")
    return Check("state backend", "fail", f"file://{path} is not writable", "fix the permissions or set backend")


def _check_s3_backend(aws: Aws, url: str) -> Check:
    bucket = url[len("s3://"):].split("/", 1)[0].split("?", 1)[0]
    try:
        aws.call("s3", "head_bucket", Bucket=bucket)
    except AwsError as exc:
        if exc.code in ("404", "NoSuchBucket", "NotFound"):
            return Check("state backend", "fail", f"bucket {bucket} does not exist",
                         f"create it (`aws s3 mb s3://{bucket}`, with versioning) or fix backend")
        return Check("state backend", "fail", str(exc), f"the credentials need s3:ListBucket on {bucket}")
    return Check("state backend", "pass", f"{url} (bucket reachable)")


def _check_pulumi_cloud(url: str) -> Check:
    if os.environ.get("PULUMI_ACCESS_TOKEN"):
        return Check("state backend", "pass", f"{url} (PULUMI_ACCESS_TOKEN is set)")
    credentials = Path(os.environ.get("PULUMI_HOME", Path.home() / ".pulumi")) / "credentials.json"
    if credentials.is_file() and url.rstrip("/") in credentials.read_text(errors="replace"):
        return Check("state backend", "pass", f"{url} (logged in, {credentials})")
    return Check("state backend", "fail", f"{url}: no access token", "run `pulumi login` or set PULUMI_ACCESS_TOKEN")


def check_passphrase(ctx: DoctorContext) -> Check:
    from chatops.deploy import workspace

    source, path = workspace.passphrase_status(ctx.config_path)
    if source == workspace.FROM_ENV:
        return Check("passphrase", "pass", f"from {workspace.PASSPHRASE_ENV}")
    if source == workspace.FROM_ENV_FILE:
        if path is not None and path.is_file() and os.access(path, os.R_OK):
            return Check("passphrase", "pass", f"from {workspace.PASSPHRASE_FILE_ENV}={path}")
        return Check("passphrase", "fail", f"{workspace.PASSPHRASE_FILE_ENV}={path}: not a readable file",
                     "point it at the file holding the passphrase, or unset it")
    if source == workspace.FROM_GENERATED:
        return Check("passphrase", "pass", f"from {path} (generated earlier by chatops)")
    return Check("passphrase", "pass", f"none yet; `up` will generate one into {path} (keep a copy safe)")


def check_auth0(ctx: DoctorContext) -> Check:
    """The api and realtime services validate Auth0 tokens: the placeholders `init` leaves when no Auth0
    settings were given would deploy services that reject every user."""
    auth0, placeholder = ctx.entry.auth0, Auth0()
    left = [f"auth0.{key}" for key in ("domain", "audience") if getattr(auth0, key) == getattr(placeholder, key)]
    if left:
        return Check("auth0", "fail", f"{' and '.join(left)} still the placeholder from `chatops init`",
                     f"set them in {ctx.config_path} (stack {ctx.stack}) or rerun `chatops init --stack {ctx.stack} "
                     "--auth0-domain D --auth0-audience A --force`")
    return Check("auth0", "pass", f"tenant {auth0.domain}, audience {auth0.audience}")


def check_names(ctx: DoctorContext) -> Check:
    shortened = too_long(ctx.config.project, ctx.stack)
    if shortened:
        return Check("names", "warn", "shortened to fit AWS limits: " + "; ".join(shortened),
                     "fine to deploy; pick a shorter project or stack name for readable names")
    return Check("names", "pass", f"every name of {ctx.config.project}-{ctx.stack} fits its AWS limit")
