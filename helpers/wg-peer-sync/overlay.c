// SPDX-License-Identifier: GPL-2.0-only
/*
 * --overlay FILE --overlay-pool CIDR: peers that another writer owns (warren-enrolld's
 * enrolled-peers state) join the desired state, so that a sync of the playbook's peers keeps
 * them. The overlay may only add peers, and only with allowed IPs inside its pool; members other
 * than name, public_key and allowed_ips (the service's own bookkeeping) are not read. A missing
 * file is an overlay without peers.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "json_get.h"
#include "wgcheck.h"
#include "wgstate.h"

static bool overlay_peer(struct wg_device *want, json_t *o, const struct wg_allowedip *pool,
			 const char *path, struct err *err)
{
	const char *name = NULL, *key = NULL;
	json_t *aips = json_object_get(o, "allowed_ips"), *v;
	struct wg_allowedip aip;
	uint8_t pub[KEY_LEN];
	struct wg_peer *p;
	size_t i;

	if (!json_is_object(o))
		return err_set(err, "%s: must be an object", path);
	if (!json_get_str(o, "name", path, true, &name, err) ||
	    !json_get_str(o, "public_key", path, true, &key, err) ||
	    !json_get_list(aips, "allowed_ips", "ranges", true, err))
		return false;
	if (!wgstate_name_valid(name))
		return err_set(err, "%s.name: \"%.64s\" is not a peer name", path, name);
	if (!key_from_base64(pub, key) || !wgcheck_public_key(pub, key, err))
		return err_set(err, "%s.public_key: \"%.64s\" is not a usable key", path, key);
	if (wgdev_find_peer(want, pub))
		return err_set(err,
			       "%s (\"%s\"): its key is also a peer of the base state; an overlay "
			       "only adds peers",
			       path, name);
	p = wgdev_add_peer(want);
	if (!p || !(p->name = strdup(name)))
		return err_set(err, "out of memory");
	memcpy(p->public_key, pub, KEY_LEN);
	p->flags = WGPEER_HAS_ALLOWEDIPS | WGPEER_REPLACE_ALLOWEDIPS;
	json_array_foreach (aips, i, v) {
		if (!json_is_string(v) || !addr_allowedip_parse(&aip, json_string_value(v), err))
			return err_set(err, "%s.allowed_ips[%zu]: not a range", path, i);
		if (!addr_allowedip_contains(pool, &aip))
			return err_set(
			    err,
			    "%s (\"%s\").allowed_ips[%zu]: \"%s\" is outside the overlay's "
			    "pool",
			    path, name, i, json_string_value(v));
		if (wgpeer_add_allowedip(p, &aip))
			return err_set(err, "out of memory");
	}
	return true;
}

int overlay_add(struct wg_device *want, const char *file, const char *pool_text, size_t *n,
		struct err *err)
{
	struct wg_allowedip pool;
	json_t *root, *peers, *o;
	char path[JSON_PATH_MAX];
	size_t i;
	int ret = -EINVAL;

	*n = 0;
	if (!addr_allowedip_parse(&pool, pool_text, err)) {
		err_prefix(err, "--overlay-pool: ");
		return -EINVAL;
	}
	if (!(want->flags & WGDEV_HAS_PEERS))
		return 0; /* the base leaves every peer alone: nothing to keep */
	if (access(file, F_OK) && errno == ENOENT)
		return 0;
	root = json_load_file(file, JSON_REJECT_DUPLICATES, NULL);
	if (!root) {
		err_set(err, "--overlay: %.200s: not JSON", file);
		return -EINVAL;
	}
	peers = json_object_get(root, "peers");
	if (!json_get_list(peers, "overlay peers", NULL, false, err))
		goto out;
	json_array_foreach (peers, i, o) {
		json_path_idx(path, "overlay peers", i);
		wgdev_sort(want);
		if (!overlay_peer(want, o, &pool, path, err))
			goto out;
	}
	*n = json_array_size(peers);
	wgdev_sort(want);
	if (!wgcheck_unique(want, err))
		goto out;
	ret = 0;
out:
	json_decref(root);
	return ret;
}
