"""The image steps of `up`, `release`, `preview` and `scale-to`, kept out of those commands' own flow:

- before the program is built: resolve every image to its digest (`prepare_images`); a stack whose own ECR
  repositories are missing or lack the image is a first deploy: create the repositories (a targeted update),
  print the push commands and stop, never an update whose tasks cannot pull;
- a new tag (`release --tag`, `up --image-tag`) is validated and its chatops.yaml text computed before
  anything is applied, and written only after the update succeeded (`PreparedImages.record`);
- after the update: wait for the ECS services to run it, steady (`wait_for_services`).

AWS calls use the stack's region and the standard credential chain (AWS_PROFILE ...) and honour
AWS_ENDPOINT_URL, like the Pulumi provider the same command runs.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional, TypeVar

import click

from chatops.aws.images import ImageState, resolve_images, resolved_digests
from chatops.aws.session import make_aws
from chatops.deploy import driver
from chatops.errors import ChatopsError, UsageError
from chatops.model.images import SERVICES
from chatops.model.profile import Profile
from chatops.model.settings import TAG_PATTERN, Images
from chatops.ui.console import console

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_WAIT_TIMEOUT_SECONDS = 20 * 60.0
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smh]?)$")


class Duration(click.ParamType):
    """'90s', '20m', '1h' or plain seconds -> seconds (checked when the command line is read)."""

    name = "DURATION"

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> float:
        if isinstance(value, (int, float)):
            return float(value)
        match = _DURATION.match(str(value).strip().lower())
        if not match or float(match[1]) <= 0:
            self.fail(f"{value!r}: use a duration such as 900s, 20m or 1h", param, ctx)
        return float(match[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[match[2]]


def wait_options(func: F) -> F:
    """--wait/--no-wait and --wait-timeout, for the commands that update services."""
    func = click.option("--wait-timeout", type=Duration(), default="20m", show_default=True,
                        help="How long to wait for the services to become steady (e.g. 900s, 20m, 1h).")(func)
    return click.option("--wait/--no-wait", default=True, show_default=True,
                        help="After the update, wait until every ECS service runs it, steady; a deployment "
                             "the circuit breaker rolls back fails the command.")(func)


def check_tag(tag: str) -> str:
    if not re.match(TAG_PATTERN, tag):
        raise UsageError(f"image tag {tag!r}: a tag is 1-128 letters, digits, '_', '.' or '-', not starting with "
                         "'.' or '-'")
    return tag


# ---- before the program ----------------------------------------------------------------------------

@dataclass(frozen=True)
class PreparedImages:
    """The stack with its images resolved (what the program deploys) and, for a new tag, the chatops.yaml
    text that records it (written only after the update succeeded)."""

    target: driver.StackTarget
    config_text: Optional[str] = None

    def record(self) -> None:
        if self.config_text is not None:
            self.target.config_path.write_text(self.config_text, encoding="utf-8")
            console(stderr=True).print(f"{self.target.config_path} records the new image tag.")


def with_images(target: driver.StackTarget, images: Images) -> driver.StackTarget:
    """The same stack with other images; `target.settings` (what the program gets) carries them."""
    entry = target.entry.model_copy(update={"images": images})
    config = target.config.model_copy(update={"stacks": {**target.config.stacks, target.stack: entry}})
    return dataclasses.replace(target, config=config)


def released_images(target: driver.StackTarget, tag: str, services: Iterable[str]) -> tuple[Images, str]:
    """The images with `tag` for `services`, and the chatops.yaml text that records it; refused before
    anything is applied when the file cannot record it."""
    from chatops.model.config_edit import edited_config_text

    services = list(services)
    images = target.entry.images
    pinned = [s for s in services if getattr(images, s).digest]
    if pinned:
        fields = ", ".join(f"images.{s}.digest" for s in pinned)
        raise UsageError(f"{fields} pins an exact image in {target.config_path}; a new tag would not change what "
                         "runs: edit the pin, or release the other services with --service")
    text = edited_config_text(target.config_path.read_text(encoding="utf-8"), target.stack,
                              {("images", s, "tag"): tag for s in services}, where=str(target.config_path))
    return images.with_tag(tag, services), text


def prepare_images(target: driver.StackTarget, profile: Profile, *, tag: Optional[str] = None,
                   services: Iterable[str] = SERVICES, yes: bool = False) -> PreparedImages:
    """Resolve the stack's images (with `tag` for `services` when releasing); stop a first deploy with the
    push commands, after creating the stack's repositories if they do not exist."""
    images, text = released_images(target, check_tag(tag), services) if tag is not None else (target.entry.images, None)
    aws = make_aws(target.entry.region)
    states = resolve_images(aws, target.config.project, target.stack, images)
    if all(s.deployable for s in states):
        return PreparedImages(with_images(target, images.with_digests(resolved_digests(states))), text)
    wrong = [s.problem for s in states if not s.deployable and not s.needs_push]
    if wrong:
        raise ChatopsError("; ".join(wrong))
    if any(s.status == "no_repository" for s in states):
        create_repositories(target, profile, yes)
        states = resolve_images(aws, target.config.project, target.stack, images)
        if any(s.status == "no_repository" for s in states):
            raise ChatopsError(f"stack {target.stack}: the state holds the image repositories but ECR does not; run "
                               f"`chatops refresh --stack {target.stack}`, then `chatops up --stack {target.stack}`")
    raise images_not_ready(target, profile, states, images, next_step(target.stack, images, states, tag, services))


