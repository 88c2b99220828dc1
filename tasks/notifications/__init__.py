"""Reminders and notifications: what is due to be said, to whom, and on which channel.

The rows live in tasks.notifications.models; ``manage.py deliver_notifications``
turns due reminders into notifications and delivers them (email, Web Push).
"""
