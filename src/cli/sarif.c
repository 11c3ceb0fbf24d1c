/*
 * sarif.c - compiler diagnostics as one SARIF 2.1.0 log, the format code
 * scanning services (GitHub, GitLab, Azure DevOps) read.
 *
 * Rules come from the table of diagnostic codes (pdpc_code_find): a rule's
 * description is the code's generic meaning, never one finding's message.
 * Locations are URI references: a file under the working directory is
 * relative to the base id %SRCROOT% (declared in originalUriBaseIds as the
 * working directory's file:// URI), any other is an absolute file:// URI.
 * Every byte outside RFC 3986's unreserved set and '/' is percent-encoded,
 * so names with spaces, non-ASCII or invalid UTF-8 still give valid URIs.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/json_out.h"

static const char *level(pdpc_severity s)
{
	return s == PDPC_ERROR ? "error" : s == PDPC_WARNING ? "warning" : "note";
}

static bool unreserved(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' ||
	       ch == '~' || ch == '/';
}

/* prefix, then s percent-encoded; malloc'd. */
static char *encode(const char *prefix, const char *s)
{
	size_t np = strlen(prefix), ns = strlen(s);
	char *out = malloc(np + 3 * ns + 1);
	if (out == NULL)
		return NULL;
	memcpy(out, prefix, np);
	char *w = out + np;
	static const char HEX[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (unreserved(*p)) {
			*w++ = (char)*p;
		} else {
			*w++ = '%';
			*w++ = HEX[*p >> 4];
			*w++ = HEX[*p & 15];
		}
	}
	*w = '\0';
	return out;
}

char *path_uri(const char *path)
{
	return encode(path[0] == '/' ? "file://" : "", path);
}

/* The working directory, with a trailing '/', or NULL. */
static char *working_dir(void)
{
	char buf[PATH_MAX];
	if (getcwd(buf, sizeof(buf) - 1) == NULL)
		return NULL;
	size_t n = strlen(buf);
	if (n == 0 || buf[n - 1] != '/') {
		buf[n] = '/';
		buf[n + 1] = '\0';
	}
	char *s = malloc(strlen(buf) + 1);
	if (s != NULL)
		strcpy(s, buf);
	return s;
}

static void write_rule(json_out *j, const char *code, pdpc_severity sev)
{
	const pdpc_code_info *info = pdpc_code_find(code);
	json_begin(j);
	json_key_str(j, "id", code);
	json_key(j, "shortDescription");
	json_begin(j);
	json_key_str(j, "text", info ? info->meaning : code);
	json_end(j);
	char help[200];
	snprintf(help, sizeof(help), "docs/diagnostics.md#%s: what %s means and "
	         "how to fix it.", info ? info->anchor : "", code);
	json_key(j, "help");
	json_begin(j);
	json_key_str(j, "text", help);
	json_end(j);
	json_key(j, "defaultConfiguration");
	json_begin(j);
	json_key_str(j, "level", level(info ? info->severity : sev));
	json_end(j);
	json_end(j);
}

/* SARIF's rules: one per distinct code of this log, in first-seen order;
 * returns how many, their codes in seen[]. */
static size_t write_rules(json_out *j, const pdpc_compiler *c,
                          const char **seen, size_t cap)
{
	size_t nseen = 0;
	for (size_t i = 0; i < pdpc_diag_count(c); i++) {
		const pdpc_diag *d = pdpc_diag_get(c, i);
		bool dup = false;
		for (size_t k = 0; k < nseen && !dup; k++)
			dup = strcmp(seen[k], d->code) == 0;
		if (dup || nseen == cap)
			continue;
		seen[nseen++] = d->code;
		write_rule(j, d->code, d->severity);
	}
	return nseen;
}

/* The location of d: relative to %SRCROOT% when d->file is under cwd. */
static void write_location(json_out *j, const pdpc_diag *d, const char *cwd)
{
	size_t ncwd = cwd ? strlen(cwd) : 0;
	const char *rel = d->file;
	bool under = d->file[0] != '/' ||
	             (ncwd > 0 && strncmp(d->file, cwd, ncwd) == 0);
	if (d->file[0] == '/' && under)
		rel = d->file + ncwd;
	while (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	char *uri = under ? encode("", rel) : path_uri(d->file);
	json_key(j, "locations");
	json_begin_array(j);
	json_begin(j);
	json_key(j, "physicalLocation");
	json_begin(j);
	json_key(j, "artifactLocation");
	json_begin(j);
	json_key_str(j, "uri", uri ? uri : "");
	if (under)
		json_key_str(j, "uriBaseId", "%SRCROOT%");
	json_end(j);
	free(uri);
	if (d->line > 0) {
		json_key(j, "region");
		json_begin(j);
		json_key_uint(j, "startLine", d->line);
		if (d->col > 0)
			json_key_uint(j, "startColumn", d->col);
		json_end(j);
	}
	json_end(j);
	json_end(j);
	json_end_array(j);
}

void print_diags_sarif(FILE *out, const pdpc_compiler *c)
{
	char *cwd = working_dir();
	json_out j = json_on(out);
	json_begin(&j);
	json_key_str(&j, "$schema",
	             "https://json.schemastore.org/sarif-2.1.0.json");
	json_key_str(&j, "version", "2.1.0");
	json_key(&j, "runs");
	json_begin_array(&j);
	json_begin(&j);
	json_key(&j, "tool");
	json_begin(&j);
	json_key(&j, "driver");
	json_begin(&j);
	json_key_str(&j, "name", "pdp");
	json_key_str(&j, "version", pdp_version());
	json_key(&j, "rules");
	json_begin_array(&j);
	const char *seen[256];
	write_rules(&j, c, seen, sizeof(seen) / sizeof(seen[0]));
	json_end_array(&j);
	json_end(&j);
	json_end(&j);
	if (cwd != NULL) {
		char *base = path_uri(cwd);
		json_key(&j, "originalUriBaseIds");
		json_begin(&j);
		json_key(&j, "%SRCROOT%");
		json_begin(&j);
		json_key_str(&j, "uri", base ? base : "file:///");
		json_end(&j);
		json_end(&j);
		free(base);
	}
	json_key(&j, "results");
	json_begin_array(&j);
	for (size_t i = 0; i < pdpc_diag_count(c); i++) {
		const pdpc_diag *d = pdpc_diag_get(c, i);
		json_begin(&j);
		json_key_str(&j, "ruleId", d->code);
		json_key_str(&j, "level", level(d->severity));
		json_key(&j, "message");
		json_begin(&j);
		json_key_str(&j, "text", d->message ? d->message : "");
		json_end(&j);
		if (d->file && d->file[0])
			write_location(&j, d, cwd);
		json_end(&j);
	}
	json_end_array(&j);
	json_end(&j);
	json_end_array(&j);
	json_end(&j);
	fputc('\n', out);
	free(cwd);
}
