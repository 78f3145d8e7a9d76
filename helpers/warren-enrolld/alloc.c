// SPDX-License-Identifier: GPL-2.0-only
/*
 * Address allocation from a sub-pool: an address is taken when an enrolled peer holds it or a
 * live peer's allowed IPs cover it (the base peers of the playbook). The pool's first and last
 * addresses are never handed out.
 */
#include <arpa/inet.h>
#include <errno.h>

#include "core.h"
#include "wgdev.h"

static bool live_covers(const struct wg_device *live, uint32_t addr)
{
	struct wg_allowedip a = {.family = AF_INET, .cidr = 32};
	size_t i, j;

	a.ip4.s_addr = htonl(addr);
	for (i = 0; live && i < live->n_peers; i++)
		for (j = 0; j < live->peers[i].n_allowedips; j++)
			if (addr_allowedip_contains(&live->peers[i].allowedips[j], &a))
				return true;
	return false;
}

static bool taken(const struct enr_state *s, const struct wg_device *live, uint32_t addr)
{
	size_t i;

	for (i = 0; i < s->n_peers; i++)
		if (s->peers[i].address == addr)
			return true;
	return live_covers(live, addr);
}

static size_t scan(const struct enr_pool *pool, const struct enr_state *s,
		   const struct wg_device *live, uint32_t *first)
{
	uint32_t size = 1U << (32 - pool->prefix), a;
	size_t n = 0;

	for (a = pool->net + 1; a < pool->net + size - 1; a++)
		if (!taken(s, live, a)) {
			if (first) {
				*first = a;
				return 1;
			}
			n++;
		}
	return n;
}

int enr_alloc(const struct enr_pool *pool, const struct enr_state *s, const struct wg_device *live,
	      uint32_t *addr)
{
	return scan(pool, s, live, addr) ? 0 : -ENOSPC;
}

size_t enr_pool_free(const struct enr_pool *pool, const struct enr_state *s,
		     const struct wg_device *live)
{
	return scan(pool, s, live, NULL);
}
