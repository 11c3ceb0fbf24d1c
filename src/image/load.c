/*
 * load.c - untrusted image bytes -> verified pdp_image.
 *
 * Layers: (1) the outer CBOR (magic, version, checksum, body) and the body's
 * section list, decoded with libcbor after a bounds pre-check; (2) each
 * section's length against its record width; (3) every index, count and
 * ordering rule of format.h; (4) derived tables. Only when all pass is the
 * image returned; otherwise everything is freed and err says what failed.
 */
#include <cbor.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "common/prims.h"
#include "common/regex.h"
#include "image/view.h"

uint64_t img_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)s[i];
		h *= 1099511628211ull;
	}
	return h ^ (h >> 29);
}

void img_lookup_start(const pdp_image *img, img_lookup_op *op,
                      const hash_index *h, enum img_section s, pdp_str name)
{
	(void)img;
	op->h = h;
	op->sec = s;
	op->name = name;
	op->rec = IMG_NONE;
	op->hit = NULL;
	if (h->slots == NULL || name.ptr == NULL) {
		op->slot = IMG_NONE;
		return;
	}
	op->hash = img_hash(name.ptr, name.len);
	op->slot = (uint32_t)op->hash & h->mask;
	__builtin_prefetch(&h->slots[op->slot]);
}

/* Advance to the next slot whose tag matches (or the end of the run). */
void img_lookup_probe(const pdp_image *img, img_lookup_op *op)
{
	op->rec = IMG_NONE;
	if (op->slot == IMG_NONE)
		return;
	uint32_t tag = (uint32_t)(op->hash >> 32);
	for (;;) {
		const hash_slot *sl = &op->h->slots[op->slot];
		if (sl->rec == IMG_NONE) {
			op->slot = IMG_NONE;
			return;
		}
		if (sl->tag == tag && sl->key_len == op->name.len) {
			op->rec = sl->rec;
			__builtin_prefetch(img->blob + sl->key_off);
			return;
		}
		op->slot = (op->slot + 1) & op->h->mask;
	}
}

uint32_t img_lookup_finish(const pdp_image *img, img_lookup_op *op)
{
	while (op->rec != IMG_NONE) {
		const hash_slot *sl = &op->h->slots[op->slot];
		if (sl->key_len == 0 ||
		    memcmp(img->blob + sl->key_off, op->name.ptr, sl->key_len) == 0) {
			op->hit = sl;
			return op->rec;
		}
		/* a tag collision: keep probing after this slot */
		op->slot = (op->slot + 1) & op->h->mask;
		img_lookup_probe(img, op);
	}
	return PDP_NONE;
}

uint32_t img_lookup(const pdp_image *img, const hash_index *h,
                    enum img_section s, pdp_str name)
{
	img_lookup_op op = {0}; /* gcc -O3 cannot see that start sets hash
	                           wherever probe reads it */
	img_lookup_start(img, &op, h, s, name);
	img_lookup_probe(img, &op);
	return img_lookup_finish(img, &op);
}

/* ---- layer 1: CBOR ---- */

/* Refuse CBOR whose declared lengths exceed the input before handing it to
 * cbor_load, which would otherwise size allocations from them. Walks item
 * headers iteratively with an explicit count of pending items. */
static bool cbor_prescan(const uint8_t *p, size_t len)
{
	size_t pos = 0;
	uint64_t pending = 1;
	while (pending > 0) {
		if (pos >= len)
			return false;
		uint8_t ib = p[pos++];
		uint8_t major = ib >> 5, info = ib & 31;
		uint64_t val;
		if (info < 24)
			val = info;
		else if (info <= 27) {
			size_t n = (size_t)1 << (info - 24);
			if (len - pos < n)
				return false;
			val = 0;
			for (size_t i = 0; i < n; i++)
				val = val << 8 | p[pos++];
		} else
			return false; /* indefinite lengths and reserved: unused */
		pending--;
		switch (major) {
		case 0:
		case 1:
			break;
		case 2:
		case 3:
			if (val > len - pos)
				return false;
			pos += (size_t)val;
			break;
		case 4:
			/* only the outermost item may be an array: our format
			 * never nests them, and libcbor frees nested items
			 * recursively */
			if (pos - 1 - (info < 24 ? 0 : ((size_t)1 << (info - 24))) != 0)
				return false;
			if (val > len - pos)
				return false;
			pending += val;
			break;
		default:
			return false; /* maps, tags, floats: not in our format */
		}
	}
	return pos == len;
}

