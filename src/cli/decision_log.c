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

static void json_key_str(FILE *f, const char *key, pdp_str s)
{
	fprintf(f, ",\"%s\":", key);
	json_string(f, s.ptr ? s.ptr : "", s.ptr ? s.len : 0);
}

/* The hook: one JSON object per decision. */
static void log_decision(void *ctx, const pdp_image *img,
                         const pdp_request *req, const pdp_decision *d)
{
	decision_log *log = ctx;
	FILE *f = log->f;
	char when[64], hex[PDP_IMAGE_ID_HEX];
	time_format_rfc3339(wall_clock(), when, sizeof(when));
	fprintf(f, "{\"time\":\"%s\"", when);
	if (image_has_id(img))
		fprintf(f, ",\"image\":\"%s\",\"revision\":%llu",
		        pdp_image_id_hex(img, hex),
		        (unsigned long long)pdp_image_revision(img));
	json_key_str(f, "originator", req->originator);
	const char *op = pdp_operation_name(req->operation);
	fprintf(f, ",\"operation\":\"%s\",\"acps\":[", op ? op : "");
	for (size_t i = 0; req->acps != NULL && i < req->n_acps; i++) {
		fputs(i ? "," : "", f);
		json_string(f, req->acps[i].ptr ? req->acps[i].ptr : "",
		            req->acps[i].ptr ? req->acps[i].len : 0);
	}
	char *reason = reason_text(img, d, false);
	fprintf(f, "],\"decision\":\"%s\",\"reason\":",
	        d->effect == PDP_PERMIT ? "permit" : "deny");
	json_string(f, reason, strlen(reason));
	free(reason);
	fputs("}\n", f);
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
