"""Credential problems found before any request is sent: still one line, exit 1."""

from __future__ import annotations

from tests.support.aws_servers import write_config


def test_no_credentials_is_one_line(run, moto_url, tmp_path):
    config = write_config(tmp_path)
    env = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None, "AWS_EC2_METADATA_DISABLED": "true",
           "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": None, "AWS_CONTAINER_CREDENTIALS_FULL_URI": None}
    result = run("cost-report", "--actual", "--stack", "prod", "--config", str(config), "--endpoint-url", moto_url,
                 env=env)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no AWS credentials" in lines[0] and "--aws-profile" in lines[0]


def test_unknown_aws_profile_is_one_line(run, moto_url, tmp_path):
    config = write_config(tmp_path)
    result = run("doctor", "--config", str(config), "--endpoint-url", moto_url, "--aws-profile", "nope")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "'nope' not found" in lines[0] and "--profile is a chatops tier" in lines[0]


def test_doctor_throttled_credentials_check_fails_the_check(run, fault_server, tmp_path):
    config = write_config(tmp_path)
    result = run("doctor", "--config", str(config), "--endpoint-url", fault_server(400, "Throttling"))
    assert result.exit_code == 4 and "throttled" in result.stdout and "Traceback" not in result.output
