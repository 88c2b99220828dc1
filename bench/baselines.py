"""What the hardware, Django and the database allow, without TMS's own code.

- bare_json: a Django view returning a constant JSON object;
- raw_read: the 50 rows a task list page shows, by one hand-written SQL query;
- raw_insert: one task row inserted by one hand-written SQL statement.

No authentication: the owner is a query parameter. Served only by bench.settings.
"""

import json
import time

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

COLUMNS = (
    "id, title, description, status, priority, due_date, completed_at, position, version, "
    "created_at, updated_at"
)


@require_GET
def bare_json(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@require_GET
def raw_read(request: HttpRequest) -> HttpResponse:
    owner = int(request.GET.get("owner", "0"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {COLUMNS} FROM tasks WHERE owner_id = %s AND trashed_at IS NULL "  # noqa: S608
            "ORDER BY position, id LIMIT 50",
            [owner],
        )
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return HttpResponse(json.dumps({"results": rows}, default=str), content_type="application/json")


@csrf_exempt
@require_POST
def raw_insert(request: HttpRequest) -> HttpResponse:
    owner = int(request.GET.get("owner", "0"))
    title = json.loads(request.body)["title"]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tasks (owner_id, title, description, status, priority, position, version, "
            "created_at, updated_at) "
            "VALUES (%s, %s, '', 'todo', 0, %s, 1, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
            [owner, title, time.time_ns() // 1_000_000 << 20],
        )
        task_id = cursor.lastrowid
    return JsonResponse({"id": task_id, "title": title}, status=201)
