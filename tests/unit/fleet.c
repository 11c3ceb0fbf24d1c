/*
 * fleet.c - docs/deployment.md played through: a build host publishes
 * signed images into a shared directory (the distribution channel), three
 * CSE processes decide without pause, pick up each publication, load it
 * with pdp_image_load_trusted (the fleet's public key, and their running
 * revision as the minimum), swap it in between two decisions and report
 * the id they run. Tampered, unsigned, wrongly signed and rolled-back
 * publications must be refused by every CSE, which keeps deciding on what
 * it ran before; every decision is checked against the revision of the
 * image it was made on, through the decision log hook.
 * Exit 0 when every step holds; a few seconds.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "image/identity.h"
#include "pdp/pdpc.h"
#include "pdp/trust.h"

enum { CSES = 3, BATCH = 200 };

static void nap_us(long us)
{
	struct timespec t = {0, us * 1000};
	nanosleep(&t, NULL);
}

static void die(const char *what)
{
	fprintf(stderr, "fleet: %s\n", what);
	exit(1);
}

/* Revision r permits CAE-a when r is odd, CAE-b when it is even. */
static uint8_t *compile_rev(uint64_t rev, size_t *len)
{
	char text[256];
	snprintf(text, sizeof(text),
	         "pdp: 1\nacps:\n  - id: acp\n    privileges:\n"
	         "      - { originators: [%s], operations: [retrieve] }\n",
	         rev % 2 ? "CAE-a" : "CAE-b");
	pdpc_compiler *c = pdpc_new();
	const uint8_t *img;
	if (c == NULL || pdpc_add_buffer(c, "fleet.yaml", text, strlen(text)) ||
	    pdpc_set_identity(c, rev, "fleet test") ||
	    pdpc_compile(c, &img, len) != PDPC_OK)
		die("cannot compile");
	uint8_t *copy = malloc(*len);
	memcpy(copy, img, *len);
	pdpc_free(c);
	return copy;
}

static uint8_t *sign(uint8_t *img, size_t *len, const uint8_t *sk)
{
	uint8_t *out;
	size_t n;
	if (!img_sign(img, *len, sk, &out, &n))
		die("cannot sign");
	free(img);
	*len = n;
	return out;
}

static void write_file(const char *dir, const char *name, const void *b,
                       size_t len)
{
	char tmp[512], path[512];
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(tmp, "wb");
	if (f == NULL || fwrite(b, 1, len, f) != len || fclose(f) != 0 ||
	    rename(tmp, path) != 0)
		die("cannot write to the channel");
}

static uint8_t *read_file(const char *dir, const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	uint8_t *b = malloc(1 << 20);
	*len = fread(b, 1, 1 << 20, f);
	fclose(f);
	return b;
}

/* ---- a CSE ---- */

typedef struct cse {
	const pdp_image *img; /* what every decision must have been made on */
	uint64_t decisions, wrong;
} cse;

/* The decision log: each decision on the image the CSE runs, with the
 * answer that image's revision gives. */
static void audit(void *ctx, const pdp_image *img, const pdp_request *req,
                  const pdp_decision *d)
{
	cse *c = ctx;
	bool a = req->originator.len == 5 && memcmp(req->originator.ptr, "CAE-a",
	                                            5) == 0;
	bool permit = (pdp_image_revision(img) % 2 == 1) == a;
	c->decisions++;
	if (img != c->img || (d->effect == PDP_PERMIT) != permit)
		c->wrong++;
}

static int run_cse(const char *dir, int id)
{
	size_t klen;
	uint8_t *key = read_file(dir, "fleet.pub", &klen);
	if (key == NULL || klen != PDP_PUBLIC_KEY_SIZE)
		return 2;
	cse c = {0};
	pdp_image *img = NULL;
	pdp_scratch *sc = NULL;
	if (pdp_scratch_new_any(&sc, NULL) != PDP_OK)
		return 2;
	pdp_scratch_set_log(sc, audit, &c);
	long seen = -1;
	char status[512], name[32], last[300] = "none";
	snprintf(name, sizeof(name), "cse-%d.status", id);
	pdp_str acps[] = {{"acp", 3}};
	for (uint64_t n = 0;; n++) {
		/* the load: a batch of decisions for two originators */
		for (int i = 0; img != NULL && i < BATCH; i++) {
			pdp_request q;
			pdp_request_init(&q);
			q.originator = (pdp_str){(i & 1) ? "CAE-a" : "CAE-b", 5};
			q.operation = PDP_OP_RETRIEVE;
			q.acps = acps;
			q.n_acps = 1;
			pdp_decision d;
			pdp_decide(img, sc, &q, &d);
		}
		size_t slen;
		uint8_t *seq = read_file(dir, "seq", &slen);
		long now = seq ? strtol((char *)seq, NULL, 10) : -1;
		free(seq);
		if (now == -2)
			break; /* the build host says stop */
		if (now == seen) {
			if (img == NULL)
				nap_us(1000);
			continue;
		}
		size_t len;
		uint8_t *bytes = read_file(dir, "image.pdpi", &len);
		pdp_trust trust = {key, 1, pdp_image_revision(img)};
		pdp_image *next = NULL;
		pdp_error err;
		if (bytes != NULL &&
		    pdp_image_load_trusted(bytes, len, &trust, &next, &err) == PDP_OK) {
			pdp_image_release(img); /* between two decisions: the swap */
			img = next;
			c.img = img;
			snprintf(last, sizeof(last), "ok");
		} else
			snprintf(last, sizeof(last), "%d %s", (int)err.code, err.message);
		free(bytes);
		seen = now;
		char hex[PDP_IMAGE_ID_HEX];
		int sl = snprintf(status, sizeof(status), "%ld %llu %s %llu %llu %s\n",
		                  seen,
		                  (unsigned long long)pdp_image_revision(img),
		                  img ? pdp_image_id_hex(img, hex) : "-",
		                  (unsigned long long)c.decisions,
		                  (unsigned long long)c.wrong, last);
		write_file(dir, name, status, (size_t)sl);
	}
	pdp_scratch_free(sc);
	pdp_image_release(img);
	free(key);
	return c.wrong == 0 && c.decisions > 0 ? 0 : 3;
}

