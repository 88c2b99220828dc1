"""The web app calls only operations the OpenAPI schema documents, with the documented bodies.

The app's API client (frontend/src/api) reaches the API through operations.ts, whose paths, parameters and
bodies are typed by the types openapi-typescript generates from the schema. Here the schema of this
code is generated, typed afresh, and the client compiled against it with tsc.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer

from tests.support.services import services_required
from tests.support.tools import ROOT, require_tool

FRONTEND = ROOT / "frontend"
TSC = FRONTEND / "node_modules/typescript/bin/tsc"
# The client and what it imports (the offline queue, the texts); the packages from the app's node_modules.
TSCONFIG = """{
  "compilerOptions": {
    "target": "ES2022", "lib": ["ES2022", "DOM", "DOM.Iterable"], "module": "ESNext",
    "moduleResolution": "bundler", "strict": true, "noEmit": true, "isolatedModules": true, "types": [],
    "resolveJsonModule": true, "skipLibCheck": true, "jsx": "react-jsx",
    "baseUrl": ".", "paths": {"*": ["NODE_MODULES/*", "NODE_MODULES/@types/*"]}
  },
  "include": ["src/api"]
}
"""
# Calls the schema does not document, one a line; each must be a compile error.
UNDOCUMENTED = [
    'GET("/api/tasks/nowhere/");',
    'DELETE("/api/auth/register/");',
    'POST("/api/tasks/labels/", { body: { name: "home", colour: "#00ff00", icon: "house" } });',
    'PATCH("/api/tasks/{task_id}/", { path: { task_id: 1 }, body: { titel: "typo" } });',
    'POST("/api/auth/login/", { body: { username: "someone" } });',
    'POST("/api/tasks/{task_id}/complete/", { path: { task_id: 1 }, body: { note: "done" } });',
    'GET("/api/tasks/", { query: { colour: "red" } });',
    'POST("/api/tasks/{task_id}/move/", { body: { status: "done" } });',
]


def node() -> str:
    tool = require_tool("node", "Node.js 20+, as the web app's build needs")
    if not TSC.exists():
        reason = "frontend/node_modules is missing (make frontend runs npm ci in frontend/)"
        if services_required():
            pytest.fail(f"{reason}, and TMS_REQUIRE_SERVICES=1 makes it required")
        pytest.skip(reason)
    return tool


@pytest.fixture(scope="module")
def typed_client(tmp_path_factory) -> Path:
    """A copy of the app's API client, with types generated from this code's schema."""
    work = tmp_path_factory.mktemp("frontend-contract")
    schema = SchemaGenerator().get_schema(request=None, public=True)
    (work / "openapi.yaml").write_bytes(OpenApiYamlRenderer().render(schema, renderer_context={}))
    skip = shutil.ignore_patterns("schema.d.ts", "*.test.ts*")
    shutil.copytree(FRONTEND / "src", work / "src", ignore=skip)
    types = work / "src" / "api" / "schema.d.ts"
    subprocess.run(
        [node(), "scripts/api-types.mjs", "--schema", work / "openapi.yaml", "--out", types],
        cwd=FRONTEND,
        check=True,
        capture_output=True,
        timeout=120,
    )
    (work / "tsconfig.json").write_text(TSCONFIG.replace("NODE_MODULES", str(FRONTEND / "node_modules")))
    return work


def tsc(work: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [node(), str(TSC), "-p", str(work / "tsconfig.json")],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_client_calls_only_documented_operations_with_documented_bodies(typed_client):
    # given the app's client and the types of this code's schema
    # when it is compiled
    result = tsc(typed_client)

    # then it compiles
    assert result.returncode == 0, result.stdout + result.stderr
    # and it does go through the typed operations (a client with raw paths would compile too)
    client = (typed_client / "src/api/tms.ts").read_text()
    assert "client.get(" not in client and "client.post(" not in client
    assert client.count('POST("/api/') + client.count('GET("/api/') >= 15


def test_a_call_the_schema_does_not_document_does_not_compile(typed_client, tmp_path):
    # given the client with one undocumented call a line appended
    shutil.copytree(typed_client, tmp_path, dirs_exist_ok=True)
    tms = tmp_path / "src/api/tms.ts"
    probe = "\n".join(f"  {call}" for call in UNDOCUMENTED)
    text = (
        f"{tms.read_text()}\nexport const probe = (client: ApiClient) => {{\n"
        f"  const {{ GET, POST, PATCH, DELETE }} = operations(client);\n{probe}\n}};\n"
    )
    tms.write_text(text)
    first_line = text.splitlines().index(f"  {UNDOCUMENTED[0]}") + 1

    # when it is compiled
    result = tsc(tmp_path)

    # then every one of those lines is an error, and nothing else is
    errors = re.findall(r"^src/api/tms\.ts\((\d+),\d+\): error", result.stdout, re.MULTILINE)
    lines = {int(line) for line in errors}
    assert result.returncode != 0
    assert lines == set(range(first_line, first_line + len(UNDOCUMENTED))), result.stdout
