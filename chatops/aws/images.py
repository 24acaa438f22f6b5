"""Images through the ECR API: resolve each configured image to its digest before an update, and read the
platforms an image offers (doctor's Graviton check).

Resolution never raises for an image that is merely not there yet: each service gets an ImageState
saying what was found, so `up` can tell a first deploy (repositories missing or empty: create them,
print the push commands, stop) from a typo in a tag (stop, list the tags the repository does hold).
Other AWS failures (credentials, access denied) are raised as one-line AwsErrors.

ECR API: DescribeRepositories, DescribeImages (imageDigest is the digest of what the tag points to, an
image index for multi-platform images), BatchGetImage (the manifest), GetDownloadUrlForLayer (a config
blob, for single-platform images). https://docs.aws.amazon.com/AmazonECR/latest/APIReference/
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Literal, Optional

from chatops.aws.session import Aws, AwsError
from chatops.model.images import SERVICES, ImageSource, external_problem, image_source
from chatops.model.settings import Images

Status = Literal["resolved", "by_tag", "unreleased", "no_repository", "not_found", "refused"]
#: How many of a repository's most recent tags a "tag not found" message lists.
RECENT_TAGS = 5

INDEX_TYPES = ("application/vnd.oci.image.index.v1+json",
               "application/vnd.docker.distribution.manifest.list.v2+json")
MANIFEST_TYPES = ("application/vnd.oci.image.manifest.v1+json",
                  "application/vnd.docker.distribution.manifest.v2+json")
CONFIG_READ_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class ImageState:
    """What chatops found for one service's image."""

    source: ImageSource
    status: Status
    digest: Optional[str] = None
    repository_uri: Optional[str] = None  # ECR: <registry>/<name>, what `docker push` takes
    recent_tags: tuple[str, ...] = ()
    problem: str = ""

    @property
    def service(self) -> str:
        return self.source.service

    @property
    def deployable(self) -> bool:
        return self.status in ("resolved", "by_tag")

    @property
    def needs_push(self) -> bool:
        """This stack's repository exists (or is about to) but holds no image for the configured tag."""
        return self.source.kind == "stack" and self.status in ("unreleased", "no_repository", "not_found")


def resolve_images(aws: Aws, project: str, stack: str, images: Images) -> list[ImageState]:
    """One ImageState per service, in SERVICES order."""
    states = []
    for service in SERVICES:
        source = image_source(service, getattr(images, service), project, stack, aws.region)
        states.append(_resolve_ecr(aws, source) if source.resolvable else _external(source))
    return states


def resolved_digests(states: list[ImageState]) -> dict[str, str]:
    return {s.service: s.digest for s in states if s.digest}


def _external(source: ImageSource) -> ImageState:
    problem = external_problem(source)
    if problem:
        return ImageState(source, "refused", problem=problem)
    if source.ref.digest:
        return ImageState(source, "resolved", digest=source.ref.digest)
    return ImageState(source, "by_tag")


def _ecr_kwargs(source: ImageSource) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"region": source.region}
    if source.registry_id:
        kwargs["registryId"] = source.registry_id
    return kwargs


def _resolve_ecr(aws: Aws, source: ImageSource) -> ImageState:
    kwargs = _ecr_kwargs(source)
    try:
        repository = aws.call("ecr", "describe_repositories", repositoryNames=[source.repository_name],
                              **kwargs)["repositories"][0]
    except AwsError as exc:
        if exc.code != "RepositoryNotFoundException":
            raise
        return ImageState(source, "no_repository", problem=_no_repository(source))
    uri = repository["repositoryUri"]
    ref = source.ref
    if ref.digest is None and ref.tag is None:
        return ImageState(source, "unreleased", repository_uri=uri,
                          problem=f"{source.field}: no tag released yet ({uri} exists)")
    image_id = {"imageDigest": ref.digest} if ref.digest else {"imageTag": ref.tag}
    try:
        details = aws.call("ecr", "describe_images", repositoryName=source.repository_name, imageIds=[image_id],
                           **kwargs)["imageDetails"]
    except AwsError as exc:
        if exc.code != "ImageNotFoundException":
            raise
        details = []
    if not details:
        recent = recent_tags(aws, source)
        held = f"; its latest tags: {', '.join(recent)}" if recent else "; it holds no tagged image"
        wanted = ref.digest or f"tagged {ref.tag}"
        return ImageState(source, "not_found", repository_uri=uri, recent_tags=recent,
                          problem=f"{source.field}: no image {wanted} in {uri}{held}")
    return ImageState(source, "resolved", digest=details[0]["imageDigest"], repository_uri=uri)