static pdp_status decode_outer(const uint8_t *bytes, size_t len,
                               const char *magic, cbor_item_t **out_body_item,
                               pdp_error *err)
{
	if (!cbor_prescan(bytes, len))
		return img_fail(err, PDP_ERR_FORMAT,
		            "not a pdp image: malformed or truncated CBOR");
	struct cbor_load_result res;
	cbor_item_t *top = cbor_load(bytes, len, &res);
	if (top == NULL || res.error.code != CBOR_ERR_NONE) {
		if (top)
			cbor_decref(&top);
		return img_fail(err, PDP_ERR_FORMAT,
		            "not a pdp image: CBOR error at byte %zu",
		            res.error.position);
	}
	pdp_status st = PDP_OK;
	/* format 2 adds revision, note, id and a signature (identity.h) */
	size_t n_top = cbor_isa_array(top) ? cbor_array_size(top) : 0;
	bool ident = strcmp(magic, IMG_MAGIC) == 0 && (n_top == 7 || n_top == 8);
	if (n_top != 4 && !ident) {
		st = img_fail(err, PDP_ERR_FORMAT, "not a pdp image: expected a "
		                               "4-element array");
		goto out;
	}
	cbor_item_t **it = cbor_array_handle(top);
	if (!cbor_isa_string(it[0]) || !cbor_string_is_definite(it[0]) ||
	    cbor_string_length(it[0]) != strlen(magic) ||
	    memcmp(cbor_string_handle(it[0]), magic, strlen(magic)) != 0) {
		st = img_fail(err, PDP_ERR_FORMAT, "not a pdp image: bad magic");
		goto out;
	}
	if (!cbor_isa_uint(it[1]) ||
	    cbor_get_int(it[1]) != (ident ? IMG_VERSION_ID : IMG_VERSION)) {
		st = img_fail(err, PDP_ERR_VERSION,
		          "image format version %llu with %zu items is not "
		          "supported (this library reads versions %u and %u); "
		          "recompile the policy",
		          cbor_isa_uint(it[1]) ? (unsigned long long)cbor_get_int(it[1])
		                               : 0ull,
		          n_top, IMG_VERSION, IMG_VERSION_ID);
		goto out;
	}
	if (!cbor_isa_uint(it[2]) || !cbor_isa_bytestring(it[3]) ||
	    !cbor_bytestring_is_definite(it[3])) {
		st = img_fail(err, PDP_ERR_FORMAT, "not a pdp image: bad header");
		goto out;
	}
	const uint8_t *body = cbor_bytestring_handle(it[3]);
	size_t body_len = cbor_bytestring_length(it[3]);
	uint32_t crc = crc32_ieee(body, body_len);
	if (cbor_get_int(it[2]) != crc) {
		st = img_fail(err, PDP_ERR_CHECKSUM,
		          "image checksum mismatch: the file is corrupt");
		goto out;
	}
	if (!cbor_prescan(body, body_len)) {
		st = img_fail(err, PDP_ERR_FORMAT, "image body is malformed CBOR");
		goto out;
	}
	cbor_item_t *b = cbor_load(body, body_len, &res);
	if (b == NULL || res.error.code != CBOR_ERR_NONE) {
		if (b)
			cbor_decref(&b);
		st = img_fail(err, PDP_ERR_FORMAT, "image body is malformed CBOR");
		goto out;
	}
	/* images from before SEC_HOST existed have one section less */
	if (!cbor_isa_array(b) || (cbor_array_size(b) != IMG_SECTION_COUNT &&
	                           cbor_array_size(b) != IMG_SECTION_COUNT - 1)) {
		cbor_decref(&b);
		st = img_fail(err, PDP_ERR_FORMAT,
		          "image body must hold %d sections", IMG_SECTION_COUNT);
		goto out;
	}
	*out_body_item = b;
out:
	cbor_decref(&top);
	return st;
}

/* ---- layer 2 and 3: sections and indices ---- */

/* decl is the image whose roles and attributes the records refer to: the
 * image itself, or a segment's base; n_groups bounds group indices. */
typedef struct verifier {
	pdp_image *img;
	pdp_error *err;
	const pdp_image *decl;
	uint32_t n_groups;
} verifier;

#define CHECK(cond, ...)                                                   \
	do {                                                                \
		if (!(cond))                                                \
			return img_fail(v->err, PDP_ERR_INVALID, __VA_ARGS__);  \
	} while (0)

static bool range_ok(uint32_t first, uint32_t n, uint32_t size)
{
	return first <= size && n <= size - first;
}

static pdp_status verify_strings(verifier *v)
{
	pdp_image *img = v->img;
	for (uint32_t i = 0; i < img->count[SEC_STRTAB]; i++) {
		const uint32_t *r = img_rec(img, SEC_STRTAB, i);
		CHECK(range_ok(r[0], r[1], img->blob_len) &&
		          r[1] <= PDP_MAX_STRING_BYTES,
		      "string %u is out of bounds", i);
	}
	return PDP_OK;
}

static bool str_ok(const pdp_image *img, uint32_t id)
{
	return id < img->count[SEC_STRTAB];
}

static bool opt_str_ok(const pdp_image *img, uint32_t id)
{
	return id == IMG_NONE || str_ok(img, id);
}

static pdp_status verify_list(verifier *v, enum img_section list,
                              uint32_t first, uint32_t n,
                              enum img_section target, const char *what)
{
	pdp_image *img = v->img;
	CHECK(range_ok(first, n, img->count[list]), "%s list out of bounds",
	      what);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t x = img_rec(img, list, first + i)[0];
		uint32_t limit = target == SEC_STRTAB ? img->count[SEC_STRTAB]
		                                      : img->count[target];
		CHECK(x < limit, "%s entry %u is out of range", what, i);
	}
	return PDP_OK;
}

#define TRY(expr)                                                          \
	do {                                                                \
		pdp_status st_ = (expr);                                    \
		if (st_ != PDP_OK)                                          \
			return st_;                                         \
	} while (0)

