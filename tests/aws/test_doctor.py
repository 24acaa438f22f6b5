"""`chatops doctor` against a real moto server."""

from __future__ import annotations

import json
import re
import uuid

import boto3
import pytest

from tests.support.json_schemas import assert_valid

from tests.support.aws_servers import DOMAIN, REGION, write_config


def _zone(moto_url: str, name: str, private: bool = False) -> str:
    route53 = boto3.client("route53", endpoint_url=moto_url, region_name=REGION)
    kwargs = {"Name": name, "CallerReference": uuid.uuid4().hex}
    if private:
        ec2 = boto3.client("ec2", endpoint_url=moto_url, region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        kwargs["VPC"] = {"VPCRegion": REGION, "VPCId": vpc}
        kwargs["HostedZoneConfig"] = {"PrivateZone": True}
    # chatops.yaml accepts only real-looking ids (Z...); moto picks random ones, so retry until one fits.
    for _ in range(500):
        zone_id = route53.create_hosted_zone(**{**kwargs, "CallerReference": uuid.uuid4().hex})["HostedZone"]["Id"]
        zone_id = zone_id.rsplit("/", 1)[-1]
        if re.match(r"^Z[A-Z0-9]{1,32}$", zone_id):
            return zone_id
        route53.delete_hosted_zone(Id=zone_id)
    raise AssertionError("moto never produced a Z... hosted zone id")


def _doctor(run, config, moto_url, *extra):
    result = run("doctor", "--stack", "prod", "--config", str(config), "--endpoint-url", moto_url, "--json", *extra)
    assert result.stdout, result.stderr
    report = json.loads(result.stdout)
    assert_valid("doctor", report)
    return result, report


def _by_name(report):
    return {check["name"]: check for check in report["checks"]}


def test_doctor_reports_every_check(run, moto_url, tmp_path):
    config = write_config(tmp_path, zone_id=_zone(moto_url, "example.com"))
    result, report = _doctor(run, config, moto_url)
    checks = _by_name(report)
    assert set(checks) == {"pulumi cli", "aws credentials", "hosted zone", "database classes", "cache node types",
                           "fargate vcpu quota", "state backend", "passphrase", "auth0", "names"}
    assert checks["aws credentials"]["status"] == "pass"
    assert "123456789012" in checks["aws credentials"]["detail"] and REGION in checks["aws credentials"]["detail"]
    assert checks["hosted zone"]["status"] == "pass"
    assert checks["state backend"]["status"] == "pass"
    assert checks["passphrase"]["status"] == "pass"
    assert checks["names"]["status"] == "pass"
    # moto knows no PostgreSQL orderable options and no reserved cache offerings: warn, not fail.
    assert checks["database classes"]["status"] == "warn"
    assert checks["cache node types"]["status"] == "warn"
    # The Pulumi CLI is really missing here, so doctor fails (exit 4: unhealthy) and says how to install it.
    assert checks["pulumi cli"]["status"] == "fail" and "get.pulumi.com" in checks["pulumi cli"]["fix"]
    assert result.exit_code == 4 and report["ok"] is False and report["profile"] == "10k-dau"
    assert any(p.startswith("pulumi cli: ") for p in report["problems"])
    assert len(report["problems"]) == sum(c["status"] == "fail" for c in report["checks"])


def test_fargate_quota_falls_back_to_the_default_and_fails_for_a_big_tier(run, moto_url, tmp_path):
    zone = _zone(moto_url, "example.com")
    small = _by_name(_doctor(run, write_config(tmp_path, profile="dev", zone_id=zone), moto_url)[1])
    quota = small["fargate vcpu quota"]
    assert "default" in quota["detail"]  # Service Quotas gave no value for fargate
    big = _by_name(_doctor(run, write_config(tmp_path, profile="100k-dau", zone_id=zone), moto_url)[1])
    assert big["fargate vcpu quota"]["status"] == "fail"
    assert "L-3032A538" in big["fargate vcpu quota"]["fix"]


def test_zone_that_does_not_hold_the_domain_fails(run, moto_url, tmp_path):
    config = write_config(tmp_path, zone_id=_zone(moto_url, "other.org"))
    check = _by_name(_doctor(run, config, moto_url)[1])["hosted zone"]
    assert check["status"] == "fail" and DOMAIN in check["detail"]


def test_private_zone_fails(run, moto_url, tmp_path):
    config = write_config(tmp_path, zone_id=_zone(moto_url, "example.com", private=True))
    check = _by_name(_doctor(run, config, moto_url)[1])["hosted zone"]
    assert check["status"] == "fail" and "private" in check["detail"]


def test_missing_zone_fails(run, moto_url, tmp_path):
    config = write_config(tmp_path, zone_id="ZNOSUCHZONE123")
    check = _by_name(_doctor(run, config, moto_url)[1])["hosted zone"]
    assert check["status"] == "fail" and "does not exist" in check["detail"]


def test_long_names_warn(run, moto_url, tmp_path):
    # chat-production-eu-central-1-redis-adapter is 42 characters, over ElastiCache's 40.
    config = write_config(tmp_path, stack="production-eu-central-1", zone_id=_zone(moto_url, "example.com"))
    result = run("doctor", "--config", str(config), "--endpoint-url", moto_url, "--json")
    check = _by_name(json.loads(result.stdout))["names"]
    assert check["status"] == "warn" and "shortened" in check["detail"]


def test_s3_backend_missing_bucket_fails_and_existing_passes(run, moto_url, tmp_path):
    zone = _zone(moto_url, "example.com")
    config = write_config(tmp_path, zone_id=zone, backend="s3://no-such-chatops-state/prefix")
    assert _by_name(_doctor(run, config, moto_url)[1])["state backend"]["status"] == "fail"
    boto3.client("s3", endpoint_url=moto_url, region_name=REGION).create_bucket(Bucket="chatops-state")
    config = write_config(tmp_path, zone_id=zone, backend="s3://chatops-state/prefix")
    assert _by_name(_doctor(run, config, moto_url)[1])["state backend"]["status"] == "pass"


def test_human_output_is_a_table_with_a_verdict(run, moto_url, tmp_path):
    config = write_config(tmp_path, zone_id=_zone(moto_url, "example.com"))
    result = run("doctor", "--stack", "prod", "--config", str(config), "--endpoint-url", moto_url)
    assert "hosted zone" in result.stdout and "not ready" in result.stdout
    assert result.exit_code == 4 and "check(s) failed" in result.stderr


@pytest.mark.parametrize("status,code", [(403, "AccessDenied"), (403, "ExpiredToken")])
def test_credentials_failure_is_a_failed_check_and_skips_the_other_aws_checks(run, fault_server, tmp_path,
                                                                               status, code):
    config = write_config(tmp_path)
    result, report = _doctor(run, config, fault_server(status, code))
    checks = _by_name(report)
    assert checks["aws credentials"]["status"] == "fail" and code in checks["aws credentials"]["detail"]
    assert checks["hosted zone"]["detail"].startswith("not checked")
    assert result.exit_code == 4 and "Traceback" not in result.output


def test_auth0_placeholders_fail_the_auth0_check(run, moto_url, tmp_path):
    zone = _zone(moto_url, "example.com")
    checks = _by_name(_doctor(run, write_config(tmp_path, zone_id=zone), moto_url)[1])
    assert checks["auth0"]["status"] == "fail" and "placeholder" in checks["auth0"]["detail"]
    assert "--auth0-domain" in checks["auth0"]["fix"]
    config = write_config(tmp_path, zone_id=zone, auth0={"domain": "acme.eu.auth0.com", "audience": "https://api.acme.io"})
    checks = _by_name(_doctor(run, config, moto_url)[1])
    assert checks["auth0"]["status"] == "pass" and "acme.eu.auth0.com" in checks["auth0"]["detail"]


def test_doctor_table_at_80_columns_cuts_nothing(run, moto_url, tmp_path):
    config = write_config(tmp_path, zone_id=_zone(moto_url, "example.com"))
    report = _doctor(run, config, moto_url)[1]
    view = run("doctor", "--stack", "prod", "--config", str(config), "--endpoint-url", moto_url,
               env={"COLUMNS": "80"})
    assert max(len(line) for line in view.stdout.splitlines()) <= 80 and "…" not in view.stdout
    assert all(check["name"] in view.stdout for check in report["checks"])
