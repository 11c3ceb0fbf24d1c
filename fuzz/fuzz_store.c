/*
 * fuzz_store.c - the live policy store (include/pdp/store.h) on untrusted
 * input: the changes a CSE forwards, and the files of a store directory.
 *
 * First byte even: a change stream. The rest is cut at each "\n%%\n" into
 * changes; a change's first byte picks put / remove / set group / remove
 * group / begin / commit / abort, the rest is its text (put) or its id and
 * members separated by '\n'. Applied to a store on a fixed base policy
 * (roles, groups, attributes, ACPs in both forms, the hosting CSE); after
 * each change a few requests are decided on the current image and must keep
 * the decision invariants of fuzz.h. A refused change must leave the
 * store's ACP and group counts as they were.
 *
 * First byte odd: a store directory. The rest is cut at the first
 * "\n%%\n" into store.snap and store.log (or, with bit 1 of the first
 * byte, appended to the log of a valid store after one change). Opening
 * must fail cleanly or give a store that decides.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "pdp/store.h"

static const char BASE[] =
	"pdp: 1\n"
	"cse: { sp_id: sp.example.com, cse_id: /id-in }\n"
	"attributes: { originator.level: int, resource.labels: set<string> }\n"
	"groups: { g: [CAE-g1, 'CAE-g*'] }\n"
	"roles: { r0: {}, r1: { inherits: [r0] } }\n"
	"assignments: { CAE-a: [r1] }\n"
	"acps:\n"
	"  - id: acp-a\n"
	"    privileges:\n"
	"      - { originators: ['role:r0', 'group:g'], operations: [retrieve] }\n"
	"  - {\"m2m:acp\": {ri: acp-n, pv: {acr: [{acor: [gx, CAE-b], acop: 3}]}}}\n";

static const char CUT[] = "\n%%\n";

static pdp_store *open_base(const char *dir)
{
	pdp_store *s = pdp_store_new();
	if (s == NULL)
		return NULL;
	(void)pdp_store_add_base_buffer(s, "base.yaml", BASE, sizeof(BASE) - 1);
	if (dir != NULL)
		(void)pdp_store_set_dir(s, dir);
	if (pdp_store_open(s) != PDPC_OK) {
		pdp_store_free(s);
		return NULL;
	}
	return s;
}

static void decide_a_few(pdp_store *s, pdp_scratch *sc, fuzz_reader *r)
{
	pdp_image *img = pdp_store_image(s);
	FUZZ_CHECK(img != NULL, "an open store has an image");
	fz_decide_some(img, sc, r, 2, false);
	pdp_image_release(img);
}

/* The next piece of [p, end) up to CUT. */
static pdp_str piece(const char **p, const char *end)
{
	pdp_str out = {*p, (size_t)(end - *p)};
	for (const char *q = *p; q + sizeof(CUT) - 1 <= end; q++)
		if (memcmp(q, CUT, sizeof(CUT) - 1) == 0) {
			out.len = (size_t)(q - *p);
			*p = q + sizeof(CUT) - 1;
			return out;
		}
	*p = end;
	return out;
}

