// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: nft policy values, strict parsing and validation, the built model and its diff. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <linux/netfilter/nf_tables.h>

#include "check.h"
#include "nft-apply/nft_build.h"
#include "nft-apply/nft_policy.h"
#include "nft-apply/nft_sync.h"

static const char *const base =
    "{\"interface\":\"wg0\",\"listen_port\":51820,\"vpn_subnet\":\"192.168.100.0/24\","
    "\"allow_networks\":[\"192.168.0.0/16\",\"192.168.1.0/24\",\"10.0.0.0/8\"],"
    "\"deny_networks\":[\"172.16.10.0/24\"],\"masquerade\":true,"
    "\"input\":[{\"name\":\"ssh\",\"proto\":\"tcp\",\"ports\":[22],\"sources\":[\"10.1.0.0/16\"]}],"
    "\"peers\":[{\"address\":\"192.168.100.2\"},"
    "{\"name\":\"c\",\"address\":\"192.168.100.3\",\"access\":["
    "{\"to\":\"192.168.20.5\",\"proto\":\"tcp\",\"ports\":[22,\"8000-8080\"]},"
    "{\"to\":\"192.168.20.0/24\",\"proto\":\"icmp\"},{\"to\":\"192.168.30.0/24\"}]}]}";

static void test_values(void)
{
	struct nft_range r, v[5] = {{10, 20}, {1, 5}, {21, 30}, {4, 8}, {40, 50}};
	struct err err = {""};
	json_t *j;

	CHECK(nft_parse_cidr(&r, "10.0.0.0/8", &err) && r.lo == 0x0a000000 && r.hi == 0x0affffff);
	CHECK(nft_parse_cidr(&r, "192.168.1.7", &err) && r.lo == r.hi && r.lo == 0xc0a80107);
	CHECK(nft_parse_cidr(&r, "0.0.0.0/0", &err) && r.lo == 0 && r.hi == UINT32_MAX);
	CHECK(!nft_parse_cidr(&r, "10.0.0.1/8", &err));
	CHECK_STR_CONTAINS(err.msg, "host bits");
	CHECK(!nft_parse_cidr(&r, "10.0.0.0/33", &err));
	CHECK(!nft_parse_cidr(&r, "10.0.0.0/08", &err));
	CHECK(!nft_parse_cidr(&r, "10.0.0.0/", &err));
	CHECK(!nft_parse_cidr(&r, "fd00::/8", &err));
	CHECK(!nft_parse_cidr(&r, "10.0.0", &err));
	/* Whitespace anywhere, signs: strtoul() would skip or take them. */
	CHECK(!nft_parse_cidr(&r, "10.0.0.0/\t8", &err));
	CHECK_STR_CONTAINS(err.msg, "invalid prefix length");
	CHECK(!nft_parse_cidr(&r, "10.0.0.0/ 8", &err));
	CHECK(!nft_parse_cidr(&r, "10.0.0.0/\n8", &err));
	CHECK(!nft_parse_cidr(&r, "10.0.0.0/+8", &err));
	CHECK(!nft_parse_cidr(&r, "10.0.0.0/-0", &err));
	CHECK(!nft_parse_cidr(&r, "10.0.0.0\t/8", &err));
	CHECK(!nft_parse_cidr(&r, " 10.0.0.0/8", &err));
	CHECK(!nft_parse_cidr(&r, "10.0.0.0/8 ", &err));
	j = json_integer(443);
	CHECK(nft_parse_port(&r, j, &err) && r.lo == 443 && r.hi == 443);
	json_decref(j);
	j = json_string("1000-2000");
	CHECK(nft_parse_port(&r, j, &err) && r.lo == 1000 && r.hi == 2000);
	json_decref(j);
	j = json_string("2000-1000");
	CHECK(!nft_parse_port(&r, j, &err));
	json_decref(j);
	j = json_string("80");
	CHECK(!nft_parse_port(&r, j, &err));
	json_decref(j);
	j = json_integer(65536);
	CHECK(!nft_parse_port(&r, j, &err));
	json_decref(j);
	CHECK(nft_proto_number("tcp") == 6 && nft_proto_number("icmp") == 1);
	CHECK(nft_proto_number("TCP") == 0 && !nft_proto_has_ports(1) && nft_proto_has_ports(17));
	CHECK(nft_ranges_merge(v, 5) == 3);
	CHECK(v[0].lo == 1 && v[0].hi == 8 && v[1].lo == 10 && v[1].hi == 30 && v[2].lo == 40);
}

