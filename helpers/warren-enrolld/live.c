// SPDX-License-Identifier: GPL-2.0-only
/* Applies one enrolled peer to the live interface: only that peer, nothing else is touched. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "core.h"
#include "wgdev.h"

int enr_live_add(const char *ifname, const uint8_t key[static KEY_LEN], uint32_t addr,
		 const uint8_t *remove_key)
{
	struct wg_allowedip a = {.family = AF_INET, .cidr = 32};
	struct wg_device *dev = wgdev_new(ifname);
	struct wg_peer *p;
	int ret = -ENOMEM;

	if (!dev)
		return -ENOMEM;
	a.ip4.s_addr = htonl(addr);
	if (remove_key) {
		p = wgdev_add_peer(dev);
		if (!p)
			goto out;
		memcpy(p->public_key, remove_key, KEY_LEN);
		p->flags = WGPEER_REMOVE_ME;
	}
	p = wgdev_add_peer(dev);
	if (!p)
		goto out;
	memcpy(p->public_key, key, KEY_LEN);
	p->flags = WGPEER_HAS_ALLOWEDIPS | WGPEER_REPLACE_ALLOWEDIPS;
	ret = wgpeer_add_allowedip(p, &a);
	if (ret)
		goto out;
	ret = wgdev_set(dev, NULL);
out:
	wgdev_free(dev);
	return ret;
}
