// SPDX-License-Identifier: GPL-2.0-only
/* Strict parser of the nft-apply policy document; see docs/nft-apply.md for the schema. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_get.h"
#include "nft_check.h"
#include "nft_policy.h"

/* nft-apply names a field `field "PATH"` in its messages. */
#define NAME_LEN (JSON_PATH_MAX + 8)

static const char *field(char name[static NAME_LEN], const char *path, const char *key)
{
	char p[JSON_PATH_MAX];

	if (key)
		json_path_key(p, path, key);
	snprintf(name, NAME_LEN, "field \"%s\"", key ? p : path);
	return name;
}

/* Names the field in front of the message a value parser left in @err. */
static bool at(struct err *err, const char *path)
{
	err_prefix(err, "field \"%s\": ", path);
	return false;
}

static bool check_keys(json_t *obj, const char *path, const char *const *allowed, struct err *err)
{
	if (!json_is_object(obj))
		return err_set(err, "field \"%s\": must be an object", path);
	return json_get_known(obj, path, allowed, err);
}

/* A string of 1 to @size - 1 characters copied into @out. */
static bool get_string(json_t *obj, const char *key, const char *path, char *out, size_t size,
		       bool required, struct err *err)
{
	char name[NAME_LEN];
	const char *s = NULL;

	if (!json_get_str(obj, key, field(name, path, key), required, &s, err))
		return false;
	if (s && strlen(s) >= size)
		return err_set(err, "%s: \"%.40s\" must have 1 to %zu characters", name, s,
			       size - 1);
	if (s)
		strcpy(out, s);
	return true;
}

static bool get_int(json_t *obj, const char *key, const char *path, long long lo, long long hi,
		    long long *out, struct err *err)
{
	char name[NAME_LEN];

	return json_get_int(obj, key, field(name, path, key), lo, hi, out, NULL, err);
}

static bool get_array(json_t *v, const char *path, const char *of, bool nonempty, struct err *err)
{
	char name[NAME_LEN];

	return json_get_list(v, field(name, path, NULL), of, nonempty, err);
}

/* A list of CIDRs; with @out6, IPv6 ones (those with a colon) go there, else they are errors. */
static bool cidr_list(json_t *v, const char *path, bool nonempty, struct nft_range **out, size_t *n,
		      struct nft_range6 **out6, size_t *n6, struct err *err)
{
	char p[JSON_PATH_MAX];
	const char *s;
	json_t *e;
	size_t i;
	bool ok;

	if (!get_array(v, path, "CIDR strings", nonempty, err))
		return false;
	*out = calloc(json_array_size(v) + 1, sizeof(**out));
	if (out6)
		*out6 = calloc(json_array_size(v) + 1, sizeof(**out6));
	if (!*out || (out6 && !*out6))
		return err_set(err, "out of memory");
	json_array_foreach (v, i, e) {
		json_path_idx(p, path, i);
		if (!json_is_string(e))
			return err_set(err, "field \"%s\": must be a CIDR string", p);
		s = json_string_value(e);
		if (out6 && strchr(s, ':'))
			ok = nft_parse_cidr6(&(*out6)[(*n6)++], s, err);
		else
			ok = nft_parse_cidr(&(*out)[(*n)++], s, err);
		if (!ok)
			return at(err, p);
	}
	return true;
}

static bool port_list(json_t *v, const char *path, struct nft_range **out, size_t *n,
		      struct err *err)
{
	char p[JSON_PATH_MAX];
	json_t *e;
	size_t i;

	if (!get_array(v, path, "ports", true, err))
		return false;
	*out = calloc(json_array_size(v), sizeof(**out));
	if (!*out)
		return err_set(err, "out of memory");
	json_array_foreach (v, i, e) {
		json_path_idx(p, path, i);
		if (!nft_parse_port(&(*out)[i], e, err))
			return at(err, p);
	}
	*n = json_array_size(v);
	return true;
}

static bool proto_field(json_t *obj, const char *path, uint8_t *proto, struct err *err)
{
	json_t *v = json_object_get(obj, "proto");

	if (!v)
		return true;
	if (!json_is_string(v) || !(*proto = nft_proto_number(json_string_value(v))))
		return err_set(err,
			       "field \"%s.proto\": \"%.20s\" is not one of icmp, tcp, udp, gre, "
			       "esp, ah, sctp, udplite",
			       path, json_is_string(v) ? json_string_value(v) : "?");
	return true;
}

