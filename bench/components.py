"""A per-request CPU budget from a py-spy profile: each sample goes to one component.

A sample belongs to the first component found walking its stack from the running function
outwards, so a database call made while building the page's details counts as "SQL
execution", and whatever a middleware does itself (not what it calls) counts as that
middleware. The shares, times the service's measured CPU per request, add up to that total.
"""

from collections import Counter
from pathlib import Path

# (component, markers): a sample whose stack holds a frame containing one of the markers belongs to
# the first such component, in this order (so SQL run while building the page's details is "SQL
# execution").
WORK: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("JSON rendering", ("JSONRenderer.render", "TmsJSONRenderer", "json/encoder.py")),
    ("SQL compilation", ("SQLCompiler.as_sql", "SQLCompiler.pre_sql_setup", "SQLCompiler.setup_query")),
    ("rows: model instances", ("Model.from_db", "Model.__init__")),
    ("rows: fetch and convert", ("BaseCursor._fetch_row", "apply_converters", "convert_datetimefield_value")),
    ("SQL execution (driver, round trip)", ("CursorWrapper.execute", "SQLCompiler.execute_sql", "_execute")),
    ("representation", ("task_data", "row_data", "ListSerializer.to_representation", "BaseSerializer.data")),
    ("page details (labels, assignees, sub-tasks, reminders)", ("details_for", "details_attach")),
    ("pagination and cursors", ("KeysetPagination._set_links", "encode_cursor", "decode_cursor")),
    ("validation (query parameters, body)", ("BaseSerializer.is_valid",)),
    ("writes (services)", ("tasks/services/",)),
    ("queryset building", ("task_list", "scope_of", "paginate_queryset", "task_stats", "QuerySet.", "Q.")),
    ("body parsing", ("Request.data", "parsers.py")),
    ("JWT: checking, signing", ("Request._authenticate", "simplejwt", "jwt/", "personal_tokens/")),
    ("rate limits", ("check_throttles", "ratelimit.py")),
)
# The layers a request passes through: what is left goes to the innermost one on its stack,
# so a middleware is billed for its own work, not for what it wraps.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("views (other)", ("tasks/views/", "accounts/views")),
    ("DRF request handling", ("rest_framework/",)),
    ("middleware: metrics", ("django_prometheus", "prometheus_client", "tms_project/metrics.py")),
    ("middleware: request log", ("request_log.py", "jsonlog.py", "logging/")),
    ("middleware: errors", ("api_errors.py",)),
    ("middleware: probes", ("probes.py",)),
    ("middleware: security headers, CSP", ("csp.py", "middleware/security.py", "clickjacking.py")),
    ("middleware: body limit", ("body_limit.py",)),
    ("middleware: CORS", ("corsheaders",)),
    ("middleware: sessions, CSRF, auth, messages", ("sessions/", "csrf.py", "contrib/auth/", "messages/")),
    ("Django: URL routing, handler, signals", ("django/",)),
    ("gunicorn", ("gunicorn/",)),
)
OTHER = "other"


def component(frames: list[str]) -> str:
    """The component of one sample, ``frames`` from the outermost to the running function."""
    for name, markers in WORK:
        if any(marker in frame for frame in frames for marker in markers):
            return name
    for frame in reversed(frames):
        for name, markers in LAYERS:
            if any(marker in frame for marker in markers):
                return name
    return OTHER


def shares(raw: Path) -> tuple[Counter[str], int]:
    counts: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        counts[component(stack.split(";"))] += int(count)
        total += int(count)
    return counts, total


def budget(raw: Path, cpu_ms: float) -> str:
    """A markdown table: each component's share of the samples and its CPU ms per request."""
    counts, total = shares(raw)
    if not total:
        return "no samples\n"
    rows = [
        f"CPU per request {cpu_ms:.2f} ms, split by {total} samples of the thread holding the GIL",
        "",
        "| component | share | ms per request |",
        "| --- | ---: | ---: |",
    ]
    for name, samples in counts.most_common():
        rows.append(f"| {name} | {samples / total:.1%} | {samples / total * cpu_ms:.2f} |")
    rows.append(f"| **total** | 100% | {cpu_ms:.2f} |")
    return "\n".join(rows) + "\n"
