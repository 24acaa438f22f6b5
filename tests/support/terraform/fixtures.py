"""pytest fixtures of the provider conformance tests (imported by tests/infra/conftest.py).

Everything is per session: one toolchain lookup, one `terraform init`, one schema dump, one bench.
The tests skip only when terraform or the provider mirror is missing, and say which.
"""

from __future__ import annotations

import pytest

from tests.support.terraform.bench import ProviderBench, load_schema
from tests.support.terraform.cli import Terraform
from tests.support.terraform.locate import Toolchain, find_toolchain
from tests.support.terraform.schema import ProviderSchema


@pytest.fixture(scope="session")
def tf_toolchain() -> Toolchain:
    found = find_toolchain()
    if isinstance(found, str):
        pytest.skip(f"provider conformance tests skipped: {found}")
    return found


@pytest.fixture(scope="session")
def terraform(tf_toolchain, tmp_path_factory) -> Terraform:
    return Terraform.session(tf_toolchain, tmp_path_factory.mktemp("terraform"))


@pytest.fixture(scope="session")
def provider_schema(terraform) -> ProviderSchema:
    return load_schema(terraform, terraform.root / "provider-schema.json")


@pytest.fixture(scope="session")
def provider_bench(terraform, provider_schema, graphs) -> ProviderBench:
    return ProviderBench(terraform, provider_schema, graphs)
