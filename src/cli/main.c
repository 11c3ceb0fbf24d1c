/*
 * main.c - the pdp command: dispatch to a verb.
 */
#include <string.h>

#include "cli/cli.h"

static const char USAGE[] =
	"usage: pdp <command> [options]\n"
	"commands:\n"
	"  compile  compile policy files into an image\n"
	"  lint     report problems in policy files\n"
	"  decide   decide requests\n"
	"  explain  show how requests are decided\n"
	"  audit    who can do what (see pdp audit --help)\n"
	"  replay   drive a live policy store with a stream of changes\n"
	"  test     run policy test files (expected decisions)\n"
	"  diff     what a policy change grants or takes away\n"
	"  report   the permission matrix as one HTML page\n"
	"  inspect  show an image's id, revision, signature and contents\n"
	"  keygen   make a key pair for signing images\n"
	"  verify   check an image's signature and revision\n"
	"  version  print the version\n"
	"Run `pdp <command> --help` for its options. docs/cli.md has details.\n";

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(USAGE, stderr);
		return EXIT_USAGE;
	}
	const char *verb = argv[1];
	if (strcmp(verb, "compile") == 0)
		return cmd_compile(argc - 1, argv + 1);
	if (strcmp(verb, "lint") == 0)
		return cmd_lint(argc - 1, argv + 1);
	if (strcmp(verb, "decide") == 0)
		return cmd_decide(argc - 1, argv + 1, false);
	if (strcmp(verb, "explain") == 0)
		return cmd_decide(argc - 1, argv + 1, true);
	if (strcmp(verb, "audit") == 0)
		return cmd_audit(argc - 1, argv + 1);
	if (strcmp(verb, "replay") == 0)
		return cmd_replay(argc - 1, argv + 1);
	if (strcmp(verb, "test") == 0)
		return cmd_test(argc - 1, argv + 1);
	if (strcmp(verb, "diff") == 0)
		return cmd_diff(argc - 1, argv + 1);
	if (strcmp(verb, "report") == 0)
		return cmd_report(argc - 1, argv + 1);
	if (strcmp(verb, "inspect") == 0)
		return cmd_inspect(argc - 1, argv + 1);
	if (strcmp(verb, "keygen") == 0)
		return cmd_keygen(argc - 1, argv + 1);
	if (strcmp(verb, "verify") == 0)
		return cmd_verify(argc - 1, argv + 1);
	if (strcmp(verb, "version") == 0 || strcmp(verb, "--version") == 0) {
		printf("pdp %s\n", pdp_version());
		return EXIT_OK;
	}
	if (strcmp(verb, "help") == 0 || strcmp(verb, "--help") == 0 ||
	    strcmp(verb, "-h") == 0) {
		fputs(USAGE, stdout);
		return EXIT_OK;
	}
	fprintf(stderr, "pdp: unknown command '%s'\n%s", verb, USAGE);
	return EXIT_USAGE;
}
