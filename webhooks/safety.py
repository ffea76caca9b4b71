"""Where the portal may send webhooks (server-side request forgery).

A registered URL must be https (unless WEBHOOKS_ALLOW_INSECURE) and its host must resolve
only to public addresses (unless WEBHOOKS_ALLOW_PRIVATE_NETWORKS): otherwise anyone who
may register an endpoint could make the portal's workers call the metadata service, the
database or an admin port inside the network. The host is resolved when the endpoint is
registered (a clear 400), again before each delivery, and the address a connection
actually reaches is checked at connect time (``guarded_pool_manager``), so a name that resolves
to a public address at registration and to 169.254.169.254 later (DNS rebinding) is still
refused.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

import certifi
from django.conf import settings
from urllib3 import PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class UnsafeTarget(OSError):
    """The URL or the address it reaches is not allowed (an OSError so that urllib3 and
    requests report it as a connection error with this message)."""


def address_refusal(address: str) -> str | None:
    """Why an IP address may not receive webhooks, or None when it may."""
    if settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS:
        return None
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    for kind, flag in (
        ("a loopback", ip.is_loopback),
        ("a link-local", ip.is_link_local),
        ("a private", ip.is_private),
        ("a multicast", ip.is_multicast),
        ("a reserved", ip.is_reserved),
        ("an unspecified", ip.is_unspecified),
    ):
        if flag:
            return f"{ip} is {kind} address"
    if not ip.is_global:
        return f"{ip} is not a public address"
    return None


def url_refusal(url: str) -> str | None:
    """Why the URL's form may not receive webhooks (scheme, host, credentials), or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 — raises ValueError for a bad port
    except ValueError:
        return "Enter a valid URL."
    allowed = {"https", "http"} if settings.WEBHOOKS_ALLOW_INSECURE else {"https"}
    if parts.scheme not in allowed:
        return "The URL must start with " + " or ".join(f"{s}://" for s in sorted(allowed)) + "."
    if not parts.hostname:
        return "Enter a valid URL with a host name."
    if parts.username or parts.password:
        return "The URL may not carry user:password@ credentials."
    if parts.fragment:
        return "A webhook URL has no #fragment."
    return None


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeTarget(f"{host} does not resolve ({error}).") from error
    return sorted({info[4][0] for info in infos})


def check_target(url: str) -> None:
    """Raise UnsafeTarget when the URL may not receive webhooks (form or addresses)."""
    refusal = url_refusal(url)
    if refusal:
        raise UnsafeTarget(refusal)
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    for address in resolve(parts.hostname, port):
        refusal = address_refusal(address)
        if refusal:
            raise UnsafeTarget(f"{parts.hostname} resolves to {refusal}: refused.")


# --- connect-time check -------------------------------------------------------------------


def _checked(sock):
    try:
        peer = sock.getpeername()[0]
    except OSError:
        peer = None
    refusal = address_refusal(peer) if peer else "the peer address is unknown"
    if refusal:
        sock.close()
        raise UnsafeTarget(f"Connection refused by the portal: {refusal}.")
    return sock


class _GuardedHTTPConnection(HTTPConnection):
    def _new_conn(self):
        return _checked(super()._new_conn())


class _GuardedHTTPSConnection(HTTPSConnection):
    def _new_conn(self):
        return _checked(super()._new_conn())


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


def guarded_pool_manager(**kwargs) -> PoolManager:
    """A urllib3 PoolManager whose connections refuse disallowed peer addresses; https
    verified against certifi's bundle (what requests would use)."""
    manager = PoolManager(cert_reqs="CERT_REQUIRED", ca_certs=certifi.where(), **kwargs)
    manager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}
    return manager
