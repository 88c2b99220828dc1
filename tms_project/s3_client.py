"""The few S3 calls the off-site backups make, signed with AWS Signature Version 4, over urllib3.

Put a file, read an object's size and metadata, download one (whole or its first bytes), list the
keys under a prefix, delete one: that is all tms_project.offsite_backup needs, from any
S3-compatible service. A client library would add some 20 MB to the backend image for it (MinIO's
brings pycryptodome; boto3's botocore cannot be installed next to TMS's python-dateutil 4).
tests/test_backup_offsite.py checks the signatures against botocore's and runs every call against
moto's S3 server.
"""

import hashlib
import hmac
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from urllib.parse import quote, urlsplit

import urllib3

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
NAMESPACE = "{http://s3.amazonaws.com/doc/2006-03-01/}"
CHUNK = 1 << 20


class S3Error(Exception):
    """An error answer of the service (its code and message), or no answer at all."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Stored:
    size: int
    metadata: dict[str, str]


@dataclass(frozen=True)
class S3Client:
    endpoint: str  # https://host[:port], no path
    bucket: str
    region: str
    access_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    # path: https://endpoint/bucket/key, which AWS and S3-compatible services accept; virtual:
    # https://bucket.endpoint/key, for services that know no other (the endpoint without the bucket).
    addressing: str = "path"
    pool: urllib3.PoolManager = field(
        default_factory=lambda: urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=10, read=120),
            retries=urllib3.Retry(total=3, backoff_factor=1, status_forcelist=[500, 502, 503, 504]),
        ),
        repr=False,
        compare=False,
    )

    # -- the calls ---------------------------------------------------------------------------------

    def put_file(self, key: str, path: Path, sha256: str, metadata: Mapping[str, str]) -> None:
        """One PUT of the whole file (up to 5 GB), its SHA-256 signed: the service refuses other bytes."""
        headers = {
            "content-length": str(path.stat().st_size),
            "content-type": "application/octet-stream",
            **{f"x-amz-meta-{name}": value for name, value in metadata.items()},
        }
        with path.open("rb") as body:
            self._request("PUT", key, headers=headers, body=body, payload_sha256=sha256)

    def head(self, key: str) -> Stored:
        response = self._request("HEAD", key)
        headers = {name.lower(): value for name, value in response.headers.items()}
        metadata = {name[11:]: value for name, value in headers.items() if name.startswith("x-amz-meta-")}
        return Stored(int(headers.get("content-length", "0")), metadata)

    def download(self, key: str, target: Path) -> None:
        response = self._request("GET", key, stream=True)
        try:
            with target.open("wb") as out:
                for chunk in response.stream(CHUNK):
                    out.write(chunk)
        except urllib3.exceptions.HTTPError as exc:  # the connection broke off half-way
            raise S3Error(f"GET /{self.bucket}/{key}: {type(exc).__name__}: {exc}") from exc
        finally:
            response.release_conn()

    def first_bytes(self, key: str, count: int) -> bytes:
        return self._request("GET", key, headers={"range": f"bytes=0-{count - 1}"}).data[:count]

    def delete(self, key: str) -> None:
        self._request("DELETE", key)

    def keys(self, prefix: str) -> Iterator[tuple[str, int]]:
        """(key, size) of every object under ``prefix``, all pages of ListObjectsV2."""
        query = {"list-type": "2", "prefix": prefix}
        while True:
            page = self._xml(self._request("GET", "", query=query).data)
            for item in page.iter(f"{NAMESPACE}Contents"):
                yield item.findtext(f"{NAMESPACE}Key", ""), int(item.findtext(f"{NAMESPACE}Size", "0"))
            token = page.findtext(f"{NAMESPACE}NextContinuationToken")
            if page.findtext(f"{NAMESPACE}IsTruncated") != "true" or not token:
                return
            query = {**query, "continuation-token": token}

    # -- requests and their signatures -------------------------------------------------------------

    def url_parts(self, key: str) -> tuple[str, str]:
        """The host and the path of an object (or of the bucket, for an empty key)."""
        host, path = urlsplit(self.endpoint).netloc, "/" + quote(key, safe="/-_.~")
        if self.addressing == "virtual":
            return f"{self.bucket}.{host}", path
        return host, "/" + quote(self.bucket, safe="") + (path if key else "")

    def _request(
        self,
        method: str,
        key: str,
        *,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: IO[bytes] | None = None,
        payload_sha256: str = EMPTY_SHA256,
        stream: bool = False,
    ) -> urllib3.BaseHTTPResponse:
        host, path = self.url_parts(key)
        query = dict(query or {})
        signed = self.sign(method, host, path, query, dict(headers or {}), payload_sha256, datetime.now(UTC))
        url = f"{urlsplit(self.endpoint).scheme}://{host}{path}"
        if query:
            url += "?" + canonical_query(query)
        try:
            response = self.pool.request(
                method,
                url,
                headers=signed,
                body=body,
                preload_content=not stream,
                redirect=False,
                # a file body cannot be sent twice: a failed PUT fails, and the Job's retry starts over
                retries=False if body is not None else None,
            )
        except urllib3.exceptions.HTTPError as exc:
            raise S3Error(f"{type(exc).__name__}: {exc}") from exc
        if response.status >= 300:
            raise self._error(response, method, key)
        return response

    def sign(
        self,
        method: str,
        host: str,
        path: str,
        query: Mapping[str, str],
        headers: dict[str, str],
        payload_sha256: str,
        moment: datetime,
    ) -> dict[str, str]:
        """``headers`` with host, x-amz-date, x-amz-content-sha256 and the Authorization of SigV4."""
        stamp, day = moment.strftime("%Y%m%dT%H%M%SZ"), moment.strftime("%Y%m%d")
        headers = {name.lower(): value for name, value in headers.items()}
        headers |= {"host": host, "x-amz-date": stamp, "x-amz-content-sha256": payload_sha256}
        names = sorted(headers)
        canonical = "\n".join(
            [
                method,
                path,
                canonical_query(query),
                "".join(f"{name}:{' '.join(headers[name].split())}\n" for name in names),
                ";".join(names),
                payload_sha256,
            ]
        )
        scope = f"{day}/{self.region}/s3/aws4_request"
        to_sign = "\n".join(
            ["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()]
        )
        key = f"AWS4{self.secret_key}".encode()
        for part in (day, self.region, "s3", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={self.access_key}/{scope}, "
            f"SignedHeaders={';'.join(names)}, Signature={signature}"
        )
        return headers

    def _error(self, response: urllib3.BaseHTTPResponse, method: str, key: str) -> S3Error:
        code = message = ""
        body = response.data
        if body.lstrip().startswith(b"<"):
            document = self._xml(body)
            code, message = document.findtext("Code", ""), document.findtext("Message", "")
        code = code or {403: "AccessDenied", 404: "NotFound"}.get(response.status, f"HTTP{response.status}")
        what = f"{method} /{self.bucket}/{key}".rstrip("/")
        return S3Error(f"{what}: {code} ({response.status}){': ' + message if message else ''}", code)

    @staticmethod
    def _xml(body: bytes) -> ElementTree.Element:
        try:
            # The answer of the configured endpoint, never user input.
            return ElementTree.fromstring(body)  # noqa: S314
        except ElementTree.ParseError as exc:
            raise S3Error(f"the service answered something that is not S3's XML ({exc})") from exc


def canonical_query(query: Mapping[str, str]) -> str:
    return "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(query.items()))
