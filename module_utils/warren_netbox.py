# SPDX-License-Identifier: GPL-2.0-only
# NetBox peer addresses for warren_netbox_peers and warren_netbox_alloc: what differs between
# the peers' IP address objects in NetBox and the desired ones (plain Python, pytest), and the
# few pynetbox calls that read them and write the difference in one request per kind.
# Only objects with the warren tag and a warren_peer custom field are ever changed or deleted.
import ipaddress

PEER_CF = "warren_peer"
KEY_CF = "warren_public_key"


class NetBoxError(Exception):
    """A NetBox failure; the message names the URL and the HTTP status (or the network error)."""


def _tagged(obj, tag):
    return any(t.get("slug") == tag or t.get("name") == tag for t in obj.get("tags") or [])


def split(objs, tag):
    """Splits IP address objects (dicts as the REST API returns them) into warren's peer
    addresses, by peer name ({name: [obj, ...]}), and every other object (foreign)."""
    mine, foreign = {}, []
    for o in objs:
        peer = (o.get("custom_fields") or {}).get(PEER_CF)
        if _tagged(o, tag) and peer:
            mine.setdefault(peer, []).append(o)
        else:
            foreign.append(o)
    return mine, foreign


def host(addr):
    return str(ipaddress.ip_interface(addr).ip)


def desired_object(peer, prefixlen, tag):
    """The IP address object warren wants for @peer ({name, address, enabled, public_key})."""
    cf = {PEER_CF: peer["name"]}
    if peer.get("public_key") is not None or "public_key" in peer:
        cf[KEY_CF] = peer.get("public_key")
    return {
        "address": "%s/%d" % (host(peer["address"]), prefixlen),
        "description": peer["name"],
        "status": "active" if peer.get("enabled", True) else "deprecated",
        "custom_fields": cf,
        "tags": [tag],
    }


def current_view(o):
    """The fields of an existing object that warren manages, in the desired_object form."""
    status = o.get("status")
    return {
        "address": o.get("address"),
        "description": o.get("description") or "",
        "status": status.get("value") if isinstance(status, dict) else status,
        "custom_fields": o.get("custom_fields") or {},
        "tags": sorted(t.get("slug") or t.get("name") for t in o.get("tags") or []),
    }


def changed_fields(want, o):
    """The fields of @want that differ from object @o ({field: (before, after)})."""
    have = current_view(o)
    out = {}
    for k, v in want.items():
        if k == "custom_fields":
            diff = {n: (have[k].get(n), x) for n, x in v.items() if have[k].get(n) != x}
            if diff:
                out[k] = ({n: d[0] for n, d in diff.items()}, {n: d[1] for n, d in diff.items()})
        elif k == "tags":
            if tag_missing(v, have[k]):
                out[k] = (have[k], sorted(set(have[k]) | set(v)))
        elif have.get(k) != v:
            out[k] = (have.get(k), v)
    return out


def tag_missing(want, have):
    return not set(want) <= set(have)


def plan(objs, peers, prefix, tag, orphans="delete"):
    """What to do so that NetBox holds one IP address per peer in @peers. @objs: every IP
    address object in @prefix. Returns {"create": [obj], "update": [(id, fields, changes, name)],
    "delete": [(id, address, name)]}. Raises NetBoxError when a peer's address is held by an
    object warren does not own (no tag or no warren_peer field): that object is never touched.
    @orphans: delete (warren's peer addresses of peers no longer listed) or keep."""
    net = ipaddress.ip_network(prefix)
    mine, foreign = split(objs, tag)
    by_ip = {}
    for o in foreign:
        by_ip.setdefault(host(o["address"]), o)
    out = {"create": [], "update": [], "delete": []}
    for p in peers:
        if ipaddress.ip_address(host(p["address"])) not in net:
            raise NetBoxError("peer %s: address %s is outside the prefix %s" % (p["name"], p["address"], prefix))
        f = by_ip.get(host(p["address"]))
        if f is not None:
            raise NetBoxError("peer %s: NetBox already has %s (id %s) without warren's tag and %s field; "
                              "warren does not change it: remove it or give the peer another address"
                              % (p["name"], f["address"], f.get("id"), PEER_CF))
        want = desired_object(p, net.prefixlen, tag)
        have = sorted(mine.pop(p["name"], []), key=lambda o: o.get("id", 0))
        for extra in have[1:]:
            out["delete"].append((extra["id"], extra["address"], p["name"]))
        if not have:
            out["create"].append(want)
            continue
        ch = changed_fields(want, have[0])
        if ch:
            fields = {k: v for k, v in want.items() if k in ch}
            if "tags" in fields:
                fields["tags"] = ch["tags"][1]
            if "custom_fields" in fields:
                fields["custom_fields"] = dict(want["custom_fields"])
            out["update"].append((have[0]["id"], fields, ch, p["name"]))
    if orphans == "delete":
        for name, objs_ in sorted(mine.items()):
            for o in objs_:
                out["delete"].append((o["id"], o["address"], name))
    return out


