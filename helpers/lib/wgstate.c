// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "json_get.h"
#include "wgcheck.h"
#include "wgstate.h"

static const char *const device_fields[] = {
    "interface", "private_key_file", "listen_port", "fwmark", "allow_empty", "peers", NULL,
};
static const char *const peer_fields[] = {
    "name",	   "public_key", "preshared_key_file",
    "allowed_ips", "endpoint",	 "persistent_keepalive",
    "enabled",	   "always_on",	 "key_created",
    "psk_created", NULL,
};

bool wgstate_name_valid(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > 63)
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];
		bool alnum =
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || !strchr("._@-", c)))
			return false;
	}
	return true;
}

static bool parse_allowed_ips(struct wg_peer *p, json_t *arr, struct err *err)
{
	struct wg_allowedip aip;
	size_t i, dup;
	json_t *v;
	int ret;

	if (!json_get_list(arr, "allowed_ips", "CIDR strings", false, err))
		return false;
	p->flags |= WGPEER_HAS_ALLOWEDIPS;
	json_array_foreach (arr, i, v) {
		if (!json_is_string(v))
			return err_set(err, "allowed_ips[%zu]: must be a CIDR string", i);
		if (!addr_allowedip_parse(&aip, json_string_value(v), err)) {
			err_prefix(err, "allowed_ips[%zu]: ", i);
			return false;
		}
		if (wgpeer_add_allowedip(p, &aip))
			return err_set(err, "out of memory");
	}
	ret = wgcheck_allowedips_dup(p->allowedips, p->n_allowedips, &dup);
	if (ret < 0)
		return err_set(err, "out of memory");
	if (ret)
		return err_set(err, "allowed_ips[%zu]: \"%.64s\" is listed twice", dup,
			       json_string_value(json_array_get(arr, dup)));
	return true;
}

static bool parse_endpoint(struct wg_peer *p, const char *text, unsigned int flags, struct err *err)
{
	const char *colon = strrchr(text, ':');
	uint16_t port;

	p->flags |= WGPEER_HAS_ENDPOINT;
	if (flags & WGSTATE_RESOLVE) {
		if (addr_endpoint_parse(&p->endpoint, text, err))
			return true;
	} else if (colon && colon != text && addr_port_parse(&port, colon + 1)) {
		return true;
	} else {
		err_set(err, "\"%.80s\" is not host:port or [v6]:port", text);
	}
	err_prefix(err, "endpoint: ");
	return false;
}

static bool parse_peer(struct wg_device *dev, json_t *obj, unsigned int flags, struct err *err)
{
	const char *name = NULL, *pub = NULL, *psk_file = NULL, *endpoint = NULL;
	struct wg_peer *p;
	long long ka;
	bool given, enabled = true, always_on = false;

	if (!json_is_object(obj))
		return err_set(err, "must be an object");
	if (!json_get_known(obj, "", peer_fields, err) ||
	    !json_get_str(obj, "name", NULL, true, &name, err) ||
	    !json_get_str(obj, "public_key", NULL, false, &pub, err) ||
	    !json_get_str(obj, "preshared_key_file", NULL, false, &psk_file, err) ||
	    !json_get_str(obj, "endpoint", NULL, false, &endpoint, err) ||
	    !json_get_bool(obj, "enabled", NULL, &enabled, NULL, err) ||
	    !json_get_bool(obj, "always_on", NULL, &always_on, NULL, err) ||
	    !json_get_int(obj, "persistent_keepalive", NULL, 0, 65535, &ka, &given, err))
		return false;
	if (!wgstate_name_valid(name))
		return err_set(err,
			       "name: \"%.64s\" must be 1-63 of A-Z a-z 0-9 . _ @ - (starting "
			       "with a letter or digit)",
			       name);
	p = wgdev_add_peer(dev);
	if (!p || !(p->name = strdup(name)))
		return err_set(err, "out of memory");
	if (!pub)
		return err_set(err, "public_key: is required");
	if (!key_from_base64(p->public_key, pub))
		return err_set(err, "public_key: \"%.64s\" is not base64 of exactly 32 bytes", pub);
	if (!wgcheck_public_key(p->public_key, pub, err))
		return false;
	if (given) {
		p->keepalive = (uint16_t)ka;
		p->flags |= WGPEER_HAS_KEEPALIVE;
	}
	if (!json_get_int(obj, "key_created", NULL, 1, WGSTATE_TIME_MAX, &p->key_created, NULL,
			  err) ||
	    !json_get_int(obj, "psk_created", NULL, 1, WGSTATE_TIME_MAX, &p->psk_created, NULL,
			  err))
		return false;
	if (!enabled)
		p->flags |= WGPEER_DISABLED;
	if (always_on)
		p->flags |= WGPEER_ALWAYS_ON;
	if (json_object_get(obj, "allowed_ips") &&
	    !parse_allowed_ips(p, json_object_get(obj, "allowed_ips"), err))
		return false;
	if (endpoint && !parse_endpoint(p, endpoint, flags, err))
		return false;
	if (psk_file)
		p->flags |= WGPEER_HAS_PRESHARED_KEY;
	return true;
}