static bool ports_field(json_t *obj, const char *path, uint8_t proto, struct nft_range **ports,
			size_t *n, struct err *err)
{
	char p[JSON_PATH_MAX];
	json_t *v = json_object_get(obj, "ports");

	if (!v)
		return true;
	json_path_key(p, path, "ports");
	if (!nft_proto_has_ports(proto))
		return err_set(err, "field \"%s\": needs \"proto\" tcp, udp, sctp or udplite", p);
	return port_list(v, p, ports, n, err);
}

static bool parse_access(struct nft_access *a, json_t *obj, const char *path, struct err *err)
{
	static const char *const keys[] = {"to", "proto", "ports", NULL};
	json_t *to;

	if (!check_keys(obj, path, keys, err))
		return false;
	to = json_object_get(obj, "to");
	if (!to || !json_is_string(to))
		return err_set(err, "field \"%s.to\": is required, a CIDR string", path);
	if (!nft_parse_cidr(&a->dst, json_string_value(to), err)) {
		err_prefix(err, "field \"%s.to\": ", path);
		return false;
	}
	return proto_field(obj, path, &a->proto, err) &&
	       ports_field(obj, path, a->proto, &a->ports, &a->nports, err);
}

static bool parse_peer(struct nft_peer *peer, json_t *obj, const char *path, struct err *err)
{
	static const char *const keys[] = {"name", "address", "access", NULL};
	char p[JSON_PATH_MAX], addr[24] = "";
	struct nft_range r;
	json_t *acl, *e;
	size_t i;

	if (!check_keys(obj, path, keys, err) ||
	    !get_string(obj, "name", path, peer->name, sizeof(peer->name), false, err) ||
	    !get_string(obj, "address", path, addr, sizeof(addr), true, err))
		return false;
	json_path_key(p, path, "address");
	if (!nft_parse_cidr(&r, addr, err))
		return at(err, p); /* @r is unset: the parser's message says why */
	if (r.lo != r.hi) {
		err_set(err, "\"%s\" must be a single address", addr);
		return at(err, p);
	}
	peer->addr = r.lo;
	acl = json_object_get(obj, "access");
	if (!acl)
		return true;
	json_path_key(p, path, "access");
	if (!get_array(acl, p, NULL, false, err))
		return false;
	peer->flags |= NFT_PEER_HAS_ACCESS;
	peer->access = calloc(json_array_size(acl) + 1, sizeof(*peer->access));
	if (!peer->access)
		return err_set(err, "out of memory");
	json_array_foreach (acl, i, e) {
		json_path_key(p, path, "access");
		json_path_idx(p, p, i);
		if (!parse_access(&peer->access[i], e, p, err))
			return false;
		peer->naccess++;
	}
	return true;
}

static bool parse_input(struct nft_input *in, json_t *obj, const char *path, struct err *err)
{
	static const char *const keys[] = {"name", "proto", "ports", "sources", NULL};
	char p[JSON_PATH_MAX];

	if (!check_keys(obj, path, keys, err) ||
	    !get_string(obj, "name", path, in->name, sizeof(in->name), true, err) ||
	    !proto_field(obj, path, &in->proto, err))
		return false;
	if (!in->proto)
		return err_set(err, "field \"%s.proto\": is required", path);
	if (!json_object_get(obj, "ports"))
		return err_set(err, "field \"%s.ports\": is required", path);
	if (!ports_field(obj, path, in->proto, &in->ports, &in->nports, err))
		return false;
	json_path_key(p, path, "sources");
	if (json_object_get(obj, "sources"))
		return cidr_list(json_object_get(obj, "sources"), p, true, &in->sources,
				 &in->nsources, &in->sources6, &in->nsources6, err);
	/* No sources: public, from anywhere, both families. */
	in->sources = calloc(1, sizeof(*in->sources));
	in->sources6 = calloc(1, sizeof(*in->sources6));
	if (!in->sources || !in->sources6)
		return err_set(err, "out of memory");
	in->sources->hi = UINT32_MAX;
	memset(in->sources6->hi, 0xff, sizeof(in->sources6->hi));
	in->nsources = in->nsources6 = 1;
	return true;
}

