"""Security groups, least privilege: every rule is its own resource with a description.

- ALB: 80 and 443 from anywhere (80 only redirects to 443).
- api / realtime: their container port, from the ALB's group only.
- workers: no ingress.
- RDS proxy (only when the profile enables it): 5432 from the three services.
- RDS: 5432 from the three services and the proxy.
- Redis: 6379 from the three services.
- db-admin (the `chatops db bootstrap` task): no ingress; egress 5432 to the database and 443 anywhere
  (image pull from ECR Public, Secrets Manager, CloudWatch Logs, the RDS CA bundle); the database
  accepts 5432 from it.
Egress: the ALB only to the two web services' ports; services anywhere (Auth0, push providers, AWS
APIs); the proxy to the database; the database and cache nowhere.

The VPC's default security group is adopted and emptied: nothing uses it, and a default group that
allows traffic between its members is what an instance launched without a group would get (Checkov
CKV2_AWS_12, AWS Security Hub EC2.2 "VPC default security groups should not allow inbound or outbound
traffic"). No proxy group exists without a proxy (Checkov CKV2_AWS_5: security groups attached to
nothing).
"""

from __future__ import annotations

from typing import Optional

import pulumi
import pulumi_aws as aws

from chatops.model.naming import Names
from chatops.model.profile import Profile

POSTGRES_PORT = 5432
REDIS_PORT = 6379
SERVICES = ("api", "realtime", "workers")


class SecurityGroups(pulumi.ComponentResource):
    alb: pulumi.Output[str]
    services: dict[str, pulumi.Output[str]]
    database: pulumi.Output[str]
    database_admin: pulumi.Output[str]
    proxy: Optional[pulumi.Output[str]]
    cache: pulumi.Output[str]

    def __init__(self, name: str, *, profile: Profile, names: Names, vpc_id: pulumi.Input[str],
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("chatops:security:SecurityGroups", name, None, opts)
        self._names = names
        self._vpc_id = vpc_id

        # Adopted with no rules: the provider revokes every rule of the default group when it adopts it,
        # and the explicit empty lists (ingress/egress are optional+computed) make a rule added later by
        # hand show as drift that the next update removes.
        aws.ec2.DefaultSecurityGroup("vpc-default", vpc_id=vpc_id, ingress=[], egress=[],
                                     tags={"Name": f"{names.prefix}-default-unused"},
                                     opts=pulumi.ResourceOptions(parent=self))
        alb = self._group("alb", "Application load balancer: HTTP/HTTPS from the internet")
        services = {s: self._group(s, f"{s} tasks") for s in SERVICES}
        database = self._group("db", "RDS PostgreSQL: only from the services and the RDS proxy")
        proxy = self._group("db-proxy", "RDS proxy: only from the services") if profile.database.proxy.enabled \
            else None
        cache = self._group("redis", "ElastiCache Redis: only from the services")
        admin = self._group("db-admin", "db bootstrap task: the database and HTTPS out, nothing in")

        for port in (80, 443):
            self._ingress(f"alb-{port}", alb, port, "internet", cidr="0.0.0.0/0")
        web_ports = {"api": profile.api.container_port, "realtime": profile.realtime.container_port}
        for service, port in web_ports.items():
            self._ingress(f"{service}-from-alb", services[service], port, "the ALB", source=alb)
            self._egress(f"alb-to-{service}", alb, port, f"{service} tasks", destination=services[service])
        for service in SERVICES:
            self._egress(f"{service}-all", services[service], None, "Auth0, push providers, AWS APIs",
                         cidr="0.0.0.0/0")
            self._ingress(f"db-from-{service}", database, POSTGRES_PORT, f"{service} tasks", source=services[service])
            self._ingress(f"redis-from-{service}", cache, REDIS_PORT, f"{service} tasks", source=services[service])
            if proxy is not None:
                self._ingress(f"proxy-from-{service}", proxy, POSTGRES_PORT, f"{service} tasks",
                              source=services[service])
        self._ingress("db-from-admin", database, POSTGRES_PORT, "the db bootstrap task", source=admin)
        self._egress("admin-to-db", admin, POSTGRES_PORT, "the database", destination=database)
        self._egress("admin-https", admin, 443, "ECR Public, Secrets Manager, CloudWatch Logs, RDS CA bundle",
                     cidr="0.0.0.0/0")
        if proxy is not None:
            self._ingress("db-from-proxy", database, POSTGRES_PORT, "the RDS proxy", source=proxy)
            self._egress("proxy-to-db", proxy, POSTGRES_PORT, "the database", destination=database)

        self.alb = alb.id
        self.services = {s: g.id for s, g in services.items()}
        self.database = database.id
        self.database_admin = admin.id
        self.proxy = proxy.id if proxy is not None else None
        self.cache = cache.id
        self.register_outputs({"alb": self.alb, "database": self.database, "proxy": self.proxy,
                               "cache": self.cache, **{f"service_{s}": i for s, i in self.services.items()}})

    def _group(self, component: str, description: str) -> aws.ec2.SecurityGroup:
        name = self._names.of("security_group", component)
        # No inline rules: with rule resources below, an empty inline list would fight them. AWS adds
        # an allow-all egress to new groups; the provider removes it when no inline egress is given.
        return aws.ec2.SecurityGroup(component, name=name, description=description, vpc_id=self._vpc_id,
                                     tags={"Name": name}, opts=pulumi.ResourceOptions(parent=self))

    def _ingress(self, logical: str, group: aws.ec2.SecurityGroup, port: int, what: str, *,
                 source: Optional[aws.ec2.SecurityGroup] = None, cidr: Optional[str] = None) -> None:
        aws.vpc.SecurityGroupIngressRule(
            logical, security_group_id=group.id, ip_protocol="tcp", from_port=port, to_port=port,
            referenced_security_group_id=source.id if source else None, cidr_ipv4=cidr,
            description=f"from {what}", opts=pulumi.ResourceOptions(parent=self))

    def _egress(self, logical: str, group: aws.ec2.SecurityGroup, port: Optional[int], what: str, *,
                destination: Optional[aws.ec2.SecurityGroup] = None, cidr: Optional[str] = None) -> None:
        all_traffic = port is None
        aws.vpc.SecurityGroupEgressRule(
            logical, security_group_id=group.id, ip_protocol="-1" if all_traffic else "tcp",
            from_port=None if all_traffic else port, to_port=None if all_traffic else port,
            referenced_security_group_id=destination.id if destination else None, cidr_ipv4=cidr,
            description=f"to {what}", opts=pulumi.ResourceOptions(parent=self))
