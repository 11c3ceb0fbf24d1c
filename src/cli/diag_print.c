/*
 * diag_print.c - compiler diagnostics as GCC-style text with the source line
 * and a caret, or as JSON lines; SARIF is sarif.c's.
 */
#include <string.h>

#include "cli/cli.h"
#include "cli/json_out.h"

static const char *sev_name(pdpc_severity s)
{
	return s == PDPC_ERROR ? "error" : s == PDPC_WARNING ? "warning" : "note";
}

/* A text that may be NULL, written as "" (the schema has strings only). */
static const char *text(const char *s)
{
	return s != NULL ? s : "";
}

static void print_text(FILE *out, const pdpc_compiler *c, const pdpc_diag *d)
{
	if (d->line > 0)
		fprintf(out, "%s:%u:%u: %s: %s [%s]\n", d->file, d->line, d->col,
		        sev_name(d->severity), d->message, d->code);
	else if (d->file && d->file[0])
		fprintf(out, "%s: %s: %s [%s]\n", d->file, sev_name(d->severity),
		        d->message, d->code);
	else
		fprintf(out, "pdp: %s: %s [%s]\n", sev_name(d->severity),
		        d->message, d->code);
	size_t len = 0;
	const char *line = pdpc_source_line(c, d->file, d->line, &len);
	if (line != NULL && len < 400) {
		fprintf(out, "  %.*s\n  ", (int)len, line);
		for (uint32_t i = 1; i < d->col && i <= len; i++)
			fputc(line[i - 1] == '\t' ? '\t' : ' ', out);
		fputs("^\n", out);
	}
	if (d->hint)
		fprintf(out, "  hint: %s\n", d->hint);
}

/* One diagnostic as one JSON line (schemas/diagnostics.schema.json). */
static void print_json(FILE *out, const pdpc_diag *d)
{
	json_out j = json_on(out);
	json_begin(&j);
	json_key_str(&j, "file", text(d->file));
	json_key_uint(&j, "line", d->line);
	json_key_uint(&j, "column", d->col);
	json_key_str(&j, "severity", sev_name(d->severity));
	json_key_str(&j, "code", text(d->code));
	json_key_str(&j, "message", text(d->message));
	if (d->hint)
		json_key_str(&j, "hint", d->hint);
	json_end(&j);
	fputc('\n', out);
}

void print_diags(FILE *out, const pdpc_compiler *c, diag_format fmt,
                 bool color)
{
	(void)color;
	if (fmt == DIAG_SARIF) {
		print_diags_sarif(out, c);
		return;
	}
	for (size_t i = 0; i < pdpc_diag_count(c); i++) {
		const pdpc_diag *d = pdpc_diag_get(c, i);
		if (fmt == DIAG_JSON)
			print_json(out, d);
		else
			print_text(out, c, d);
	}
}
