"""Activity notifications: people are told when someone else assigns them, comments on their task,
or adds them to a project, on the channels they chose; never about their own action, and only
while they can still read the task."""

import pytest

from tasks.models import ProjectMember
from tasks.notifications import activity
from tasks.notifications.models import Delivery, Notification, NotificationSettings, PushSubscription
from tasks.tests.factories import TaskFactory, project_task

pytestmark = pytest.mark.django_db


def told(user) -> list[tuple[str, list[str]]]:
    """What ``user`` was told: (kind, channels) per notification, oldest first."""
    rows = Notification.objects.filter(user=user).order_by("pk").prefetch_related("deliveries")
    return [(row.kind, sorted(d.channel for d in row.deliveries.all())) for row in rows]


def subscribe(user, n=1):
    PushSubscription.objects.create(
        user=user, endpoint=f"https://push.example.net/{user.pk}/{n}", p256dh="k", auth="a"
    )


def test_a_comment_tells_the_project_owner_and_the_assignees_but_not_its_author(team):
    task = project_task(team.project, title="Budget")
    task.assignees.set([team.editor, team.viewer])
    subscribe(team.viewer)
    response = team.client("editor").post(f"/api/tasks/{task.pk}/comments/", {"body": "done?"}, format="json")
    assert response.status_code == 201
    # Activity defaults: no e-mail, push when subscribed.
    assert told(team.owner) == [("commented", [])]
    assert told(team.viewer) == [("commented", ["push"])]
    assert told(team.editor) == []
    assert told(team.admin) == []
    note = Notification.objects.get(user=team.owner)
    assert note.task_id == task.pk and note.project_id == team.project.pk
    assert note.actor_id == team.editor.pk
    assert note.payload == {"title": "Budget", "actor": "editor1", "comment": response.json()["id"]}


def test_a_comment_does_not_tell_someone_who_no_longer_reads_the_task(team):
    task = project_task(team.project)
    task.assignees.set([team.viewer])
    ProjectMember.objects.filter(project=team.project, user=team.viewer).delete()
    team.client("editor").post(f"/api/tasks/{task.pk}/comments/", {"body": "hi"}, format="json")
    assert told(team.viewer) == []


def test_email_for_activity_when_chosen(team):
    NotificationSettings.objects.create(user=team.owner, email_activity=True, push_activity=False)
    subscribe(team.owner)
    task = project_task(team.project)
    team.client("admin").post(f"/api/tasks/{task.pk}/comments/", {"body": "hi"}, format="json")
    assert told(team.owner) == [("commented", ["email"])]
    delivery = Delivery.objects.get(notification__user=team.owner)
    assert delivery.state == Delivery.State.PENDING and delivery.attempts == 0


def test_adding_a_member_tells_them(team, django_user_model):
    newcomer = django_user_model.objects.create_user(username="newbie", email="newbie@example.com")
    response = team.client("admin").post(
        f"/api/tasks/projects/{team.project.pk}/members/",
        {"user": "newbie", "role": "editor"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert told(newcomer) == [("shared", [])]
    note = Notification.objects.get(user=newcomer)
    assert note.project_id == team.project.pk and note.task_id is None
    assert note.payload == {"project_name": "Launch", "actor": "admin1"}


def test_assigning_tells_the_new_assignees_only_and_not_the_actor(team):
    task = project_task(team.project)
    activity.notify_assigned(task, [team.editor.pk, team.admin.pk, team.stranger.pk], team.admin.pk)
    assert told(team.editor) == [("assigned", [])]
    assert told(team.admin) == []
    assert told(team.stranger) == []  # not a member: cannot read the task


def test_nobody_is_told_about_a_task_in_the_trash(owner, team):
    from django.utils import timezone

    task = TaskFactory(owner=owner, trashed_at=timezone.now())
    assert activity.notify_assigned(task, [owner.pk], None) == []
    assert told(owner) == []
