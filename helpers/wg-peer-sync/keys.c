// SPDX-License-Identifier: GPL-2.0-only
/*
 * genkey, genpsk and pubkey: the only commands that print a key, and only to a private place.
 * Each takes one key or many (one a line), so a caller with a thousand peers runs it once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "buf.h"
#include "cmd.h"
#include "filesync.h"
#include "key.h"
#include "num.h"
#include "out.h"

#define KEYS_MAX  100000
#define STDIN_MAX (KEYS_MAX * 64)

/* write(2), not stdio, so that no copy of a key stays in stdio's buffer. */
static int write_all(const char *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(STDOUT_FILENO, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return EXIT_RUNTIME;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* @count keys from @gen, one base64 key a line, on stdout. */
static int print_keys(void (*gen)(uint8_t[static KEY_LEN]), uint64_t count)
{
	struct buf text = {0};
	char b64[KEY_B64_LEN];
	uint8_t key[KEY_LEN];
	uint64_t i;
	int ret = 0;

	for (i = 0; !ret && i < count; i++) {
		gen(key);
		key_to_base64(b64, key);
		b64[KEY_B64_LEN - 1] = '\n';
		ret = buf_append(&text, b64, sizeof(b64));
	}
	sodium_memzero(key, sizeof(key));
	sodium_memzero(b64, sizeof(b64));
	ret = ret ? json_out_fail(EXIT_RUNTIME, "out of memory") : write_all(text.data, text.len);
	buf_free(&text);
	return ret;
}

static int emit_key(int argc, char *argv[], void (*gen)(uint8_t[static KEY_LEN]))
{
	const char *out = NULL, *count_arg = NULL;
	uint64_t count = 1;
	uint8_t key[KEY_LEN];
	int ret, i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--out") && !out)
			out = argv[i + 1];
		else if (!strcmp(argv[i], "--count") && !count_arg)
			count_arg = argv[i + 1];
		else
			break;
	}
	if (i != argc)
		return json_out_fail(EXIT_INVALID,
				     "usage: wg-peer-sync %s [--out FILE | --count N]", argv[0]);
	if (out && count_arg)
		return json_out_fail(
		    EXIT_INVALID, "--out and --count together: --out writes one key into a file, "
				  "--count prints N keys on stdout");
	if (count_arg && !num_parse_u64(count_arg, 1, KEYS_MAX, &count, NULL))
		return json_out_fail(EXIT_INVALID,
				     "--count: \"%.32s\" is not a number from 1 to %d", count_arg,
				     KEYS_MAX);
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
	if (!out)
		return print_keys(gen, count);
	gen(key);
	ret = key_write_file(out, key);
	sodium_memzero(key, sizeof(key));
	if (ret < 0)
		return json_out_fail(EXIT_RUNTIME, "cannot write \"%s\": %s", out,
				     json_out_strerror(ret));
	return json_out_print(json_pack("{s:b,s:s}", "changed", 1, "path", out));
}

int genkey_main(int argc, char *argv[])
{
	return emit_key(argc, argv, key_generate_private);
}

int genpsk_main(int argc, char *argv[])
{
	return emit_key(argc, argv, key_generate_psk);
}

/*
 * The public key of every line of @in (one base64 private key a line, trailing blanks allowed,
 * the last newline optional) into @out, one line each. 0, or the exit code of the failure it
 * printed: then @out holds nothing to print.
 */
static int public_keys(const struct buf *in, struct buf *out)
{
	uint8_t priv[KEY_LEN], pub[KEY_LEN];
	const char *p = in->data, *end = in->data + in->len, *nl;
	char b64[KEY_B64_LEN];
	size_t line = 0;
	int ret = 0;

	while (!ret && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		line++;
		if (line > KEYS_MAX)
			ret = json_out_fail(EXIT_INVALID, "stdin: more than %d keys", KEYS_MAX);
		else if (!key_parse_text(priv, p, (size_t)(nl - p)))
			ret = json_out_fail(EXIT_INVALID,
					    "line %zu: not a base64 private key of 32 bytes", line);
		else if (key_public(pub, priv) < 0)
			ret = json_out_fail(EXIT_INVALID,
					    "line %zu: a private key with no public key", line);
		if (ret)
			break;
		key_to_base64(b64, pub);
		b64[KEY_B64_LEN - 1] = '\n';
		if (buf_append(out, b64, sizeof(b64)))
			ret = json_out_fail(EXIT_RUNTIME, "out of memory");
		p = nl + 1;
	}
	if (!ret && !line)
		ret = json_out_fail(EXIT_INVALID,
				    "stdin does not hold a base64 private key of 32 bytes");
	sodium_memzero(priv, sizeof(priv));
	return ret;
}

int pubkey_main(int argc, char *argv[])
{
	struct buf in = {0}, out = {0};
	int ret;

	(void)argv;
	if (argc != 1)
		return json_out_fail(EXIT_INVALID, "usage: wg-peer-sync pubkey < private.keys");
	/* read(2), not stdio: stdio would keep a copy of the keys in its own buffer. */
	ret = filesync_read_fd(STDIN_FILENO, &in, STDIN_MAX);
	if (ret)
		ret = json_out_fail(ret == -EFBIG ? EXIT_INVALID : EXIT_RUNTIME,
				    "cannot read stdin: %s",
				    ret == -EFBIG ? "too large" : json_out_strerror(ret));
	else
		ret = public_keys(&in, &out);
	/* Every line was valid: only now is anything printed. */
	if (!ret)
		ret = write_all(out.data, out.len);
	buf_free(&in);
	buf_free(&out);
	return ret;
}
