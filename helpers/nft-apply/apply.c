// SPDX-License-Identifier: GPL-2.0-only
/* apply: validate the policy, compare with the live table, send one batch or nothing. */
#include <errno.h>
#include <string.h>

#include "cmd.h"
#include "nft_build.h"
#include "nft_live.h"
#include "nft_sync.h"
#include "out.h"

int cmd_open(struct nft_nl *nl)
{
	int ret = nft_nl_open(nl);

	if (ret < 0)
		return json_out_fail(EXIT_RUNTIME, "cannot open the nf_tables netlink socket: %s",
				     json_out_strerror(ret));
	return 0;
}

static json_t *result(const struct nft_desired *d, const struct nft_plan *p, uint32_t genid,
		      bool check)
{
	return json_pack("{s:b,s:s+,s:I,s:I,s:b,s:I,s:I,s:I,s:b}", "changed", p->changed, "table",
			 "inet ", d->model.table, "rules", (json_int_t)d->model.nrules,
			 "set_elements", (json_int_t)nft_model_count_elements(&d->model),
			 "replaced", p->replace, "elements_added", (json_int_t)p->add,
			 "elements_removed", (json_int_t)p->del, "generation", (json_int_t)genid,
			 "check", check);
}

int apply_main(int argc, char *argv[])
{
	struct nft_desired d = {0};
	struct nft_model live = {0};
	struct nft_policy pol;
	struct nft_batch b = {0};
	struct nft_plan plan;
	struct nft_nl nl = {0};
	const char *path = NULL;
	struct err err = {""};
	uint32_t genid = 0;
	bool check = false;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--check"))
			check = true;
		else if (argv[i][0] != '-' && !path)
			path = argv[i];
		else
			return json_out_fail(EXIT_INVALID,
					     "usage: nft-apply POLICY.json [--check]");
	}
	if (!path)
		return json_out_fail(EXIT_INVALID, "usage: nft-apply POLICY.json [--check]");
	if (!nft_policy_load(&pol, path, &err))
		return json_out_fail_err(EXIT_INVALID, &err);
	ret = nft_build(&d, &pol);
	nft_policy_free(&pol);
	if (ret < 0) {
		ret = json_out_fail(EXIT_RUNTIME, "cannot build the ruleset: %s",
				    json_out_strerror(ret));
		goto out;
	}
	if ((ret = cmd_open(&nl)))
		goto out;
	nft_model_init(&live, d.model.table);
	if (nft_live_read(&nl, &live, &genid, &err) < 0) {
		ret = json_out_fail_err(EXIT_RUNTIME, &err);
		goto out;
	}
	if ((ret = nft_plan(&d, &live, &plan)) < 0) {
		ret = json_out_fail(EXIT_RUNTIME, "cannot compare: %s", json_out_strerror(ret));
		goto out;
	}
	if (plan.changed && !check) {
		if ((ret = nft_batch_init(&b, genid)) ||
		    (ret = nft_plan_batch(&b, &d, &live, &plan)) || (ret = nft_batch_end(&b))) {
			ret = json_out_fail(EXIT_RUNTIME, "cannot build the batch: %s",
					    json_out_strerror(ret));
			goto out;
		}
		if (nft_batch_send(&nl, &b, &err) < 0) {
			ret = json_out_fail_err(EXIT_RUNTIME, &err);
			goto out;
		}
	}
	ret = json_out_print(result(&d, &plan, genid, check));
out:
	nft_batch_free(&b);
	nft_model_free(&live);
	nft_desired_free(&d);
	nft_nl_close(&nl);
	return ret;
}
