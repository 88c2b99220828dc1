import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from tasks.models import Label, Task
from tasks.tests.factories import LabelFactory, TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def changelist_query_count(staff_client) -> int:
    with CaptureQueriesContext(connection) as context:
        assert staff_client.get("/admin/tasks/task/").status_code == 200
    return len(context.captured_queries)


def test_changelist_has_no_n_plus_one(staff_client):
    owners = UserFactory.create_batch(3)
    for owner in owners:
        TaskFactory.create_batch(2, owner=owner)
    few = changelist_query_count(staff_client)
    for owner in owners:
        TaskFactory.create_batch(20, owner=owner)
    UserFactory.create_batch(5)
    assert changelist_query_count(staff_client) == few


def test_changelist_filters_and_search(staff_client):
    TaskFactory(title="needle in haystack", status="done", priority=Task.Priority.HIGH)
    TaskFactory(title="other", status="todo")
    content = staff_client.get("/admin/tasks/task/?status__exact=done&q=needle").content.decode()
    assert "needle in haystack" in content and ">other<" not in content
    assert staff_client.get("/admin/tasks/task/?priority__exact=3&due_date__isnull=True").status_code == 200


def test_mark_done_and_reopen_actions(staff_client):
    tasks = TaskFactory.create_batch(3)
    ids = [task.pk for task in tasks]
    staff_client.post("/admin/tasks/task/", {"action": "mark_done", "_selected_action": ids})
    assert set(Task.objects.values_list("status", flat=True)) == {"done"}
    assert not Task.objects.filter(completed_at__isnull=True).exists()
    staff_client.post("/admin/tasks/task/", {"action": "reopen", "_selected_action": ids})
    assert set(Task.objects.values_list("status", flat=True)) == {"todo"}
    assert not Task.objects.filter(completed_at__isnull=False).exists()


def test_owner_autocomplete_answers(staff_client):
    UserFactory(username="findable")
    response = staff_client.get(
        "/admin/autocomplete/",
        {"app_label": "tasks", "model_name": "task", "field_name": "owner", "term": "findab"},
    )
    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["findable"]


def test_task_page_shows_history_read_only(staff_client):
    from tasks.services.tasks import task_update

    task = TaskFactory(title="old title")
    task_update(user_id=task.owner_id, task_id=task.pk, actor_id=None, data={"title": "new title"})
    content = staff_client.get(f"/admin/tasks/task/{task.pk}/change/").content.decode()
    assert "old title" in content and "updated" in content
    assert "taskevent_set-TOTAL_FORMS" in content or "events-TOTAL_FORMS" in content


def test_trash_filter_and_restore_action(staff_client):
    from django.utils import timezone

    binned = TaskFactory(title="binned", trashed_at=timezone.now())
    TaskFactory(title="alive")
    content = staff_client.get("/admin/tasks/task/?trashed=yes").content.decode()
    assert "binned" in content and ">alive<" not in content
    staff_client.post("/admin/tasks/task/", {"action": "restore", "_selected_action": [binned.pk]})
    binned.refresh_from_db()
    assert binned.trashed_at is None


def test_staff_cannot_give_a_task_more_than_twenty_labels(staff_client):
    task = TaskFactory(title="tagged")
    labels = Label.objects.bulk_create([Label(owner=task.owner, name=f"l{n}") for n in range(21)])
    form = {
        "owner": task.owner_id,
        "title": "tagged",
        "description": "",
        "status": "todo",
        "priority": 0,
        "events-TOTAL_FORMS": 0,  # the history inline's management form
        "events-INITIAL_FORMS": 0,
    }
    response = staff_client.post(
        f"/admin/tasks/task/{task.pk}/change/", {**form, "labels": [label.pk for label in labels]}
    )
    assert response.status_code == 200  # the form again, with the error
    assert "A task has at most 20 labels." in response.content.decode()
    assert not task.labels.exists()
    staff_client.post(f"/admin/tasks/task/{task.pk}/change/", {**form, "labels": [labels[0].pk]})
    assert list(task.labels.all()) == [labels[0]]


def test_staff_cannot_pass_a_users_label_quota(staff_client, settings):
    settings.TMS_QUOTA_LABELS = 1
    owner = UserFactory()
    LabelFactory(owner=owner, name="only")
    response = staff_client.post(
        "/admin/tasks/label/add/", {"owner": owner.pk, "name": "second", "colour": "#123456"}
    )
    assert response.status_code == 200
    assert "The labels quota is 1 per account" in response.content.decode()
    assert Label.objects.filter(owner=owner).count() == 1


# --- projects, members, sub-tasks and comments --------------------------------------------------------


