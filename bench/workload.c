/*
 * workload.c - reading a generated workload back (workload.h).
 */
#define _XOPEN_SOURCE 700 /* nftw, mkdtemp */
#include "workload.h"

#include <ftw.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/prims.h"
#include "gen.h"

_Noreturn void bench_die(const char *fmt, const char *arg)
{
	fprintf(stderr, "pdp-bench: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

void *bench_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		bench_die("out of memory%s", "");
	return p;
}

char *bench_path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = bench_xmalloc(n);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

char *bench_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		bench_die("cannot read %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = bench_xmalloc((size_t)n + 1);
	if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)
		bench_die("cannot read %s", path);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

bool bench_read_meta(const char *dir, meta *m)
{
	char *p = bench_path_join(dir, "meta.txt");
	FILE *f = fopen(p, "r");
	free(p);
	if (f == NULL)
		return false;
	memset(m, 0, sizeof(*m));
	char key[64], val[64];
	while (fscanf(f, "%63s %63s", key, val) == 2) {
		unsigned long long v = strtoull(val, NULL, 10);
		if (strcmp(key, "scale") == 0)
			snprintf(m->scale, sizeof(m->scale), "%s", val);
		else if (strcmp(key, "version") == 0)
			m->version = (int)v;
		else if (strcmp(key, "rules") == 0)
			m->rules = v;
		else if (strcmp(key, "roles") == 0)
			m->roles = v;
		else if (strcmp(key, "assignments") == 0)
			m->assignments = v;
		else if (strcmp(key, "group_members") == 0)
			m->group_members = v;
		else if (strcmp(key, "elements") == 0)
			m->elements = v;
		else if (strcmp(key, "requests") == 0)
			m->requests = v;
		else if (strcmp(key, "permits") == 0)
			m->permits = v;
	}
	fclose(f);
	return m->version == BENCH_GEN_VERSION && m->requests > 0;
}

/* value of "key: " at the start of line (after indent), up to a delimiter */
static bool field(const char *line, const char *key, const char **v,
                  size_t *len, const char *stop)
{
	const char *p = strstr(line, key);
	if (p == NULL)
		return false;
	p += strlen(key);
	size_t n = strcspn(p, stop);
	*v = p;
	*len = n;
	return true;
}

/* A reader for the exact shape gen.c writes (five lines per request). */
void bench_read_requests(const char *dir, uint32_t clearance_id, reqset *rs,
                          uint64_t count)
{
	char *path = bench_path_join(dir, "requests.yaml");
	size_t len;
	rs->text = bench_read_file(path, &len);
	free(path);
	rs->req = bench_xmalloc(count * sizeof(pdp_request));
	rs->acp = bench_xmalloc(count * sizeof(pdp_str));
	rs->attr = bench_xmalloc(count * sizeof(pdp_attr));
	rs->fields = bench_xmalloc(count * sizeof(bench_text));
	size_t n = 0;
	pdp_request *q = NULL;
	for (char *line = rs->text; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0'; /* the strings are counted; NULs are harmless */
		const char *v;
		size_t vl;
		prim_err e;
		if (strncmp(line, "- originator: ", 14) == 0) {
			if (n == count)
				bench_die("more requests than meta.txt says%s", "");
			q = &rs->req[n++];
			pdp_request_init(q);
			q->originator = (pdp_str){line + 14, strlen(line + 14)};
		} else if (q == NULL || line[0] == '#') {
			/* comment before the first request */
		} else if (field(line, "  operation: ", &v, &vl, "\n")) {
			rs->fields[q - rs->req].op = (pdp_str){v, vl};
			q->operation = pdp_operation_from_name((pdp_str){v, vl});
			if (q->operation == 0)
				bench_die("bad operation in line: %s", line);
		} else if (field(line, "acps: [", &v, &vl, "]")) {
			pdp_str *a = &rs->acp[q - rs->req];
			*a = (pdp_str){v, vl};
			q->acps = a;
			q->n_acps = 1;
		} else if (strncmp(line, "  env: ", 7) == 0) {
			if (!field(line, "time: \"", &v, &vl, "\"") ||
			    !time_parse_rfc3339(v, vl, &q->time, &e))
				bench_die("bad env.time in line: %s", line);
			rs->fields[q - rs->req].time = (pdp_str){v, vl};
			q->has_time = true;
			if (!field(line, "ip: ", &v, &vl, " }") ||
			    !ip_parse(v, vl, &q->ip, NULL, &e))
				bench_die("bad env.ip in line: %s", line);
			rs->fields[q - rs->req].ip = (pdp_str){v, vl};
			q->has_ip = true;
		} else if (field(line, "originator.clearance: ", &v, &vl, " }")) {
			pdp_attr *a = &rs->attr[q - rs->req];
			a->id = clearance_id;
			a->value.type = PDP_TYPE_INT;
			a->value.u.i = strtoll(v, NULL, 10);
			q->attrs = a;
			q->n_attrs = 1;
		} else
			bench_die("unexpected line in requests.yaml: %s", line);
		line = nl ? nl + 1 : NULL;
	}
	if (n != count)
		bench_die("fewer requests than meta.txt says%s", "");
	rs->n = n;

	path = bench_path_join(dir, "expected.txt");
	char *exp = bench_read_file(path, &len);
	free(path);
	rs->expect = bench_xmalloc(n);
	size_t k = 0;
	for (char *t = strtok(exp, "\n"); t; t = strtok(NULL, "\n")) {
		if (k == n)
			bench_die("expected.txt has too many lines%s", "");
		if (strcmp(t, "permit") == 0)
			rs->expect[k++] = PDP_PERMIT;
		else if (strcmp(t, "deny") == 0)
			rs->expect[k++] = PDP_DENY;
		else
			bench_die("bad line in expected.txt: %s", t);
	}
	if (k != n)
		bench_die("expected.txt has too few lines%s", "");
	free(exp);
}

void bench_reqset_set_attr(reqset *rs, uint32_t clearance_id)
{
	for (size_t i = 0; i < rs->n; i++)
		rs->attr[i].id = clearance_id;
}

void bench_reqset_free(reqset *rs)
{
	free(rs->text);
	free(rs->req);
	free(rs->acp);
	free(rs->attr);
	free(rs->fields);
	free(rs->expect);
	memset(rs, 0, sizeof(*rs));
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU time of the calling thread: unaffected by time slicing when other
 * processes share the cores. */
uint64_t bench_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- the temporary workload directory ---- */

static char tmp_dir[64];

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_tmp_dir(void)
{
	if (tmp_dir[0])
		nftw(tmp_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *bench_tmp_dir(const char *prefix)
{
	snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/%s-XXXXXX", prefix);
	if (mkdtemp(tmp_dir) == NULL)
		bench_die("cannot create %s", tmp_dir);
	atexit(remove_tmp_dir);
	return tmp_dir;
}
