// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel backend: the "wireguard" generic-netlink family. Reads are multi-part dumps in
 * which one peer's allowed IPs may continue in the next message; an interrupted dump
 * (NLM_F_DUMP_INTR) is read again. Writes are split across messages when they do not fit,
 * each message applied by the kernel on its own, so a sync interrupted halfway is repaired
 * by running it again. Interface fields go in messages of their own, before any peer.
 */
#include <errno.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/time_types.h>
#include <linux/wireguard.h>

#include <sodium.h>

#include "nl.h"
#include "nlroute.h"
#include "wgdev.h"

#define DUMP_RETRIES 16

static int wg_open(struct nl_sock *s, uint16_t *family)
{
	int ret = nl_open(s, NETLINK_GENERIC);

	if (ret)
		return ret;
	ret = nl_genl_family(s, WG_GENL_NAME, family);
	if (ret) {
		nl_close(s);
		/* No kernel module and no userspace socket: nothing can serve this interface. */
		return ret == -ENOENT ? -EPROTONOSUPPORT : ret;
	}
	return 0;
}

struct get_ctx {
	struct wg_device *dev;
	int err;
};

static int aip_attr(const struct nlattr *attr, void *data)
{
	struct wg_allowedip *aip = data;

	switch (mnl_attr_get_type(attr)) {
	case WGALLOWEDIP_A_FAMILY:
		if (!mnl_attr_validate(attr, MNL_TYPE_U16))
			aip->family = mnl_attr_get_u16(attr);
		break;
	case WGALLOWEDIP_A_IPADDR:
		if (mnl_attr_get_payload_len(attr) == 4 || mnl_attr_get_payload_len(attr) == 16)
			memcpy(&aip->ip6, mnl_attr_get_payload(attr),
			       mnl_attr_get_payload_len(attr));
		break;
	case WGALLOWEDIP_A_CIDR_MASK:
		if (!mnl_attr_validate(attr, MNL_TYPE_U8))
			aip->cidr = mnl_attr_get_u8(attr);
		break;
	}
	return MNL_CB_OK;
}

static int aips_attr(const struct nlattr *attr, void *data)
{
	struct wg_peer *peer = data;
	struct wg_allowedip aip = {0};

	if (mnl_attr_parse_nested(attr, aip_attr, &aip) < 0)
		return MNL_CB_ERROR;
	if ((aip.family == AF_INET && aip.cidr <= 32) ||
	    (aip.family == AF_INET6 && aip.cidr <= 128)) {
		peer->flags |= WGPEER_HAS_ALLOWEDIPS;
		return wgpeer_add_allowedip(peer, &aip) ? MNL_CB_ERROR : MNL_CB_OK;
	}
	return MNL_CB_OK;
}

static int peer_attr(const struct nlattr *attr, void *data)
{
	struct wg_peer *p = data;
	const struct __kernel_timespec *ts;
	uint16_t len = mnl_attr_get_payload_len(attr);

	if (mnl_attr_type_valid(attr, WGPEER_A_MAX) < 0)
		return MNL_CB_OK;
	switch (mnl_attr_get_type(attr)) {
	case WGPEER_A_PRESHARED_KEY:
		if (len == KEY_LEN) {
			memcpy(p->preshared_key, mnl_attr_get_payload(attr), KEY_LEN);
			if (!key_is_zero(p->preshared_key))
				p->flags |= WGPEER_HAS_PRESHARED_KEY;
		}
		break;
	case WGPEER_A_ENDPOINT:
		if ((len == sizeof(struct sockaddr_in) &&
		     ((const struct sockaddr *)mnl_attr_get_payload(attr))->sa_family == AF_INET) ||
		    (len == sizeof(struct sockaddr_in6) &&
		     ((const struct sockaddr *)mnl_attr_get_payload(attr))->sa_family ==
			 AF_INET6)) {
			memcpy(&p->endpoint, mnl_attr_get_payload(attr), len);
			p->flags |= WGPEER_HAS_ENDPOINT;
		}
		break;
	case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
		if (!mnl_attr_validate(attr, MNL_TYPE_U16)) {
			p->keepalive = mnl_attr_get_u16(attr);
			p->flags |= WGPEER_HAS_KEEPALIVE;
		}
		break;
	case WGPEER_A_LAST_HANDSHAKE_TIME:
		if (len == sizeof(*ts)) {
			ts = mnl_attr_get_payload(attr);
			p->last_handshake_sec = ts->tv_sec;
			p->last_handshake_nsec = ts->tv_nsec;
		}
		break;
	case WGPEER_A_RX_BYTES:
		if (!mnl_attr_validate(attr, MNL_TYPE_U64))
			p->rx_bytes = mnl_attr_get_u64(attr);
		break;
	case WGPEER_A_TX_BYTES:
		if (!mnl_attr_validate(attr, MNL_TYPE_U64))
			p->tx_bytes = mnl_attr_get_u64(attr);
		break;
	case WGPEER_A_ALLOWEDIPS:
		return mnl_attr_parse_nested(attr, aips_attr, p) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
	}
	return MNL_CB_OK;
}

