"""The jwt-keygen Job's logic, against a fake Kubernetes API on localhost."""

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tms_project.jwt_keys import public_key_pem_of
from tms_project.k8s_keygen import KubernetesApi, ensure_secret


class FakeApi:
    def __init__(self, get_status: int, post_status: int = 201) -> None:
        self.get_status, self.post_status = get_status, post_status
        self.requests: list[tuple[str, str, dict | None, str]] = []

    def __enter__(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def do_GET(self):
                fake.requests.append(("GET", self.path, None, self.headers["Authorization"]))
                self._answer(fake.get_status)

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(("POST", self.path, body, self.headers["Authorization"]))
                self._answer(fake.post_status)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.api = KubernetesApi(f"http://127.0.0.1:{self.server.server_port}", "sa-token", None)
        return self

    def __exit__(self, *exc):
        self.server.shutdown()


def test_creates_a_matching_key_pair_when_the_secret_is_missing():
    with FakeApi(get_status=404) as fake:
        assert ensure_secret(fake.api, "tms-app", "jwt-secret") == "created"
    (_, get_path, _, auth), (_, post_path, body, _) = fake.requests
    assert get_path == "/api/v1/namespaces/tms-app/secrets/jwt-secret"
    assert post_path == "/api/v1/namespaces/tms-app/secrets" and auth == "Bearer sa-token"
    assert body["metadata"]["name"] == "jwt-secret"
    private = base64.b64decode(body["data"]["jwt-private.pem"]).decode()
    public = base64.b64decode(body["data"]["jwt-public.pem"]).decode()
    assert public_key_pem_of(private) == public


def test_leaves_an_existing_secret_alone():
    with FakeApi(get_status=200) as fake:
        assert ensure_secret(fake.api, "tms-app", "jwt-secret") == "exists"
    assert [method for method, *_ in fake.requests] == ["GET"]


def test_a_concurrent_creation_counts_as_existing():
    with FakeApi(get_status=404, post_status=409) as fake:
        assert ensure_secret(fake.api, "tms-app", "jwt-secret") == "exists"


@pytest.mark.parametrize(("get_status", "post_status"), [(403, 201), (404, 403)])
def test_refusals_are_errors(get_status, post_status):
    with FakeApi(get_status=get_status, post_status=post_status) as fake, pytest.raises(RuntimeError):
        ensure_secret(fake.api, "tms-app", "jwt-secret")
