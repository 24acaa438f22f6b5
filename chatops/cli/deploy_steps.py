"""The image and rollout steps of `up`, `release`, `preview` and `scale-to`, kept out of those commands' flow:

- a new tag (`release --tag`, `up --image-tag`) becomes chatops.yaml updates (`release_updates`), which the
  command prepares as a `deploy.record.PendingRecord` before anything touches AWS and writes only after
  the update succeeded (or found nothing to change);
- before the program is built: resolve every image to its digest (`prepare_images`), so the program gets
  `repo@sha256:...` in its settings and does no I/O itself. A stack whose own ECR repositories are missing
  or lack the image is a first deploy: create the repositories (a targeted preview and update of the
  registry component, through the same `open_stack`/`apply_update` as every update, so Ctrl-C is handled
  the same way), print the push commands and stop, never an update whose tasks cannot pull;
- after the update: wait for the ECS services to run it, steady (`wait_for_services`).

AWS calls use the stack's region and the credential chain of --aws-profile (or AWS_PROFILE ...), which the
command also hands the Pulumi provider, so both act in one account; --endpoint-url / AWS_ENDPOINT_URL
applies to these calls only (see docs/deploying.md).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Callable, Iterable, Optional, TypeVar

import click

from chatops.aws.images import ImageState, resolve_images, resolved_digests
from chatops.aws.session import Aws, make_aws
from chatops.deploy import driver
from chatops.deploy.running import Interrupted
from chatops.errors import ChatopsError, UsageError
from chatops.model.config_edit import KeyPath
from chatops.model.images import SERVICES
from chatops.model.profile import Profile
from chatops.model.settings import TAG_PATTERN, Images
from chatops.ui.changes import DeployReport
from chatops.ui.deploy_progress import notice

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


class ImageTag(click.ParamType):
    """Docker's tag grammar, checked when the command line is read (exit 2 before anything runs)."""

    name = "TAG"

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> str:
        if not re.match(TAG_PATTERN, str(value)):
            self.fail(f"image tag {value!r}: a tag is 1-128 letters, digits, '_', '.' or '-', not starting with "
                      "'.' or '-'", param, ctx)
        return str(value)


def wait_options(func: F) -> F:
    """--wait/--no-wait and --wait-timeout, for the commands that update services."""
    func = click.option("--wait-timeout", type=Duration(), default="20m", show_default=True,
                        help="How long to wait for the services to become steady (e.g. 900s, 20m, 1h).")(func)
    return click.option("--wait/--no-wait", default=True, show_default=True,
                        help="After the update, wait until every ECS service runs it, steady; a deployment "
                             "the circuit breaker rolls back fails the command.")(func)


def stack_aws(target: driver.StackTarget) -> Aws:
    """The stack's AWS account as --aws-profile/--endpoint-url chose it, in the stack's region."""
    return make_aws(target.entry.region, target.aws_profile, target.endpoint_url)


# ---- before the program ----------------------------------------------------------------------------

def release_updates(target: driver.StackTarget, tag: str, services: Iterable[str]) -> dict[KeyPath, str]:
    """The chatops.yaml values a release of `tag` to `services` records; refused (exit 2) for a service
    whose image is pinned by digest, which a tag would not change."""
    services = list(services)
    pinned = [s for s in services if getattr(target.entry.images, s).digest]
    if pinned:
        fields = ", ".join(f"images.{s}.digest" for s in pinned)
        raise UsageError(f"{fields} pins an exact image in {target.config_path}; a new tag would not change what "
                         "runs: edit the pin, or release the other services with --service")
    return {("images", s, "tag"): tag for s in services}


def with_images(target: driver.StackTarget, images: Images) -> driver.StackTarget:
    """The same stack with other images; `target.settings` (what the program gets) carries them."""
    entry = target.entry.model_copy(update={"images": images})
    config = target.config.model_copy(update={"stacks": {**target.config.stacks, target.stack: entry}})
    return dataclasses.replace(target, config=config)


def prepare_images(target: driver.StackTarget, profile: Profile, report: DeployReport, *, tag: Optional[str] = None,
                   services: Iterable[str] = SERVICES, yes: bool = False, as_json: bool = False,
                   first_deploy: bool = True) -> driver.StackTarget:
    """The stack with every image resolved to its digest (with `tag` for `services` when releasing), what
    the program deploys; the images go into `report`. A first deploy stops here with the push commands,
    after creating the stack's repositories if they do not exist (only where `first_deploy` allows it:
    `up` and `release`, the commands that create stacks)."""
    from chatops.ui.images import images_json

    services = list(services)
    images = target.entry.images if tag is None else target.entry.images.with_tag(tag, services)
    aws = stack_aws(target)
    states = resolve_images(aws, target.config.project, target.stack, images)
    report.extra["images"] = images_json(states)
    if all(s.deployable for s in states):
        return with_images(target, images.with_digests(resolved_digests(states)))
    wrong = [s.problem for s in states if not s.deployable and not s.needs_push]
    if wrong:
        raise ChatopsError("; ".join(wrong))
    if any(s.status == "no_repository" for s in states):
        if not first_deploy:
            raise ChatopsError(f"stack {target.stack} has no image repositories yet; the first `chatops up --stack "
                               f"{target.stack}` creates them and says what to push")
        create_repositories(target, profile, report, yes=yes, as_json=as_json)
        states = resolve_images(aws, target.config.project, target.stack, images)
        report.extra["images"] = images_json(states)
        if any(s.status == "no_repository" for s in states):
            raise ChatopsError(f"stack {target.stack}: the state holds the image repositories but ECR does not; run "
                               f"`chatops refresh --stack {target.stack}`, then `chatops up --stack {target.stack}`")
    raise images_not_ready(target, profile, states, images, next_step(target.stack, images, states, tag, services),
                           to_stderr=as_json)