static bool parse_log(struct nft_policy *pol, json_t *obj, struct err *err)
{
	static const char *const keys[] = {"enabled", "prefix", "rate", "per", "burst", NULL};
	static const struct {
		const char *name;
		uint64_t seconds;
	} units[] = {{"second", 1}, {"minute", 60}, {"hour", 3600}, {"day", 86400}};
	long long rate = pol->log_rate, burst = pol->log_burst;
	bool enabled = true;
	json_t *v;
	size_t i;

	if (!check_keys(obj, "log", keys, err))
		return false;
	if (!json_get_bool(obj, "enabled", "field \"log.enabled\"", &enabled, NULL, err))
		return false;
	if (!enabled)
		pol->flags &= ~NFT_POLICY_LOG;
	if (!get_string(obj, "prefix", "log", pol->log_prefix, sizeof(pol->log_prefix), false,
			err) ||
	    !get_int(obj, "rate", "log", 1, 1000000, &rate, err) ||
	    !get_int(obj, "burst", "log", 1, 1000000, &burst, err))
		return false;
	for (i = 0; pol->log_prefix[i]; i++)
		if (pol->log_prefix[i] < ' ' || pol->log_prefix[i] > '~' ||
		    pol->log_prefix[i] == '"')
			return err_set(
			    err,
			    "field \"log.prefix\": \"%s\" must be printable ASCII without "
			    "quotes",
			    pol->log_prefix);
	v = json_object_get(obj, "per");
	if (v) {
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (json_is_string(v) && !strcmp(json_string_value(v), units[i].name))
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return err_set(err,
				       "field \"log.per\": must be second, minute, hour or day");
		pol->log_unit = units[i].seconds;
	}
	pol->log_rate = (uint32_t)rate;
	pol->log_burst = (uint32_t)burst;
	return true;
}

static bool parse_priority(struct nft_policy *pol, json_t *obj, struct err *err)
{
	static const char *const keys[] = {"filter", "nat", NULL};
	long long f = pol->prio_filter, n = pol->prio_nat;

	if (!check_keys(obj, "priority", keys, err) ||
	    !get_int(obj, "filter", "priority", INT32_MIN, INT32_MAX, &f, err) ||
	    !get_int(obj, "nat", "priority", INT32_MIN, INT32_MAX, &n, err))
		return false;
	pol->prio_filter = (int32_t)f;
	pol->prio_nat = (int32_t)n;
	return true;
}

static bool parse_lists(struct nft_policy *pol, json_t *doc, struct err *err)
{
	char p[JSON_PATH_MAX];
	json_t *v, *e;
	size_t i;

	if ((v = json_object_get(doc, "wg_sources"))) {
		pol->flags |= NFT_POLICY_HAS_WG_SOURCES;
		if (!cidr_list(v, "wg_sources", true, &pol->wg_sources, &pol->nwg_sources,
			       &pol->wg_sources6, &pol->nwg_sources6, err))
			return false;
		if (pol->nwg_sources6)
			pol->flags |= NFT_POLICY_HAS_WG6;
	}
	if ((v = json_object_get(doc, "allow_networks")) &&
	    !cidr_list(v, "allow_networks", false, &pol->allow, &pol->nallow, NULL, NULL, err))
		return false;
	if ((v = json_object_get(doc, "deny_networks")) &&
	    !cidr_list(v, "deny_networks", false, &pol->deny, &pol->ndeny, NULL, NULL, err))
		return false;
	if ((v = json_object_get(doc, "input"))) {
		if (!get_array(v, "input", NULL, false, err))
			return false;
		pol->inputs = calloc(json_array_size(v) + 1, sizeof(*pol->inputs));
		if (!pol->inputs)
			return err_set(err, "out of memory");
		json_array_foreach (v, i, e) {
			json_path_idx(p, "input", i);
			pol->ninputs++; /* counted first: nft_policy_free frees what it holds */
			if (!parse_input(&pol->inputs[i], e, p, err))
				return false;
			if (pol->inputs[i].nsources6)
				pol->flags |= NFT_POLICY_HAS_INPUT6;
		}
	}
	if ((v = json_object_get(doc, "peers"))) {
		if (!get_array(v, "peers", NULL, false, err))
			return false;
		pol->peers = calloc(json_array_size(v) + 1, sizeof(*pol->peers));
		if (!pol->peers)
			return err_set(err, "out of memory");
		json_array_foreach (v, i, e) {
			json_path_idx(p, "peers", i);
			if (!parse_peer(&pol->peers[i], e, p, err))
				return false;
			pol->npeers++;
		}
	}
	return true;
}

static bool valid_name(const char *s, const char *field, struct err *err)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.'))
			return err_set(err, "field \"%s\": may hold only letters, digits, _ - .",
				       field);
	return true;
}

