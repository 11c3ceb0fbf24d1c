/*
 * diag_print.c - compiler diagnostics as GCC-style text with the source line
 * and a caret, as JSON lines, or as SARIF 2.1.0.
 */
#include <string.h>

#include "cli/cli.h"

static const char *sev_name(pdpc_severity s)
{
	return s == PDPC_ERROR ? "error" : s == PDPC_WARNING ? "warning" : "note";
}

void json_string(FILE *out, const char *s, size_t len)
{
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", out);
		else if (ch == '\t')
			fputs("\\t", out);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static void jstr(FILE *out, const char *s)
{
	json_string(out, s ? s : "", s ? strlen(s) : 0);
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

static void print_json(FILE *out, const pdpc_diag *d)
{
	fputs("{\"file\":", out);
	jstr(out, d->file);
	fprintf(out, ",\"line\":%u,\"column\":%u,\"severity\":\"%s\",\"code\":",
	        d->line, d->col, sev_name(d->severity));
	jstr(out, d->code);
	fputs(",\"message\":", out);
	jstr(out, d->message);
	if (d->hint) {
		fputs(",\"hint\":", out);
		jstr(out, d->hint);
	}
	fputs("}\n", out);
}

static void print_sarif(FILE *out, const pdpc_compiler *c)
{
	size_t n = pdpc_diag_count(c);
	fputs("{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\","
	      "\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{"
	      "\"name\":\"pdp\",\"version\":",
	      out);
	json_string(out, pdp_version(), strlen(pdp_version()));
	fputs(",\"rules\":[", out);
	/* one rule per distinct code, in first-seen order */
	const char *seen[256];
	size_t nseen = 0;
	for (size_t i = 0; i < n; i++) {
		const pdpc_diag *d = pdpc_diag_get(c, i);
		bool dup = false;
		for (size_t j = 0; j < nseen; j++)
			dup |= strcmp(seen[j], d->code) == 0;
		if (dup || nseen == 256)
			continue;
		seen[nseen] = d->code;
		fprintf(out, "%s{\"id\":", nseen ? "," : "");
		jstr(out, d->code);
		fputs(",\"name\":", out);
		jstr(out, d->code);
		fputs(",\"shortDescription\":{\"text\":", out);
		jstr(out, d->message);
		fputs("},\"help\":{\"text\":", out);
		char help[160];
		snprintf(help, sizeof(help),
		         "See %s in docs/diagnostics.md for the meaning and the fix.",
		         d->code);
		jstr(out, help);
		fprintf(out, "},\"defaultConfiguration\":{\"level\":\"%s\"}}",
		        sev_name(d->severity));
		nseen++;
	}
	fputs("]}},\"results\":[", out);
	for (size_t i = 0; i < n; i++) {
		const pdpc_diag *d = pdpc_diag_get(c, i);
		fprintf(out, "%s{\"ruleId\":", i ? "," : "");
		jstr(out, d->code);
		fprintf(out, ",\"level\":\"%s\",\"message\":{\"text\":",
		        sev_name(d->severity));
		jstr(out, d->message);
		fputs("}", out);
		if (d->file && d->file[0]) {
			fputs(",\"locations\":[{\"physicalLocation\":{"
			      "\"artifactLocation\":{\"uri\":",
			      out);
			jstr(out, d->file);
			fputs("}", out);
			if (d->line > 0)
				fprintf(out, ",\"region\":{\"startLine\":%u,"
				             "\"startColumn\":%u}",
				        d->line, d->col);
			fputs("}}]", out);
		}
		fputs("}", out);
	}
	fputs("]}]}\n", out);
}

void print_diags(FILE *out, const pdpc_compiler *c, diag_format fmt,
                 bool color)
{
	(void)color;
	if (fmt == DIAG_SARIF) {
		print_sarif(out, c);
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
