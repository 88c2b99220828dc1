"""The auth and task services are one backend (k8s/base/backend) with their own name, port and
TMS_SERVICE; only what their kustomizations patch in tells them apart."""

import copy
import json

import pytest

from tests.manifests.test_workloads import objects

pytestmark = pytest.mark.manifests

SERVICES = {"auth": (8001, "auth"), "task": (8002, "tasks")}
KINDS = {
    "Deployment": "{}",
    "Service": "{}-service",
    "HorizontalPodAutoscaler": "{}-hpa",
    "PodDisruptionBudget": "{}-pdb",
    "NetworkPolicy": "{}-np",
    "ServiceAccount": "{}-sa",
}


def as_backend(doc: dict, service: str) -> str:
    """The object with its service's name, port and TMS_SERVICE written as the base's placeholders."""
    port, settings = SERVICES[service]
    text = json.dumps(doc, sort_keys=True).replace(f'"value": "{settings}"', '"value": "SERVICE"')
    text = text.replace(f'"{service}', '"backend').replace(f"0.0.0.0:{port}", "0.0.0.0:PORT")
    return text.replace(f": {port}", ": PORT")


def without_auth_extras(deployment: dict, policy: dict) -> tuple[dict, dict]:
    """auth's patches taken out again: the private keys (current and previous), the SMTP
    credentials, mail egress."""
    deployment, policy = copy.deepcopy(deployment), copy.deepcopy(policy)
    spec = deployment["spec"]["template"]["spec"]
    private = ("TMS_JWT_PRIVATE_KEY_FILE", "TMS_JWT_PREVIOUS_PRIVATE_KEY_FILE")
    for container in spec["initContainers"] + spec["containers"]:
        container["env"] = [e for e in container["env"] if e["name"] not in private]
    container = spec["containers"][0]
    container["envFrom"] = [
        e for e in container["envFrom"] if e.get("secretRef", {}).get("name") != "smtp-credentials"
    ]
    for jwt in [v for v in spec["volumes"] if v["name"] in ("jwt", "jwt-previous")]:
        jwt["secret"]["items"] = [i for i in jwt["secret"]["items"] if i["key"] != "jwt-private.pem"]
    policy["spec"]["egress"] = [e for e in policy["spec"]["egress"] if "ipBlock" not in e["to"][0]]
    return deployment, policy


def without_task_extras(deployment: dict) -> dict:
    """task's patch taken out again: the Web Push public key."""
    deployment = copy.deepcopy(deployment)
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["env"] = [e for e in container["env"] if e["name"] != "TMS_VAPID_PUBLIC_KEY"]
    return deployment


def without_sizing(objects_of_service: dict[str, dict]) -> dict[str, dict]:
    """The production overlay sizes each service for its own load (k8s/overlays/production/sizing.yaml,
    checked by test_workloads): its container's resources and its HPA's maxReplicas taken out."""
    found = copy.deepcopy(objects_of_service)
    del found["Deployment"]["spec"]["template"]["spec"]["containers"][0]["resources"]
    del found["HorizontalPodAutoscaler"]["spec"]["maxReplicas"]
    return found


def test_auth_and_task_are_the_same_backend_but_for_their_patches(docs, overlay):
    found = {
        service: {kind: objects(docs, kind)[name.format(service)] for kind, name in KINDS.items()}
        for service in SERVICES
    }
    if overlay == "production":
        found = {service: without_sizing(objects_of_service) for service, objects_of_service in found.items()}
    auth, task = found["auth"], found["task"]
    auth["Deployment"], auth["NetworkPolicy"] = without_auth_extras(auth["Deployment"], auth["NetworkPolicy"])
    task["Deployment"] = without_task_extras(task["Deployment"])
    for kind in KINDS:
        assert as_backend(auth[kind], "auth") == as_backend(task[kind], "task"), kind


def test_the_patches_are_there(docs):
    """What only one service has, it has: the other test would pass if a patch went missing."""
    deployments = objects(docs, "Deployment")
    env = {
        name: {e["name"] for e in deployments[name]["spec"]["template"]["spec"]["containers"][0]["env"]}
        for name in SERVICES
    }
    assert "TMS_JWT_PRIVATE_KEY_FILE" in env["auth"] and "TMS_JWT_PRIVATE_KEY_FILE" not in env["task"]
    assert "TMS_VAPID_PUBLIC_KEY" in env["task"] and "TMS_VAPID_PUBLIC_KEY" not in env["auth"]
    policies = objects(docs, "NetworkPolicy")
    mail = [e for e in policies["auth-np"]["spec"]["egress"] if {p["port"] for p in e["ports"]} == {587, 465}]
    assert mail and not [e for e in policies["task-np"]["spec"]["egress"] if "ipBlock" in e["to"][0]]
    for name, (port, _) in SERVICES.items():
        container = deployments[name]["spec"]["template"]["spec"]["containers"][0]
        assert container["name"] == name and container["ports"][0]["containerPort"] == port
