"""The endpoints controller and the ingress in one: which pods nginx sends requests to.

In the cluster a Service's EndpointSlice lists the pods that are ready and not
terminating (a deleted pod leaves it at once, an unready one when its
readiness probe has failed often enough), and ingress-nginx picks the change up
within a few seconds (it applies endpoint changes at most 0.3 times a second,
then its balancer within a second). Here a loop does the same every `sync` seconds: it
rewrites the ingress's upstreams and reloads nginx, and waits until new nginx
workers run (the new configuration is in force). With `follow="readiness"` a
terminating pod stays listed until its readiness probe fails: a proxy that
follows readiness alone, as the drain flag must satisfy by itself.
"""

import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import stack

from bench.rollout_pods import Pod, Timeline, wait_until

ROLES = ("auth", "tasks")


def listed(pod: Pod, follow: str) -> bool:
    if not pod.alive() or not pod.ready:
        return False
    return follow == "readiness" or not pod.terminating


class Endpoints:
    def __init__(self, conf: dict, dist: Path, timeline: Timeline, follow: str, sync: float) -> None:
        self.conf, self.dist, self.timeline = conf, dist, timeline
        self.follow, self.sync = follow, sync
        self.pods: list[Pod] = []
        self.current: dict[str, list[Pod]] = {role: [] for role in ROLES}
        self.reloads = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="endpoints", daemon=True)

    def add(self, pod: Pod) -> None:
        self.pods.append(pod)

    def wanted(self) -> dict[str, list[Pod]]:
        return {
            role: [p for p in self.pods if p.spec.role == role and listed(p, self.follow)] for role in ROLES
        }

    def apply(self, first: bool = False) -> None:
        """Write the upstreams of the pods listed now and make nginx use them."""
        wanted = self.wanted()
        # ingress-nginx's balancer does not set a pod aside after a failed request, as nginx's
        # max_fails does by default (for 10 s): each request decides for itself, as there.
        ports = {role: [pod.port for pod in pods] for role, pods in wanted.items()}
        stack.write_ingress(self.conf, self.dist, ports, server_options="max_fails=0")
        if first:
            stack.start_ingress(self.conf)
        else:
            workers = nginx_workers(self.conf)
            stack.reload_ingress(self.conf)
            # In force once a worker started from the new configuration runs.
            wait_until(lambda: bool(nginx_workers(self.conf) - workers), timeout=10)
            self.reloads += 1
        for role in ROLES:
            for pod in wanted[role]:
                if pod not in self.current[role]:
                    self.timeline.add(pod.name, "in the ingress's upstream")
            for pod in self.current[role]:
                if pod not in wanted[role]:
                    self.timeline.add(pod.name, "out of the ingress's upstream")
        self.current = wanted

    def start(self) -> None:
        self.apply(first=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.sync):
            if self.wanted() != self.current:
                self.apply()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def nginx_workers(conf: dict) -> set[int]:
    """The pids of the nginx master's children (its workers, old ones still finishing included)."""
    try:
        master = int((Path(conf["state"]) / "nginx.pid").read_text())
        return {int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()}
    except (OSError, ValueError):
        return set()
