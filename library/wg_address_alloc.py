#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# Controller bookkeeping (not on the data path): stable VPN addresses recorded in a YAML file.
import ipaddress
import os
import re

import yaml
from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: wg_address_alloc
short_description: Allocate each WireGuard peer one stable address from a pool
description:
  - Addresses are allocated once and recorded in O(path). Reordering, adding or removing
    peers never renumbers anyone. A peer keeps its address until it is listed with
    C(state=absent); a peer merely left out of O(peers) keeps its allocation too.
  - A fixed O(peers[].address) is honoured. Fails, changing nothing, when the pool is
    exhausted (naming the pool and the counts), when two peers claim one address, or when an
    address is outside the pool or reserved.
  - New peers get the lowest free address, in list order. Check mode writes nothing.
options:
  path: {description: The allocation file (YAML)., type: path, required: true}
  pool: {description: The VPN network., type: str, default: 192.168.100.0/24}
  reserved: {description: Addresses never given to a peer (default the pool's first host,
             the server)., type: list, elements: str}
  peers:
    description: The peers.
    type: list
    elements: dict
    default: []
    suboptions:
      name: {description: Peer name., type: str, required: true}
      address: {description: A fixed address., type: str}
      state: {description: absent releases the address., type: str, default: present,
              choices: [present, absent]}
"""

EXAMPLES = r"""
- name: Allocate the peer addresses.
  wg_address_alloc:
    path: "{{ inventory_dir }}/wireguard/addresses.yml"
    peers: [{name: alice}, {name: bob, address: 192.168.100.10}, {name: carol, state: absent}]
  delegate_to: localhost
"""

RETURN = r"""
addresses: {description: Address of every present listed peer., type: dict}
allocated: {description: Peers that got a (new) address., type: list}
released: {description: Peers whose address was released., type: list}
server_address: {description: The lowest reserved address (the server's)., type: str}
"""

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,62}$")


def host(pool, a):
    """Whether @a is a usable host address of @pool (not the network or broadcast address)."""
    if a == pool.network_address and pool.prefixlen < pool.max_prefixlen - 1:
        return False
    return not (pool.version == 4 and pool.prefixlen < 31 and a == pool.broadcast_address)


def main():
    peer = dict(name=dict(type="str", required=True), address=dict(type="str"),
                state=dict(type="str", default="present", choices=["present", "absent"]))
    module = AnsibleModule(argument_spec=dict(
        path=dict(type="path", required=True), pool=dict(type="str", default="192.168.100.0/24"),
        reserved=dict(type="list", elements="str"),
        peers=dict(type="list", elements="dict", options=peer, default=[])),
        supports_check_mode=True)
    p, fail = module.params, module.fail_json
    try:
        pool = ipaddress.ip_network(p["pool"])
        reserved = {ipaddress.ip_address(a) for a in p["reserved"] or [next(pool.hosts())]}
    except (ValueError, StopIteration) as e:
        fail(msg="pool/reserved: %s" % e)
    old = {}
    if os.path.exists(p["path"]):
        with open(p["path"]) as f:
            old = (yaml.safe_load(f) or {}).get("addresses") or {}
    alloc = {n: ipaddress.ip_address(a) for n, a in old.items()}
    names = [q["name"] for q in p["peers"]]
    for q in p["peers"]:
        if not NAME.match(q["name"]) or names.count(q["name"]) > 1:
            fail(msg="peer name %r is invalid or listed twice" % q["name"])
    released = [q["name"] for q in p["peers"] if q["state"] == "absent" and q["name"] in alloc]
    for n in released:
        del alloc[n]
    present = [q for q in p["peers"] if q["state"] == "present"]
    for q in present:
        if q["address"] is None:
            continue
        try:
            a = ipaddress.ip_address(q["address"])
        except ValueError:
            fail(msg="peer %s: %r is not an IP address" % (q["name"], q["address"]))
        if a not in pool:
            fail(msg="peer %s: address %s is outside the pool %s" % (q["name"], a, pool))
        if a in reserved or not host(pool, a):
            fail(msg="peer %s: address %s is reserved in the pool %s" % (q["name"], a, pool))
        holder = [n for n, b in alloc.items() if b == a and n != q["name"]]
        if holder:
            fail(msg="two peers claim %s: %s and %s" % (a, holder[0], q["name"]))
        alloc[q["name"]] = a
    for n, a in alloc.items():
        if a not in pool:
            fail(msg="peer %s holds %s, outside the pool %s (release it with state: absent)"
                 % (n, a, pool))
    new = [q["name"] for q in present if q["name"] not in alloc]
    used = set(alloc.values()) | reserved
    free = (a for a in pool.hosts() if a not in used)
    for n in new:
        a = next(free, None)
        if a is None:
            usable = sum(1 for h in pool.hosts() if h not in reserved)
            fail(msg="pool %s is exhausted: %d usable addresses, %d allocated, %d more needed "
                 "(%s)" % (pool, usable, len(alloc), len(new) - new.index(n),
                           ", ".join(new[new.index(n):])))
        alloc[n] = a
    allocated = [q["name"] for q in present if str(alloc[q["name"]]) != old.get(q["name"])]
    after = {n: str(a) for n, a in sorted(alloc.items())}
    changed = after != {n: str(a) for n, a in sorted(old.items())}
    text = yaml.safe_dump({"pool": str(pool), "addresses": after}, default_flow_style=False)
    if changed and not module.check_mode:
        tmp = "%s.tmp.%d" % (p["path"], os.getpid())
        with open(tmp, "w") as f:
            f.write("# Managed by warren (wg_address_alloc): allocated once, never renumbered.\n")
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, p["path"])
    module.exit_json(changed=changed, allocated=allocated, released=released,
                     server_address=str(min(reserved)),
                     addresses={q["name"]: str(alloc[q["name"]]) for q in present},
                     diff=dict(before=yaml.safe_dump(dict(sorted(old.items()))),
                               after=yaml.safe_dump(after)))


if __name__ == "__main__":
    main()
