# SPDX-License-Identifier: GPL-2.0-only
# The key store of wg_keys, without Ansible (tests/python/test_keys.py): which keys a vault's
# content must gain or lose, which are due for rotation (docs/rotation.md), and the fingerprints
# the audit log names them by. Keys themselves are made by the caller (wg-peer-sync genkey/genpsk).
import base64
import datetime
import hashlib
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


def digest(key):
    """The SHA-256 of the 32 bytes of @key (base64), in hex."""
    return hashlib.sha256(base64.b64decode(key)).hexdigest()


def fingerprint(key):
    """The audit log's name for a key (base64): the first 8 bytes of the SHA-256 of its 32 bytes,
    in hex. For a private key the caller passes its public key; a preshared key is 32 random
    bytes, so 64 bits of its hash tell nothing about it."""
    return digest(key)[:16]


def stamp(when):
    """The vault's form of a creation time: ISO 8601 UTC, seconds (a quoted YAML string)."""
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stamp(text):
    """The datetime of a creation time @text (a string from stamp(), or the datetime YAML made of
    an unquoted one); None when it is missing or unreadable."""
    if isinstance(text, datetime.datetime):
        return text.replace(tzinfo=None)
    try:
        return datetime.datetime.strptime(str(text), "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return None


def due(keys, peers, now, rotate=(), rotate_psk=(), max_age_days=0, psk_max_age_days=0):
    """The keys of present @peers to make anew: [(name, "private_key" or "preshared_key",
    trigger)]. trigger is "on-demand" (a name in @rotate / @rotate_psk, or the peer's own
    rotate / rotate_psk) or "age" (created more than @max_age_days / @psk_max_age_days before
    @now; 0 turns the age off). A key without a creation time has none yet (it gets @now)."""
    out = []
    for q in peers:
        entry = keys["peers"].get(q["name"]) or {}
        if q.get("state", "present") != "present":
            continue
        for k, when, names, own, days in (
                ("private_key", "created", rotate, q.get("rotate"), max_age_days),
                ("preshared_key", "psk_created", rotate_psk, q.get("rotate_psk"), psk_max_age_days)):
            if k not in entry:
                continue
            born = parse_stamp(entry.get(when))
            if q["name"] in names or own:
                out.append((q["name"], k, "on-demand"))
            elif days and born is not None and (now - born).total_seconds() >= days * 86400:
                out.append((q["name"], k, "age"))
    return out


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


def update(keys, peers, server, genkey, now=None):
    """Brings @keys (from keys_of) in line with @peers ({name, public_key, preshared_key, state}):
    a private key for the server when @server, a private key for each present peer that brings
    no public key, a preshared key unless a peer says preshared_key false; absent peers lose
    their entry; peers not listed keep theirs. genkey("genkey" or "genpsk") returns a new key,
    or None in check mode. With @now (a datetime), every key gets its creation time: "created"
    (the private key, or the public key a peer brings), and
    "psk_created"; a key that has none yet (a vault older than this) gets @now. A peer's own
    public key is kept as its digest ("public_key_sha256"): wg_keys hands the vault's content to
    Ansible as a no_log option, and Ansible would mask every output string equal to a value in
    it, the public key among them. Returns
    (generated, removed): names ("server" for the server), including those only stamped."""
    generated, removed = [], []
    stored = keys["peers"]
    t = stamp(now) if now is not None else None
    if server:
        entry = dict(keys.get("server") or {})
        if "private_key" not in entry:
            key = genkey("genkey")
            if key is not None:
                entry["private_key"] = key
            entry.pop("created", None)
        if t is not None:
            entry.setdefault("created", t)
        if entry != (keys.get("server") or {}) or "private_key" not in entry:
            generated.append("server")
            keys["server"] = entry
    for q in peers:
        name, entry = q["name"], stored.get(q["name"]) or {}
        if q.get("state", "present") == "absent":
            if name in stored:
                removed.append(name)
                del stored[name]
            continue
        brought = q.get("public_key")
        want = {"private_key": brought is None, "public_key_sha256": brought is not None,
                "preshared_key": q.get("preshared_key", True)}
        new = {k: v for k, v in entry.items() if want.get(k)}
        if brought is not None and new.get("public_key_sha256") != digest(brought):
            new["public_key_sha256"] = digest(brought)
        for k, kind in (("private_key", "genkey"), ("preshared_key", "genpsk")):
            if want[k] and k not in new:
                new[k] = genkey(kind)
        for k, when in (("private_key", "created"), ("public_key_sha256", "created"),
                        ("preshared_key", "psk_created")):
            if t is not None and want[k] and when not in new:
                new[when] = entry.get(when) if new.get(k) == entry.get(k) and when in entry else t
        if new != entry:
            generated.append(name)
            stored[name] = new
    return generated, removed


def retire(keys, peers, todo, check=False):
    """Takes the keys of @todo (from due()) out of @keys, unless @check, so that update() makes
    them anew. Returns what the events need to know of the old state: (old, gone, byo): the
    replaced keys {(name, field): key}, the entries of absent peers about to be removed
    {name: entry}, and the stored digest of each brought public key that has changed
    {name: digest}."""
    stored = keys["peers"]
    old = {(n, k): stored[n][k] for n, k, _ in todo}
    for n, k, _ in todo if not check else ():
        del stored[n][k]
    gone = {q["name"]: dict(stored[q["name"]]) for q in peers
            if q.get("state", "present") == "absent" and q["name"] in stored}
    byo = {}
    for q in peers:
        d = (stored.get(q["name"]) or {}).get("public_key_sha256")
        if q.get("state", "present") == "present" and q.get("public_key") and d \
                and d != digest(q["public_key"]):
            byo[q["name"]] = d
    return old, gone, byo


def retired_private_keys(todo, old, gone):
    """The private keys that @todo replaced and that @gone peers held, in the order events()
    takes their public keys."""
    return ([old[(n, k)] for n, k, _ in todo if k == "private_key"]
            + [e["private_key"] for e in gone.values() if e.get("private_key")])


def events(todo, old, gone, byo, keys, pub, retired_pub, check=False):
    """The audit events of a run: one per key in @todo ("rotate", "psk-rotate"), per @gone peer
    ("revoke"), per changed brought key in @byo ("public-key"). @pub: the present peers' public
    keys now; @retired_pub: the public keys of retired_private_keys(), in order. Fingerprints
    only; "new" is None in @check mode (no key was made)."""
    was = iter(retired_pub)
    out = []
    for n, k, trigger in todo:
        key = k == "private_key"
        new = None if check else pub.get(n) if key else keys["peers"][n].get(k)
        out.append(dict(event="rotate" if key else "psk-rotate", peer=n, trigger=trigger,
                        old=fingerprint(next(was) if key else old[(n, k)]),
                        new=fingerprint(new) if new else None))
    for n, e in gone.items():
        fp = fingerprint(next(was)) if e.get("private_key") else e.get("public_key_sha256")
        out.append(dict(event="revoke", peer=n, trigger="state absent", old=fp[:16] if fp else None,
                        new=None))
    out += [dict(event="public-key", peer=n, trigger="inventory", old=d[:16],
                 new=fingerprint(pub[n])) for n, d in byo.items()]
    return out


def server_rollover(keys, stage, genkey, now=None):
    """The vault side of a server key rollover (docs/rotation.md). @stage "start": a pending next
    server key ("server_next", with its "created" time) unless there is one already, so a second
    start keeps it; "finish": the pending key becomes the server key and the old one is dropped
    (nothing to do without a pending key); None: nothing. genkey as in update(). Returns
    (changed, old, new): the server private keys before and after for the audit event ("new" is
    the pending key at start; either may be None, e.g. in check mode)."""
    server = (keys.get("server") or {}).get("private_key")
    pending = keys.get("server_next") or {}
    if stage == "start" and "private_key" not in pending:
        entry = {}
        key = genkey("genkey")
        if key is not None:
            entry["private_key"] = key
        if now is not None:
            entry["created"] = stamp(now)
        keys["server_next"] = entry
        return True, server, key
    if stage == "finish" and "private_key" in pending:
        keys["server"] = dict(pending)
        del keys["server_next"]
        return True, server, pending["private_key"]
    return False, None, None
