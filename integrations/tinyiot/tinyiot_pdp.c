/*
 * tinyiot_pdp.c - see tinyiot_pdp.h. Compiled into the patched tinyIoT
 * server; everything tinyIoT-specific about the integration lives here
 * (the rest of pdp is CSE-independent, in pdp_adapter.c).
 */
#define _POSIX_C_SOURCE 200809L

#include "tinyiot_pdp.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "logger.h"
#include "onem2mTypes.h"
#include "pdp_adapter.h"
/* util.h declares static functions of the MQTT-over-websocket code that
 * this file does not use; GCC reports them at the end of the file, so the
 * pragma stays on. */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "util.h"

extern ResourceTree *rt;

/* The CSE's store: one per process, like tinyIoT's resource tree. */
static pdpa *g_pdp;

/* The hosting CSE as a base policy document: tinyIoT's M2M-SP-ID and
 * CSE-ID (config.h; the CSE-ID is "/" and the CSEBase's ri). */
#define HOSTING_CSE                                                      \
	"pdp: 1\ncse: { sp_id: \"" CSE_BASE_SP_ID "\", cse_id: \"/" CSE_BASE_RI \
	"\" }\n"

/* ACP references of one decision kept on the stack; longer lists are
 * allocated. 16 covers every acpi seen in practice. */
#define REFS_ON_STACK 16

/* The level at which this thread logs a deny: INFO for a request's own
 * target, DEBUG while discovery hides result rows (that is normal). */
static _Thread_local LOGLEVEL deny_log_level = LOG_LEVEL_INFO;

/* ---- small helpers ---------------------------------------------------- */

static pdp_str str_of(const char *s)
{
	pdp_str r = {s, s != NULL ? strlen(s) : 0};
	return r;
}

/* Set a response status with a debug message, as tinyIoT's handle_error
 * does, without passing text that may hold '%' to a printf-style logger. */
static int refuse(oneM2MPrimitive *o2pt, int rsc, const char *msg)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "m2m:dbg", cJSON_CreateString(msg));
	if (o2pt->response_pc != NULL)
		cJSON_Delete(o2pt->response_pc);
	o2pt->response_pc = root;
	o2pt->rsc = rsc;
	o2pt->errFlag = true;
	logger("PDP", LOG_LEVEL_INFO, "refused (%d): %s", rsc, msg);
	return rsc;
}

/* Whether rtnode hangs in the resource tree (else it is a contentInstance
 * that find_rtnode read from the database for this lookup only). */
static bool in_tree(const RTNode *n)
{
	if (n->parent == NULL)
		return n == rt->cb;
	for (const RTNode *c = n->parent->child; c != NULL; c = c->sibling_right)
		if (c == n)
			return true;
	return false;
}

static void release_lookup(RTNode *n)
{
	if (n != NULL && (n->ty == RT_CIN || n->ty == RT_FCIN) && !in_tree(n))
		free_rtnode(n);
}

/* ---- JSON text of an ACP ---------------------------------------------- */

