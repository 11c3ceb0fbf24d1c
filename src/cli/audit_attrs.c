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

int subject_attrs_load(const char *path, const pdp_image *img, pdp_str subj,
                       subject_attrs *out)
{
	memset(out, 0, sizeof(*out));
	pdpc_compiler *c = pdpc_new();
	if (c == NULL)
		return EXIT_IO;
	out->doc = c;
	if (pdpc_add_file(c, path) != PDPC_OK) {
		print_diags(stderr, c, DIAG_TEXT, false);
		return EXIT_IO;
	}
	ynode_vec docs = {0};
	if (!yaml_load_docs(c, 0, &docs) || docs.n != 1) {
		if (cc_error_count(c) > 0) {
			print_diags(stderr, c, DIAG_TEXT, false);
			return EXIT_USAGE;
		}
		return attrs_problem(path, (srcpos){0, 1, 1},
		                     "an attributes file is one YAML/JSON document");
	}
	const ynode *top = docs.items[0];
	if (top->kind != YN_MAP)
		return attrs_problem(path, top->pos,
		                     "an attributes file maps each subject id to "
		                     "its attributes ({CAE-bob: "
		                     "{originator.clearance: 3}})");
	for (size_t i = 0; i + 1 < top->n; i += 2) {
		const ynode *key = top->items[i];
		if (key->kind != YN_SCALAR)
			return attrs_problem(path, key->pos,
			                     "subject ids are strings");
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
