/*
 * loadgen.c - load for tinyIoT over oneM2M HTTP, every answer checked.
 *
 *   loadgen setup PORT             100 AEs, 1,000 ACPs, 10,000 containers
 *   loadgen run PORT THREADS SECS  closed-loop clients for SECS seconds
 *
 * The resource set is fixed, so the answer to every request is known:
 * container j (TinyIoT/aeK/cntJ, K = j / 100) names ACP j % 1000 in its
 * acpi, and ACP a lets Cuser<a % 100> retrieve and update and
 * Cuser<(7a + 3) % 100> retrieve. A request is a retrieve (90 %) or an
 * update (10 %) of a random container, half of the time by an originator
 * the ACP admits, else by a random one (mostly denied). Each request is a
 * new connection (tinyIoT closes after every answer). run prints requests
 * per second, latency percentiles and the number of wrong answers (any
 * status other than the expected 2000/2004 or 4103); the exit status is 1
 * when there was one. Build: cc -O2 -std=c11 -pthread loadgen.c -o loadgen
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define N_AES 100
#define N_ACPS 1000
#define N_CONTAINERS 10000
#define N_USERS 100
/* Latencies kept per thread: enough for 30 s at 20,000 requests/s. */
#define MAX_SAMPLES 600000

static int g_port;

/* ---- one request --------------------------------------------------------- */

/* Send one oneM2M request and return X-M2M-RSC (0 when the exchange
 * failed). ty 0: no resource type. */
static int m2m(const char *method, const char *path, const char *origin,
               int ty, const char *body)
{
	char req[4096];
	size_t blen = body != NULL ? strlen(body) : 0;
	char ctype[64] = "";
	if (body != NULL && ty != 0)
		snprintf(ctype, sizeof ctype,
		         "Content-Type: application/json;ty=%d\r\n", ty);
	else if (body != NULL)
		snprintf(ctype, sizeof ctype, "Content-Type: application/json\r\n");
	int n = snprintf(req, sizeof req,
	                 "%s /%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	                 "X-M2M-Origin: %s\r\nX-M2M-RI: load\r\nX-M2M-RVI: 3\r\n"
	                 "Accept: application/json\r\n%sContent-Length: %zu\r\n\r\n%s",
	                 method, path, origin, ctype, blen, body ? body : "");
	if (n < 0 || (size_t)n >= sizeof req)
		return 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return 0;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)g_port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int rsc = 0;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
	    write(fd, req, (size_t)n) == n) {
		/* One write: tinyIoT reads a request with a single recv. */
		char buf[16384];
		size_t got = 0;
		ssize_t r;
		while (got + 1 < sizeof buf &&
		       (r = read(fd, buf + got, sizeof buf - 1 - got)) > 0)
			got += (size_t)r;
		buf[got] = '\0';
		const char *h = strstr(buf, "X-M2M-RSC: ");
		if (h != NULL)
			rsc = atoi(h + 11);
	}
	close(fd);
	return rsc;
}

/* ---- the resource set ------------------------------------------------------ */

static int acp_of(int container)
{
	return container % N_ACPS;
}

/* The user that may retrieve and update under ACP a, and the one that may
 * only retrieve. */
static int reader_writer(int a)
{
	return a % N_USERS;
}

static int reader_only(int a)
{
	return (7 * a + 3) % N_USERS;
}

static bool permitted(int container, int user, bool update)
{
	int a = acp_of(container);
	if (user == reader_writer(a))
		return true;
	return !update && user == reader_only(a);
}

static int expect(const char *what, int got, int want)
{
	if (got == want)
		return 0;
	fprintf(stderr, "setup: %s answered %d, want %d\n", what, got, want);
	return 1;
}

static int setup(void)
{
	char path[128], body[512], who[32];
	int bad = 0;
	for (int k = 0; k < N_AES && !bad; k++) {
		snprintf(who, sizeof who, "Cowner%02d", k);
		snprintf(body, sizeof body,
		         "{\"m2m:ae\":{\"rn\":\"ae%02d\",\"api\":\"Nload\",\"rr\":true,"
		         "\"srv\":[\"3\"]}}", k);
		bad |= expect("AE", m2m("POST", "TinyIoT", who, 2, body), 2001);
	}
	for (int a = 0; a < N_ACPS && !bad; a++) {
		snprintf(body, sizeof body,
		         "{\"m2m:acp\":{\"rn\":\"acp%04d\",\"pv\":{\"acr\":["
		         "{\"acor\":[\"Cuser%02d\"],\"acop\":6},"
		         "{\"acor\":[\"Cuser%02d\"],\"acop\":2}]},"
		         "\"pvs\":{\"acr\":[{\"acor\":[\"CAdmin\"],\"acop\":63}]}}}",
		         a, reader_writer(a), reader_only(a));
		bad |= expect("ACP", m2m("POST", "TinyIoT", "CAdmin", 1, body), 2001);
	}
	for (int j = 0; j < N_CONTAINERS && !bad; j++) {
		snprintf(path, sizeof path, "TinyIoT/ae%02d", j / (N_CONTAINERS / N_AES));
		snprintf(who, sizeof who, "Cowner%02d", j / (N_CONTAINERS / N_AES));
		snprintf(body, sizeof body,
		         "{\"m2m:cnt\":{\"rn\":\"cnt%05d\",\"acpi\":[\"TinyIoT/acp%04d\"]}}",
		         j, acp_of(j));
		bad |= expect("container", m2m("POST", path, who, 3, body), 2001);
	}
	if (!bad)
		printf("setup: %d AEs, %d ACPs, %d containers\n", N_AES, N_ACPS,
		       N_CONTAINERS);
	return bad;
}

