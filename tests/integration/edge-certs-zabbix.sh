#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# roles/edge_certs' monitoring end to end against a REAL Zabbix 6.0 server
# (tests/zabbix/zabbix-server.sh, its own instance) and a real zabbix_agentd with the role's
# UserParameters: the role's template imports and a second importcompare is equal (it is the
# server's own export); LLD finds the certificates; the expiry item matches openssl; a renewal
# that fails (wrong TSIG key) raises "the last renewal failed", a certificate never issued raises
# the expiry problem, and a good run clears the renewal problem. Everything is removed at exit.
# shellcheck disable=SC2119 # certs_play takes optional ansible-playbook arguments
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../edge/certs-setup.sh"
REPO=$(cd "$here/.." && pwd)
N=$((20 + $$ % 200))
ZNAME=certs-$N WEB=$((18600 + N)) SRV=$((10600 + N)) PG=$((16000 + N)) PORT=$((30000 + N))
TPL=$REPO/roles/edge_certs/files/template_warren_certs.yaml

certs_play || { tail -20 "$D/out.$N" >&2; t_fail "the role failed"; }
t_cleanup "$REPO/tests/zabbix/zabbix-server.sh down $ZNAME --purge"
t0=$SECONDS
"$REPO/tests/zabbix/zabbix-server.sh" up "$ZNAME" "$WEB" "$SRV" "$PG" >"$D/zbx.log" 2>&1 ||
	{ tail -5 "$D/zbx.log" >&2; t_fail "the Zabbix server did not come up"; }
echo "  Zabbix server up in $((SECONDS - t0)) s"
eval "$("$REPO/tests/zabbix/zabbix-server.sh" env "$ZNAME")"
export ZABBIX_API ZABBIX_USER ZABBIX_PASSWORD
source "$REPO/tests/zabbix/zbx-host.sh"
ok "the template imports" zapi import "$TPL"
eq "a second importcompare is equal (the file is the server's own export)" "[]" "$(zapi importcompare "$TPL" | jq -c .)"

# ---- the agent (root namespace, where the server is), as user zabbix ---------------------------
mkdir -p "$D/agent"
t_zbx_agent_conf "$D/agent" 127.0.0.1 "$PORT" 127.0.0.1 "certs-$N" "$D/zabbix/userparameter_warren_certs.conf"
setpriv --reuid=zabbix --regid=zabbix --clear-groups --inh-caps=-all \
	zabbix_agentd -f -c "$D/agent/agent.conf" >"$D/agent/stdout" 2>&1 &
t_cleanup "kill $!"
ok "the agent answers" t_wait 30 /usr/bin/python3 "$REPO/tests/zabbix/zbx-get.py" 127.0.0.1 "$PORT" agent.ping

TID=$(zapi template.get '{"filter":{"host":["warren certificates by Zabbix agent"]},"output":["templateid"]}' | jq -r '.[0].templateid')
GID=$(zapi hostgroup.get '{"filter":{"name":["Discovered hosts"]},"output":["groupid"]}' | jq -r '.[0].groupid')
HID=$(zapi host.create "{\"host\":\"certs-$N\",\"groups\":[{\"groupid\":\"$GID\"}],\"templates\":[{\"templateid\":\"$TID\"}],
	\"interfaces\":[{\"type\":1,\"main\":1,\"useip\":1,\"ip\":\"127.0.0.1\",\"dns\":\"\",\"port\":\"$PORT\"}]}" | jq -r '.hostids[0]')
ok "the host is created with the template" test -n "$HID" -a "$HID" != null
zabbix_server -c "/var/lib/warren-zbx/$ZNAME/zabbix_server.conf" -R config_cache_reload >/dev/null
until_() { # SECONDS CMD...: CMD until it succeeds, "check now" every 5 s
	local end=$((SECONDS + $1)) next=0
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && return 1
		if [ $SECONDS -ge $next ]; then poll warren.cert. || true; next=$((SECONDS + 5)); fi
		sleep 1
	done
}
value() { items warren.cert. | jq -r --arg k "$1" '.[] | select(.key_ == $k and .lastclock != "0") | .lastvalue'; }
problem_list() { problems | sort | tr '\n' ';'; }
has_value() { test -n "$(value "$1")"; }
ok "LLD creates the items and they get values" until_ 120 has_value 'warren.cert.renew_ok[multi]'
ok "expiry of wild has a value" until_ 60 has_value 'warren.cert.expiry[wild]'
want=$(($(date -d "$(openssl x509 -noout -enddate -in "$CERTS/wild/cert.pem" | cut -d= -f2)" +%s) - $(date +%s)))
left=$(value 'warren.cert.expiry[wild]')
ok "warren.cert.expiry[wild] in Zabbix is openssl's seconds left ($left, $want)" test $((left - want)) -le 900 -a $((want - left)) -le 5
eq "warren.cert.renew_ok[wild] is 1" 1 "$(value 'warren.cert.renew_ok[wild]')"
eq "no problem" "" "$(problem_list)"

# ---- failures raise problems, a good run clears them ------------------------------------------
WRONG=$(edge_tsig_secret)
fails "a renewal with a wrong TSIG key (and a certificate in a zone not served)" \
	certs_play -e "{\"edge_certs_tsig_secret\": \"$WRONG\", \"edge_certs_renew_days\": 99999,
	\"edge_certs_certificates\": [{\"name\": \"wild\", \"domains\": [\"example.org\", \"*.example.org\"]},
	{\"name\": \"stray\", \"domains\": [\"www.other.test\"], \"zone\": \"other.test\"}]}"
expect="Certificate stray expires in less than 14 days (or none is installed);Certificate stray: the last renewal failed;Certificate wild: the last renewal failed;"
is_problems() { test "$(problem_list)" = "$1"; }
ok "Zabbix raises: wild's renewal failed, stray failed and has no certificate" until_ 120 is_problems "$expect"
echo "  problems: $(problem_list)"
certs_play -e '{"edge_certs_certificates": [{"name": "wild", "domains": ["example.org", "*.example.org"]}]}' ||
	t_fail "the good run failed"
ok "the good run clears wild's problem" until_ 90 is_problems "Certificate stray expires in less than 14 days (or none is installed);Certificate stray: the last renewal failed;"
