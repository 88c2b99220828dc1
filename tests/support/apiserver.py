"""A real Kubernetes API server for custom resources, started for a test session.

Static validators read the CRDs' OpenAPI schemas; only an API server applies everything the CRDs
say (CEL rules, formats, defaults, unknown fields refused under fieldValidation=Strict). No
kube-apiserver is available here, so this runs Kubernetes' apiextensions-apiserver over an etcd,
both built once by ``make apiserver`` (scripts/apiserver/build.sh) into .cache/apiserver/bin.

The server serves CRDs and custom resources only: no core API (no Namespaces, Deployments...).
It runs with the admission plugins off, NamespaceLifecycle included, so a namespaced custom resource
is accepted in any namespace without a Namespace object existing (nothing would create one).
Authentication and authorization are delegated to a kube-apiserver in a real cluster; here they
point at a dummy kubeconfig that is never reached: lookups are skipped, non-resource paths (health)
are always allowed, and the tests' client certificate is in the always-allowed group system:masters.
"""

from __future__ import annotations

import contextlib
import datetime
import http.client
import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.services import unavailable

ROOT = Path(__file__).resolve().parents[2]
CRD_DIR = ROOT / "tests" / "manifests" / "crds"
APPLY_QUERY = "dryRun=All&fieldValidation=Strict&fieldManager=tms-test"
# Kept off: they need the core API (namespaces, webhook configurations, policies) this server lacks.
ADMISSION_PLUGINS_OFF = (
    "NamespaceLifecycle",
    "MutatingAdmissionWebhook",
    "ValidatingAdmissionWebhook",
    "ValidatingAdmissionPolicy",
    "MutatingAdmissionPolicy",
)
STARTUP_TIMEOUT = 60.0
# Ready but for informer-sync: the informers of the (dummy) core API never sync, and nothing here uses them.
READY_PATH = "/readyz?exclude=informer-sync"

Document = dict[str, Any]


def binary_dir() -> Path:
    return Path(os.environ.get("TMS_CACHE_DIR", str(ROOT / ".cache"))) / "apiserver" / "bin"


def require_binaries() -> Path:
    """The folder holding the built etcd and apiextensions-apiserver, or skip (fail in CI) with why."""
    directory = binary_dir()
    missing = [name for name in ("etcd", "apiextensions-apiserver") if not (directory / name).is_file()]
    if missing:
        unavailable(
            f"the API server for custom resources is not built ({', '.join(missing)} missing in "
            f"{directory}; `make apiserver` builds it)"
        )
    return directory


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Resource:
    """Where a custom resource kind is served, from its CRD."""

    group: str
    kind: str
    plural: str
    namespaced: bool
    versions: tuple[str, ...]


@dataclass(frozen=True)
class Answer:
    status: int
    body: Document

    @property
    def message(self) -> str:
        return str(self.body.get("message", self.body))


def load_crds(directory: Path = CRD_DIR) -> list[Document]:
    crds = []
    for path in sorted(directory.glob("*.yaml")):
        with path.open() as handle:
            crds += [doc for doc in yaml.load_all(handle, Loader=yaml.CSafeLoader) if doc]
    return [crd for crd in crds if crd.get("kind") == "CustomResourceDefinition"]


def resources_of(crds: Iterable[Document]) -> dict[tuple[str, str], Resource]:
    """(group, kind) -> where it is served, for every CRD."""
    found = {}
    for crd in crds:
        spec = crd["spec"]
        resource = Resource(
            group=spec["group"],
            kind=spec["names"]["kind"],
            plural=spec["names"]["plural"],
            namespaced=spec["scope"] == "Namespaced",
            versions=tuple(v["name"] for v in spec["versions"] if v.get("served")),
        )
        found[(resource.group, resource.kind)] = resource
    return found


