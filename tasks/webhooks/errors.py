"""The webhook endpoints' refusals (kinds in tms_project.errors)."""

from tms_project.errors import Conflict, NotFound


class WebhookNotFound(NotFound):
    """No such endpoint or delivery of this person (also when it is someone else's)."""


class WebhookDisabled(Conflict):
    code = "webhook_disabled"
    default_message = "This webhook is turned off; turn it on (is_active: true) to send to it."