static void stream(const uint8_t *data, size_t size)
{
	pdp_store *s = open_base(NULL);
	FUZZ_CHECK(s != NULL, "the base opens");
	pdp_scratch *sc = NULL;
	FUZZ_CHECK(pdp_scratch_new_any(&sc, NULL) == PDP_OK, "scratch");
	fuzz_reader r = {data, size};
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	pdp_store_txn *t = NULL;
	while (p < end) {
		pdp_str c = piece(&p, end);
		if (c.len == 0)
			continue;
		uint8_t op = (uint8_t)c.ptr[0] % 7u;
		pdp_str arg = {c.ptr + 1, c.len - 1};
		if (op == 4) {
			if (t == NULL)
				t = pdp_store_begin(s);
			continue;
		}
		if (op == 5 || op == 6) {
			if (t != NULL) {
				if (op == 5)
					(void)pdp_store_commit(t);
				else
					pdp_store_abort(t);
				t = NULL;
			}
			decide_a_few(s, sc, &r);
			continue;
		}
		bool own = t == NULL;
		if (own)
			t = pdp_store_begin(s);
		FUZZ_CHECK(t != NULL, "begin");
		uint32_t acps = pdp_store_acp_count(s);
		uint32_t groups = pdp_store_group_count(s);
		/* id, then members, separated by newlines */
		const char *nl = memchr(arg.ptr, '\n', arg.len);
		pdp_str id = {arg.ptr, nl ? (size_t)(nl - arg.ptr) : arg.len};
		pdpc_status st = PDPC_ERR_ARG;
		if (op == 0)
			st = pdp_store_txn_put_acp(t, (pdp_str){NULL, 0}, arg.ptr, arg.len);
		else if (op == 1)
			st = pdp_store_txn_remove_acp(t, id);
		else if (op == 3)
			st = pdp_store_txn_remove_group(t, id);
		else {
			pdp_str m[8];
			size_t n = 0;
			const char *q = nl ? nl + 1 : arg.ptr + arg.len;
			const char *stop = arg.ptr + arg.len;
			while (q < stop && n < 8) {
				const char *e = memchr(q, '\n', (size_t)(stop - q));
				e = e ? e : stop;
				m[n].ptr = q;
				m[n].len = (size_t)(e - q);
				n++;
				q = e < stop ? e + 1 : stop;
			}
			st = pdp_store_txn_set_group(t, id, m, n);
		}
		for (size_t i = 0; i < pdp_store_txn_diag_count(t); i++) {
			const pdpc_diag *d = pdp_store_txn_diag_get(t, i);
			FUZZ_CHECK(d != NULL && d->message != NULL && d->file != NULL &&
			           d->code != NULL, "diagnostic");
		}
		if (!own)
			continue;
		if (st == PDPC_OK)
			st = pdp_store_commit(t);
		else
			pdp_store_abort(t);
		t = NULL;
		if (st != PDPC_OK)
			FUZZ_CHECK(pdp_store_acp_count(s) == acps &&
			           pdp_store_group_count(s) == groups,
			           "a refused change changed the store");
		decide_a_few(s, sc, &r);
	}
	if (t != NULL)
		pdp_store_abort(t);
	pdp_scratch_free(sc);
	pdp_store_free(s);
}

static char dir[64];

static void write_file(const char *name, const void *p, size_t n, bool append)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, append ? "ab" : "wb");
	FUZZ_CHECK(f != NULL, "cannot write %s", path);
	if (n > 0)
		FUZZ_CHECK(fwrite(p, 1, n, f) == n, "short write");
	fclose(f);
}

static void remove_files(void)
{
	char path[128];
	static const char *const names[] = {"store.snap", "store.log",
	                                    "store.snap.tmp"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
}

static void cleanup(void)
{
	remove_files();
	rmdir(dir);
}

static void directory(const uint8_t *data, size_t size)
{
	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/pdp-fuzz-store-%d", (int)getpid());
		mkdir(dir, 0700);
		atexit(cleanup);
	}
	remove_files();
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	if (data[0] & 2u) {
		/* a valid store, then arbitrary bytes after its log */
		pdp_store *s = open_base(dir);
		FUZZ_CHECK(s != NULL, "a fresh directory opens");
		pdp_error err;
		const char *acp = "{\"m2m:acp\": {\"ri\": \"x\", \"pv\": {\"acr\": "
		                  "[{\"acor\": [\"all\"], \"acop\": 2}]}}}";
		(void)pdp_store_put_acp(s, (pdp_str){NULL, 0}, acp, strlen(acp), &err);
		pdp_store_free(s);
		write_file("store.log", p, (size_t)(end - p), true);
	} else {
		pdp_str snap = piece(&p, end);
		write_file("store.snap", snap.ptr, snap.len, false);
		write_file("store.log", p, (size_t)(end - p), false);
	}
	pdp_store *s = pdp_store_new();
	FUZZ_CHECK(s != NULL, "new");
	(void)pdp_store_set_dir(s, dir);
	pdpc_status st = pdp_store_open(s);
	if (st == PDPC_OK) {
		pdp_scratch *sc = NULL;
		FUZZ_CHECK(pdp_scratch_new_any(&sc, NULL) == PDP_OK, "scratch");
		fuzz_reader r = {data, size};
		decide_a_few(s, sc, &r);
		pdp_scratch_free(sc);
	} else
		FUZZ_CHECK(pdp_store_diag_count(s) > 0, "a refused open says why");
	pdp_store_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0 || size > 65536)
		return 0;
	if (data[0] & 1u)
		directory(data, size);
	else
		stream(data, size);
	return 0;
}
