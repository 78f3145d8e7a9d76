// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: zabbix-wg-stats' three peer states and handshake age at their boundaries. */
#include <string.h>

#include "check.h"
#include "zabbix-wg-stats/cmd.h"

static enum zws_peer_state at(int64_t now, int64_t handshake, int64_t *age)
{
	struct zws_if zi;
	struct wg_peer p;

	memset(&zi, 0, sizeof(zi));
	memset(&p, 0, sizeof(p));
	zi.now = now;
	p.last_handshake_sec = handshake;
	*age = zws_peer_age(&zi, &p);
	return zws_peer_state(&zi, &p);
}

int main(void)
{
	const int64_t now = 1795303775;
	int64_t age;

	CHECK(at(now, 0, &age) == ZWS_NEVER && age == -1);
	CHECK(at(now, now, &age) == ZWS_CONNECTED && age == 0);
	CHECK(at(now, now + 5, &age) == ZWS_CONNECTED && age == 0); /* clock skew: not negative */
	CHECK(at(now, now - ZWS_CONNECTED_SEC + 1, &age) == ZWS_CONNECTED &&
	      age == ZWS_CONNECTED_SEC - 1);
	CHECK(at(now, now - ZWS_CONNECTED_SEC, &age) == ZWS_STALE && age == ZWS_CONNECTED_SEC);
	CHECK(at(now, now - 86400, &age) == ZWS_STALE && age == 86400);
	CHECK(!strcmp(zws_state_names[ZWS_NEVER], "never"));
	CHECK(!strcmp(zws_state_names[ZWS_STALE], "stale"));
	CHECK(!strcmp(zws_state_names[ZWS_CONNECTED], "connected"));
	return check_report("zws_state_test");
}
