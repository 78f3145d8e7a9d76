// SPDX-License-Identifier: GPL-2.0-only
/* The service's configuration file (docs/enroll.md#configuration), strictly checked. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "enr.h"
#include "json_get.h"
#include "num.h"
#include "wgdev.h"
#include "wgstate.h"

bool enr_pool_parse(struct enr_pool *p, const char *text, struct err *err)
{
	struct wg_allowedip aip;

	if (!addr_allowedip_parse(&aip, text, err))
		return false;
	if (aip.family != AF_INET || aip.cidr < 16 || aip.cidr > 30)
		return err_set(err, "\"%.64s\" is not an IPv4 range from /16 to /30", text);
	p->net = ntohl(aip.ip4.s_addr);
	p->prefix = aip.cidr;
	return true;
}

bool enr_pool_contains(const struct enr_pool *outer, const struct enr_pool *inner)
{
	uint32_t mask = outer->prefix ? ~0U << (32 - outer->prefix) : 0;

	return inner->prefix >= outer->prefix && (inner->net & mask) == outer->net;
}

void enr_addr_str(char buf[static 16], uint32_t addr)
{
	struct in_addr a = {.s_addr = htonl(addr)};

	inet_ntop(AF_INET, &a, buf, 16);
}

bool enr_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (!n || n > ENR_ID_MAX)
		return false;
	return strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

static bool copy_str(char *dst, size_t size, json_t *root, const char *key, bool required,
		     struct err *err)
{
	const char *v = NULL;

	if (!json_get_str(root, key, NULL, required, &v, err))
		return false;
	if (!v)
		return true;
	if (strlen(v) >= size)
		return err_set(err, "%s: \"%.64s\" is too long (at most %zu characters)", key, v,
			       size - 1);
	strcpy(dst, v);
	return true;
}

static const char *const known[] = {"interface",  "endpoint",	     "listen",	   "port",
				    "pool",	  "allowed_ips",     "keepalive",  "tokens_file",
				    "state_file", "secret_file",     "audit_file", "tls_cert",
				    "tls_key",	  "max_connections", "timeout",	   NULL};

bool enr_conf_load(struct enr_conf *c, const char *path, struct err *err)
{
	const char *pool = NULL;
	json_t *aips, *v;
	long long n;
	size_t i;

	memset(c, 0, sizeof(*c));
	strcpy(c->listen, "0.0.0.0");
	c->port = 8443;
	c->keepalive = 25;
	c->max_connections = 64;
	c->timeout_sec = 10;
	c->root = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	if (!c->root || !json_is_object(c->root))
		return err_set(err, "%.200s: not a JSON object", path);
	if (!json_get_known(c->root, "", known, err) ||
	    !copy_str(c->interface, sizeof(c->interface), c->root, "interface", true, err) ||
	    !copy_str(c->endpoint, sizeof(c->endpoint), c->root, "endpoint", true, err) ||
	    !copy_str(c->listen, sizeof(c->listen), c->root, "listen", false, err) ||
	    !copy_str(c->tokens_file, sizeof(c->tokens_file), c->root, "tokens_file", true, err) ||
	    !copy_str(c->state_file, sizeof(c->state_file), c->root, "state_file", true, err) ||
	    !copy_str(c->secret_file, sizeof(c->secret_file), c->root, "secret_file", true, err) ||
	    !copy_str(c->audit_file, sizeof(c->audit_file), c->root, "audit_file", true, err) ||
	    !copy_str(c->tls_cert, sizeof(c->tls_cert), c->root, "tls_cert", false, err) ||
	    !copy_str(c->tls_key, sizeof(c->tls_key), c->root, "tls_key", false, err) ||
	    !json_get_str(c->root, "pool", NULL, true, &pool, err))
		return false;
	if (!wgdev_ifname_valid(c->interface))
		return err_set(err, "interface: \"%.64s\" is not an interface name", c->interface);
	if (!enr_pool_parse(&c->pool, pool, err)) {
		err_prefix(err, "pool: ");
		return false;
	}
	if (!*c->tls_cert != !*c->tls_key)
		return err_set(err, "tls_cert and tls_key: give both or neither");
	n = c->port;
	if (!json_get_int(c->root, "port", NULL, 1, 65535, &n, NULL, err))
		return false;
	c->port = (uint16_t)n;
	n = c->keepalive;
	if (!json_get_int(c->root, "keepalive", NULL, 0, 65535, &n, NULL, err))
		return false;
	c->keepalive = (uint16_t)n;
	n = c->max_connections;
	if (!json_get_int(c->root, "max_connections", NULL, 1, 4096, &n, NULL, err))
		return false;
	c->max_connections = (unsigned int)n;
	n = c->timeout_sec;
	if (!json_get_int(c->root, "timeout", NULL, 1, 300, &n, NULL, err))
		return false;
	c->timeout_sec = (unsigned int)n;
	aips = json_object_get(c->root, "allowed_ips");
	if (!json_get_list(aips, "allowed_ips", "ranges", true, err))
		return false;
	json_array_foreach (aips, i, v) {
		struct wg_allowedip aip;

		if (!json_is_string(v) || !addr_allowedip_parse(&aip, json_string_value(v), err))
			return err_set(err, "allowed_ips[%zu]: not a range", i);
	}
	c->allowed_ips = aips;
	return true;
}

void enr_conf_free(struct enr_conf *c)
{
	json_decref(c->root);
	c->root = NULL;
}
