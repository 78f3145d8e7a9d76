# SPDX-License-Identifier: GPL-2.0-only
# The key store of wg_keys (module_utils/warren_keys.py) and the modules' shared code
# (module_utils/warren.py): which keys are generated, kept and removed, public key checks, peer
# names and the helpers' JSON contract.
import base64
import datetime

import pytest

import warren
from warren_keys import (KeyStoreError, digest, due, events, fingerprint, keys_of, public_key_problem, retire,
                         retired_private_keys, server_rollover, update)

# Public keys that peers bring (any 32 bytes will do here).
K = base64.b64encode(bytes(range(32))).decode()
L = base64.b64encode(bytes(range(1, 33))).decode()


def counter():
    made = []

    def gen(kind):
        made.append(kind)
        return "%s-%d" % (kind, len(made))
    return gen, made


def test_a_new_store_gets_a_server_key_and_peer_keys():
    data = {}
    keys = keys_of(data)
    gen, made = counter()
    generated, removed = update(keys, [{"name": "alice"}, {"name": "carol", "public_key": K}], True, gen)
    assert generated == ["server", "alice", "carol"] and removed == []
    assert data["wireguard_keys"]["server"] == {"private_key": "genkey-1"}
    assert data["wireguard_keys"]["peers"] == {
        "alice": {"private_key": "genkey-2", "preshared_key": "genpsk-3"},
        "carol": {"preshared_key": "genpsk-4", "public_key_sha256": digest(K)}}


def test_a_complete_store_is_left_alone():
    data = {"wireguard_keys": {"server": {"private_key": "S"},
                               "peers": {"alice": {"private_key": "A", "preshared_key": "P"}}}}
    gen, made = counter()
    assert update(keys_of(data), [{"name": "alice"}], True, gen) == ([], [])
    assert made == []


def test_absent_peers_lose_their_entry_and_unlisted_peers_keep_theirs():
    data = {"wireguard_keys": {"peers": {"alice": {"private_key": "A"}, "bob": {"private_key": "B"}}}}
    generated, removed = update(keys_of(data), [{"name": "alice", "state": "absent"}], False, counter()[0])
    assert removed == ["alice"] and generated == []
    assert list(data["wireguard_keys"]["peers"]) == ["bob"]


def test_a_peer_that_now_brings_its_own_key_loses_its_private_key():
    data = {"wireguard_keys": {"peers": {"alice": {"private_key": "A", "preshared_key": "P"}}}}
    generated, _ = update(keys_of(data), [{"name": "alice", "public_key": K}], False, counter()[0])
    assert generated == ["alice"]
    assert data["wireguard_keys"]["peers"]["alice"] == {"preshared_key": "P", "public_key_sha256": digest(K)}


def test_preshared_key_false_drops_the_preshared_key():
    data = {"wireguard_keys": {"peers": {"alice": {"private_key": "A", "preshared_key": "P"}}}}
    update(keys_of(data), [{"name": "alice", "preshared_key": False}], False, counter()[0])
    assert data["wireguard_keys"]["peers"]["alice"] == {"private_key": "A"}


def test_check_mode_reports_without_making_keys():
    data = {}
    generated, _ = update(keys_of(data), [{"name": "alice"}], True, lambda kind: None)
    assert generated == ["server", "alice"]
    assert "private_key" not in data["wireguard_keys"]["server"]


def test_empty_sections_are_completed_and_foreign_content_refused():
    keys = keys_of({"wireguard_keys": {"server": None, "peers": None}})
    assert keys["peers"] == {}
    update(keys, [], True, counter()[0])
    assert keys["server"] == {"private_key": "genkey-1"}
    for bad in (["a list"], {"wireguard_keys": "text"}):
        with pytest.raises(KeyStoreError):
            keys_of(bad)


T0 = datetime.datetime(2026, 1, 1)
DAY = datetime.timedelta(days=1)


def test_new_keys_get_their_creation_time_and_old_vaults_are_stamped_once():
    data = {"wireguard_keys": {"server": {"private_key": "S"},
                               "peers": {"alice": {"private_key": "A", "preshared_key": "P"}}}}
    keys = keys_of(data)
    gen, made = counter()
    generated, _ = update(keys, [{"name": "alice"}, {"name": "bob"}], True, gen, T0)
    assert generated == ["server", "alice", "bob"] and made == ["genkey", "genpsk"]
    stamp = "2026-01-01T00:00:00Z"
    assert keys["server"] == {"private_key": "S", "created": stamp}
    assert keys["peers"]["alice"] == {"private_key": "A", "preshared_key": "P",
                                      "created": stamp, "psk_created": stamp}
    assert keys["peers"]["bob"]["created"] == stamp
    # A later run keeps the stamps: nothing to do.
    assert update(keys, [{"name": "alice"}, {"name": "bob"}], True, gen, T0 + 9 * DAY) == ([], [])


