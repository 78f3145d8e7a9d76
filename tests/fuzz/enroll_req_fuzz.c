// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for warren-enrolld's request parser (enroll and rotate bodies) and the
 * token/credential text parser, including the sources directly as wireguard-tools' src/fuzz/
 * does. Every refusal must say why.
 */
#include "../../helpers/lib/addr.c"
#include "../../helpers/lib/buf.c"
#include "../../helpers/lib/err.c"
#include "../../helpers/lib/filesync.c"
#include "../../helpers/lib/json_get.c"
#include "../../helpers/lib/json_wipe.c"
#include "../../helpers/lib/key.c"
#include "../../helpers/lib/num.c"
#include "../../helpers/lib/wgcheck.c"
#include "../../helpers/lib/wgdev.c"
#include "../../helpers/warren-enrolld/enr_conf.c"
#include "../../helpers/warren-enrolld/enr_req.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct enr_req r;
	struct err err = {{0}};
	uint8_t secret[ENR_SECRET_LEN];
	char id[ENR_NAME_MAX], *text;

	if (enr_req_parse(&r, (const char *)data, size, size & 1, &err))
		enr_req_wipe(&r);
	else if (!err.msg[0])
		__builtin_trap();
	text = strndup((const char *)data, size);
	if (text && enr_secret_parse(id, sizeof(id), secret, text) && strlen(id) >= sizeof(id))
		__builtin_trap();
	free(text);
	return 0;
}
