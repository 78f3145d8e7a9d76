// SPDX-License-Identifier: GPL-2.0-only
/* Options shared by every command, and loading the state files (never their key files). */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "netprobe.h"
#include "num.h"
#include "out.h"

#define ZWS_MAX_SHARDS 1024

static bool parse_uint(const char *s, unsigned int max, unsigned int *out)
{
	uint64_t v;

	if (!num_parse_u64(s, 1, max, &v, NULL))
		return false;
	*out = (unsigned int)v;
	return true;
}

/* "K/N" with 1 <= K <= N; "" means no sharding (Zabbix passes empty key parameters). */
static bool parse_shard(const char *s, struct zws_opts *o)
{
	char buf[32], *slash;

	if (!*s) {
		o->shard = o->shards = 1;
		return true;
	}
	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash)
		return false;
	*slash = '\0';
	return parse_uint(buf, ZWS_MAX_SHARDS, &o->shard) &&
	       parse_uint(slash + 1, ZWS_MAX_SHARDS, &o->shards) && o->shard <= o->shards;
}

static int push(char ***arr, size_t *n, const char *s)
{
	char **a = realloc(*arr, (*n + 1) * sizeof(*a));

	if (!a)
		return -ENOMEM;
	*arr = a;
	a[*n] = strdup(s);
	if (!a[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

static int path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory stands for its *.json files, in name order. */
static int expand(const char *path, char ***files, size_t *n, struct err *err)
{
	struct dirent *ent;
	struct stat st;
	char buf[4096];
	size_t first = *n, len;
	DIR *dir;
	int ret = 0;

	if (stat(path, &st) < 0) {
		err_set(err, "state \"%s\": %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode))
		return push(files, n, path);
	dir = opendir(path);
	if (!dir) {
		err_set(err, "state directory \"%s\": %s", path, strerror(errno));
		return -errno;
	}
	while (!ret && (ent = readdir(dir))) {
		len = strlen(ent->d_name);
		if (ent->d_name[0] == '.' || len < 6 || strcmp(ent->d_name + len - 5, ".json"))
			continue;
		snprintf(buf, sizeof(buf), "%s/%s", path, ent->d_name);
		ret = push(files, n, buf);
	}
	closedir(dir);
	if (!ret && *n - first > 1)
		qsort(*files + first, *n - first, sizeof(**files), path_cmp);
	return ret;
}

static int load_states(const struct zws_opts *o, struct zws_states *s, struct err *err)
{
	char **files = NULL;
	size_t n = 0, i, j;
	int ret = 0;

	for (i = 0; !ret && i < o->n_states; i++)
		ret = expand(o->states[i], &files, &n, err);
	if (ret) {
		if (ret == -ENOMEM)
			err_set(err, "out of memory");
		goto out;
	}
	s->st = calloc(n + 1, sizeof(*s->st));
	if (!s->st) {
		ret = -ENOMEM;
		err_set(err, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		/* Flags 0: no key file is read and no host name is resolved. */
		if (!wgstate_load(&s->st[i], files[i], 0, err)) {
			wgstate_free(&s->st[i]);
			if (strncmp(err->msg, files[i], strlen(files[i])))
				err_prefix(err, "%s: ", files[i]);
			ret = -EINVAL;
			goto out;
		}
		s->n++;
		for (j = 0; j < i; j++)
			if (!strcmp(s->st[j].dev->name, s->st[i].dev->name)) {
				err_set(err, "%s and %s both describe interface \"%s\"", files[j],
					files[i], s->st[i].dev->name);
				ret = -EINVAL;
				goto out;
			}
	}
out:
	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
	return ret;
}

static const struct option long_opts[] = {
    {"state", required_argument, NULL, 's'},
    {"shard", required_argument, NULL, 'k'},
    {"interfaces", no_argument, NULL, 'i'},
    {"shard-peers", required_argument, NULL, 'p'},
    {"compat", no_argument, NULL, 'c'},
    {"sites", required_argument, NULL, 'S'},
    {"probe-timeout", required_argument, NULL, 't'},
    {NULL, 0, NULL, 0},
};

int zws_parse_timeout(const char *text, int *ms)
{
	uint64_t v;

	if (!num_parse_u64(text, 1, NETPROBE_TIMEOUT_MAX_MS, &v, NULL))
		return json_out_fail(EXIT_INVALID,
				     "--probe-timeout \"%.32s\": expected 1-%d milliseconds", text,
				     NETPROBE_TIMEOUT_MAX_MS);
	*ms = (int)v;
	return 0;
}

int zws_parse(int argc, char *argv[], unsigned int allowed, struct zws_opts *o,
	      struct zws_states *s)
{
	struct err err = {{0}};
	int c;

	memset(o, 0, sizeof(*o));
	memset(s, 0, sizeof(*s));
	o->shard = o->shards = 1;
	o->shard_peers = ZWS_SHARD_PEERS;
	o->sites = ZWS_SITES_FILE;
	o->probe_timeout = NETPROBE_TIMEOUT_MS;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!(allowed & ZWS_OPT_STATE))
				goto bad;
			if (push(&o->states, &o->n_states, optarg))
				return json_out_fail(EXIT_RUNTIME, "out of memory");
			break;
		case 'k':
			if (!(allowed & ZWS_OPT_SHARD))
				goto bad;
			if (!parse_shard(optarg, o))
				return json_out_fail(EXIT_INVALID,
						     "--shard \"%.32s\": expected K/N with 1 <= K "
						     "<= N <= %d",
						     optarg, ZWS_MAX_SHARDS);
			break;
		case 'i':
		case 'p':
			if (!(allowed & ZWS_OPT_INTERFACES))
				goto bad;
			if (c == 'i')
				o->interfaces = true;
			else if (!parse_uint(optarg, 1000000, &o->shard_peers))
				return json_out_fail(EXIT_INVALID,
						     "--shard-peers \"%.32s\": expected a "
						     "positive number",
						     optarg);
			break;
		case 'c':
			if (!(allowed & ZWS_OPT_COMPAT))
				goto bad;
			o->compat = true;
			break;
		case 'S':
		case 't':
			if (!(allowed & ZWS_OPT_SITES))
				goto bad;
			if (c == 'S')
				o->sites = optarg;
			else if (zws_parse_timeout(optarg, &o->probe_timeout))
				return EXIT_INVALID;
			break;
		default:
			goto bad;
		}
	}
	for (; optind < argc; optind++) {
		if (!*argv[optind])
			continue;
		/* It names a socket file: no "/" or "..", only what an interface name may be. */
		if (!wgdev_ifname_valid(argv[optind]))
			return json_out_fail(EXIT_INVALID,
					     "\"%.64s\" is not an interface name (1-15 of A-Z a-z "
					     "0-9 _ . -)",
					     argv[optind]);
		if (push(&o->ifaces, &o->n_ifaces, argv[optind]))
			return json_out_fail(EXIT_RUNTIME, "out of memory");
	}
	if (load_states(o, s, &err))
		return json_out_fail_err(EXIT_INVALID, &err);
	return 0;
bad:
	return json_out_fail(EXIT_INVALID, "unknown or misplaced option \"%s\" (see --help)",
			     argv[optind - 1]);
}

void zws_opts_free(struct zws_opts *o, struct zws_states *s)
{
	size_t i;

	for (i = 0; i < o->n_states; i++)
		free(o->states[i]);
	free(o->states);
	for (i = 0; i < o->n_ifaces; i++)
		free(o->ifaces[i]);
	free(o->ifaces);
	for (i = 0; i < s->n; i++)
		wgstate_free(&s->st[i]);
	free(s->st);
	memset(o, 0, sizeof(*o));
	memset(s, 0, sizeof(*s));
}
