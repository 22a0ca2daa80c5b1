"""Which FHIR servers this service may connect to (`CDS_FHIR_SERVER_ALLOW`).

``fhirServer`` comes from the caller. Left open, anyone holding a token could make the service
connect to its own loopback, link-local (cloud metadata) or private-network addresses. So:

* no patterns: any host whose every connection address is public (``ipaddress.is_global``);
* patterns: only hosts matching one; a host pattern (``fhir.example.org``, ``*.hospital.org``)
  or an address / network (``10.1.2.3``, ``10.0.0.0/8``, ``::1``). A listed host may resolve to
  a private address: hospital FHIR servers often do.

The check runs on the address actually connected to, after DNS resolution, in the connection
itself (fhir/session.py), so a name that resolves to a public address when checked and a
private one when used cannot get through.
"""

from __future__ import annotations

import fnmatch
import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ServerPolicy:
    """Decides per (host name, resolved address) whether a connection may be made."""

    def __init__(self, patterns: Iterable[str] = ()) -> None:
        self.hosts: list[str] = []
        self.networks: list[Network] = []
        for raw in patterns:
            pattern = raw.strip().strip("[]").lower()
            if not pattern:
                continue
            try:
                self.networks.append(ipaddress.ip_network(pattern, strict=False))
            except ValueError:
                self.hosts.append(pattern)

    def allows(self, host: str, address: str) -> bool:
        """True when connecting to ``address`` (what ``host`` resolved to) is allowed."""
        ip = _unmapped(ipaddress.ip_address(address.split("%", 1)[0]))
        if not self.hosts and not self.networks:
            return ip.is_global
        name = host.strip("[]").lower().rstrip(".")
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in self.hosts):
            return True
        return any(ip.version == net.version and ip in net for net in self.networks)


def is_open_server(server: str, patterns: Iterable[str]) -> bool:
    """True when ``server``'s host matches one of ``patterns`` (CDS_FHIR_OPEN_SERVERS): a FHIR
    server the service may read without a token. CDS Hooks sends ``fhirAuthorization`` for a
    secured server; a request without one may name any URL, so only listed hosts are read."""
    try:
        host = (urlsplit(server).hostname or "").rstrip(".")
    except ValueError:
        return False
    return bool(host) and any(
        fnmatch.fnmatchcase(host, p.strip().strip("[]").lower()) for p in patterns if p.strip()
    )


_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _unmapped(ip: Address) -> Address:
    """The IPv4 address an IPv6 address carries, where it carries one: judge that instead.
    ::ffff:a.b.c.d (mapped), 2002:AABB:CCDD:: (6to4), 64:ff9b::a.b.c.d (NAT64) and the old
    ::a.b.c.d (compatible) all reach a.b.c.d, which may be private or loopback."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return ip
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64 or ip in _NAT64_LOCAL or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip
