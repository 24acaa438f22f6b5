"""The moto server, the fault server and clean AWS settings for the boto3 tests (tests/support/aws_servers.py)."""

from tests.support.aws_servers import (aws_env, closed_port_url, ecr_layers_url, fault_server,  # noqa: F401 (fixtures)
                                       moto_url)
