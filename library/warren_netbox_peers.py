#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# Every peer's VPN address in NetBox in one run: one read of the prefix, then at most one bulk
# create, one bulk update and one bulk delete. A loop of netbox.netbox.netbox_ip_address costs a
# module run per peer (docs/netbox.md has the timings); what differs: module_utils/warren_netbox.py.
from ansible.module_utils.basic import AnsibleModule

try:
    from ansible.module_utils.warren import peer_name_problem
    from ansible.module_utils.warren_netbox import NetBoxError, client_for, module_spec, diff_of, is_empty, plan
except ImportError:
    from ansible_collections.warren.wireguard.plugins.module_utils.warren import peer_name_problem
    from ansible_collections.warren.wireguard.plugins.module_utils.warren_netbox import (
        NetBoxError, client_for, module_spec, diff_of, is_empty, plan)

DOCUMENTATION = r"""
module: warren_netbox_peers
short_description: Register every WireGuard peer's address in NetBox in one run
description:
  - Makes NetBox hold one IP address object per peer in O(prefix), with the peer's name as
    description and in the custom field warren_peer, its public key in warren_public_key, status
    active, or deprecated for a disabled peer, and the tag O(tag).
  - Only objects that carry the tag and a warren_peer value are changed or deleted. A peer whose
    address NetBox already holds in another object fails the module, naming both, and nothing
    is written.
  - One read of the prefix, then one bulk request per kind of change. Check mode writes
    nothing; diff mode shows the fields that change, by peer.
  - The custom fields and the tag must exist (roles/warren_netbox makes them).
requirements: [pynetbox]
options:
  url: {description: NetBox base URL (without /api)., type: str, required: true}
  token: {description: API token with write access., type: str, required: true, no_log: true}
  validate_certs: {description: Verify the TLS certificate., type: bool, default: true}
  prefix: {description: The VPN prefix holding the peers' addresses., type: str, required: true}
  tag: {description: Slug of the tag that marks warren's objects., type: str, default: warren}
  orphans:
    description:
      - delete removes warren's address objects of peers not in O(peers).
      - keep leaves them (the NetBox address book keeps them reserved until state absent).
    type: str
    default: delete
    choices: [delete, keep]
  peers:
    description: The peers.
    type: list
    elements: dict
    default: []
    suboptions:
      name: {description: Peer name., type: str, required: true}
      address: {description: The peer's address (with or without a mask)., type: str, required: true}
      enabled: {description: false registers the address as deprecated., type: bool, default: true}
      public_key: {description: The peer's public key (never a private or preshared one)., type: str}
"""

EXAMPLES = r"""
- name: Register the peers' addresses in NetBox.
  warren_netbox_peers:
    url: http://127.0.0.1:8000
    token: "{{ warren_netbox_token }}"
    prefix: 192.168.100.0/24
    peers: [{name: alice, address: 192.168.100.2, public_key: "...", enabled: true}]
  delegate_to: localhost
  no_log: true
"""

RETURN = r"""
created: {description: Peers whose address object was created., type: list}
updated: {description: Peers whose address object was changed., type: list}
deleted: {description: Addresses deleted (peer name and address)., type: list}
"""


def main():
    peer = dict(name=dict(type="str", required=True), address=dict(type="str", required=True),
                enabled=dict(type="bool", default=True), public_key=dict(type="str", no_log=False))
    module = AnsibleModule(argument_spec=module_spec(
        prefix=dict(type="str", required=True),
        orphans=dict(type="str", default="delete", choices=["delete", "keep"]),
        peers=dict(type="list", elements="dict", options=peer, default=[])),
        supports_check_mode=True)
    p = module.params
    problem = peer_name_problem(p["peers"])
    if problem:
        module.fail_json(msg=problem)
    try:
        nb = client_for(p)
        pl = plan(nb.ip_addresses(p["prefix"]), p["peers"], p["prefix"], p["tag"], p["orphans"])
        if not module.check_mode:
            nb.apply(pl)
    except (NetBoxError, ValueError) as e:
        module.fail_json(msg=str(e))
    module.exit_json(changed=not is_empty(pl), diff=diff_of(pl),
                     created=[o["description"] for o in pl["create"]],
                     updated=[n for _i, _f, _c, n in pl["update"]],
                     deleted=["%s %s" % (n, a) for _i, a, n in pl["delete"]])


if __name__ == "__main__":
    main()