def test_due_picks_exactly_the_expired_keys_and_the_named_ones():
    keys = keys_of({"wireguard_keys": {"peers": {
        "old": {"private_key": "A", "preshared_key": "P", "created": "2026-01-01T00:00:00Z",
                "psk_created": "2026-01-20T00:00:00Z"},
        "edge": {"private_key": "B", "created": "2026-01-11T00:00:01Z"},
        "new": {"private_key": "C", "preshared_key": "Q", "created": "2026-01-20T00:00:00Z",
                "psk_created": "2026-01-01T00:00:00Z"},
        "legacy": {"private_key": "D"},
        "brought": {"public_key_sha256": digest(K), "created": "2026-01-01T00:00:00Z"}}}})
    peers = [{"name": n} for n in ("old", "edge", "new", "legacy", "brought")]
    now = T0 + 20 * DAY
    assert due(keys, peers, now, max_age_days=10) == [("old", "private_key", "age")]
    assert due(keys, peers, now, psk_max_age_days=10) == [("new", "preshared_key", "age")]
    assert due(keys, peers, now, rotate=["new"], rotate_psk=["old"]) == [
        ("old", "preshared_key", "on-demand"), ("new", "private_key", "on-demand")]
    assert due(keys, [{"name": "legacy", "rotate": True}], now, max_age_days=1) == [
        ("legacy", "private_key", "on-demand")]
    assert due(keys, [{"name": "old", "state": "absent"}], now, max_age_days=1) == []
    assert due(keys, peers, now) == []


def test_a_rotated_key_is_made_anew_with_a_new_creation_time():
    keys = keys_of({"wireguard_keys": {"peers": {
        "alice": {"private_key": "A", "preshared_key": "P", "created": "2025-01-01T00:00:00Z",
                  "psk_created": "2025-01-01T00:00:00Z"}}}})
    del keys["peers"]["alice"]["private_key"]
    generated, _ = update(keys, [{"name": "alice"}], False, counter()[0], T0)
    assert generated == ["alice"]
    assert keys["peers"]["alice"] == {"private_key": "genkey-1", "preshared_key": "P",
                                      "created": "2026-01-01T00:00:00Z",
                                      "psk_created": "2025-01-01T00:00:00Z"}


def test_a_new_public_key_that_a_peer_brings_gets_a_new_creation_time():
    keys = keys_of({"wireguard_keys": {"peers": {
        "carol": {"public_key_sha256": digest(K), "preshared_key": "P",
                  "created": "2025-01-01T00:00:00Z", "psk_created": "2025-01-01T00:00:00Z"}}}})
    assert update(keys, [{"name": "carol", "public_key": L}], False, counter()[0], T0) == (["carol"], [])
    assert keys["peers"]["carol"]["public_key_sha256"] == digest(L)
    assert keys["peers"]["carol"]["created"] == "2026-01-01T00:00:00Z"
    assert keys["peers"]["carol"]["psk_created"] == "2025-01-01T00:00:00Z"


def test_fingerprints_are_short_hashes_not_keys():
    fp = fingerprint(K)
    assert len(fp) == 16 and fp == "630dcd2966c43366" and fp not in K and digest(K).startswith(fp)


def low_order(u):
    return base64.b64encode(u.to_bytes(32, "little")).decode()


def test_public_key_problems():
    good = base64.b64encode(bytes(range(1, 33))).decode()
    assert public_key_problem(good) is None
    assert "base64 key of 32 bytes" in public_key_problem("REPLACE-ME-with-the-probe-public-key")
    assert "base64 key of 32 bytes" in public_key_problem(good[:-2] + "B=")
    for u in (0, 1, 2 ** 255 - 20, 2 ** 255 - 19 + 1, 1 | 1 << 255):
        assert "low-order" in public_key_problem(low_order(u)), u


@pytest.mark.parametrize("name,ok", [("alice", True), ("bob.laptop@home", True), ("a" * 63, True),
                                     ("a" * 64, False), ("-x", False), ("", False), ("a b", False),
                                     ("../x", False)])
def test_peer_names(name, ok):
    assert (warren.peer_name_problem([{"name": name}]) is None) == ok


def test_a_peer_listed_twice_is_refused():
    assert warren.peer_name_problem([{"name": "a"}, {"name": "a"}]) == "peer name 'a' is invalid or listed twice"


class Failed(Exception):
    pass


class FakeModule:
    def __init__(self, rc, out, err=""):
        self.answer = (rc, out, err)

    def run_command(self, cmd, data=None, binary_data=False):
        return self.answer

    def fail_json(self, **kw):
        raise Failed(kw)


def test_run_json_returns_the_helpers_object():
    assert warren.run_json(FakeModule(0, '{"changed": false}'), ["/usr/bin/x"]) == {"changed": False}