/* A growing buffer; ok turns false on the first failed allocation. */
typedef struct sbuf {
	char *p;
	size_t len, cap;
	bool ok;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
	if (!b->ok)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (p == NULL) {
			b->ok = false;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static void sb_json_string(sbuf *b, const char *s)
{
	sb_put(b, "\"", 1);
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			sb_put(b, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			sb_str(b, esc);
		} else {
			sb_put(b, s, 1);
		}
	}
	sb_put(b, "\"", 1);
}

/* Integral numbers as integers: tinyIoT's cJSON prints 34 as "34.0",
 * which pdp rightly refuses where oneM2M wants an integer (acop, ty). */
static void sb_number(sbuf *b, double d)
{
	char num[40];
	if (d >= -9.0e15 && d <= 9.0e15 && d == (double)(long long)d)
		snprintf(num, sizeof num, "%lld", (long long)d);
	else
		snprintf(num, sizeof num, "%.17g", d);
	sb_str(b, num);
}

static void sb_json(sbuf *b, const cJSON *j)
{
	const cJSON *c;
	if (cJSON_IsObject(j)) {
		sb_put(b, "{", 1);
		for (c = j->child; c != NULL; c = c->next) {
			sb_json_string(b, c->string);
			sb_put(b, ":", 1);
			sb_json(b, c);
			if (c->next != NULL)
				sb_put(b, ",", 1);
		}
		sb_put(b, "}", 1);
	} else if (cJSON_IsArray(j)) {
		sb_put(b, "[", 1);
		for (c = j->child; c != NULL; c = c->next) {
			sb_json(b, c);
			if (c->next != NULL)
				sb_put(b, ",", 1);
		}
		sb_put(b, "]", 1);
	} else if (cJSON_IsString(j)) {
		sb_json_string(b, j->valuestring);
	} else if (cJSON_IsNumber(j)) {
		sb_number(b, j->valuedouble);
	} else if (cJSON_IsBool(j)) {
		sb_str(b, cJSON_IsTrue(j) ? "true" : "false");
	} else {
		sb_str(b, "null");
	}
}

/* {"m2m:acp": acp} as text, or NULL when out of memory. */
static char *acp_text(const cJSON *acp, size_t *len)
{
	sbuf b = {NULL, 0, 0, true};
	sb_str(&b, "{\"m2m:acp\":");
	sb_json(&b, acp);
	sb_str(&b, "}");
	if (!b.ok) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}

static const char *ri_of(const cJSON *obj)
{
	const cJSON *ri = cJSON_GetObjectItem(obj, "ri");
	return cJSON_IsString(ri) ? ri->valuestring : NULL;
}

/* ---- groups ------------------------------------------------------------ */

/* The originator id a group member stands for: the AE-ID of an <AE>, the
 * CSE-ID of a <remoteCSE>, else the member id as written. */
static const char *member_originator(char *mid)
{
	RTNode *n = find_rtnode(mid);
	const char *id = mid;
	const cJSON *v = NULL;
	if (n != NULL && n->ty == RT_AE)
		v = cJSON_GetObjectItem(n->obj, "aei");
	else if (n != NULL && n->ty == RT_CSR)
		v = cJSON_GetObjectItem(n->obj, "csi");
	if (v != NULL && cJSON_IsString(v))
		id = v->valuestring;
	release_lookup(n);
	return id;
}

/* The member list of grp as originator ids; *n set. The array is
 * malloc'd (strings point into the resource tree); NULL when empty or out
 * of memory (*n is 0 only when empty). */
static pdp_str *group_members(cJSON *grp, size_t *n, bool *nomem)
{
	cJSON *mid = cJSON_GetObjectItem(grp, "mid");
	size_t count = (size_t)cJSON_GetArraySize(mid);
	*n = 0;
	*nomem = false;
	if (count == 0)
		return NULL;
	pdp_str *m = calloc(count, sizeof *m);
	if (m == NULL) {
		*nomem = true;
		return NULL;
	}
	cJSON *e;
	cJSON_ArrayForEach(e, mid)
	{
		if (cJSON_IsString(e))
			m[(*n)++] = str_of(member_originator(e->valuestring));
	}
	return m;
}

static pdpc_status stage_group(pdp_store_txn *t, cJSON *grp)
{
	size_t n;
	bool nomem;
	pdp_str *m = group_members(grp, &n, &nomem);
	if (nomem)
		return PDPC_ERR_NOMEM;
	pdpc_status st = pdp_store_txn_set_group(t, str_of(ri_of(grp)), m, n);
	free(m);
	return st;
}

int tinyiot_pdp_put_group(oneM2MPrimitive *o2pt, cJSON *grp)
{
	size_t n;
	bool nomem;
	pdp_error err;
	if (g_pdp == NULL)
		return refuse(o2pt, RSC_INTERNAL_SERVER_ERROR, "pdp is not running");
	pdp_str *m = group_members(grp, &n, &nomem);
	if (nomem)
		return refuse(o2pt, RSC_INTERNAL_SERVER_ERROR, "out of memory");
	pdpc_status st = pdpa_set_group(g_pdp, ri_of(grp), m, n, &err);
	free(m);
	if (st != PDPC_OK)
		return refuse(o2pt, RSC_INTERNAL_SERVER_ERROR, err.message);
	return RSC_OK;
}

/* ---- ACPs --------------------------------------------------------------- */

int tinyiot_pdp_put_acp(oneM2MPrimitive *o2pt, cJSON *acp)
{
	size_t len;
	pdp_error err;
	const char *ri = ri_of(acp);
	char *text = g_pdp != NULL ? acp_text(acp, &len) : NULL;
	if (text == NULL || ri == NULL) {
		free(text);
		return refuse(o2pt, RSC_INTERNAL_SERVER_ERROR,
		              "cannot pass the ACP to pdp");
	}
	pdpc_status st = pdpa_put_acp(g_pdp, ri, text, len, &err);
	free(text);
	if (st == PDPC_ERR_POLICY)
		return refuse(o2pt, RSC_BAD_REQUEST, err.message);
	if (st != PDPC_OK)
		return refuse(o2pt, RSC_INTERNAL_SERVER_ERROR, err.message);
	return RSC_OK;
}

void tinyiot_pdp_drop_acp(const char *ri)
{
	if (g_pdp != NULL)
		pdpa_remove_acp(g_pdp, ri, NULL);
}

bool tinyiot_pdp_knows_acp(const char *id)
{
	return g_pdp != NULL && pdpa_has_acp(g_pdp, id);
}

/* A group leaves the store; one that an ACP still names is emptied
 * instead (the store keeps names that ACPs refer to). */
static void forget_group(const char *ri)
{
	if (pdpa_remove_group(g_pdp, ri, NULL) != PDPC_OK)
		pdpa_set_group(g_pdp, ri, NULL, 0, NULL);
}

void tinyiot_pdp_drop_group(const char *ri)
{
	if (g_pdp != NULL)
		forget_group(ri);
}

void tinyiot_pdp_forget(RTNode *rtnode)
{
	/* tinyIoT may delete (an expired resource) before the store exists */
	if (g_pdp == NULL || rtnode == NULL || rtnode->obj == NULL)
		return;
	for (RTNode *c = rtnode->child; c != NULL; c = c->sibling_right)
		tinyiot_pdp_forget(c);
	const char *ri = ri_of(rtnode->obj);
	if (ri == NULL)
		return;
	if (rtnode->ty == RT_ACP)
		pdpa_remove_acp(g_pdp, ri, NULL);
	else if (rtnode->ty == RT_GRP)
		forget_group(ri);
}

/* ---- start-up ------------------------------------------------------------ */

int tinyiot_pdp_start(char *const *policies, size_t n)
{
	pdp_error err;
	g_pdp = pdpa_new();
	if (g_pdp == NULL) {
		logger("PDP", LOG_LEVEL_ERROR, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (pdpa_add_base(g_pdp, policies[i], &err) != PDPC_OK) {
			logger("PDP", LOG_LEVEL_ERROR, "base policy %s: %s",
			       policies[i], err.message);
			return -1;
		}
	}
	/* The CSE declares itself, so that CSE-relative, SP-relative and
	 * absolute originator ids name the same originator; it is also the
	 * whole base when no files are given. */
	if (pdpa_add_base_text(g_pdp, "tinyiot-cse", HOSTING_CSE, &err) !=
	    PDPC_OK) {
		logger("PDP", LOG_LEVEL_ERROR, "hosting CSE: %s", err.message);
		return -1;
	}
	if (pdpa_open(g_pdp, &err) != PDPC_OK) {
		logger("PDP", LOG_LEVEL_ERROR, "base policy: %s", err.message);
		return -1;
	}
	logger("PDP", LOG_LEVEL_INFO, "store open, %zu base policy file(s)", n);
	return 0;
}

/* Log the transaction's diagnostics from index from on. */
static void log_txn_diags(const pdp_store_txn *t, size_t from,
                          const char *what, const char *ri)
{
	size_t n = pdp_store_txn_diag_count(t);
	for (size_t i = from; i < n; i++) {
		pdp_error err;
		pdpa_txn_error(t, i, &err);
		logger("PDP", LOG_LEVEL_ERROR, "%s %s left out: %s", what, ri,
		       err.message);
	}
}

/* The initial load: what was staged, and the resources the store refused
 * (their ri, pointing into the tree) which the next attempt leaves out. */
typedef struct load {
	pdp_store_txn *t;
	size_t groups, acps;
	const char **refused;
	size_t n_refused, cap_refused;
	bool nomem;
} load;

static bool was_refused(const load *l, const char *ri)
{
	for (size_t i = 0; i < l->n_refused; i++)
		if (strcmp(l->refused[i], ri) == 0)
			return true;
	return false;
}

static void refuse_later(load *l, const char *ri)
{
	if (l->n_refused == l->cap_refused) {
		size_t cap = l->cap_refused ? 2 * l->cap_refused : 8;
		const char **r = realloc(l->refused, cap * sizeof *r);
		if (r == NULL) {
			l->nomem = true;
			return;
		}
		l->refused = r;
		l->cap_refused = cap;
	}
	l->refused[l->n_refused++] = ri;
}

static pdpc_status stage_acp(pdp_store_txn *t, cJSON *acp, const char *ri)
{
	size_t len;
	char *text = acp_text(acp, &len);
	if (text == NULL)
		return PDPC_ERR_NOMEM;
	pdpc_status st = pdp_store_txn_put_acp(t, str_of(ri), text, len);
	free(text);
	return st;
}

/* Stage every <group> (kind RT_GRP) or ACP (RT_ACP) below n that was not
 * refused before; a refusal is logged and remembered. */
static void stage_tree(load *l, RTNode *n, int kind)
{
	for (; n != NULL; n = n->sibling_right) {
		const char *ri = n->obj != NULL ? ri_of(n->obj) : NULL;
		if ((int)n->ty == kind && ri != NULL && !was_refused(l, ri)) {
			size_t before = pdp_store_txn_diag_count(l->t);
			pdpc_status st = kind == RT_GRP ? stage_group(l->t, n->obj)
			                                : stage_acp(l->t, n->obj, ri);
			if (st == PDPC_OK) {
				(*(kind == RT_GRP ? &l->groups : &l->acps))++;
			} else {
				log_txn_diags(l->t, before,
				              kind == RT_GRP ? "group" : "ACP", ri);
				refuse_later(l, ri);
			}
		}
		stage_tree(l, n->child, kind);
	}
}

/* A transaction with one refused change commits nothing, so a load with
 * refusals is tried again without them (each attempt refuses at least one
 * more resource, so this ends). */
int tinyiot_pdp_load(RTNode *cb)
{
	load l;
	memset(&l, 0, sizeof l);
	for (;;) {
		size_t refused = l.n_refused;
		l.groups = l.acps = 0;
		l.t = pdp_store_begin(pdpa_store(g_pdp));
		if (l.t == NULL)
			break;
		/* Groups first: an ACP naming a group is then read with its
		 * members (the store re-reads it either way). */
		stage_tree(&l, cb, RT_GRP);
		stage_tree(&l, cb, RT_ACP);
		if (l.nomem) {
			pdp_store_abort(l.t);
			break;
		}
		if (l.n_refused > refused) {
			pdp_store_abort(l.t);
			continue;
		}
		if (pdp_store_commit(l.t) != PDPC_OK)
			break;
		logger("PDP", LOG_LEVEL_INFO,
		       "loaded %zu ACP(s) and %zu group(s), %zu left out", l.acps,
		       l.groups, l.n_refused);
		free(l.refused);
		return 0;
	}
	logger("PDP", LOG_LEVEL_ERROR, "the initial load failed");
	free(l.refused);
	return -1;
}

/* ---- decisions ----------------------------------------------------------- */

bool tinyiot_pdp_governed(const RTNode *target)
{
	return target->ty == RT_ACP ||
	       cJSON_IsArray(cJSON_GetObjectItem(target->obj, "acpi"));
}

/* The store's id for one acpi/macp entry: the ri of the ACP resource it
 * addresses, else the entry itself. */
static pdp_str acp_id_of(char *ref)
{
	RTNode *n = find_rtnode(ref);
	const char *id = ref;
	if (n != NULL && n->ty == RT_ACP && ri_of(n->obj) != NULL)
		id = ri_of(n->obj);
	release_lookup(n);
	return str_of(id);
}

/* Decide every operation bit of acop; -1 on the first deny. No store, or
 * no operation (or an unknown bit) to decide, is a deny: fail closed. */
static int decide_ops(oneM2MPrimitive *o2pt, pdpa_query *q, int acop,
                      const char *where)
{
	if (g_pdp == NULL || acop <= 0 || acop > PDP_OP_ALL)
		return -1;
	for (int bit = 1; bit <= PDP_OP_DISCOVER; bit <<= 1) {
		if ((acop & bit) == 0)
			continue;
		char reason[160];
		q->operation = (uint32_t)bit;
		q->child_type = bit == PDP_OP_CREATE ? o2pt->ty : -1;
		if (pdpa_decide(g_pdp, q, reason, sizeof reason) != PDP_PERMIT) {
			logger("PDP", deny_log_level,
			       "deny rqi=%s fr=%s op=%s to=%s: %s",
			       o2pt->rqi ? o2pt->rqi : "-",
			       q->originator.ptr ? q->originator.ptr : "-",
			       pdp_operation_name((uint32_t)bit), where, reason);
			return -1;
		}
	}
	return 0;
}

/* Decide acop for origin over the ACPs refs names; where is the target's
 * address for the log. */
static int decide_list(oneM2MPrimitive *o2pt, const char *origin,
                       cJSON *refs, int acop, bool self, int type,
                       const char *where)
{
	pdp_str local[REFS_ON_STACK];
	size_t n = (size_t)cJSON_GetArraySize(refs);
	pdp_str *ids = n <= REFS_ON_STACK ? local : calloc(n, sizeof *ids);
	if (ids == NULL)
		return -1;
	size_t k = 0;
	cJSON *e;
	cJSON_ArrayForEach(e, refs)
	{
		if (cJSON_IsString(e) && k < n)
			ids[k++] = acp_id_of(e->valuestring);
	}
	pdpa_query q = {
		.originator = str_of(origin),
		.acps = ids,
		.n_acps = k,
		.type = type,
		.child_type = -1,
		.self = self,
		.peer_ip = o2pt->ip,
		.authenticated = false,
	};
	int r = decide_ops(o2pt, &q, acop, where);
	if (ids != local)
		free(ids);
	return r;
}

int tinyiot_pdp_decide_refs(oneM2MPrimitive *o2pt, const char *origin,
                            cJSON *refs, int acop, bool self, int type)
{
	return decide_list(o2pt, origin, refs, acop, self, type,
	                   o2pt->to ? o2pt->to : "-");
}

int tinyiot_pdp_decide(oneM2MPrimitive *o2pt, const char *origin,
                       RTNode *target, RTNode *holder, int acop)
{
	if (target->ty == RT_ACP) {
		/* The ACP itself: its own selfPrivileges, nothing inherited. */
		pdp_str self_id = str_of(ri_of(target->obj));
		pdpa_query q = {
			.originator = str_of(origin),
			.acps = &self_id,
			.n_acps = self_id.ptr != NULL ? 1 : 0,
			.type = RT_ACP,
			.child_type = -1,
			.self = true,
			.peer_ip = o2pt->ip,
			.authenticated = false,
		};
		return decide_ops(o2pt, &q, acop, target->uri);
	}
	cJSON *acpi = cJSON_GetObjectItem(holder->obj, "acpi");
	return decide_list(o2pt, origin, acpi, acop, false, (int)target->ty,
	                   target->uri);
}

bool tinyiot_pdp_discoverable(oneM2MPrimitive *o2pt, const char *addr,
                              int ops)
{
	char *copy = strdup(addr);
	if (copy == NULL)
		return false;
	RTNode *n = find_rtnode(copy);
	deny_log_level = LOG_LEVEL_DEBUG;
	bool ok = n != NULL &&
	          decide_privilege(o2pt, n, ACOP_DISCOVERY) == 0 &&
	          (ops == 0 || decide_privilege(o2pt, n, (ACOP)ops) == 0);
	deny_log_level = LOG_LEVEL_INFO;
	release_lookup(n);
	free(copy);
	return ok;
}
