"""Create the token key-pair Secret in Kubernetes when it does not exist yet.

Run by the jwt-keygen Job (``python -m tms_project.k8s_keygen --secret jwt-secret``) with
its service account's token. An existing Secret is never changed, so every
replica of the auth and task services keeps verifying the same key. Needs no
Django settings: only the standard library and the key helpers.
"""

import argparse
import base64
import json
import os
import ssl
import sys
import urllib.error
import urllib.request
from pathlib import Path

from tms_project.jwt_keys import generate_private_key_pem, public_key_pem_of

ACCOUNT = Path("/var/run/secrets/kubernetes.io/serviceaccount")


class KubernetesApi:
    def __init__(self, base_url: str, token: str, context: ssl.SSLContext | None) -> None:
        self.base_url, self.token, self.context = base_url.rstrip("/"), token, context

    @classmethod
    def in_cluster(cls) -> "KubernetesApi":
        host, port = os.environ["KUBERNETES_SERVICE_HOST"], os.environ["KUBERNETES_SERVICE_PORT"]
        context = ssl.create_default_context(cafile=str(ACCOUNT / "ca.crt"))
        return cls(f"https://{host}:{port}", (ACCOUNT / "token").read_text().strip(), context)

    def request(self, method: str, path: str, body: dict | None = None) -> int:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - the API server URL comes from the cluster
            self.base_url + path,
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=10) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


def secret_body(name: str, namespace: str) -> dict:
    private_pem = generate_private_key_pem()
    encode = lambda text: base64.b64encode(text.encode()).decode()  # noqa: E731
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app.kubernetes.io/part-of": "tms"}},
        "type": "Opaque",
        "data": {
            "jwt-private.pem": encode(private_pem),
            "jwt-public.pem": encode(public_key_pem_of(private_pem)),
        },
    }


def ensure_secret(api: KubernetesApi, namespace: str, name: str) -> str:
    """'exists' or 'created'; raises RuntimeError on anything else."""
    status = api.request("GET", f"/api/v1/namespaces/{namespace}/secrets/{name}")
    if status == 200:
        return "exists"
    if status != 404:
        raise RuntimeError(f"reading Secret {name} answered HTTP {status}")
    status = api.request("POST", f"/api/v1/namespaces/{namespace}/secrets", secret_body(name, namespace))
    if status == 201:
        return "created"
    if status == 409:  # another run created it first
        return "exists"
    raise RuntimeError(f"creating Secret {name} answered HTTP {status}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--secret", default="jwt-secret")
    parser.add_argument("--namespace", default=os.environ.get("POD_NAMESPACE", "tms-app"))
    args = parser.parse_args(argv)
    try:
        outcome = ensure_secret(KubernetesApi.in_cluster(), args.namespace, args.secret)
    except (RuntimeError, OSError, KeyError) as exc:
        print(f"jwt-keygen: {exc}", file=sys.stderr)
        return 1
    print(f"jwt-keygen: Secret {args.namespace}/{args.secret} {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
