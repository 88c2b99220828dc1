"""Writes for tasks (STYLE: services hold the writes; each is one transaction)."""
