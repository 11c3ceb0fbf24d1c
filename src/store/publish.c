/*
 * publish.c - build the next view from the store's writer state, touching
 * only what changed: the shards of changed ACP ids, the chunks of their
 * numbers, and the group block when a group changed. Everything else is
 * shared with the previous view (image/view.h). Building allocates; a
 * failed build leaves the published view and the store's pieces as they
 * were.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

static view_slot slot_of(const st_acp *a)
{
	view_slot sl;
	memset(&sl, 0, sizeof(sl));
	const img_acp_rec *rec = img_acp(a->seg, a->local);
	pdp_str name = img_str(a->seg, rec->id);
	sl.number = a->number;
	sl.name = name.ptr;
	sl.name_len = (uint32_t)name.len;
	sl.local = a->local;
	sl.seg = a->seg;
	return sl;
}

static bool build_shard(const pdp_store *s, uint32_t k, view_shard **out)
{
	const st_bucket *b = &s->bucket[k];
	*out = NULL;
	if (b->n == 0)
		return true;
	view_slot *slots = malloc(b->n * sizeof(view_slot));
	if (slots == NULL)
		return false;
	for (size_t i = 0; i < b->n; i++)
		slots[i] = slot_of(b->acp[i]);
	*out = view_shard_build(slots, (uint32_t)b->n);
	free(slots);
	return *out != NULL;
}

static bool build_chunk(const pdp_store *s, uint32_t c, view_chunk **out)
{
	view_acp e[VIEW_CHUNK];
	bool any = false;
	memset(e, 0, sizeof(e));
	for (uint32_t i = 0; i < VIEW_CHUNK; i++) {
		const st_acp *a = s->by_number[(size_t)c * VIEW_CHUNK + i];
		if (a != NULL) {
			e[i].seg = a->seg;
			e[i].local = a->local;
			any = true;
		}
	}
	*out = NULL;
	if (!any)
		return true;
	*out = view_chunk_build(e);
	return *out != NULL;
}

static view_groups *build_groups(const pdp_store *s)
{
	const view_group **g = calloc(s->n_groups + 1, sizeof(*g));
	if (g == NULL)
		return NULL;
	for (uint32_t i = 0; i < s->n_groups; i++)
		g[i] = s->groups[i]->removed ? NULL
		       : s->groups[i]->obj ? s->groups[i]->obj
		                           : VIEW_GROUP_IN_BASE;
	view_groups *b = view_groups_build(g, s->n_groups);
	free(g);
	return b;
}

void publish_discard(pdp_store *s, st_prepared *p)
{
	for (uint32_t k = 0; k < VIEW_SHARDS; k++)
		if (s->dirty_shard[k])
			view_shard_release(p->shard[k]);
	for (uint32_t c = 0; p->chunk != NULL && c < s->n_chunks; c++)
		if (s->dirty_chunk[c])
			view_chunk_release(p->chunk[c]);
	free(p->chunk);
	if (s->dirty_groups)
		view_groups_release(p->groups);
	pdp_image_release(p->view);
	memset(p, 0, sizeof(*p));
}

bool publish_prepare(pdp_store *s, st_prepared *p)
{
	memset(p, 0, sizeof(*p));
	view_shard *all_shards[VIEW_SHARDS];
	bool ok = true;
	for (uint32_t k = 0; k < VIEW_SHARDS; k++) {
		if (s->dirty_shard[k] && ok)
			ok = build_shard(s, k, &p->shard[k]);
		all_shards[k] = s->dirty_shard[k] ? p->shard[k] : s->shard[k];
	}
	p->chunk = calloc(s->n_chunks + 1, sizeof(view_chunk *));
	view_chunk **all_chunks = calloc(s->n_chunks + 1, sizeof(view_chunk *));
	ok = ok && p->chunk != NULL && all_chunks != NULL;
	for (uint32_t c = 0; ok && c < s->n_chunks; c++) {
		if (s->dirty_chunk[c])
			ok = build_chunk(s, c, &p->chunk[c]);
		all_chunks[c] = s->dirty_chunk[c] ? p->chunk[c] : s->chunk[c];
	}
	if (ok && s->dirty_groups) {
		p->groups = build_groups(s);
		ok = p->groups != NULL;
	}
	if (ok) {
		view_groups *g = s->dirty_groups ? p->groups : s->groups_obj;
		p->view = view_image_new(s->base_img, all_shards, all_chunks,
		                         s->n_chunks, s->n_numbers, s->n_acps, g);
		ok = p->view != NULL;
	}
	free(all_chunks);
	if (!ok)
		publish_discard(s, p);
	return ok;
}

void publish_install(pdp_store *s, st_prepared *p)
{
	for (uint32_t k = 0; k < VIEW_SHARDS; k++)
		if (s->dirty_shard[k]) {
			view_shard_release(s->shard[k]);
			s->shard[k] = p->shard[k];
			s->dirty_shard[k] = false;
		}
	for (uint32_t c = 0; c < s->n_chunks; c++)
		if (s->dirty_chunk[c]) {
			view_chunk_release(s->chunk[c]);
			s->chunk[c] = p->chunk[c];
			s->dirty_chunk[c] = false;
		}
	free(p->chunk);
	if (s->dirty_groups) {
		view_groups_release(s->groups_obj);
		s->groups_obj = p->groups;
		s->dirty_groups = false;
	}
	pub_publish(s->pub, p->view);
	memset(p, 0, sizeof(*p));
}

void publish_free(pdp_store *s)
{
	for (uint32_t k = 0; k < VIEW_SHARDS; k++) {
		view_shard_release(s->shard[k]);
		s->shard[k] = NULL;
	}
	for (uint32_t c = 0; c < s->n_chunks; c++)
		view_chunk_release(s->chunk[c]);
	view_groups_release(s->groups_obj);
	s->groups_obj = NULL;
}