static pdp_status verify_roles(verifier *v)
{
	pdp_image *img = v->img;
	CHECK(img->count[SEC_ROLES] <= PDP_MAX_ROLES, "too many roles");
	for (uint32_t i = 0; i < img->count[SEC_ROLES]; i++) {
		const uint32_t *r = img_rec(img, SEC_ROLES, i);
		CHECK(str_ok(img, r[0]), "role %u has a bad name", i);
		CHECK(range_ok(r[1], r[2], img->count[SEC_ROLEJR]),
		      "role %u juniors out of bounds", i);
		for (uint32_t j = 0; j < r[2]; j++)
			CHECK(img_rec(img, SEC_ROLEJR, r[1] + j)[0] < i,
			      "role %u: junior not in topological order", i);
	}
	for (uint32_t i = 0; i < img->count[SEC_CONSTRAINTS]; i++) {
		const uint32_t *k = img_rec(img, SEC_CONSTRAINTS, i);
		CHECK(k[0] <= 1 && str_ok(img, k[1]), "constraint %u is malformed",
		      i);
		CHECK(k[2] >= 2 && k[2] <= k[4], "constraint %u: bad n", i);
		TRY(verify_list(v, SEC_CONSTRMEM, k[3], k[4], SEC_ROLES,
		                "constraint roles"));
	}
	return PDP_OK;
}

static pdp_status verify_principals(verifier *v)
{
	pdp_image *img = v->img;
	for (uint32_t i = 0; i < img->count[SEC_PRINCIPALS]; i++) {
		const uint32_t *p = img_rec(img, SEC_PRINCIPALS, i);
		CHECK(str_ok(img, p[0]), "principal %u has a bad name", i);
		TRY(verify_list(v, SEC_PRINROLES, p[1], p[2], SEC_ROLES,
		                "assigned roles"));
		TRY(verify_list(v, SEC_PRINGROUPS, p[3], p[4], SEC_GROUPS,
		                "group memberships"));
	}
	for (uint32_t i = 0; i < img->count[SEC_GROUPS]; i++) {
		const uint32_t *g = img_rec(img, SEC_GROUPS, i);
		CHECK(str_ok(img, g[0]), "group %u has a bad name", i);
		TRY(verify_list(v, SEC_GROUPGLOBS, g[1], g[2], SEC_STRTAB,
		                "group globs"));
	}
	return PDP_OK;
}

static bool type_ok(uint32_t t)
{
	return t >= PDP_TYPE_INT && t <= PDP_TYPE_SET;
}

static pdp_status verify_attrs(verifier *v)
{
	pdp_image *img = v->img;
	static const pdp_type builtin[IMG_BUILTIN_ATTRS] = {
		PDP_TYPE_STRING, PDP_TYPE_STRING, PDP_TYPE_STRING,
		PDP_TYPE_TIME, PDP_TYPE_IP, PDP_TYPE_STRING};
	CHECK(img->count[SEC_ATTRS] >= IMG_BUILTIN_ATTRS,
	      "built-in attributes missing");
	for (uint32_t i = 0; i < img->count[SEC_ATTRS]; i++) {
		const uint32_t *a = img_rec(img, SEC_ATTRS, i);
		CHECK(str_ok(img, a[0]) && type_ok(a[1]), "attribute %u is "
		                                          "malformed", i);
		if (i < IMG_BUILTIN_ATTRS) {
			static const char *const names[IMG_BUILTIN_ATTRS] = {
				"originator.id", "operation", "resource.type",
				"env.time", "env.ip", "env.country"};
			pdp_str n = img_str(img, a[0]);
			CHECK(a[1] == (uint32_t)builtin[i] &&
			          n.len == strlen(names[i]) &&
			          memcmp(n.ptr, names[i], n.len) == 0,
			      "built-in attribute %u is not %s", i, names[i]);
		}
	}
	return PDP_OK;
}

static pdp_type attr_type(const pdp_image *img, uint32_t id)
{
	return (pdp_type)img_rec(img, SEC_ATTRS, id)[1];
}

/* Which operator/type/right-side combinations the compiler can produce
 * (policy-language.md 3.4). The evaluator picks its reading of `rhs` from
 * the attribute's type, so any other combination would make it read the
 * wrong table: such an image is rejected. */
static bool cond_shape_ok(uint32_t op, pdp_type t, uint32_t rk)
{
	bool lit_or_attr = rk == RHS_LIT || rk == RHS_ATTR;
	switch (op) {
	case COP_PRESENT:
		return rk == RHS_LIT;
	case COP_EQ:
	case COP_NE:
		return t != PDP_TYPE_SET && lit_or_attr;
	case COP_LT:
	case COP_LE:
	case COP_GT:
	case COP_GE:
		return (t == PDP_TYPE_INT || t == PDP_TYPE_TIME) && lit_or_attr;
	case COP_IN:
		return (t == PDP_TYPE_INT || t == PDP_TYPE_STRING) && rk == RHS_LIST;
	case COP_PREFIX:
		return t == PDP_TYPE_STRING && lit_or_attr;
	case COP_MATCHES:
		return t == PDP_TYPE_STRING && rk == RHS_REGEX;
	case COP_IN_CIDR:
		return t == PDP_TYPE_IP && rk == RHS_LIST;
	case COP_CONTAINS:
		return t == PDP_TYPE_SET && lit_or_attr;
	default:
		return false;
	}
}

/* Conditions are in post-order, so "child < parent" makes the graph acyclic
 * and lets depth be computed in one forward pass. Each node may also have at
 * most one parent (or be one rule's root): the evaluator walks conditions as
 * trees, and a DAG that reuses nodes would make that walk exponential. */