/* Second pass, after every other check: read the preshared key files. */
static bool read_psks(struct wg_device *dev, json_t *peers, struct err *err)
{
	uint8_t key[KEY_LEN];
	struct wg_peer *p;
	const char *file;
	json_t *obj;
	size_t i;

	json_array_foreach (peers, i, obj) {
		file = json_string_value(json_object_get(obj, "preshared_key_file"));
		if (!file)
			continue;
		key_from_base64(key, json_string_value(json_object_get(obj, "public_key")));
		p = wgdev_find_peer(dev, key);
		if (!p || key_read_file(p->preshared_key, file, err)) {
			err_prefix(err, "peers[%zu] (\"%s\"): preshared_key_file: ", i,
				   p ? p->name : "?");
			return false;
		}
	}
	return true;
}

bool wgstate_parse(struct wgstate *st, json_t *root, unsigned int flags, struct err *err)
{
	const char *ifname = NULL, *keyfile = NULL;
	long long v;
	json_t *peers, *p;
	bool given;
	size_t i;

	memset(st, 0, sizeof(*st));
	if (!json_is_object(root))
		return err_set(err, "the state must be a JSON object");
	if (!json_get_known(root, "", device_fields, err) ||
	    !json_get_str(root, "interface", NULL, true, &ifname, err) ||
	    !json_get_str(root, "private_key_file", NULL, false, &keyfile, err) ||
	    !json_get_bool(root, "allow_empty", NULL, &st->allow_empty, NULL, err))
		return false;
	if (!wgdev_ifname_valid(ifname))
		return err_set(err, "interface: \"%.64s\" is not a valid interface name", ifname);
	st->dev = wgdev_new(ifname);
	if (!st->dev)
		return err_set(err, "out of memory");
	if (!json_get_int(root, "listen_port", NULL, 1, 65535, &v, &given, err))
		return false;
	if (given) {
		st->dev->listen_port = (uint16_t)v;
		st->dev->flags |= WGDEV_HAS_LISTEN_PORT;
	}
	if (!json_get_int(root, "fwmark", NULL, 0, UINT32_MAX, &v, &given, err))
		return false;
	if (given) {
		st->dev->fwmark = (uint32_t)v;
		st->dev->flags |= WGDEV_HAS_FWMARK;
	}
	peers = json_object_get(root, "peers");
	if (peers) {
		if (!json_get_list(peers, "peers", NULL, false, err))
			return false;
		st->dev->flags |= WGDEV_HAS_PEERS;
		if (wgdev_reserve(st->dev, json_array_size(peers)))
			return err_set(err, "out of memory");
		json_array_foreach (peers, i, p) {
			if (!parse_peer(st->dev, p, flags, err)) {
				const char *name = json_string_value(json_object_get(p, "name"));

				if (name)
					err_prefix(err, "peers[%zu] (\"%.64s\"): ", i, name);
				else
					err_prefix(err, "peers[%zu]: ", i);
				return false;
			}
		}
	}
	wgdev_sort(st->dev);
	if (!wgcheck_unique(st->dev, err))
		return false;
	/* Key files last, so that a malformed state never causes a key to be read. */
	if (keyfile) {
		st->dev->flags |= WGDEV_HAS_PRIVATE_KEY;
		if (flags & WGSTATE_READ_KEYS) {
			if (key_read_file(st->dev->private_key, keyfile, err)) {
				err_prefix(err, "private_key_file: ");
				return false;
			}
			if (key_public(st->dev->public_key, st->dev->private_key))
				return err_set(
				    err, "private_key_file: \"%s\" holds an unusable key", keyfile);
			st->dev->flags |= WGDEV_HAS_PUBLIC_KEY;
			if (!wgcheck_own_key(st->dev, st->dev->public_key, err))
				return false;
		}
	}
	if (peers && (flags & WGSTATE_READ_KEYS) && !read_psks(st->dev, peers, err))
		return false;
	return true;
}

json_t *wgstate_read(const char *path, struct err *err)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);

	if (!root)
		err_set(err, "%s: %s (line %d)", path, jerr.text, jerr.line);
	return root;
}

bool wgstate_load(struct wgstate *st, const char *path, unsigned int flags, struct err *err)
{
	json_t *root;
	bool ok;

	memset(st, 0, sizeof(*st));
	root = wgstate_read(path, err);
	if (!root)
		return false;
	ok = wgstate_parse(st, root, flags, err);
	json_decref(root);
	return ok;
}

void wgstate_free(struct wgstate *st)
{
	wgdev_free(st->dev);
	st->dev = NULL;
}
