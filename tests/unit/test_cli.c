/*
 * test_cli.c - pieces of the pdp tool that the transcripts cannot reach
 * one by one: the one JSON writer (src/cli/json_out.c), which must write
 * valid JSON whatever bytes it is given, and the one whole-file reader
 * (src/common/file_read.c) behind policies, images and the store's files.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/json_out.h"
#include "common/file_read.h"

/* What the writer printed, NUL-terminated (malloc'd). */
typedef struct capture {
	char *text;
	size_t len;
	FILE *f;
} capture;

static void cap_open(capture *c)
{
	c->text = NULL;
	c->len = 0;
	c->f = open_memstream(&c->text, &c->len);
	cr_assert_not_null(c->f);
}

static const char *cap_close(capture *c)
{
	fclose(c->f);
	return c->text;
}

static void assert_string(const char *in, size_t len, const char *want)
{
	capture c;
	cap_open(&c);
	json_write_string(c.f, in, len);
	cr_assert_str_eq(cap_close(&c), want);
	free(c.text);
}

Test(json_out, escapes_quotes_backslashes_and_controls)
{
	assert_string("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
	assert_string("l1\nl2\tx", 7, "\"l1\\nl2\\tx\"");
	assert_string("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"");
	assert_string("a\0b", 3, "\"a\\u0000b\"");
}

Test(json_out, copies_utf8_and_replaces_every_invalid_byte)
{
	/* é (2 bytes), € (3), 😀 (4): copied as they are */
	assert_string("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9,
	              "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	/* a lone continuation byte, an overlong form, a surrogate, a cut
	 * sequence at the end: one U+FFFD per byte that is not UTF-8 */
	assert_string("\x80", 1, "\"\\ufffd\"");
	assert_string("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");
	assert_string("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"");
	assert_string("ok\xe2\x82", 4, "\"ok\\ufffd\\ufffd\"");
	assert_string("\xff" "a", 2, "\"\\ufffda\"");
}

Test(json_out, places_commas_between_items_only)
{
	capture c;
	cap_open(&c);
	json_out j = json_on(c.f);
	json_begin(&j);
	json_key_str(&j, "a", "x");
	json_key(&j, "list");
	json_begin_array(&j);
	json_uint(&j, 1);
	json_begin(&j);
	json_end(&j);
	json_begin_array(&j);
	json_end_array(&j);
	json_null(&j);
	json_end_array(&j);
	json_key_bool(&j, "b", false);
	json_key_strn(&j, "n", NULL, 0);
	json_key(&j, "o");
	json_begin(&j);
	json_key_uint(&j, "k", 18446744073709551615ull);
	json_end(&j);
	json_end(&j);
	cr_assert_str_eq(cap_close(&c),
	                 "{\"a\":\"x\",\"list\":[1,{},[],null],\"b\":false,"
	                 "\"n\":null,\"o\":{\"k\":18446744073709551615}}");
	free(c.text);
}

/* A temporary file holding n bytes of text (repeated). */
static char *temp_file(const char *text, size_t n)
{
	char *path = strdup("/tmp/pdp-test-cli-XXXXXX");
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	size_t tl = strlen(text);
	for (size_t i = 0; i < n; i += tl)
		cr_assert_eq(write(fd, text, n - i < tl ? n - i : tl),
		             (ssize_t)(n - i < tl ? n - i : tl));
	close(fd);
	return path;
}

Test(file_read, reads_the_whole_file_with_a_nul_after_it)
{
	char *path = temp_file("0123456789", 200000); /* several chunks */
	uint8_t *buf;
	size_t len;
	int eno;
	cr_assert_eq(file_read_all(path, 200000, NULL, &buf, &len, &eno),
	             FILE_READ_OK);
	cr_assert_eq(len, 200000);
	cr_assert_eq(buf[199999], '9');
	cr_assert_eq(buf[len], 0);
	free(buf);
	/* one byte over the limit is too large, and nothing is returned */
	cr_assert_eq(file_read_all(path, 199999, NULL, &buf, &len, &eno),
	             FILE_READ_TOO_LARGE);
	cr_assert_null(buf);
	cr_assert_eq(len, 0);
	unlink(path);
	free(path);
}

Test(file_read, says_why_a_file_cannot_be_read)
{
	uint8_t *buf;
	size_t len;
	int eno;
	cr_assert_eq(file_read_all("/nonexistent/pdp-test", 10, NULL, &buf, &len,
	                           &eno),
	             FILE_READ_OPEN);
	cr_assert_null(buf);
	cr_assert_eq(eno, ENOENT);
	/* a directory opens but does not read */
	cr_assert_eq(file_read_all("/tmp", 10, NULL, &buf, &len, &eno),
	             FILE_READ_IO);
	cr_assert_eq(eno, EISDIR);
	/* an empty file is an empty text */
	char *path = temp_file("", 0);
	cr_assert_eq(file_read_all(path, 10, NULL, &buf, &len, &eno),
	             FILE_READ_OK);
	cr_assert_eq(len, 0);
	cr_assert_eq(buf[0], 0);
	free(buf);
	unlink(path);
	free(path);
}

static bool starts_with_a(const uint8_t *buf, size_t len)
{
	return len == 0 || buf[0] == 'a';
}

Test(file_read, stops_early_when_told_to)
{
	/* /dev/zero never ends: the early stop is what ends the read */
	uint8_t *buf;
	size_t len;
	int eno;
	cr_assert_eq(file_read_all("/dev/zero", 1u << 30, starts_with_a, &buf,
	                           &len, &eno),
	             FILE_READ_OK);
	cr_assert_gt(len, 0);
	cr_assert_leq(len, 65536);
	free(buf);
	/* and without it, a device is read up to the limit */
	cr_assert_eq(file_read_all("/dev/zero", 100000, NULL, &buf, &len, &eno),
	             FILE_READ_TOO_LARGE);
}
