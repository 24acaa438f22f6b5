"""The program's "destroying" mode (`destroy --unprotect`'s targeted update): it lifts exactly what AWS would
refuse to delete, and names the final snapshot as told. Without it, prod keeps every protection."""

from __future__ import annotations

from chatops.deploy.teardown import blockers
from chatops.infra.synth import synthesize
from chatops.model.loading import load_profile
from tests.conftest import SYNTH_SETTINGS


def _by_type(resources: list[dict], type_token: str) -> list[dict]:
    return [r for r in resources if r["type"] == type_token]


def test_destroying_mode_lifts_every_aws_deletion_blocker(graphs) -> None:
    settings = SYNTH_SETTINGS.model_copy(update={"destroying": True,
                                                 "final_snapshot_identifier": "chat-prod-db-final-20250101-000000"})
    relaxed = synthesize(load_profile("100k-dau"), settings)
    assert [b for b in blockers(relaxed) if b.relaxed_by_update] == []
    [db] = [r for r in _by_type(relaxed, "aws:rds/instance:Instance") if r["urn"].endswith("::db")]
    assert db["inputs"]["finalSnapshotIdentifier"] == "chat-prod-db-final-20250101-000000"
    assert not db["inputs"].get("skipFinalSnapshot")  # the data is still kept, under a new name
    # Pulumi's own protection is not the program's to lift: `state unprotect --all` does that.
    assert {r["urn"] for r in relaxed if r.get("protect")} == {r["urn"] for r in graphs["100k-dau"].resources
                                                                if r.get("protect")}
    # Nothing else changes: exactly the blockers (and the database's snapshot name) differ.
    before = {r["urn"]: r["inputs"] for r in graphs["100k-dau"].resources}
    changed = {r["urn"] for r in relaxed if before.get(r["urn"]) != r["inputs"]}
    assert changed == {b.urn for b in blockers(graphs["100k-dau"].resources) if b.relaxed_by_update} | {db["urn"]}
    assert {u.rsplit("::", 1)[-1] for u in changed} >= {"alb", "alb-logs", "vault", "api", "db", "db-replica"}


def test_prod_keeps_its_protections_outside_destroy(graphs) -> None:
    found = {(b.name, b.why) for b in blockers(graphs["50k-dau"].resources) if b.relaxed_by_update}
    assert ("alb", "ALB deletion protection is on") in found and ("db", "RDS deletion protection is on") in found
    assert blockers(graphs["dev"].resources) == []  # dev is thrown away cleanly
