// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wgcheck.h"

bool wgcheck_public_key(const uint8_t key[static KEY_LEN], const char *text, struct err *err)
{
	if (key_is_zero(key))
		return err_set(err,
			       "public_key: \"%.64s\" is the all-zero key (a placeholder?); no "
			       "handshake can succeed with it",
			       text);
	if (!key_public_usable(key))
		return err_set(
		    err,
		    "public_key: \"%.64s\" is a low-order Curve25519 point; no handshake "
		    "can succeed with it",
		    text);
	return true;
}

struct aip_at {
	struct wg_allowedip aip;
	size_t idx;	  /* allowed_ips[idx] of one peer, or the owner: peers[idx] */
	const char *name; /* the owner's name (across peers) */
};

static int at_cmp(const void *a, const void *b)
{
	const struct aip_at *x = a, *y = b;
	int r = addr_allowedip_cmp(&x->aip, &y->aip);

	if (r)
		return r;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

int wgcheck_allowedips_dup(const struct wg_allowedip *aips, size_t n, size_t *dup)
{
	struct aip_at *v;
	size_t i;
	int ret = 0;

	if (n < 2)
		return 0;
	v = malloc(n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		v[i].aip = aips[i];
		v[i].idx = i;
	}
	qsort(v, n, sizeof(*v), at_cmp);
	/* Each run of equal ranges is in input order: all but its first repeat an earlier one. */
	for (i = 1; i < n; i++)
		if (!addr_allowedip_cmp(&v[i - 1].aip, &v[i].aip) && (!ret || v[i].idx < *dup)) {
			*dup = v[i].idx;
			ret = 1;
		}
	free(v);
	return ret;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool names_unique(const struct wg_device *dev, struct err *err)
{
	const char **names = calloc(dev->n_peers + 1, sizeof(*names));
	bool ok = true;
	size_t i;

	if (!names)
		return err_set(err, "out of memory");
	for (i = 0; i < dev->n_peers; i++)
		names[i] = dev->peers[i].name;
	qsort(names, dev->n_peers, sizeof(*names), name_cmp);
	for (i = 1; ok && i < dev->n_peers; i++)
		if (!strcmp(names[i - 1], names[i]))
			ok = err_set(err, "peers: name \"%s\" is used twice", names[i]);
	free(names);
	return ok;
}

/*
 * Sorted by address then prefix length, a range comes before every range inside it, and those
 * follow it without a gap. So one pass with the chain of enclosing ranges (at most one per prefix
 * length) finds every range that equals or lies inside another peer's.
 */
static bool ranges_disjoint(struct aip_at *v, size_t n, struct err *err)
{
	const struct aip_at *chain[129 + 1];
	char a[ADDR_STR_LEN], b[ADDR_STR_LEN];
	size_t i, depth = 0;

	qsort(v, n, sizeof(*v), at_cmp);
	for (i = 0; i < n; i++) {
		while (depth && !addr_allowedip_contains(&chain[depth - 1]->aip, &v[i].aip))
			depth--;
		/* Everything in the chain belongs to one peer: a different owner failed below. */
		if (depth && chain[depth - 1]->idx != v[i].idx) {
			const struct aip_at *o = chain[depth - 1];

			addr_allowedip_str(a, &o->aip);
			addr_allowedip_str(b, &v[i].aip);
			if (!addr_allowedip_cmp(&o->aip, &v[i].aip))
				return err_set(err,
					       "peers \"%s\" and \"%s\" both claim allowed IP %s",
					       o->name, v[i].name, a);
			return err_set(
			    err,
			    "peers \"%s\" and \"%s\" overlap: allowed IP %s of \"%s\" lies "
			    "inside %s of \"%s\"; give each peer its own ranges",
			    o->name, v[i].name, b, v[i].name, a, o->name);
		}
		if (depth < sizeof(chain) / sizeof(chain[0]))
			chain[depth++] = &v[i];
	}
	return true;
}

bool wgcheck_unique(const struct wg_device *dev, struct err *err)
{
	struct aip_at *v;
	char b64[KEY_B64_LEN];
	size_t i, j, n = 0;
	bool ok;

	for (i = 1; i < dev->n_peers; i++)
		if (!memcmp(dev->peers[i - 1].public_key, dev->peers[i].public_key, KEY_LEN)) {
			key_to_base64(b64, dev->peers[i].public_key);
			return err_set(err, "peers \"%s\" and \"%s\": duplicate public_key \"%s\"",
				       dev->peers[i - 1].name, dev->peers[i].name, b64);
		}
	if (!names_unique(dev, err))
		return false;
	for (i = 0; i < dev->n_peers; i++)
		n += dev->peers[i].n_allowedips;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return err_set(err, "out of memory");
	n = 0;
	for (i = 0; i < dev->n_peers; i++)
		for (j = 0; j < dev->peers[i].n_allowedips; j++) {
			v[n].aip = dev->peers[i].allowedips[j];
			v[n].idx = i;
			v[n++].name = dev->peers[i].name;
		}
	ok = ranges_disjoint(v, n, err);
	free(v);
	return ok;
}

bool wgcheck_own_key(const struct wg_device *dev, const uint8_t own[static KEY_LEN],
		     struct err *err)
{
	const struct wg_peer *p = wgdev_find_peer(dev, own);

	if (p)
		return err_set(
		    err,
		    "peer \"%s\": public_key: is the public key of the interface itself; "
		    "WireGuard ignores such a peer, so it could never be added",
		    p->name);
	return true;
}
