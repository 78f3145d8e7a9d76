#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# wg_address_alloc with NetBox as the record: the same allocation (module_utils/warren_alloc.py),
# but the allocations are warren's tagged IP address objects in the NetBox prefix, and every
# other address NetBox holds there is never given to a peer.
from ansible.module_utils.basic import AnsibleModule

try:
    from ansible.module_utils.warren import peer_name_problem
    from ansible.module_utils.warren_alloc import AllocError, allocate
    from ansible.module_utils.warren_netbox import NetBoxError, client_for, module_spec, alloc_plan, allocations, diff_of, is_empty
except ImportError:
    from ansible_collections.warren.wireguard.plugins.module_utils.warren import peer_name_problem
    from ansible_collections.warren.wireguard.plugins.module_utils.warren_alloc import (
        AllocError, allocate)
    from ansible_collections.warren.wireguard.plugins.module_utils.warren_netbox import (
        NetBoxError, client_for, module_spec, alloc_plan, allocations, diff_of, is_empty)

DOCUMENTATION = r"""
module: warren_netbox_alloc
short_description: Allocate each WireGuard peer one stable address from a NetBox prefix
description:
  - The allocation of wg_address_alloc, recorded in NetBox instead of a file. A peer's
    address is an IP address object in O(pool) with the tag O(tag) and the peer's name in the
    custom field warren_peer; it is made once and kept until the peer is listed with
    C(state=absent), so nobody is ever renumbered.
  - Every other address NetBox holds in the pool (without the tag) is never given to a peer.
  - Fails, changing nothing, when the pool is exhausted (naming the pool and the counts), when
    two peers claim one address, or when an address is outside the pool or reserved.
  - Check mode writes nothing; diff mode shows the addresses that change, by peer.
requirements: [pynetbox]
options:
  url: {description: NetBox base URL (without /api)., type: str, required: true}
  token: {description: API token with write access., type: str, required: true, no_log: true}
  validate_certs: {description: Verify the TLS certificate., type: bool, default: true}
  pool: {description: The VPN prefix (it need not exist in NetBox as a prefix)., type: str, required: true}
  tag: {description: Slug of the tag that marks warren's objects., type: str, default: warren}
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
      state: {description: absent releases the address (the object is deleted)., type: str,
              default: present, choices: [present, absent]}
"""

EXAMPLES = r"""
- name: Allocate the peer addresses in NetBox.
  warren_netbox_alloc:
    url: http://127.0.0.1:8000
    token: "{{ warren_netbox_token }}"
    pool: 192.168.100.0/24
    peers: [{name: alice}, {name: bob, address: 192.168.100.10}, {name: carol, state: absent}]
  delegate_to: localhost
"""

RETURN = r"""
addresses: {description: Address of every present listed peer., type: dict}
allocated: {description: Peers that got a (new) address., type: list}
released: {description: Peers whose address was released., type: list}
server_address: {description: The lowest reserved address (the server's)., type: str}
"""


def main():
    peer = dict(name=dict(type="str", required=True), address=dict(type="str"),
                state=dict(type="str", default="present", choices=["present", "absent"]))
    module = AnsibleModule(argument_spec=module_spec(
        pool=dict(type="str", required=True), reserved=dict(type="list", elements="str"),
        peers=dict(type="list", elements="dict", options=peer, default=[])),
        supports_check_mode=True)
    p = module.params
    problem = peer_name_problem(p["peers"])
    if problem:
        module.fail_json(msg=problem)
    try:
        nb = client_for(p)
        objs = nb.ip_addresses(p["pool"])
        old, taken, server = allocations(objs, p["tag"], p["pool"], p["reserved"])
        r = allocate(p["pool"], taken, old, p["peers"])
        pl = alloc_plan(objs, p["tag"], r["after"], p["pool"])
        if not module.check_mode:
            nb.apply(pl)
    except (AllocError, NetBoxError, ValueError) as e:
        module.fail_json(msg=str(e))
    module.exit_json(changed=not is_empty(pl), allocated=r["allocated"], released=r["released"],
                     server_address=server, addresses=r["addresses"], diff=diff_of(pl))


if __name__ == "__main__":
    main()