@pytest.mark.parametrize("rc,out,err,msg", [
    (2, '{"failed": true, "msg": "peers[0].name: bad"}', "", "peers[0].name: bad"),
    (1, '{"failed": true}', "", "x failed"),
    (0, '{"failed": true, "msg": "m"}', "", "m"),
    (1, "", "Segmentation fault", "x printed no JSON: Segmentation fault"),
    (0, "[1]", "", "x printed no JSON: [1]"),
])
def test_run_json_fails_with_the_helpers_message(rc, out, err, msg):
    with pytest.raises(Failed) as e:
        warren.run_json(FakeModule(rc, out, err), ["/usr/bin/x"])
    assert e.value.args[0]["msg"] == msg


def test_write_atomic_replaces_the_file_with_its_mode(tmp_path):
    path = tmp_path / "f"
    path.write_text("old")
    warren.write_atomic(str(path), "new", 0o600)
    assert path.read_text() == "new" and path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


def test_events_name_keys_by_fingerprint_and_never_hold_a_key():
    keys = keys_of({"wireguard_keys": {"peers": {
        "alice": {"private_key": "A", "preshared_key": K, "created": "2025-01-01T00:00:00Z",
                  "psk_created": "2025-01-01T00:00:00Z"},
        "bob": {"private_key": "B"},
        "carol": {"public_key_sha256": digest(K)},
        "dave": {"public_key_sha256": digest(K)}}}})
    peers = [{"name": "alice"}, {"name": "bob", "state": "absent"},
             {"name": "carol", "public_key": L}, {"name": "dave", "state": "absent"}]
    todo = [("alice", "private_key", "age"), ("alice", "preshared_key", "on-demand")]
    old, gone, byo = retire(keys, peers, todo)
    assert "private_key" not in keys["peers"]["alice"] and set(gone) == {"bob", "dave"}
    assert byo == {"carol": digest(K)}
    assert retired_private_keys(todo, old, gone) == ["A", "B"]
    update(keys, peers, False, lambda kind: {"genkey": "A2", "genpsk": L}[kind], T0)
    # Public keys stand in for the helper's derivation: alice's old one K, bob's L, her new one L.
    trail = events(todo, old, gone, byo, keys, {"alice": L, "carol": L}, [K, L])
    assert trail == [
        dict(event="rotate", peer="alice", trigger="age", old=fingerprint(K), new=fingerprint(L)),
        dict(event="psk-rotate", peer="alice", trigger="on-demand", old=fingerprint(K), new=fingerprint(L)),
        dict(event="revoke", peer="bob", trigger="state absent", old=fingerprint(L), new=None),
        dict(event="revoke", peer="dave", trigger="state absent", old=fingerprint(K), new=None),
        dict(event="public-key", peer="carol", trigger="inventory", old=fingerprint(K), new=fingerprint(L))]
    text = repr(trail)
    assert K not in text and L not in text and "A2" not in text


def test_check_mode_retires_nothing_and_events_have_no_new_key():
    keys = keys_of({"wireguard_keys": {"peers": {"alice": {"private_key": "A"}}}})
    todo = [("alice", "private_key", "on-demand")]
    old, gone, byo = retire(keys, [{"name": "alice"}], todo, check=True)
    assert keys["peers"]["alice"]["private_key"] == "A"
    assert events(todo, old, gone, byo, keys, {"alice": K}, [K], check=True) == [
        dict(event="rotate", peer="alice", trigger="on-demand", old=fingerprint(K), new=None)]


def test_server_rollover_start_keeps_one_pending_key_and_finish_promotes_it():
    data = {"wireguard_keys": {"server": {"private_key": "S", "created": "2025-01-01T00:00:00Z"}, "peers": {}}}
    keys = keys_of(data)
    gen, made = counter()
    assert server_rollover(keys, None, gen, T0) == (False, None, None)
    assert server_rollover(keys, "finish", gen, T0) == (False, None, None) and "server_next" not in keys
    assert server_rollover(keys, "start", gen, T0) == (True, "S", "genkey-1")
    assert keys["server_next"] == {"private_key": "genkey-1", "created": "2026-01-01T00:00:00Z"}
    # A second start keeps the same pending key; the server key is untouched meanwhile.
    assert server_rollover(keys, "start", gen, T0) == (False, None, None) and made == ["genkey"]
    assert keys["server"]["private_key"] == "S" and keys["server_next"]["private_key"] == "genkey-1"
    update(keys, [], True, gen, T0)
    assert keys["server_next"]["private_key"] == "genkey-1"
    assert server_rollover(keys, "finish", gen, T0) == (True, "S", "genkey-1")
    assert data["wireguard_keys"]["server"] == {"private_key": "genkey-1", "created": "2026-01-01T00:00:00Z"}
    assert "server_next" not in data["wireguard_keys"]
    assert server_rollover(keys, "finish", gen, T0) == (False, None, None) and made == ["genkey"]


def test_server_rollover_in_check_mode_makes_no_key():
    keys = keys_of({"wireguard_keys": {"server": {"private_key": "S"}}})
    assert server_rollover(keys, "start", lambda kind: None, T0) == (True, "S", None)
    assert "private_key" not in keys["server_next"]
