#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# Controller-side key store: keys are made by the wg-peer-sync helper, kept in Ansible Vault.
import base64
import os
import re

import yaml
from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: wg_keys
short_description: Keep WireGuard private and preshared keys in an Ansible Vault file
description:
  - Ensures every peer has a private key and a preshared key in the vault file O(path)
    (and the server a private key with O(server)), generating the missing ones with
    C(wg-peer-sync genkey) and C(genpsk). A peer that brings its own O(peers[].public_key) gets
    a preshared key only. Peers with C(state=absent) lose their entry; peers not listed are kept.
  - The file is decrypted and encrypted with the C(ansible-vault) program and
    O(vault_password_file), so any vault password source works (a file or an executable client).
    It is rewritten (atomically, mode 0600) only when an entry is added or removed.
  - Check mode writes nothing. Keys are never returned or logged; public keys are.
  - Run it on the controller (C(delegate_to: localhost)).
options:
  path: {description: The vault file., type: path, required: true}
  peers:
    description: The peers.
    type: list
    elements: dict
    default: []
    suboptions:
      name: {description: Peer name., type: str, required: true}
      public_key: {description: The peer's own public key (no private key kept)., type: str}
      preshared_key: {description: Keep a preshared key., type: bool, default: true}
      state: {description: absent deletes the entry., type: str, default: present,
              choices: [present, absent]}
  server: {description: Also keep the server's private key., type: bool, default: false}
  vault_password_file: {description: Vault password file or client script., type: path,
                        required: true}
  vault_id: {description: Vault id label to encrypt with., type: str}
  helper: {description: The wg-peer-sync program., type: str, default: wg-peer-sync}
"""

EXAMPLES = r"""
- name: Ensure every peer has keys.
  wg_keys:
    path: "{{ inventory_dir }}/wireguard/keys.vault.yml"
    vault_password_file: "{{ inventory_dir }}/.vault-pass"
    server: true
    peers: [{name: alice}, {name: bob, public_key: "Z6jvPs4hI28EwUSXPA39oY8cnX0K5xH8NlgiWzjDamE="}]
  delegate_to: localhost
  no_log: true
"""

RETURN = r"""
public_keys: {description: Public key of every present peer whose key is known., type: dict}
server_public_key: {description: The server public key (when O(server) and known)., type: str}
generated: {description: Names that got new keys ("server" for the server)., type: list}
removed: {description: Names whose entries were deleted., type: list}
exists: {description: Whether the vault file exists after the run., type: bool}
"""

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,62}$")
PUBKEY = re.compile(r"^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw480]=$")
# Curve25519 u-coordinates of small order (RFC 7748 section 7): 0, 1, the two points of order 8,
# p-1, p and p+1. No handshake succeeds with such a key; the all-zero one is the usual placeholder.
P25519 = 2 ** 255 - 19
LOW_ORDER = {0, 1, P25519 - 1, P25519, P25519 + 1,
             325606250916557431795983626356110631294008115727848805560023387167927233504,
             39382357235489614581723060781553021112529911719440698176882885853963445705823}


def public_key_problem(text):
    """Why @text is not a usable WireGuard public key, or None."""
    if not PUBKEY.match(text):
        return "is not a base64 key of 32 bytes (the output of wg pubkey)"
    if int.from_bytes(base64.b64decode(text), "little") & ~(1 << 255) in LOW_ORDER:
        return "is the all-zero key or another low-order point (a placeholder?)"
    return None


def run(module, cmd, data=None):
    rc, out, err = module.run_command(cmd, data=data, binary_data=True)
    if rc != 0:
        module.fail_json(msg="%s failed: %s" % (os.path.basename(cmd[0]), err.strip()[-300:]))
    return out


def main():
    peer = dict(name=dict(type="str", required=True), public_key=dict(type="str"),
                preshared_key=dict(type="bool", default=True),
                state=dict(type="str", default="present", choices=["present", "absent"]))
    module = AnsibleModule(argument_spec=dict(
        path=dict(type="path", required=True),
        peers=dict(type="list", elements="dict", options=peer, default=[]),
        server=dict(type="bool", default=False),
        vault_password_file=dict(type="path", required=True, no_log=False), vault_id=dict(type="str"),
        helper=dict(type="str", default="wg-peer-sync")), supports_check_mode=True)
    p = module.params
    helper = p["helper"] if "/" in p["helper"] else module.get_bin_path(p["helper"], True)
    vault = [module.get_bin_path("ansible-vault", True)]
    # Only this password: the environment's vault ids would make encryption ambiguous.
    for var in ("ANSIBLE_VAULT_PASSWORD_FILE", "ANSIBLE_VAULT_IDENTITY_LIST"):
        os.environ.pop(var, None)
    label = p["vault_id"] or "default"
    secret = ["--vault-id", "%s@%s" % (label, p["vault_password_file"])]
    names = [q["name"] for q in p["peers"]]
    for q in p["peers"]:
        if not NAME.match(q["name"]) or names.count(q["name"]) > 1:
            module.fail_json(msg="peer name %r is invalid or listed twice" % q["name"])
        why = q["public_key"] is not None and public_key_problem(q["public_key"])
        if why:
            module.fail_json(msg="peer %s: public_key %s" % (q["name"], why))
    data, mode_ok = {}, True
    if os.path.exists(p["path"]):
        with open(p["path"], "rb") as f:
            if not f.read(14) == b"$ANSIBLE_VAULT":
                module.fail_json(msg="%s is not vault-encrypted; refusing to use it" % p["path"])
        mode_ok = os.stat(p["path"]).st_mode & 0o7777 == 0o600
        data = yaml.safe_load(run(module, vault + ["decrypt"] + secret +
                                      ["--output", "-", p["path"]])) or {}
        if not isinstance(data, dict) or not isinstance(data.get("wireguard_keys", {}), dict):
            module.fail_json(msg="%s does not hold a wireguard_keys mapping" % p["path"])
    keys = data.setdefault("wireguard_keys", {})
    server = (keys.get("server") or {}).get("private_key")
    brought = [q for q in p["peers"] if q["public_key"] is not None and q["state"] == "present"]
    if server and brought:
        own = run(module, [helper, "pubkey"], server).strip()
        for q in brought:
            if q["public_key"] == own:
                module.fail_json(msg="peer %s: public_key is the server's own public key"
                                 % q["name"])
    peers = keys.setdefault("peers", {}) or {}
    keys["peers"] = peers
    before = sorted(peers)
    generated, removed = [], []
    if p["server"] and "private_key" not in keys.setdefault("server", {}):
        generated.append("server")
        if not module.check_mode:
            keys["server"]["private_key"] = run(module, [helper, "genkey"]).strip()
    for q in p["peers"]:
        name, entry = q["name"], peers.get(q["name"]) or {}
        if q["state"] == "absent":
            if name in peers:
                removed.append(name)
                del peers[name]
            continue
        want = {"private_key": q["public_key"] is None, "preshared_key": q["preshared_key"]}
        new = {k: v for k, v in entry.items() if want.get(k)}
        for k, cmd in (("private_key", "genkey"), ("preshared_key", "genpsk")):
            if want[k] and k not in new:
                new[k] = None if module.check_mode else run(module, [helper, cmd]).strip()
        if new != entry:
            generated.append(name)
            peers[name] = new
    changed = bool(generated or removed) or not mode_ok
    if changed and not module.check_mode:
        text = yaml.safe_dump(data, default_flow_style=False, sort_keys=True)
        cipher = run(module, vault + ["encrypt"] + secret +
                     ["--encrypt-vault-id", label, "--output", "-", "-"], text)
        tmp = "%s.tmp.%d" % (p["path"], os.getpid())
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(cipher)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, p["path"])
    pub = {}
    for q in p["peers"]:
        priv = (peers.get(q["name"]) or {}).get("private_key")
        if q["state"] == "present" and (q["public_key"] or priv):
            pub[q["name"]] = q["public_key"] or run(module, [helper, "pubkey"], priv).strip()
    server = keys.get("server", {}).get("private_key")
    module.exit_json(
        changed=changed, public_keys=pub, generated=generated, removed=removed,
        server_public_key=run(module, [helper, "pubkey"], server).strip() if server else None,
        exists=os.path.exists(p["path"]), diff=dict(
            before="".join("%s\n" % n for n in before),
            after="".join("%s\n" % n for n in sorted(peers))))


if __name__ == "__main__":
    main()
