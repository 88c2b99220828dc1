"""A pod being stopped under real gunicorn: the drain flag, then SIGTERM, then a graceful exit.

The rolling update as a whole, under load and through the ingress, is `make upgrade-test`
(bench/upgrade.py; tests/test_upgrade.py runs a short one).
"""

import json
import signal
import socket
import time

import pytest

from tests.support.server import GunicornServer, http

pytestmark = pytest.mark.server


def test_the_drain_flag_turns_readiness_off_and_a_restart_clears_it(tmp_path, sqlite_env):
    # given a flag left behind in the pod's /tmp by a container that was stopped
    flag = tmp_path / "tmp" / "tms-draining"
    flag.parent.mkdir()
    flag.touch()
    env = {**sqlite_env, "TMS_DRAIN_FILE": str(flag)}
    with GunicornServer(env, log_path=tmp_path / "g.log") as server:
        # then the new server starts ready: its master removed the stale flag
        assert not flag.exists()
        assert http("GET", f"{server.url}/readyz")[0] == 200
        # when the preStop hook runs
        flag.touch()
        status, _, body = http("GET", f"{server.url}/readyz")
        # then readiness fails while the server still serves requests and liveness
        assert (status, json.loads(body)) == (503, {"status": "draining"})
        assert http("GET", f"{server.url}/healthz")[0] == 200
        assert http("GET", f"{server.url}/api/tasks/")[0] == 401  # an API answer, not a refusal


def test_sigterm_lets_the_request_in_flight_finish(tmp_path, sqlite_env):
    # given a request in flight: the server has its headers and waits for the rest of its body
    body = b'{"username": "nobody", "password": "not this one"}'
    head = (
        b"POST /api/auth/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    with GunicornServer(sqlite_env, log_path=tmp_path / "g.log") as server:
        assert server.process is not None
        with socket.create_connection(("127.0.0.1", server.port), timeout=20) as client:
            client.sendall(head + body[:10])
            time.sleep(1)
            # when the kubelet sends SIGTERM
            server.process.send_signal(signal.SIGTERM)
            time.sleep(1)
            client.sendall(body[10:])
            answer = client.recv(65536)
        exit_code = server.process.wait(timeout=30)
    # then the request got its answer (a refused sign-in, as without the SIGTERM) and gunicorn
    # exited cleanly once it was sent
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert exit_code == 0
