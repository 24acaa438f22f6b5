"""chatops: size, price and provision the AWS infrastructure of a realtime chat product."""

__version__ = "0.1.0"
