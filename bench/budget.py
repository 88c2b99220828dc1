"""What each part of a task-list request costs on its own, in one process, without HTTP.

`python -m bench.budget [--iterations N]` with DATABASE_URL naming a database it may migrate
and write to (default: a throwaway SQLite file; `make bench` measures MariaDB through the
ingress instead), and REDIS_URL for the rate-limit rows to count in Redis. It makes one user
with 500 tasks (a label on every third), then times:

- the whole request through Django's test client (every middleware, URL routing, DRF), and the
  bare JSON view through the same stack (what any request pays);
- each part of the list view alone: the JWT check, DRF's request and content negotiation, the
  query parameters, the user's projects, building the queryset, compiling its SQL, running it,
  the page as values() rows (all of those together), the cursors, the page's details, the
  representation, the JSON and its ETag (tms_project.api.conditional);
- each change of the speed work next to what it replaced (docs/performance.md): model instances,
  DRF's per-request copy of the query serializer's fields, Python's json, the stats query of
  thirteen filtered counts, the rate limit's three Redis round trips, an RS256 refresh token.

It prints microseconds per call (median and 95th percentile) and removes what it made. The
parts overlap a little (the page includes its queries), so they do not add up exactly to the whole.
"""

import argparse
import copy
import datetime
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from bench.pat_timing import database, setup_django, timed  # noqa: E402

TASKS = 500


def seed(user: Any) -> None:
    from tasks.models import Label, Task

    labels = [Label.objects.create(owner=user, name=f"label {n}", colour="#3366cc") for n in range(3)]
    Task.objects.bulk_create(
        Task(owner=user, title=f"Task {n}", description="Some words." * (n % 4), position=n, priority=n % 5)
        for n in range(TASKS)
    )
    tagged = Task.objects.filter(owner=user).order_by("pk")[::3]
    Task.labels.through.objects.bulk_create(
        Task.labels.through(task_id=task.pk, label_id=labels[index % 3].pk)
        for index, task in enumerate(tagged)
    )


def list_parts(user: Any) -> dict[str, Callable[[], object]]:
    """The list request, whole and in parts."""
    from django.db import connection
    from django.http import HttpResponseBase, QueryDict
    from django.test import Client
    from django.utils import timezone
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory
    from rest_framework_simplejwt.authentication import JWTStatelessUserAuthentication

    from tasks import access
    from tasks.orderings import ORDERINGS
    from tasks.representation import row_data, task_page
    from tasks.selectors import TASK_COLUMNS, details_for, task_list
    from tasks.serializers import TaskListQuerySerializer
    from tasks.views.tasks import TaskListView
    from tests.support.clients import access_token_for
    from tms_project.api.conditional import body_tag
    from tms_project.api.pagination import KeysetPagination
    from tms_project.api.renderers import TmsJSONRenderer

    authorization = f"Bearer {access_token_for(user)}"
    client, factory = Client(SERVER_NAME="localhost"), APIRequestFactory(SERVER_NAME="localhost")
    view = TaskListView(format_kwarg=None, args=(), kwargs={})
    ordering = ORDERINGS["position"]

    def validated() -> dict:
        query = TaskListQuerySerializer(data=QueryDict())
        query.is_valid(raise_exception=True)
        return dict(query.validated_data)

    filters = validated()

    def queryset() -> Any:  # what the view and the pagination build before any SQL
        tasks = task_list(user_id=user.pk, filters=filters, time_zone="UTC")
        keys = ordering.all_keys
        return tasks.order_by(*(key.order_expression(False) for key in keys)).values(*TASK_COLUMNS)[:51]

    def drf_request() -> None:
        request = view.initialize_request(factory.get("/api/tasks/", HTTP_AUTHORIZATION=authorization))
        view.perform_content_negotiation(request)

    def page_rows() -> list:
        tasks = task_list(user_id=user.pk, filters=filters, time_zone="UTC")
        request = Request(factory.get("/api/tasks/"))
        paginator = KeysetPagination()
        return paginator.paginate_queryset(
            tasks, request, ordering=ordering, cursor=None, page_size=50, values=TASK_COLUMNS
        )

    rows = page_rows()
    details = details_for([row["pk"] for row in rows], user.pk)
    body = {"results": task_page(rows, user.pk), "next": None, "previous": None}
    rendered = TmsJSONRenderer().render(body)
    built = queryset()
    sql, params = built.query.get_compiler(using="default").as_sql()
    zone = timezone.get_current_timezone()
    jwt, jwt_request = (
        JWTStatelessUserAuthentication(),
        Request(factory.get("/api/tasks/", HTTP_AUTHORIZATION=authorization)),
    )
    links = KeysetPagination()
    links.request = Request(factory.get("/api/tasks/"))

    def execute() -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def whole() -> HttpResponseBase:
        return client.get("/api/tasks/", HTTP_AUTHORIZATION=authorization)

    if whole().status_code != 200:
        raise SystemExit("budget: the list request did not answer 200")
    return {
        "whole list request (test client)": lambda: client.get(
            "/api/tasks/", HTTP_AUTHORIZATION=authorization
        ),
        "bare JSON view (test client)": lambda: client.get("/bench/json/"),
        "JWT check (RS256)": lambda: jwt.authenticate(jwt_request),
        "DRF request and negotiation": drf_request,
        "query parameters": validated,
        "the user's projects (one query)": lambda: access.scope_of(user.pk),
        "queryset building (the projects' query included)": queryset,
        "SQL compilation": lambda: built.query.get_compiler(using="default").as_sql(),
        "SQL execution and fetch (driver)": execute,
        "page as values() rows (all of the above from the projects' query)": page_rows,
        "cursor and links": lambda: links._set_links(
            rows, ordering, came_from_cursor=False, backwards=False, has_more=True
        ),
        "page details (one query)": lambda: details_for([row["pk"] for row in rows], user.pk),
        "representation of 50 rows": lambda: [row_data(row, details[row["pk"]], zone) for row in rows],
        "JSON rendering (orjson)": lambda: TmsJSONRenderer().render(body),
        "ETag of the page (SHA-256 of its JSON)": lambda: body_tag(rendered, reader=user.pk),
    }


