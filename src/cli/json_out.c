/*
 * json_out.c - the CLI's JSON writer (json_out.h).
 */
#include <inttypes.h>
#include <string.h>

#include "cli/json_out.h"
#include "common/prims.h"

json_out json_on(FILE *f)
{
	json_out j = {f, 0, 0, false};
	return j;
}

void json_write_string(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len;) {
		unsigned char ch = (unsigned char)s[i];
		if (ch >= 0x80) {
			size_t k = utf8_char_len(s + i, len - i);
			if (k == 0) {
				fputs("\\ufffd", f); /* not UTF-8: one byte replaced */
				i++;
			} else {
				fwrite(s + i, 1, k, f);
				i += k;
			}
			continue;
		}
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch == '\t')
			fputs("\\t", f);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
		i++;
	}
	fputc('"', f);
}

/* Before a value: the comma that separates it from the previous item of
 * its array or object, unless it is a key's value. */
static void sep(json_out *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	uint32_t bit = 1u << j->depth;
	if (j->more & bit)
		fputc(',', j->f);
	j->more |= bit;
}

static void open_level(json_out *j, char c)
{
	sep(j);
	fputc(c, j->f);
	j->depth++;
	j->more &= ~(1u << j->depth);
}

static void close_level(json_out *j, char c)
{
	fputc(c, j->f);
	j->depth--;
}

void json_begin(json_out *j)
{
	open_level(j, '{');
}

void json_end(json_out *j)
{
	close_level(j, '}');
}

void json_begin_array(json_out *j)
{
	open_level(j, '[');
}

void json_end_array(json_out *j)
{
	close_level(j, ']');
}

void json_key(json_out *j, const char *key)
{
	sep(j);
	json_write_string(j->f, key, strlen(key));
	fputc(':', j->f);
	j->after_key = true;
}

void json_strn(json_out *j, const char *s, size_t len)
{
	sep(j);
	if (s == NULL)
		fputs("null", j->f);
	else
		json_write_string(j->f, s, len);
}

void json_str(json_out *j, const char *s)
{
	json_strn(j, s, s != NULL ? strlen(s) : 0);
}

void json_uint(json_out *j, uint64_t v)
{
	sep(j);
	fprintf(j->f, "%" PRIu64, v);
}

void json_int(json_out *j, int64_t v)
{
	sep(j);
	fprintf(j->f, "%" PRId64, v);
}

/* A finite double to 15 significant digits (coordinates, not sums);
 * JSON has no NaN or infinity: those are null. */
void json_double(json_out *j, double v)
{
	sep(j);
	if (v != v || v > 1.7976931348623157e308 || v < -1.7976931348623157e308)
		fputs("null", j->f);
	else
		fprintf(j->f, "%.15g", v);
}

void json_bool(json_out *j, bool b)
{
	sep(j);
	fputs(b ? "true" : "false", j->f);
}

void json_null(json_out *j)
{
	sep(j);
	fputs("null", j->f);
}

void json_key_str(json_out *j, const char *key, const char *s)
{
	json_key(j, key);
	json_str(j, s);
}

void json_key_strn(json_out *j, const char *key, const char *s, size_t len)
{
	json_key(j, key);
	json_strn(j, s, len);
}

void json_key_uint(json_out *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_uint(j, v);
}

void json_key_bool(json_out *j, const char *key, bool b)
{
	json_key(j, key);
	json_bool(j, b);
}