static pdp_status verify_conds(verifier *v, uint8_t *depth)
{
	pdp_image *img = v->img;
	uint32_t n = img->count[SEC_CONDS];
	memset(depth + n, 0, n);
	uint8_t *used = depth + n;
	for (uint32_t i = 0; i < img->count[SEC_RULES]; i++) {
		uint32_t root = img_rec(img, SEC_RULES, i)[RW_COND];
		if (root == IMG_NONE)
			continue;
		CHECK(root < n && !used[root], "rule %u: condition %u shared or "
		                               "out of range", i, root);
		used[root] = 1;
	}
	for (uint32_t i = 0; i < n; i++) {
		const uint32_t *k = img_rec(img, SEC_CONDS, i);
		uint32_t op = k[0], attr = k[1], rk = k[2], rhs = k[3],
		         first = k[4], cnt = k[5];
		CHECK(op < COP_COUNT, "condition %u: bad operator", i);
		depth[i] = 1;
		if (op == COP_TRUE || op == COP_FALSE)
			continue;
		if (op == COP_ALL || op == COP_ANY || op == COP_NOT) {
			CHECK(range_ok(first, cnt, img->count[SEC_CONDKIDS]),
			      "condition %u: children out of bounds", i);
			CHECK(op != COP_NOT || cnt == 1, "condition %u: not needs "
			                                 "one child", i);
			for (uint32_t j = 0; j < cnt; j++) {
				uint32_t kid = img_rec(img, SEC_CONDKIDS, first + j)[0];
				CHECK(kid < i, "condition %u: child not before parent",
				      i);
				CHECK(!used[kid], "condition %u: child %u has two parents",
				      i, kid);
				used[kid] = 1;
				if (depth[kid] + 1u > depth[i])
					depth[i] = (uint8_t)(depth[kid] + 1u);
			}
			CHECK(depth[i] <= PDP_MAX_COND_DEPTH,
			      "condition %u nested deeper than %u", i,
			      PDP_MAX_COND_DEPTH);
			continue;
		}
		CHECK(attr < v->decl->count[SEC_ATTRS],
		      "condition %u: bad attribute", i);
		pdp_type t = attr_type(v->decl, attr);
		CHECK(cond_shape_ok(op, t, rk),
		      "condition %u: operator does not fit the attribute type", i);
		switch (rk) {
		case RHS_ATTR:
			CHECK(rhs < v->decl->count[SEC_ATTRS],
			      "condition %u: bad right attribute", i);
			CHECK(attr_type(v->decl, rhs) ==
			          (op == COP_CONTAINS ? PDP_TYPE_STRING : t),
			      "condition %u: right attribute of another type", i);
			break;
		case RHS_REGEX:
			CHECK(op == COP_MATCHES && rhs < img->count[SEC_REGEXES],
			      "condition %u: bad regex", i);
			break;
		case RHS_LIST:
			if (op == COP_IN_CIDR) {
				CHECK(range_ok(first, cnt, img->count[SEC_CIDRS]),
				      "condition %u: CIDR list out of bounds", i);
			} else {
				CHECK(op == COP_IN, "condition %u: list needs in", i);
				TRY(verify_list(v, SEC_LISTITEMS, first, cnt,
				                t == PDP_TYPE_INT ? SEC_INTS : SEC_STRTAB,
				                "in list"));
			}
			break;
		case RHS_LIT:
			if (op == COP_PRESENT || t == PDP_TYPE_BOOL)
				CHECK(rhs <= 1, "condition %u: bad boolean", i);
			else if (op == COP_CONTAINS || op == COP_PREFIX ||
			         t == PDP_TYPE_STRING)
				CHECK(str_ok(img, rhs), "condition %u: bad string", i);
			else if (t == PDP_TYPE_INT)
				CHECK(rhs < img->count[SEC_INTS], "condition %u: bad int",
				      i);
			else if (t == PDP_TYPE_IP)
				CHECK(rhs < img->count[SEC_CIDRS], "condition %u: bad ip",
				      i);
			else if (t == PDP_TYPE_TIME)
				CHECK(rhs < img->count[SEC_TIMES],
				      "condition %u: bad time", i);
			else
				CHECK(false, "condition %u: literal of wrong type", i);
			break;
		default:
			CHECK(false, "condition %u: bad right side", i);
		}
	}
	return PDP_OK;
}

