"""The inline Pulumi program: one ComponentResource per building block, wired by program.py.

Nothing here reads files or the environment: everything comes from a Profile and DeploymentSettings.
Importing this package does not import pulumi; the modules do.
"""