static int find_pubkey(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == WGPEER_A_PUBLIC_KEY &&
	    mnl_attr_get_payload_len(attr) == KEY_LEN) {
		memcpy(data, mnl_attr_get_payload(attr), KEY_LEN);
		return MNL_CB_STOP;
	}
	return MNL_CB_OK;
}

static int peers_attr(const struct nlattr *attr, void *data)
{
	struct wg_device *dev = data;
	struct wg_peer *p = dev->n_peers ? &dev->peers[dev->n_peers - 1] : NULL;
	uint8_t key[KEY_LEN] = {0};

	/* No key at all is an error; an all-zero or low-order key (wg set accepts them) is a peer
	 * like any other, so that reading still works and the next sync removes it. */
	if (mnl_attr_parse_nested(attr, find_pubkey, key) != MNL_CB_STOP)
		return MNL_CB_ERROR;
	/* A peer whose allowed IPs did not fit continues in the next message. */
	if (!p || memcmp(p->public_key, key, KEY_LEN)) {
		p = wgdev_add_peer(dev);
		if (!p)
			return MNL_CB_ERROR;
		memcpy(p->public_key, key, KEY_LEN);
	}
	return mnl_attr_parse_nested(attr, peer_attr, p) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

static int device_attr(const struct nlattr *attr, void *data)
{
	struct wg_device *dev = data;

	if (mnl_attr_type_valid(attr, WGDEVICE_A_MAX) < 0)
		return MNL_CB_OK;
	switch (mnl_attr_get_type(attr)) {
	case WGDEVICE_A_IFINDEX:
		if (!mnl_attr_validate(attr, MNL_TYPE_U32))
			dev->ifindex = mnl_attr_get_u32(attr);
		break;
	case WGDEVICE_A_PRIVATE_KEY:
		if (mnl_attr_get_payload_len(attr) == KEY_LEN) {
			memcpy(dev->private_key, mnl_attr_get_payload(attr), KEY_LEN);
			if (!key_is_zero(dev->private_key))
				dev->flags |= WGDEV_HAS_PRIVATE_KEY;
		}
		break;
	case WGDEVICE_A_PUBLIC_KEY:
		if (mnl_attr_get_payload_len(attr) == KEY_LEN) {
			memcpy(dev->public_key, mnl_attr_get_payload(attr), KEY_LEN);
			if (!key_is_zero(dev->public_key))
				dev->flags |= WGDEV_HAS_PUBLIC_KEY;
		}
		break;
	case WGDEVICE_A_LISTEN_PORT:
		if (!mnl_attr_validate(attr, MNL_TYPE_U16)) {
			dev->listen_port = mnl_attr_get_u16(attr);
			dev->flags |= WGDEV_HAS_LISTEN_PORT;
		}
		break;
	case WGDEVICE_A_FWMARK:
		if (!mnl_attr_validate(attr, MNL_TYPE_U32)) {
			dev->fwmark = mnl_attr_get_u32(attr);
			dev->flags |= WGDEV_HAS_FWMARK;
		}
		break;
	case WGDEVICE_A_PEERS:
		return mnl_attr_parse_nested(attr, peers_attr, dev) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
	}
	return MNL_CB_OK;
}

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), device_attr, data) < 0 ? MNL_CB_ERROR
										     : MNL_CB_OK;
}

struct get_req {
	const char *ifname;
	uint16_t family;
	struct wg_device *dev;
};