def test_project_list_searches_by_name_and_owner_and_filters_archived_and_trash(staff_client):
    from django.utils import timezone

    from tasks.tests.factories import ProjectFactory

    ada = UserFactory(username="ada", email="ada@example.com")
    ProjectFactory(owner=ada, name="Garden plans")
    ProjectFactory(owner=ada, name="Old shed", archived=True)
    ProjectFactory(owner=UserFactory(username="bob"), name="Bob's binned", trashed_at=timezone.now())

    def names(query: str) -> set[str]:
        response = staff_client.get(f"/admin/tasks/project/{query}")
        assert response.status_code == 200
        content = response.content.decode()
        return {name for name in ("Garden plans", "Old shed", "Bob&#x27;s binned") if name in content}

    assert names("?q=garden") == {"Garden plans"}
    assert names("?q=ada@example.com") == {"Garden plans", "Old shed"}
    assert names("?q=bob") == {"Bob&#x27;s binned"}
    assert names("?archived__exact=1") == {"Old shed"}
    assert names("?trashed=yes") == {"Bob&#x27;s binned"}
    assert names("?trashed=no") == {"Garden plans", "Old shed"}


def test_project_list_has_no_n_plus_one(staff_client):
    from tasks.tests.factories import ProjectFactory, ProjectMemberFactory

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert staff_client.get("/admin/tasks/project/").status_code == 200
        return len(context.captured_queries)

    ProjectFactory()
    few = count()
    for project in ProjectFactory.create_batch(10):
        ProjectMemberFactory.create_batch(2, project=project)
    assert count() == few


def member_form(project, rows, **extra):
    """The project change form as the admin posts it, with ``rows`` for the members inline."""
    form = {
        "name": project.name,
        "description": project.description,
        "colour": project.colour,
        "members-TOTAL_FORMS": len(rows),
        "members-INITIAL_FORMS": sum(1 for row in rows if row.get("id")),
        "members-MIN_NUM_FORMS": 0,
        "members-MAX_NUM_FORMS": 1000,
        **extra,
    }
    for n, row in enumerate(rows):
        for key, value in row.items():
            form[f"members-{n}-{key}"] = value
        form[f"members-{n}-project"] = project.pk
    return form


def test_project_page_shows_its_members_inline_and_staff_add_and_remove_them(staff_client):
    from tasks.models import Project, ProjectMember
    from tasks.tests.factories import ProjectFactory, ProjectMemberFactory, project_task

    project = ProjectFactory(name="Shared", owner=UserFactory(username="keeper"))
    leaving = ProjectMemberFactory(project=project, user=UserFactory(username="leaver"), role="editor")
    newcomer = UserFactory(username="newcomer")
    task = project_task(project)
    task.assignees.add(leaving.user)
    page = staff_client.get(f"/admin/tasks/project/{project.pk}/change/").content.decode()
    assert "keeper" in page and "leaver" in page and "members-TOTAL_FORMS" in page
    owner_row = ProjectMember.objects.get(project=project, role="owner")
    rows = [
        {"id": owner_row.pk, "user": project.owner_id, "role": "owner"},
        {"id": leaving.pk, "user": leaving.user_id, "role": "editor", "DELETE": "on"},
        {"user": newcomer.pk, "role": "viewer"},
    ]
    response = staff_client.post(f"/admin/tasks/project/{project.pk}/change/", member_form(project, rows))
    assert response.status_code == 302, response.content.decode()[:3000]
    members = dict(ProjectMember.objects.filter(project=project).values_list("user__username", "role"))
    assert members == {"keeper": "owner", "newcomer": "viewer"}
    assert not task.assignees.exists()  # the removed member's assignment went with them
    assert Project.objects.get(pk=project.pk).owner_id == project.owner_id


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("remove the owner", "The project&#x27;s owner cannot be removed."),
        ("make someone owner", "Select a valid choice. owner is not one of the available choices."),
        ("over the quota", "A project has at most 2 members."),
    ],
)
def test_staff_cannot_break_a_projects_members(staff_client, settings, change, message):
    from tasks.models import ProjectMember
    from tasks.tests.factories import ProjectFactory

    settings.TMS_QUOTA_PROJECT_MEMBERS = 2
    project = ProjectFactory(name="Shared")
    owner_row = ProjectMember.objects.get(project=project)
    rows = [{"id": owner_row.pk, "user": project.owner_id, "role": "owner"}]
    if change == "remove the owner":
        rows[0]["DELETE"] = "on"
    elif change == "make someone owner":
        rows.append({"user": UserFactory().pk, "role": "owner"})
    else:
        rows += [{"user": UserFactory().pk, "role": "viewer"} for _ in range(2)]
    response = staff_client.post(f"/admin/tasks/project/{project.pk}/change/", member_form(project, rows))
    assert response.status_code == 200  # the form again, with the error
    assert message in response.content.decode()
    assert list(ProjectMember.objects.filter(project=project).values_list("role", flat=True)) == ["owner"]


def test_member_user_autocomplete_answers(staff_client):
    UserFactory(username="teammate")
    response = staff_client.get(
        "/admin/autocomplete/",
        {"app_label": "tasks", "model_name": "projectmember", "field_name": "user", "term": "teamm"},
    )
    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["teammate"]


def listed_titles(staff_client, query: str) -> set[str]:
    """The titles in the task changelist (its first column, a link to each task)."""
    import re

    response = staff_client.get(f"/admin/tasks/task/{query}")
    assert response.status_code == 200
    return set(re.findall(r'<th class="field-title"><a [^>]*>([^<]*)</a></th>', response.content.decode()))


