"""Tier steps judged by the provider: scale-to's offline prediction against terraform-provider-aws.

For each tier, a Terraform state is built from that tier's plan (planned values, with what AWS would
compute filled with the mocks' ids and ARNs); the next tier's configuration is planned against it. The
provider's replacements and deletions must be what `chatops scale-to` predicts offline
(chatops/deploy/scale.py offline_plan = replacements.plan_between on the two synthesized graphs; the
`graphs` fixture synthesizes each tier once with the same settings): a replacement the provider makes
that chatops calls an update would pass scale-to's stateful guard and then surprise the user.

Out of reach here: what AWS itself decides during the update (in-place modifications that fail at
apply time, e.g. a class unavailable in a zone), and Pulumi engine behaviour beyond the provider's diff.
"""

from __future__ import annotations

import pytest

from chatops.deploy.replacements import plan_between
from chatops.model.loading import BUILTIN_TIERS

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

UP = list(zip(BUILTIN_TIERS, BUILTIN_TIERS[1:]))
STEPS = UP + [(b, a) for a, b in UP]


@pytest.fixture(scope="module")
def steps(provider_bench):
    return provider_bench.steps(STEPS + [(t, t) for t in BUILTIN_TIERS])


def _name(urn: str) -> str:
    return urn.split("::")[2].split("$")[-1] + "::" + urn.rsplit("::", 1)[1]


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_a_tier_planned_against_its_own_state_changes_nothing(steps, tier):
    """The harness's own control: the state it builds is what the configuration plans to, so any change
    a step shows comes from the step, not from the fakes."""
    step = steps[(tier, tier)]
    assert step.plan_exit == 0, (step.plan_output[-3000:] or
                                 "\n".join(f"{c.op} {c.address}" for c in step.changes.values()))


@pytest.mark.parametrize("before,after", STEPS, ids=[f"{a}->{b}" for a, b in STEPS])
def test_the_providers_replacements_and_deletions_are_predicted(steps, graphs, provider_bench, before, after):
    step = steps[(before, after)]
    assert step.plan_exit in (0, 2), step.plan_output[-4000:]
    predicted = plan_between(graphs[before].resources, graphs[after].resources).changes
    in_terraform = set(provider_bench.converted(before).addresses) | set(provider_bench.converted(after).addresses)

    surprises = [f"{_name(urn)}: provider {change.op}s ({change.reason or 'no reason given'}), chatops "
                 f"predicts {predicted[urn].op if urn in predicted else 'no change'}"
                 for urn, change in sorted(step.changes.items())
                 if change.op in ("replace", "delete") and (urn not in predicted or predicted[urn].op != change.op)]
    assert not surprises, "\n".join(surprises)

    unseen = [f"{_name(urn)}: chatops predicts {change.op}, provider {step.changes[urn].op if urn in step.changes else 'no change'}"
              for urn, change in sorted(predicted.items())
              if urn in in_terraform and change.op in ("create", "delete")
              and (urn not in step.changes or step.changes[urn].op != change.op)]
    assert not unseen, "\n".join(unseen)


# Issue 12 defect 2: a capacity-provider-strategy change without force_new_deployment replaced the ECS
# services (dev <-> 1k-dau), and the replacement collides with the fixed service name. Fixed in the
# program (force_new_deployment); the provider keeps it fixed.
@pytest.mark.parametrize("before,after", STEPS, ids=[f"{a}->{b}" for a, b in STEPS])
def test_no_tier_step_replaces_an_ecs_service(steps, before, after):
    replaced = [c.address for c in steps[(before, after)].changes.values()
                if c.op == "replace" and c.address.startswith("aws_ecs_service.")]
    assert not replaced, f"the provider replaces {replaced}: a replacement collides with the fixed service name"