/* One whole dump into a fresh device; nl_read_consistent runs it again when interrupted. */
static int get_once(struct nl_sock *s, void *data)
{
	char buf[NL_MSG_SIZE];
	struct get_req *r = data;
	struct nlmsghdr *nlh;

	wgdev_free(r->dev);
	r->dev = wgdev_new(r->ifname);
	if (!r->dev)
		return -ENOMEM;
	nlh = nl_genl_msg(s, buf, r->family, WG_CMD_GET_DEVICE, WG_GENL_VERSION, NLM_F_DUMP);
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, r->ifname);
	return nl_talk(s, nlh, get_cb, r->dev);
}

int wgdev_nl_get(struct wg_device **out, const char *ifname)
{
	struct get_req r = {.ifname = ifname};
	struct nl_sock s;
	int ret;

	*out = NULL;
	ret = wg_open(&s, &r.family);
	if (ret)
		return ret;
	ret = nl_read_consistent(&s, get_once, &r, DUMP_RETRIES);
	nl_close(&s);
	if (ret) {
		wgdev_free(r.dev);
		/* The kernel answers EOPNOTSUPP for an interface that is not WireGuard. */
		return ret == -EOPNOTSUPP ? -ENODEV : ret;
	}
	*out = r.dev;
	return 0;
}

/* Puts as much of @p, from allowed IP @*aip on, as fits; false when not even its header fit. */
static bool put_peer(struct nlmsghdr *nlh, const struct wg_peer *p, size_t *aip)
{
	struct nlattr *peer, *aips, *one;
	const size_t max = NL_MSG_SIZE;
	uint32_t flags = 0;

	peer = mnl_attr_nest_start_check(nlh, max, 0);
	if (!peer || !mnl_attr_put_check(nlh, max, WGPEER_A_PUBLIC_KEY, KEY_LEN, p->public_key))
		goto cancel;
	if (*aip == 0) {
		if (p->flags & WGPEER_REMOVE_ME)
			flags |= WGPEER_F_REMOVE_ME;
		if (p->flags & WGPEER_REPLACE_ALLOWEDIPS)
			flags |= WGPEER_F_REPLACE_ALLOWEDIPS;
		if (p->flags & WGPEER_UPDATE_ONLY)
			flags |= WGPEER_F_UPDATE_ONLY;
		if (flags && !mnl_attr_put_u32_check(nlh, max, WGPEER_A_FLAGS, flags))
			goto cancel;
		if (p->flags & WGPEER_REMOVE_ME)
			goto done;
		if ((p->flags & WGPEER_HAS_PRESHARED_KEY) &&
		    !mnl_attr_put_check(nlh, max, WGPEER_A_PRESHARED_KEY, KEY_LEN,
					p->preshared_key))
			goto cancel;
		if ((p->flags & WGPEER_HAS_ENDPOINT) &&
		    !mnl_attr_put_check(nlh, max, WGPEER_A_ENDPOINT,
					p->endpoint.sa.sa_family == AF_INET
					    ? sizeof(p->endpoint.sin)
					    : sizeof(p->endpoint.sin6),
					&p->endpoint))
			goto cancel;
		if ((p->flags & WGPEER_HAS_KEEPALIVE) &&
		    !mnl_attr_put_u16_check(nlh, max, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
					    p->keepalive))
			goto cancel;
	}
	if (!(p->flags & WGPEER_HAS_ALLOWEDIPS) || *aip >= p->n_allowedips)
		goto done;
	aips = mnl_attr_nest_start_check(nlh, max, WGPEER_A_ALLOWEDIPS);
	if (!aips)
		goto done_partial;
	for (; *aip < p->n_allowedips; (*aip)++) {
		const struct wg_allowedip *a = &p->allowedips[*aip];

		one = mnl_attr_nest_start_check(nlh, max, 0);
		if (!one)
			break;
		if (!mnl_attr_put_u16_check(nlh, max, WGALLOWEDIP_A_FAMILY, a->family) ||
		    !mnl_attr_put_check(nlh, max, WGALLOWEDIP_A_IPADDR,
					a->family == AF_INET ? 4 : 16, &a->ip6) ||
		    !mnl_attr_put_u8_check(nlh, max, WGALLOWEDIP_A_CIDR_MASK, a->cidr)) {
			mnl_attr_nest_cancel(nlh, one);
			break;
		}
		mnl_attr_nest_end(nlh, one);
	}
	mnl_attr_nest_end(nlh, aips);
	if (*aip < p->n_allowedips)
		goto done_partial;
done:
	*aip = SIZE_MAX; /* this peer is complete */
done_partial:
	mnl_attr_nest_end(nlh, peer);
	return true;
cancel:
	if (peer)
		mnl_attr_nest_cancel(nlh, peer);
	return false;
}

