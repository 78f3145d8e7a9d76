// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "clientconf.h"
#include "json_get.h"
#include "wgcheck.h"
#include "wgstate.h"

static const char *const fields[] = {
    "name",	   "private_key_file",	   "preshared_key_file",
    "private_key", "preshared_key",	   "addresses",
    "dns",	   "server_public_key",	   "endpoint",
    "allowed_ips", "persistent_keepalive", "mtu",
    NULL,
};

bool clientconf_fields_known(json_t *spec, const char *path, struct err *err)
{
	return json_get_known(spec, path, fields, err);
}

static bool get_int(json_t *spec, const char *field, int min, int max, int *out, struct err *err)
{
	long long v;
	bool given;

	if (!json_get_int(spec, field, NULL, min, max, &v, &given, err))
		return false;
	if (given)
		*out = (int)v;
	return true;
}

/* A list of non-empty strings, at most @max; calls @each on every element. */
static bool get_list(json_t *spec, const char *field, unsigned int max, struct clientconf *cc,
		     bool (*each)(struct clientconf *, const char *, struct err *), struct err *err)
{
	json_t *arr = json_object_get(spec, field), *v;
	size_t i;

	if (!json_get_list(arr, field, "strings", false, err))
		return false;
	if (json_array_size(arr) > max)
		return err_set(err, "%s: at most %u entries", field, max);
	json_array_foreach (arr, i, v) {
		if (!json_is_string(v) || !json_string_length(v) ||
		    strlen(json_string_value(v)) != json_string_length(v))
			return err_set(err, "%s[%zu]: must be a non-empty string", field, i);
		if (!each(cc, json_string_value(v), err)) {
			err_prefix(err, "%s[%zu]: ", field, i);
			return false;
		}
	}
	return true;
}

bool clientconf_hostname_valid(const char *name)
{
	size_t len = strlen(name), label = 0, i;

	if (len == 0 || len > 253 || name[0] == '.' || name[len - 1] == '.')
		return false;
	for (i = 0; i <= len; i++) {
		char c = name[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || name[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      (c == '-' && label > 0)))
			return false;
		label++;
	}
	return true;
}

bool clientconf_endpoint_valid(const char *text, struct err *err)
{
	char host[CLIENTCONF_HOST_LEN];
	const char *colon = strrchr(text, ':');
	struct in6_addr a6;
	struct in_addr a4;
	uint16_t port;
	size_t hlen;

	if (!colon || !addr_port_parse(&port, colon + 1))
		return err_set(err, "\"%.64s\" is not host:port with a port from 1 to 65535", text);
	hlen = (size_t)(colon - text);
	if (hlen >= sizeof(host) || hlen == 0)
		return err_set(err, "\"%.64s\" has no valid host", text);
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (host[0] == '[') {
		if (hlen < 3 || host[hlen - 1] != ']')
			return err_set(err, "\"%.64s\": IPv6 addresses need [brackets]", text);
		host[hlen - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &a6) != 1)
			return err_set(err, "\"%.64s\" is not a valid IPv6 endpoint", text);
		return true;
	}
	if (strchr(host, ':'))
		return err_set(err, "\"%.64s\": IPv6 addresses need [brackets]", text);
	if (inet_pton(AF_INET, host, &a4) != 1 && !clientconf_hostname_valid(host))
		return err_set(err, "\"%.64s\" has no valid host name or address", text);
	return true;
}

/* An interface address: IP or IP/prefix (host bits allowed), canonical text out. */
static bool add_addr(struct clientconf *cc, const char *text, struct err *err)
{
	char host[INET6_ADDRSTRLEN + 1], canon[ADDR_STR_LEN];
	const char *slash = strchr(text, '/');
	size_t hlen = slash ? (size_t)(slash - text) : strlen(text);
	unsigned char raw[sizeof(struct in6_addr)];
	unsigned int i, cidr;
	int family, bits;

	if (hlen == 0 || hlen >= sizeof(host))
		return err_set(err, "\"%.64s\" is not an IP address", text);
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (inet_pton(AF_INET, host, raw) == 1)
		family = AF_INET, bits = 32;
	else if (inet_pton(AF_INET6, host, raw) == 1)
		family = AF_INET6, bits = 128;
	else
		return err_set(err, "\"%.64s\" is not an IP address", text);
	cidr = (unsigned int)bits;
	if (slash && (!addr_prefix_parse(&cidr, slash + 1, (unsigned int)bits) || cidr < 1))
		return err_set(err, "\"%.64s\" has an invalid prefix length (1-%d)", text, bits);
	inet_ntop(family, raw, host, sizeof(host));
	snprintf(canon, sizeof(canon), "%s/%u", host, cidr);
	for (i = 0; i < cc->n_addrs; i++)
		if (!strcmp(cc->addrs[i], canon))
			return err_set(err, "\"%s\" is listed twice", canon);
	memcpy(cc->addrs[cc->n_addrs++], canon, sizeof(canon));
	return true;
}