def _stats_before(user_id: int) -> dict:
    """The stats query this release replaced: one aggregate of thirteen filtered counts."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from tasks import access
    from tasks.models import Task
    from tasks.selectors import overdue_q, user_today

    today, week_ago = user_today("UTC"), timezone.now() - datetime.timedelta(days=7)
    overdue, not_done = overdue_q("UTC"), ~Q(status=Task.Status.DONE)
    counts = {f"s_{status}": Count("pk", filter=Q(status=status)) for status in Task.Status.values}
    counts |= {f"p_{value}": Count("pk", filter=Q(priority=value)) for value in Task.Priority.values}
    counts |= {
        "total": Count("pk"),
        "overdue": Count("pk", filter=overdue),
        "due_today": Count("pk", filter=Q(due_date=today) & not_done & ~overdue),
        "recent": Count("pk", filter=Q(completed_at__gte=week_ago)),
    }
    where = access.scope_of(user_id).tasks()
    return Task.objects.filter(where, trashed_at__isnull=True).aggregate(**counts)


def change_parts(user: Any) -> dict[str, Callable[[], object]]:
    """Each change of the speed work, after and before (docs/performance.md)."""
    from django.core.cache import cache
    from django.http import QueryDict
    from rest_framework import serializers
    from rest_framework.renderers import JSONRenderer
    from rest_framework.test import APIRequestFactory
    from rest_framework_simplejwt.state import token_backend
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.tokens import SessionRefreshToken
    from tasks.models import Task
    from tasks.representation import task_page
    from tasks.selectors import TASK_COLUMNS, details_attach, task_stats
    from tasks.serializers import TaskListQuerySerializer, TaskSerializer
    from tms_project.api.renderers import TmsJSONRenderer
    from tms_project.ratelimit import hit

    first_page = Task.objects.filter(owner=user).order_by("position", "pk")
    rows = list(first_page.values(*TASK_COLUMNS)[:50])
    body = {"results": task_page(rows, user.pk), "next": None, "previous": None}
    # DRF's own behaviour: a plain Serializer with the same fields, copied for every instance.
    copied = type(
        "CopiedQuery", (serializers.Serializer,), copy.deepcopy(TaskListQuerySerializer._declared_fields)
    )
    request = APIRequestFactory().post("/api/tasks/")
    key = f"rl:budget:{user.pk}"

    def rows_rendered() -> object:
        return task_page(list(first_page.values(*TASK_COLUMNS)[:50]), user.pk)

    def models_rendered() -> object:
        return TaskSerializer(details_attach(list(first_page[:50]), user.pk), many=True).data

    def old_hit() -> int:
        cache.add(key, 0, timeout=3600)
        return cache.incr(key)

    return {
        "change: page as values() rows, rendered": rows_rendered,
        "before: page as model instances, rendered": models_rendered,
        "change: query parameters, fields once per thread": lambda: TaskListQuerySerializer(
            data=QueryDict()
        ).is_valid(),
        "before: query parameters, DRF's copy per request": lambda: copied(data=QueryDict()).is_valid(),
        "change: JSON of a page (orjson)": lambda: TmsJSONRenderer().render(body),
        "before: JSON of a page (json, DRF's renderer)": lambda: JSONRenderer().render(body),
        "change: stats (grouped, four counts)": lambda: task_stats(user_id=user.pk, time_zone="UTC"),
        "before: stats (thirteen filtered counts)": lambda: _stats_before(user.pk),
        "change: rate limit (one round trip)": lambda: hit(request, "tasks_write", value=f"budget:{user.pk}"),
        "before: rate limit (add and incr: three round trips)": old_hit,
        "change: refresh token signed (HS256)": lambda: str(SessionRefreshToken.for_user(user)),
        "before: refresh token signed (RS256)": lambda: token_backend.encode(
            RefreshToken.for_user(user).payload
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("TMS_ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("TMS_RATELIMIT_TASKS_WRITE", "1000000000/m")
    setup_django()

    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import User
    from tasks.models import Task

    call_command("migrate", verbosity=0)
    name = f"budget-{os.getpid()}"
    user = User.objects.create_user(username=name, email=f"{name}@example.com", password=None)
    try:
        seed(user)
        parts = {**list_parts(user), **change_parts(user)}
        results = {label: timed(part, args.iterations) for label, part in parts.items()}
    finally:
        Task.objects.filter(owner=user).delete()
        user.delete()
    print(f"budget: {args.iterations} calls each, {database()}, {timezone.now():%Y-%m-%d}")
    print("| part | median µs | p95 µs |\n| --- | ---: | ---: |")
    for label, result in results.items():
        print(f"| {label} | {result['median_us']:.0f} | {result['p95_us']:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
