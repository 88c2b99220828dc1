"""Everything a request could change in the database, to assert that a refused one changed nothing."""

from accounts.models import (
    AuthSession,
    MFAChallenge,
    OutgoingMail,
    PersonalAccessToken,
    RecoveryCode,
    TOTPDevice,
    User,
)
from tasks.models import (
    Comment,
    IdempotencyRecord,
    Label,
    Project,
    ProjectMember,
    Task,
    TaskEvent,
    Webhook,
    WebhookDelivery,
)


def database_snapshot() -> list:
    return [
        list(Task.objects.values().order_by("id")),
        list(Task.labels.through.objects.values().order_by("id")),
        list(Task.assignees.through.objects.values().order_by("id")),
        list(Label.objects.values().order_by("id")),
        list(TaskEvent.objects.values().order_by("id")),
        list(IdempotencyRecord.objects.values().order_by("id")),
        list(Project.objects.values().order_by("id")),
        list(ProjectMember.objects.values().order_by("id")),
        list(Comment.objects.values().order_by("id")),
        list(User.objects.values().order_by("id")),
        list(AuthSession.objects.values().order_by("id")),
        list(OutgoingMail.objects.values().order_by("id")),
        list(PersonalAccessToken.objects.values().order_by("id")),
        list(TOTPDevice.objects.values().order_by("user_id")),
        list(RecoveryCode.objects.values().order_by("id")),
        list(MFAChallenge.objects.values().order_by("id")),
        list(Webhook.objects.values().order_by("id")),
        list(WebhookDelivery.objects.values().order_by("id")),
    ]
