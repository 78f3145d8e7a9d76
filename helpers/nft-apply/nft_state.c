// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "filesync.h"
#include "nft_state.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

int nft_state_path(char *buf, size_t size, int fd)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);

	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) < 0)
		return -errno;
	if (snprintf(buf, size, "%s/netns-%016" PRIx64, NFT_STATE_DIR, cookie) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

int nft_state_hash(uint8_t hash[static 32], const char *policy, size_t len)
{
	crypto_generichash_state st;
	uint8_t buf[65536];
	ssize_t n;
	int fd, ret = 0;

	if (sodium_init() < 0)
		return -EIO;
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	crypto_generichash_init(&st, NULL, 0, 32);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		crypto_generichash_update(&st, buf, (size_t)n);
	if (n < 0)
		ret = -errno;
	close(fd);
	crypto_generichash_update(&st, (const uint8_t *)"\0policy\0", 8);
	crypto_generichash_update(&st, (const uint8_t *)policy, len);
	crypto_generichash_final(&st, hash, 32);
	return ret;
}

int nft_state_boot_id(char id[static NFT_BOOT_ID_LEN])
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
	size_t len;
	bool ok;

	if (!f)
		return -errno;
	ok = fgets(id, NFT_BOOT_ID_LEN, f) != NULL;
	fclose(f);
	len = ok ? strspn(id, "0123456789abcdef-") : 0;
	if (len != NFT_BOOT_ID_LEN - 1)
		return -EINVAL;
	id[len] = '\0';
	return 0;
}

int nft_state_load(const char *path, struct nft_state *st)
{
	char hex[65], line[256];
	FILE *f = fopen(path, "re");
	size_t bin = 0;
	int ok;

	if (!f)
		return -errno;
	ok = fgets(line, sizeof(line), f) &&
	     sscanf(line, "warren-nft-state 2 %36s %" SCNu32 " %" SCNu64 " %" SCNu64 " %64s %63s",
		    st->boot_id, &st->genid, &st->rules, &st->elements, hex, st->table) == 6 &&
	     strlen(st->boot_id) == NFT_BOOT_ID_LEN - 1 &&
	     sodium_hex2bin(st->hash, 32, hex, 64, NULL, &bin, NULL) == 0 && bin == 32;
	fclose(f);
	return ok ? 0 : -EINVAL;
}

int nft_state_save(const char *path, const struct nft_state *st)
{
	char line[512], hex[65];
	int n;

	mkdir("/run/warren", 0755);
	mkdir(NFT_STATE_DIR, 0700);
	sodium_bin2hex(hex, sizeof(hex), st->hash, 32);
	n = snprintf(line, sizeof(line),
		     "warren-nft-state 2 %s %" PRIu32 " %" PRIu64 " %" PRIu64 " %s %s\n",
		     st->boot_id, st->genid, st->rules, st->elements, hex, st->table);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -ENAMETOOLONG;
	return filesync_replace(path, line, (size_t)n, 0600);
}
