"""Production's counters (k8s/components/valkey-sentinel) start and stop through their scripts.

tests/test_valkey_sentinel_scripts.py runs the scripts themselves; this checks that the rendered
pods call them where that test assumes, and that the kubelet gives them the time they take.
"""

import re

from tests.manifests.test_workloads import objects, pod_spec

QUESTION_SECONDS = 3  # each valkey-cli call in the scripts runs under `timeout 3`
DEFAULT_FAILURE_THRESHOLD = 3


def counters(docs_by_overlay) -> tuple[dict, dict[str, str]]:
    docs = docs_by_overlay["production"]
    spec = pod_spec(objects(docs, "StatefulSet")["redis"])
    return spec, objects(docs, "ConfigMap")["redis-sentinel-scripts"]["data"]


def bound(scripts: dict[str, str], name: str, variable: str) -> int:
    found = re.search(r"\$\{" + variable + r":-(\d+)\}", scripts[name])
    assert found, (name, variable)
    return int(found[1])


def test_valkey_decides_its_role_on_every_start_and_both_containers_have_a_pre_stop_hook(docs_by_overlay):
    spec, scripts = counters(docs_by_overlay)
    containers = {c["name"]: c for c in spec["containers"]}
    redis, sentinel = containers["redis"], containers["sentinel"]
    # the container's own command runs configure.sh, not only the init container
    assert redis["command"] == ["sh", "/scripts/start.sh"]
    assert "configure.sh" in scripts["start.sh"] and "exec valkey-server" in scripts["start.sh"]
    assert [c["command"] for c in spec["initContainers"]] == [["sh", "/scripts/configure.sh"]]
    assert redis["lifecycle"]["preStop"]["exec"]["command"] == ["sh", "/scripts/hand-over.sh"]
    # a replica is ready once its copy is complete; the probe's own question may take 2 s
    assert redis["readinessProbe"]["exec"]["command"] == ["sh", "/scripts/ready.sh"]
    assert "timeout 2 " in scripts["ready.sh"] and redis["readinessProbe"]["timeoutSeconds"] > 2
    assert sentinel["lifecycle"]["preStop"]["exec"]["command"] == ["sh", "/scripts/sentinel-stop.sh"]
    for container in (redis, sentinel, spec["initContainers"][0]):
        assert {"name": "scripts", "mountPath": "/scripts"} in container["volumeMounts"], container["name"]
    # the hand-over asks the other members' Sentinels, never the one stopping beside it
    assert "-p 26379" not in scripts["hand-over.sh"] and "ask_failover" in scripts["hand-over.sh"]


def test_the_grace_period_covers_the_hand_over_and_the_sentinel_staying(docs_by_overlay):
    spec, scripts = counters(docs_by_overlay)
    grace = spec["terminationGracePeriodSeconds"]
    hand_over = bound(scripts, "hand-over.sh", "TMS_HAND_OVER_SECONDS")
    # the bound covers the questions before the loop; a last round that starts just before it
    # may take two failover questions, two master questions, REPLICAOF, CLIENT UNPAUSE and two
    # more questions to see the Sentinels switched, each at most QUESTION_SECONDS, and a pause
    assert grace >= hand_over + 8 * QUESTION_SECONDS + 1
    stay = bound(scripts, "sentinel-stop.sh", "TMS_SENTINEL_STAY_SECONDS")
    assert hand_over <= stay < grace


def killed_after(probe: dict) -> int:
    """Seconds after the container starts at which the kubelet kills it when every probe fails:
    the first probe at initialDelaySeconds, then one each period, killed at the failureThreshold-th."""
    threshold = probe.get("failureThreshold", DEFAULT_FAILURE_THRESHOLD)
    return probe.get("initialDelaySeconds", 0) + probe.get("periodSeconds", 10) * (threshold - 1)


def test_a_restarted_master_waits_for_a_promotion_before_its_probes_give_up(docs_by_overlay):
    spec, scripts = counters(docs_by_overlay)
    redis = next(c for c in spec["containers"] if c["name"] == "redis")
    # the liveness probe only starts once the start-up probe has seen Valkey answer
    assert redis["startupProbe"]["exec"]["command"] == redis["livenessProbe"]["exec"]["command"]
    # configure.sh's worst case: the questions before its wait (whom the Sentinels name, whether
    # another member answers, the failover request), the wait itself, and a last round of them
    promote = bound(scripts, "configure.sh", "TMS_VALKEY_PROMOTE_SECONDS")
    worst = promote + 8 * QUESTION_SECONDS + 5
    assert worst < killed_after(redis["startupProbe"]), (worst, redis["startupProbe"])


def test_the_kill_time_is_counted_as_the_kubelet_counts_it():
    # probes at 15, 25 and 35 s: the third failure, at 35 s, kills
    assert killed_after({"initialDelaySeconds": 15, "periodSeconds": 10}) == 35
    assert killed_after({"periodSeconds": 5, "failureThreshold": 24}) == 115
