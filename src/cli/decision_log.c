/*
 * decision_log.c - `pdp decide --log FILE`: an audit trail in JSON Lines,
 * written by the library's decision hook (include/pdp/trust.h), one line
 * per decision: when, which image (id and revision), who asked for what,
 * and the answer with its reason. The file is appended to and flushed per
 * line, so a crash loses no decision already answered.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/json_out.h"
#include "common/prims.h"

struct decision_log {
	FILE *f;
	const char *path;
	bool failed;
};

static pdp_time wall_clock(void)
{
	struct timespec ts;
	pdp_time t = {0, 0};
	if (clock_gettime(CLOCK_REALTIME, &ts) == 0) {
		t.sec = (int64_t)ts.tv_sec;
		t.nsec = (int32_t)ts.tv_nsec;
	}
	return t;
}

/* The hook: one JSON object per decision, through the CLI's one JSON
 * writer (any bytes of an originator give valid JSON). */
static void log_decision(void *ctx, const pdp_image *img,
                         const pdp_request *req, const pdp_decision *d)
{
	decision_log *log = ctx;
	FILE *f = log->f;
	char when[64], hex[PDP_IMAGE_ID_HEX];
	time_format_rfc3339(wall_clock(), when, sizeof(when));
	json_out j = json_on(f);
	json_begin(&j);
	json_key_str(&j, "time", when);
	if (image_has_id(img)) {
		json_key_str(&j, "image", pdp_image_id_hex(img, hex));
		json_key_uint(&j, "revision", pdp_image_revision(img));
	}
	json_key_strn(&j, "originator", req->originator.ptr ? req->originator.ptr : "",
	              req->originator.ptr ? req->originator.len : 0);
	const char *op = pdp_operation_name(req->operation);
	json_key_str(&j, "operation", op ? op : "");
	json_key(&j, "acps");
	json_begin_array(&j);
	for (size_t i = 0; req->acps != NULL && i < req->n_acps; i++)
		json_strn(&j, req->acps[i].ptr ? req->acps[i].ptr : "",
		          req->acps[i].ptr ? req->acps[i].len : 0);
	json_end_array(&j);
	char *reason = reason_text(img, d, false);
	json_key_str(&j, "decision", d->effect == PDP_PERMIT ? "permit" : "deny");
	json_key_str(&j, "reason", reason);
	free(reason);
	json_end(&j);
	fputc('\n', f);
	if (fflush(f) != 0)
		log->failed = true;
}

int decision_log_open(const char *path, pdp_scratch *scratch,
                      decision_log **out)
{
	*out = NULL;
	decision_log *log = calloc(1, sizeof(*log));
	FILE *f = log ? fopen(path, "a") : NULL;
	if (f == NULL) {
		free(log);
		fprintf(stderr, "pdp: cannot open decision log %s\n", path);
		return EXIT_IO;
	}
	log->f = f;
	log->path = path;
	pdp_scratch_set_log(scratch, log_decision, log);
	*out = log;
	return EXIT_OK;
}

int decision_log_close(decision_log *log)
{
	if (log == NULL)
		return EXIT_OK;
	bool ok = fclose(log->f) == 0 && !log->failed;
	if (!ok)
		fprintf(stderr, "pdp: cannot write decision log %s\n", log->path);
	free(log);
	return ok ? EXIT_OK : EXIT_IO;
}
