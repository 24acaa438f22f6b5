"""Tags applied once, by a stack transformation, to every taggable AWS resource.

Components never pass tags themselves (except a `Name` where the console shows it): the transformation
merges the stack's tags into the `tags` input of every resource that has one. It is a legacy stack
transformation (runs in-process in the SDK), so it behaves the same under the engine and the mock engine.

The tier is deliberately not a tag: it changes on every `scale-to`, so a tag would turn each tier step into
an update of every taggable resource (about 95 tag-only updates around a dozen real ones), and nothing reads
it from the resources: the stack config (`chatops:tier`), the `tier` output and the update history record it,
and Cost Explorer filters by `project` and `stack` (docs/deploying.md "Tags").
"""

from __future__ import annotations

from typing import Optional

import pulumi

from chatops.model.settings import DeploymentSettings

MANAGED_BY = "chatops"

#: Resources whose `tags` input is not a plain map of strings (or that reject tags).
_UNTAGGABLE_TYPES = frozenset({
    "aws:autoscaling/group:Group",  # a list of tag blocks, not a map
})


def stack_tags(settings: DeploymentSettings) -> dict[str, str]:
    """The tags every resource of this stack carries. User tags cannot override the three keys chatops
    uses to find and cost its own resources."""
    return {**settings.tags, "project": settings.project, "stack": settings.stack, "managed-by": MANAGED_BY}


def register_tagging(tags: dict[str, str]) -> None:
    """Register the transformation; call once, first thing in the program."""

    def add_tags(args: pulumi.ResourceTransformationArgs) -> Optional[pulumi.ResourceTransformationResult]:
        props = args.props
        if not isinstance(props, dict) or "tags" not in props or args.type_ in _UNTAGGABLE_TYPES:
            return None
        own = props.get("tags")
        merged = pulumi.Output.from_input(own).apply(lambda t: {**tags, **(t or {})}) \
            if own is not None and not isinstance(own, dict) else {**tags, **(own or {})}
        return pulumi.ResourceTransformationResult({**props, "tags": merged}, args.opts)

    pulumi.runtime.register_stack_transformation(add_tags)
