"""Provider conformance harness: the synthesized program judged by the real AWS provider through Terraform.

- locate.py: find `terraform` and the filesystem mirror holding the AWS provider (or say why not).
- cli.py: run terraform offline (own CLI config, fake credentials, one shared init per session).
- schema.py: the provider's own schema (`terraform providers schema -json`), Pulumi -> Terraform names.
- convert.py: a `synthesize()` graph -> Terraform JSON configuration (no silent drops).
- state.py: a Terraform state built from a plan's planned values (computed attributes filled with fakes).
- changes.py: a plan's replacements and deletions, by Pulumi URN.
"""
