// SPDX-License-Identifier: GPL-2.0-only
/* show and delete: the live table as JSON, and its idempotent removal. */
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "nft_live.h"
#include "nft_policy.h"
#include "nft_state.h"
#include "nft_sync.h"
#include "out.h"

static bool table_arg(const char *s, char *out, size_t size)
{
	size_t i, n = strlen(s);

	if (!n || n >= size)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-' || s[i] == '.'))
			return false;
	strcpy(out, s);
	return true;
}

static int parse_args(int argc, char *argv[], char *table, size_t size, bool *check,
		      const char *usage)
{
	int i;

	strcpy(table, "warren");
	for (i = 1; i < argc; i++) {
		if (check && !strcmp(argv[i], "--check"))
			*check = true;
		else if (argv[i][0] == '-' || !table_arg(argv[i], table, size))
			return json_out_fail(EXIT_INVALID, "usage: %s (table: \"%.40s\")", usage,
					     argv[i]);
	}
	return 0;
}

static json_t *describe(const struct nft_model *m, uint32_t genid)
{
	json_t *doc, *chains, *sets, *counters;
	size_t i;

	doc = json_pack("{s:s+,s:b,s:I,s:I,s:I}", "table", "inet ", m->table, "exists", m->exists,
			"generation", (json_int_t)genid, "rules", (json_int_t)m->nrules,
			"set_elements", (json_int_t)nft_model_count_elements(m));
	chains = json_object();
	sets = json_object();
	counters = json_object();
	if (!doc || !chains || !sets || !counters) {
		json_decref(doc);
		json_decref(chains);
		json_decref(sets);
		json_decref(counters);
		return NULL;
	}
	for (i = 0; i < m->nchains; i++)
		json_object_set_new(chains, m->chains[i].name,
				    json_pack("{s:I}", "rules", (json_int_t)m->chains[i].nrules));
	for (i = 0; i < m->nsets; i++)
		json_object_set_new(
		    sets, m->sets[i].name,
		    json_pack("{s:I}", "elements", (json_int_t)nft_mset_count(&m->sets[i])));
	for (i = 0; i < m->ncounters; i++)
		json_object_set_new(counters, m->counters[i].name,
				    json_pack("{s:I,s:I}", "packets",
					      (json_int_t)m->counters[i].packets, "bytes",
					      (json_int_t)m->counters[i].bytes));
	json_object_set_new(doc, "chains", chains);
	json_object_set_new(doc, "sets", sets);
	json_object_set_new(doc, "counters", counters);
	return doc;
}

static int read_table(struct nl_sock *nl, struct nft_model *m, const char *table, uint32_t *genid)
{
	struct err err = {""};
	int ret;

	if ((ret = cmd_open(nl)))
		return ret;
	nft_model_init(m, table);
	if (nft_live_read(nl, m, genid, &err) < 0)
		return json_out_fail_err(EXIT_RUNTIME, &err);
	return 0;
}

int show_main(int argc, char *argv[])
{
	char table[NFT_POLICY_NAME_MAX];
	struct nft_model m = {0};
	struct nl_sock nl = {0};
	uint32_t genid = 0;
	int ret;

	if ((ret = parse_args(argc, argv, table, sizeof(table), NULL, "nft-apply show [TABLE]")) ||
	    (ret = read_table(&nl, &m, table, &genid)))
		goto out;
	ret = json_out_print(describe(&m, genid));
out:
	nft_model_free(&m);
	nl_close(&nl);
	return ret;
}

int delete_main(int argc, char *argv[])
{
	char table[NFT_POLICY_NAME_MAX], path[4096];
	struct nft_model m = {0};
	struct nft_batch b = {0};
	struct nl_sock nl = {0};
	struct err err = {""};
	uint32_t genid = 0;
	bool check = false;
	int ret;

	if ((ret = parse_args(argc, argv, table, sizeof(table), &check,
			      "nft-apply delete [TABLE] [--check]")) ||
	    (ret = read_table(&nl, &m, table, &genid)))
		goto out;
	if (m.exists && !check) {
		if ((ret = nft_batch_init(&b, genid)) || (ret = nft_delete_batch(&b, table)) ||
		    (ret = nft_batch_end(&b))) {
			ret = json_out_fail(EXIT_RUNTIME, "cannot build the batch: %s",
					    json_out_strerror(ret));
			goto out;
		}
		if (nft_batch_send(&nl, &b, &err) < 0) {
			ret = json_out_fail_err(EXIT_RUNTIME, &err);
			goto out;
		}
	}
	if (!check && nft_state_path(path, sizeof(path), mnl_socket_get_fd(nl.mnl)) == 0)
		unlink(path); /* this namespace's apply witness: no table, nothing to witness */
	ret = json_out_print(json_pack("{s:b,s:s+,s:b}", "changed", m.exists, "table", "inet ",
				       table, "check", check));
out:
	nft_batch_free(&b);
	nft_model_free(&m);
	nl_close(&nl);
	return ret;
}
