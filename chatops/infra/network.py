"""Network: VPC 10.0.0.0/16, a public and a private subnet per zone, NAT gateways, S3 endpoint, flow logs.

Subnets follow the seed's fixed layout (public 10.0.N.0/24, private 10.0.(100+N).0/24). Private subnets
route through NAT gateway `i % nat_gateways`, so with fewer NAT gateways than zones they share. With no
NAT gateway (dev) the tasks run in public subnets with public IPs and the private subnets only hold the
database and cache, which need no internet.
"""

from __future__ import annotations

import json
from typing import Optional

import pulumi
import pulumi_aws as aws

from chatops.model.naming import Names
from chatops.model.profile import Profile

VPC_CIDR = "10.0.0.0/16"


def public_cidr(index: int) -> str:
    return f"10.0.{index}.0/24"


def private_cidr(index: int) -> str:
    return f"10.0.{100 + index}.0/24"


def flow_logs_trust_policy(account_id: str, region: str) -> str:
    """Only the flow logs of this account and region may assume the role: the confused-deputy guard the
    VPC User Guide gives for the flow-logs role ("IAM role for publishing flow logs to CloudWatch
    Logs": aws:SourceAccount and aws:SourceArn conditions)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
        "Condition": {"StringEquals": {"aws:SourceAccount": account_id},
                      "ArnLike": {"aws:SourceArn": f"arn:aws:ec2:{region}:{account_id}:vpc-flow-log/*"}}}]})


class Network(pulumi.ComponentResource):
    vpc_id: pulumi.Output[str]
    public_subnet_ids: list[pulumi.Output[str]]
    private_subnet_ids: list[pulumi.Output[str]]
    task_subnet_ids: list[pulumi.Output[str]]
    assign_public_ip: bool
    #: The default routes of the task subnets (internet gateway or NAT): a task started before its route
    #: exists cannot pull its image, reach Secrets Manager or write logs.
    task_routes: list[aws.ec2.Route]

    def __init__(self, name: str, *, profile: Profile, names: Names, region: str, account_id: pulumi.Input[str],
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("chatops:network:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # Standard zones only (local and wavelength zones are excluded unless asked for); the first N.
        zones = aws.get_availability_zones_output(state="available", opts=pulumi.InvokeOutputOptions(parent=self))
        count = profile.network.availability_zones

        vpc = aws.ec2.Vpc("vpc", cidr_block=VPC_CIDR, enable_dns_hostnames=True, enable_dns_support=True,
                          tags={"Name": names.prefix}, opts=child)
        igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id, tags={"Name": names.prefix}, opts=child)

        public = [self._subnet("public", i, vpc, zones.names[i], names) for i in range(count)]
        private = [self._subnet("private", i, vpc, zones.names[i], names) for i in range(count)]

        public_rt = aws.ec2.RouteTable("public-rt", vpc_id=vpc.id, tags={"Name": f"{names.prefix}-public"},
                                       opts=child)
        public_route = aws.ec2.Route("public-default", route_table_id=public_rt.id,
                                     destination_cidr_block="0.0.0.0/0", gateway_id=igw.id, opts=child)
        for i, subnet in enumerate(public):
            aws.ec2.RouteTableAssociation(f"public-{i}", subnet_id=subnet.id, route_table_id=public_rt.id,
                                          opts=child)

        nats = [self._nat(i, public[i], names, igw) for i in range(profile.network.nat_gateways)]
        route_tables = [public_rt]
        private_routes = []
        for i, subnet in enumerate(private):
            rt = aws.ec2.RouteTable(f"private-rt-{i}", vpc_id=vpc.id,
                                    tags={"Name": f"{names.prefix}-private-{i}"}, opts=child)
            if nats:
                private_routes.append(aws.ec2.Route(
                    f"private-default-{i}", route_table_id=rt.id, destination_cidr_block="0.0.0.0/0",
                    nat_gateway_id=nats[i % len(nats)].id, opts=child))
            aws.ec2.RouteTableAssociation(f"private-{i}", subnet_id=subnet.id, route_table_id=rt.id, opts=child)
            route_tables.append(rt)

        # Free gateway endpoint: ECR image layers come from S3 without crossing the NAT gateways.
        aws.ec2.VpcEndpoint("s3", vpc_id=vpc.id, service_name=f"com.amazonaws.{region}.s3",
                            vpc_endpoint_type="Gateway", route_table_ids=[rt.id for rt in route_tables],
                            tags={"Name": f"{names.prefix}-s3"}, opts=child)
        self._flow_logs(vpc, profile, names, region, account_id)

        self.vpc_id = vpc.id
        self.public_subnet_ids = [s.id for s in public]
        self.private_subnet_ids = [s.id for s in private]
        self.assign_public_ip = profile.network.task_subnets == "public"
        self.task_subnet_ids = self.public_subnet_ids if self.assign_public_ip else self.private_subnet_ids
        self.task_routes = [public_route] if self.assign_public_ip else private_routes
        self.register_outputs({"vpc_id": self.vpc_id, "public_subnet_ids": self.public_subnet_ids,
                               "private_subnet_ids": self.private_subnet_ids})

    def _subnet(self, kind: str, index: int, vpc: aws.ec2.Vpc, zone: pulumi.Input[str],
                names: Names) -> aws.ec2.Subnet:
        cidr = public_cidr(index) if kind == "public" else private_cidr(index)
        return aws.ec2.Subnet(f"{kind}-{index}", vpc_id=vpc.id, cidr_block=cidr, availability_zone=zone,
                              # Only the tasks of a public-subnet tier get public IPs, set per service.
                              map_public_ip_on_launch=False,
                              tags={"Name": f"{names.prefix}-{kind}-{index}", "tier-subnet": kind},
                              opts=pulumi.ResourceOptions(parent=self))

    def _nat(self, index: int, subnet: aws.ec2.Subnet, names: Names,
             igw: aws.ec2.InternetGateway) -> aws.ec2.NatGateway:
        child = pulumi.ResourceOptions(parent=self)
        eip = aws.ec2.Eip(f"nat-{index}", domain="vpc", tags={"Name": f"{names.prefix}-nat-{index}"}, opts=child)
        return aws.ec2.NatGateway(f"nat-{index}", allocation_id=eip.id, subnet_id=subnet.id,
                                  connectivity_type="public", tags={"Name": f"{names.prefix}-nat-{index}"},
                                  opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]))

    def _flow_logs(self, vpc: aws.ec2.Vpc, profile: Profile, names: Names, region: str,
                   account_id: pulumi.Input[str]) -> None:
        child = pulumi.ResourceOptions(parent=self)
        group = aws.cloudwatch.LogGroup("flow-logs", name=names.log_group("vpc-flow-logs"),
                                        retention_in_days=profile.network.flow_logs_retention_days, opts=child)
        role = aws.iam.Role("flow-logs", name=names.global_name("iam_role", "flow-logs"),
                            assume_role_policy=pulumi.Output.from_input(account_id).apply(
                                lambda account: flow_logs_trust_policy(account, region)),
                            opts=child)
        policy = aws.iam.RolePolicy("flow-logs", role=role.id, policy=group.arn.apply(lambda arn: json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow",
                           "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                           "Resource": [arn, f"{arn}:*"]}]})), opts=child)
        aws.ec2.FlowLog("vpc", vpc_id=vpc.id, traffic_type="ALL", log_destination_type="cloud-watch-logs",
                        log_destination=group.arn, iam_role_arn=role.arn, max_aggregation_interval=600,
                        tags={"Name": f"{names.prefix}-flow-logs"},
                        # CreateFlowLogs checks that the role may write to the group: a role without its
                        # policy yet leaves the flow log in a delivery error.
                        opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]))
