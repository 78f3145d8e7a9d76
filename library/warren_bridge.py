#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A Linux bridge with an optional address, created, brought up or removed with iproute2."""

import json

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: warren_bridge
short_description: Ensure a Linux bridge exists (up, with an address) or is absent.
description:
  - Plays the part of Proxmox's vmbr0 on a plain LXC host. Runtime state only.
options:
  name: {description: Bridge name., type: str, required: true}
  address: {description: "ADDRESS/PREFIX to put on the bridge, or empty for none.", type: str, default: ""}
  state: {description: present or absent., type: str, choices: [present, absent], default: present}
author: warren
"""

EXAMPLES = r"""
- name: Create the lab bridge.
  warren_bridge:
    name: warrenbr0
    address: 192.168.90.1/24
"""

RETURN = r"""
actions: {description: The ip commands run (or that would run in check mode)., type: list, returned: always}
"""


def ip_json(module, *args):
    rc, out, _ = module.run_command(["ip", "-j"] + list(args))
    return json.loads(out) if rc == 0 and out.strip() else None


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            address=dict(type="str", default=""),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        supports_check_mode=True,
    )
    name, addr, state = module.params["name"], module.params["address"], module.params["state"]
    if not 0 < len(name) < 16 or "/" in name or " " in name:
        module.fail_json(msg="invalid bridge name %r" % name)
    link = ip_json(module, "link", "show", "dev", name)
    actions = []
    if state == "absent":
        if link:
            actions.append(["ip", "link", "del", "dev", name])
    else:
        if link and (link[0].get("linkinfo") or {}).get("info_kind") not in (None, "bridge"):
            module.fail_json(msg="%s exists and is not a bridge" % name)
        if not link:
            actions.append(["ip", "link", "add", "name", name, "type", "bridge"])
        have = []
        for a in (ip_json(module, "addr", "show", "dev", name) or [{}])[0].get("addr_info", []):
            have.append("%s/%s" % (a.get("local"), a.get("prefixlen")))
        if addr and addr not in have:
            actions.append(["ip", "addr", "add", addr, "dev", name])
        if not link or "UP" not in link[0].get("flags", []):
            actions.append(["ip", "link", "set", "dev", name, "up"])
    if not module.check_mode:
        for cmd in actions:
            module.run_command(cmd, check_rc=True)
    module.exit_json(changed=bool(actions), actions=[" ".join(c) for c in actions])


if __name__ == "__main__":
    main()
