"""Checking personal access tokens, as both services do (the auth service also makes them:
accounts.personal_tokens). Kept here, beside the JWT claim names, because the task service
depends on tms_project and never on the accounts app."""
