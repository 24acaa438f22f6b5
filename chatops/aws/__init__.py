"""boto3 operations: one session factory (session.py) and what chatops asks AWS directly (doctor, status,
Cost Explorer, the Price List API). Never imports pulumi; the Pulumi driver lives in chatops/deploy/."""