/* Parses @text changed by nothing; returns whether it is valid, leaving the message in err. */
static bool parse(const char *text, struct nft_policy *pol, struct err *err)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, 0, &jerr);
	bool ok;

	if (!doc)
		return false;
	ok = nft_policy_parse(pol, doc, err);
	json_decref(doc);
	return ok;
}

/* The base policy with @key set to @value (a JSON text) at the top level. */
static bool with(const char *key, const char *value, struct err *err)
{
	struct nft_policy pol;
	json_t *doc = json_loads(base, 0, NULL), *v = json_loads(value, JSON_DECODE_ANY, NULL);
	bool ok;

	json_object_set_new(doc, key, v);
	ok = nft_policy_parse(&pol, doc, err);
	json_decref(doc);
	if (ok)
		nft_policy_free(&pol);
	return ok;
}

/* Fills the stack below the caller with bytes that differ from word to word. */
static void __attribute__((noinline)) dirty_stack(void)
{
	volatile unsigned char junk[1 << 16];
	size_t i;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 7 + (i >> 3));
}

static void test_parse(void)
{
	struct nft_policy pol;
	struct err err = {""};

	CHECK(parse(base, &pol, &err));
	CHECK(!strcmp(pol.table, "warren") && !strcmp(pol.iface, "wg0") &&
	      pol.listen_port == 51820);
	CHECK(pol.nallow == 2); /* 192.168.1.0/24 merged into 192.168.0.0/16 */
	CHECK(pol.npeers == 2 && !(pol.peers[0].flags & NFT_PEER_HAS_ACCESS));
	CHECK(pol.peers[1].naccess == 3 && pol.peers[1].access[0].nports == 2);
	CHECK(pol.peers[1].access[0].ports[1].lo == 8000 && pol.peers[1].access[2].proto == 0);
	CHECK((pol.flags & NFT_POLICY_MASQUERADE) && (pol.flags & NFT_POLICY_LOG));
	CHECK(!(pol.flags & NFT_POLICY_HAS_WG_SOURCES) && pol.prio_nat == 100);
	CHECK(pol.log_rate == 10 && pol.log_unit == 60 && !strcmp(pol.log_prefix, "warren"));
	CHECK(pol.flags & NFT_POLICY_MSS_CLAMP); /* on unless the policy says false */
	nft_policy_free(&pol);
	CHECK(with("mss_clamp", "false", &err) && with("mss_clamp", "true", &err));
	CHECK(!with("mss_clamp", "1380", &err));
	CHECK_STR_CONTAINS(err.msg, "\"mss_clamp\": must be true or false");
	CHECK(with("bans", "true", &err) && !with("bans", "\"yes\"", &err));
	CHECK_STR_CONTAINS(err.msg, "\"bans\": must be true or false");

	CHECK(!with("bogus", "1", &err));
	CHECK_STR_CONTAINS(err.msg, "unknown field \"bogus\"");
	/* A peer address that does not parse: the parser's message, not a verdict on an unset
	 * range. The stack is dirtied first so that the unset range is not zero by luck. */
	dirty_stack();
	CHECK(!with("peers", "[{\"address\":\"192.168.100.300\"}]", &err));
	CHECK_STR_CONTAINS(err.msg, "\"192.168.100.300\" is not an IPv4 address");
	dirty_stack();
	CHECK(!with("peers", "[{\"address\":\"192.168.100.0/\\t30\"}]", &err));
	CHECK_STR_CONTAINS(err.msg, "invalid prefix length");
	CHECK(!with("peers", "[{\"address\":\"192.168.100.2\",\"acl\":[]}]", &err));
	CHECK_STR_CONTAINS(err.msg, "unknown field \"peers[0].acl\"");
	CHECK(!with("peers", "[{\"address\":\"192.168.101.2\"}]", &err));
	CHECK_STR_CONTAINS(err.msg, "peers[0].address");
	CHECK_STR_CONTAINS(err.msg, "outside vpn_subnet");
	CHECK(!with("peers", "[{\"address\":\"192.168.100.2\"},{\"address\":\"192.168.100.2\"}]",
		    &err));
	CHECK_STR_CONTAINS(err.msg, "peers[1].address");
	CHECK(
	    !with("peers",
		  "[{\"address\":\"192.168.100.2\",\"access\":[{\"to\":\"10.0.0.0/8\",\"proto\":"
		  "\"tcp\",\"ports\":[\"20-30\"]},{\"to\":\"10.1.1.1\",\"proto\":\"tcp\",\"ports\":"
		  "[25]}]}]",
		  &err));
	CHECK_STR_CONTAINS(err.msg, "peers[0].access[1]\": overlaps access[0]");
	/* Same destination, different protocols or disjoint ports: no overlap. */
	CHECK(with(
	    "peers",
	    "[{\"address\":\"192.168.100.2\",\"access\":[{\"to\":\"10.0.0.0/8\",\"proto\":"
	    "\"tcp\",\"ports\":[22]},{\"to\":\"10.0.0.0/8\",\"proto\":\"udp\",\"ports\":[22]},"
	    "{\"to\":\"10.0.0.0/8\",\"proto\":\"tcp\",\"ports\":[23]},{\"to\":\"10.0.0.0/8\"}]}]",
	    &err));
	CHECK(!with("peers",
		    "[{\"address\":\"192.168.100.2\",\"access\":[{\"to\":\"10.0.0.0/8\","
		    "\"ports\":[22]}]}]",
		    &err));
	CHECK_STR_CONTAINS(err.msg, "peers[0].access[0].ports");
	CHECK(!with("listen_port", "0", &err));
	CHECK_STR_CONTAINS(err.msg, "\"listen_port\"");
	CHECK(!with("wg_sources", "[]", &err));
	CHECK_STR_CONTAINS(err.msg, "\"wg_sources\"");
	CHECK(!with("log", "{\"per\":\"fortnight\"}", &err));
	CHECK_STR_CONTAINS(err.msg, "log.per");
	CHECK(!with("log", "{\"prefix\":\"bad\\nprefix\"}", &err));
	CHECK_STR_CONTAINS(err.msg, "log.prefix");
	CHECK(with("log", "{\"enabled\":false}", &err));
	CHECK(!with("input",
		    "[{\"name\":\"a\",\"proto\":\"tcp\",\"ports\":[22],\"sources\":["
		    "\"10.0.0.0/8\"]},{\"name\":\"b\",\"proto\":\"tcp\",\"ports\":[\"20-"
		    "25\"],\"sources\":[\"10.9.0.0/16\"]}]",
		    &err));
	CHECK_STR_CONTAINS(err.msg, "input[1]\": overlaps input[0] (\"a\")");
	CHECK(!with("table", "\"warren/x\"", &err));
	CHECK_STR_CONTAINS(err.msg, "\"table\"");
	CHECK(!parse("[1]", &pol, &err));
}