/* ---- the build host ---- */

typedef struct report {
	long seq;
	unsigned long long rev, decisions, wrong;
	char id[80];
	int code; /* of the last publication: 0 accepted, else pdp_status */
} report;

/* Publish bytes as publication seq and wait until every CSE handled it. */
static void publish(const char *dir, long seq, const uint8_t *b, size_t len,
                    report *r)
{
	char text[32];
	nap_us(100000); /* the fleet decides a while on what it runs */
	write_file(dir, "image.pdpi", b, len);
	int n = snprintf(text, sizeof(text), "%ld\n", seq);
	write_file(dir, "seq", text, (size_t)n);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < CSES;) {
		char name[32];
		snprintf(name, sizeof(name), "cse-%d.status", i);
		size_t sl;
		char *s = (char *)read_file(dir, name, &sl);
		char last[64] = "";
		if (s != NULL) {
			s[sl < (1 << 20) ? sl : sl - 1] = '\0';
			if (sscanf(s, "%ld %llu %79s %llu %llu %63s", &r[i].seq,
			           &r[i].rev, r[i].id, &r[i].decisions, &r[i].wrong,
			           last) != 6)
				r[i].seq = -1;
			r[i].code = strcmp(last, "ok") == 0 ? 0 : atoi(last);
		}
		free(s);
		if (s != NULL && r[i].seq == seq) {
			i++;
			continue;
		}
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 20)
			die("a CSE did not answer a publication within 20 s");
		nap_us(500);
	}
}

/* Every CSE accepted (want 0) or refused with want, and runs revision. */
static void expect(const report *r, int want, unsigned long long revision,
                   const char *step)
{
	for (int i = 0; i < CSES; i++) {
		if (r[i].code != want || r[i].rev != revision || r[i].wrong != 0) {
			fprintf(stderr, "fleet: %s: CSE %d answered %d (want %d), runs "
			                "revision %llu (want %llu), %llu wrong\n",
			        step, i, r[i].code, want, r[i].rev, revision, r[i].wrong);
			exit(1);
		}
		if (i > 0 && strcmp(r[i].id, r[0].id) != 0)
			die("CSEs run different ids for the same revision");
	}
	printf("fleet: %-34s every CSE runs revision %llu, id %.16s...\n", step,
	       revision, r[0].id);
}

int main(void)
{
	char dir[] = "/tmp/pdp-fleet-XXXXXX";
	if (mkdtemp(dir) == NULL || sodium_init() < 0)
		die("cannot start");
	uint8_t pk[PDP_PUBLIC_KEY_SIZE], sk[PDP_SECRET_KEY_SIZE];
	uint8_t other_pk[PDP_PUBLIC_KEY_SIZE], other_sk[PDP_SECRET_KEY_SIZE];
	crypto_sign_keypair(pk, sk);
	crypto_sign_keypair(other_pk, other_sk);
	write_file(dir, "fleet.pub", pk, sizeof(pk));
	pid_t pids[CSES];
	for (int i = 0; i < CSES; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("cannot fork");
		if (pids[i] == 0)
			_exit(run_cse(dir, i));
	}
	report r[CSES];
	memset(r, 0, sizeof(r));
	size_t len;
	uint8_t *b = sign(compile_rev(1, &len), &len, sk);
	publish(dir, 1, b, len, r);
	expect(r, 0, 1, "revision 1 published:");
	uint8_t *old = b;
	size_t old_len = len;
	b = sign(compile_rev(2, &len), &len, sk);
	b[len / 2] ^= 0x01; /* tampered on the way */
	publish(dir, 2, b, len, r);
	expect(r, PDP_ERR_CHECKSUM, 1, "tampered revision 2 refused:");
	free(b);
	b = sign(compile_rev(2, &len), &len, other_sk);
	publish(dir, 3, b, len, r);
	expect(r, PDP_ERR_SIGNATURE, 1, "foreign signature refused:");
	free(b);
	b = compile_rev(2, &len);
	publish(dir, 4, b, len, r);
	expect(r, PDP_ERR_SIGNATURE, 1, "unsigned image refused:");
	free(b);
	b = sign(compile_rev(2, &len), &len, sk);
	publish(dir, 5, b, len, r);
	expect(r, 0, 2, "revision 2 published:");
	free(b);
	publish(dir, 6, old, old_len, r);
	expect(r, PDP_ERR_ROLLBACK, 2, "revision 1 again refused:");
	free(old);
	b = sign(compile_rev(3, &len), &len, sk);
	publish(dir, 7, b, len, r);
	expect(r, 0, 3, "revision 3 published:");
	free(b);
	unsigned long long total = 0;
	for (int i = 0; i < CSES; i++)
		total += r[i].decisions;
	write_file(dir, "seq", "-2\n", 3);
	int bad = 0;
	for (int i = 0; i < CSES; i++) {
		int st;
		if (waitpid(pids[i], &st, 0) != pids[i] || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0) {
			fprintf(stderr, "fleet: CSE %d failed (status %d)\n", i, st);
			bad = 1;
		}
	}
	printf("fleet: %llu decisions checked against their image's revision\n",
	       total);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		bad = 1;
	return bad;
}
