"""The task service's code depends on tms_project, never on the accounts app: what both services
share (the token claim names) lives in tms_project. Its tests may still make users with accounts'
factories."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def test_the_tasks_app_imports_nothing_from_accounts():
    sources = [p for p in (ROOT / "tasks").rglob("*.py") if "tests" not in p.relative_to(ROOT).parts]
    assert len(sources) > 10
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m for m in imported_modules(path) if m.split(".")[0] == "accounts"
        )
        for path in sources
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}


def test_selectors_and_services_import_nothing_from_the_api_layer():
    # Reads and writes speak the domain (querysets, domain errors); HTTP lives in views and
    # tms_project.api, which maps domain errors to responses.
    sources = [ROOT / app / "selectors.py" for app in ("tasks", "accounts")]
    sources += [p for app in ("tasks", "accounts") for p in (ROOT / app / "services").rglob("*.py")]
    assert len(sources) > 8
    http = ("tms_project.api", "rest_framework", "django.http")
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m for m in imported_modules(path) if any(m == h or m.startswith(h + ".") for h in http)
        )
        for path in sources
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}