static pdp_status verify_rules(verifier *v)
{
	pdp_image *img = v->img;
	for (uint32_t i = 0; i < img->count[SEC_ACPS]; i++) {
		const uint32_t *a = img_rec(img, SEC_ACPS, i);
		CHECK(str_ok(img, a[0]) && opt_str_ok(img, a[1]),
		      "ACP %u has a bad name", i);
		CHECK(range_ok(a[2], a[3], img->count[SEC_RULES]) &&
		          range_ok(a[4], a[5], img->count[SEC_RULES]) &&
		          range_ok(a[6], a[7], img->count[SEC_ORIGS]) &&
		          a[8] <= img->count[SEC_CONTEXTS] &&
		          a[9] <= img->count[SEC_WINDOWS] &&
		          a[10] <= img->count[SEC_CIDRS] &&
		          a[11] <= img->count[SEC_CONDS],
		      "ACP %u rules out of bounds", i);
		for (uint32_t s = 0; s < 2; s++) {
			uint32_t first = a[2 + 2 * s], n = a[3 + 2 * s];
			for (uint32_t j = 0; j < n; j++) {
				const uint32_t *r = img_rec(img, SEC_RULES, first + j);
				CHECK(r[RW_ACP] == i && r[RW_INDEX] == j &&
				          ((r[RW_FLAGS] & RULE_FLAG_SELF) != 0) == (s == 1),
				      "ACP %u rule %u does not point back", i, j);
			}
		}
	}
	for (uint32_t i = 0; i < img->count[SEC_RULES]; i++) {
		const uint32_t *r = img_rec(img, SEC_RULES, i);
		CHECK(r[RW_FLAGS] <= 7 && r[RW_OPS] >= 1 && r[RW_OPS] <= 63,
		      "rule %u: bad flags or operations", i);
		CHECK(r[RW_ACP] < img->count[SEC_ACPS], "rule %u: bad ACP", i);
		CHECK(range_ok(r[RW_ORIG_FIRST], r[RW_ORIG_COUNT],
		               img->count[SEC_ORIGS]) &&
		          range_ok(r[RW_CTX_FIRST], r[RW_CTX_COUNT],
		                   img->count[SEC_CONTEXTS]) &&
		          range_ok(r[RW_OBJ_FIRST], r[RW_OBJ_COUNT],
		                   img->count[SEC_OBJECTS]),
		      "rule %u: list out of bounds", i);
		CHECK(r[RW_COND] == IMG_NONE || r[RW_COND] < img->count[SEC_CONDS],
		      "rule %u: bad condition", i);
		CHECK(opt_str_ok(img, r[RW_ID]), "rule %u: bad id", i);
		CHECK(r[RW_SOURCE] == IMG_NONE ||
		          r[RW_SOURCE] < img->count[SEC_SOURCES],
		      "rule %u: bad source", i);
	}
	for (uint32_t i = 0; i < img->count[SEC_ORIGS]; i++) {
		const uint32_t *o = img_rec(img, SEC_ORIGS, i);
		switch (o[0]) {
		case ORIG_ALL:
			break;
		case ORIG_EXACT:
		case ORIG_GLOB:
			CHECK(str_ok(img, o[1]), "originator %u: bad string", i);
			break;
		case ORIG_GROUP:
			CHECK(o[1] < v->n_groups, "originator %u: bad group",
			      i);
			break;
		case ORIG_ROLE:
			CHECK(o[1] < v->decl->count[SEC_ROLES], "originator %u: bad role",
			      i);
			break;
		default:
			CHECK(false, "originator %u: bad kind", i);
		}
	}
	for (uint32_t i = 0; i < img->count[SEC_CONTEXTS]; i++) {
		const uint32_t *x = img_rec(img, SEC_CONTEXTS, i);
		CHECK(range_ok(x[0], x[1], img->count[SEC_WINDOWS]) &&
		          range_ok(x[2], x[3], img->count[SEC_CIDRS]) &&
		          range_ok(x[4], x[5], img->count[SEC_COUNTRIES]) &&
		          range_ok(x[6], x[7], img->count[SEC_CIRCLES]),
		      "context %u: list out of bounds", i);
	}
	for (uint32_t i = 0; i < img->count[SEC_WINDOWS]; i++)
		CHECK(opt_str_ok(img, img_rec(img, SEC_WINDOWS, i)[16]),
		      "window %u: bad source", i);
	for (uint32_t i = 0; i < img->count[SEC_CIDRS]; i++)
		CHECK(img_rec(img, SEC_CIDRS, i)[4] <= 128, "CIDR %u: bad prefix",
		      i);
	for (uint32_t i = 0; i < img->count[SEC_CIRCLES]; i++) {
		const uint32_t *c = img_rec(img, SEC_CIRCLES, i);
		double lat, lon, rad;
		uint64_t b;
		b = img_u64(c);
		memcpy(&lat, &b, 8);
		b = img_u64(c + 2);
		memcpy(&lon, &b, 8);
		b = img_u64(c + 4);
		memcpy(&rad, &b, 8);
		CHECK(isfinite(lat) && isfinite(lon) && isfinite(rad) &&
		          fabs(lat) <= 90 && fabs(lon) <= 180 && rad >= 0,
		      "circle %u: bad coordinates", i);
	}
	for (uint32_t i = 0; i < img->count[SEC_OBJECTS]; i++) {
		const uint32_t *o = img_rec(img, SEC_OBJECTS, i);
		CHECK(range_ok(o[0], o[1], img->count[SEC_OBJTYPES]) &&
		          range_ok(o[4], o[5], img->count[SEC_OBJTYPES]),
		      "object %u: types out of bounds", i);
		TRY(verify_list(v, SEC_OBJSPECS, o[2], o[3], SEC_STRTAB,
		                "specializations"));
	}
	for (uint32_t i = 0; i < img->count[SEC_REGEXES]; i++)
		CHECK(str_ok(img, img_rec(img, SEC_REGEXES, i)[0]),
		      "regex %u: bad pattern", i);
	for (uint32_t i = 0; i < img->count[SEC_SOURCES]; i++)
		CHECK(str_ok(img, img_rec(img, SEC_SOURCES, i)[0]),
		      "source %u: bad name", i);
	return PDP_OK;
}

/* The hosting CSE's ids, well formed as origin.c needs them. */
static pdp_status verify_host(verifier *v)
{
	pdp_image *img = v->img;
	CHECK(img->count[SEC_HOST] <= 1, "more than one host record");
	if (img->count[SEC_HOST] == 0)
		return PDP_OK;
	const uint32_t *h = img_rec(img, SEC_HOST, 0);
	CHECK(str_ok(img, h[0]) && str_ok(img, h[1]), "host record: bad string");
	img->host_sp = img_str(img, h[0]);
	img->host_cse = img_str(img, h[1]);
	CHECK(origin_sp_valid(img->host_sp) && origin_cse_valid(img->host_cse),
	      "host record: malformed SP-ID or CSE-ID");
	img->host = true;
	return PDP_OK;
}

/* ---- layer 4: derived tables ---- */