/* ---- load ---------------------------------------------------------------------- */

typedef struct worker {
	pthread_t tid;
	uint64_t rng;
	double deadline;
	uint64_t *lat_ns;
	size_t n;
	uint64_t wrong, failed;
} worker;

static uint64_t next(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *work(void *arg)
{
	worker *w = arg;
	char path[64], who[16];
	const char *upd = "{\"m2m:cnt\":{\"lbl\":[\"load\"]}}";
	while (now_s() < w->deadline && w->n < MAX_SAMPLES) {
		int j = (int)(next(&w->rng) % N_CONTAINERS);
		bool update = next(&w->rng) % 10 == 0;
		int a = acp_of(j), user;
		uint64_t pick = next(&w->rng) % 4;
		if (pick == 0)
			user = reader_writer(a);
		else if (pick == 1)
			user = update ? reader_writer(a) : reader_only(a);
		else
			user = (int)(next(&w->rng) % N_USERS);
		snprintf(path, sizeof path, "TinyIoT/ae%02d/cnt%05d",
		         j / (N_CONTAINERS / N_AES), j);
		snprintf(who, sizeof who, "Cuser%02d", user);
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int rsc = update ? m2m("PUT", path, who, 0, upd)
		                 : m2m("GET", path, who, 0, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		int want = permitted(j, user, update) ? (update ? 2004 : 2000) : 4103;
		if (rsc == 0)
			w->failed++;
		else if (rsc != want)
			w->wrong++;
		w->lat_ns[w->n++] = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u +
		                    (uint64_t)(t1.tv_nsec - t0.tv_nsec);
	}
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static int run(int threads, double secs)
{
	worker *ws = calloc((size_t)threads, sizeof *ws);
	if (ws == NULL) {
		fprintf(stderr, "loadgen: out of memory\n");
		exit(2);
	}
	double start = now_s();
	for (int i = 0; i < threads; i++) {
		ws[i].rng = 0x9e3779b97f4a7c15u * (uint64_t)(i + 1);
		ws[i].deadline = start + secs;
		ws[i].lat_ns = malloc(MAX_SAMPLES * sizeof(uint64_t));
		if (ws[i].lat_ns == NULL ||
		    pthread_create(&ws[i].tid, NULL, work, &ws[i]) != 0) {
			fprintf(stderr, "loadgen: cannot start client %d\n", i);
			exit(2);
		}
	}
	size_t total = 0;
	uint64_t wrong = 0, failed = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(ws[i].tid, NULL);
		total += ws[i].n;
		wrong += ws[i].wrong;
		failed += ws[i].failed;
	}
	double elapsed = now_s() - start;
	uint64_t *all = malloc((total ? total : 1) * sizeof(uint64_t));
	if (all == NULL) {
		fprintf(stderr, "loadgen: out of memory\n");
		exit(2);
	}
	size_t k = 0;
	for (int i = 0; i < threads; i++) {
		memcpy(all + k, ws[i].lat_ns, ws[i].n * sizeof(uint64_t));
		k += ws[i].n;
		free(ws[i].lat_ns);
	}
	qsort(all, total, sizeof *all, cmp_u64);
	if (total == 0) {
		printf("no requests\n");
		return 1;
	}
	printf("%d clients, %.1f s: %zu requests, %.0f requests/s, latency ms "
	       "p50 %.2f p90 %.2f p99 %.2f max %.2f; wrong answers %llu, "
	       "failed exchanges %llu\n",
	       threads, elapsed, total, (double)total / elapsed,
	       (double)all[total / 2] / 1e6, (double)all[total * 9 / 10] / 1e6,
	       (double)all[total * 99 / 100] / 1e6, (double)all[total - 1] / 1e6,
	       (unsigned long long)wrong, (unsigned long long)failed);
	free(all);
	free(ws);
	return wrong || failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "setup") == 0) {
		g_port = atoi(argv[2]);
		return setup();
	}
	if (argc >= 5 && strcmp(argv[1], "run") == 0) {
		g_port = atoi(argv[2]);
		int threads = atoi(argv[3]);
		double secs = atof(argv[4]);
		if (threads > 0 && threads <= 256 && secs > 0)
			return run(threads, secs);
	}
	fprintf(stderr, "usage: loadgen setup PORT | loadgen run PORT THREADS SECS\n");
	return 2;
}