static bool add_dns(struct clientconf *cc, const char *text, struct err *err)
{
	unsigned char raw[sizeof(struct in6_addr)];
	char canon[CLIENTCONF_HOST_LEN];
	unsigned int i;

	if (inet_pton(AF_INET, text, raw) == 1)
		inet_ntop(AF_INET, raw, canon, sizeof(canon));
	else if (inet_pton(AF_INET6, text, raw) == 1)
		inet_ntop(AF_INET6, raw, canon, sizeof(canon));
	else if (clientconf_hostname_valid(text))
		snprintf(canon, sizeof(canon), "%s", text); /* a search domain, as in wg-quick */
	else
		return err_set(err, "\"%.64s\" is neither an IP address nor a search domain", text);
	for (i = 0; i < cc->n_dns; i++)
		if (!strcmp(cc->dns[i], canon))
			return err_set(err, "\"%s\" is listed twice", canon);
	memcpy(cc->dns[cc->n_dns++], canon, sizeof(canon));
	return true;
}

static bool add_aip(struct clientconf *cc, const char *text, struct err *err)
{
	struct wg_allowedip aip;
	char canon[ADDR_STR_LEN];
	unsigned int i;

	if (!addr_allowedip_parse(&aip, text, err))
		return false;
	for (i = 0; i < cc->n_aips; i++)
		if (!addr_allowedip_cmp(&cc->aips[i], &aip)) {
			addr_allowedip_str(canon, &aip);
			return err_set(err, "\"%s\" is listed twice", canon);
		}
	cc->aips[cc->n_aips++] = aip;
	return true;
}

/* A key given as @file_field (a path) or, with CLIENTCONF_INLINE_KEYS, as @inline_field. */
static bool get_key_source(json_t *spec, const char *file_field, const char *inline_field,
			   bool required, unsigned int flags, const char **file, const char **b64,
			   struct err *err)
{
	bool has_file = json_object_get(spec, file_field), has_inline;

	has_inline = json_object_get(spec, inline_field);
	if (has_file && has_inline)
		return err_set(err, "%s: give either %s or %s, not both", inline_field, file_field,
			       inline_field);
	if (has_inline && !(flags & CLIENTCONF_INLINE_KEYS))
		return err_set(err,
			       "%s: inline keys are accepted only in a spec read from stdin "
			       "(\"-\"); use %s",
			       inline_field, file_field);
	if (has_inline)
		return json_get_str(spec, inline_field, NULL, true, b64, err);
	return json_get_str(spec, file_field, NULL, required, file, err);
}

bool clientconf_parse(struct clientconf *cc, json_t *spec, unsigned int flags, struct err *err)
{
	const char *name, *pub, *endpoint;

	memset(cc, 0, sizeof(*cc));
	cc->keepalive = -1;
	if (!json_is_object(spec))
		return err_set(err, "the spec must be a JSON object");
	if (!clientconf_fields_known(spec, "", err) ||
	    !json_get_str(spec, "name", NULL, true, &name, err))
		return false;
	if (!wgstate_name_valid(name))
		return err_set(err,
			       "name: \"%.64s\" is not 1-63 of [A-Za-z0-9._@-] starting "
			       "with a letter or digit",
			       name);
	snprintf(cc->name, sizeof(cc->name), "%s", name);
	if (!get_key_source(spec, "private_key_file", "private_key", true, flags,
			    &cc->private_key_file, &cc->private_key_b64, err) ||
	    !get_key_source(spec, "preshared_key_file", "preshared_key", false, flags,
			    &cc->preshared_key_file, &cc->preshared_key_b64, err))
		return false;
	if (!json_object_get(spec, "addresses"))
		return err_set(err, "addresses: is required");
	if (!get_list(spec, "addresses", CLIENTCONF_MAX_ADDRS, cc, add_addr, err))
		return false;
	if (!cc->n_addrs)
		return err_set(err, "addresses: at least one address is needed");
	if (json_object_get(spec, "dns") &&
	    !get_list(spec, "dns", CLIENTCONF_MAX_DNS, cc, add_dns, err))
		return false;
	if (!json_get_str(spec, "server_public_key", NULL, true, &pub, err))
		return false;
	if (!key_from_base64(cc->server_public_key, pub))
		return err_set(err, "server_public_key: \"%.64s\" is not a base64 key of 32 bytes",
			       pub);
	if (!wgcheck_public_key(cc->server_public_key, pub, err)) {
		err_prefix(err, "server_");
		return false;
	}
	if (!json_get_str(spec, "endpoint", NULL, true, &endpoint, err))
		return false;
	if (!clientconf_endpoint_valid(endpoint, err)) {
		err_prefix(err, "endpoint: ");
		return false;
	}
	snprintf(cc->endpoint, sizeof(cc->endpoint), "%s", endpoint);
	if (json_object_get(spec, "allowed_ips")) {
		if (!get_list(spec, "allowed_ips", CLIENTCONF_MAX_AIPS, cc, add_aip, err))
			return false;
		if (!cc->n_aips)
			return err_set(err, "allowed_ips: must not be empty (default: %s)",
				       CLIENTCONF_DEFAULT_AIP);
	} else if (!add_aip(cc, CLIENTCONF_DEFAULT_AIP, err)) {
		return false;
	}
	return get_int(spec, "persistent_keepalive", 0, 65535, &cc->keepalive, err) &&
	       get_int(spec, "mtu", 576, 9000, &cc->mtu, err);
}

