"""The moto server, the fault server and clean AWS settings for the boto3 tests (tests/support/aws_servers.py)."""

from tests.support.aws_servers import aws_env, closed_port_url, fault_server, moto_url  # noqa: F401 (fixtures)
