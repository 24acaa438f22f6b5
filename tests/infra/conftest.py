"""Fixtures of the infra tests: the provider conformance harness (tests/support/terraform/)."""

from tests.support.terraform.fixtures import provider_bench, provider_schema, terraform, tf_toolchain  # noqa: F401
