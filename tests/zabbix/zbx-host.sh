# SPDX-License-Identifier: GPL-2.0-only
# Sourced by the suites that drive a real Zabbix server (zabbix-server, site-health-zabbix,
# edge-certs-zabbix): its API for the host whose id is in HID. Needs REPO and the ZABBIX_*
# variables of tests/zabbix/zabbix-server.sh's `env`.
# shellcheck shell=bash

# zapi METHOD PARAMS-JSON: one API call; the result on stdout.
zapi() { /usr/bin/python3 "$REPO/tests/zabbix/zbx-api.py" "$@"; }

# items KEY-PREFIX: the host's items whose key starts so, with their last values.
items() {
	zapi item.get "{\"hostids\":[\"$HID\"],\"search\":{\"key_\":\"$1\"},\"startSearch\":true,\"output\":[\"itemid\",\"key_\",\"lastvalue\",\"lastclock\",\"state\",\"error\",\"name\"]}"
}

# poll KEY-PREFIX: "check now" for those items and the LLD rules whose key holds it (task.create
# type 6).
poll() {
	local ids
	ids=$( (items "$1" | jq -c '[.[].itemid]'
		zapi discoveryrule.get "{\"hostids\":[\"$HID\"],\"search\":{\"key_\":\"$1\"},\"output\":[\"itemid\"]}" | jq -c '[.[].itemid]') | jq -s -c 'add')
	[ "$ids" = "[]" ] || zapi task.create "$(jq -c '[.[]|{type:"6",request:{itemid:.}}]' <<<"$ids")" >/dev/null
}

# problems: the host's triggers in the problem state, by name (macros expanded), one a line.
problems() {
	zapi trigger.get "{\"hostids\":[\"$HID\"],\"filter\":{\"value\":1},\"expandDescription\":true,\"output\":[\"description\"]}" | jq -r '.[].description'
}