/* An optional boolean field: true sets @flag in @flags, false clears it, absent keeps it. */
static bool get_flag(json_t *doc, const char *key, uint32_t flag, uint32_t *flags, struct err *err)
{
	char name[NAME_LEN];
	bool on = (*flags & flag) != 0;

	if (!json_get_bool(doc, key, field(name, "", key), &on, NULL, err))
		return false;
	*flags = on ? *flags | flag : *flags & ~flag;
	return true;
}

/* "input_policy": "accept" (the default: only listed ports are governed) or "drop". */
static bool input_policy(json_t *doc, uint32_t *flags, struct err *err)
{
	json_t *v = json_object_get(doc, "input_policy");

	if (!v || (json_is_string(v) && !strcmp(json_string_value(v), "accept")))
		return true;
	if (json_is_string(v) && !strcmp(json_string_value(v), "drop")) {
		*flags |= NFT_POLICY_INPUT_DROP;
		return true;
	}
	return err_set(err, "field \"input_policy\": \"%.20s\" must be \"accept\" or \"drop\"",
		       json_is_string(v) ? json_string_value(v) : "?");
}

bool nft_policy_parse(struct nft_policy *pol, json_t *doc, struct err *err)
{
	static const char *const keys[] = {
	    "table",	    "interface",      "listen_port",   "wg_sources",
	    "vpn_subnet",   "allow_networks", "deny_networks", "masquerade",
	    "input",	    "peers",	      "log",	       "priority",
	    "peer_to_peer", "mss_clamp",      "bans",	       "input_policy",
	    NULL,
	};
	char vpn[24];
	long long port = 0;
	json_t *v;

	memset(pol, 0, sizeof(*pol));
	strcpy(pol->table, "warren");
	strcpy(pol->log_prefix, "warren");
	pol->flags = NFT_POLICY_LOG | NFT_POLICY_MSS_CLAMP;
	pol->log_rate = 10;
	pol->log_unit = 60;
	pol->log_burst = 5;
	pol->prio_nat = 100;
	if (!json_is_object(doc))
		return err_set(err, "the policy must be a JSON object");
	if (!check_keys(doc, "", keys, err) ||
	    !get_string(doc, "table", "", pol->table, sizeof(pol->table), false, err) ||
	    !valid_name(pol->table, "table", err) ||
	    !get_string(doc, "interface", "", pol->iface, sizeof(pol->iface), true, err) ||
	    !valid_name(pol->iface, "interface", err) ||
	    !get_string(doc, "vpn_subnet", "", vpn, sizeof(vpn), true, err))
		goto fail;
	if (!json_object_get(doc, "listen_port")) {
		err_set(err, "field \"listen_port\": is required");
		goto fail;
	}
	if (!get_int(doc, "listen_port", "", 1, 65535, &port, err))
		goto fail;
	pol->listen_port = (uint16_t)port;
	if (!nft_parse_cidr(&pol->vpn, vpn, err)) {
		at(err, "vpn_subnet");
		goto fail;
	}
	if (!get_flag(doc, "masquerade", NFT_POLICY_MASQUERADE, &pol->flags, err) ||
	    !get_flag(doc, "peer_to_peer", NFT_POLICY_PEER_TO_PEER, &pol->flags, err) ||
	    !get_flag(doc, "mss_clamp", NFT_POLICY_MSS_CLAMP, &pol->flags, err) ||
	    !get_flag(doc, "bans", NFT_POLICY_BANS, &pol->flags, err) ||
	    !input_policy(doc, &pol->flags, err))
		goto fail;
	if (!parse_lists(pol, doc, err) ||
	    ((v = json_object_get(doc, "log")) && !parse_log(pol, v, err)) ||
	    ((v = json_object_get(doc, "priority")) && !parse_priority(pol, v, err)) ||
	    !nft_policy_check(pol, err))
		goto fail;
	return true;
fail:
	nft_policy_free(pol);
	return false;
}

void nft_policy_free(struct nft_policy *pol)
{
	size_t i, j;

	for (i = 0; pol->inputs && i < pol->ninputs; i++) {
		free(pol->inputs[i].ports);
		free(pol->inputs[i].sources);
		free(pol->inputs[i].sources6);
	}
	for (i = 0; pol->peers && i < pol->npeers + 1; i++) {
		for (j = 0; pol->peers[i].access && j <= pol->peers[i].naccess; j++)
			free(pol->peers[i].access[j].ports);
		free(pol->peers[i].access);
	}
	free(pol->inputs);
	free(pol->peers);
	free(pol->wg_sources);
	free(pol->wg_sources6);
	free(pol->allow);
	free(pol->deny);
	memset(pol, 0, sizeof(*pol));
}
