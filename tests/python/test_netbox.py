# SPDX-License-Identifier: GPL-2.0-only
# What warren_netbox_peers and warren_netbox_alloc would write (module_utils/warren_netbox.py),
# on objects shaped as NetBox's REST API returns them: only warren's tagged peer objects are
# changed or deleted, a foreign object holding a peer's address stops everything, and a second
# plan over the result is empty. tests/integration/netbox.sh runs the same against a real NetBox.
import pytest

from warren_alloc import allocate
from warren_netbox import NetBoxError, alloc_plan, allocations, diff_of, is_empty, plan

P = "192.168.100.0/24"


def obj(i, address, peer=None, tags=("warren",), status="active", key=None, description=None):
    cf = {"warren_peer": peer, "warren_public_key": key}
    return {"id": i, "address": address, "description": description or peer or "", "status": status,
            "custom_fields": cf, "tags": [{"slug": t, "name": t} for t in tags]}


def peer(name, address, enabled=True, key="k-" + "x"):
    return {"name": name, "address": address, "enabled": enabled, "public_key": key}


def applied(objs, pl):
    """@objs after @pl, as NetBox would hold them (ids of created objects from 100)."""
    out = {o["id"]: dict(o) for o in objs}
    for i, f, _c, _n in pl["update"]:
        o = dict(out[i], **{k: v for k, v in f.items() if k not in ("tags", "custom_fields")})
        o["custom_fields"] = dict(out[i]["custom_fields"], **f.get("custom_fields", {}))
        o["tags"] = [{"slug": t} for t in f.get("tags", [t["slug"] for t in out[i]["tags"]])]
        out[i] = o
    for i, _a, _n in pl["delete"]:
        del out[i]
    for n, c in enumerate(pl["create"]):
        out[100 + n] = dict(c, id=100 + n, tags=[{"slug": t} for t in c["tags"]])
    return list(out.values())


def test_new_peers_are_created_and_a_second_plan_is_empty():
    pl = plan([], [peer("alice", "192.168.100.2"), peer("bob", "192.168.100.3", enabled=False)], P, "warren")
    assert [(o["address"], o["status"], o["custom_fields"]["warren_peer"]) for o in pl["create"]] == [
        ("192.168.100.2/24", "active", "alice"), ("192.168.100.3/24", "deprecated", "bob")]
    after = applied([], pl)
    assert is_empty(plan(after, [peer("alice", "192.168.100.2"), peer("bob", "192.168.100.3", enabled=False)],
                         P, "warren"))


def test_disabled_peer_is_deprecated_and_removed_peer_deleted():
    objs = [obj(1, "192.168.100.2/24", "alice", key="k-x"), obj(2, "192.168.100.3/24", "bob")]
    pl = plan(objs, [peer("alice", "192.168.100.2", enabled=False)], P, "warren")
    assert [(i, f) for i, f, _c, _n in pl["update"]] == [(1, {"status": "deprecated"})]
    assert pl["delete"] == [(2, "192.168.100.3/24", "bob")]
    d = diff_of(pl)
    assert d["before"]["alice"] == {"status": "active"} and d["after"]["alice"] == {"status": "deprecated"}


def test_orphans_keep_leaves_unlisted_peers():
    objs = [obj(2, "192.168.100.3/24", "bob")]
    assert is_empty(plan(objs, [], P, "warren", orphans="keep"))


def test_foreign_objects_are_never_touched_and_a_clash_fails():
    objs = [obj(5, "192.168.100.9/24", tags=()), obj(6, "192.168.100.1/24", tags=("warren",))]
    assert is_empty(plan(objs, [], P, "warren"))  # untagged, and tagged without warren_peer (the server)
    with pytest.raises(NetBoxError, match=r"peer dave: NetBox already has 192.168.100.9/24 \(id 5\)"):
        plan(objs, [peer("dave", "192.168.100.9")], P, "warren")


def test_other_tags_are_kept_when_warren_adds_its_own():
    objs = [obj(1, "192.168.100.2/24", "alice", tags=("warren", "audit"), key="k-x")]
    assert is_empty(plan(objs, [peer("alice", "192.168.100.2")], P, "warren"))


def test_netbox_allocation_skips_foreign_addresses_and_never_renumbers():
    objs = [obj(5, "10.77.0.3/29", tags=())]
    old, taken, server = allocations(objs, "warren", "10.77.0.0/29", None)
    assert (old, taken, server) == ({}, ["10.77.0.1", "10.77.0.3"], "10.77.0.1")
    r = allocate("10.77.0.0/29", taken, old, [{"name": "a1"}, {"name": "a2"}])
    assert r["addresses"] == {"a1": "10.77.0.2", "a2": "10.77.0.4"}
    pl = alloc_plan(objs, "warren", r["after"], "10.77.0.0/29")
    objs = applied(objs, pl)
    old, taken, _s = allocations(objs, "warren", "10.77.0.0/29", None)
    r = allocate("10.77.0.0/29", taken, old, [{"name": "a0"}, {"name": "a2"}, {"name": "a1"}])
    assert r["addresses"] == {"a0": "10.77.0.5", "a1": "10.77.0.2", "a2": "10.77.0.4"}
    pl = alloc_plan(objs, "warren", r["after"], "10.77.0.0/29")
    assert [o["description"] for o in pl["create"]] == ["a0"] and not pl["update"] and not pl["delete"]


def test_netbox_allocation_releases_absent_peers():
    objs = [obj(1, "10.77.0.2/29", "a1"), obj(2, "10.77.0.4/29", "a2")]
    old, taken, _s = allocations(objs, "warren", "10.77.0.0/29", None)
    r = allocate("10.77.0.0/29", taken, old, [{"name": "a1"}, {"name": "a2", "state": "absent"}])
    assert alloc_plan(objs, "warren", r["after"], "10.77.0.0/29")["delete"] == [(2, "10.77.0.4/29", "a2")]
