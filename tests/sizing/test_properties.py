"""Property tests: selection and right-sizing are monotone in DAU; the selected profile has the headroom."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chatops.model import catalog
from chatops.model.demand import UsageAssumptions
from chatops.model.loading import BUILTIN_TIERS, load_builtin_profiles
from chatops.sizing.capacity import profile_capacity
from chatops.sizing.demand import estimate_demand
from chatops.sizing.plan import plan
from chatops.sizing.rightsize import right_size
from chatops.sizing.selection import select_tier

BUILTINS = load_builtin_profiles()
RANK = {name: i for i, name in enumerate(BUILTIN_TIERS)}
daus = st.integers(min_value=1, max_value=150_000)
big_daus = st.integers(min_value=1, max_value=5_000_000)
headrooms = st.floats(min_value=1.0, max_value=3.0)
usage_extras = st.fixed_dictionaries({
    "peak_concurrency": st.floats(min_value=0.01, max_value=1.0),
    "messages_per_user": st.floats(min_value=0, max_value=500),
    "fanout": st.floats(min_value=1, max_value=50),
    "api_requests_per_user": st.floats(min_value=0, max_value=1000),
    "peak_factor": st.floats(min_value=1, max_value=10),
})


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


def _size(profile) -> tuple:
    return (profile.realtime.desired_count, profile.api.desired_count, profile.workers.desired_count,
            catalog.RDS_POSTGRES_CLASSES[profile.database.instance_class].memory_gib,
            catalog.CACHE_NODE_TYPES[profile.cache.node_type].memory_gib, profile.cache.num_cache_nodes,
            profile.database.multi_az)


@settings(max_examples=40, deadline=None)
@given(big_daus, big_daus, usage_extras, headrooms)
def test_more_dau_never_gives_a_smaller_custom_profile(a, b, extras, headroom):
    low, high = sorted((a, b))
    try:
        small = right_size(estimate_demand(UsageAssumptions(dau=low, **extras)), BUILTINS, headroom)
        large = right_size(estimate_demand(UsageAssumptions(dau=high, **extras)), BUILTINS, headroom)
    except Exception as exc:  # demand past what one stack can run is a ChatopsError, not a smaller profile
        from chatops.errors import ChatopsError
        assert isinstance(exc, ChatopsError)
        return
    assert all(x <= y for x, y in zip(_size(small), _size(large))), (_size(small), _size(large))


@settings(max_examples=40, deadline=None)
@given(big_daus, usage_extras, headrooms)
def test_custom_profile_holds_its_demand_with_the_requested_headroom(dau, extras, headroom):
    demand = estimate_demand(UsageAssumptions(dau=dau, **extras))
    try:
        profile = right_size(demand, BUILTINS, headroom)
    except Exception as exc:
        from chatops.errors import ChatopsError
        assert isinstance(exc, ChatopsError)
        return
    report = profile_capacity(profile, demand)
    assert report.holds(headroom), [(d.key, d.headroom) for d in report.short_of(headroom)]
