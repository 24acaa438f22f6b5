"""What a stack really cost: Cost Explorer by service, for the stack's tags, next to chatops's estimate.

One GetCostAndUsage call (MONTHLY granularity from the first day of last month to today) returns both the
last full month and month-to-date. Costs are filtered by the tags every resource carries (project and
stack), which Cost Explorer only sees once they are activated as cost allocation tags.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Optional

from chatops.aws.session import Aws, AwsError
from chatops.errors import ChatopsError

#: Cost Explorer's global endpoint lives in us-east-1 whatever the stack's region.
CE_REGION = "us-east-1"
METRIC = "UnblendedCost"

#: Pulumi type token of an estimated resource -> the SERVICE dimension value Cost Explorer bills it under.
CE_SERVICE_BY_TYPE: dict[str, str] = {
    "aws:ec2/natGateway:NatGateway": "EC2 - Other",  # NAT hours and data processing
    "aws:ec2/eip:Eip": "Amazon Virtual Private Cloud",  # public IPv4 addresses (since 2024)
    "aws:lb/loadBalancer:LoadBalancer": "Elastic Load Balancing",
    "aws:wafv2/webAcl:WebAcl": "AWS WAF",
    "aws:ecs/cluster:Cluster": "AmazonCloudWatch",  # the cluster's cost is Container Insights metrics
    "aws:ecs/service:Service": "Amazon Elastic Container Service",
    "aws:ecr/repository:Repository": "Amazon EC2 Container Registry (ECR)",
    "aws:rds/instance:Instance": "Amazon Relational Database Service",
    "aws:rds/proxy:Proxy": "Amazon Relational Database Service",
    "aws:backup/vault:Vault": "AWS Backup",
    "aws:elasticache/replicationGroup:ReplicationGroup": "Amazon ElastiCache",
    "aws:sqs/queue:Queue": "Amazon Simple Queue Service",
    "aws:sns/topic:Topic": "Amazon Simple Notification Service",
    "aws:secretsmanager/secret:Secret": "AWS Secrets Manager",
    "aws:cloudwatch/logGroup:LogGroup": "AmazonCloudWatch",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "AmazonCloudWatch",
    "aws:cloudwatch/dashboard:Dashboard": "AmazonCloudWatch",
    "aws:s3/bucket:Bucket": "Amazon Simple Storage Service",
}
OTHER = "Other (not in Cost Explorer's service list)"


@dataclass(frozen=True)
class Periods:
    last_month_start: date
    month_start: date
    today: date

    @property
    def elapsed_days(self) -> int:
        return (self.today - self.month_start).days

    @property
    def days_in_month(self) -> int:
        return calendar.monthrange(self.month_start.year, self.month_start.month)[1]


def periods_for(today: date) -> Periods:
    month_start = today.replace(day=1)
    last_month_start = (month_start - timedelta(days=1)).replace(day=1)
    return Periods(last_month_start, month_start, today)


def tag_filter(project: str, stack: str) -> dict[str, Any]:
    return {"And": [{"Tags": {"Key": "project", "Values": [project], "MatchOptions": ["EQUALS"]}},
                    {"Tags": {"Key": "stack", "Values": [stack], "MatchOptions": ["EQUALS"]}}]}


def fetch_costs(aws: Aws, project: str, stack: str, periods: Periods) -> tuple[dict[str, Decimal], dict[str, Decimal], bool]:
    """(last full month by service, month-to-date by service, any estimated figures)."""
    last: dict[str, Decimal] = {}
    mtd: dict[str, Decimal] = {}
    estimated = False
    kwargs: dict[str, Any] = {
        "TimePeriod": {"Start": periods.last_month_start.isoformat(), "End": periods.today.isoformat()},
        "Granularity": "MONTHLY", "Metrics": [METRIC], "Filter": tag_filter(project, stack),
        "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}]}
    while True:
        answer = _get_cost_and_usage(aws, project, stack, kwargs)
        for result in answer.get("ResultsByTime", []):
            target = last if result["TimePeriod"]["Start"] < periods.month_start.isoformat() else mtd
            estimated = estimated or bool(result.get("Estimated"))
            for group in result.get("Groups", []):
                service = group["Keys"][0]
                target[service] = target.get(service, Decimal(0)) + Decimal(group["Metrics"][METRIC]["Amount"])
        token = answer.get("NextPageToken")
        if not token:
            return last, mtd, estimated
        kwargs["NextPageToken"] = token


def _get_cost_and_usage(aws: Aws, project: str, stack: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    try:
        return aws.call("ce", "get_cost_and_usage", region=CE_REGION, **kwargs)
    except AwsError as exc:
        if exc.code == "DataUnavailableException" or "not enabled for cost explorer" in exc.aws_message.lower():
            raise ChatopsError("Cost Explorer is not enabled for this account: open Billing and Cost Management > "
                               "Cost Explorer once (or ask the payer account's admin); data appears within 24 "
                               "hours") from None
        raise


def not_tagged_message(project: str, stack: str) -> str:
    return (f"Cost Explorer has no costs tagged project={project} and stack={stack} for last month or this month. "
            "Activate the tags as cost allocation tags: Billing and Cost Management > Cost allocation tags > "
            "select project and stack > Activate (or `aws ce update-cost-allocation-tags-status "
            "--cost-allocation-tags-status TagKey=project,Status=Active TagKey=stack,Status=Active`); costs "
            "show up within 24 hours of activation (request a backfill there for earlier months)")


def estimate_by_service(estimate: Any) -> dict[str, Decimal]:
    """chatops's monthly estimate grouped the way Cost Explorer groups the bill."""
    out: dict[str, Decimal] = {}
    for resource in estimate.resources:
        service = CE_SERVICE_BY_TYPE.get(resource.resource_type, OTHER)
        out[service] = out.get(service, Decimal(0)) + resource.monthly_cost
    return out


def compare(estimate: dict[str, Decimal], last: dict[str, Decimal], mtd: dict[str, Decimal],
            periods: Periods) -> list[dict[str, Any]]:
    """One row per service with the variance of last month (and of this month's projection) to the estimate."""
    rows = []
    for service in sorted(set(estimate) | set(last) | set(mtd), key=lambda s: -(last.get(s) or estimate.get(s) or 0)):
        est, prev, now = estimate.get(service), last.get(service), mtd.get(service)
        projected = _project(now, periods)
        rows.append({"service": service, "estimate_monthly": est, "last_month_monthly": prev,
                     "month_to_date_monthly": now, "projected_monthly": projected,
                     "variance_monthly": _diff(prev, est), "variance_percent": _percent(prev, est),
                     "projected_variance_percent": _percent(projected, est)})
    return rows


def _project(mtd: Optional[Decimal], periods: Periods) -> Optional[Decimal]:
    if mtd is None or periods.elapsed_days <= 0:
        return None
    return (mtd / periods.elapsed_days * periods.days_in_month).quantize(Decimal("0.01"))


def _diff(actual: Optional[Decimal], estimate: Optional[Decimal]) -> Optional[Decimal]:
    if actual is None and estimate is None:
        return None
    return (actual or Decimal(0)) - (estimate or Decimal(0))


def _percent(actual: Optional[Decimal], estimate: Optional[Decimal]) -> Optional[float]:
    if actual is None or not estimate:
        return None
    return round(float((actual - estimate) / estimate * 100), 1)
