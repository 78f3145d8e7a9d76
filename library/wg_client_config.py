#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# Thin wrapper: all logic is in the wg-client-config helper (docs/client-config.md).
import json
import os
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule

try:
    from ansible.module_utils.warren import helper_path, run_json
except ImportError:
    from ansible_collections.warren.wireguard.plugins.module_utils.warren import helper_path, run_json

DOCUMENTATION = r"""
module: wg_client_config
short_description: Write a peer's WireGuard client .conf and its QR codes (PNG, SVG)
description:
  - Runs C(wg-client-config write), which writes DIR/NAME.conf, .png and .svg (mode 0600) only
    when their content changes, or C(wg-client-config remove) with O(state=absent).
  - The keys are handed to the helper in files of a private temporary directory (in /dev/shm
    when possible) that is removed before the module returns; they are never logged.
  - Check mode runs the helper with C(--check) and writes nothing.
  - Run it on the controller (C(delegate_to: localhost)).
options:
  name: {description: Peer name (file names)., type: str, required: true}
  dir: {description: Client directory (created 0700)., type: path, required: true}
  state: {description: absent deletes the files., type: str, default: present,
          choices: [present, absent]}
  private_key: {description: The peer's private key., type: str}
  preshared_key: {description: The peer's preshared key., type: str}
  addresses: {description: Interface addresses., type: list, elements: str}
  dns: {description: DNS servers or search domains., type: list, elements: str}
  server_public_key: {description: The server public key., type: str}
  endpoint: {description: host:port of the server., type: str}
  allowed_ips: {description: Routed through the tunnel (default 192.168.0.0/16)., type: list,
                elements: str}
  persistent_keepalive: {description: Seconds, 0 disables., type: int}
  mtu: {description: Interface MTU., type: int}
  helper: {description: The wg-client-config program., type: str, default: wg-client-config}
"""

EXAMPLES = r"""
- name: Write alice's client configuration.
  wg_client_config:
    name: alice
    dir: "{{ inventory_dir }}/clients"
    private_key: "{{ keys.alice.private_key }}"
    addresses: [192.168.100.2/32]
    server_public_key: "{{ server_public_key }}"
    endpoint: vpn.example.org:51820
    persistent_keepalive: 25
  delegate_to: localhost
  no_log: true
"""

RETURN = r"""
files: {description: conf/png/svg, each with path and changed., type: dict, returned: present}
removed: {description: Paths removed., type: list, returned: absent}
public_key: {description: The peer's public key., type: str, returned: present}
"""

SPEC = ("addresses", "dns", "server_public_key", "endpoint", "allowed_ips",
        "persistent_keepalive", "mtu")


def main():
    module = AnsibleModule(argument_spec=dict(
        name=dict(type="str", required=True), dir=dict(type="path", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        private_key=dict(type="str", no_log=True), preshared_key=dict(type="str", no_log=True),
        addresses=dict(type="list", elements="str"), dns=dict(type="list", elements="str"),
        server_public_key=dict(type="str"), endpoint=dict(type="str"),
        allowed_ips=dict(type="list", elements="str"), persistent_keepalive=dict(type="int"),
        mtu=dict(type="int"), helper=dict(type="str", default="wg-client-config")),
        required_if=[("state", "present", ("private_key", "addresses", "server_public_key",
                                           "endpoint"))],
        supports_check_mode=True)
    p = module.params
    helper = helper_path(module, p["helper"])
    check = ["--check"] if module.check_mode else []
    if p["state"] == "absent":
        result = run_json(module, [helper, "remove", p["name"], "--dir", p["dir"]] + check)
    else:
        shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
        tmp = tempfile.mkdtemp(prefix="wg-client-config.", dir=shm)
        try:
            spec = {k: p[k] for k in SPEC if p[k] is not None}
            spec["name"] = p["name"]
            for field, key in (("private_key_file", "private_key"),
                               ("preshared_key_file", "preshared_key")):
                if p[key]:
                    spec[field] = os.path.join(tmp, key)
                    fd = os.open(spec[field], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                    with os.fdopen(fd, "w") as f:
                        f.write(p[key].strip() + "\n")
            result = run_json(module, [helper, "write", "-", "--dir", p["dir"]] + check,
                              data=json.dumps(spec))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
