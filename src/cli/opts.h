/*
 * opts.h - every verb's command line through getopt_long, with one set of
 * messages: `--opt value` and `--opt=value`, `--` ends the options, `-` is an
 * operand (standard input or output), `--help` and `--version` everywhere.
 */
#ifndef PDP_CLI_OPTS_H
#define PDP_CLI_OPTS_H

#include <getopt.h>
#include <stdbool.h>

/* Values of the options every verb has; a verb's own long-only options
 * number from OPT_FIRST up, so they never collide with a short letter. */
enum {
	OPT_HELP = 'h',
	OPT_VERSION = 0x100,
	OPT_FIRST = 0x101
};

/* The last two entries of every verb's table of long options. */
#define CLI_COMMON_OPTIONS                                    \
	{"help", no_argument, NULL, OPT_HELP},                    \
	{"version", no_argument, NULL, OPT_VERSION},              \
	{NULL, 0, NULL, 0}

/* cli_next's answers besides an option's value. */
enum {
	CLI_END = -1,  /* no more options: the operands follow (cli_operands) */
	CLI_EXIT = -2  /* help, version or a usage error was printed: return
	                  p->exit_code */
};

typedef struct cli_parser {
	const char *verb;             /* "compile", for messages */
	const char *help;             /* the verb's --help text */
	const struct option *longopts;/* ends with CLI_COMMON_OPTIONS */
	char shortopts[64];           /* ':' + the verb's letters + 'h' */
	int argc;
	char **argv;                  /* argv[0] is the verb */
	const char *arg;              /* the value of the option just returned */
	int exit_code;                /* with CLI_EXIT */
} cli_parser;

/* Start parsing argv (argv[0] the verb) with the verb's short letters
 * (getopt syntax, "o:p:") and long options. */
void cli_parser_init(cli_parser *p, const char *verb, const char *help,
                     const char *shortopts, const struct option *longopts,
                     int argc, char **argv);

/* The next option's value (its letter, or its OPT_ value), with its
 * argument in p->arg; CLI_END when the options are over; CLI_EXIT after
 * printing the help, the version, or why the command line is wrong (an
 * unknown option, a missing or unexpected value). */
int cli_next(cli_parser *p);

/* The operands (everything that is not an option, in order), once cli_next
 * returned CLI_END. */
char **cli_operands(cli_parser *p, int *count);

/* Report a usage error in the house words (`pdp VERB: MESSAGE` and where
 * to find the options) and return EXIT_USAGE. */
int cli_usage_error(const cli_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* An option whose value must be one of a list (--format): the index of
 * value in names (NULL-terminated), or -1 after reporting it. */
int cli_choice(const cli_parser *p, const char *option, const char *value,
               const char *const *names);

/* Standard input can be read once: true when "-" is named at most once
 * among a[0..na), b[0..nb) and one (may be NULL), else false after
 * reporting it. */
bool cli_stdin_once(const cli_parser *p, char **a, int na, char **b, int nb,
                    const char *one);

/* The inputs of a verb that reads a stream after its policy (decide's
 * requests, replay's changes): the operands in *files, or standard input
 * when there are none, unless the policy (-p -) or image (-i -) is read
 * from there; "-" at most once. False after reporting a usage error. */
bool cli_stream_inputs(const cli_parser *p, char **pols, int npols,
                       const char *image, char ***files, int *nfiles);

#endif
