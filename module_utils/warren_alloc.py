# SPDX-License-Identifier: GPL-2.0-only
# Stable address allocation for wg_address_alloc, without Ansible (tests/python/test_alloc.py).
import ipaddress


class AllocError(ValueError):
    """An inventory the allocation refuses; the message names the peers and addresses."""


def usable(pool, a):
    """Whether @a is a usable host address of @pool (not the network or broadcast address)."""
    if a == pool.network_address and pool.prefixlen < pool.max_prefixlen - 1:
        return False
    return not (pool.version == 4 and pool.prefixlen < 31 and a == pool.broadcast_address)


def allocate(pool, reserved, old, peers, reserved_ranges=()):
    """Allocates the present @peers ({name, address, state}) addresses in @pool, keeping every
    allocation in @old ({name: address}) except those released by state absent. @reserved lists
    addresses never given to a peer (default: the pool's first host, the server);
    @reserved_ranges sub-pools of @pool that belong to another allocator (warren-enrolld's
    enrolled devices): no inventory peer gets or keeps an address in them.

    Returns {"after": {name: address} of every allocation, "addresses": the present peers',
    "allocated": peers with a new address, "released": names, "server_address": the lowest
    reserved address}. Raises AllocError, deciding nothing, on any conflict."""
    try:
        pool = ipaddress.ip_network(pool)
        reserved = {ipaddress.ip_address(a) for a in reserved or [next(pool.hosts())]}
        ranges = [ipaddress.ip_network(r) for r in reserved_ranges or ()]
    except (ValueError, StopIteration) as e:
        raise AllocError("pool/reserved: %s" % e)
    for r in ranges:
        if not r.subnet_of(pool):
            raise AllocError("reserved range %s is not inside the pool %s" % (r, pool))
    alloc = {n: ipaddress.ip_address(a) for n, a in old.items()}
    released = [q["name"] for q in peers if q.get("state") == "absent" and q["name"] in alloc]
    for n in released:
        del alloc[n]
    present = [q for q in peers if q.get("state", "present") == "present"]
    for q in present:
        if q.get("address") is None:
            continue
        try:
            a = ipaddress.ip_address(q["address"])
        except ValueError:
            raise AllocError("peer %s: %r is not an IP address" % (q["name"], q["address"]))
        if a not in pool:
            raise AllocError("peer %s: address %s is outside the pool %s" % (q["name"], a, pool))
        if a in reserved or not usable(pool, a):
            raise AllocError("peer %s: address %s is reserved in the pool %s" % (q["name"], a, pool))
        holder = [n for n, b in alloc.items() if b == a and n != q["name"]]
        if holder:
            raise AllocError("two peers claim %s: %s and %s" % (a, holder[0], q["name"]))
        alloc[q["name"]] = a
    for n, a in alloc.items():
        held = [r for r in ranges if a in r]
        if held:
            raise AllocError("peer %s holds %s, inside the reserved range %s (give it another "
                             "address, or release it with state: absent)" % (n, a, held[0]))
        if a not in pool:
            raise AllocError("peer %s holds %s, outside the pool %s (release it with state: absent)"
                             % (n, a, pool))
    new = [q["name"] for q in present if q["name"] not in alloc]
    used = set(alloc.values()) | reserved
    free = (a for a in pool.hosts() if a not in used and not any(a in r for r in ranges))
    for i, n in enumerate(new):
        a = next(free, None)
        if a is None:
            count = sum(1 for h in pool.hosts() if h not in reserved and not any(h in r for r in ranges))
            raise AllocError("pool %s is exhausted: %d usable addresses, %d allocated, %d more needed "
                             "(%s)" % (pool, count, len(alloc), len(new) - i, ", ".join(new[i:])))
        alloc[n] = a
    return {
        "pool": str(pool),
        "after": {n: str(a) for n, a in sorted(alloc.items())},
        "addresses": {q["name"]: str(alloc[q["name"]]) for q in present},
        "allocated": [q["name"] for q in present if str(alloc[q["name"]]) != old.get(q["name"])],
        "released": released,
        "server_address": str(min(reserved)),
    }
