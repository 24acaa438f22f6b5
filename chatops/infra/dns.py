"""DNS and TLS: the `api.<domain>` certificate (DNS-validated in the hosted zone, or an existing ARN)
and the `api.<domain>` alias record to the load balancer."""

from __future__ import annotations

from typing import Optional

import pulumi
import pulumi_aws as aws

from chatops.model.settings import DeploymentSettings


def api_host(settings: DeploymentSettings) -> str:
    """The public host name of the API and the sockets (the root domain stays with the web frontend)."""
    return f"api.{settings.domain}"


class Certificate(pulumi.ComponentResource):
    """The ACM certificate for api.<domain>: the one given in the settings, or a new DNS-validated one."""

    arn: pulumi.Output[str]

    def __init__(self, name: str, *, settings: DeploymentSettings,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("chatops:dns:Certificate", name, None, opts)
        if settings.certificate_arn:
            self.arn = pulumi.Output.from_input(settings.certificate_arn)
        else:
            self.arn = self._validated(settings)
        self.register_outputs({"arn": self.arn})

    def _validated(self, settings: DeploymentSettings) -> pulumi.Output[str]:
        child = pulumi.ResourceOptions(parent=self)
        cert = aws.acm.Certificate("api", domain_name=api_host(settings), validation_method="DNS",
                                   tags={"Name": api_host(settings)}, opts=child)
        option = cert.domain_validation_options[0]
        record = aws.route53.Record("api-cert-validation", zone_id=settings.hosted_zone_id,
                                    name=option.resource_record_name, type=option.resource_record_type,
                                    records=[option.resource_record_value], ttl=60, allow_overwrite=True,
                                    opts=child)
        validation = aws.acm.CertificateValidation("api", certificate_arn=cert.arn,
                                                   validation_record_fqdns=[record.fqdn], opts=child)
        # Listeners wait for validation: an unvalidated certificate cannot be attached.
        return validation.certificate_arn


class ApiRecord(pulumi.ComponentResource):
    """api.<domain> -> the ALB (only when the settings name a hosted zone)."""

    def __init__(self, name: str, *, settings: DeploymentSettings, alb_dns_name: pulumi.Input[str],
                 alb_zone_id: pulumi.Input[str], opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("chatops:dns:ApiRecord", name, None, opts)
        aws.route53.Record("api", zone_id=settings.hosted_zone_id, name=api_host(settings), type="A",
                           aliases=[aws.route53.RecordAliasArgs(name=alb_dns_name, zone_id=alb_zone_id,
                                                                evaluate_target_health=True)],
                           opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"fqdn": api_host(settings)})
