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

/* Key age from the state's key_created (no state file, no time: -1). */
static void test_key_age(void)
{
	const uint8_t k[KEY_LEN] = {1};
	struct wg_device *state = wgdev_new("wg0"), *live = wgdev_new("wg0");
	struct wg_peer *sp, *lp;
	struct zws_if zi;

	CHECK(state && live && (sp = wgdev_add_peer(state)) && (lp = wgdev_add_peer(live)));
	if (!state || !live)
		return;
	memcpy(sp->public_key, k, KEY_LEN);
	memcpy(lp->public_key, k, KEY_LEN);
	memset(&zi, 0, sizeof(zi));
	zi.dev = live;
	zi.now = 1795303775;
	CHECK(zws_peer_key_age(&zi, lp, false) == -1 && zws_peer_key_created(&zi, lp, false) == 0);
	zi.state = state;
	CHECK(zws_peer_key_age(&zi, lp, false) == -1 && zws_peer_key_age(&zi, lp, true) == -1);
	sp->key_created = zi.now - 90 * 86400;
	sp->psk_created = zi.now + 10; /* clock skew: not negative */
	CHECK(zws_peer_key_age(&zi, lp, false) == 90 * 86400);
	CHECK(zws_peer_key_created(&zi, lp, false) == zi.now - 90 * 86400);
	CHECK(zws_peer_key_age(&zi, lp, true) == 0);
	wgdev_free(state);
	wgdev_free(live);
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
	test_key_age();
	return check_report("zws_state_test");
}
