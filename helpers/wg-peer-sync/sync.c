// SPDX-License-Identifier: GPL-2.0-only
#include "cmd.h"
#include "out.h"

int sync_main(int argc, char *argv[])
{
	(void)argc;
	(void)argv;
	return json_out_fail(EXIT_RUNTIME, "sync: not built yet");
}

int show_main(int argc, char *argv[])
{
	(void)argc;
	(void)argv;
	return json_out_fail(EXIT_RUNTIME, "show: not built yet");
}
