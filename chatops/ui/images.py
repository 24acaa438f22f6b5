"""What to do when a stack's images are not in its ECR repositories yet: the exact commands to push them."""

from __future__ import annotations

from typing import Any, Optional

from chatops.aws.images import ImageState
from chatops.model.images import registry_host
from chatops.ui.console import console

TAG_VARIABLE = "$TAG"


def push_commands(states: list[ImageState], tags: dict[str, Optional[str]], region: str, arm64: bool) -> list[str]:
    """Shell lines: pick a tag where chatops.yaml names none, log in to the registry, tag and push each image
    the stack's repositories lack (`tags`: service -> the configured tag, None for $TAG)."""
    pending = [s for s in states if s.needs_push and s.repository_uri]
    if not pending:
        return []
    lines = []
    if any(tags.get(s.service) is None for s in pending):
        lines.append("TAG=$(git rev-parse --short HEAD)   # a new tag for every build: prod repositories "
                     "refuse to overwrite a tag")
    registry = registry_host(pending[0].repository_uri or "")
    lines.append(f"aws ecr get-login-password --region {region} | docker login --username AWS --password-stdin "
                 f"{registry}")
    platform = "linux/arm64" if arm64 else "linux/amd64"
    lines.append(f"# build for {platform}" + (" (Graviton tasks), or push a multi-platform image" if arm64 else ""))
    for state in pending:
        image = f"{state.repository_uri}:{tags.get(state.service) or TAG_VARIABLE}"
        lines.append(f"docker tag <your {state.service} image> {image} && docker push {image}")
    return lines


def show_push_instructions(stack: str, states: list[ImageState], tags: dict[str, Optional[str]], region: str,
                           arm64: bool, next_step: str, to_stderr: bool = False) -> None:
    out = console(stderr=to_stderr)
    missing = [s for s in states if s.needs_push]
    out.print(f"Stack {stack} cannot start its services yet:", markup=False, highlight=False)
    for state in missing:
        out.print(f"  {state.problem}", markup=False, highlight=False, soft_wrap=True)
    commands = push_commands(states, tags, region, arm64)
    if commands:
        out.print("Push the images:", markup=False)
        for line in commands:
            out.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)  # never wrap a command
    out.print(f"Then run {next_step}.", markup=False, highlight=False)


def images_json(states: list[ImageState]) -> list[dict[str, Any]]:
    """The `images` list of the --json reports of up, release and scale-to: per service what chatops found,
    in SERVICES order (`status` resolved/by_tag are deployable; the others stop the command)."""
    return [{"service": s.service,
             "repository": s.repository_uri or s.source.ref.repository or s.source.repository_name,
             "tag": s.source.ref.tag, "digest": s.digest, "status": s.status} for s in states]