/* One key from its inline base64 text or its file; @field is the inline field's name. */
static bool read_key(uint8_t key[static KEY_LEN], const char *file, const char *b64,
		     const char *field, struct err *err)
{
	if (b64) {
		/* Never quote the value: it is a secret. */
		if (!key_from_base64(key, b64))
			return err_set(err, "%s: is not a base64 key of 32 bytes", field);
		return true;
	}
	if (key_read_file(key, file, err)) {
		err_prefix(err, "%s_file: ", field);
		return false;
	}
	return true;
}

bool clientconf_read_keys(struct clientconf *cc, struct err *err)
{
	if (!read_key(cc->private_key, cc->private_key_file, cc->private_key_b64, "private_key",
		      err))
		return false;
	if (key_public(cc->public_key, cc->private_key) < 0) {
		if (cc->private_key_b64)
			return err_set(err, "private_key: holds a key with no public key");
		return err_set(err, "private_key_file: \"%s\" holds a key with no public key",
			       cc->private_key_file);
	}
	if (key_eq(cc->public_key, cc->server_public_key))
		return err_set(err, "server_public_key: is the peer's own public key");
	if (cc->preshared_key_file || cc->preshared_key_b64) {
		if (!read_key(cc->preshared_key, cc->preshared_key_file, cc->preshared_key_b64,
			      "preshared_key", err))
			return false;
		cc->has_preshared_key = true;
	}
	return true;
}

static int join(struct buf *out, const char *label, const char (*items)[ADDR_STR_LEN],
		unsigned int n)
{
	unsigned int i;
	int ret = buf_printf(out, "%s = ", label);

	for (i = 0; !ret && i < n; i++)
		ret = buf_printf(out, "%s%s", i ? ", " : "", items[i]);
	return ret ? ret : buf_printf(out, "\n");
}

int clientconf_render(const struct clientconf *cc, struct buf *out)
{
	char b64[KEY_B64_LEN], aip[ADDR_STR_LEN];
	unsigned int i;
	int ret;

	key_to_base64(b64, cc->private_key);
	ret = buf_printf(out, "[Interface]\nPrivateKey = %s\n", b64);
	sodium_memzero(b64, sizeof(b64));
	if (!ret)
		ret = join(out, "Address", cc->addrs, cc->n_addrs);
	for (i = 0; !ret && i < cc->n_dns; i++)
		ret = buf_printf(out, "%s%s%s", i ? ", " : "DNS = ", cc->dns[i],
				 i + 1 == cc->n_dns ? "\n" : "");
	if (!ret && cc->mtu)
		ret = buf_printf(out, "MTU = %d\n", cc->mtu);
	key_to_base64(b64, cc->server_public_key);
	if (!ret)
		ret = buf_printf(out, "\n[Peer]\nPublicKey = %s\n", b64);
	if (!ret && cc->has_preshared_key) {
		key_to_base64(b64, cc->preshared_key);
		ret = buf_printf(out, "PresharedKey = %s\n", b64);
		sodium_memzero(b64, sizeof(b64));
	}
	for (i = 0; !ret && i < cc->n_aips; i++) {
		addr_allowedip_str(aip, &cc->aips[i]);
		ret = buf_printf(out, "%s%s%s", i ? ", " : "AllowedIPs = ", aip,
				 i + 1 == cc->n_aips ? "\n" : "");
	}
	if (!ret)
		ret = buf_printf(out, "Endpoint = %s\n", cc->endpoint);
	if (!ret && cc->keepalive > 0)
		ret = buf_printf(out, "PersistentKeepalive = %d\n", cc->keepalive);
	return ret;
}

void clientconf_wipe(struct clientconf *cc)
{
	sodium_memzero(cc->private_key, sizeof(cc->private_key));
	sodium_memzero(cc->preshared_key, sizeof(cc->preshared_key));
}
