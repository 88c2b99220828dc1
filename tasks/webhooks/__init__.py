"""Webhooks: signed HTTP callbacks (Standard Webhooks) for changes to the tasks a person can see."""
