/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nft-apply's policy: the JSON document of docs/nft-apply.md, parsed strictly (unknown fields are
 * errors that name the field) and validated completely before anything talks to the kernel.
 * IPv4 addresses are kept in host byte order as inclusive ranges; IPv6 ones (input sources only)
 * as inclusive ranges of network-order bytes, which compare like numbers with memcmp.
 */
#ifndef WARREN_NFT_POLICY_H
#define WARREN_NFT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"

#define NFT_POLICY_NAME_MAX   64
#define NFT_POLICY_IFNAME_MAX 16 /* IFNAMSIZ, with the NUL */
#define NFT_POLICY_PREFIX_MAX 96 /* leaves room for the suffix inside the kernel's 127 */

struct nft_range {
	uint32_t lo, hi; /* inclusive; addresses in host byte order */
};

struct nft_range6 {
	uint8_t lo[16], hi[16]; /* inclusive; network byte order */
};

/* One entry of a peer's access list: a destination, optionally limited to a protocol and ports. */
struct nft_access {
	struct nft_range dst;
	uint8_t proto; /* 0: any protocol */
	size_t nports; /* 0: any port (or a protocol without ports) */
	struct nft_range *ports;
};

enum {
	NFT_PEER_HAS_ACCESS = 1U << 0, /* an access list was given, possibly empty */
};

struct nft_peer {
	char name[NFT_POLICY_NAME_MAX];
	uint32_t addr;
	uint32_t flags;
	size_t naccess;
	struct nft_access *access;
};

/*
 * Input access to the gateway itself: a protocol and ports, from the named sources of either
 * family; without "sources" from anywhere (0.0.0.0/0 and ::/0).
 */
struct nft_input {
	char name[NFT_POLICY_NAME_MAX];
	uint8_t proto;
	size_t nports, nsources, nsources6;
	struct nft_range *ports, *sources;
	struct nft_range6 *sources6;
};

enum {
	NFT_POLICY_HAS_WG_SOURCES = 1U << 0, /* absent: any source may reach the WireGuard port */
	NFT_POLICY_MASQUERADE = 1U << 1,
	NFT_POLICY_LOG = 1U << 2,
	NFT_POLICY_PEER_TO_PEER = 1U << 3, /* peers may reach each other through allow_networks */
	NFT_POLICY_MSS_CLAMP = 1U << 4,	   /* clamp forwarded TCP SYNs' MSS to the route MTU */
	NFT_POLICY_BANS = 1U << 5,	   /* ban4/ban6 sets (elements added by fail2ban) dropped */
	NFT_POLICY_INPUT_DROP = 1U << 6,   /* input_policy "drop": only what is listed gets in */
	NFT_POLICY_HAS_INPUT6 = 1U << 7,   /* some input entry has IPv6 sources: set in_allow6 */
	NFT_POLICY_HAS_WG6 = 1U << 8,	   /* wg_sources has IPv6 entries: set wg_src6 */
};

struct nft_policy {
	char table[NFT_POLICY_NAME_MAX];
	char iface[NFT_POLICY_IFNAME_MAX];
	uint32_t flags;
	uint16_t listen_port;
	struct nft_range vpn;
	size_t nwg_sources, nwg_sources6, nallow, ndeny, ninputs, npeers;
	struct nft_range *wg_sources, *allow, *deny;
	struct nft_range6 *wg_sources6;
	struct nft_input *inputs;
	struct nft_peer *peers;
	char log_prefix[NFT_POLICY_PREFIX_MAX];
	uint32_t log_rate, log_burst;
	uint64_t log_unit; /* seconds */
	int32_t prio_filter, prio_nat;
};

/* Parses and validates @doc into @pol (zeroed first). On false, err names the field and value. */
bool nft_policy_parse(struct nft_policy *pol, json_t *doc, struct err *err);
/* Same, from a file (JSON_REJECT_DUPLICATES). */
bool nft_policy_load(struct nft_policy *pol, const char *path, struct err *err);
/* The file's bytes (malloc'd), and the same parse from them; @path only names it in messages. */
char *nft_policy_read(const char *path, size_t *len, struct err *err);
bool nft_policy_load_buf(struct nft_policy *pol, const char *buf, size_t len, const char *path,
			 struct err *err);
void nft_policy_free(struct nft_policy *pol);

/* "10.0.0.0/8" or "10.1.2.3" (a /32). Refuses host bits beyond the prefix. */
bool nft_parse_cidr(struct nft_range *r, const char *s, struct err *err);
/* "2001:db8::/32" or "2001:db8::1" (a /128). Refuses host bits beyond the prefix. */
bool nft_parse_cidr6(struct nft_range6 *r, const char *s, struct err *err);
/* A port 1-65535 (JSON integer) or "LO-HI" string. */
bool nft_parse_port(struct nft_range *r, json_t *v, struct err *err);
/* "tcp", "udp", "icmp", ... to an IP protocol number; 0 when unknown. */
uint8_t nft_proto_number(const char *name);
bool nft_proto_has_ports(uint8_t proto);
/* Sorts and merges overlapping or adjacent ranges in place; returns the new count. */
size_t nft_ranges_merge(struct nft_range *r, size_t n);
size_t nft_ranges6_merge(struct nft_range6 *r, size_t n);
/* @a + 1 into @out; false when @a is the last address (all ones). */
bool nft_addr6_next(uint8_t out[static 16], const uint8_t a[static 16]);

#endif