static pdp_status build_index(verifier *v, hash_index *h, enum img_section s,
                              const char *what)
{
	pdp_image *img = v->img;
	uint32_t n = img->count[s];
	uint32_t size = 8;
	while (size < n * 2u)
		size *= 2;
	h->slots = malloc((size_t)size * sizeof(hash_slot));
	if (h->slots == NULL)
		return img_fail(v->err, PDP_ERR_NOMEM, "out of memory");
	memset(h->slots, 0xff, (size_t)size * sizeof(hash_slot));
	h->mask = size - 1;
	for (uint32_t i = 0; i < n; i++) {
		pdp_str name = img_str(img, img_rec(img, s, i)[0]);
		CHECK(img_lookup(img, h, s, name) == PDP_NONE,
		      "duplicate %s name '%.*s'", what,
		      (int)(name.len > 60 ? 60 : name.len), name.ptr);
		uint64_t hv = img_hash(name.ptr, name.len);
		uint32_t j = (uint32_t)hv & h->mask;
		while (h->slots[j].rec != IMG_NONE)
			j = (j + 1) & h->mask;
		h->slots[j].tag = (uint32_t)(hv >> 32);
		h->slots[j].rec = i;
		h->slots[j].key_off = (uint32_t)(name.ptr - img->blob);
		h->slots[j].key_len = (uint32_t)name.len;
		const uint32_t *r = img_rec(img, s, i);
		if (s == SEC_ACPS) {
			h->slots[j].aux[0] = r[2];
			h->slots[j].aux[1] = r[4];
			h->slots[j].aux[2] = r[6];
			h->slots[j].aux[3] = r[3] <= 0xffffu && r[5] <= 0xffffu
			                             ? r[3] | r[5] << 16
			                             : ACP_COUNTS_FAR;
		} else if (s == SEC_PRINCIPALS) {
			h->slots[j].aux[0] = r[1];
			h->slots[j].aux[1] = r[2];
			h->slots[j].aux[2] = r[0];
			h->slots[j].aux[3] = r[2] > 0
			                             ? img_rec(img, SEC_PRINROLES, r[1])[0]
			                             : IMG_NONE;
		}
	}
	return PDP_OK;
}

/* Where each originator entry's string is, straight into the blob. */
static pdp_status build_orig_text(verifier *v)
{
	pdp_image *img = v->img;
	uint32_t n = img->count[SEC_ORIGS];
	img->orig_text = calloc(2u * (size_t)n + 2u, sizeof(uint32_t));
	if (img->orig_text == NULL)
		return img_fail(v->err, PDP_ERR_NOMEM, "out of memory");
	for (uint32_t i = 0; i < n; i++) {
		const uint32_t *o = img_rec(img, SEC_ORIGS, i);
		if (o[0] != ORIG_EXACT && o[0] != ORIG_GLOB)
			continue;
		const uint32_t *t = img_rec(img, SEC_STRTAB, o[1]);
		img->orig_text[2 * i] = t[0];
		img->orig_text[2 * i + 1] = t[1];
	}
	return PDP_OK;
}

/* The evaluator matches an exact originator entry by comparing its string
 * id with the request's principal's name id: every exact entry must name a
 * principal through that very string id. */
static pdp_status verify_exact_origs(verifier *v)
{
	pdp_image *img = v->img;
	for (uint32_t i = 0; i < img->count[SEC_ORIGS]; i++) {
		const uint32_t *o = img_rec(img, SEC_ORIGS, i);
		if (o[0] != ORIG_EXACT)
			continue;
		uint32_t p = img_lookup(img, &img->h_principal, SEC_PRINCIPALS,
		                        img_str(img, o[1]));
		CHECK(p != PDP_NONE && img_rec(img, SEC_PRINCIPALS, p)[0] == o[1],
		      "originator %u: exact id is not a principal", i);
	}
	return PDP_OK;
}

static pdp_status build_roles(verifier *v)
{
	pdp_image *img = v->img;
	uint32_t nr = img->count[SEC_ROLES], w = (nr + 63) / 64;
	img->role_words = w;
	size_t words = (size_t)w * (nr + img->count[SEC_CONSTRAINTS]) + 1;
	uint64_t *bits = calloc(words, sizeof(uint64_t));
	if (bits == NULL)
		return img_fail(v->err, PDP_ERR_NOMEM, "out of memory");
	img->role_closure = bits;
	img->constraint_sets = bits + (size_t)w * nr;
	for (uint32_t i = 0; i < nr; i++) {
		uint64_t *c = img->role_closure + (size_t)i * w;
		c[i / 64] |= UINT64_C(1) << (i % 64);
		const uint32_t *r = img_rec(img, SEC_ROLES, i);
		for (uint32_t j = 0; j < r[2]; j++) {
			uint32_t jr = img_rec(img, SEC_ROLEJR, r[1] + j)[0];
			const uint64_t *jc = img->role_closure + (size_t)jr * w;
			for (uint32_t k = 0; k < w; k++)
				c[k] |= jc[k];
		}
	}
	for (uint32_t i = 0; i < img->count[SEC_CONSTRAINTS]; i++) {
		const uint32_t *k = img_rec(img, SEC_CONSTRAINTS, i);
		uint64_t *set = img->constraint_sets + (size_t)i * w;
		img->n_dsd += k[0] == 1;
		for (uint32_t j = 0; j < k[4]; j++) {
			uint32_t r = img_rec(img, SEC_CONSTRMEM, k[3] + j)[0];
			CHECK(!(set[r / 64] >> (r % 64) & 1),
			      "constraint %u lists a role twice", i);
			set[r / 64] |= UINT64_C(1) << (r % 64);
		}
	}
	return PDP_OK;
}