def test_task_list_shows_and_filters_project_and_level(staff_client):
    from tasks.tests.factories import ProjectFactory, project_task

    project = ProjectFactory(name="Rocket")
    parent = project_task(project, title="build rocket")
    project_task(project, title="weld fins", parent=parent)
    TaskFactory(title="water plants")
    assert listed_titles(staff_client, f"?project__id__exact={project.pk}") == {"build rocket", "weld fins"}
    assert listed_titles(staff_client, "?project__isnull=True") == {"water plants"}
    assert listed_titles(staff_client, "?level=sub") == {"weld fins"}
    assert listed_titles(staff_client, "?level=top") == {"build rocket", "water plants"}
    assert listed_titles(staff_client, "?q=rocket") == {"build rocket", "weld fins"}  # the project's name
    content = staff_client.get("/admin/tasks/task/?level=sub").content.decode()
    assert '<td class="field-project nowrap">Rocket</td>' in content
    assert '<td class="field-parent nowrap">build rocket</td>' in content
    page = staff_client.get(f"/admin/tasks/task/{parent.pk}/change/").content.decode()
    assert 'name="project"' in page and 'name="parent"' in page and 'name="assignees"' in page


def test_project_and_parent_autocomplete_answer(staff_client):
    from tasks.tests.factories import ProjectFactory

    ProjectFactory(name="Findable project")
    TaskFactory(title="Findable task")
    for field, expected in (("project", "Findable project"), ("parent", "Findable task")):
        response = staff_client.get(
            "/admin/autocomplete/",
            {"app_label": "tasks", "model_name": "task", "field_name": field, "term": "findable"},
        )
        assert response.status_code == 200
        assert [item["text"] for item in response.json()["results"]] == [expected]


def task_form(task, **fields):
    form = {
        "owner": task.owner_id,
        "title": task.title,
        "description": "",
        "status": "todo",
        "priority": 0,
        "events-TOTAL_FORMS": 0,
        "events-INITIAL_FORMS": 0,
    }
    form.update({key: value for key, value in fields.items() if value is not None})
    return form


def test_staff_edits_of_project_parent_and_assignees_keep_the_apis_rules(staff_client):
    from tasks.tests.factories import ProjectFactory, ProjectMemberFactory, project_task

    project, other = ProjectFactory(name="Here"), ProjectFactory(name="There")
    member = ProjectMemberFactory(project=project, role="editor").user
    task, elsewhere = project_task(project, title="child"), project_task(other, title="far")
    url = f"/admin/tasks/task/{task.pk}/change/"

    def refused(message: str, **fields) -> None:
        response = staff_client.post(url, task_form(task, **fields))
        assert response.status_code == 200, response.status_code
        assert message in response.content.decode()

    refused(
        "A sub-task&#x27;s parent must be a task of the same project.",
        project=project.pk,
        parent=elsewhere.pk,
    )
    refused("A task cannot be its own sub-task", project=project.pk, parent=task.pk)
    refused("belongs to the project&#x27;s owner", project=other.pk)
    refused("not to outsider", project=project.pk, assignees=[UserFactory(username="outsider").pk])
    task.refresh_from_db()
    assert (task.project_id, task.parent_id, list(task.assignees.all())) == (project.pk, None, [])
    # what the rules allow goes through
    parent = project_task(project, title="parent")
    response = staff_client.post(
        url, task_form(task, project=project.pk, parent=parent.pk, assignees=[member.pk])
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    task.refresh_from_db()
    assert (task.parent_id, list(task.assignees.all())) == (parent.pk, [member])


def test_a_task_with_sub_tasks_is_not_moved_to_another_project_in_the_admin(staff_client):
    from tasks.tests.factories import ProjectFactory, project_task

    project = ProjectFactory(name="Here")
    other = ProjectFactory(name="There", owner=project.owner)
    parent = project_task(project, title="parent")
    project_task(project, title="child", parent=parent)
    response = staff_client.post(
        f"/admin/tasks/task/{parent.pk}/change/", task_form(parent, project=other.pk)
    )
    assert response.status_code == 200
    assert "This task has sub-tasks" in response.content.decode()
    parent.refresh_from_db()
    assert parent.project_id == project.pk


def test_task_page_shows_comments_read_only_as_text(staff_client):
    from tasks.models import Comment
    from tasks.tests.factories import ProjectFactory, project_task

    project = ProjectFactory(name="Shared")
    task = project_task(project, title="discussed")
    Comment.objects.create(task=task, author=project.owner, body='<script>alert("x")</script> & <b>bold</b>')
    Comment.objects.create(task=task, author=None, body="from a deleted account")
    content = staff_client.get(f"/admin/tasks/task/{task.pk}/change/").content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in content
    assert '<script>alert("x")' not in content and "<b>bold</b>" not in content
    assert "from a deleted account" in content
    assert "(deleted account)" in content
    assert "<textarea" not in content.split('class="comment-thread"')[1].split("</ol>")[0]  # not editable
