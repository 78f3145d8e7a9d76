#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# Controller-side key store: keys are made by the wg-peer-sync helper, kept in Ansible Vault.
# Which keys to add or remove: module_utils/warren_keys.py.
import calendar
import copy
import datetime
import os

from ansible.module_utils.basic import AnsibleModule

try:
    from ansible.module_utils.warren import helper_path, peer_name_problem, run, write_atomic
    from ansible.module_utils.warren_keys import (
        KeyStoreError, due, events, fingerprint, keys_of, parse_stamp, public_key_problem, retire,
        retired_private_keys, server_rollover, update)
    from ansible.module_utils.warren_vault import encrypt, read
except ImportError:
    from ansible_collections.warren.wireguard.plugins.module_utils.warren import (
        helper_path, peer_name_problem, run, write_atomic)
    from ansible_collections.warren.wireguard.plugins.module_utils.warren_keys import (
        KeyStoreError, due, events, fingerprint, keys_of, parse_stamp, public_key_problem, retire,
        retired_private_keys, server_rollover, update)
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
  - Rotation (docs/rotation.md) makes a peer's private or preshared key anew on demand
    (O(rotate), O(rotate_psk), or the peer's own C(rotate), C(rotate_psk)) or by age
    (O(max_age_days), O(psk_max_age_days)); each key's creation time is kept in the vault
    (C(created), C(psk_created)), and a key without one (an older vault) gets the time of this
    run. Each rotation, each new public key a peer brings and each removed peer is returned in
    O(events) with fingerprints, never keys.
  - Server key rollover (docs/rotation.md) with O(server_rollover) C(start) makes a pending next
    server key (C(server_next) in the vault, with its C(created) time) unless there is one
    already; C(finish) makes the pending key the server key and drops the old one. Each returns
    an event (C(server-rollover-start), C(server-rollover-finish)) with fingerprints.
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
      rotate: {description: Make the peer's private key anew in this run., type: bool, default: false}
      rotate_psk: {description: Make the peer's preshared key anew in this run., type: bool,
                   default: false}
  rotate: {description: Names whose private key is made anew in this run., type: list,
           elements: str, default: []}
  rotate_psk: {description: Names whose preshared key is made anew in this run., type: list,
               elements: str, default: []}
  max_age_days: {description: Make private keys older than this anew (0 never)., type: int, default: 0}
  psk_max_age_days: {description: Make preshared keys older than this anew (0 never)., type: int,
                     default: 0}
  server: {description: Also keep the server's private key., type: bool, default: false}
  server_rollover:
    description: C(start) keeps a pending next server key, C(finish) promotes it (needs O(server)).
    type: str
    choices: [start, finish]
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
server_next_public_key: {description: The pending next server public key (null without one)., type: str}
generated: {description: Names that got new keys ("server" for the server)., type: list}
removed: {description: Names whose entries were deleted., type: list}
rotated: {description: Names whose private or preshared key was made anew., type: list}
events:
  description:
    - One per rotation (C(rotate), C(psk-rotate)), new public key a peer brings (C(public-key)) and
      removed peer (C(revoke)). Each has C(event), C(peer), C(trigger) (C(on-demand), C(age),
      C(inventory)), C(old) and C(new), the fingerprints (first 8 bytes of the SHA-256 of the
      key, hex; the public key for a key pair; null when unknown or in check mode).
  type: list
  elements: dict
key_age_seconds:
  description:
    - Age of each present peer's private key (or the public key it brings), in seconds (an integer
      - the vault's time strings would be masked in the output, as values of the no_log option
      O(loaded)).
  type: dict
key_created:
  description:
    - Creation time of each present peer's private key (or the public key it brings), in Unix
      seconds (UTC), for the wg-peer-sync state (key_created) and monitoring.
  type: dict
psk_created:
  description: Creation time of each present peer's preshared key, in Unix seconds (UTC).
  type: dict
exists: {description: Whether the vault file exists after the run., type: bool}
"""

def main():
    peer = dict(name=dict(type="str", required=True), public_key=dict(type="str"),
                preshared_key=dict(type="bool", default=True),
                state=dict(type="str", default="present", choices=["present", "absent"]),
                rotate=dict(type="bool", default=False), rotate_psk=dict(type="bool", default=False))
    module = AnsibleModule(argument_spec=dict(
        path=dict(type="path", required=True),
        peers=dict(type="list", elements="dict", options=peer, default=[]),
        server=dict(type="bool", default=False),
        server_rollover=dict(type="str", choices=["start", "finish"]),
        rotate=dict(type="list", elements="str", default=[]),
        rotate_psk=dict(type="list", elements="str", default=[]),
        max_age_days=dict(type="int", default=0), psk_max_age_days=dict(type="int", default=0),
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
    if p["server_rollover"] and not p["server"]:
        module.fail_json(msg="server_rollover: needs server true")
    names = {q["name"] for q in p["peers"] if q["state"] == "present"}
    for opt in ("rotate", "rotate_psk"):
        unknown = sorted(set(p[opt]) - names)
        if unknown:
            module.fail_json(msg="%s: no present peer named %s" % (opt, ", ".join(unknown)))
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
    now = datetime.datetime.utcnow().replace(microsecond=0)
    stored = keys["peers"]
    # What rotates, and what the events need of the old keys (only fingerprints leave here).
    todo = due(keys, p["peers"], now, p["rotate"], p["rotate_psk"], p["max_age_days"],
               p["psk_max_age_days"])
    old, gone, byo = retire(keys, p["peers"], todo, module.check_mode)
    # Count the keys to make on a copy, make them in one helper run per kind, then hand them out.
    need = {"genkey": 0, "genpsk": 0}

    def count(kind):
        need[kind] += 1

    scratch = copy.deepcopy(keys)
    update(scratch, p["peers"], p["server"], count, now)
    server_rollover(scratch, p["server_rollover"], count, now)
    made = {k: [] if module.check_mode or not n else
            run(module, [helper, k, "--count", str(n)]).split() for k, n in need.items()}
    def take(kind):
        return made[kind].pop() if made[kind] else None

    generated, removed = update(keys, p["peers"], p["server"], take, now)
    rolled, rolled_old, rolled_new = server_rollover(keys, p["server_rollover"], take, now)
    changed = bool(generated or removed or todo or rolled) or not mode_ok
    if changed and not module.check_mode:
        os.makedirs(os.path.dirname(p["path"]) or ".", 0o700, exist_ok=True)
        write_atomic(p["path"], encrypt(module, data, p["vault_password_file"], p["vault_id"]), 0o600)
    present = [q for q in p["peers"] if q["state"] == "present"]
    own = [q["name"] for q in present if q["public_key"] is None
           and (stored.get(q["name"]) or {}).get("private_key")]
    server = (keys.get("server") or {}).get("private_key")
    # One pubkey run: the present peers', the server's, and those of keys replaced or removed.
    retired = retired_private_keys(todo, old, gone)
    pending = (keys.get("server_next") or {}).get("private_key")
    derived = pubkeys([stored[n]["private_key"] for n in own] + retired + ([server] if server else [])
                      + ([pending] if pending else []))
    next_pub = derived.pop() if pending else None
    pub = dict(zip(own, derived))
    pub.update({q["name"]: q["public_key"] for q in present if q["public_key"] is not None})

    def born(field):
        """The present peers' creation times of @field that the vault records, as datetimes."""
        return {n: b for n, b in ((n, parse_stamp((stored.get(n) or {}).get(field))) for n in pub) if b}

    trail = events(todo, old, gone, byo, keys, pub, derived[len(own):len(own) + len(retired)],
                   module.check_mode)
    if rolled:
        was = pubkeys([k for k in (rolled_old, rolled_new) if k])
        trail.append(dict(event="server-rollover-" + p["server_rollover"], peer="server",
                          trigger="on-demand", old=fingerprint(was[0]) if rolled_old else None,
                          new=fingerprint(was[-1]) if rolled_new else None))
    module.exit_json(
        changed=changed, public_keys=pub, generated=generated, removed=removed,
        rotated=sorted({n for n, _, _ in todo}), events=trail,
        key_age_seconds={n: int((now - b).total_seconds()) for n, b in born("created").items()},
        key_created={n: calendar.timegm(b.timetuple()) for n, b in born("created").items()},
        psk_created={n: calendar.timegm(b.timetuple()) for n, b in born("psk_created").items()},
        server_public_key=derived[-1] if server else None, server_next_public_key=next_pub,
        exists=os.path.exists(p["path"]), diff=dict(
            before="".join("%s\n" % n for n in before),
            after="".join("%s\n" % n for n in sorted(keys["peers"]))))


if __name__ == "__main__":
    main()
