// SPDX-License-Identifier: GPL-2.0-only
/* apply: validate the policy, compare with the live table, send one batch or nothing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cmd.h"
#include "nft_build.h"
#include "nft_live.h"
#include "nft_state.h"
#include "nft_sync.h"
#include "out.h"

int cmd_open(struct nl_sock *nl)
{
	int ret = nft_nl_open(nl);

	if (ret < 0)
		return json_out_fail(EXIT_RUNTIME, "cannot open the nf_tables netlink socket: %s",
				     json_out_strerror(ret));
	return 0;
}

static json_t *result(const char *table, const struct nft_plan *p, size_t rules, size_t elements,
		      uint32_t genid, bool check, const char *verified)
{
	return json_pack("{s:b,s:s+,s:I,s:I,s:b,s:I,s:I,s:I,s:b,s:s}", "changed", p->changed,
			 "table", "inet ", table, "rules", (json_int_t)rules, "set_elements",
			 (json_int_t)elements, "replaced", p->replace, "elements_added",
			 (json_int_t)p->add, "elements_removed", (json_int_t)p->del, "generation",
			 (json_int_t)genid, "check", check, "verified", verified);
}

struct witness {
	char path[4096];
	struct nft_state st;
	bool usable;
};

/*
 * The fast no-op: same namespace, same binary, same policy bytes and a generation that has not
 * moved since warren's last apply or compare (see nft_state.h). Any failure means "compare".
 */
static bool unchanged_since_last(struct nl_sock *nl, struct witness *w, const char *buf, size_t len,
				 uint32_t *genid)
{
	struct nft_state last;

	w->usable = nft_state_hash(w->st.hash, buf, len) == 0 &&
		    nft_state_boot_id(w->st.boot_id) == 0 &&
		    nft_state_path(w->path, sizeof(w->path), mnl_socket_get_fd(nl->mnl)) == 0;
	if (!w->usable || nft_state_load(w->path, &last) < 0 || nft_nl_genid(nl, genid) < 0)
		return false;
	/* A state from an earlier boot proves nothing: cookies and generations start again. */
	if (strcmp(last.boot_id, w->st.boot_id) || last.genid != *genid ||
	    sodium_memcmp(last.hash, w->st.hash, sizeof(last.hash)))
		return false;
	w->st = last;
	return true;
}

/* Records the witness; never in check mode, which writes nothing at all. */
static void remember(struct witness *w, uint32_t genid, const struct nft_desired *d, bool check)
{
	if (!w->usable || check)
		return;
	w->st.genid = genid;
	w->st.rules = d->model.nrules;
	w->st.elements = nft_model_count_elements(&d->model);
	snprintf(w->st.table, sizeof(w->st.table), "%s", d->model.table);
	nft_state_save(w->path, &w->st); /* best effort: without it the next run compares */
}

static int apply_args(int argc, char *argv[], const char **path, bool *check)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--check"))
			*check = true;
		else if (argv[i][0] != '-' && !*path)
			*path = argv[i];
		else
			return json_out_fail(EXIT_INVALID,
					     "usage: nft-apply POLICY.json [--check]");
	}
	if (!*path)
		return json_out_fail(EXIT_INVALID, "usage: nft-apply POLICY.json [--check]");
	return 0;
}

/* The policy in @buf as the table it describes; 0, or the failure printed and its exit code. */
static int desired(struct nft_desired *d, const char *buf, size_t len, const char *path)
{
	struct nft_policy pol;
	struct err err = {""};
	int ret;

	if (!nft_policy_load_buf(&pol, buf, len, path, &err))
		return json_out_fail_err(EXIT_INVALID, &err);
	ret = nft_build(d, &pol);
	nft_policy_free(&pol);
	if (ret < 0)
		return json_out_fail(EXIT_RUNTIME, "cannot build the ruleset: %s",
				     json_out_strerror(ret));
	return 0;
}

/*
 * Reads the live table, compares, and unless @check sends the one batch the difference needs;
 * records the witness. 0, or the failure printed and its exit code.
 */
static int reconcile(struct nl_sock *nl, const struct nft_desired *d, struct nft_plan *plan,
		     uint32_t *genid, bool check, struct witness *w)
{
	struct nft_model live = {0};
	struct nft_batch b = {0};
	struct err err = {""};
	int ret;

	nft_model_init(&live, d->model.table);
	if (nft_live_read(nl, &live, genid, &err) < 0) {
		ret = json_out_fail_err(EXIT_RUNTIME, &err);
		goto out;
	}
	if ((ret = nft_plan(d, &live, plan)) < 0) {
		ret = json_out_fail(EXIT_RUNTIME, "cannot compare: %s", json_out_strerror(ret));
		goto out;
	}
	if (plan->changed && !check) {
		if ((ret = nft_batch_init(&b, *genid)) ||
		    (ret = nft_plan_batch(&b, d, &live, plan)) || (ret = nft_batch_end(&b))) {
			ret = json_out_fail(EXIT_RUNTIME, "cannot build the batch: %s",
					    json_out_strerror(ret));
			goto out;
		}
		if (nft_batch_send(nl, &b, &err) < 0) {
			ret = json_out_fail_err(EXIT_RUNTIME, &err);
			goto out;
		}
		/* The batch carried @genid: it committed genid + 1. */
		remember(w, *genid + 1, d, check);
	} else if (!plan->changed) {
		remember(w, *genid, d, check);
	}
	ret = 0;
out:
	nft_batch_free(&b);
	nft_model_free(&live);
	return ret;
}

int apply_main(int argc, char *argv[])
{
	struct nft_desired d = {0};
	struct nft_plan plan = {0};
	struct nl_sock nl = {0};
	struct witness w = {0};
	char table[NFT_POLICY_NAME_MAX];
	const char *path = NULL;
	struct err err = {""};
	uint32_t genid = 0;
	bool check = false;
	char *buf = NULL;
	size_t len = 0;
	int ret;

	if ((ret = apply_args(argc, argv, &path, &check)))
		return ret;
	if (!(buf = nft_policy_read(path, &len, &err)))
		return json_out_fail_err(EXIT_INVALID, &err);
	if (nft_nl_open(&nl) == 0 && unchanged_since_last(&nl, &w, buf, len, &genid)) {
		ret = json_out_print(result(w.st.table, &plan, w.st.rules, w.st.elements, genid,
					    check, "generation"));
		goto out;
	}
	if ((ret = desired(&d, buf, len, path)) || (!nl.mnl && (ret = cmd_open(&nl))) ||
	    (ret = reconcile(&nl, &d, &plan, &genid, check, &w)))
		goto out;
	snprintf(table, sizeof(table), "%s", d.model.table);
	ret = json_out_print(result(table, &plan, d.model.nrules,
				    nft_model_count_elements(&d.model), genid, check, "compare"));
out:
	free(buf);
	nft_desired_free(&d);
	nl_close(&nl);
	return ret;
}
