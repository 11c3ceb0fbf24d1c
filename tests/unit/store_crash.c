/*
 * store_crash.c - the process half of the crash test
 * (tools/test-store-crash.sh kills it with SIGKILL at random moments).
 *
 *   store_crash run DIR     open the store persisted in DIR with the
 *                           family's base (as a restarting CSE passes its
 *                           base files), then commit
 *                           the family's changes (store_family.h) from the
 *                           version it holds on, printing "ack N" after
 *                           each commit returned, until killed
 *   store_crash check DIR N open DIR as a restarting CSE would (no base
 *                           files: the persisted base) and check that it
 *                           holds version N or N + 1 (the change in flight
 *                           when the kill came may or may not have made it
 *                           to disk, but no acknowledged one is lost), and
 *                           that every decision is the one of that version
 *
 * Exit: 0 ok, 1 check failed, 2 setup failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdp/store.h"
#include "store_family.h"

static pdp_store *open_dir(const char *dir, bool base)
{
	pdp_store *s = pdp_store_new();
	if (s == NULL)
		exit(2);
	if (base)
		pdp_store_add_base_buffer(s, "family.yaml", FAMILY_BASE,
		                          strlen(FAMILY_BASE));
	pdp_store_set_dir(s, dir);
	if (pdp_store_open(s) != PDPC_OK) {
		for (size_t i = 0; i < pdp_store_diag_count(s); i++)
			fprintf(stderr, "store_crash: %s\n",
			        pdp_store_diag_get(s, i)->message);
		exit(2);
	}
	return s;
}

static unsigned long version(pdp_store *s)
{
	pdp_image *img = pdp_store_image(s);
	unsigned long v = family_version(img, NULL);
	pdp_image_release(img);
	return v;
}

static int run(const char *dir)
{
	pdp_store *s = open_dir(dir, true);
	for (unsigned long i = version(s) + 1;; i++) {
		if (!family_change(s, i))
			return 2;
		printf("ack %lu\n", i);
		fflush(stdout);
	}
}

static int check(const char *dir, unsigned long acked)
{
	pdp_store *s = open_dir(dir, false);
	pdp_image *img = pdp_store_image(s);
	unsigned long v = family_version(img, NULL);
	int bad = 0;
	if (v < acked || v > acked + 1) {
		fprintf(stderr, "store_crash: version %lu after %lu acknowledged\n",
		        v, acked);
		bad = 1;
	}
	for (unsigned m = 0; m < FAMILY_ACPS && !bad; m++)
		for (unsigned j = 0; j < 7 && !bad; j++)
			for (unsigned op = 1; op <= 32 && !bad; op <<= 1)
				if (!family_check(img, NULL, v, m, j, op)) {
					fprintf(stderr, "store_crash: version %lu decides a%u "
					                "CAE-%u op %u wrongly\n", v, m, j, op);
					bad = 1;
				}
	if (pdp_store_revision(s) < v) {
		fprintf(stderr, "store_crash: revision %llu below version %lu\n",
		        (unsigned long long)pdp_store_revision(s), v);
		bad = 1;
	}
	pdp_image_release(img);
	pdp_store_free(s);
	if (!bad)
		printf("ok %lu\n", v);
	return bad;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "run") == 0)
		return run(argv[2]);
	if (argc == 4 && strcmp(argv[1], "check") == 0)
		return check(argv[2], strtoul(argv[3], NULL, 10));
	fprintf(stderr, "usage: store_crash run DIR | check DIR ACKED\n");
	return 2;
}
