"""Recording a change in chatops.yaml: comments, quoting, flow style and anchors survive; nothing else changes."""

from __future__ import annotations

import pytest
import yaml

from chatops.model.config_edit import ConfigEditError, edited_config_text

BLOCK = """# our stacks
project: chat   # the project
stacks:
  prod:
    profile: "50k-dau"   # bumped in March
    region: eu-central-1
    domain: chat.example.com
    hosted_zone_id: Z1
  staging:
    profile: 10k-dau
    region: eu-central-1
    domain: staging.example.com
    hosted_zone_id: Z1
"""

FLOW = """project: chat
stacks:
  prod: {profile: 50k-dau, region: eu-central-1, domain: chat.example.com, hosted_zone_id: Z1}
  dev: {profile: dev, region: eu-central-1, domain: dev.example.com, hosted_zone_id: Z1}
"""

MERGED = """project: chat
stacks:
  staging: &base
    profile: 10k-dau
    region: eu-central-1
    domain: staging.example.com
    hosted_zone_id: Z1
  prod:
    <<: *base
    domain: chat.example.com
"""

ALIASED_IMAGES = """project: chat
stacks:
  staging:
    profile: 10k-dau
    region: eu-central-1
    domain: staging.example.com
    hosted_zone_id: Z1
    images: &images {api: {tag: v1}}
  prod:
    profile: 50k-dau
    region: eu-central-1
    domain: chat.example.com
    hosted_zone_id: Z1
    images: *images
"""


def test_block_style_keeps_comments_and_other_stacks() -> None:
    new = edited_config_text(BLOCK, "prod", {("profile",): "100k-dau"})
    assert "# our stacks" in new and "# the project" in new and "# bumped in March" in new
    data = yaml.safe_load(new)
    assert data["stacks"]["prod"]["profile"] == "100k-dau"
    assert data["stacks"]["staging"]["profile"] == "10k-dau"


def test_flow_style_stack_is_edited() -> None:
    data = yaml.safe_load(edited_config_text(FLOW, "prod", {("profile",): "100k-dau"}))
    assert data["stacks"]["prod"]["profile"] == "100k-dau" and data["stacks"]["dev"]["profile"] == "dev"


def test_merge_key_inherited_value_is_overridden_only_for_that_stack() -> None:
    data = yaml.safe_load(edited_config_text(MERGED, "prod", {("profile",): "100k-dau"}))
    assert data["stacks"]["prod"]["profile"] == "100k-dau"
    assert data["stacks"]["staging"]["profile"] == "10k-dau"


def test_nested_value_created_when_absent() -> None:
    data = yaml.safe_load(edited_config_text(BLOCK, "prod", {("images", "api", "tag"): "v2"}))
    assert data["stacks"]["prod"]["images"] == {"api": {"tag": "v2"}}


def test_shared_alias_is_refused_not_written() -> None:
    with pytest.raises(ConfigEditError, match="also change other values"):
        edited_config_text(ALIASED_IMAGES, "prod", {("images", "api", "tag"): "v2"})


def test_invalid_result_is_refused() -> None:
    with pytest.raises(ConfigEditError, match="would not validate"):
        edited_config_text(BLOCK, "prod", {("region",): "mars"})


def test_missing_stack_and_unparsable_text() -> None:
    with pytest.raises(ConfigEditError, match="no mapping stacks.qa"):
        edited_config_text(BLOCK, "qa", {("profile",): "1k-dau"})
    with pytest.raises(ConfigEditError, match="cannot be parsed"):
        edited_config_text("stacks: [", "prod", {("profile",): "1k-dau"})
