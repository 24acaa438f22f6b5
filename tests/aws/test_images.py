"""Image resolution against a real moto ECR: digests of pushed images, what a first deploy lacks, tags that
are not there, other registries, and the platforms an image offers."""

from __future__ import annotations

import uuid

import pytest

from chatops.aws.images import image_platforms, resolve_images, resolved_digests
from chatops.aws.session import AwsError, make_aws
from chatops.model.settings import ImageRef, Images
from tests.support.aws_servers import REGION, create_repository, push_image

DIGEST = "sha256:" + "c" * 64


@pytest.fixture
def stack() -> str:
    """A fresh stack name per test, so each test has its own repositories in the shared moto server."""
    return "s" + uuid.uuid4().hex[:8]


def _states(moto_url, stack, images):
    return {s.service: s for s in resolve_images(make_aws(REGION, endpoint_url=moto_url), "chat", stack, images)}


def test_no_repositories_yet(moto_url, stack):
    states = _states(moto_url, stack, Images())
    assert {s.status for s in states.values()} == {"no_repository"}
    assert all(s.needs_push and not s.deployable for s in states.values())
    assert f"chat-{stack}/api does not exist yet" in states["api"].problem


def test_repositories_without_a_release(moto_url, stack):
    uri = create_repository(moto_url, f"chat-{stack}/api")
    state = _states(moto_url, stack, Images())["api"]
    assert state.status == "unreleased" and state.repository_uri == uri and state.needs_push
    assert uri.endswith(f".dkr.ecr.{REGION}.amazonaws.com/chat-{stack}/api")


def test_pushed_tags_resolve_to_their_digests(moto_url, stack):
    digests = {s: push_image(moto_url, f"chat-{stack}/{s}", "v1") for s in ("api", "realtime", "workers")}
    states = _states(moto_url, stack, Images().with_tag("v1", ["api", "realtime", "workers"]))
    assert all(s.status == "resolved" and s.deployable for s in states.values())
    assert resolved_digests(list(states.values())) == digests
    # A new push under a new tag is a new digest: that is what rolls out.
    assert push_image(moto_url, f"chat-{stack}/api", "v2") != digests["api"]


def test_a_tag_that_is_not_there_lists_the_latest_tags(moto_url, stack):
    for tag in ("v1", "v2", "v3"):
        push_image(moto_url, f"chat-{stack}/api", tag)
    state = _states(moto_url, stack, Images(api=ImageRef(tag="v4")))["api"]
    assert state.status == "not_found" and state.needs_push
    assert set(state.recent_tags) == {"v1", "v2", "v3"}
    assert "no image tagged v4" in state.problem and "v1" in state.problem


def test_a_pinned_digest_is_checked(moto_url, stack):
    digest = push_image(moto_url, f"chat-{stack}/api", "v1")
    states = _states(moto_url, stack, Images(api=ImageRef(digest=digest), realtime=ImageRef(digest=DIGEST)))
    assert states["api"].status == "resolved" and states["api"].digest == digest
    assert states["realtime"].status in ("no_repository", "not_found")


def test_ecr_of_another_region(moto_url, stack):
    digest = push_image(moto_url, f"shared-{stack}/api", "1.0", region="us-west-2")
    ref = ImageRef(repository=f"123456789012.dkr.ecr.us-west-2.amazonaws.com/shared-{stack}/api", tag="1.0")
    state = _states(moto_url, stack, Images(api=ref))["api"]
    assert state.source.kind == "ecr" and state.status == "resolved" and state.digest == digest
    missing = ImageRef(repository="123456789012.dkr.ecr.us-west-2.amazonaws.com/nope/api", tag="1.0")
    state = _states(moto_url, stack, Images(api=missing))["api"]
    assert state.status == "no_repository" and "check images.api.repository" in state.problem
    assert not state.needs_push  # not this stack's repository: chatops will not create it


def test_other_registries_by_tag_or_pinned_digest(moto_url, stack):
    states = _states(moto_url, stack, Images(
        api=ImageRef(repository="ghcr.io/acme/api", tag="1.4.2"),
        realtime=ImageRef(repository="ghcr.io/acme/rt", tag="latest"),
        workers=ImageRef(repository="ghcr.io/acme/wk", tag="latest", digest=DIGEST)))
    assert states["api"].status == "by_tag" and states["api"].deployable and states["api"].digest is None
    assert states["realtime"].status == "refused" and "moving tag" in states["realtime"].problem
    assert states["workers"].status == "resolved" and states["workers"].digest == DIGEST


def test_access_denied_is_one_line(fault_server, stack):
    aws = make_aws(REGION, endpoint_url=fault_server(400, "AccessDeniedException"))
    with pytest.raises(AwsError, match="grant ecr:DescribeRepositories"):
        resolve_images(aws, "chat", stack, Images())


def test_platforms_of_an_image_index(moto_url, stack):
    push_image(moto_url, f"chat-{stack}/api", "multi", platforms=("linux/amd64", "linux/arm64"))
    push_image(moto_url, f"chat-{stack}/realtime", "amd", platforms=("linux/amd64", "linux/386"))
    aws = make_aws(REGION, endpoint_url=moto_url)
    states = {s.service: s for s in resolve_images(aws, "chat", stack, Images(
        api=ImageRef(tag="multi"), realtime=ImageRef(tag="amd")))}
    multi = image_platforms(aws, states["api"])
    assert multi.index and multi.known and multi.supports("arm64") and multi.supports("amd64")
    assert multi.platforms == ("linux/amd64", "linux/arm64")  # the attestation entry is not a platform
    amd = image_platforms(aws, states["realtime"])
    assert amd.known and not amd.supports("arm64")


def test_platform_of_a_single_platform_image_from_its_config(ecr_layers_url, stack):
    # moto has no GetDownloadUrlForLayer: the ECR layer double (tests/support/aws_servers.py) adds it.
    push_image(ecr_layers_url, f"chat-{stack}/api", "arm", platforms=("linux/arm64",))
    push_image(ecr_layers_url, f"chat-{stack}/workers", "amd", platforms=("linux/amd64",))
    aws = make_aws(REGION, endpoint_url=ecr_layers_url)
    states = {s.service: s for s in resolve_images(aws, "chat", stack, Images(
        api=ImageRef(tag="arm"), workers=ImageRef(tag="amd")))}
    arm = image_platforms(aws, states["api"])
    assert arm.known and not arm.index and arm.platforms == ("linux/arm64",) and arm.supports("arm64")
    assert not image_platforms(aws, states["workers"]).supports("arm64")


def test_unreadable_config_is_unknown_not_a_crash(moto_url, stack):
    push_image(moto_url, f"chat-{stack}/api", "one")
    aws = make_aws(REGION, endpoint_url=moto_url)
    state = resolve_images(aws, "chat", stack, Images(api=ImageRef(tag="one")))[0]
    platforms = image_platforms(aws, state)
    assert not platforms.known and "GetDownloadUrlForLayer" in platforms.reason
