#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# Thin wrapper: all logic is in the nft-apply helper (docs/nft-apply.md).
import json
import os

from ansible.module_utils.basic import AnsibleModule

try:
    from ansible.module_utils.warren import helper_path, run_json, temp_json
except ImportError:
    from ansible_collections.warren.wireguard.plugins.module_utils.warren import helper_path, run_json, temp_json

DOCUMENTATION = r"""
module: nft_apply
short_description: Make warren's nftables table match a policy with nft-apply
description:
  - Writes O(policy) to a private temporary file (mode 0600) on the target and runs
    C(nft-apply apply FILE), which compares the live table and sends one atomic batch only when
    it differs. C(changed) is the helper's.
  - O(state=absent) runs C(nft-apply delete TABLE).
  - Check mode runs the helper with C(--check) and changes nothing.
  - With C(--diff), shows the table (C(nft-apply show)) before and after.
options:
  policy:
    description: The nft-apply policy (table, interface, listen_port, vpn_subnet, input_policy, input, peers...).
    type: dict
  table:
    description: Table to delete with O(state=absent); default the policy's table or C(warren).
    type: str
  state:
    description: present applies O(policy); absent deletes the table.
    type: str
    choices: [present, absent]
    default: present
  helper:
    description: Path or name of the nft-apply program on the target.
    type: str
    default: nft-apply
"""

EXAMPLES = r"""
- name: Apply the firewall of wg0.
  nft_apply:
    policy:
      table: warren_wg0
      interface: wg0
      listen_port: 51820
      vpn_subnet: 192.168.100.0/24
      allow_networks: [192.168.0.0/16]
      deny_networks: [172.16.10.0/24]
"""

RETURN = r"""
table: {description: The table, e.g. C(inet warren)., type: str, returned: success}
rules: {description: Rules in the desired table., type: int, returned: state=present}
set_elements: {description: Set elements in the desired table., type: int, returned: state=present}
replaced: {description: The table was recreated (structure differed)., type: bool, returned: state=present}
verified: {description: C(compare) or C(generation)., type: str, returned: state=present}
"""


def show(module, helper, table):
    rc, out, _ = module.run_command([helper, "show", table])
    if rc != 0:
        return ""
    return json.dumps(json.loads(out), indent=1, sort_keys=True) + "\n"


def main():
    module = AnsibleModule(
        argument_spec=dict(policy=dict(type="dict"), table=dict(type="str"),
                           state=dict(type="str", default="present", choices=["present", "absent"]),
                           helper=dict(type="str", default="nft-apply")),
        required_if=[("state", "present", ["policy"])],
        supports_check_mode=True)
    p = module.params
    helper = helper_path(module, p["helper"])
    table = p["table"] or (p["policy"] or {}).get("table") or "warren"
    before = show(module, helper, table) if module._diff else None
    path = None
    try:
        if p["state"] == "present":
            path = temp_json(p["policy"], "nft-apply.")
            cmd = [helper, "apply", path]
        else:
            cmd = [helper, "delete", table]
        if module.check_mode:
            cmd.append("--check")
        result = run_json(module, cmd)
    finally:
        if path:
            os.unlink(path)
    if before is not None and result.get("changed"):
        after = "(check mode: not applied)\n" if module.check_mode else show(module, helper, table)
        result["diff"] = dict(before=before, after=after, before_header="live " + table,
                              after_header="applied " + table)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
