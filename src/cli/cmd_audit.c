/*
 * cmd_audit.c - `pdp audit`: placeholder verb until the audit module lands
 * (issue: Audit and explain). It says so and exits non-zero.
 */
#include "cli/cli.h"

int cmd_audit(int argc, char **argv);
int cmd_audit(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("pdp audit: not available in this build yet\n", stderr);
	return EXIT_USAGE;
}
