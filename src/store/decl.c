/*
 * decl.c - what an ACP put into the store is compiled against: the base
 * image's roles (by name, with their image index) and attributes (with
 * their types), and the store's groups, base and created, in one
 * name-sorted table (cc_decl, compiler/cc.h). Built once at open from the
 * base image; groups come and go with the store's changes.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

static int cmp_role(const void *a, const void *b)
{
	return strcmp((*(m_role *const *)a)->name, (*(m_role *const *)b)->name);
}

static int cmp_group(const void *a, const void *b)
{
	return strcmp((*(m_group *const *)a)->name, (*(m_group *const *)b)->name);
}

static char *dup_str(pdp_str s)
{
	char *p = malloc(s.len + 1);
	if (p != NULL) {
		if (s.len != 0)
			memcpy(p, s.ptr, s.len);
		p[s.len] = '\0';
	}
	return p;
}

/* Roles and attributes of the base image, as compile-time declarations. */
static bool decl_roles_attrs(pdp_store *s)
{
	const pdp_image *img = s->base_img;
	uint32_t nr = img->count[SEC_ROLES];
	uint32_t na = img->count[SEC_ATTRS] - IMG_BUILTIN_ATTRS;
	s->roles_mem = calloc(nr + 1, sizeof(m_role));
	s->attrs_mem = calloc(na + 1, sizeof(m_attr));
	s->decl.roles = calloc(nr + 1, sizeof(m_role *));
	s->decl.attrs = calloc(na + 1, sizeof(m_attr *));
	if (!s->roles_mem || !s->attrs_mem || !s->decl.roles || !s->decl.attrs)
		return false;
	for (uint32_t i = 0; i < nr; i++) {
		m_role *r = &s->roles_mem[i];
		r->name = dup_str(img_str(img, img_role(img, i)->name));
		if (r->name == NULL)
			return false;
		r->topo = i;
		s->decl.roles[i] = r;
	}
	s->decl.n_roles = nr;
	qsort(s->decl.roles, nr, sizeof(m_role *), cmp_role);
	/* attribute ids follow the built-ins in name order, as emitted */
	for (uint32_t i = 0; i < na; i++) {
		const img_attr_rec *a = img_attr(img, IMG_BUILTIN_ATTRS + i);
		m_attr *m = &s->attrs_mem[i];
		m->name = dup_str(img_str(img, a->name));
		if (m->name == NULL)
			return false;
		m->type = (pdp_type)a->type;
		s->decl.attrs[i] = m;
	}
	s->decl.n_attrs = na;
	return true;
}

/* The base's groups, by name: their members stay in the base image
 * (VIEW_GROUP_IN_BASE) until the store sets them. */
static bool decl_base_groups(pdp_store *s)
{
	const pdp_image *img = s->base_img;
	for (uint32_t g = 0; g < img->count[SEC_GROUPS]; g++) {
		pdp_str name = img_str(img, img_group(img, g)->name);
		st_group *sg = calloc(1, sizeof(*sg));
		if (sg == NULL)
			return false;
		sg->name = dup_str(name);
		if (sg->name == NULL) {
			free(sg);
			return false;
		}
		sg->name_len = name.len;
		sg->index = g;
		sg->from_base = true;
		sg->decl.name = sg->name;
		sg->decl.index = g;
		s->groups[g] = sg;
	}
	return true;
}

bool decl_build(pdp_store *s)
{
	uint32_t ng = s->base_img->count[SEC_GROUPS];
	s->cap_groups = ng + 16;
	s->groups = calloc(s->cap_groups, sizeof(st_group *));
	s->decl.groups = calloc(s->cap_groups, sizeof(m_group *));
	if (s->groups == NULL || s->decl.groups == NULL || !decl_roles_attrs(s))
		return false;
	s->n_groups = s->n_base_groups = ng;
	if (s->base_img->host) {
		s->decl.host_sp = s->base_img->host_sp;
		s->decl.host_cse = s->base_img->host_cse;
	}
	if (!decl_base_groups(s))
		return false;
	for (uint32_t g = 0; g < ng; g++)
		s->decl.groups[g] = &s->groups[g]->decl;
	s->decl.n_groups = ng;
	qsort(s->decl.groups, ng, sizeof(m_group *), cmp_group);
	return true;
}

void decl_free(pdp_store *s)
{
	for (size_t i = 0; s->roles_mem && i < s->decl.n_roles; i++)
		free((char *)(uintptr_t)s->roles_mem[i].name);
	for (size_t i = 0; s->attrs_mem && i < s->decl.n_attrs; i++)
		free((char *)(uintptr_t)s->attrs_mem[i].name);
	free(s->roles_mem);
	free(s->attrs_mem);
	free(s->decl.roles);
	free(s->decl.attrs);
	free(s->decl.groups);
	memset(&s->decl, 0, sizeof(s->decl));
	s->roles_mem = NULL;
	s->attrs_mem = NULL;
}

/* Keep the table sorted: insert at the name's place. The array has room
 * for every group slot (grown with s->groups). */
bool decl_add_group(pdp_store *s, st_group *g)
{
	size_t n = s->decl.n_groups, at = 0;
	while (at < n && strcmp(s->decl.groups[at]->name, g->name) < 0)
		at++;
	memmove(&s->decl.groups[at + 1], &s->decl.groups[at],
	        (n - at) * sizeof(m_group *));
	s->decl.groups[at] = &g->decl;
	s->decl.n_groups = n + 1;
	return true;
}

void decl_remove_group(pdp_store *s, const st_group *g)
{
	size_t n = s->decl.n_groups;
	for (size_t i = 0; i < n; i++)
		if (s->decl.groups[i] == &g->decl) {
			memmove(&s->decl.groups[i], &s->decl.groups[i + 1],
			        (n - i - 1) * sizeof(m_group *));
			s->decl.n_groups = n - 1;
			return;
		}
}
