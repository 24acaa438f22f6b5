"""Property tests: selection and the optimiser are monotone in demand, hold the headroom, and the optimum
is never dearer than the tier `plan` selects."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import yaml

from chatops.costing.estimate import estimate_cost
from chatops.errors import ChatopsError
from chatops.model.demand import UsageAssumptions
from chatops.model.loading import BUILTIN_TIERS, load_builtin_profiles, load_profile, profile_to_data
from chatops.sizing.availability import POLICIES, shortfalls
from chatops.sizing.demand import estimate_demand
from chatops.sizing.optimize import optimize
from chatops.sizing.plan import plan
from chatops.sizing.pricing import CatalogPricing
from chatops.sizing.selection import select_tier

BUILTINS = load_builtin_profiles()
RANK = {name: i for i, name in enumerate(BUILTIN_TIERS)}
daus = st.integers(min_value=1, max_value=150_000)
headrooms = st.floats(min_value=1.0, max_value=3.0)


def usage_within(**bounds: tuple[float, float]):
    """Usage assumptions, each drawn between its (low, high) bounds."""
    return st.fixed_dictionaries({field: st.floats(min_value=low, max_value=high)
                                  for field, (low, high) in bounds.items()})


usage_extras = usage_within(peak_concurrency=(0.01, 1.0), messages_per_user=(0, 500), fanout=(1, 50),
                            api_requests_per_user=(0, 1000), peak_factor=(1, 10))


def _rank(dau: int, extras: dict, headroom: float) -> int:
    choice = select_tier(estimate_demand(UsageAssumptions(dau=dau, **extras)), BUILTINS, headroom)
    return RANK[choice.chosen.profile.name] if choice.chosen else len(RANK)


@settings(max_examples=60, deadline=None)
@given(daus, daus, usage_extras, headrooms)
def test_more_dau_never_selects_a_smaller_tier(a, b, extras, headroom):
    low, high = sorted((a, b))
    assert _rank(low, extras, headroom) <= _rank(high, extras, headroom)


@settings(max_examples=60, deadline=None)
@given(daus, usage_extras, headrooms)
def test_selected_tier_has_the_requested_headroom_in_every_dimension(dau, extras, headroom):
    result = plan(UsageAssumptions(dau=dau, **extras), BUILTINS, headroom=headroom)
    if result.profile is not None:
        assert all(d.headroom >= headroom for d in result.report.dimensions)


# --- the optimiser -----------------------------------------------------------------------------------------

# Demands one stack can carry with the bundled catalog (beyond it the optimiser says so in one line).
opt_daus = st.integers(min_value=1, max_value=300_000)
moderate_usage = usage_within(peak_concurrency=(0.02, 0.5), messages_per_user=(0, 150), fanout=(1, 20),
                              api_requests_per_user=(0, 400), peak_factor=(1, 5))
opt_headrooms = st.floats(min_value=1.0, max_value=2.0)


def _optimum(dau: int, extras: dict, headroom: float, availability: str = "standard"):
    """The optimum, or None when no priced profile holds the demand (a one-line ChatopsError)."""
    demand = estimate_demand(UsageAssumptions(dau=dau, **extras))
    try:
        return optimize(demand, BUILTINS, CatalogPricing("us-east-1", demand), headroom, availability)
    except ChatopsError as exc:
        assert "no profile fits" in str(exc)
        return None


@settings(max_examples=25, deadline=None)
@given(opt_daus, opt_daus, moderate_usage, opt_headrooms)
def test_more_demand_never_picks_a_cheaper_optimum_nor_one_that_fails_the_headroom(a, b, extras, headroom):
    low, high = sorted((a, b))
    small, large = _optimum(low, extras, headroom), _optimum(high, extras, headroom)
    if large is None:
        return
    assert small is not None, "a smaller demand found no profile where a larger one did"
    assert large.report.holds(headroom), [(d.key, d.headroom) for d in large.report.short_of(headroom)]
    assert large.quote.total_monthly >= small.quote.total_monthly


@settings(max_examples=20, deadline=None)
@given(opt_daus, moderate_usage, opt_headrooms, st.sampled_from(["standard", "high"]))
def test_the_optimum_passes_plan_tier_file_at_the_requested_headroom(tmp_path_factory, dau, extras, headroom,
                                                                     availability):
    found = _optimum(dau, extras, headroom, availability)
    if found is None:
        return
    path = tmp_path_factory.mktemp("optimum") / "optimized.yaml"
    path.write_text(yaml.safe_dump(profile_to_data(found.profile), sort_keys=False))
    checked = plan(UsageAssumptions(dau=dau, **extras), BUILTINS, headroom=headroom, check=load_profile(path))
    assert checked.fits and checked.report.warnings == ()
    assert not shortfalls(checked.profile, POLICIES[availability])


@settings(max_examples=25, deadline=None)
@given(opt_daus, moderate_usage, opt_headrooms)
def test_the_optimum_is_never_dearer_than_the_selected_tier(dau, extras, headroom):
    demand = estimate_demand(UsageAssumptions(dau=dau, **extras))
    chosen = select_tier(demand, BUILTINS, headroom).chosen
    found = _optimum(dau, extras, headroom)
    if chosen is None:
        return
    assert found is not None, "the selected tier holds this demand, so the optimiser must find a profile"
    assert found.quote.total_monthly <= estimate_cost(chosen.profile, "us-east-1", demand).total_monthly
