// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the userspace backend's "get=1" reply parser (wgdev_uapi_parse_get), as
 * wireguard-tools fuzzes its own in src/fuzz/uapi.c: the sources are included directly and the
 * input is the daemon's reply, read through a FILE * over the fuzzer's bytes. No socket is
 * opened, and endpoints are resolved numerically only (no DNS). The netlink backend is not
 * linked: its entry points, which wgdev_io.c names, are stubs that are never called.
 */
#include <netdb.h>

/* Numeric resolution only: a fuzzed host name must not reach the network. */
static int fuzz_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
			    struct addrinfo **res)
{
	struct addrinfo h = *hints;

	h.ai_flags |= AI_NUMERICHOST;
	return getaddrinfo(node, service, &h, res);
}
#define getaddrinfo fuzz_getaddrinfo
#include "../../helpers/lib/addr.c"
#undef getaddrinfo
#include "../../helpers/lib/buf.c"
#include "../../helpers/lib/err.c"
#include "../../helpers/lib/num.c"
#include "../../helpers/lib/filesync.c"
#include "../../helpers/lib/key.c"
#include "../../helpers/lib/wgdev.c"
#include "../../helpers/lib/wgdev_io.c"
#include "../../helpers/lib/wgdev_uapi.c"

int wgdev_uapi_set(const struct wg_device *dev, struct wgdev_set_at *at)
{
	(void)dev;
	(void)at;
	return -ENOSYS;
}

int wgdev_nl_get(struct wg_device **dev, const char *ifname)
{
	(void)dev;
	(void)ifname;
	return -ENOSYS;
}

int wgdev_nl_set(const struct wg_device *dev, struct wgdev_set_at *at)
{
	(void)dev;
	(void)at;
	return -ENOSYS;
}

int wgdev_nl_list(char ***names, size_t *n, size_t *cap)
{
	(void)names;
	(void)n;
	(void)cap;
	return -ENOSYS;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_device *dev;
	FILE *f;
	int ret;
	size_t i;

	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "r");
	dev = wgdev_new("wgfuzz");
	if (!f || !dev)
		goto out;
	ret = wgdev_uapi_parse_get(dev, f);
	if (ret > 0)
		__builtin_trap(); /* 0 or -errno, never anything else */
	if (!ret) {
		/* A parsed device is a device the diff can use: sort it, as wgdev_get does. */
		wgdev_sort(dev);
		for (i = 0; i < dev->n_peers; i++)
			if (dev->peers[i].n_allowedips && !dev->peers[i].allowedips)
				__builtin_trap();
	}
out:
	if (f)
		fclose(f);
	wgdev_free(dev);
	return 0;
}
