// SPDX-License-Identifier: GPL-2.0-only
/*
 * Request bodies of the enrollment API, parsed strictly: a JSON object with known members only,
 * each of the right type and form. Secrets are decoded into fixed buffers and every copy
 * jansson made is wiped (the service installs json_wipe_alloc). Fuzzed by
 * tests/fuzz/enroll_req_fuzz.c.
 */
#include <string.h>

#include <sodium.h>

#include "enr.h"
#include "json_get.h"
#include "json_wipe.h"
#include "wgcheck.h"

bool enr_secret_parse(char *id, size_t id_size, uint8_t secret[static ENR_SECRET_LEN],
		      const char *text)
{
	const char *dot = strrchr(text, '.');
	size_t idlen, bin = 0;

	if (!dot || strlen(dot + 1) != 2 * ENR_SECRET_LEN)
		return false;
	idlen = (size_t)(dot - text);
	if (!idlen || idlen >= id_size)
		return false;
	memcpy(id, text, idlen);
	id[idlen] = '\0';
	if (sodium_hex2bin(secret, ENR_SECRET_LEN, dot + 1, 2 * ENR_SECRET_LEN, NULL, &bin, NULL) ||
	    bin != ENR_SECRET_LEN) {
		sodium_memzero(secret, ENR_SECRET_LEN);
		return false;
	}
	return true;
}

/* Host names as devices report them: 1-48 of a-z A-Z 0-9 . - _ (used in peer names). */
static bool hostname_valid(const char *h)
{
	size_t n = strlen(h);

	return n && n <= ENR_HOSTNAME_MAX && h[0] != '.' && h[0] != '-' &&
	       strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") == n;
}

static const char *const enroll_keys[] = {"token", "public_key", "hostname", NULL};
static const char *const rotate_keys[] = {"public_key", NULL};

bool enr_req_parse(struct enr_req *r, const char *body, size_t len, bool rotate, struct err *err)
{
	const char *tok = NULL, *pub = NULL, *host = NULL;
	json_error_t jerr;
	json_t *root;
	bool ok = false;

	memset(r, 0, sizeof(*r));
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return err_set(err, "the body is not JSON (%.80s at line %d); send a JSON object",
			       jerr.text, jerr.line);
	if (!json_is_object(root)) {
		err_set(err, "the body must be a JSON object");
		goto out;
	}
	if (!json_get_known(root, "", rotate ? rotate_keys : enroll_keys, err) ||
	    !json_get_str(root, "public_key", NULL, true, &pub, err))
		goto out;
	if (!key_from_base64(r->public_key, pub)) {
		err_set(err, "public_key: \"%.64s\" is not a base64 WireGuard key", pub);
		goto out;
	}
	if (!wgcheck_public_key(r->public_key, pub, err))
		goto out;
	if (!rotate) {
		if (!json_get_str(root, "token", NULL, true, &tok, err) ||
		    !json_get_str(root, "hostname", NULL, true, &host, err))
			goto out;
		if (!enr_secret_parse(r->token_id, sizeof(r->token_id), r->secret, tok) ||
		    !enr_id_valid(r->token_id)) {
			err_set(err, "token: not of the form ID.SECRET (64 hex digits); pass the "
				     "whole token as `warren-enrolld token create` printed it");
			goto out;
		}
		if (!hostname_valid(host)) {
			err_set(err,
				"hostname: \"%.64s\" must be 1-48 of a-z A-Z 0-9 . - _, not "
				"starting with . or -",
				host);
			goto out;
		}
		strcpy(r->hostname, host);
	}
	ok = true;
out:
	json_wipe_member(root, "token");
	json_decref(root);
	if (!ok)
		enr_req_wipe(r);
	return ok;
}

void enr_req_wipe(struct enr_req *r)
{
	sodium_memzero(r->secret, sizeof(r->secret));
}
