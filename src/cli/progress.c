/*
 * progress.c - what `pdp compile` and `pdp lint` show on a terminal while
 * a large policy takes its time: after the first second, one line on
 * stderr naming the stage (pdpc_set_progress), rewritten in place at each
 * stage and erased at the end, so that nothing stays in the output and a
 * short run (or stderr that is a file or pipe) shows nothing at all.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

#define PROGRESS_AFTER_S 1.0

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void on_stage(void *ctx, const char *stage, const char *what)
{
	progress *p = ctx;
	double elapsed = now_s() - p->start;
	if (elapsed < PROGRESS_AFTER_S)
		return;
	/* \r and "erase to the end of the line": one line, rewritten */
	fprintf(stderr, "\rpdp %s: %s%s%s (%.1f s)\033[K", p->verb, stage,
	        what ? " " : "", what ? what : "", elapsed);
	fflush(stderr);
	p->shown = true;
}

void progress_start(progress *p, pdpc_compiler *c, const char *verb)
{
	p->verb = verb;
	p->start = now_s();
	p->shown = false;
	if (isatty(STDERR_FILENO))
		pdpc_set_progress(c, on_stage, p);
}

void progress_end(progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->shown = false;
}
