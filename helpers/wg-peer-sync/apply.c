// SPDX-License-Identifier: GPL-2.0-only
/*
 * Applying the diff, failing closed. A new listen port that another socket holds in this
 * network namespace is refused before anything is sent. The interface fields are applied before
 * any peer (wgdev_set); if one of them fails anyway (the port taken in between, or bound in a
 * namespace this process cannot see), the fields already sent go back to their live values:
 * wireguard-go drops its old port when it cannot bind the new one, and would stay unreachable.
 * Every failure is one JSON object naming the field, or the peers of the failed request.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "out.h"

/* What went wrong, for a message: a timeout says where nothing answered. */
static const char *why(char *buf, size_t len, const char *ifname, int err)
{
	if (err == -ETIMEDOUT && wgdev_backend_of(ifname) == WGDEV_BACKEND_USERSPACE)
		snprintf(buf, len, "timed out: no answer within %d s on %s/%s.sock",
			 WGDEV_UAPI_TIMEOUT_SEC, wgdev_socket_dir(), ifname);
	else
		snprintf(buf, len, "%s", json_out_strerror(err));
	return buf;
}

int sync_fail(const char *what, const char *ifname, int err)
{
	char buf[512];

	if (err == -ENODEV)
		return json_out_fail(EXIT_RUNTIME,
				     "interface \"%s\" does not exist or is not WireGuard", ifname);
	if (err == -EPROTONOSUPPORT)
		return json_out_fail(EXIT_RUNTIME,
				     "interface \"%s\" does not exist: no userspace socket in %s "
				     "and no kernel WireGuard module",
				     ifname, wgdev_socket_dir());
	return json_out_fail(EXIT_RUNTIME, "%s \"%s\": %s", what, ifname,
			     why(buf, sizeof(buf), ifname, err));
}

static void field_str(char *buf, size_t len, const struct wg_device *dev, uint32_t field)
{
	if (field == WGDEV_HAS_LISTEN_PORT)
		snprintf(buf, len, "listen_port %u", dev->listen_port);
	else if (field == WGDEV_HAS_FWMARK)
		snprintf(buf, len, "fwmark %u", dev->fwmark);
	else
		snprintf(buf, len, "private_key"); /* never its value */
}

/* Puts the live values of the fields sent up to and including the failed one back. */
static int undo_fields(const struct wg_device *set, const struct wg_device *live, uint32_t failed,
		       char *done, size_t len)
{
	struct wg_device *back = wgdev_new(set->name);
	int ret;

	if (!back)
		return -ENOMEM;
	/* wireguard-go reports neither a port nor a fwmark that is 0 */
	if (set->flags & WGDEV_HAS_LISTEN_PORT) {
		back->flags |= WGDEV_HAS_LISTEN_PORT;
		back->listen_port = (live->flags & WGDEV_HAS_LISTEN_PORT) ? live->listen_port : 0;
	}
	if ((set->flags & WGDEV_HAS_FWMARK) && failed != WGDEV_HAS_LISTEN_PORT) {
		back->flags |= WGDEV_HAS_FWMARK;
		back->fwmark = (live->flags & WGDEV_HAS_FWMARK) ? live->fwmark : 0;
	}
	done[0] = '\0';
	if (back->flags & WGDEV_HAS_LISTEN_PORT)
		snprintf(done, len, "listen_port %u", back->listen_port);
	if (back->flags & WGDEV_HAS_FWMARK)
		snprintf(done + strlen(done), len - strlen(done), "%sfwmark %u", *done ? ", " : "",
			 back->fwmark);
	ret = *done ? wgdev_set(back, NULL) : 0;
	wgdev_free(back);
	return ret;
}

static int field_fail(const struct wg_device *set, const struct wg_device *live,
		      const struct wgdev_set_at *at, int err)
{
	char field[64], reason[512], again[512], done[64], undo[600];
	int ret;

	field_str(field, sizeof(field), set, at->field);
	why(reason, sizeof(reason), set->name, err);
	if (err == -EADDRINUSE && at->field == WGDEV_HAS_LISTEN_PORT)
		snprintf(reason + strlen(reason), sizeof(reason) - strlen(reason),
			 " (UDP port %u is taken in the network namespace the interface binds in)",
			 set->listen_port);
	if (err == -ETIMEDOUT) {
		snprintf(undo, sizeof(undo), "nothing after it was sent");
	} else {
		ret = undo_fields(set, live, at->field, done, sizeof(done));
		if (!*done)
			snprintf(undo, sizeof(undo), "nothing else was changed");
		else if (!ret)
			snprintf(undo, sizeof(undo), "%s restored, nothing else was changed", done);
		else
			snprintf(undo, sizeof(undo), "restoring %s failed too: %s", done,
				 why(again, sizeof(again), set->name, ret));
	}
	return json_out_fail(EXIT_RUNTIME, "applying %s to \"%s\": %s; %s", field, set->name,
			     reason, undo);
}

/* "name" (public key), or the public key of a peer the state does not name. */
static void peer_str(char *buf, size_t len, const struct wg_device *want, const struct wg_peer *p)
{
	const struct wg_peer *w = wgdev_find_peer(want, p->public_key);
	char b64[KEY_B64_LEN];

	key_to_base64(b64, p->public_key);
	if (w && w->name)
		snprintf(buf, len, "\"%s\" (%s)", w->name, b64);
	else
		snprintf(buf, len, "%s", b64);
}

static int peers_fail(const struct wg_device *set, const struct wg_device *want,
		      const struct wgdev_set_at *at, int err)
{
	char reason[512], where[300], a[128], b[128];

	why(reason, sizeof(reason), set->name, err);
	where[0] = '\0';
	if (at->n && at->peer + at->n <= set->n_peers) {
		peer_str(a, sizeof(a), want, &set->peers[at->peer]);
		if (at->n == 1) {
			snprintf(where, sizeof(where), ", at peer %s", a);
		} else {
			peer_str(b, sizeof(b), want, &set->peers[at->peer + at->n - 1]);
			snprintf(where, sizeof(where), ", in a request for %zu peers, %s to %s",
				 at->n, a, b);
		}
	}
	return json_out_fail(EXIT_RUNTIME, "applying to \"%s\": %s%s%s", set->name, reason, where,
			     at->applied ? "; earlier requests were applied: sync again once the "
					   "cause is fixed"
					 : "");
}

int sync_apply(const struct wgdiff *d, const struct wg_device *live, const struct wg_device *want)
{
	const struct wg_device *set = d->set;
	struct wgdev_set_at at;
	char kept[32] = "its port";
	int ret;

	if ((set->flags & WGDEV_HAS_LISTEN_PORT) &&
	    wgdev_port_check(set->listen_port) == -EADDRINUSE) {
		if (live->flags & WGDEV_HAS_LISTEN_PORT)
			snprintf(kept, sizeof(kept), "port %u", live->listen_port);
		return json_out_fail(
		    EXIT_RUNTIME,
		    "listen_port %u of \"%s\": UDP port %u is in use in this network "
		    "namespace; nothing was changed, the interface keeps %s",
		    set->listen_port, set->name, set->listen_port, kept);
	}
	ret = wgdev_set(set, &at);
	if (!ret)
		return 0;
	if (ret == -ENODEV || ret == -EPROTONOSUPPORT) /* gone since it was read */
		return sync_fail("applying to", set->name, ret);
	if (at.field)
		return field_fail(set, live, &at, ret);
	return peers_fail(set, want, &at, ret);
}