/* One interface field in a message of its own. */
static int set_field(struct nl_sock *s, uint16_t family, const struct wg_device *dev,
		     uint32_t field)
{
	char buf[NL_MSG_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	nlh = nl_genl_msg(s, buf, family, WG_CMD_SET_DEVICE, WG_GENL_VERSION, NLM_F_ACK);
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, dev->name);
	if (field == WGDEV_HAS_LISTEN_PORT)
		mnl_attr_put_u16(nlh, WGDEVICE_A_LISTEN_PORT, dev->listen_port);
	else if (field == WGDEV_HAS_FWMARK)
		mnl_attr_put_u32(nlh, WGDEVICE_A_FWMARK, dev->fwmark);
	else
		mnl_attr_put(nlh, WGDEVICE_A_PRIVATE_KEY, KEY_LEN, dev->private_key);
	ret = nl_talk(s, nlh, NULL, NULL);
	sodium_memzero(buf, sizeof(buf));
	return ret;
}

/*
 * The interface fields each in a message of their own, listen port first: the kernel keeps the
 * old port when the new one cannot be bound, and then nothing else has changed. Then the peers.
 */
int wgdev_nl_set(const struct wg_device *dev, struct wgdev_set_at *at)
{
	static const uint32_t fields[] = {WGDEV_HAS_LISTEN_PORT, WGDEV_HAS_FWMARK,
					  WGDEV_HAS_PRIVATE_KEY};
	char buf[NL_MSG_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *peers;
	struct nl_sock s;
	size_t i = 0, aip = 0, f, first, last;
	uint16_t family;
	int ret;

	if (!(dev->flags & (WGDEV_HAS_LISTEN_PORT | WGDEV_HAS_FWMARK | WGDEV_HAS_PRIVATE_KEY)) &&
	    !dev->n_peers)
		return 0;
	ret = wg_open(&s, &family);
	if (ret)
		return ret;
	for (f = 0; !ret && f < sizeof(fields) / sizeof(fields[0]); f++) {
		if (!(dev->flags & fields[f]))
			continue;
		ret = set_field(&s, family, dev, fields[f]);
		if (ret)
			at->field = fields[f];
		else
			at->applied = true;
	}
	while (!ret && i < dev->n_peers) {
		nlh = nl_genl_msg(&s, buf, family, WG_CMD_SET_DEVICE, WG_GENL_VERSION, NLM_F_ACK);
		mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, dev->name);
		peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
		first = i;
		while (i < dev->n_peers) {
			if (!put_peer(nlh, &dev->peers[i], &aip))
				break;
			if (aip != SIZE_MAX)
				break; /* allowed IPs continue in the next message */
			aip = 0;
			i++;
		}
		mnl_attr_nest_end(nlh, peers);
		if (i == first && !aip) {
			ret = -ENOBUFS; /* not even one peer's first attributes fit: unreachable */
			last = first;
		} else {
			last = aip ? i : i - 1; /* aip: peer i continues in the next message */
			ret = nl_talk(&s, nlh, NULL, NULL);
		}
		sodium_memzero(buf, sizeof(buf));
		if (ret) {
			at->peer = first;
			at->n = last - first + 1;
		} else {
			at->applied = true;
		}
	}
	nl_close(&s);
	return ret == -EOPNOTSUPP ? -ENODEV : ret;
}

int wgdev_nl_list(char ***names, size_t *n, size_t *cap)
{
	struct nlroute_links links;
	struct nl_sock s;
	size_t i;
	int ret;

	ret = nl_open(&s, NETLINK_ROUTE);
	if (ret)
		return ret;
	ret = nlroute_links(&s, &links);
	nl_close(&s);
	for (i = 0; !ret && i < links.n; i++)
		if (!strcmp(links.v[i].kind, "wireguard"))
			ret = wgdev_names_push(names, n, cap, links.v[i].name);
	nlroute_links_free(&links);
	return ret;
}