def next_step(stack: str, images: Images, states: list[ImageState], tag: Optional[str],
              services: list[str]) -> str:
    """What to run once the images are pushed: the same release, `up` when chatops.yaml names every tag
    already, else a release of the tag just pushed."""
    from chatops.ui.images import TAG_VARIABLE

    only = f" --service {services[0]}" if tag is not None and len(services) == 1 else ""
    if tag is not None:
        return f"`chatops release --stack {stack} --tag {tag}{only}`"
    if all(getattr(images, s.service).tag for s in states if s.needs_push):
        return f"`chatops up --stack {stack}`"
    return f"`chatops release --stack {stack} --tag {TAG_VARIABLE}`"


def images_not_ready(target: driver.StackTarget, profile: Profile, states: list[ImageState], images: Images,
                     then: str, to_stderr: bool) -> ChatopsError:
    """Print the push commands; the error says what to run once the images are there."""
    from chatops.ui.images import show_push_instructions

    tags = {s.service: getattr(images, s.service).tag for s in states}
    show_push_instructions(target.stack, states, tags, target.entry.region, profile.compute.graviton, then,
                           to_stderr=to_stderr)
    return ChatopsError(f"stack {target.stack} has no image to run yet: push the images (commands above), then run "
                        f"{then}; nothing else was changed")


def create_repositories(target: driver.StackTarget, profile: Profile, report: DeployReport, *, yes: bool,
                        as_json: bool) -> None:
    """The first deploy: a targeted preview, confirmation and update that create only this stack's ECR
    repositories (with their lifecycle policies and the registry component: the engine refuses a child
    whose parent is an untargeted create), so images can be pushed before any service exists."""
    from chatops.cli.preview_live import announce_session, live_preview
    from chatops.cli.up import apply_update
    from chatops.infra.registry import registry_urns
    from chatops.ui.changes import confirm_or_refuse, show_changes

    stack = target.stack
    notice(f"Stack {stack} has no image repositories yet. First deploy: chatops creates the three ECR repositories "
           "(a targeted update, nothing else), then tells you how to push the images.")
    urns = registry_urns(target.config.project, stack)
    program = driver.load_program(profile, target.settings)
    # "" records that no profile was applied yet: `preview` prices "now" as nothing until the first release.
    config = driver.stack_config(target, "", profile)
    with driver.open_stack(target, program, config=config, create=True) as session:
        announce_session(session)
        report.changes = live_preview(session, targets=urns, blocked_hint=(
            "the first deploy only creates the image repositories; check `chatops preview --stack "
            f"{stack}`"))
        if not as_json:
            show_changes(report.changes)
        confirm_or_refuse(f"Create the image repositories of stack {stack}?", yes)
        apply_update(session, to_stderr=as_json, targets=urns, report=report)


def preview_images(target: driver.StackTarget) -> driver.StackTarget:
    """For a read-only preview: the digests that can be resolved; what cannot is said, not fatal."""
    states = resolve_images(stack_aws(target), target.config.project, target.stack, target.entry.images)
    missing = [s for s in states if not s.deployable]
    if missing:
        notice("Images not ready (the preview shows them by tag; `up` stops until they are pushed): "
               + "; ".join(s.problem for s in missing))
    return with_images(target, target.entry.images.with_digests(resolved_digests(states)))


# ---- after the update --------------------------------------------------------------------------------

def wait_for_services(target: driver.StackTarget, outputs: dict[str, Any], report: DeployReport, *, wait: bool,
                      wait_timeout: float, as_json: bool = False) -> None:
    """Wait for every ECS service to run what the update deployed, steady; the result goes into `report`.
    Exit 1 on a rollback or a timeout, 130 on Ctrl-C (the update itself is applied either way)."""
    from chatops.aws.rollout import ServiceTarget, wait_for_rollout
    from chatops.ui.rollout import RolloutDisplay, rollout_json, show_rollout_result

    stack = target.stack
    watch_hint = f"`chatops status --stack {stack} --watch 10`"
    if not wait:
        notice(f"Not waiting for the services (--no-wait); follow the rollout with {watch_hint}.")
        return
    cluster = outputs.get("ecsClusterName")
    targets = [ServiceTarget(s, outputs[f"{s}ServiceName"], outputs.get(f"{s}TaskDefinitionArn"))
               for s in SERVICES if outputs.get(f"{s}ServiceName")]
    if not cluster or not targets:
        return
    try:
        with RolloutDisplay(stack, wait_timeout, to_stderr=as_json) as display:
            result = wait_for_rollout(stack_aws(target), cluster, targets, display, wait_timeout)
    except KeyboardInterrupt:
        raise Interrupted(f"stopped waiting for the services of stack {stack}: the update is applied (and recorded "
                          f"in chatops.yaml); ECS goes on deploying, follow it with {watch_hint}") from None
    report.extra["rollout"] = rollout_json(result)
    show_rollout_result(result, to_stderr=as_json)
    if result.outcome == "failed":
        reasons = "; ".join(f"{s.role}: {s.reason}" for s in result.failed)
        raise ChatopsError(f"stack {stack}: the update is applied but {len(result.failed)} service(s) did not roll "
                           f"out ({reasons}); the stack state and chatops.yaml record the new images, and where ECS "
                           f"rolled back the tasks run the previous ones; fix the image and release a new tag")
    if result.outcome == "timeout":
        waiting = ", ".join(f"{s.role} {s.running}/{s.desired}" for s in result.services if s.phase != "steady")
        raise ChatopsError(f"stack {stack}: services not steady after {_duration(wait_timeout)} ({waiting}); ECS goes "
                           f"on deploying: follow it with {watch_hint}, or rerun with a longer --wait-timeout")


def _duration(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g}s"
