#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# Controller bookkeeping (not on the data path): stable VPN addresses recorded in a YAML file.
# The allocation itself: module_utils/warren_alloc.py.
import os

import yaml
from ansible.module_utils.basic import AnsibleModule

try:
    from ansible.module_utils.warren import peer_name_problem, write_atomic
    from ansible.module_utils.warren_alloc import AllocError, allocate
except ImportError:
    from ansible_collections.warren.wireguard.plugins.module_utils.warren import (
        peer_name_problem, write_atomic)
    from ansible_collections.warren.wireguard.plugins.module_utils.warren_alloc import (
        AllocError, allocate)

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
  - A missing directory of O(path) is made, mode 0700 (it is the directory of the key vault).
options:
  path: {description: The allocation file (YAML)., type: path, required: true}
  pool: {description: The VPN network., type: str, default: 192.168.100.0/24}
  reserved: {description: Addresses never given to a peer (default the pool's first host,
             the server)., type: list, elements: str}
  reserved_ranges:
    description:
      - Sub-pools of O(pool) that another allocator owns (the range warren-enrolld gives to
        enrolled devices) and no inventory peer may get or keep an address in.
    type: list
    elements: str
    default: []
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
released_addresses: {description: The address each released peer held (for revocation)., type: dict}
"""

def main():
    peer = dict(name=dict(type="str", required=True), address=dict(type="str"),
                state=dict(type="str", default="present", choices=["present", "absent"]))
    module = AnsibleModule(argument_spec=dict(
        path=dict(type="path", required=True), pool=dict(type="str", default="192.168.100.0/24"),
        reserved=dict(type="list", elements="str"),
        reserved_ranges=dict(type="list", elements="str", default=[]),
        peers=dict(type="list", elements="dict", options=peer, default=[])),
        supports_check_mode=True)
    p = module.params
    problem = peer_name_problem(p["peers"])
    if problem:
        module.fail_json(msg=problem)
    old = {}
    if os.path.exists(p["path"]):
        with open(p["path"]) as f:
            old = (yaml.safe_load(f) or {}).get("addresses") or {}
    try:
        r = allocate(p["pool"], p["reserved"], old, p["peers"], p["reserved_ranges"])
    except AllocError as e:
        module.fail_json(msg=str(e))
    changed = r["after"] != {n: str(a) for n, a in sorted(old.items())}
    if changed and not module.check_mode:
        os.makedirs(os.path.dirname(p["path"]) or ".", 0o700, exist_ok=True)
        write_atomic(p["path"], "# Managed by warren (wg_address_alloc): allocated once, never renumbered.\n" +
                     yaml.safe_dump({"pool": r["pool"], "addresses": r["after"]}, default_flow_style=False))
    module.exit_json(changed=changed, allocated=r["allocated"], released=r["released"],
                     released_addresses={n: str(old[n]) for n in r["released"]},
                     server_address=r["server_address"], addresses=r["addresses"],
                     diff=dict(before=yaml.safe_dump(dict(sorted(old.items()))),
                               after=yaml.safe_dump(r["after"])))


if __name__ == "__main__":
    main()
