"""Writes for accounts: registration, sessions, passwords (STYLE: services hold the writes)."""