static struct nft_mset *set(struct nft_desired *d, const char *name)
{
	return nft_model_find_set(&d->model, name);
}

static void test_build(void)
{
	struct nft_desired a, b;
	struct nft_policy pol;
	struct nft_plan plan;
	struct err err = {""};
	uint32_t be;

	CHECK(parse(base, &pol, &err));
	CHECK(nft_build(&a, &pol) == 0);
	/* input 8 (peer rules 6, input 2), forward 10 (the MSS clamp first), postrouting 1, three
	 * drop chains of 2 */
	CHECK(a.model.nrules == 25 && a.nchains == 6 && a.nsets == 9 && a.nobjs == 3);
	/* allow: 2 ranges, each a start and an end element; deny: 1 range */
	CHECK(set(&a, "allow_nets")->nelems == 4 && nft_mset_count(set(&a, "allow_nets")) == 2);
	CHECK(set(&a, "peer_svc")->nelems == 2 && set(&a, "peer_proto")->nelems == 1);
	CHECK(set(&a, "peer_net")->nelems == 1 && set(&a, "restricted")->nelems == 1);
	CHECK(set(&a, "wg_src")->nelems == 0 && set(&a, "in_allow")->nelems == 1);
	/* peer_svc keys: saddr . daddr . proto . port, each padded to 4 bytes */
	be = htonl(0xc0a86403);
	CHECK(!memcmp(set(&a, "peer_svc")->elems[0].key, &be, 4));
	CHECK(set(&a, "peer_svc")->elems[0].key[8] == 6 &&
	      set(&a, "peer_svc")->elems[0].key[9] == 0);
	CHECK(set(&a, "peer_svc")->elems[1].key[12] == 0x1f &&
	      set(&a, "peer_svc")->elems[1].key[13] == 0x40);
	CHECK(set(&a, "peer_svc")->elems[1].key_end[12] == 0x1f &&
	      set(&a, "peer_svc")->elems[1].key_end[13] == 0x90);
	CHECK(nft_model_count_elements(&a.model) == 10);

	/* Identical policies: identical models, nothing to do. */
	CHECK(nft_build(&b, &pol) == 0);
	CHECK(nft_plan(&a, &b.model, &plan) == 0 && !plan.changed);
	nft_desired_free(&b);
	/* One port of one peer: one element out, one in, no replacement. */
	pol.peers[1].access[0].ports[0].lo = pol.peers[1].access[0].ports[0].hi = 2222;
	CHECK(nft_build(&b, &pol) == 0);
	CHECK(nft_plan(&b, &a.model, &plan) == 0 && plan.changed && !plan.replace);
	CHECK(plan.add == 1 && plan.del == 1 && plan.sets_changed == 1);
	/* A live element warren cannot have made (say, with a comment): replace, do not patch. */
	set(&a, "peer_net")->elems[0].flags |= NFT_ELEM_FOREIGN;
	CHECK(nft_plan(&b, &a.model, &plan) == 0 && plan.changed && plan.replace);
	set(&a, "peer_net")->elems[0].flags &= ~NFT_ELEM_FOREIGN;
	nft_desired_free(&b);
	/* No masquerade: a different structure, replaced whole. */
	pol.flags &= ~NFT_POLICY_MASQUERADE;
	CHECK(nft_build(&b, &pol) == 0);
	CHECK(b.model.nrules == 24 && b.nchains == 5); /* no postrouting chain */
	CHECK(nft_plan(&b, &a.model, &plan) == 0 && plan.changed && plan.replace);
	nft_desired_free(&b);
	/* Peers may reach each other: one rule fewer (no "iifname IF oifname IF" drop). */
	pol.flags |= NFT_POLICY_PEER_TO_PEER;
	CHECK(nft_build(&b, &pol) == 0);
	CHECK(b.model.nrules == 23 && b.nchains == 5);
	CHECK(nft_plan(&b, &a.model, &plan) == 0 && plan.changed && plan.replace);
	nft_desired_free(&b);
	/* Ban sets: two sets with timeouts and no elements of warren's, two rules in input and two
	 * in forward, first. */
	pol.flags |= NFT_POLICY_BANS;
	CHECK(nft_build(&b, &pol) == 0);
	CHECK(b.model.nrules == 27 && b.nsets == 11 && set(&b, "ban6")->key_len == 16);
	CHECK(set(&b, "ban4")->nelems == 0 && (set(&b, "ban4")->flags & NFT_SET_TIMEOUT));
	CHECK(nft_plan(&b, &a.model, &plan) == 0 && plan.changed && plan.replace);
	nft_desired_free(&b);
	pol.flags &= ~NFT_POLICY_BANS;
	/* No MSS clamp: one rule fewer again, and a different structure. */
	pol.flags &= ~NFT_POLICY_MSS_CLAMP;
	CHECK(nft_build(&b, &pol) == 0);
	CHECK(b.model.nrules == 22);
	CHECK(nft_plan(&b, &a.model, &plan) == 0 && plan.changed && plan.replace);
	nft_desired_free(&b);
	nft_desired_free(&a);
	nft_policy_free(&pol);
}

