#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# Controller-side key store: keys are made by the wg-peer-sync helper, kept in Ansible Vault.
# Which keys to add or remove: module_utils/warren_keys.py.
import copy
import os

from ansible.module_utils.basic import AnsibleModule

try:
    from ansible.module_utils.warren import helper_path, peer_name_problem, run, write_atomic
    from ansible.module_utils.warren_keys import KeyStoreError, keys_of, public_key_problem, update
    from ansible.module_utils.warren_vault import encrypt, read
except ImportError:
    from ansible_collections.warren.wireguard.plugins.module_utils.warren import (
        helper_path, peer_name_problem, run, write_atomic)
    from ansible_collections.warren.wireguard.plugins.module_utils.warren_keys import (
        KeyStoreError, keys_of, public_key_problem, update)
    from ansible_collections.warren.wireguard.plugins.module_utils.warren_vault import (
        encrypt, read)

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
  - One helper run makes all the missing keys of a kind (C(genkey --count N)), and one derives
    every public key (C(pubkey) reads one private key per line), whatever the number of peers.
  - Check mode writes nothing. Keys are never returned or logged; public keys are.
  - Run it on the controller (C(delegate_to) localhost).
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
  loaded:
    description:
      - The vault file's content as C(include_vars) just loaded it (no_log). When given, the module
        does not decrypt the file again, so a run with nothing to change starts no C(ansible-vault).
    type: dict
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

def main():
    peer = dict(name=dict(type="str", required=True), public_key=dict(type="str"),
                preshared_key=dict(type="bool", default=True),
                state=dict(type="str", default="present", choices=["present", "absent"]))
    module = AnsibleModule(argument_spec=dict(
        path=dict(type="path", required=True),
        peers=dict(type="list", elements="dict", options=peer, default=[]),
        server=dict(type="bool", default=False),
        vault_password_file=dict(type="path", required=True, no_log=False), vault_id=dict(type="str"),
        loaded=dict(type="dict", no_log=True),
        helper=dict(type="str", default="wg-peer-sync")), supports_check_mode=True)
    p = module.params
    helper = helper_path(module, p["helper"])
    problem = peer_name_problem(p["peers"])
    if problem:
        module.fail_json(msg=problem)
    for q in p["peers"]:
        why = q["public_key"] is not None and public_key_problem(q["public_key"])
        if why:
            module.fail_json(msg="peer %s: public_key %s" % (q["name"], why))
    data, mode_ok = read(module, p["path"], p["vault_password_file"], p["vault_id"], p["loaded"])
    try:
        keys = keys_of(data)
    except KeyStoreError as e:
        module.fail_json(msg="%s %s" % (p["path"], e))

    def pubkeys(privs):
        """The public keys of @privs, in order, from one helper run."""
        if not privs:
            return []
        out = run(module, [helper, "pubkey"], "".join(k + "\n" for k in privs)).split()
        if len(out) != len(privs):
            module.fail_json(msg="wg-peer-sync pubkey returned %d keys for %d" % (len(out), len(privs)))
        return out

    server = (keys.get("server") or {}).get("private_key")
    brought = [q for q in p["peers"] if q["public_key"] is not None and q["state"] == "present"]
    if server and brought:
        own = pubkeys([server])[0]
        for q in brought:
            if q["public_key"] == own:
                module.fail_json(msg="peer %s: public_key is the server's own public key"
                                 % q["name"])
    before = sorted(keys["peers"])
    # Count the keys to make on a copy, make them in one helper run per kind, then hand them out.
    need = {"genkey": 0, "genpsk": 0}

    def count(kind):
        need[kind] += 1

    update(copy.deepcopy(keys), p["peers"], p["server"], count)
    made = {k: [] if module.check_mode or not n else
            run(module, [helper, k, "--count", str(n)]).split() for k, n in need.items()}
    generated, removed = update(keys, p["peers"], p["server"],
                                lambda kind: made[kind].pop() if made[kind] else None)
    changed = bool(generated or removed) or not mode_ok
    if changed and not module.check_mode:
        os.makedirs(os.path.dirname(p["path"]) or ".", 0o700, exist_ok=True)
        write_atomic(p["path"], encrypt(module, data, p["vault_password_file"], p["vault_id"]), 0o600)
    present = [q for q in p["peers"] if q["state"] == "present"]
    own = [q["name"] for q in present if q["public_key"] is None
           and (keys["peers"].get(q["name"]) or {}).get("private_key")]
    server = (keys.get("server") or {}).get("private_key")
    derived = pubkeys([keys["peers"][n]["private_key"] for n in own] + ([server] if server else []))
    pub = dict(zip(own, derived))
    pub.update({q["name"]: q["public_key"] for q in present if q["public_key"] is not None})
    module.exit_json(
        changed=changed, public_keys=pub, generated=generated, removed=removed,
        server_public_key=derived[-1] if server else None,
        exists=os.path.exists(p["path"]), diff=dict(
            before="".join("%s\n" % n for n in before),
            after="".join("%s\n" % n for n in sorted(keys["peers"]))))


if __name__ == "__main__":
    main()