def _no_repository(source: ImageSource) -> str:
    if source.kind == "stack":
        return f"{source.field}: this stack's repository {source.repository_name} does not exist yet"
    return (f"{source.field}: repository {source.repository_name} not found in registry {source.registry_id} "
            f"({source.region}); check {source.field}.repository")


def recent_tags(aws: Aws, source: ImageSource) -> tuple[str, ...]:
    """The repository's most recently pushed tags, newest first."""
    details = list(aws.paginate("ecr", "describe_images", "imageDetails", repositoryName=source.repository_name,
                                filter={"tagStatus": "TAGGED"}, **_ecr_kwargs(source)))
    details.sort(key=lambda d: d["imagePushedAt"].timestamp() if d.get("imagePushedAt") else 0.0, reverse=True)
    return tuple(tag for d in details for tag in d.get("imageTags", []))[:RECENT_TAGS]


# ---- platforms (doctor) ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Platforms:
    """The os/architecture pairs an image runs on; `known` False when they could not be read."""

    platforms: tuple[str, ...] = ()
    index: bool = False  # an image index / manifest list (multi-platform)
    known: bool = True
    reason: str = ""
    architectures: frozenset[str] = field(default_factory=frozenset)

    def supports(self, architecture: str) -> bool:
        return architecture in self.architectures


def image_platforms(aws: Aws, state: ImageState) -> Platforms:
    """The platforms of a resolved ECR image: from the index's entries, else from the image's config blob."""
    source = state.source
    kwargs = _ecr_kwargs(source)
    answer = aws.call("ecr", "batch_get_image", repositoryName=source.repository_name,
                      imageIds=[{"imageDigest": state.digest}], acceptedMediaTypes=[*INDEX_TYPES, *MANIFEST_TYPES],
                      **kwargs)
    if not answer.get("images"):
        failure = (answer.get("failures") or [{}])[0]
        return Platforms(known=False, reason=f"BatchGetImage: {failure.get('failureReason', 'no image returned')}")
    image = answer["images"][0]
    manifest = json.loads(image["imageManifest"])
    media_type = image.get("imageManifestMediaType") or manifest.get("mediaType", "")
    if media_type in INDEX_TYPES or "manifests" in manifest:
        return _index_platforms(manifest)
    return _config_platform(aws, source, manifest)


def _index_platforms(manifest: dict[str, Any]) -> Platforms:
    found = []
    for entry in manifest.get("manifests", []):
        platform = entry.get("platform") or {}
        arch, os_name = platform.get("architecture"), platform.get("os")
        if not arch or arch == "unknown":  # buildx attestation manifests carry unknown/unknown
            continue
        found.append((os_name or "?", arch, platform.get("variant")))
    return Platforms(tuple(f"{o}/{a}" + (f"/{v}" if v else "") for o, a, v in found), index=True,
                     architectures=frozenset(a for _, a, _ in found))


def _config_platform(aws: Aws, source: ImageSource, manifest: dict[str, Any]) -> Platforms:
    """A single-platform image names its architecture only in its config blob."""
    config_digest = (manifest.get("config") or {}).get("digest")
    if not config_digest:
        return Platforms(known=False, reason="the manifest names no config blob")
    try:
        url = aws.call("ecr", "get_download_url_for_layer", repositoryName=source.repository_name,
                       layerDigest=config_digest, **_ecr_kwargs(source))["downloadUrl"]
        with urllib.request.urlopen(url, timeout=CONFIG_READ_TIMEOUT_SECONDS) as response:  # a presigned S3 URL
            config = json.loads(response.read())
    except AwsError as exc:
        return Platforms(known=False, reason=f"cannot read the image config: {exc}")
    except (OSError, ValueError) as exc:
        return Platforms(known=False, reason=f"cannot download the image config ({type(exc).__name__}: {exc})")
    arch, os_name = config.get("architecture"), config.get("os")
    if not arch:
        return Platforms(known=False, reason="the image config names no architecture")
    variant = config.get("variant")
    return Platforms((f"{os_name or '?'}/{arch}" + (f"/{variant}" if variant else ""),),
                     architectures=frozenset({arch}))