def next_step(stack: str, images: Images, states: list[ImageState], tag: Optional[str],
              services: Iterable[str]) -> str:
    """What to run once the images are pushed: the same release, `up` when chatops.yaml names every tag
    already, else a release of the tag just pushed."""
    from chatops.ui.images import TAG_VARIABLE

    services = list(services)
    only = f" --service {services[0]}" if tag is not None and len(services) == 1 else ""
    if tag is not None:
        return f"`chatops release --stack {stack} --tag {tag}{only}`"
    if all(getattr(images, s.service).tag for s in states if s.needs_push):
        return f"`chatops up --stack {stack}`"
    return f"`chatops release --stack {stack} --tag {TAG_VARIABLE}`"


def images_not_ready(target: driver.StackTarget, profile: Profile, states: list[ImageState], images: Images,
                     then: str) -> ChatopsError:
    """Print the push commands; the error says what to run once the images are there."""
    from chatops.ui.images import show_push_instructions

    tags = {s.service: getattr(images, s.service).tag for s in states}
    show_push_instructions(target.stack, states, tags, target.entry.region, profile.compute.graviton, then)
    return ChatopsError(f"stack {target.stack} has no image to run yet: push the images (commands above), then run "
                        f"{then}; nothing else was changed")


def create_repositories(target: driver.StackTarget, profile: Profile, yes: bool) -> None:
    """A targeted update that creates only this stack's ECR repositories (and their lifecycle policies),
    so images can be pushed before any service exists."""
    from chatops.cli.preview_live import announce_session
    from chatops.deploy.events import Progress
    from chatops.infra.registry import registry_urns
    from chatops.ui.changes import confirm_or_refuse
    from chatops.ui.deploy_progress import live_progress, show_result

    stack = target.stack
    console().print(f"Stack {stack} has no image repositories yet. First deploy: chatops creates the three ECR "
                    f"repositories (a targeted update, nothing else), then tells you how to push the images.")
    confirm_or_refuse(f"Create the image repositories of stack {stack}?", yes)
    session = driver.open_stack(target, driver.load_program(profile, target.settings), profile)
    announce_session(session)
    progress = Progress()
    try:
        with live_progress(progress):
            driver.run_up(session, progress.handle, targets=registry_urns(target.config.project, stack))
    except ChatopsError:
        show_result(progress)
        raise


def preview_images(target: driver.StackTarget) -> driver.StackTarget:
    """For a read-only preview: the digests that can be resolved; what cannot is said, not fatal."""
    states = resolve_images(make_aws(target.entry.region), target.config.project, target.stack, target.entry.images)
    missing = [s for s in states if not s.deployable]
    if missing:
        console(stderr=True).print("Images not ready (the preview shows them by tag; `up` stops until they are "
                                   "pushed): " + "; ".join(s.problem for s in missing), markup=False, highlight=False)
    return with_images(target, target.entry.images.with_digests(resolved_digests(states)))


# ---- after the update --------------------------------------------------------------------------------

def wait_for_services(target: driver.StackTarget, outputs: dict[str, Any], *, wait: bool,
                      wait_timeout: float) -> None:
    """Wait for every ECS service to run what the update deployed, steady; exit 1 on a rollback or timeout."""
    from chatops.aws.rollout import ServiceTarget, wait_for_rollout
    from chatops.ui.rollout import RolloutDisplay, show_rollout_result

    stack = target.stack
    watch_hint = f"`chatops status --stack {stack} --watch 10`"
    if not wait:
        console(stderr=True).print(f"Not waiting for the services (--no-wait); follow the rollout with {watch_hint}.")
        return
    cluster = outputs.get("ecsClusterName")
    targets = [ServiceTarget(s, outputs[f"{s}ServiceName"], outputs.get(f"{s}TaskDefinitionArn"))
               for s in SERVICES if outputs.get(f"{s}ServiceName")]
    if not cluster or not targets:
        return
    with RolloutDisplay(stack, wait_timeout) as display:
        result = wait_for_rollout(make_aws(target.entry.region), cluster, targets, display, wait_timeout)
    show_rollout_result(result)
    if result.outcome == "failed":
        reasons = "; ".join(f"{s.role}: {s.reason}" for s in result.failed)
        raise ChatopsError(f"stack {stack}: the update is applied but {len(result.failed)} service(s) did not roll "
                           f"out ({reasons}); the stack state and chatops.yaml record the new images, and where ECS rolled "
                           f"back the tasks run the previous ones; fix the image and release a new tag")
    if result.outcome == "timeout":
        waiting = ", ".join(f"{s.role} {s.running}/{s.desired}" for s in result.services if s.phase != "steady")
        raise ChatopsError(f"stack {stack}: services not steady after {wait_timeout / 60:g} min ({waiting}); ECS goes on "
                           f"deploying: follow it with {watch_hint}, or rerun with a longer --wait-timeout")
