"""Pydantic models of what chatops reads: profiles, deployment settings, demand. Pure: no cloud, no terminal."""