static pdp_status build_regexes(verifier *v)
{
	pdp_image *img = v->img;
	uint32_t n = img->count[SEC_REGEXES];
	if (n == 0)
		return PDP_OK;
	img->regex = calloc(n, sizeof(pcre2_code *));
	if (img->regex == NULL)
		return img_fail(v->err, PDP_ERR_NOMEM, "out of memory");
	/* No JIT: the JIT applies the match limit per start position, so a
	 * backtracking pattern on a 4 KiB subject ran for seconds under the
	 * same limits that stop the interpreter in under a millisecond
	 * (fuzz/regressions/fuzz_regex_cond). Bounded time wins over speed. */
	for (uint32_t i = 0; i < n; i++) {
		pdp_str pat = img_str(img, img_rec(img, SEC_REGEXES, i)[0]);
		CHECK(pat.len <= PDP_MAX_REGEX_BYTES, "regex %u too long", i);
		prim_err e;
		img->regex[i] = regex_compile(pat.ptr, pat.len, &e);
		if (img->regex[i] == NULL)
			return img_fail(v->err, PDP_ERR_REGEX,
			            "regex %u does not compile (offset %zu)", i,
			            e.offset);
		uint32_t caps = 0;
		pcre2_pattern_info(img->regex[i], PCRE2_INFO_CAPTURECOUNT, &caps);
		CHECK(caps <= PDP_MAX_REGEX_CAPTURES,
		      "regex %u has more than %u capture groups", i,
		      PDP_MAX_REGEX_CAPTURES);
		if (caps > img->max_regex_captures)
			img->max_regex_captures = caps;
	}
	return PDP_OK;
}

static void image_destroy(pdp_image *img)
{
	if (img == NULL)
		return;
	if (img->view != NULL) {
		view_image_destroy(img);
		return;
	}
	for (uint32_t i = 0; img->regex && i < img->count[SEC_REGEXES]; i++)
		pcre2_code_free(img->regex[i]);
	free(img->regex);
	free(img->h_principal.slots);
	free(img->h_acp.slots);
	free(img->h_attr.slots);
	free(img->h_role.slots);
	free(img->role_closure);
	free(img->orig_text);
	free(img->arena);
	free(img);
}

/* Copy the sections out of the CBOR tree into one arena of host-order
 * words, checking each length against its record width. */
static pdp_status copy_sections(verifier *v, cbor_item_t *body)
{
	pdp_image *img = v->img;
	cbor_item_t **s = cbor_array_handle(body);
	int present = (int)cbor_array_size(body); /* checked by decode_outer */
	size_t total = 0;
	for (int i = 0; i < present; i++) {
		if (!cbor_isa_bytestring(s[i]) || !cbor_bytestring_is_definite(s[i]))
			return img_fail(v->err, PDP_ERR_FORMAT,
			            "section %d is not a byte string", i);
		size_t len = cbor_bytestring_length(s[i]);
		uint32_t rw = IMG_RECORD_WORDS[i];
		if (rw != 0 && len % (rw * 4u) != 0)
			return img_fail(v->err, PDP_ERR_INVALID,
			            "section %d length %zu is not a multiple of its "
			            "record size",
			            i, len);
		if (len / 4 > PDP_MAX_TABLE)
			return img_fail(v->err, PDP_ERR_LIMIT, "section %d too large", i);
		total += (len + 7) & ~(size_t)7;
	}
	img->arena = malloc(total + 8);
	img->arena_size = total + 8;
	if (img->arena == NULL)
		return img_fail(v->err, PDP_ERR_NOMEM, "out of memory");
	uint8_t *p = img->arena;
	for (int i = 0; i < present; i++) {
		size_t len = cbor_bytestring_length(s[i]);
		const uint8_t *src = cbor_bytestring_handle(s[i]);
		uint32_t rw = IMG_RECORD_WORDS[i];
		if (rw == 0) {
			if (len > UINT32_MAX)
				return img_fail(v->err, PDP_ERR_LIMIT, "string blob too large");
			memcpy(p, src, len);
			img->blob = (const char *)p;
			img->blob_len = (uint32_t)len;
		} else {
			uint32_t *w = (uint32_t *)(void *)p;
			for (size_t j = 0; j < len / 4; j++)
				w[j] = (uint32_t)src[4 * j] |
				       (uint32_t)src[4 * j + 1] << 8 |
				       (uint32_t)src[4 * j + 2] << 16 |
				       (uint32_t)src[4 * j + 3] << 24;
			img->sec[i] = w;
			img->count[i] = (uint32_t)(len / (rw * 4u));
		}
		p += (len + 7) & ~(size_t)7;
	}
	return PDP_OK;
}

/* Layers 1 and 2: the CBOR envelope with the given magic, and the
 * sections copied into a fresh image (not yet verified). */
static pdp_status read_image(const uint8_t *bytes, size_t len,
                             const char *magic, pdp_image **out,
                             pdp_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
	if (out == NULL || (bytes == NULL && len > 0))
		return img_fail(err, PDP_ERR_ARG, "NULL argument");
	*out = NULL;
	if (len > PDP_MAX_IMAGE_BYTES)
		return img_fail(err, PDP_ERR_LIMIT, "image larger than %u bytes",
		                PDP_MAX_IMAGE_BYTES);
	if (len == 0)
		return img_fail(err, PDP_ERR_FORMAT, "empty image");
	cbor_item_t *body = NULL;
	pdp_status st = decode_outer(bytes, len, magic, &body, err);
	if (st != PDP_OK)
		return st;
	pdp_image *img = calloc(1, sizeof(*img));
	if (img == NULL) {
		cbor_decref(&body);
		return img_fail(err, PDP_ERR_NOMEM, "out of memory");
	}
	verifier v = {img, err, img, 0};
	st = copy_sections(&v, body);
	cbor_decref(&body);
	if (st != PDP_OK) {
		image_destroy(img);
		return st;
	}
	atomic_init(&img->refs, 1u);
	*out = img;
	return PDP_OK;
}

