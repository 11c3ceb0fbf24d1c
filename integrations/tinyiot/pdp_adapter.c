/*
 * pdp_adapter.c - see pdp_adapter.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "pdp_adapter.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* What one deciding thread holds: a reader of the store's current image
 * and a scratch that fits every image. */
typedef struct pdpa_slot {
	pdp_store_reader *reader;
	pdp_scratch *scratch;
	struct pdpa_slot *next;  /* in the idle pool */
	pdpa *owner;
} pdpa_slot;

struct pdpa {
	pdp_store *store;
	pthread_key_t key;       /* the calling thread's slot */
	pthread_mutex_t lock;    /* guards idle; never held while deciding */
	pdpa_slot *idle;
};

static pdp_str str_of(const char *s)
{
	pdp_str r = {s, s != NULL ? strlen(s) : 0};
	return r;
}

static void slot_free(pdpa_slot *s)
{
	pdp_scratch_free(s->scratch);
	pdp_store_reader_free(s->reader);
	free(s);
}

/* Thread exit: the slot goes back to the pool. */
static void slot_release(void *p)
{
	pdpa_slot *s = p;
	pdpa *a = s->owner;
	pthread_mutex_lock(&a->lock);
	s->next = a->idle;
	a->idle = s;
	pthread_mutex_unlock(&a->lock);
}

pdpa *pdpa_new(void)
{
	pdpa *a = calloc(1, sizeof *a);
	if (a == NULL)
		return NULL;
	a->store = pdp_store_new();
	if (a->store == NULL || pthread_key_create(&a->key, slot_release) != 0) {
		pdp_store_free(a->store);
		free(a);
		return NULL;
	}
	pthread_mutex_init(&a->lock, NULL);
	return a;
}

void pdpa_free(pdpa *a)
{
	if (a == NULL)
		return;
	pdpa_slot *mine = pthread_getspecific(a->key);
	pthread_key_delete(a->key);
	if (mine != NULL)
		slot_free(mine);
	while (a->idle != NULL) {
		pdpa_slot *s = a->idle;
		a->idle = s->next;
		slot_free(s);
	}
	pthread_mutex_destroy(&a->lock);
	pdp_store_free(a->store);
	free(a);
}

pdp_store *pdpa_store(pdpa *a)
{
	return a->store;
}

static void diag_to_error(const pdpc_diag *d, pdp_error *err)
{
	if (err == NULL)
		return;
	err->code = PDP_ERR_INVALID;
	if (d == NULL) {
		snprintf(err->message, sizeof err->message, "refused by the store");
		return;
	}
	snprintf(err->message, sizeof err->message, "%s:%u:%u: %s",
	         d->file != NULL ? d->file : "?", (unsigned)d->line,
	         (unsigned)d->col, d->message != NULL ? d->message : "error");
}

/* The first error among the store's diagnostics (warnings are skipped). */
static void store_error(const pdp_store *s, pdp_error *err)
{
	size_t n = pdp_store_diag_count(s);
	for (size_t i = 0; i < n; i++) {
		const pdpc_diag *d = pdp_store_diag_get(s, i);
		if (d != NULL && d->severity == PDPC_ERROR) {
			diag_to_error(d, err);
			return;
		}
	}
	diag_to_error(NULL, err);
}

void pdpa_txn_error(const pdp_store_txn *t, size_t i, pdp_error *err)
{
	diag_to_error(pdp_store_txn_diag_get(t, i), err);
}

pdpc_status pdpa_add_base(pdpa *a, const char *path, pdp_error *err)
{
	pdpc_status st = pdp_store_add_base_file(a->store, path);
	if (st != PDPC_OK)
		store_error(a->store, err);
	return st;
}

pdpc_status pdpa_add_base_text(pdpa *a, const char *name, const char *text,
                               pdp_error *err)
{
	pdpc_status st = pdp_store_add_base_buffer(a->store, name, text,
	                                           strlen(text));
	if (st != PDPC_OK)
		store_error(a->store, err);
	return st;
}

