#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# Thin wrapper: the logic is in the wg-client-config helper (docs/client-config.md).
import json

from ansible.module_utils.basic import AnsibleModule

try:
    from ansible.module_utils.warren import helper_path, peer_name_problem, run_json
except ImportError:
    from ansible_collections.warren.wireguard.plugins.module_utils.warren import (
        helper_path, peer_name_problem, run_json)

DOCUMENTATION = r"""
module: wg_client_config
short_description: Write every peer's WireGuard client .conf and QR codes (PNG, SVG) in one run
description:
  - One C(wg-client-config sync) run writes DIR/NAME.conf, .png and .svg (mode 0600) of all
    O(peers), replacing only the files whose content changes, each peer's three as a set, and
    deletes the files of the O(remove) names.
  - The private and preshared keys (O(keys), no_log) go to the helper on its standard input,
    never in a file or on a command line, and the result never holds one; it names the peers
    and files that changed. Set C(no_log) on the task all the same (it carries keys), and show
    RV(changed_peers) from the registered result.
  - Check mode runs the helper with C(--check) and writes nothing. Diff mode lists, per peer,
    the files that change, never their content (it holds the private key).
  - Run it on the controller (C(delegate_to) localhost).
options:
  dir: {description: Client directory (created 0700)., type: path, required: true}
  peers:
    description:
      - The peers whose files are written. Each has C(name), C(addresses) and C(endpoint), and
        may have C(dns), C(allowed_ips), C(persistent_keepalive) and C(mtu) (the helper's spec).
      - Every one needs a private key in O(keys).
    type: list
    elements: dict
    default: []
  remove: {description: Names whose files are deleted., type: list, elements: str, default: []}
  server_public_key: {description: The server's public key., type: str}
  keys:
    description: The peers' keys as wg_keys keeps them, per peer name a dict with C(private_key) and C(preshared_key).
    type: dict
    default: {}
  helper: {description: The wg-client-config program., type: str, default: wg-client-config}
supports_check_mode: true
author: warren
"""

EXAMPLES = r"""
- name: Write the client configurations and QR codes of every peer.
  wg_client_config:
    dir: "{{ inventory_dir }}/clients"
    peers:
      - {name: alice, addresses: [192.168.100.2/32], endpoint: "vpn.example.org:51820", persistent_keepalive: 25}
    server_public_key: "{{ server_public_key }}"
    keys: "{{ vault.wireguard_keys.peers }}"
  delegate_to: localhost
  register: clients
  no_log: true
"""

RETURN = r"""
changed_peers: {description: Names whose files changed (or would)., type: list, returned: always}
removed: {description: Paths removed (or that would be)., type: list, returned: always}
peers:
  description:
    - Per changed peer, its public key and each file's path and changed flag (the unchanged are
      left out, so that a run with nothing to change returns little whatever the number of peers).
  type: dict
  returned: always
"""

SPEC = ("name", "addresses", "dns", "endpoint", "allowed_ips", "persistent_keepalive", "mtu")


def main():
    module = AnsibleModule(argument_spec=dict(
        dir=dict(type="path", required=True),
        peers=dict(type="list", elements="dict", default=[]),
        remove=dict(type="list", elements="str", default=[]),
        server_public_key=dict(type="str"),
        keys=dict(type="dict", default={}, no_log=True),
        helper=dict(type="str", default="wg-client-config")),
        supports_check_mode=True)
    p = module.params
    problem = peer_name_problem(p["peers"] + [{"name": n} for n in p["remove"]])
    if problem:
        module.fail_json(msg=problem)
    if p["peers"] and not p["server_public_key"]:
        module.fail_json(msg="server_public_key is required to write client configurations")
    stored = p["keys"]
    specs = []
    for q in p["peers"]:
        keys = stored.get(q["name"]) or {}
        if not keys.get("private_key"):
            module.fail_json(msg="peer %s: no private key in keys" % q["name"])
        spec = {k: q[k] for k in SPEC if q.get(k) is not None}
        spec.update(server_public_key=p["server_public_key"], private_key=keys["private_key"])
        if keys.get("preshared_key"):
            spec["preshared_key"] = keys["preshared_key"]
        specs.append(spec)
    cmd = [helper_path(module, p["helper"]), "sync", "-", "--dir", p["dir"]]
    if module.check_mode:
        cmd.append("--check")
    result = run_json(module, cmd, data=json.dumps({"peers": specs, "remove": p["remove"]}))
    del specs, stored
    diff = {"before": "", "after": ""}
    for name in result.get("changed_peers", []):
        files = result["peers"][name]["files"]
        diff["after"] += "%s: %s\n" % (name, " ".join(
            k for k in ("conf", "png", "svg") if files.get(k, {}).get("changed")))
    for path in result.get("removed", []):
        diff["before"] += "%s\n" % path
    changed_peers = result.get("changed_peers", [])
    module.exit_json(changed=result["changed"], changed_peers=changed_peers,
                     removed=result.get("removed", []), diff=diff,
                     peers={n: result["peers"][n] for n in changed_peers})


if __name__ == "__main__":
    main()
