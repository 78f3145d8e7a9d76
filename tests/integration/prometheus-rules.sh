#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The Prometheus alert rules (prometheus/warren_wireguard.rules.yml): promtool checks them and
# runs their unit tests (each alert fires on its series and stays quiet otherwise), and the tests
# are shown to catch a rule that no longer fires (a threshold moved, a series renamed). That the
# series they read are what the exporter really serves is checked in zabbix-server.sh.
source "$(dirname "$0")/../lib.sh"

P=$(cd "$(dirname "$0")/../../prometheus" && pwd)
D=$(mktemp -d)
t_cleanup "rm -rf $D"
command -v promtool >/dev/null || t_fail "promtool is missing (Debian package prometheus)"
ok "promtool check rules" promtool check rules "$P/warren_wireguard.rules.yml"
ok "promtool test rules: every alert as expected" promtool test rules "$P/warren_wireguard.test.yml"
cp "$P/warren_wireguard.test.yml" "$D/"
sed 's/wireguard_peer_handshake_age_seconds > 300/wireguard_peer_handshake_age_seconds > 3000/' \
	"$P/warren_wireguard.rules.yml" >"$D/warren_wireguard.rules.yml"
fails "the tests catch a handshake threshold moved" promtool test rules "$D/warren_wireguard.test.yml"
sed 's/wireguard_peer_key_created_seconds > 6566400/wireguard_peer_key_created_seconds > 7776000/' \
	"$P/warren_wireguard.rules.yml" >"$D/warren_wireguard.rules.yml"
fails "the tests catch a key-age warning moved to the maximum age itself" promtool test rules "$D/warren_wireguard.test.yml"
sed 's/wireguard_peers_always_on_missing/wireguard_peers_always_on_absent/' \
	"$P/warren_wireguard.rules.yml" >"$D/warren_wireguard.rules.yml"
fails "the tests catch a renamed series" promtool test rules "$D/warren_wireguard.test.yml"
sed 's/warren_site_probe_success == 0 or/warren_site_probe_success == 2 or/' \
	"$P/warren_wireguard.rules.yml" >"$D/warren_wireguard.rules.yml"
fails "the tests catch a site rule that ignores failed probes" promtool test rules "$D/warren_wireguard.test.yml"