pdpc_status pdpa_open(pdpa *a, pdp_error *err)
{
	pdpc_status st = pdp_store_open(a->store);
	if (st != PDPC_OK)
		store_error(a->store, err);
	return st;
}

pdpc_status pdpa_put_acp(pdpa *a, const char *id, const char *json,
                         size_t len, pdp_error *err)
{
	return pdp_store_put_acp(a->store, str_of(id), json, len, err);
}

pdpc_status pdpa_remove_acp(pdpa *a, const char *id, pdp_error *err)
{
	return pdp_store_remove_acp(a->store, str_of(id), err);
}

pdpc_status pdpa_set_group(pdpa *a, const char *id, const pdp_str *members,
                           size_t n, pdp_error *err)
{
	return pdp_store_set_group(a->store, str_of(id), members, n, err);
}

pdpc_status pdpa_remove_group(pdpa *a, const char *id, pdp_error *err)
{
	return pdp_store_remove_group(a->store, str_of(id), err);
}

/* The calling thread's slot: its own, else one from the pool, else a new
 * one. NULL only when out of memory. */
static pdpa_slot *thread_slot(pdpa *a)
{
	pdpa_slot *s = pthread_getspecific(a->key);
	if (s != NULL)
		return s;
	pthread_mutex_lock(&a->lock);
	s = a->idle;
	if (s != NULL)
		a->idle = s->next;
	pthread_mutex_unlock(&a->lock);
	if (s == NULL) {
		s = calloc(1, sizeof *s);
		if (s == NULL)
			return NULL;
		s->owner = a;
		if (pdp_store_reader_new(a->store, &s->reader, NULL) != PDP_OK ||
		    pdp_scratch_new_any(&s->scratch, NULL) != PDP_OK) {
			slot_free(s);
			return NULL;
		}
	}
	s->next = NULL;
	if (pthread_setspecific(a->key, s) != 0) {
		slot_release(s);
		return NULL;
	}
	return s;
}

bool pdpa_has_acp(pdpa *a, const char *id)
{
	pdpa_slot *s = thread_slot(a);
	if (s == NULL)
		return false;
	const pdp_image *img = pdp_store_reader_image(s->reader);
	return img != NULL && pdp_acp_index(img, str_of(id)) != PDP_NONE;
}

bool pdpa_parse_ip(const char *text, pdp_ip *out)
{
	struct in_addr v4;
	memset(out, 0, sizeof *out);
	if (text == NULL)
		return false;
	if (inet_pton(AF_INET, text, &v4) == 1) {
		out->b[10] = 0xff;
		out->b[11] = 0xff;
		memcpy(&out->b[12], &v4, 4);
		return true;
	}
	return inet_pton(AF_INET6, text, out->b) == 1;
}

static void now(pdp_time *t)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	t->sec = (int64_t)ts.tv_sec;
	t->nsec = (int32_t)ts.tv_nsec;
}

pdp_effect pdpa_decide(pdpa *a, const pdpa_query *q, char *reason,
                       size_t reason_size)
{
	pdpa_slot *s = thread_slot(a);
	const pdp_image *img = s != NULL ? pdp_store_reader_image(s->reader)
	                                 : NULL;
	if (img == NULL) {
		if (reason != NULL && reason_size > 0)
			snprintf(reason, reason_size, "pdp-unavailable");
		return PDP_DENY;
	}
	pdp_request req;
	pdp_request_init(&req);
	req.originator = q->originator;
	req.operation = q->operation;
	req.acps = q->acps;
	req.n_acps = q->n_acps;
	req.type = q->type;
	req.child_type = q->child_type;
	req.self = q->self;
	req.authenticated = q->authenticated;
	req.has_time = true;
	now(&req.time);
	req.has_ip = pdpa_parse_ip(q->peer_ip, &req.ip);
	pdp_decision d;
	if (pdp_decide(img, s->scratch, &req, &d) != PDP_OK)
		d.effect = PDP_DENY;
	if (reason != NULL && reason_size > 0)
		pdp_reason_format(img, &d, true, reason, reason_size);
	return d.effect;
}
