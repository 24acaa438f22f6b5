import pytest

from chatops.model.loading import BUILTIN_TIERS, load_profile


@pytest.mark.parametrize("tier", BUILTIN_TIERS)
def test_builtin_profile_loads(tier):
    profile = load_profile(tier)
    assert profile.name == tier
