"""What each part of a task-list request costs on its own, in one process, without HTTP.

`python -m bench.budget [--iterations N]` with DATABASE_URL naming a database it may migrate
and write to (default: a throwaway SQLite file; `make bench` measures MariaDB through the
ingress instead). It makes one user with 500 tasks (a label on every third), then times:

- the whole request through Django's test client (every middleware, URL routing, DRF), and the
  bare JSON view through the same stack (what any request pays);
- each part of the list view alone: the JWT check, DRF's request and content negotiation, the
  query parameters, building the queryset, compiling its SQL, fetching the page as values()
  rows and, for comparison, as model instances, the page's details, the representation, and the
  JSON rendering (orjson, and for comparison Python's json through DRF's renderer).

It prints microseconds per call (median and 95th percentile) and removes what it made. The
parts overlap a little (fetching includes compiling), so they do not add up exactly to the whole.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from bench.pat_timing import setup_django, timed  # noqa: E402

TASKS = 500


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("TMS_ALLOWED_HOSTS", "localhost")
    setup_django()

    from django.core.management import call_command
    from django.db import connection
    from django.http import QueryDict
    from django.test import Client
    from django.utils import timezone
    from rest_framework.renderers import JSONRenderer
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory
    from rest_framework_simplejwt.authentication import JWTStatelessUserAuthentication

    from accounts.models import User
    from tasks import access
    from tasks.models import Label, Task
    from tasks.orderings import ORDERINGS
    from tasks.selectors import TASK_COLUMNS, details_for, task_list
    from tasks.serializers import TaskListQuerySerializer, row_data, task_page
    from tasks.views.tasks import TaskListView
    from tests.support.clients import access_token_for
    from tms_project.api.pagination import KeysetPagination
    from tms_project.api.renderers import TmsJSONRenderer

    call_command("migrate", verbosity=0)
    name = f"budget-{os.getpid()}"
    user = User.objects.create_user(username=name, email=f"{name}@example.com", password=None)
    labels = [Label.objects.create(owner=user, name=f"label {n}", colour="#3366cc") for n in range(3)]
    Task.objects.bulk_create(
        Task(owner=user, title=f"Task {n}", description="Some words." * (n % 4), position=n, priority=n % 5)
        for n in range(TASKS)
    )
    tagged = Task.objects.filter(owner=user).order_by("pk")[::3]
    Task.labels.through.objects.bulk_create(
        Task.labels.through(task_id=task.pk, label_id=labels[index % 3].pk) for index, task in enumerate(tagged)
    )
    token = access_token_for(user)
    header = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client, factory = Client(SERVER_NAME="localhost"), APIRequestFactory(SERVER_NAME="localhost")
    view = TaskListView(format_kwarg=None, args=(), kwargs={})
    ordering = ORDERINGS["position"]

    def validated() -> dict:
        query = TaskListQuerySerializer(data=QueryDict())
        query.is_valid(raise_exception=True)
        return dict(query.validated_data)

    filters = validated()

    def queryset():  # what the view and the pagination build before any SQL
        tasks = task_list(user_id=user.pk, filters=filters, time_zone="UTC")
        keys = ordering.all_keys
        return tasks.order_by(*(key.order_expression(False) for key in keys)).values(*TASK_COLUMNS)[:51]

    def drf_request() -> None:
        request = view.initialize_request(factory.get("/api/tasks/", **header))
        view.perform_content_negotiation(request)

    def page_rows() -> list:
        paginator = KeysetPagination()
        request = Request(factory.get("/api/tasks/"))
        return paginator.paginate_queryset(
            task_list(user_id=user.pk, filters=filters, time_zone="UTC"),
            request,
            ordering=ordering,
            cursor=None,
            page_size=50,
            values=TASK_COLUMNS,
        )

    rows = page_rows()
    details = details_for([row["pk"] for row in rows], user.pk)
    page = task_page(rows, user.pk)
    body = {"results": page, "next": None, "previous": None}
    built = queryset()
    sql, params = built.query.get_compiler(using="default").as_sql()
    zone = timezone.get_current_timezone()
    jwt, jwt_request = JWTStatelessUserAuthentication(), Request(factory.get("/api/tasks/", **header))
    links = KeysetPagination()
    links.request = Request(factory.get("/api/tasks/"))

    def execute() -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    assert client.get("/api/tasks/", **header).status_code == 200  # noqa: S101 - a benchmark's sanity check
    parts = {
        "whole list request (test client)": lambda: client.get("/api/tasks/", **header),
        "bare JSON view (test client)": lambda: client.get("/bench/json/"),
        "JWT check (RS256)": lambda: jwt.authenticate(jwt_request),
        "DRF request and negotiation": drf_request,
        "query parameters": validated,
        "the user's projects (one query)": lambda: access.scope_of(user.pk),
        "queryset building (the projects' query included)": queryset,
        "SQL compilation": lambda: built.query.get_compiler(using="default").as_sql(),
        "SQL execution and fetch (driver)": execute,
        "page as values() rows (all of the above from the projects' query)": page_rows,
        "page as model instances (the same)": lambda: list(
            task_list(user_id=user.pk, filters=filters, time_zone="UTC").order_by("position", "pk")[:51]
        ),
        "cursor and links": lambda: links._set_links(
            rows, ordering, came_from_cursor=False, backwards=False, has_more=True
        ),
        "page details (one query)": lambda: details_for([row["pk"] for row in rows], user.pk),
        "representation of 50 rows": lambda: [row_data(row, details[row["pk"]], zone) for row in rows],
        "JSON rendering (orjson)": lambda: TmsJSONRenderer().render(body),
        "JSON rendering (json, DRF's renderer)": lambda: JSONRenderer().render(body),
    }
    try:
        results = {label: timed(part, args.iterations) for label, part in parts.items()}
    finally:
        Task.objects.filter(owner=user).delete()
        user.delete()
    version = ".".join(map(str, connection.get_database_version())) if connection.vendor != "sqlite" else ""
    vendor = f"{connection.vendor} {version}".strip()
    print(f"budget: {args.iterations} calls each, {vendor}, {timezone.now():%Y-%m-%d}")
    print("| part | median µs | p95 µs |\n| --- | ---: | ---: |")
    for label, result in results.items():
        print(f"| {label} | {result['median_us']:.0f} | {result['p95_us']:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
