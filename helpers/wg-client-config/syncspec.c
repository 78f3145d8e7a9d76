// SPDX-License-Identifier: GPL-2.0-only
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "json_get.h"
#include "json_wipe.h"
#include "syncspec.h"
#include "wgstate.h"

static const char *const sync_fields[] = {"peers", "remove", NULL};

static bool parse_peers(struct syncspec *s, json_t *arr, json_t *names, unsigned int flags,
			struct err *err)
{
	char path[JSON_PATH_MAX];
	json_t *v, *seen;
	size_t i;

	if (!arr)
		return true;
	if (!json_get_list(arr, "peers", "objects", false, err))
		return false;
	if (json_array_size(arr) > SYNCSPEC_MAX_PEERS)
		return err_set(err, "peers: at most %u entries", SYNCSPEC_MAX_PEERS);
	s->peers = calloc(json_array_size(arr) ? json_array_size(arr) : 1, sizeof(*s->peers));
	if (!s->peers)
		return err_set(err, "peers: out of memory");
	json_array_foreach (arr, i, v) {
		if (!json_is_object(v))
			return err_set(err, "peers[%zu]: must be an object", i);
		s->n_peers = i + 1;
		json_path_idx(path, "peers", i);
		if (!clientconf_fields_known(v, path, err))
			return false;
		if (!clientconf_parse(&s->peers[i], v, flags, err)) {
			err_prefix(err, "peers[%zu].", i);
			return false;
		}
		seen = json_object_get(names, s->peers[i].name);
		if (seen)
			return err_set(err, "peers[%zu].name: \"%s\" is also peers[%lld].name", i,
				       s->peers[i].name, json_integer_value(seen));
		if (json_object_set_new(names, s->peers[i].name, json_integer((json_int_t)i)))
			return err_set(err, "peers: out of memory");
	}
	return true;
}

static bool parse_remove(struct syncspec *s, json_t *arr, json_t *names, struct err *err)
{
	const char *name;
	json_t *v, *seen;
	size_t i;

	if (!arr)
		return true;
	if (!json_get_list(arr, "remove", "peer names", false, err))
		return false;
	if (json_array_size(arr) > SYNCSPEC_MAX_PEERS)
		return err_set(err, "remove: at most %u entries", SYNCSPEC_MAX_PEERS);
	s->remove = calloc(json_array_size(arr) ? json_array_size(arr) : 1, sizeof(*s->remove));
	if (!s->remove)
		return err_set(err, "remove: out of memory");
	json_array_foreach (arr, i, v) {
		name = json_string_value(v);
		if (!name || strlen(name) != json_string_length(v))
			return err_set(err, "remove[%zu]: must be a peer name", i);
		if (!wgstate_name_valid(name))
			return err_set(err, "remove[%zu]: \"%.64s\" is not a valid peer name", i,
				       name);
		seen = json_object_get(names, name);
		if (seen && json_is_integer(seen))
			return err_set(err,
				       "remove[%zu]: \"%s\" is also peers[%lld].name; a peer is "
				       "either kept or removed",
				       i, name, json_integer_value(seen));
		if (seen)
			return err_set(err, "remove[%zu]: \"%s\" is listed twice", i, name);
		if (json_object_set_new(names, name, json_true()))
			return err_set(err, "remove: out of memory");
		s->remove[s->n_remove++] = name;
	}
	return true;
}

bool syncspec_parse(struct syncspec *s, json_t *root, unsigned int flags, struct err *err)
{
	json_t *names;
	bool ok;

	memset(s, 0, sizeof(*s));
	if (!json_is_object(root))
		return err_set(err, "the spec must be a JSON object: {\"peers\": [...], "
				    "\"remove\": [...]}");
	if (!json_get_known(root, "", sync_fields, err))
		return false;
	/* Names seen: a peer's index, or true for a name in remove. */
	names = json_object();
	if (!names)
		return err_set(err, "out of memory");
	ok = parse_peers(s, json_object_get(root, "peers"), names, flags, err) &&
	     parse_remove(s, json_object_get(root, "remove"), names, err);
	json_decref(names);
	return ok;
}

bool syncspec_read_keys(struct syncspec *s, struct err *err)
{
	size_t i;

	for (i = 0; i < s->n_peers; i++)
		if (!clientconf_read_keys(&s->peers[i], err)) {
			err_prefix(err, "peers[%zu].", i);
			return false;
		}
	return true;
}

void syncspec_wipe_text(json_t *root)
{
	json_t *v;
	size_t i;

	json_array_foreach (json_object_get(root, "peers"), i, v) {
		json_wipe_member(v, "private_key");
		json_wipe_member(v, "preshared_key");
	}
}

void syncspec_free(struct syncspec *s)
{
	if (s->peers) {
		sodium_memzero(s->peers, s->n_peers * sizeof(*s->peers));
		free(s->peers);
	}
	free(s->remove);
	memset(s, 0, sizeof(*s));
}
