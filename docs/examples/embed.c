/*
 * embed.c - how a CSE embeds libpdp: load the image once, resolve what it
 * can up front (ACP ids, attribute ids), then decide per request from
 * several threads, each with its own scratch. Build:
 *   cc embed.c $(pkg-config --cflags --libs pdp) -lpthread -o embed
 * Run: ./embed IMAGE
 */
#include <pdp/pdp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *buf = n > 0 ? malloc((size_t)n) : NULL;
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

typedef struct job {
	pdp_image *img;
	uint32_t clearance_id;
	int permits;
} job;

static pdp_str str(const char *s)
{
	pdp_str r = {s, strlen(s)};
	return r;
}

/* One worker thread: its own scratch, many decisions. */
static void *worker(void *arg)
{
	job *j = arg;
	pdp_scratch *scratch = NULL;
	pdp_error err;
	if (pdp_scratch_new(j->img, &scratch, &err) != PDP_OK)
		return NULL;
	pdp_str acps[1] = {str("acp-operator-app")};
	pdp_attr attrs[1] = {{j->clearance_id, {.type = PDP_TYPE_INT}}};
	attrs[0].value.u.i = 4;
	for (int i = 0; i < 1000; i++) {
		pdp_request q;
		pdp_request_init(&q);
		q.originator = str("CAE-ops-app");
		q.operation = PDP_OP_UPDATE;
		q.acps = acps;
		q.n_acps = 1;
		q.has_time = true;
		q.time.sec = 1764579600 + i; /* 2025-12-01T09:00:00Z, a Monday */
		q.attrs = attrs;
		q.n_attrs = j->clearance_id != PDP_NONE ? 1 : 0;
		pdp_decision d;
		pdp_decide(j->img, scratch, &q, &d);
		if (d.effect == PDP_PERMIT)
			j->permits++;
	}
	pdp_scratch_free(scratch);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: embed IMAGE\n");
		return 64;
	}
	size_t len = 0;
	uint8_t *bytes = read_file(argv[1], &len);
	if (bytes == NULL) {
		fprintf(stderr, "cannot read %s\n", argv[1]);
		return 66;
	}
	pdp_image *img = NULL;
	pdp_error err;
	if (pdp_image_load(bytes, len, &img, &err) != PDP_OK) {
		fprintf(stderr, "image rejected: %s\n", err.message);
		free(bytes);
		return 65;
	}
	free(bytes); /* the image keeps its own copy */

	/* Resolve names once; the hot path then uses ids. */
	uint32_t clearance = pdp_attr_id(img, str("originator.clearance"));
	if (pdp_acp_index(img, str("acp-operator-app")) == PDP_NONE) {
		fprintf(stderr, "the image has no acp-operator-app\n");
		pdp_image_free(img);
		return 1;
	}

	enum { THREADS = 4 };
	pthread_t t[THREADS];
	job jobs[THREADS];
	for (int i = 0; i < THREADS; i++) {
		jobs[i] = (job){img, clearance, 0};
		pthread_create(&t[i], NULL, worker, &jobs[i]);
	}
	int permits = 0;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		permits += jobs[i].permits;
	}
	printf("%d of %d decisions permitted\n", permits, THREADS * 1000);

	/* One more request, with its reason. */
	pdp_request q;
	pdp_request_init(&q);
	pdp_str acps[1] = {str("acp-meter-data")};
	q.originator = str("CAE-stranger");
	q.operation = PDP_OP_DELETE;
	q.acps = acps;
	q.n_acps = 1;
	pdp_decision d;
	pdp_decide(img, NULL, &q, &d);
	char reason[256];
	pdp_reason_format(img, &d, true, reason, sizeof(reason));
	printf("%s %s\n", d.effect == PDP_PERMIT ? "permit" : "deny", reason);
	pdp_image_free(img);
	return 0;
}
