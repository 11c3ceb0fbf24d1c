/*
 * audit_attrs.c - `pdp audit --attrs FILE`: subjects' attribute values as
 * a user directory exports them, a YAML/JSON mapping from subject id to
 * that subject's attributes:
 *
 *   CAE-bob:   { originator.clearance: 3, originator.department: lab }
 *   CAE-alice: { originator.clearance: 1 }
 *
 * The values are read exactly as a request's `attrs:` (request.c), so a
 * value audit fixes is the value a request would carry.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/audit_out.h"
#include "request/request.h"

/* "FILE:line:col: what" on stderr, and EXIT_USAGE. */
static int attrs_problem(const char *path, srcpos pos, const char *what)
{
	fprintf(stderr, "pdp audit: %s:%u:%u: %s\n", path, pos.line, pos.col,
	        what);
	return EXIT_USAGE;
}

/* The file's top mapping, or NULL after a message (*rc says how bad). */
static const ynode *attrs_top(const char *path, pdpc_compiler *c, int *rc)
{
	*rc = EXIT_IO;
	if (pdpc_add_file(c, path) != PDPC_OK) {
		print_diags(stderr, c, DIAG_TEXT, false);
		return NULL;
	}
	ynode_vec docs = {0};
	*rc = EXIT_USAGE;
	if (!yaml_load_docs(c, 0, &docs) || docs.n != 1) {
		if (cc_error_count(c) > 0)
			print_diags(stderr, c, DIAG_TEXT, false);
		else
			attrs_problem(path, (srcpos){0, 1, 1},
			              "an attributes file is one YAML/JSON document");
		return NULL;
	}
	const ynode *top = docs.items[0];
	if (top->kind != YN_MAP) {
		attrs_problem(path, top->pos,
		              "an attributes file maps each subject id to its "
		              "attributes ({CAE-bob: {originator.clearance: 3}})");
		return NULL;
	}
	for (size_t i = 0; i < top->n; i += 2)
		if (top->items[i]->kind != YN_SCALAR) {
			attrs_problem(path, top->items[i]->pos, "subject ids are strings");
			return NULL;
		}
	*rc = EXIT_OK;
	return top;
}

int attrs_file_subjects(const char *path, pdp_str **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	pdpc_compiler *c = pdpc_new();
	if (c == NULL)
		return EXIT_IO;
	int rc;
	const ynode *top = attrs_top(path, c, &rc);
	if (top != NULL) {
		*out = malloc((top->n / 2 + 1) * sizeof(pdp_str));
		if (*out == NULL)
			exit(EXIT_IO);
		for (size_t i = 0; i + 1 < top->n; i += 2) {
			char *id = strndup(top->items[i]->str, top->items[i]->len);
			if (id == NULL)
				exit(EXIT_IO);
			(*out)[(*n)++] = (pdp_str){id, top->items[i]->len};
		}
	}
	pdpc_free(c);
	return rc;
}

int subject_attrs_load(const char *path, const pdp_image *img, pdp_str subj,
                       subject_attrs *out)
{
	memset(out, 0, sizeof(*out));
	pdpc_compiler *c = pdpc_new();
	if (c == NULL)
		return EXIT_IO;
	out->doc = c;
	int rc;
	const ynode *top = attrs_top(path, c, &rc);
	if (top == NULL)
		return rc;
	for (size_t i = 0; i + 1 < top->n; i += 2) {
		const ynode *key = top->items[i];
		if (key->len != subj.len || memcmp(key->str, subj.ptr, subj.len) != 0)
			continue;
		parsed_request pr;
		if (!request_attrs_from_node(c, top->items[i + 1], img, &pr))
			return attrs_problem(path, pr.pos, pr.error);
		if (pr.notes != NULL)
			fprintf(stderr, "pdp audit: %s: %.*s: %s\n", path,
			        (int)subj.len, subj.ptr, pr.notes);
		out->found = true;
		out->attrs = pr.req.attrs;
		out->n_attrs = pr.req.n_attrs;
		break;
	}
	return EXIT_OK;
}

void subject_attrs_free(subject_attrs *a)
{
	pdpc_free(a->doc);
	a->doc = NULL;
}
