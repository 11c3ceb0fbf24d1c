/*
 * opts.c - getopt_long with the house's messages (opts.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"

void cli_parser_init(cli_parser *p, const char *verb, const char *help,
                     const char *shortopts, const struct option *longopts,
                     int argc, char **argv)
{
	memset(p, 0, sizeof(*p));
	p->verb = verb;
	p->help = help;
	p->longopts = longopts;
	/* ':' first: a missing value is told apart from an unknown option */
	snprintf(p->shortopts, sizeof(p->shortopts), ":%sh", shortopts);
	p->argc = argc;
	p->argv = argv;
	opterr = 0;   /* the messages are ours */
	optind = 0;   /* glibc: start over, whatever parsed before */
}

int cli_usage_error(const cli_parser *p, const char *fmt, ...)
{
	fprintf(stderr, "pdp %s: ", p->verb);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'pdp %s --help' for the options.\n", p->verb);
	return EXIT_USAGE;
}

static const struct option *option_by_value(const cli_parser *p, int val)
{
	for (const struct option *o = p->longopts; o->name != NULL; o++)
		if (o->val == val)
			return o;
	return NULL;
}

static bool is_short_letter(const cli_parser *p, int c)
{
	return c > 0 && c < 0x100 && c != ':' &&
	       strchr(p->shortopts + 1, c) != NULL;
}

/* The element getopt just consumed, when it was a long option. */
static const char *long_element(const cli_parser *p)
{
	if (optind < 1 || optind > p->argc)
		return NULL;
	const char *e = p->argv[optind - 1];
	return strncmp(e, "--", 2) == 0 ? e : NULL;
}

/* "--name" of an unknown or ambiguous long option, without its value, and
 * the options it could abbreviate (getopt_long accepts unique prefixes). */
static int bad_long_option(const cli_parser *p, const char *elem)
{
	const char *name = elem + 2;
	size_t n = strcspn(name, "=");
	char matches[256] = "";
	int count = 0;
	for (const struct option *o = p->longopts; o->name != NULL; o++)
		if (strncmp(o->name, name, n) == 0) {
			size_t used = strlen(matches);
			snprintf(matches + used, sizeof(matches) - used, "%s--%s",
			         count ? ", " : "", o->name);
			count++;
		}
	if (count > 1)
		return cli_usage_error(p, "option '--%.*s' is ambiguous (%s)",
		                       (int)n, name, matches);
	return cli_usage_error(p, "unknown option '--%.*s'", (int)n, name);
}

/* getopt_long answered '?' or ':': say what was wrong. */
static int option_error(const cli_parser *p, int c)
{
	const char *elem = long_element(p);
	const struct option *o = option_by_value(p, optopt);
	if (c == ':') {
		if (elem != NULL && o != NULL)
			return cli_usage_error(p, "option '--%s' needs a value "
			                          "(--%s VALUE or --%s=VALUE)",
			                       o->name, o->name, o->name);
		return cli_usage_error(p, "option '-%c' needs a value",
		                       optopt);
	}
	/* '?': an option that takes no value was given one, or an unknown
	 * option (a valid short letter is never unknown) */
	if (optopt != 0 && (is_short_letter(p, optopt) || optopt >= 0x100) &&
	    o != NULL)
		return cli_usage_error(p, "option '--%s' takes no value", o->name);
	if (optopt != 0)
		return cli_usage_error(p, "unknown option '-%c'", optopt);
	if (elem != NULL)
		return bad_long_option(p, elem);
	return cli_usage_error(p, "unknown option");
}

int cli_next(cli_parser *p)
{
	int c = getopt_long(p->argc, p->argv, p->shortopts, p->longopts, NULL);
	p->arg = optarg;
	switch (c) {
	case -1:
		return CLI_END;
	case OPT_HELP:
		fputs(p->help, stdout);
		p->exit_code = EXIT_OK;
		return CLI_EXIT;
	case OPT_VERSION:
		printf("pdp %s\n", pdp_version());
		p->exit_code = EXIT_OK;
		return CLI_EXIT;
	case '?':
	case ':':
		p->exit_code = option_error(p, c);
		return CLI_EXIT;
	default:
		return c;
	}
}

char **cli_operands(cli_parser *p, int *count)
{
	*count = p->argc - optind;
	return p->argv + optind;
}

int cli_choice(const cli_parser *p, const char *option, const char *value,
               const char *const *names)
{
	char list[256] = "";
	for (int i = 0; names[i] != NULL; i++) {
		if (strcmp(value, names[i]) == 0)
			return i;
		size_t used = strlen(list);
		snprintf(list + used, sizeof(list) - used, "%s%s",
		         i == 0 ? "" : names[i + 1] == NULL ? " or " : ", ",
		         names[i]);
	}
	cli_usage_error(p, "%s: unknown value '%s' (%s)", option, value, list);
	return -1;
}

static int count_stdin(char **paths, int n)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		k += strcmp(paths[i], "-") == 0;
	return k;
}

bool cli_stdin_once(const cli_parser *p, char **a, int na, char **b, int nb,
                    const char *one)
{
	int k = count_stdin(a, na) + count_stdin(b, nb) +
	        (one != NULL && strcmp(one, "-") == 0);
	if (k <= 1)
		return true;
	cli_usage_error(p, "standard input ('-') can be read by one input only");
	return false;
}

bool cli_stream_inputs(const cli_parser *p, char **pols, int npols,
                       const char *image, char ***files, int *nfiles)
{
	static char *stdin_only[] = {"-", NULL};
	if (*nfiles == 0) {
		if (count_stdin(pols, npols) > 0 ||
		    (image != NULL && strcmp(image, "-") == 0)) {
			cli_usage_error(p, "standard input holds the %s: give the "
			                   "input to read as a file",
			                image ? "image (-i -)" : "policy (-p -)");
			return false;
		}
		*files = stdin_only;
		*nfiles = 1;
	}
	return cli_stdin_once(p, pols, npols, *files, *nfiles, image);
}
