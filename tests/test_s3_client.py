"""tms_project/s3_client.py signs its requests exactly as botocore does (AWS SigV4, path and
virtual-host addressing, keys with spaces and non-ASCII, query strings with reserved characters).
moto's S3 server, which the off-site backup tests use, does not check signatures; AWS does."""

import datetime
import hashlib
import json
import subprocess
from urllib.parse import urlsplit

from tests.support.tools import require_tool
from tms_project.s3_client import S3Client, canonical_query

ACCESS_KEY, SECRET_KEY = "tms-test-access-key", "tms-test-secret-key-0123456789"

BOTOCORE_SIGNS = """
import json, sys
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
out = []
for case in json.load(sys.stdin):
    body = case["body"].encode()
    request = AWSRequest(method=case["method"], url=case["url"], headers=case["headers"], data=body)
    request.context["timestamp"] = case["stamp"]
    auth = S3SigV4Auth(Credentials(case["access"], case["secret"]), "s3", case["region"])
    auth._modify_request_before_signing(request)
    canonical = auth.canonical_request(request)
    signature = auth.signature(auth.string_to_sign(request, canonical), request)
    auth._inject_signature_to_request(request, signature)
    out.append(request.headers["Authorization"])
print(json.dumps(out))
"""


def test_the_requests_are_signed_as_botocore_signs_them():
    require_tool("checkov", "make test installs .venv-tools, whose botocore comes with checkov")
    from tests.support.tools import TOOLS_BIN

    client = S3Client("http://127.0.0.1:9000", "tms-backups", "eu-central-1", ACCESS_KEY, SECRET_KEY)
    moment = datetime.datetime(2026, 11, 27, 2, 7, 1, tzinfo=datetime.UTC)
    body = "age-encryption.org/v1\nthe copy"
    cases = [  # (method, key, query, headers, body)
        ("GET", "", {"list-type": "2", "prefix": "tms/", "continuation-token": "1/x+y=="}, {}, ""),
        (
            "PUT",
            "tms/tms-20261127T020700Z.sql.gz.age",
            {},
            {"content-type": "application/octet-stream"},
            body,
        ),
        (
            "PUT",
            "tms/a key with spaces ü~.age",
            {},
            {"x-amz-meta-sha256": "ab" * 32, "content-length": "30"},
            body,
        ),
        ("HEAD", "tms/tms-20261127T020700Z.sql.gz.age", {}, {}, ""),
        ("GET", "tms/tms-20261127T020700Z.sql.gz.age", {}, {"range": "bytes=0-21"}, ""),
        ("DELETE", "tms/tms-20001120T020700Z.sql.gz.age", {}, {}, ""),
    ]
    virtual = S3Client(
        "https://s3.example.com", "tms-backups", "eu-central-1", ACCESS_KEY, SECRET_KEY, "virtual"
    )
    assert virtual.url_parts("tms/x.age") == ("tms-backups.s3.example.com", "/tms/x.age")
    assert virtual.url_parts("") == ("tms-backups.s3.example.com", "/")
    cases += [
        ("GET", "", {"list-type": "2", "prefix": "tms/"}, {}, ""),
        ("DELETE", "tms/x y.age", {}, {}, ""),
    ]
    ours, theirs = [], []
    for number, (method, key, query, headers, text) in enumerate(cases):
        client = virtual if number >= 6 else client
        host, path = client.url_parts(key)
        sha = hashlib.sha256(text.encode()).hexdigest()
        ours.append(client.sign(method, host, path, query, dict(headers), sha, moment)["authorization"])
        scheme = urlsplit(client.endpoint).scheme
        url = f"{scheme}://{host}{path}" + (f"?{canonical_query(query)}" if query else "")
        theirs.append(
            {
                "method": method,
                "url": url,
                "headers": headers,
                "body": text,
                "stamp": "20261127T020701Z",
                "access": ACCESS_KEY,
                "secret": SECRET_KEY,
                "region": "eu-central-1",
            }
        )
    result = subprocess.run(
        [str(TOOLS_BIN / "python"), "-c", BOTOCORE_SIGNS],
        input=json.dumps(theirs),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert ours == json.loads(result.stdout)
