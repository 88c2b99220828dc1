"""Pods on one machine, stopped and probed the way the kubelet does, with the Deployments' own numbers.

A pod here is one gunicorn server (scripts/stack.py's start_instance) of the
auth or the task service. Its readiness probe, preStop hook, grace period and
the rolling update's maxSurge/maxUnavailable come from the Deployment k8s/base renders
and its gunicorn settings from k8s/base/common/config.yaml: what runs in the
cluster is what is tested. `scale` shortens the probe's timing and the preStop
wait alike (the short test in `make test`); 1 keeps the manifests' seconds.
"""
# ruff: noqa: S603 - runs the manifest's own preStop command

import contextlib
import json
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.support.base_manifests import base_deployment
from tests.support.server import http

ROOT = Path(__file__).resolve().parent.parent
DEPLOYMENTS = {"auth": "auth", "task": "tasks"}  # Deployment name: the TMS_SERVICE it runs
SLEEP = re.compile(r"\bsleep (\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class PodSpec:
    """What the kubelet and the Deployment controller do with this Deployment's pods."""

    deployment: str
    role: str
    initial_delay: float
    period: float
    probe_timeout: float
    failure_threshold: int
    success_threshold: int
    pre_stop: list[str]  # the exec hook's command, its sleep scaled
    pre_stop_seconds: float
    grace: float
    max_surge: int
    max_unavailable: int
    gunicorn: dict[str, str]  # GUNICORN_* of tms-config

    def describe(self) -> str:
        return (
            f"{self.deployment}: readiness every {self.period:g} s (first after {self.initial_delay:g} s), "
            f"unready after {self.failure_threshold} failures; preStop {self.pre_stop[-1]!r}; "
            f"grace {self.grace:g} s; gunicorn graceful {self.gunicorn.get('GUNICORN_GRACEFUL_TIMEOUT')} s; "
            f"maxSurge {self.max_surge}, maxUnavailable {self.max_unavailable}"
        )


def _config() -> dict[str, str]:
    config = yaml.safe_load((ROOT / "k8s/base/common/config.yaml").read_text())
    return {key: str(value) for key, value in config["data"].items() if key.startswith("GUNICORN_")}


def pod_spec(deployment: str, scale: float = 1.0) -> PodSpec:
    """The Deployment's numbers from its manifest; durations but the grace period times `scale`."""
    doc = base_deployment(deployment)
    spec = doc["spec"]["template"]["spec"]
    main = spec["containers"][0]
    readiness = main["readinessProbe"]
    hook = main.get("lifecycle", {}).get("preStop", {})
    if "exec" not in hook:
        raise ValueError(f"{deployment}: the preStop hook is not an exec command: {hook}")
    command = [str(part) for part in hook["exec"]["command"]]
    found = SLEEP.search(command[-1])
    if not found:
        raise ValueError(f"{deployment}: the preStop hook does not wait (no sleep): {command}")
    seconds = float(found[1]) * scale
    command[-1] = SLEEP.sub(f"sleep {seconds:g}", command[-1])
    rolling = doc["spec"]["strategy"]["rollingUpdate"]
    return PodSpec(
        deployment=deployment,
        role=DEPLOYMENTS[deployment],
        initial_delay=readiness.get("initialDelaySeconds", 0) * scale,
        period=readiness.get("periodSeconds", 10) * scale,
        probe_timeout=readiness.get("timeoutSeconds", 1),
        failure_threshold=readiness.get("failureThreshold", 3),
        success_threshold=readiness.get("successThreshold", 1),
        pre_stop=command,
        pre_stop_seconds=seconds,
        grace=float(spec.get("terminationGracePeriodSeconds", 30)),
        max_surge=int(rolling["maxSurge"]),
        max_unavailable=int(rolling["maxUnavailable"]),
        gunicorn=_config(),
    )


class Timeline:
    """Every step of the run with its Unix time, printed as it happens."""

    def __init__(self) -> None:
        self.start = time.time()
        self.events: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def add(self, who: str, what: str, at: float | None = None) -> float:
        at = at or time.time()
        with self._lock:
            self.events.append({"t": at, "who": who, "what": what})
        print(f"  {at - self.start:7.1f} s  {who:<12} {what}", flush=True)
        return at


@dataclass
class Pod:
    """One instance of a service; `ready` is what its readiness probe says, as the kubelet reports it."""

    spec: PodSpec
    name: str
    port: str
    code: str  # "old" or "new"
    process: subprocess.Popen
    drain_file: Path
    timeline: Timeline
    ready: bool = False
    terminating: bool = False
    exit_code: int | None = None
    killed: bool = False
    probes: list[tuple[float, int]] = field(default_factory=list)  # (time, status; 0 = no answer)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.process.poll() is None

    def probe_readiness(self, stop: threading.Event) -> None:
        """The kubelet's readiness probe: first after the initial delay, then every period."""
        if stop.wait(self.spec.initial_delay):
            return
        successes = failures = 0
        while self.alive() and not stop.is_set():
            try:
                status, _, body = http("GET", f"{self.url}/readyz", timeout=self.spec.probe_timeout)
            except OSError:
                status, body = 0, b""
            self.probes.append((time.time(), status))
            if status == 200:
                successes, failures = successes + 1, 0
                if not self.ready and successes >= self.spec.success_threshold:
                    self.ready = True
                    self.timeline.add(self.name, "ready (readiness probe passed)")
            else:
                successes, failures = 0, failures + 1
                if self.terminating and failures == 1:
                    said = f"{status} {answer_status(body)}" if status else "no answer"
                    self.timeline.add(self.name, f"readiness probe: {said}")
                if self.ready and failures >= self.spec.failure_threshold:
                    self.ready = False
                    self.timeline.add(self.name, f"unready ({failures} probes failed)")
            stop.wait(self.spec.period)

    def terminate(self, drain: bool) -> None:
        """Delete the pod: preStop hook (when `drain`), SIGTERM, then SIGKILL after the grace period."""
        self.terminating = True
        deleted = self.timeline.add(self.name, "terminating (deleted by the rollout)")
        deadline = deleted + self.spec.grace
        if drain:
            self.timeline.add(self.name, f"preStop hook: {self.spec.pre_stop[-1]}")
            env = {"PATH": "/usr/bin:/bin", "TMS_DRAIN_FILE": str(self.drain_file)}
            hook = subprocess.run(
                self.spec.pre_stop, env=env, timeout=self.spec.grace, check=False, capture_output=True
            )
            if hook.returncode != 0:
                self.timeline.add(self.name, f"preStop hook FAILED ({hook.returncode}): {hook.stderr!r}")
            self.timeline.add(self.name, "preStop hook done")
        self.timeline.add(self.name, "SIGTERM")
        self.process.send_signal(signal.SIGTERM)
        try:
            self.exit_code = self.process.wait(timeout=max(deadline - time.time(), 0))
        except subprocess.TimeoutExpired:
            self.killed = True
            self.timeline.add(self.name, f"grace period ({self.spec.grace:g} s) over: SIGKILL")
            kill_group(self.process)
            self.exit_code = self.process.wait()
        self.timeline.add(self.name, f"exited ({self.exit_code})")


def answer_status(body: bytes) -> str:
    """The "status" of a /readyz answer ("draining", "unavailable"), or "" when it has none."""
    try:
        return str(json.loads(body).get("status", ""))
    except (ValueError, AttributeError):
        return ""


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL a server and its workers, as the kubelet kills a container."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()
