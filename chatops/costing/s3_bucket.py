"""The ALB access-log bucket: Standard storage at the lifecycle expiry, and the ALB's log writes."""

from __future__ import annotations

from chatops.costing import usage
from chatops.costing.components import Pricer, ResourceCost, resource
from chatops.model.demand import DemandEstimate
from chatops.model.profile import Profile

# pulumi-aws 7 names the current bucket resource aws:s3/bucket:Bucket (BucketV2 is the deprecated alias).
BUCKET_TYPE = "aws:s3/bucket:Bucket"


def price_log_bucket(pricer: Pricer, profile: Profile, demand: DemandEstimate) -> ResourceCost:
    puts = usage.ACCESS_LOG_OBJECTS_PER_ZONE * profile.network.availability_zones / 1000
    return resource("access-log bucket", BUCKET_TYPE, 1, [
        pricer.line(f"storage ({usage.ACCESS_LOG_RETENTION_DAYS} d expiry)", "GB-months",
                    usage.access_log_stored_gb(demand), "s3.storage_gb_month", usage_based=True),
        pricer.line("PUT requests (log delivery)", "1k requests", puts, "s3.put_1k", usage_based=True),
    ])
