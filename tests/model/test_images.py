"""Image references: where each image comes from, what chatops can resolve, what it refuses."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from chatops.model.images import external_problem, image_source, reference_suffix
from chatops.model.settings import ImageRef, Images

DIGEST = "sha256:" + "0" * 64


@pytest.mark.parametrize("repository", ["ghcr.io/acme/api", "registry.local:5000/rt", "nginx", "acme/api",
                                        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shared/api"])
def test_repositories_accepted(repository):
    assert ImageRef(repository=repository, tag="1").repository == repository


@pytest.mark.parametrize("repository", ["ghcr.io/acme/api:1.2", "ghcr.io/acme/api@" + DIGEST, "Acme/API", "https://ghcr.io/a"])
def test_repository_with_tag_digest_or_scheme_is_refused(repository):
    with pytest.raises(ValidationError):
        ImageRef(repository=repository, tag="1")


def test_digest_must_be_sha256():
    with pytest.raises(ValidationError):
        ImageRef(tag="1", digest="sha256:abc")
    assert ImageRef(digest=DIGEST).digest == DIGEST


def test_no_tag_by_default():
    assert Images().api.tag is None and Images().api.digest is None


def test_sources():
    stack = image_source("api", ImageRef(tag="v1"), "chat", "prod", "eu-central-1")
    assert (stack.kind, stack.repository_name, stack.registry_id, stack.region) == (
        "stack", "chat-prod/api", None, "eu-central-1")
    shared = image_source("api", ImageRef(repository="210987654321.dkr.ecr.us-west-2.amazonaws.com/base/api", tag="v1"),
                          "chat", "prod", "eu-central-1")
    assert (shared.kind, shared.repository_name, shared.registry_id, shared.region) == (
        "ecr", "base/api", "210987654321", "us-west-2")
    ghcr = image_source("api", ImageRef(repository="ghcr.io/acme/api", tag="v1"), "chat", "prod", "eu-central-1")
    assert ghcr.kind == "external" and not ghcr.resolvable and ghcr.describe() == "ghcr.io/acme/api:v1"


@pytest.mark.parametrize("ref,problem", [
    (ImageRef(repository="ghcr.io/acme/api", tag="1.4.2"), None),
    (ImageRef(repository="ghcr.io/acme/api", tag="latest", digest=DIGEST), None),
    (ImageRef(repository="ghcr.io/acme/api", tag="latest"), "moving tag"),
    (ImageRef(repository="ghcr.io/acme/api", tag="Main"), "moving tag"),
    (ImageRef(repository="ghcr.io/acme/api"), "has no tag"),
    (ImageRef(tag="latest"), None),  # this stack's ECR: resolved to a digest, so any tag is fine
])
def test_external_problems(ref, problem):
    found = external_problem(image_source("api", ref, "chat", "prod", "us-east-1"))
    assert (found is None) if problem is None else (problem in found and "images.api" in found)


def test_reference_suffix():
    assert reference_suffix(ImageRef(tag="v1", digest=DIGEST)) == "@" + DIGEST
    assert reference_suffix(ImageRef(tag="v1")) == ":v1"
    assert reference_suffix(ImageRef()) == ":unreleased"


def test_with_tag_and_digests():
    images = Images(api=ImageRef(repository="ghcr.io/acme/api", tag="1")).with_tag("2", ["api", "workers"])
    assert images.api == ImageRef(repository="ghcr.io/acme/api", tag="2") and images.workers.tag == "2"
    assert images.realtime.tag is None
    assert images.with_digests({"realtime": DIGEST}).realtime.digest == DIGEST
