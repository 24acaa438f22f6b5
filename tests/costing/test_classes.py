"""The planner's search space: only classes the region's catalog prices."""

from __future__ import annotations

import json

import pytest

from chatops.costing.classes import priced_classes
from chatops.costing.estimate import estimate_cost
from chatops.errors import ChatopsError
from chatops.model.catalog import CACHE_NODE_TYPES, RDS_POSTGRES_CLASSES
from chatops.model.loading import load_profile
from chatops.model.records import record_to_data, validate_record

REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1")


@pytest.fixture(autouse=True)
def _no_user_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))


@pytest.mark.parametrize("region", REGIONS)
def test_graviton_families_up_to_the_largest_are_priced(region):
    classes = priced_classes(region)
    for multi_az in (False, True):
        db = classes.db(multi_az)
        assert {"db.t4g.micro", "db.t4g.2xlarge", "db.r6g.large", "db.r6g.16xlarge", "db.m6g.16xlarge",
                "db.m7g.large", "db.m7g.16xlarge"} <= set(db)
        assert not any(name.startswith("db.r7g.") for name in db), "no source for db.r7g: not a choice"
        assert not any(name.startswith(("db.m5.", "db.r5.", "db.m6i.", "db.r6i.")) for name in db)
    assert {"cache.t4g.micro", "cache.t4g.medium", "cache.m6g.16xlarge", "cache.r6g.16xlarge",
            "cache.r7g.16xlarge"} <= set(classes.cache)
    assert not any(name.startswith("cache.m7g.") for name in classes.cache)


@pytest.mark.parametrize("region", REGIONS)
def test_every_listed_class_prices_completely(region):
    """What the planner may pick, the estimate prices: no listed class ends in 'price not found'."""
    base = load_profile("50k-dau")
    data = record_to_data(base)
    classes = priced_classes(region)
    for db_class in (classes.db(True)[0], classes.db(True)[-1]):
        data["database"].update(instance_class=db_class, multi_az=True)
        data["database"]["read_replica"]["instance_class"] = None
        for node in (classes.cache[0], classes.cache[-1]):
            data["cache"]["node_type"] = node
            data["cache"]["split"]["enabled"] = False
            estimate = estimate_cost(validate_record(type(base), data), region)
            assert estimate.missing_prices == [], (region, db_class, node)


def test_order_follows_the_model_catalog():
    classes = priced_classes("us-east-1")
    order = list(RDS_POSTGRES_CLASSES)
    assert list(classes.db(False)) == sorted(classes.db(False), key=order.index)
    order = list(CACHE_NODE_TYPES)
    assert list(classes.cache) == sorted(classes.cache, key=order.index)


def test_a_refreshed_catalog_changes_the_search_space(tmp_path, monkeypatch):
    from chatops.costing.catalog import bundled_path

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    doc = json.loads(bundled_path("us-east-1").read_text())
    doc["prices"]["rds.instance.db.r7g.large.single_az"].update(price="0.2", status="price-list")
    target = tmp_path / "chatops" / "prices" / "us-east-1.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(doc))
    classes = priced_classes("us-east-1")
    assert "db.r7g.large" in classes.db(False) and "db.r7g.large" not in classes.db(True)


def test_unknown_region_is_one_line_error():
    with pytest.raises(ChatopsError, match="prices refresh --region ap-east-1"):
        priced_classes("ap-east-1")
