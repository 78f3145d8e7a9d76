// SPDX-License-Identifier: GPL-2.0-only
/* sync STATE.json [--check] [--allow-empty], and show IFACE. */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "cmd.h"
#include "out.h"
#include "wgcheck.h"
#include "wgdiff.h"
#include "wgjson.h"
#include "wgstate.h"

static json_t *list_json(const struct wgdiff_list *l)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < l->n; i++)
		json_array_append_new(arr, json_string(l->items[i]));
	return arr;
}

/*
 * Reading the live device runs beside loading and validating the state: it is only a read, and
 * on a userspace interface with many peers it is the slowest step. When the host has exactly one
 * WireGuard interface (the usual VPN container) the read starts before the state is even loaded;
 * otherwise as soon as the state names its interface. If the guess was wrong the right
 * interface is read afterwards. Nothing is applied before the state is valid and both are done.
 */
struct live_read {
	pthread_t thread;
	char ifname[IFNAMSIZ];
	struct wg_device *dev;
	int ret;
	bool started;
};

static void *live_read_thread(void *arg)
{
	struct live_read *r = arg;

	r->ret = wgdev_get(&r->dev, r->ifname);
	return NULL;
}

static void live_read_start(struct live_read *r, const char *ifname)
{
	if (r->started || !ifname || !*ifname || strlen(ifname) >= sizeof(r->ifname) ||
	    strchr(ifname, '/'))
		return;
	strcpy(r->ifname, ifname);
	r->started = !pthread_create(&r->thread, NULL, live_read_thread, r);
}

static void live_read_guess(struct live_read *r)
{
	char **names;
	size_t n;

	if (wgdev_list(&names, &n))
		return;
	if (n == 1)
		live_read_start(r, names[0]);
	wgdev_free_names(names, n);
}

static int live_read_finish(struct live_read *r, const char *ifname, struct wg_device **dev)
{
	if (r->started) {
		pthread_join(r->thread, NULL);
		r->started = false;
		if (!strcmp(r->ifname, ifname)) {
			*dev = r->dev;
			r->dev = NULL;
			return r->ret;
		}
		wgdev_free(r->dev);
		r->dev = NULL;
	}
	return wgdev_get(dev, ifname);
}

int sync_main(int argc, char *argv[])
{
	struct live_read rd = {.ret = 0};
	json_t *root = NULL, *doc;
	struct wg_device *live = NULL;
	struct wgstate st = {0};
	struct wgdiff d = {0};
	const char *path = NULL, *overlay = NULL, *overlay_pool = NULL;
	size_t n_overlay = 0;
	bool check = false, allow_empty = false, changed;
	struct err err = {{0}};
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--check"))
			check = true;
		else if (!strcmp(argv[i], "--allow-empty"))
			allow_empty = true;
		else if (!strcmp(argv[i], "--overlay") && i + 1 < argc)
			overlay = argv[++i];
		else if (!strcmp(argv[i], "--overlay-pool") && i + 1 < argc)
			overlay_pool = argv[++i];
		else if (!path && argv[i][0] != '-')
			path = argv[i];
		else
			return json_out_fail(EXIT_INVALID, "unknown argument \"%s\"", argv[i]);
	}
	if (!path || !overlay != !overlay_pool)
		return json_out_fail(EXIT_INVALID,
				     "usage: wg-peer-sync sync STATE.json [--check] "
				     "[--allow-empty] [--overlay FILE --overlay-pool CIDR]");
	live_read_guess(&rd);
	root = wgstate_read(path, &err);
	if (!root) {
		ret = json_out_fail_err(EXIT_INVALID, &err);
		goto out;
	}
	live_read_start(&rd, json_string_value(json_object_get(root, "interface")));
	if (!wgstate_parse(&st, root, WGSTATE_READ_KEYS | WGSTATE_RESOLVE, &err)) {
		ret = json_out_fail_err(EXIT_INVALID, &err);
		goto out;
	}
	if (overlay && overlay_add(st.dev, overlay, overlay_pool, &n_overlay, &err)) {
		ret = json_out_fail_err(EXIT_INVALID, &err);
		goto out;
	}
	ret = live_read_finish(&rd, st.dev->name, &live);
	if (ret) {
		ret = sync_fail("cannot read interface", st.dev->name, ret);
		goto out;
	}
	/* Without private_key_file the interface keeps its key: no peer may hold that one either.
	 */
	if (!(st.dev->flags & WGDEV_HAS_PUBLIC_KEY) && (live->flags & WGDEV_HAS_PUBLIC_KEY) &&
	    !wgcheck_own_key(st.dev, live->public_key, &err)) {
		ret = json_out_fail_err(EXIT_INVALID, &err);
		goto out;
	}
	ret = wgdiff_compute(&d, live, st.dev);
	if (ret) {
		ret = json_out_fail(EXIT_RUNTIME, "diff: %s", json_out_strerror(ret));
		goto out;
	}
	if (d.live_peers && !d.remaining && !allow_empty && !st.allow_empty) {
		ret = json_out_fail(EXIT_INVALID,
				    "peers: refusing to remove all %zu peers of \"%s\"; pass "
				    "--allow-empty (or \"allow_empty\": true) if that is meant",
				    d.live_peers, st.dev->name);
		goto out;
	}
	changed = wgdiff_changed(&d);
	if (changed && !check) {
		ret = sync_apply(&d, live, st.dev);
		if (ret)
			goto out;
	}
	doc = json_pack("{s:b,s:b,s:s,s:s,s:o,s:o,s:o,s:o,s:I}", "changed", changed, "check", check,
			"interface", st.dev->name, "backend",
			wgdev_backend_name(wgdev_backend_of(st.dev->name)), "added",
			list_json(&d.added), "updated", list_json(&d.updated), "removed",
			list_json(&d.removed), "interface_changes", list_json(&d.fields),
			"unchanged", (json_int_t)d.unchanged);
	if (doc && overlay)
		json_object_set_new(doc, "overlay", json_integer((json_int_t)n_overlay));
	ret = json_out_print(doc);
out:
	if (rd.started)
		pthread_join(rd.thread, NULL);
	wgdev_free(rd.dev);
	json_decref(root);
	wgdiff_free(&d);
	wgdev_free(live);
	wgstate_free(&st);
	return ret;
}

int show_main(int argc, char *argv[])
{
	struct wg_device *dev = NULL;
	json_t *doc;
	int ret;

	if (argc != 2)
		return json_out_fail(EXIT_INVALID, "usage: wg-peer-sync show IFACE");
	if (!*argv[1] || strlen(argv[1]) >= IFNAMSIZ || strchr(argv[1], '/'))
		return json_out_fail(EXIT_INVALID, "\"%.64s\" is not a valid interface name",
				     argv[1]);
	ret = wgdev_get(&dev, argv[1]);
	if (ret)
		return sync_fail("cannot read interface", argv[1], ret);
	doc = wgjson_device(dev);
	if (doc)
		json_object_set_new(doc, "backend",
				    json_string(wgdev_backend_name(wgdev_backend_of(argv[1]))));
	wgdev_free(dev);
	return json_out_print(doc);
}
