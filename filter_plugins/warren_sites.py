# SPDX-License-Identifier: GPL-2.0-only
# Site-to-site topology as data (docs/site-to-site.md). One dict of sites, the same on every host:
#   sites:
#     edge: {address: 10.99.0.1/24, public_key: ..., endpoint: "203.0.113.7:51820", relay: true}
#     home: {address: 10.99.0.2/24, public_key: ..., subnets: [192.168.10.0/24]}   # behind NAT
#     shop: {address: 10.99.0.3/24, public_key: ..., subnets: [192.168.30.0/24]}  # behind NAT
# warren_site_peers(sites, "home") -> {"peers": [...], "routes": [...], "forward": bool}:
#   peers    a wg-peer-sync peers list for that site's interface: every other site it can reach
#            directly (one of the two has an endpoint), with its tunnel address and subnets as
#            allowed IPs; a pair where neither side has an endpoint goes through the relay site,
#            whose peer entry then also carries the other site's prefixes;
#   routes   the other sites' subnets, to route into the tunnel;
#   forward  whether this site routes for others (it has subnets, or relays);
#   health   per-site health for zabbix-wg-stats (the sites file): every other site with the
#            public key of the peer whose handshake counts (the relay's for a relayed site, with
#            "via") and its probe: a host on its LAN (`probe: 192.168.10.1` for an ICMP echo,
#            "192.168.10.1:22" or "[2001:db8::1]:443" for a TCP connect), inside its subnets.
# Keepalive only from the side behind NAT (a site without an endpoint, or nat: true) towards a
# peer it reaches by endpoint. Overlapping prefixes of two sites are refused, naming both sites.
import ipaddress

from ansible.errors import AnsibleFilterError

_KEYS = {"address", "public_key", "endpoint", "subnets", "relay", "nat", "keepalive", "probe"}


def _fail(msg):
    raise AnsibleFilterError("warren_site_peers: " + msg)


def _net(value, field, host=False):
    try:
        if host:
            return ipaddress.ip_interface(str(value))
        return ipaddress.ip_network(str(value))
    except ValueError as e:
        _fail('%s: "%s" is not %s (%s)' % (field, value, "an address with prefix" if host else "a CIDR", e))


def _probe(name, value, subnets):
    """The probe's address (and port, for a TCP connect): inside one of the site's subnets."""
    field = "sites.%s.probe" % name
    text, host, port = str(value), str(value), None
    if text.startswith("["):
        host, sep, port = text[1:].partition("]:")
        if not sep:
            _fail('%s: "%s" is not [ADDRESS]:PORT' % (field, text))
    elif text.count(":") == 1:
        host, port = text.split(":")
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        _fail('%s: "%s" is not an address, ADDRESS:PORT or [ADDRESS]:PORT' % (field, text))
    if port is not None and (not port.isdigit() or not 1 <= int(port) <= 65535):
        _fail('%s: "%s": the port must be 1-65535' % (field, text))
    if port is not None and addr.version == 6 and not text.startswith("["):
        _fail('%s: "%s": write an IPv6 address with a port as [ADDRESS]:PORT' % (field, text))
    if not any(addr in n for n in subnets):
        _fail('%s: %s is in none of the site\'s subnets (%s)'
              % (field, addr, ", ".join(str(n) for n in subnets) or "none"))
    return text


def _site(name, s):
    if not isinstance(s, dict):
        _fail("sites.%s: must be a dict" % name)
    extra = sorted(set(s) - _KEYS)
    if extra:
        _fail('sites.%s: unknown field "%s"' % (name, extra[0]))
    for k in ("address", "public_key"):
        if not s.get(k):
            _fail("sites.%s.%s: is required" % (name, k))
    subnets = s.get("subnets") or []
    if not isinstance(subnets, list):
        _fail("sites.%s.subnets: must be a list" % name)
    ka = s.get("keepalive", 25)
    if not isinstance(ka, int) or isinstance(ka, bool) or not 0 <= ka <= 65535:
        _fail("sites.%s.keepalive: %r is not 0-65535" % (name, ka))
    addr = _net(s["address"], "sites.%s.address" % name, host=True)
    nets = [_net(n, "sites.%s.subnets[%d]" % (name, i)) for i, n in enumerate(subnets)]
    return {
        "name": name,
        "public_key": s["public_key"],
        "endpoint": s.get("endpoint") or None,
        "nat": bool(s.get("nat", not s.get("endpoint"))),
        "relay": bool(s.get("relay", False)),
        "keepalive": ka,
        "host": ipaddress.ip_network(addr.ip),
        "iface": addr,
        "subnets": nets,
        "probe": _probe(name, s["probe"], nets) if s.get("probe") else None,
    }


def _check_overlaps(sites):
    owned = []
    for s in sites:
        owned.append((s["name"], "address", s["host"]))
        owned.extend((s["name"], "subnets", n) for n in s["subnets"])
    for i, (na, fa, a) in enumerate(owned):
        for nb, fb, b in owned[i + 1:]:
            if na != nb and a.version == b.version and a.overlaps(b):
                _fail("sites.%s.%s %s overlaps sites.%s.%s %s" % (na, fa, a, nb, fb, b))


def _prefixes(s):
    return [str(s["host"])] + [str(n) for n in s["subnets"]]


def warren_site_peers(sites, me):
    if not isinstance(sites, dict) or not sites:
        _fail("sites: must be a non-empty dict")
    if me not in sites:
        _fail('"%s" is not one of the sites (%s)' % (me, ", ".join(sorted(sites))))
    all_sites = [_site(n, sites[n]) for n in sorted(sites)]
    _check_overlaps(all_sites)
    by = {s["name"]: s for s in all_sites}
    self = by[me]
    relays = [s for s in all_sites if s["relay"] and s["endpoint"]]
    peers, relayed, via = {}, {}, {}
    for other in all_sites:
        if other is self:
            continue
        if self["endpoint"] or other["endpoint"]:
            peers[other["name"]] = {
                "name": other["name"],
                "public_key": other["public_key"],
                "allowed_ips": _prefixes(other),
            }
            if other["endpoint"]:
                peers[other["name"]]["endpoint"] = other["endpoint"]
            if self["nat"] and other["endpoint"] and self["keepalive"]:
                peers[other["name"]]["persistent_keepalive"] = self["keepalive"]
            continue
        if not relays:
            _fail("sites %s and %s: neither has an endpoint and no site is a relay "
                  "(relay: true with an endpoint)" % (me, other["name"]))
        relayed.setdefault(relays[0]["name"], []).extend(_prefixes(other))
        via[other["name"]] = relays[0]
    for relay, extra in relayed.items():
        peers[relay]["allowed_ips"] = peers[relay]["allowed_ips"] + extra
    routes = sorted({str(n) for s in all_sites if s is not self for n in s["subnets"]})
    health = []
    for other in all_sites:
        if other is self:
            continue
        h = {"site": other["name"], "public_key": via.get(other["name"], other)["public_key"]}
        if other["name"] in via:
            h["via"] = via[other["name"]]["name"]
        if other["probe"]:
            h["probe"] = other["probe"]
        health.append(h)
    return {
        "health": health,
        "peers": [peers[n] for n in sorted(peers)],
        "routes": routes,
        "forward": bool(self["subnets"]) or self["relay"],
    }


class FilterModule(object):
    def filters(self):
        return {"warren_site_peers": warren_site_peers}
