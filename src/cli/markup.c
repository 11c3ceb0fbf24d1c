/*
 * markup.c - text escaped for XML and HTML (JUnit reports, the HTML report).
 */
#include "cli/cli.h"

void xml_text(FILE *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		switch (ch) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default:
			/* XML 1.0 has no place for other control characters */
			if (ch < 0x20 && ch != '\n' && ch != '\t')
				fputc('?', out);
			else
				fputc(ch, out);
		}
	}
}
