// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "json_get.h"

/*
 * Paths are built for every value of a large document (a 10,000-peer policy builds some 100,000
 * of them), so without printf.
 */
static void path_cat(char p[static JSON_PATH_MAX], const char *base, const char *key, size_t idx)
{
	size_t n = strnlen(base, JSON_PATH_MAX - 1), k;
	char digits[24];
	int d = 0;

	memmove(p, base, n);
	if (key) {
		k = strlen(key);
		if (n + 1 + k < JSON_PATH_MAX) {
			if (n)
				p[n++] = '.';
			memcpy(p + n, key, k);
			n += k;
		}
	} else {
		do
			digits[d++] = (char)('0' + idx % 10);
		while ((idx /= 10) && d < (int)sizeof(digits));
		if (n + (size_t)d + 2 < JSON_PATH_MAX) {
			p[n++] = '[';
			while (d)
				p[n++] = digits[--d];
			p[n++] = ']';
		}
	}
	p[n] = '\0';
}

void json_path_key(char p[static JSON_PATH_MAX], const char *base, const char *key)
{
	path_cat(p, base, key, 0);
}

void json_path_idx(char p[static JSON_PATH_MAX], const char *base, size_t idx)
{
	path_cat(p, base, NULL, idx);
}

bool json_get_known(json_t *obj, const char *path, const char *const *allowed, struct err *err)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach (obj, key, v) {
		for (i = 0; allowed[i]; i++)
			if (!strcmp(key, allowed[i]))
				break;
		if (!allowed[i])
			return err_set(err, "unknown field \"%s%s%.64s\"", path, *path ? "." : "",
				       key);
	}
	return true;
}

/* The member, with @given set; @name defaults to the key. */
static json_t *member(json_t *obj, const char *key, const char **name, bool *given)
{
	json_t *v = json_object_get(obj, key);

	if (given)
		*given = v != NULL;
	if (!*name)
		*name = key;
	return v;
}

bool json_get_int(json_t *obj, const char *key, const char *name, long long lo, long long hi,
		  long long *out, bool *given, struct err *err)
{
	json_t *v = member(obj, key, &name, given);
	long long n;

	if (!v)
		return true;
	if (!json_is_integer(v))
		return err_set(err, "%s: must be an integer from %lld to %lld", name, lo, hi);
	n = json_integer_value(v);
	if (n < lo || n > hi)
		return err_set(err, "%s: %lld is out of range (%lld-%lld)", name, n, lo, hi);
	*out = n;
	return true;
}

bool json_get_str(json_t *obj, const char *key, const char *name, bool required, const char **out,
		  struct err *err)
{
	json_t *v = member(obj, key, &name, NULL);

	if (!v)
		return required ? err_set(err, "%s: is required", name) : true;
	if (!json_is_string(v) || !json_string_length(v))
		return err_set(err, "%s: must be a non-empty string", name);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return err_set(err, "%s: must not contain NUL", name);
	*out = json_string_value(v);
	return true;
}

bool json_get_bool(json_t *obj, const char *key, const char *name, bool *out, bool *given,
		   struct err *err)
{
	json_t *v = member(obj, key, &name, given);

	if (!v)
		return true;
	if (!json_is_boolean(v))
		return err_set(err, "%s: must be true or false", name);
	*out = json_is_true(v);
	return true;
}

bool json_get_list(json_t *v, const char *name, const char *of, bool nonempty, struct err *err)
{
	if (!json_is_array(v))
		return err_set(err, "%s: must be a list%s%s", name, of ? " of " : "", of ? of : "");
	if (nonempty && !json_array_size(v))
		return err_set(err, "%s: must not be empty", name);
	return true;
}
