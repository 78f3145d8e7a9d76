// SPDX-License-Identifier: GPL-2.0-only
/* genkey, genpsk and pubkey: the only commands that print a key, and only to a private place. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cmd.h"
#include "key.h"
#include "out.h"

static int emit_key(int argc, char *argv[], void (*gen)(uint8_t[static KEY_LEN]))
{
	uint8_t key[KEY_LEN];
	char b64[KEY_B64_LEN];
	const char *out = NULL;
	int ret;

	if (argc == 3 && !strcmp(argv[1], "--out"))
		out = argv[2];
	else if (argc != 1)
		return json_out_fail(EXIT_INVALID, "usage: wg-peer-sync %s [--out FILE]", argv[0]);
	if (out && !json_out_utf8(out))
		return json_out_fail(
		    EXIT_INVALID,
		    "--out: \"%s\" is not valid UTF-8, so the JSON result could not "
		    "name it; choose a UTF-8 path",
		    out);
	if (!out && (ret = key_check_fd_private(STDOUT_FILENO)) < 0)
		return json_out_fail(EXIT_RUNTIME,
				     "refusing to write a key to a file that group or others can "
				     "read; use --out FILE or umask 077");
	gen(key);
	if (out) {
		ret = key_write_file(out, key);
		sodium_memzero(key, sizeof(key));
		if (ret < 0)
			return json_out_fail(EXIT_RUNTIME, "cannot write \"%s\": %s", out,
					     json_out_strerror(ret));
		return json_out_print(json_pack("{s:b,s:s}", "changed", 1, "path", out));
	}
	key_to_base64(b64, key);
	sodium_memzero(key, sizeof(key));
	/* write(2), not stdio, so that no copy of the key stays in stdio's buffer. */
	b64[KEY_B64_LEN - 1] = '\n';
	ret = write(STDOUT_FILENO, b64, sizeof(b64)) == (ssize_t)sizeof(b64) ? 0 : EXIT_RUNTIME;
	sodium_memzero(b64, sizeof(b64));
	return ret;
}

int genkey_main(int argc, char *argv[])
{
	return emit_key(argc, argv, key_generate_private);
}

int genpsk_main(int argc, char *argv[])
{
	return emit_key(argc, argv, key_generate_psk);
}

int pubkey_main(int argc, char *argv[])
{
	uint8_t priv[KEY_LEN], pub[KEY_LEN];
	char buf[256], b64[KEY_B64_LEN];
	size_t len;
	ssize_t n;
	int ret = EXIT_INVALID;

	(void)argv;
	if (argc != 1)
		return json_out_fail(EXIT_INVALID, "usage: wg-peer-sync pubkey < private.key");
	/* read(2), not stdio: stdio would keep a copy of the key in its own buffer. */
	len = 0;
	while (len < sizeof(buf) && (n = read(STDIN_FILENO, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	if (len == sizeof(buf) || !key_parse_text(priv, buf, len)) {
		ret = json_out_fail(EXIT_INVALID,
				    "stdin does not hold a base64 private key of 32 bytes");
		goto out;
	}
	if (key_public(pub, priv) < 0) {
		ret = json_out_fail(EXIT_INVALID, "stdin holds a private key with no public key");
		goto out;
	}
	key_to_base64(b64, pub);
	ret = puts(b64) == EOF ? EXIT_RUNTIME : 0;
out:
	sodium_memzero(buf, sizeof(buf));
	sodium_memzero(priv, sizeof(priv));
	return ret;
}
