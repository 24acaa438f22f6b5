"""The conformance harness's own parts that need no terraform: finding the mirror, naming, escaping."""

from __future__ import annotations

import pytest

from tests.support.terraform.convert import escape
from tests.support.terraform.locate import PROVIDER_SOURCE, PROVIDER_VERSION, find_mirror, find_toolchain
from tests.support.terraform.schema import camel, plural, snake


def _mirror(root):
    binary = root / PROVIDER_SOURCE / PROVIDER_VERSION / "linux_amd64" / f"terraform-provider-aws_v{PROVIDER_VERSION}_x5"
    binary.parent.mkdir(parents=True)
    binary.write_bytes(b"")
    return root


def test_the_mirror_is_found_where_tf_plugin_mirror_says(tmp_path, monkeypatch):
    mirror = _mirror(tmp_path / "somewhere" / "plugins")
    monkeypatch.setenv("TF_PLUGIN_MIRROR", str(tmp_path / "somewhere"))
    assert find_mirror() == mirror


def test_a_missing_mirror_is_a_reason_not_a_crash(tmp_path, monkeypatch):
    monkeypatch.setenv("TF_PLUGIN_MIRROR", str(tmp_path))
    found = find_toolchain()
    assert isinstance(found, str), f"found a mirror in an empty directory: {found}"
    if not found.startswith("terraform is not on PATH"):
        assert "TF_PLUGIN_MIRROR" in found and str(tmp_path) in found


@pytest.mark.parametrize("terraform,pulumi", [
    ("capacity_provider_strategy", "capacityProviderStrategies"), ("load_balancer", "loadBalancers"),
    ("alias", "aliases"), ("subnet_ids", "subnetIds"), ("egress", "egresses"), ("policy", "policies"),
])
def test_pluralised_pulumi_names(terraform, pulumi):
    assert camel(plural(terraform)) == pulumi


def test_snake_of_a_pulumi_type_name():
    assert snake("ProxyDefaultTargetGroup") == "proxy_default_target_group"


def test_literal_strings_cannot_interpolate():
    assert escape('{"Resource": "arn:aws:s3:::b/${aws:username}/%{x}"}') == \
        '{"Resource": "arn:aws:s3:::b/$${aws:username}/%%{x}"}'


def test_ci_is_told_when_the_provider_tests_will_be_skipped(tmp_path, monkeypatch):
    from tests.support.terraform.locate import announce

    monkeypatch.setenv("TF_PLUGIN_MIRROR", str(tmp_path))
    assert announce().startswith("provider conformance tests: will be SKIPPED (")
