# SPDX-License-Identifier: GPL-2.0-only
# The key store of wg_keys, without Ansible (tests/python/test_keys.py): which keys a vault's
# content must gain or lose. Keys themselves are made by the caller (wg-peer-sync genkey/genpsk).
import base64
import re

PUBKEY = re.compile(r"^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw480]=$")
# Curve25519 u-coordinates of small order (RFC 7748 section 7): 0, 1, the two points of order 8,
# p-1, p and p+1. No handshake succeeds with such a key; the all-zero one is the usual placeholder.
P25519 = 2 ** 255 - 19
LOW_ORDER = {0, 1, P25519 - 1, P25519, P25519 + 1,
             325606250916557431795983626356110631294008115727848805560023387167927233504,
             39382357235489614581723060781553021112529911719440698176882885853963445705823}


class KeyStoreError(ValueError):
    """Vault content that is not a key store."""


def public_key_problem(text):
    """Why @text is not a usable WireGuard public key, or None."""
    if not PUBKEY.match(text):
        return "is not a base64 key of 32 bytes (the output of wg pubkey)"
    if int.from_bytes(base64.b64decode(text), "little") & ~(1 << 255) in LOW_ORDER:
        return "is the all-zero key or another low-order point (a placeholder?)"
    return None


def keys_of(data):
    """The wireguard_keys mapping of the vault's content @data, made complete in place:
    {server: {...}, peers: {NAME: {private_key, preshared_key}}}."""
    if data is None:
        data = {}
    if not isinstance(data, dict) or not isinstance(data.get("wireguard_keys", {}), dict):
        raise KeyStoreError("does not hold a wireguard_keys mapping")
    keys = data.setdefault("wireguard_keys", {})
    keys["peers"] = keys.get("peers") or {}
    return keys


def update(keys, peers, server, genkey):
    """Brings @keys (from keys_of) in line with @peers ({name, public_key, preshared_key, state}):
    a private key for the server when @server, a private key for each present peer that brings
    no public key, a preshared key unless a peer says preshared_key false; absent peers lose
    their entry; peers not listed keep theirs. genkey("genkey" or "genpsk") returns a new key,
    or None in check mode. Returns (generated, removed): names ("server" for the server)."""
    generated, removed = [], []
    stored = keys["peers"]
    if server and "private_key" not in (keys.get("server") or {}):
        keys["server"] = keys.get("server") or {}
        generated.append("server")
        key = genkey("genkey")
        if key is not None:
            keys["server"]["private_key"] = key
    for q in peers:
        name, entry = q["name"], stored.get(q["name"]) or {}
        if q.get("state", "present") == "absent":
            if name in stored:
                removed.append(name)
                del stored[name]
            continue
        want = {"private_key": q.get("public_key") is None,
                "preshared_key": q.get("preshared_key", True)}
        new = {k: v for k, v in entry.items() if want.get(k)}
        for k, kind in (("private_key", "genkey"), ("preshared_key", "genpsk")):
            if want[k] and k not in new:
                new[k] = genkey(kind)
        if new != entry:
            generated.append(name)
            stored[name] = new
    return generated, removed
