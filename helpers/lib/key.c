// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "filesync.h"
#include "key.h"

int key_init(void)
{
	struct rlimit none = {0, 0};

	setrlimit(RLIMIT_CORE, &none);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	return sodium_init() < 0 ? -EIO : 0;
}

bool key_from_base64(uint8_t key[static KEY_LEN], const char *b64)
{
	size_t len = 0;
	const char *end = NULL;

	if (!b64 || strlen(b64) != KEY_B64_LEN - 1 || b64[KEY_B64_LEN - 2] != '=')
		return false;
	if (sodium_base642bin(key, KEY_LEN, b64, KEY_B64_LEN - 1, NULL, &len, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    len != KEY_LEN || *end) {
		sodium_memzero(key, KEY_LEN);
		return false;
	}
	return true;
}

void key_to_base64(char b64[static KEY_B64_LEN], const uint8_t key[static KEY_LEN])
{
	sodium_bin2base64(b64, KEY_B64_LEN, key, KEY_LEN, sodium_base64_VARIANT_ORIGINAL);
}

/*
 * One hex digit to 0..15 without branches or lookups that depend on the digit, and a mask that
 * is all ones when @c is a hex digit. Device dumps carry one key per peer and line, so this is
 * on the hot path of reading a large userspace device.
 */
static inline int hex_nibble(int c, int *valid)
{
	int d = c ^ '0';	 /* '0'..'9' -> 0..9 */
	int a = (c | 0x20) - 87; /* 'a'..'f', 'A'..'F' -> 10..15 */
	int is_d = (d - 10) >> 8;
	int is_a = ((9 - a) & (a - 16)) >> 8;

	*valid &= is_d | is_a;
	return (is_d & d) | (is_a & a);
}

bool key_from_hex(uint8_t key[static KEY_LEN], const char *hex)
{
	int valid = -1, i;

	if (!hex || strnlen(hex, KEY_HEX_LEN) != KEY_HEX_LEN - 1)
		return false;
	for (i = 0; i < KEY_LEN; i++) {
		int hi = hex_nibble((unsigned char)hex[2 * i], &valid);
		int lo = hex_nibble((unsigned char)hex[2 * i + 1], &valid);

		key[i] = (uint8_t)((hi << 4) | lo);
	}
	if (!valid) {
		sodium_memzero(key, KEY_LEN);
		return false;
	}
	return true;
}

void key_to_hex(char hex[static KEY_HEX_LEN], const uint8_t key[static KEY_LEN])
{
	sodium_bin2hex(hex, KEY_HEX_LEN, key, KEY_LEN);
}

bool key_is_zero(const uint8_t key[static KEY_LEN])
{
	return sodium_is_zero(key, KEY_LEN);
}

bool key_eq(const uint8_t a[static KEY_LEN], const uint8_t b[static KEY_LEN])
{
	return sodium_memcmp(a, b, KEY_LEN) == 0;
}

/* The u-coordinates of the points of small order; byte 31's top bit is ignored by X25519. */
static const uint8_t small_order[][KEY_LEN] = {
    {0}, /* 0 */
    {1}, /* 1 */
    {0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3,
     0xfa, 0xf1, 0x9f, 0xc4, 0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32,
     0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00},
    {0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1,
     0x55, 0x9c, 0x83, 0xef, 0x5b, 0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c,
     0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd, 0xd0, 0x9f, 0x11, 0x57},
    {0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
    {0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
    {0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
};

bool key_public_usable(const uint8_t pub[static KEY_LEN])
{
	uint8_t k[KEY_LEN];
	size_t i;

	memcpy(k, pub, KEY_LEN);
	k[KEY_LEN - 1] &= 0x7f;
	for (i = 0; i < sizeof(small_order) / sizeof(small_order[0]); i++)
		if (!memcmp(k, small_order[i], KEY_LEN))
			return false;
	return true;
}

void key_generate_private(uint8_t key[static KEY_LEN])
{
	randombytes_buf(key, KEY_LEN);
	key[0] &= 248;
	key[31] = (key[31] & 127) | 64;
}

void key_generate_psk(uint8_t key[static KEY_LEN])
{
	randombytes_buf(key, KEY_LEN);
}

int key_public(uint8_t pub[static KEY_LEN], const uint8_t priv[static KEY_LEN])
{
	return crypto_scalarmult_curve25519_base(pub, priv) == 0 ? 0 : -EINVAL;
}

bool key_parse_text(uint8_t key[static KEY_LEN], const char *buf, size_t len)
{
	char b64[KEY_B64_LEN];
	bool ok;

	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' ' ||
		       buf[len - 1] == '\t'))
		len--;
	if (len != KEY_B64_LEN - 1)
		return false;
	memcpy(b64, buf, len);
	b64[len] = '\0';
	ok = key_from_base64(key, b64);
	sodium_memzero(b64, sizeof(b64));
	return ok;
}

int key_check_fd_private(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISREG(st.st_mode) && (st.st_mode & 077))
		return -EACCES;
	return 0;
}

int key_read_file(uint8_t key[static KEY_LEN], const char *path, struct err *err)
{
	char buf[128];
	struct stat st;
	ssize_t len = 0, n;
	int ret = -EINVAL, fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		err_set(err, "cannot open key file \"%s\": %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		err_set(err, "cannot stat key file \"%s\": %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(err, "key file \"%s\" is not a regular file", path);
		goto out;
	}
	if (st.st_mode & 077) {
		ret = -EACCES;
		err_set(err,
			"key file \"%s\" is readable by group or others (mode %04o); chmod 0600 it",
			path, (unsigned int)(st.st_mode & 07777));
		goto out;
	}
	while ((n = read(fd, buf + len, sizeof(buf) - len)) > 0 && len + n < (ssize_t)sizeof(buf))
		len += n;
	if (n < 0) {
		ret = -errno;
		err_set(err, "cannot read key file \"%s\": %s", path, strerror(errno));
		goto out;
	}
	if (n > 0 || !key_parse_text(key, buf, (size_t)len)) {
		err_set(err, "key file \"%s\" does not hold a base64 key of 32 bytes", path);
		goto out;
	}
	ret = 0;
out:
	sodium_memzero(buf, sizeof(buf));
	close(fd);
	return ret;
}

int key_write_file(const char *path, const uint8_t key[static KEY_LEN])
{
	char b64[KEY_B64_LEN];
	int ret;

	key_to_base64(b64, key);
	b64[KEY_B64_LEN - 1] = '\n';
	ret = filesync_replace(path, b64, sizeof(b64), 0600);
	sodium_memzero(b64, sizeof(b64));
	return ret;
}
