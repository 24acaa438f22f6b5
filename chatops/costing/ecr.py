"""ECR: three private repositories (api, realtime, workers); storage of the images the lifecycle keeps.
Same-region pulls are free (and go through the S3 gateway endpoint, not NAT)."""

from __future__ import annotations

from chatops.costing import usage
from chatops.costing.components import Pricer, ResourceCost, resource

REPOSITORY_TYPE = "aws:ecr/repository:Repository"
REPOSITORIES = 3


def price_repositories(pricer: Pricer) -> ResourceCost:
    gb = usage.ECR_IMAGE_GB * usage.ECR_IMAGES_KEPT * REPOSITORIES
    return resource("container repositories", REPOSITORY_TYPE, REPOSITORIES, [
        pricer.line(f"image storage ({usage.ECR_IMAGES_KEPT} images each)", "GB-months", gb,
                    "ecr.storage_gb_month", usage_based=True),
    ])
