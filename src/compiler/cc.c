/*
 * cc.c - what every pass of the compiler shares (cc.h): memory in the
 * compile's arena, diagnostics by code (diag.c), originator ids in absolute
 * form, and the walk over every rule. The driver (compiler.c) runs the
 * passes; the passes call these and nothing above them.
 */
#include <stdio.h>
#include <string.h>

#include "common/limits.h"
#include "compiler/cc.h"

void *cc_alloc(cc *c, size_t size)
{
	void *p = arena_alloc(&c->ar, size);
	if (p == NULL)
		c->oom = true;
	return p;
}

const char *cc_strndup(cc *c, const char *s, size_t len)
{
	char *p = arena_strndup(&c->ar, s, len);
	if (p == NULL)
		c->oom = true;
	return p;
}

void cc_report(cc *c, srcpos pos, diag_code code, const char *hint,
               const char *fmt, ...)
{
	char buf[1024];
	pdpc_diag d;
	va_list ap;
	va_start(ap, fmt);
	diag_fill(&d, code,
	          pos.file < c->sources.n ? c->sources.items[pos.file].name : "",
	          pos.line, pos.col, buf, sizeof(buf), fmt, ap);
	va_end(ap);
	d.message = arena_strndup(&c->diag_ar, buf, strlen(buf));
	d.hint = hint ? arena_strndup(&c->diag_ar, hint, strlen(hint)) : NULL;
	if (d.message == NULL) {
		c->oom = true;
		return;
	}
	VEC_PUSH_HEAP(c, c->diags, d);
}

size_t cc_error_count(const cc *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->diags.n; i++)
		n += c->diags.items[i].severity == PDPC_ERROR;
	return n;
}

const char *cc_abs_id(cc *c, const char *id, size_t len, size_t *out_len)
{
	*out_len = len;
	if (c->host_sp.ptr == NULL)
		return id;
	char buf[PDP_MAX_ABS_ID_BYTES];
	pdp_str s = {id, len};
	size_t n = origin_absolute(c->host_sp, c->host_cse, s, buf, sizeof(buf));
	if (n > sizeof(buf))
		n = sizeof(buf); /* ids are capped well below: cannot happen */
	*out_len = n;
	return cc_strndup(c, buf, n);
}

m_rule *rule_next(const cc *c, rule_iter *it)
{
	while (it->acp < c->acps.n) {
		const m_acp *a = c->acps.items[it->acp];
		size_t n = it->sec ? a->self.n : a->priv.n;
		if (it->idx < n) {
			m_rule *r = it->sec ? a->self.items[it->idx] : a->priv.items[it->idx];
			it->idx++;
			return r;
		}
		it->idx = 0;
		if (++it->sec == 2) {
			it->sec = 0;
			it->acp++;
		}
	}
	return NULL;
}

/* ---- "did you mean": the known name closest to a misspelt one ---- */

/* Levenshtein distance; names of 63 bytes or more count as far apart
 * (hints only: no need for long names). */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t row[64];
	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t best = prev + (a[i - 1] == b[j - 1] ? 0 : 1);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

void cc_suggest_init(cc_suggest *s, const char *want, size_t len)
{
	s->want = want;
	s->want_len = len;
	s->best = NULL;
	s->best_len = 0;
	/* at most two edits, and fewer than the name has characters: "ab"
	 * is no misspelling of "xy" */
	s->best_d = len < 3 ? len : 3;
}

void cc_suggest_try(cc_suggest *s, const char *cand, size_t len)
{
	size_t d = edit_distance(s->want, s->want_len, cand, len);
	if (d < s->best_d) {
		s->best_d = d;
		s->best = cand;
		s->best_len = len;
	}
}

const char *cc_suggest_hint(const cc_suggest *s, char *buf, size_t n)
{
	if (s->best == NULL)
		return NULL;
	snprintf(buf, n, "did you mean '%.*s'?", (int)s->best_len, s->best);
	return buf;
}