static pdp_status verify_conds_of(verifier *v)
{
	uint8_t *depth = malloc(2u * (size_t)v->img->count[SEC_CONDS] + 1u);
	if (depth == NULL)
		return img_fail(v->err, PDP_ERR_NOMEM, "out of memory");
	pdp_status st = verify_conds(v, depth);
	free(depth);
	return st;
}

pdp_status pdp_image_load(const uint8_t *bytes, size_t len, pdp_image **out,
                          pdp_error *err)
{
	return img_load_known(bytes, len, NULL, out, err);
}

pdp_status img_load_known(const uint8_t *bytes, size_t len,
                          const img_identity *known, pdp_image **out,
                          pdp_error *err)
{
	pdp_image *img = NULL;
	pdp_status st = read_image(bytes, len, IMG_MAGIC, &img, err);
	if (st != PDP_OK)
		return st;
	verifier v = {img, err, img, img->count[SEC_GROUPS]};
	if (known != NULL)
		img->ident = *known;
	else
		st = img_identity_read(bytes, len, &img->ident, err);
	if (st == PDP_OK)
		st = verify_strings(&v);
	if (st == PDP_OK)
		st = verify_roles(&v);
	if (st == PDP_OK)
		st = verify_principals(&v);
	if (st == PDP_OK)
		st = verify_attrs(&v);
	if (st == PDP_OK)
		st = verify_conds_of(&v);
	if (st == PDP_OK)
		st = verify_rules(&v);
	if (st == PDP_OK)
		st = verify_host(&v);
	if (st == PDP_OK)
		st = img_verify_ownership(img, v.decl, err);
	if (st == PDP_OK)
		st = build_index(&v, &img->h_principal, SEC_PRINCIPALS, "principal");
	if (st == PDP_OK)
		st = build_index(&v, &img->h_acp, SEC_ACPS, "ACP");
	if (st == PDP_OK)
		st = build_index(&v, &img->h_attr, SEC_ATTRS, "attribute");
	if (st == PDP_OK)
		st = build_index(&v, &img->h_role, SEC_ROLES, "role");
	if (st == PDP_OK)
		st = verify_exact_origs(&v);
	if (st == PDP_OK)
		st = build_orig_text(&v);
	if (st == PDP_OK)
		st = build_roles(&v);
	if (st == PDP_OK)
		st = build_regexes(&v);
	if (st != PDP_OK) {
		image_destroy(img);
		return st;
	}
	img->prefetch = len >= IMG_PREFETCH_MIN_BYTES;
	*out = img;
	return PDP_OK;
}

/* The tables a segment must leave empty: what it refers to belongs to its
 * base (roles, attributes, principals) or to the store (groups). */
static const enum img_section SEGMENT_EMPTY[] = {
	SEC_PRINCIPALS, SEC_PRINROLES, SEC_PRINGROUPS, SEC_GROUPS,
	SEC_GROUPGLOBS, SEC_ROLES, SEC_ROLEJR, SEC_CONSTRAINTS, SEC_CONSTRMEM,
	SEC_ATTRS, SEC_SOURCES, SEC_HOST,
};

pdp_status img_load_segment(const uint8_t *bytes, size_t len,
                            const pdp_image *base, uint32_t n_groups,
                            pdp_image **out, pdp_error *err)
{
	pdp_image *img = NULL;
	pdp_status st = read_image(bytes, len, IMG_SEGMENT_MAGIC, &img, err);
	if (st != PDP_OK)
		return st;
	verifier v = {img, err, base, n_groups};
	for (size_t i = 0; i < sizeof(SEGMENT_EMPTY) / sizeof(SEGMENT_EMPTY[0]);
	     i++)
		if (img->count[SEGMENT_EMPTY[i]] != 0)
			st = img_fail(err, PDP_ERR_INVALID,
			              "a segment must not hold section %d",
			              (int)SEGMENT_EMPTY[i]);
	if (st == PDP_OK && img->count[SEC_ACPS] != 1)
		st = img_fail(err, PDP_ERR_INVALID, "a segment holds one ACP");
	if (st == PDP_OK)
		st = verify_strings(&v);
	if (st == PDP_OK)
		st = verify_conds_of(&v);
	if (st == PDP_OK)
		st = verify_rules(&v);
	if (st == PDP_OK)
		st = img_verify_ownership(img, v.decl, err);
	if (st == PDP_OK)
		st = build_orig_text(&v);
	if (st == PDP_OK)
		st = build_regexes(&v);
	if (st != PDP_OK) {
		image_destroy(img);
		return st;
	}
	img->segment = true;
	*out = img;
	return PDP_OK;
}

pdp_image *pdp_image_retain(pdp_image *img)
{
	if (img != NULL)
		atomic_fetch_add_explicit(&img->refs, 1u, memory_order_relaxed);
	return img;
}

void pdp_image_release(pdp_image *img)
{
	if (img == NULL)
		return;
	if (atomic_fetch_sub_explicit(&img->refs, 1u, memory_order_acq_rel) == 1u)
		image_destroy(img);
}

void pdp_image_free(pdp_image *img)
{
	pdp_image_release(img);
}
