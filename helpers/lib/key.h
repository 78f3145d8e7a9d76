/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * WireGuard keys: 32-byte Curve25519 keys, base64 (wg's text form) and hex (UAPI form).
 * All randomness, encoding, comparison and wiping goes through libsodium.
 */
#ifndef WARREN_KEY_H
#define WARREN_KEY_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

#define KEY_LEN	    32
#define KEY_B64_LEN 45 /* 44 characters and NUL */
#define KEY_HEX_LEN 65 /* 64 characters and NUL */

/* sodium_init(), no core dumps, not ptrace-able: call first in every helper that holds keys. */
int key_init(void);

bool key_from_base64(uint8_t key[static KEY_LEN], const char *b64);
void key_to_base64(char b64[static KEY_B64_LEN], const uint8_t key[static KEY_LEN]);
bool key_from_hex(uint8_t key[static KEY_LEN], const char *hex);
void key_to_hex(char hex[static KEY_HEX_LEN], const uint8_t key[static KEY_LEN]);

bool key_is_zero(const uint8_t key[static KEY_LEN]);
bool key_eq(const uint8_t a[static KEY_LEN], const uint8_t b[static KEY_LEN]);
/*
 * False for a public key of small order (RFC 7748 section 7): the all-zero key, 1, the two points
 * of order 8, and p-1, p and p+1, with or without the ignored top bit. Every handshake with such a
 * peer fails (the shared secret is all zeros), and wg(8) happily configures the all-zero one.
 */
bool key_public_usable(const uint8_t pub[static KEY_LEN]);

void key_generate_private(uint8_t key[static KEY_LEN]);
void key_generate_psk(uint8_t key[static KEY_LEN]);
/* Derives the public key; -EINVAL for a key that gives the all-zero point. */
int key_public(uint8_t pub[static KEY_LEN], const uint8_t priv[static KEY_LEN]);

/*
 * Reads a base64 key from @path. Refuses (-EACCES) a file that group or others can read or
 * that is not a regular file; -ENOENT when missing; -EINVAL when not a valid key.
 */
int key_read_file(uint8_t key[static KEY_LEN], const char *path, struct err *err);
/* Parses a base64 key from a buffer with optional trailing whitespace; wipes nothing. */
bool key_parse_text(uint8_t key[static KEY_LEN], const char *buf, size_t len);
/* Writes base64 + "\n" to @path atomically: O_CREAT|O_EXCL 0600 temporary file, fsync, rename. */
int key_write_file(const char *path, const uint8_t key[static KEY_LEN]);
/* Refuses (-EACCES) when @fd is a regular file that group or others can read. */
int key_check_fd_private(int fd);

#endif
