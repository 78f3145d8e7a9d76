#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# Thin wrapper: all logic is in the wg-peer-sync helper (docs/wg-peer-sync.md).
import json
import os

from ansible.module_utils.basic import AnsibleModule

try:
    from ansible.module_utils.warren import helper_path, run_json, temp_json
except ImportError:
    from ansible_collections.warren.wireguard.plugins.module_utils.warren import helper_path, run_json, temp_json

DOCUMENTATION = r"""
module: wg_peer_sync
short_description: Make a live WireGuard interface match a desired peer state
description:
  - Writes O(state) to a private temporary file (mode 0600) on the target and runs
    C(wg-peer-sync sync FILE), which changes only what differs and never restarts the interface.
  - Check mode runs the helper with C(--check) and changes nothing.
  - With C(--diff), shows the live and desired peer lists (public keys and allowed IPs).
options:
  state:
    description: The wg-peer-sync state (interface, private_key_file, listen_port, peers...).
    type: dict
    required: true
  allow_empty:
    description: Permit a sync that leaves no peer on an interface that has some.
    type: bool
    default: false
  skip_if_down:
    description:
      - When the interface does not exist, change nothing and return C(up=false) instead of
        failing (wg-quick's PostUp applies the state file when the interface comes up).
    type: bool
    default: false
  overlay:
    description:
      - Path on the target of a peer list another writer owns (warren-enrolld's state file of
        enrolled peers). Its peers join O(state), so this run never removes them; it may only
        add peers, inside O(overlay_pool). A missing file adds none.
    type: path
  overlay_pool:
    description: The range every overlay peer's allowed IPs must lie in (required with O(overlay)).
    type: str
  helper:
    description: Path or name of the wg-peer-sync program on the target.
    type: str
    default: wg-peer-sync
"""

EXAMPLES = r"""
- name: Apply the peers to wg0.
  wg_peer_sync:
    state:
      interface: wg0
      private_key_file: /etc/wireguard/wg0.key
      listen_port: 51820
      peers: "{{ wireguard_peers_state }}"
"""

RETURN = r"""
added: {description: Names of the peers added., type: list, returned: success}
updated: {description: Names of the peers updated in place., type: list, returned: success}
removed: {description: Names or public keys of the peers removed., type: list, returned: success}
unchanged: {description: Number of peers left as they were., type: int, returned: success}
interface_changes: {description: Interface fields changed., type: list, returned: success}
overlay: {description: Number of peers the overlay added to the desired state., type: int, returned: with O(overlay)}
backend: {description: userspace or kernel., type: str, returned: success}
up: {description: Whether the interface existed (false only with O(skip_if_down))., type: bool, returned: always}
"""


def peer_lines(peers):
    return "".join(
        "%s %s%s\n" % (p.get("public_key"), ",".join(sorted(p.get("allowed_ips") or [])),
                       " # " + p["name"] if p.get("name") else "")
        for p in sorted(peers, key=lambda p: p.get("public_key", "")))


def main():
    module = AnsibleModule(
        argument_spec=dict(state=dict(type="dict", required=True),
                           allow_empty=dict(type="bool", default=False),
                           skip_if_down=dict(type="bool", default=False),
                           overlay=dict(type="path"), overlay_pool=dict(type="str"),
                           helper=dict(type="str", default="wg-peer-sync")),
        required_together=[("overlay", "overlay_pool")],
        supports_check_mode=True)
    p = module.params
    iface = str(p["state"].get("interface"))
    if p["skip_if_down"] and "/" not in iface and not os.path.exists("/sys/class/net/" + iface):
        module.exit_json(changed=False, up=False)
    helper = helper_path(module, p["helper"])
    path = temp_json(p["state"], "wg-peer-sync.")
    try:
        cmd = [helper, "sync", path]
        if module.check_mode:
            cmd.append("--check")
        if p["allow_empty"]:
            cmd.append("--allow-empty")
        if p["overlay"]:
            cmd += ["--overlay", p["overlay"], "--overlay-pool", p["overlay_pool"]]
        before = None
        if module._diff:
            rc, out, _ = module.run_command([helper, "show", str(p["state"].get("interface"))])
            before = json.loads(out).get("peers", []) if rc == 0 else []
        result = run_json(module, cmd)
    finally:
        os.unlink(path)
    if before is not None:
        after = [q for q in p["state"].get("peers", before) if q.get("enabled", True)]
        if p["overlay"] and "peers" in p["state"] and os.path.exists(p["overlay"]):
            with open(p["overlay"]) as f:
                after += json.load(f).get("peers", [])
        result["diff"] = dict(before=peer_lines(before), after=peer_lines(after),
                              before_header="live", after_header="desired")
    result["up"] = True
    module.exit_json(**result)


if __name__ == "__main__":
    main()
