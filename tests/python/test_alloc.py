# SPDX-License-Identifier: GPL-2.0-only
# The address allocator of wg_address_alloc (module_utils/warren_alloc.py): stable addresses,
# never renumbered, and every refusal naming what is wrong.
import pytest

from warren_alloc import AllocError, allocate


def peers(*names, **fixed):
    return [{"name": n, "address": fixed.get(n), "state": "present"} for n in names]


def test_new_peers_get_the_lowest_free_addresses_in_list_order():
    r = allocate("192.168.100.0/24", None, {}, peers("alice", "bob"))
    assert r["addresses"] == {"alice": "192.168.100.2", "bob": "192.168.100.3"}
    assert r["allocated"] == ["alice", "bob"]
    assert r["server_address"] == "192.168.100.1"


def test_reordering_adding_and_leaving_out_never_renumber():
    old = {"alice": "192.168.100.2", "bob": "192.168.100.3"}
    r = allocate("192.168.100.0/24", None, old, peers("carol", "bob"))
    assert r["addresses"] == {"carol": "192.168.100.4", "bob": "192.168.100.3"}
    assert r["after"]["alice"] == "192.168.100.2"
    assert r["allocated"] == ["carol"]


def test_a_reappearing_peer_gets_its_old_address_back():
    old = {"alice": "192.168.100.2", "bob": "192.168.100.3"}
    assert allocate("192.168.100.0/24", None, old, peers("bob"))["after"] == old
    assert allocate("192.168.100.0/24", None, old, peers("alice"))["addresses"] == {"alice": "192.168.100.2"}


def test_state_absent_releases_the_address_for_the_next_new_peer():
    old = {"alice": "192.168.100.2", "bob": "192.168.100.3"}
    r = allocate("192.168.100.0/24", None, old,
                 [{"name": "alice", "state": "absent"}] + peers("dave"))
    assert r["released"] == ["alice"]
    assert r["addresses"] == {"dave": "192.168.100.2"}
    assert "alice" not in r["after"]


def test_a_fixed_address_is_honoured_and_skipped_by_allocation():
    r = allocate("192.168.100.0/24", None, {}, peers("a", "b", a="192.168.100.2"))
    assert r["addresses"] == {"a": "192.168.100.2", "b": "192.168.100.3"}


def test_reserved_addresses_and_the_server():
    r = allocate("10.0.0.0/29", ["10.0.0.1", "10.0.0.2"], {}, peers("a"))
    assert r["addresses"] == {"a": "10.0.0.3"}
    assert r["server_address"] == "10.0.0.1"
    with pytest.raises(AllocError, match=r"peer z: address 10\.0\.0\.2 is reserved in the pool 10\.0\.0\.0/29"):
        allocate("10.0.0.0/29", ["10.0.0.1", "10.0.0.2"], {}, peers("z", z="10.0.0.2"))


@pytest.mark.parametrize("address", ["192.168.100.0", "192.168.100.255", "192.168.100.1"])
def test_network_broadcast_and_server_addresses_are_refused(address):
    with pytest.raises(AllocError, match="is reserved in the pool"):
        allocate("192.168.100.0/24", None, {}, peers("z", z=address))


def test_an_exhausted_pool_names_the_counts_and_the_peers_left_over():
    with pytest.raises(AllocError) as e:
        allocate("192.168.100.0/29", None, {}, peers("a1", "a2", "a3", "a4", "a5", "a6", "a7"))
    assert str(e.value) == ("pool 192.168.100.0/29 is exhausted: 5 usable addresses, 5 allocated, "
                            "2 more needed (a6, a7)")


def test_two_peers_claiming_one_address():
    with pytest.raises(AllocError, match=r"two peers claim 192\.168\.100\.2: alice and zed"):
        allocate("192.168.100.0/24", None, {"alice": "192.168.100.2"}, peers("zed", zed="192.168.100.2"))


def test_addresses_outside_the_pool():
    with pytest.raises(AllocError, match=r"peer zed: address 10\.0\.0\.5 is outside the pool"):
        allocate("192.168.100.0/24", None, {}, peers("zed", zed="10.0.0.5"))
    with pytest.raises(AllocError, match=r"peer x holds 10\.1\.0\.5, outside the pool 192\.168\.100\.0/24"):
        allocate("192.168.100.0/24", None, {"x": "10.1.0.5"}, peers("y"))
    with pytest.raises(AllocError, match="is not an IP address"):
        allocate("192.168.100.0/24", None, {}, peers("zed", zed="host.example"))


def test_a_bad_pool_is_refused():
    with pytest.raises(AllocError, match="pool/reserved"):
        allocate("192.168.100.0/33", None, {}, [])


def test_ipv6_pools_and_point_to_point_pools():
    r = allocate("fd00:100::/64", None, {}, peers("a"))
    assert r["addresses"] == {"a": "fd00:100::2"}
    r = allocate("10.9.0.0/31", ["10.9.0.0"], {}, peers("a"))
    assert r["addresses"] == {"a": "10.9.0.1"}


def test_a_refused_allocation_leaves_the_old_mapping_untouched():
    old = {"alice": "192.168.100.2"}
    with pytest.raises(AllocError):
        allocate("192.168.100.0/24", None, old, [{"name": "alice", "state": "absent"}] + peers("z", z="10.0.0.1"))
    assert old == {"alice": "192.168.100.2"}


def test_a_reserved_range_is_skipped_for_new_peers():
    r = allocate("10.9.0.0/24", None, {}, peers("a", "b"), ["10.9.0.0/30"])
    assert r["addresses"] == {"a": "10.9.0.4", "b": "10.9.0.5"}


def test_a_fixed_or_old_address_inside_a_reserved_range_is_refused():
    with pytest.raises(AllocError, match="inside the reserved range 10.9.0.128/25"):
        allocate("10.9.0.0/24", None, {}, peers("a", a="10.9.0.200"), ["10.9.0.128/25"])
    with pytest.raises(AllocError, match="peer a holds 10.9.0.130"):
        allocate("10.9.0.0/24", None, {"a": "10.9.0.130"}, peers("a"), ["10.9.0.128/25"])


def test_a_reserved_range_outside_the_pool_is_refused():
    with pytest.raises(AllocError, match="not inside the pool"):
        allocate("10.9.0.0/24", None, {}, peers("a"), ["10.10.0.0/25"])


def test_a_pool_exhausted_by_a_reserved_range_counts_only_what_is_left():
    with pytest.raises(AllocError, match="2 usable addresses"):
        allocate("10.9.0.0/29", None, {}, peers("a", "b", "c"), ["10.9.0.4/30"])
