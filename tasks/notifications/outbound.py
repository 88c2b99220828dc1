"""Which URLs TMS may send a request to on a user's behalf (Web Push endpoints, webhooks).

A URL a user hands us must not make the server call into its own network (SSRF): the
cluster's services, the database, a cloud's metadata service. ``check_url`` allows only
https URLs whose host resolves to public addresses, every one of them; loopback, private,
link-local (169.254.169.254, the metadata address, is one), shared, multicast, reserved
and unspecified addresses are refused, also when written as an IPv4-mapped, 6to4 or
NAT64 IPv6 address. It resolves the name itself, so a name that points at 127.0.0.1 is
refused like 127.0.0.1; callers check again right before each request, because a name
may resolve elsewhere by then (DNS rebinding), and ``safe_session`` checks the address each
connection actually reached before a byte is sent. Each caller says whether private
addresses (and plain http) are allowed: Web Push lifts the address rule with
``TMS_PUSH_ALLOW_PRIVATE=true`` (never the https one), webhooks lift both with
``TMS_WEBHOOK_ALLOW_PRIVATE=true`` (a development machine or a test's own receiver).
"""

import ipaddress
import os
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# The local-use NAT64 prefix (RFC 8215): Python calls its addresses global, though a translator on the
# local network maps them to any IPv4 address, private ones included; refused outright.
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")


class UnsafeURL(ValueError):
    """The URL may not be called; the message says why in words fit for the person who gave it."""


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_is_public(address: Address) -> bool:
    """True for an address on the public internet (and not multicast)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in _LOCAL_NAT64:
            return False
        inner = _embedded_ipv4(address)
        if inner is not None and not address_is_public(inner):
            return False
    return address.is_global and not address.is_multicast and not address.is_reserved


def resolve(host: str, port: int) -> list[Address]:
    """Every address ``host`` resolves to now (an IP literal is itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeURL(f"The host {host!r} does not resolve.") from exc
    addresses = []
    for *_, sockaddr in infos:
        # An IPv6 sockaddr may carry a scope ("fe80::1%eth0"); the address is what counts.
        addresses.append(ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0]))
    if not addresses:
        raise UnsafeURL(f"The host {host!r} does not resolve.")
    return addresses


def private_allowed() -> bool:
    """Web Push's rule (the default of every function here): TMS_PUSH_ALLOW_PRIVATE."""
    return bool(getattr(settings, "TMS_PUSH_ALLOW_PRIVATE", False))


def _allowed(allow_private: bool | None) -> bool:
    return private_allowed() if allow_private is None else allow_private


def check_address(address: str | Address, *, allow_private: bool | None = None) -> None:
    """Refuse an address outside the public internet (unless ``allow_private``; by default
    TMS_PUSH_ALLOW_PRIVATE)."""
    parsed = ipaddress.ip_address(str(address).split("%", 1)[0]) if isinstance(address, str) else address
    if not _allowed(allow_private) and not address_is_public(parsed):
        raise UnsafeURL("The URL points to an address that is not on the public internet.")


def check_url(url: str, *, allow_private: bool | None = None, allow_http: bool = False) -> str:
    """Return ``url`` if TMS may send a request there now; raise UnsafeURL saying why not.

    ``allow_private`` (default: TMS_PUSH_ALLOW_PRIVATE) lets the host resolve to any address;
    ``allow_http`` accepts http:// besides https://.
    """
    if len(url) > 2000:
        raise UnsafeURL("Enter a valid URL.")
    try:
        parts = urlsplit(url)
        port = parts.port or (80 if parts.scheme == "http" else 443)
    except ValueError as exc:
        raise UnsafeURL("Enter a valid URL.") from exc
    if parts.scheme != "https" and not (allow_http and parts.scheme == "http"):
        raise UnsafeURL("The URL must start with https://.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL("The URL must not contain a user name or password.")
    host = parts.hostname
    if not host:
        raise UnsafeURL("The URL has no host.")
    for address in resolve(host, port):
        check_address(address, allow_private=allow_private)
    return url


class _PeerCheck:
    """Refuses a connection whose peer is not a public address, before TLS and before any data."""

    allow_private: bool | None = None

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        # Through a proxy, the proxy makes the onward connection.
        if self._tunnel_host is None:  # type: ignore[attr-defined]
            try:
                check_address(sock.getpeername()[0], allow_private=self.allow_private)
            except UnsafeURL as exc:
                sock.close()
                raise NewConnectionError(self, str(exc)) from exc  # type: ignore[arg-type]
        return sock


class _CheckedHTTPSConnection(_PeerCheck, HTTPSConnection):
    pass


class _CheckedHTTPConnection(_PeerCheck, HTTPConnection):
    pass


def _pool(base: type, connection: type, allow_private: bool | None) -> type:
    checked = type(connection.__name__, (connection,), {"allow_private": allow_private})
    return type(base.__name__, (base,), {"ConnectionCls": checked})


class _CheckedAdapter(HTTPAdapter):
    def __init__(self, allow_private: bool | None) -> None:
        self.allow_private = allow_private
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _pool(HTTPConnectionPool, _CheckedHTTPConnection, self.allow_private),
            "https": _pool(HTTPSConnectionPool, _CheckedHTTPSConnection, self.allow_private),
        }


def safe_session(*, allow_private: bool | None = None, allow_http: bool = False) -> requests.Session:
    """A requests session for URLs users gave: https only (http too with ``allow_http``), public
    peers only (any with ``allow_private``; by default TMS_PUSH_ALLOW_PRIVATE), no redirects."""
    session = requests.Session()
    session.max_redirects = 0  # a redirect could lead anywhere
    # No proxy from the environment (HTTPS_PROXY): through one, the connected peer is the proxy,
    # and the check on the address actually reached would not apply. A CA bundle the operator
    # names (REQUESTS_CA_BUNDLE, as requests reads it) still counts.
    session.trust_env = False
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    adapter = _CheckedAdapter(allow_private)
    session.mount("https://", adapter)
    # Without allow_http, check_url refused http:// URLs before; should one come anyway, its
    # connection still passes the public-address check.
    session.mount("http://", adapter if allow_http else _CheckedAdapter(False))
    return session