/* IPv6 values, input_policy, public entries and the default-drop input chain. */
static void test_input6(void)
{
	static const char *const edge =
	    "{\"interface\":\"wg0\",\"listen_port\":51820,\"vpn_subnet\":\"10.9.0.0/24\","
	    "\"input_policy\":\"drop\",\"wg_sources\":[\"192.0.2.0/24\",\"2001:db8:1::/48\","
	    "\"2001:db8:2::/"
	    "48\"],\"input\":[{\"name\":\"https\",\"proto\":\"tcp\",\"ports\":[443]},"
	    "{\"name\":\"ssh\",\"proto\":\"tcp\",\"ports\":[22],\"sources\":[\"198.51.100.7\","
	    "\"2001:db8:100::7\"]}]}";
	struct nft_range6 r6, v6[3];
	struct nft_desired a, b;
	struct nft_policy pol;
	struct nft_plan plan;
	struct err err = {""};
	uint8_t next[16];

	CHECK(nft_parse_cidr6(&r6, "2001:db8::/32", &err) && r6.lo[0] == 0x20 && r6.lo[4] == 0 &&
	      r6.hi[3] == 0xb8 && r6.hi[4] == 0xff && r6.hi[15] == 0xff);
	CHECK(nft_parse_cidr6(&r6, "::/0", &err) && r6.lo[0] == 0 && r6.hi[0] == 0xff);
	CHECK(nft_parse_cidr6(&r6, "fd00::7", &err) && !memcmp(r6.lo, r6.hi, 16) && r6.lo[15] == 7);
	CHECK(nft_parse_cidr6(&r6, "fc00::/7", &err) && r6.hi[0] == 0xfd && r6.hi[1] == 0xff);
	CHECK(!nft_parse_cidr6(&r6, "fd00::1/64", &err));
	CHECK_STR_CONTAINS(err.msg, "host bits");
	CHECK(
	    !nft_parse_cidr6(&r6, "fd00::/7", &err)); /* the first byte's last bit is a host bit */
	CHECK(!nft_parse_cidr6(&r6, "fd00::/129", &err) &&
	      !nft_parse_cidr6(&r6, "fd00::/ 8", &err));
	CHECK(!nft_parse_cidr6(&r6, "10.0.0.1", &err) && !nft_parse_cidr6(&r6, "fd00:::1", &err));
	CHECK(nft_addr6_next(next, r6.lo) && next[15] == 1);
	memset(r6.hi, 0xff, 16);
	CHECK(!nft_addr6_next(next, r6.hi));
	/* Merging: 2001:db8:1::/48 and 2001:db8:2::/48 are adjacent, 2001:db8:1:5::/64 inside. */
	CHECK(nft_parse_cidr6(&v6[0], "2001:db8:2::/48", &err) &&
	      nft_parse_cidr6(&v6[1], "2001:db8:1:5::/64", &err) &&
	      nft_parse_cidr6(&v6[2], "2001:db8:1::/48", &err));
	CHECK(nft_ranges6_merge(v6, 3) == 1 && v6[0].lo[5] == 1 && v6[0].hi[5] == 2);

	CHECK(parse(edge, &pol, &err));
	CHECK((pol.flags & NFT_POLICY_INPUT_DROP) && (pol.flags & NFT_POLICY_HAS_INPUT6) &&
	      (pol.flags & NFT_POLICY_HAS_WG6));
	CHECK(pol.nwg_sources == 1 && pol.nwg_sources6 == 1); /* the two /48s merged */
	/* No sources: from anywhere, both families. */
	CHECK(pol.inputs[0].nsources == 1 && pol.inputs[0].sources[0].lo == 0 &&
	      pol.inputs[0].sources[0].hi == UINT32_MAX && pol.inputs[0].nsources6 == 1);
	CHECK(pol.inputs[1].nsources == 1 && pol.inputs[1].nsources6 == 1);
	CHECK(nft_build(&a, &pol) == 0);
	/* input: head 1, deny and peer rules 6, wg 3, services 3, tail 2 + 7 ICMP + 2 = 24 (no
	 * WireGuard port rule: wg_sources decides); forward 10, three drop chains of 2 */
	CHECK(a.model.nrules == 40 && a.nsets == 11);
	CHECK(set(&a, "in_allow6")->nelems == 2 && set(&a, "in_allow6")->key_len == 24);
	/* wg_src6: one range, a start and an end element (one past 2001:db8:2:ffff:...) */
	CHECK(set(&a, "wg_src6")->nelems == 2 && set(&a, "wg_src6")->elems[1].key[5] == 3);
	/* The same policy with accept: a different structure (chain policy, rules), replaced. */
	pol.flags &= ~NFT_POLICY_INPUT_DROP;
	CHECK(nft_build(&b, &pol) == 0);
	CHECK(b.model.nrules == 28);
	CHECK(nft_plan(&b, &a.model, &plan) == 0 && plan.changed && plan.replace);
	nft_desired_free(&b);
	nft_desired_free(&a);
	nft_policy_free(&pol);

	CHECK(!parse("{\"interface\":\"wg0\",\"listen_port\":1,\"vpn_subnet\":\"10.9.0.0/24\","
		     "\"input_policy\":\"reject\"}",
		     &pol, &err));
	CHECK_STR_CONTAINS(err.msg, "field \"input_policy\": \"reject\" must be");
	CHECK(!parse("{\"interface\":\"wg0\",\"listen_port\":1,\"vpn_subnet\":\"10.9.0.0/24\","
		     "\"deny_networks\":[\"fd00::/8\"]}",
		     &pol, &err));
	CHECK_STR_CONTAINS(err.msg, "field \"deny_networks[0]\": \"fd00::/8\" is not an IPv4");
	CHECK(!parse("{\"interface\":\"wg0\",\"listen_port\":1,\"vpn_subnet\":\"10.9.0.0/24\","
		     "\"input\":[{\"name\":\"a\",\"proto\":\"tcp\",\"ports\":[22],\"sources\":"
		     "[\"fd00::/8\"]},{\"name\":\"b\",\"proto\":\"tcp\",\"ports\":[\"20-30\"]}]}",
		     &pol, &err));
	CHECK_STR_CONTAINS(err.msg, "field \"input[1]\": overlaps input[0]");
}

int main(void)
{
	test_values();
	test_parse();
	test_build();
	test_input6();
	return check_report("nft_policy_test");
}