def group_of(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def _name(common_name: str, organization: str = "") -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(attributes)


@dataclass
class _Certificates:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _write_certificates(directory: Path) -> _Certificates:
    """One CA signing the server's certificate (127.0.0.1) and a client certificate for the tests."""
    now = datetime.datetime.now(datetime.UTC)

    def issue(
        subject: x509.Name,
        key: ec.EllipticCurvePrivateKey,
        issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None,
        extensions: list[tuple[x509.ExtensionType, bool]],
    ) -> x509.Certificate:
        issuer_name, signing_key = issuer or (subject, key)
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
        )
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(signing_key, hashes.SHA256())

    def save(stem: str, certificate: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> tuple[Path, Path]:
        cert_path, key_path = directory / f"{stem}.crt", directory / f"{stem}.key"
        cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return cert_path, key_path

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = issue(_name("tms-test-ca"), ca_key, None, [(x509.BasicConstraints(ca=True, path_length=None), True)])
    server_key, client_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    loopback = x509.SubjectAlternativeName(
        [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
    )
    server = issue(_name("127.0.0.1"), server_key, (ca.subject, ca_key), [(loopback, False)])
    # Group system:masters: the delegated authorizer's --authorization-always-allow-groups default, so
    # resource requests are allowed without asking the (absent) kube-apiserver; the always-allowed
    # paths cover non-resource requests (health checks) only.
    client = issue(
        _name("tms-test", organization="system:masters"),
        client_key,
        (ca.subject, ca_key),
        [(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), False)],
    )
    ca_path, _ = save("ca", ca, ca_key)
    server_cert, server_key_path = save("server", server, server_key)
    client_cert, client_key_path = save("client", client, client_key)
    return _Certificates(ca_path, server_cert, server_key_path, client_cert, client_key_path)


# The delegation kubeconfig: required by the flags, never reached (lookups skipped, paths allowed).
_DUMMY_KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters: [{name: none, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
users: [{name: none, user: {token: none}}]
contexts: [{name: none, context: {cluster: none, user: none}}]
current-context: none
"""


@dataclass
class ApiServer:
    """A running apiextensions-apiserver: load CRDs, then server-side apply objects as a dry run."""

    port: int
    certificates: _Certificates
    resources: dict[tuple[str, str], Resource] = field(default_factory=dict)
    startup_seconds: float = 0.0

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.certificates.ca))
        context.load_cert_chain(str(self.certificates.client_cert), str(self.certificates.client_key))
        return context

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str = "") -> Answer:
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=self._context(), timeout=30)
        headers = {"Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        try:
            parsed = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            parsed = {"message": raw.decode(errors="replace")}
        return Answer(response.status, parsed if isinstance(parsed, dict) else {"items": parsed})

    def create_crds(self, crds: list[Document], timeout: float = STARTUP_TIMEOUT) -> None:
        """Create the CRDs and wait until each is Established (its custom resources are served)."""
        path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
        for crd in crds:
            answer = self.request("POST", path, json.dumps(crd).encode(), "application/json")
            if answer.status != 201:
                raise RuntimeError(
                    f"CRD {crd['metadata']['name']} refused ({answer.status}): {answer.message}"
                )
        deadline = time.monotonic() + timeout
        waiting = {crd["metadata"]["name"] for crd in crds}
        while waiting:
            for name in sorted(waiting):
                # a CRD just created may answer "conditions": null until the server has judged it
                status = self.request("GET", f"{path}/{name}").body.get("status") or {}
                conditions = status.get("conditions") or []
                if any(c["type"] == "Established" and c["status"] == "True" for c in conditions):
                    waiting.discard(name)
            if waiting and time.monotonic() > deadline:
                raise RuntimeError(f"CRDs not Established after {timeout:.0f} s: {sorted(waiting)}")
            if waiting:
                time.sleep(0.1)
        self.resources.update(resources_of(crds))

    def resource_for(self, document: Document) -> Resource | None:
        """The custom resource the document is, when a loaded CRD serves its group."""
        group = group_of(str(document.get("apiVersion", "")))
        if not any(resource.group == group for resource in self.resources.values()):
            return None
        found = self.resources.get((group, str(document.get("kind"))))
        if found is None:  # a served group, an unknown kind: let the server say so
            return Resource(
                group, str(document.get("kind")), str(document.get("kind")).lower() + "s", True, ()
            )
        return found

    def apply_dry_run(self, document: Document) -> Answer:
        """Server-side apply ``document`` with dryRun=All and fieldValidation=Strict: nothing is stored."""
        resource = self.resource_for(document)
        if resource is None:
            raise ValueError(
                f"{document.get('apiVersion')} {document.get('kind')} is not a custom resource here"
            )
        metadata = document.get("metadata", {})
        where = f"/apis/{document['apiVersion']}"
        if resource.namespaced:
            where += f"/namespaces/{urllib.parse.quote(metadata.get('namespace', 'default'))}"
        path = f"{where}/{resource.plural}/{urllib.parse.quote(str(metadata.get('name', '')))}?{APPLY_QUERY}"
        body = json.dumps(document).encode()  # JSON is YAML: the apply content type accepts it
        return self.request("PATCH", path, body, "application/apply-patch+yaml")


def _wait_until(ready: Any, what: str, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited ({process.returncode}):\n{_tail(log)}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if ready():
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} not ready after {timeout:.0f} s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


def _etcd_healthy(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/health")
        response = connection.getresponse()
        return response.status == 200 and b'"health":"true"' in response.read()
    finally:
        connection.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _start_etcd(binaries: Path, directory: Path) -> tuple[subprocess.Popen[bytes], int]:
    client, peer = free_port(), free_port()
    log = directory / "etcd.log"
    process = subprocess.Popen(
        [
            str(binaries / "etcd"),
            "--name=tms-test",
            f"--data-dir={directory / 'etcd-data'}",
            f"--listen-client-urls=http://127.0.0.1:{client}",
            f"--advertise-client-urls=http://127.0.0.1:{client}",
            f"--listen-peer-urls=http://127.0.0.1:{peer}",
            f"--initial-advertise-peer-urls=http://127.0.0.1:{peer}",
            f"--initial-cluster=tms-test=http://127.0.0.1:{peer}",
            "--unsafe-no-fsync",  # a throw-away store: durability buys nothing, fsync costs startup time
            "--log-level=warn",
        ],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until(lambda: _etcd_healthy(client), "etcd", process, log, STARTUP_TIMEOUT)
    except BaseException:
        _stop(process)
        raise
    return process, client


def _start_apiserver(
    binaries: Path, directory: Path, etcd_port: int, certificates: _Certificates
) -> tuple[subprocess.Popen[bytes], ApiServer]:
    kubeconfig = directory / "delegation.kubeconfig"
    kubeconfig.write_text(_DUMMY_KUBECONFIG)
    server = ApiServer(port=free_port(), certificates=certificates)
    log = directory / "apiserver.log"
    process = subprocess.Popen(
        [
            str(binaries / "apiextensions-apiserver"),
            f"--etcd-servers=http://127.0.0.1:{etcd_port}",
            "--bind-address=127.0.0.1",
            f"--secure-port={server.port}",
            f"--cert-dir={directory / 'certs'}",
            f"--tls-cert-file={certificates.server_cert}",
            f"--tls-private-key-file={certificates.server_key}",
            f"--client-ca-file={certificates.ca}",
            f"--kubeconfig={kubeconfig}",
            f"--authentication-kubeconfig={kubeconfig}",
            f"--authorization-kubeconfig={kubeconfig}",
            "--authentication-skip-lookup",
            "--authorization-always-allow-paths=/*",
            "--enable-priority-and-fairness=false",
            f"--disable-admission-plugins={','.join(ADMISSION_PLUGINS_OFF)}",
        ],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until(
            lambda: server.request("GET", READY_PATH).status == 200,
            "apiextensions-apiserver",
            process,
            log,
            STARTUP_TIMEOUT,
        )
    except BaseException:
        _stop(process)
        raise
    return process, server


@contextlib.contextmanager
def running_apiserver(binaries: Path, crds: list[Document]) -> Iterator[ApiServer]:
    """etcd and apiextensions-apiserver on free loopback ports with ``crds`` Established; stopped after."""
    started = time.monotonic()
    directory = Path(tempfile.mkdtemp(prefix="tms-apiserver-"))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        certificates = _write_certificates(directory)
        etcd, etcd_port = _start_etcd(binaries, directory)
        processes.append(etcd)
        apiserver, server = _start_apiserver(binaries, directory, etcd_port, certificates)
        processes.append(apiserver)
        server.create_crds(crds)
        server.startup_seconds = time.monotonic() - started
        yield server
    finally:
        for process in reversed(processes):
            _stop(process)
        shutil.rmtree(directory, ignore_errors=True)
