/*
 * reader.c - getting the current image of a store without a lock.
 *
 * The store publishes by swapping one atomic pointer. A reader that finds
 * the pointer unchanged since its last call returns the image it already
 * holds: one atomic load. Otherwise it must take a reference on the new
 * image before the writer can drop the store's own reference, which is a
 * hazard-pointer handshake (Michael, 2004): the reader announces the
 * image in its hazard slot, checks that it is still current, then
 * retains it. The writer, after swapping, drops the store's reference to
 * the old image only when no hazard slot names it; otherwise the image
 * waits on a retired list that every later publish looks at again.
 *
 * Readers never wait for the writer. The writer takes the registry lock
 * (readers joining or leaving, and the one-shot pdp_store_image) only to
 * walk the hazard slots after a swap.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

static void pub_unref(st_pub *p)
{
	if (atomic_fetch_sub_explicit(&p->refs, 1u, memory_order_acq_rel) != 1u)
		return;
	pdp_image_release(atomic_load(&p->current));
	for (size_t i = 0; i < p->n_retired; i++)
		pdp_image_release(p->retired[i]);
	free(p->retired);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

st_pub *pub_new(void)
{
	st_pub *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	if (pthread_mutex_init(&p->lock, NULL) != 0) {
		free(p);
		return NULL;
	}
	atomic_init(&p->refs, 1u);
	atomic_init(&p->current, NULL);
	return p;
}

void pub_release(st_pub *p)
{
	if (p != NULL)
		pub_unref(p);
}

static bool hazard_on(const st_pub *p, const pdp_image *img)
{
	for (const pdp_store_reader *r = p->readers; r != NULL; r = r->next)
		if (atomic_load_explicit(&r->hazard, memory_order_seq_cst) == img)
			return true;
	return false;
}

/* Drop the store's reference to every retired image no reader is taking.
 * Called with p->lock held. */
static void sweep(st_pub *p)
{
	size_t w = 0;
	for (size_t i = 0; i < p->n_retired; i++) {
		if (hazard_on(p, p->retired[i]))
			p->retired[w++] = p->retired[i];
		else
			pdp_image_release(p->retired[i]);
	}
	p->n_retired = w;
}

void pub_publish(st_pub *p, pdp_image *img)
{
	pdp_image *old = atomic_exchange_explicit(&p->current, img,
	                                          memory_order_seq_cst);
	pthread_mutex_lock(&p->lock);
	if (old != NULL) {
		if (p->n_retired == p->cap_retired) {
			size_t cap = p->cap_retired ? 2 * p->cap_retired : 8;
			pdp_image **n = realloc(p->retired, cap * sizeof(*n));
			if (n != NULL) {
				p->retired = n;
				p->cap_retired = cap;
			}
		}
		/* when it cannot be tracked (out of memory) and a reader is
		 * taking it, one reference leaks rather than free an image a
		 * reader is about to use */
		if (p->n_retired < p->cap_retired)
			p->retired[p->n_retired++] = old;
		else if (!hazard_on(p, old))
			pdp_image_release(old);
	}
	sweep(p);
	pthread_mutex_unlock(&p->lock);
}

pdp_status pdp_store_reader_new(pdp_store *s, pdp_store_reader **out,
                                pdp_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
	if (s == NULL || out == NULL || s->pub == NULL)
		return img_fail(err, PDP_ERR_ARG, "NULL argument");
	pdp_store_reader *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return img_fail(err, PDP_ERR_NOMEM, "out of memory");
	atomic_init(&r->hazard, NULL);
	r->pub = s->pub;
	atomic_fetch_add_explicit(&r->pub->refs, 1u, memory_order_relaxed);
	pthread_mutex_lock(&r->pub->lock);
	r->next = r->pub->readers;
	r->pub->readers = r;
	pthread_mutex_unlock(&r->pub->lock);
	*out = r;
	return PDP_OK;
}

const pdp_image *pdp_store_reader_image(pdp_store_reader *r)
{
	if (r == NULL)
		return NULL;
	st_pub *p = r->pub;
	pdp_image *cur = atomic_load_explicit(&p->current, memory_order_acquire);
	if (cur == r->held || cur == NULL)
		return r->held;
	for (;;) {
		atomic_store_explicit(&r->hazard, cur, memory_order_seq_cst);
		pdp_image *again = atomic_load_explicit(&p->current,
		                                        memory_order_seq_cst);
		if (again == cur)
			break;
		cur = again;
	}
	pdp_image_retain(cur);
	atomic_store_explicit(&r->hazard, NULL, memory_order_release);
	pdp_image_release(r->held);
	r->held = cur;
	return cur;
}

void pdp_store_reader_free(pdp_store_reader *r)
{
	if (r == NULL)
		return;
	st_pub *p = r->pub;
	pthread_mutex_lock(&p->lock);
	for (pdp_store_reader **pp = &p->readers; *pp != NULL; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	pthread_mutex_unlock(&p->lock);
	pdp_image_release(r->held);
	free(r);
	pub_unref(p);
}

pdp_image *pdp_store_image(pdp_store *s)
{
	if (s == NULL || s->pub == NULL)
		return NULL;
	st_pub *p = s->pub;
	/* under the registry lock the writer cannot drop the current image
	 * between our load and our retain */
	pthread_mutex_lock(&p->lock);
	pdp_image *cur = atomic_load_explicit(&p->current, memory_order_acquire);
	pdp_image_retain(cur);
	pthread_mutex_unlock(&p->lock);
	return cur;
}
