// SPDX-License-Identifier: GPL-2.0-only
/* The sites file: strict parsing, every refusal naming its field. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json_get.h"
#include "sites.h"
#include "wgdev.h"

static bool name_ok(const char *s)
{
	size_t i, len = strlen(s);

	if (!len || len > ZWS_SITE_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-",
			    s[i]))
			return false;
	return true;
}

static bool parse_site(struct zws_site *site, json_t *o, const char *path, struct err *err)
{
	static const char *const known[] = {"site",  "public_key", "interface",
					    "probe", "via",	   NULL};
	const char *name = NULL, *key = NULL, *ifname = NULL, *probe = NULL, *via = NULL;
	char f[JSON_PATH_MAX];

	if (!json_is_object(o))
		return err_set(err, "%s: must be an object", path);
	if (!json_get_known(o, path, known, err))
		return false;
	json_path_key(f, path, "site");
	if (!json_get_str(o, "site", f, true, &name, err))
		return false;
	if (!name_ok(name))
		return err_set(err, "%s: \"%.64s\" is not a site name (1-%d of A-Z a-z 0-9 _ . -)",
			       f, name, ZWS_SITE_NAME_MAX);
	strcpy(site->name, name);
	json_path_key(f, path, "public_key");
	if (!json_get_str(o, "public_key", f, true, &key, err))
		return false;
	if (!key_from_base64(site->public_key, key))
		return err_set(err, "%s: \"%.64s\" is not a base64 WireGuard key", f, key);
	json_path_key(f, path, "interface");
	if (!json_get_str(o, "interface", f, false, &ifname, err))
		return false;
	if (ifname && !wgdev_ifname_valid(ifname))
		return err_set(err, "%s: \"%.64s\" is not an interface name", f, ifname);
	if (ifname)
		strcpy(site->ifname, ifname);
	json_path_key(f, path, "via");
	if (!json_get_str(o, "via", f, false, &via, err))
		return false;
	if (via && !name_ok(via))
		return err_set(err, "%s: \"%.64s\" is not a site name", f, via);
	json_path_key(f, path, "probe");
	if (!json_get_str(o, "probe", f, false, &probe, err))
		return false;
	if (!probe)
		return true;
	if (strlen(probe) >= sizeof(site->probe_text) ||
	    !netprobe_parse(&site->probe, probe, err)) {
		if (strlen(probe) >= sizeof(site->probe_text))
			err_set(err, "\"%.64s\" is too long for an address", probe);
		err_prefix(err, "%s: ", f);
		return false;
	}
	strcpy(site->probe_text, probe);
	site->has_probe = true;
	return true;
}

bool zws_sites_parse(struct zws_sites *s, json_t *root, struct err *err)
{
	static const char *const known[] = {"site", "sites", NULL};
	const char *self = NULL;
	char f[JSON_PATH_MAX];
	json_t *list;
	size_t i, j;

	memset(s, 0, sizeof(*s));
	if (!json_is_object(root))
		return err_set(err, "sites file: must be an object");
	if (!json_get_known(root, "", known, err) ||
	    !json_get_str(root, "site", "site", false, &self, err))
		return false;
	if (self && !name_ok(self))
		return err_set(err, "site: \"%.64s\" is not a site name", self);
	if (self)
		strcpy(s->self, self);
	list = json_object_get(root, "sites");
	if (!list)
		return err_set(err, "sites: is required");
	if (!json_get_list(list, "sites", "objects", false, err))
		return false;
	s->v = calloc(json_array_size(list) + 1, sizeof(*s->v));
	if (!s->v)
		return err_set(err, "out of memory");
	for (i = 0; i < json_array_size(list); i++) {
		json_path_idx(f, "sites", i);
		if (!parse_site(&s->v[i], json_array_get(list, i), f, err))
			goto fail;
		s->n++;
		for (j = 0; j < i; j++)
			if (!strcmp(s->v[j].name, s->v[i].name)) {
				err_set(err, "%s.site: \"%s\" is also sites[%zu]", f, s->v[i].name,
					j);
				goto fail;
			}
	}
	return true;
fail:
	zws_sites_free(s);
	return false;
}

bool zws_sites_load(struct zws_sites *s, const char *path, struct err *err)
{
	json_error_t jerr;
	json_t *root;
	bool ok;

	memset(s, 0, sizeof(*s));
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		/* jansson says "unable to open": a missing file is no sites. */
		if (access(path, F_OK) < 0 && errno == ENOENT)
			return true;
		return err_set(err, "%s: %s (line %d)", path, jerr.text, jerr.line);
	}
	ok = zws_sites_parse(s, root, err);
	if (!ok)
		err_prefix(err, "%s: ", path);
	json_decref(root);
	return ok;
}

void zws_sites_free(struct zws_sites *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}