def allocations(objs, tag, pool, reserved):
    """For warren_alloc.allocate, from every IP address object in @pool: warren's allocations
    ({name: address}), and the addresses not to give out (@reserved, default the pool's first
    host, plus every address NetBox holds in another object). Also returns the server's address
    (the lowest of @reserved)."""
    net = ipaddress.ip_network(pool)
    own = [ipaddress.ip_address(a) for a in reserved] if reserved else [next(net.hosts())]
    mine, foreign = split(objs, tag)
    old = {n: host(sorted(o, key=lambda x: x.get("id", 0))[0]["address"]) for n, o in mine.items()}
    taken = sorted({str(a) for a in own} | {host(o["address"]) for o in foreign})
    return old, taken, str(min(own))


def alloc_plan(objs, tag, after, pool):
    """The plan that makes warren's peer objects in @pool record @after ({name: address}): new
    peers' objects are created (status active), a changed fixed address is updated, released
    peers' objects are deleted."""
    prefixlen = ipaddress.ip_network(pool).prefixlen
    mine, _foreign = split(objs, tag)
    out = {"create": [], "update": [], "delete": []}
    for name, addr in sorted(after.items()):
        have = sorted(mine.pop(name, []), key=lambda o: o.get("id", 0))
        want = "%s/%d" % (addr, prefixlen)
        for extra in have[1:]:
            out["delete"].append((extra["id"], extra["address"], name))
        if not have:
            out["create"].append({"address": want, "description": name, "status": "active",
                                  "custom_fields": {PEER_CF: name}, "tags": [tag]})
        elif have[0]["address"] != want:
            out["update"].append((have[0]["id"], {"address": want},
                                  {"address": (have[0]["address"], want)}, name))
    for name, objs_ in sorted(mine.items()):
        for o in objs_:
            out["delete"].append((o["id"], o["address"], name))
    return out


def diff_of(pl):
    """A before/after diff of a plan, by peer name, without anything secret (keys are public)."""
    before, after = {}, {}
    for o in pl["create"]:
        after[o["description"]] = o
    for _id, _f, ch, name in pl["update"]:
        before[name] = {k: v[0] for k, v in ch.items()}
        after[name] = {k: v[1] for k, v in ch.items()}
    for _id, addr, name in pl["delete"]:
        before.setdefault(name, {"address": addr})
    return {"before": before, "after": after}


def is_empty(pl):
    return not (pl["create"] or pl["update"] or pl["delete"])


def module_spec(**extra):
    """The argument spec every warren NetBox module shares (connection and tag), plus its own."""
    spec = dict(url=dict(type="str", required=True),
                token=dict(type="str", required=True, no_log=True),
                validate_certs=dict(type="bool", default=True),
                tag=dict(type="str", default="warren"))
    spec.update(extra)
    return spec


def client_for(params):
    """A Client for a module's parameters (module_spec)."""
    return Client(params["url"], params["token"], params["validate_certs"])


class Client(object):
    """The pynetbox calls warren needs, with failures turned into NetBoxError."""

    def __init__(self, url, token, validate_certs=True):
        import pynetbox  # imported here: the plain functions above need no pynetbox (pytest)
        import requests
        self.url = url.rstrip("/")
        self.api = pynetbox.api(self.url, token=token)
        s = requests.Session()
        s.verify = validate_certs
        self.api.http_session = s
        self._pynetbox = pynetbox
        self._requests = requests

    def _call(self, what, fn, *args, **kw):
        try:
            return fn(*args, **kw)
        except self._pynetbox.RequestError as e:
            raise NetBoxError("NetBox %s answered HTTP %s to %s: %s"
                              % (e.req.url, e.req.status_code, what, _short(e.error)))
        except self._requests.exceptions.RequestException as e:
            raise NetBoxError("NetBox %s did not answer (%s): %s" % (self.url, what, e))

    def ip_addresses(self, prefix):
        objs = self._call("reading the IP addresses in %s" % prefix,
                          lambda: list(self.api.ipam.ip_addresses.filter(parent=prefix)))
        return [dict(o.serialize(), tags=[{"slug": t.slug, "name": t.name} for t in o.tags],
                     status=o.status.value if o.status else None, address=o.address) for o in objs]

    def apply(self, pl):
        ep = self.api.ipam.ip_addresses
        if pl["create"]:
            rows = [_wire(o) for o in pl["create"]]
            self._call("creating %d IP addresses" % len(rows), ep.create, rows)
        if pl["update"]:
            rows = [_wire(dict(f, id=i)) for i, f, _c, _n in pl["update"]]
            self._call("updating %d IP addresses" % len(rows), ep.update, rows)
        if pl["delete"]:
            self._call("deleting %d IP addresses" % len(pl["delete"]), ep.delete,
                       [i for i, _a, _n in pl["delete"]])


def _wire(o):
    """An object as the REST API takes it: tags as [{"slug": ...}]."""
    if "tags" in o:
        o = dict(o, tags=[{"slug": t} for t in o["tags"]])
    return o


def _short(text):
    text = str(text)
    return text if len(text) <= 300 else text[:300] + "..."
