/* Unit tests for util.c and serial.c. */
#include <stdlib.h>
#include <string.h>

#include "cert/serial.h"
#include "core/util.h"
#include "t.h"

static void
test_base64(void)
{
	static const struct {
		const char *in, *want;
	} rows[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	char out[64];
	uint8_t dec[64];
	long n;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		b64_encode((const uint8_t *)rows[i].in, strlen(rows[i].in),
		    out, sizeof(out));
		T_STREQ(out, rows[i].want, "base64 encode \"%s\"", rows[i].in);
		n = b64_decode(rows[i].want, strlen(rows[i].want), dec,
		    sizeof(dec));
		T_OK(n == (long)strlen(rows[i].in) &&
		    memcmp(dec, rows[i].in, (size_t)n) == 0,
		    "base64 decode \"%s\"", rows[i].want);
	}
	T_OK(b64_decode("Zg=", 3, dec, sizeof(dec)) < 0, "base64 bad length");
	T_OK(b64_decode("Zh==", 4, dec, sizeof(dec)) < 0,
	    "base64 non-canonical padding bits");
	T_OK(b64_decode("Z!==", 4, dec, sizeof(dec)) < 0, "base64 bad char");
	T_OK(b64_decode("Zm9vYmFy", 8, dec, 5) < 0, "base64 output bound");
}

static void
test_dates_hours(void)
{
	static const struct {
		const char *in;
		int ok;
	} dates[] = {
		{ "2024-02-29", 1 }, { "2023-02-29", 0 }, { "2025-02-28", 1 },
		{ "2000-02-29", 1 }, { "1900-02-29", 0 }, { "2024-13-01", 0 },
		{ "2024-04-31", 0 }, { "2024-4-01", 0 }, { "2024-04-01x", 0 },
		{ "2024-00-10", 0 }, { "2024-12-31", 1 },
	};
	static const struct {
		const char *in;
		long want; /* -1: rejected */
	} hours[] = {
		{ "12", 120 }, { "12.5", 125 }, { "0.1", 1 }, { "0", -1 },
		{ "0.0", -1 }, { "1.25", -1 }, { "-3", -1 }, { "", -1 },
		{ "3.", -1 }, { ".5", -1 }, { "60", 600 }, { "1e3", -1 },
	};
	char out[HOURS_SIZE], d[11];
	long days, t;
	size_t i;

	for (i = 0; i < sizeof(dates) / sizeof(dates[0]); i++)
		T_OK((date_parse(dates[i].in, &days) == 0) == dates[i].ok,
		    "date \"%s\" %s", dates[i].in,
		    dates[i].ok ? "valid" : "rejected");
	date_parse("2025-02-28", &days);
	date_format(days + 1, d);
	T_STREQ(d, "2025-03-01", "date arithmetic round trip");
	for (i = 0; i < sizeof(hours) / sizeof(hours[0]); i++) {
		int r = hours_parse(hours[i].in, &t);

		T_OK(hours[i].want < 0 ? r != 0 : (r == 0 && t == hours[i].want),
		    "hours \"%s\"", hours[i].in);
	}
	hours_format(940, out);
	T_STREQ(out, "94", "hours 94 has no .0");
	hours_format(125, out);
	T_STREQ(out, "12.5", "hours 12.5");
}

static void
test_utf8(void)
{
	T_OK(utf8_valid("张三", strlen("张三")), "utf8 valid Chinese");
	T_OK(utf8_valid("\xF0\xA0\x87\x94", 4), "utf8 valid U+201D4");
	T_OK(!utf8_valid("\xC0\xAF", 2), "utf8 overlong rejected");
	T_OK(!utf8_valid("\xED\xA0\x80", 3), "utf8 surrogate rejected");
	T_OK(!utf8_valid("\xD5\xC5", 2), "utf8 GBK bytes rejected");
	T_OK(has_control("a\tb"), "control character found");
	T_OK(!has_control("张 三"), "no control character");
	T_OK(utf8_count("张三a") == 3, "utf8 count");
}

static void
test_serial(void)
{
	static const struct {
		const char *in, *want; /* want NULL: rejected */
	} rows[] = {
		{ "2024-7K3M-9Q2D-XW8P-4HJN", "2024-7K3M-9Q2D-XW8P-4HJN" },
		{ "20247k3m9q2dxw8p4hjn", "2024-7K3M-9Q2D-XW8P-4HJN" },
		{ "2024-7K3M-9Q2D-XW8P-4HJo", "2024-7K3M-9Q2D-XW8P-4HJ0" },
		{ "2024-iK3M-9Q2D-XW8P-4HJL", "2024-1K3M-9Q2D-XW8P-4HJ1" },
		{ "2024 7K3M 9Q2D XW8P 4HJN", "2024-7K3M-9Q2D-XW8P-4HJN" },
		{ "2024-7K3M-9Q2D-XW8P-4HJ", NULL },
		{ "2024-7K3M-9Q2D-XW8P-4HJNN", NULL },
		{ "2024-7K3M-9Q2D-XW8P-4HJU", NULL },
		{ "20x4-7K3M-9Q2D-XW8P-4HJN", NULL },
		{ "2024-7K3M-9Q2D-XW8P-4HJ'", NULL },
		{ "", NULL },
	};
	char out[SERIAL_SIZE], again[SERIAL_SIZE];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum hs_err rc = serial_parse(rows[i].in, out, NULL);

		if (rows[i].want == NULL)
			T_OK(rc != HS_OK, "serial \"%s\" rejected", rows[i].in);
		else
			T_OK(rc == HS_OK && strcmp(out, rows[i].want) == 0,
			    "serial \"%s\"", rows[i].in);
	}
	T_OK(serial_new(2024, out) == HS_OK && strlen(out) == SERIAL_LEN &&
	    serial_parse(out, again, NULL) == HS_OK &&
	    strcmp(out, again) == 0, "new serial %s parses to itself", out);
	serial_new(2024, again);
	T_OK(strcmp(out, again) != 0, "two new serials differ");
	T_OK(serial_year(out) == 2024, "serial year");
}

static void
test_buf_printf(void)
{
	struct buf b;
	char big[5000];
	size_t i;
	int ok = 1;

	buf_init(&b);
	buf_printf(&b, "%s-%d", "a", 1);
	T_STREQ(b.data, "a-1", "buf_printf into an empty buffer");
	/* Appends that cross the free space many times. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (i = 0; i < 50; i++)
		buf_printf(&b, "[%zu:%s]", i, i % 7 == 0 ? big : "y");
	for (i = 0; i < 50 && ok; i++) {
		char want[32];

		snprintf(want, sizeof(want), "[%zu:", i);
		ok = strstr(b.data, want) != NULL;
	}
	T_OK(ok && b.len == strlen(b.data) && !b.oom, "50 appends, some "
	    "longer than the free space: all there, length right (%zu)",
	    b.len);
	T_OK(b.len == 3 + 50 * 3 + 10 + 80 + 8 * (sizeof(big) - 1) + 42,
	    "exact length %zu", b.len);
	buf_free(&b);
}

static void
test_csv_field(void)
{
	static const struct { const char *in, *plain, *guarded; } t[] = {
		{ "abc", "abc", "abc" },
		{ "", "", "" },
		{ "a,b", "\"a,b\"", "\"a,b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"", "\"say \"\"hi\"\"\"" },
		{ "two\nlines", "\"two\nlines\"", "\"two\nlines\"" },
		{ "=1+2", "=1+2", "\"'=1+2\"" },
		{ "-3", "-3", "\"'-3\"" },
		{ "@SUM(A1)", "@SUM(A1)", "\"'@SUM(A1)\"" },
		{ "+86 591", "+86 591", "\"'+86 591\"" },
		{ "张三", "张三", "张三" },
		{ "a=b", "a=b", "a=b" },
	};
	size_t i;
	struct buf b;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		buf_init(&b);
		buf_csv_field(&b, t[i].in, false);
		buf_putc(&b, 0);
		T_STREQ(b.data, t[i].plain, "csv field %zu as data", i);
		buf_free(&b);
		buf_init(&b);
		buf_csv_field(&b, t[i].in, true);
		buf_putc(&b, 0);
		T_STREQ(b.data, t[i].guarded, "csv field %zu for people", i);
		buf_free(&b);
	}
}

static void
test_format_chars(void)
{
	static const struct {
		const char *in;
		uint32_t cp;
		const char *name;
	} rows[] = {
		{ "张三", 0, NULL },
		{ "Zoë Müller-Lüdenscheidt", 0, NULL },
		{ "张\u3000三", 0, NULL },       /* ideographic space: visible */
		{ "张\u202e三", 0x202E, "RIGHT-TO-LEFT OVERRIDE" },
		{ "\u202a", 0x202A, "LEFT-TO-RIGHT EMBEDDING" },
		{ "a\u2066b\u2069", 0x2066, "LEFT-TO-RIGHT ISOLATE" },
		{ "a\u2069", 0x2069, "POP DIRECTIONAL ISOLATE" },
		{ "a\u200e", 0x200E, "LEFT-TO-RIGHT MARK" },
		{ "a\u200b", 0x200B, "ZERO WIDTH SPACE" },
		{ "a\u200d", 0x200D, "ZERO WIDTH JOINER" },
		{ "a\u2060", 0x2060, "WORD JOINER" },
		{ "a\ufeffb", 0xFEFF, "ZERO WIDTH NO-BREAK SPACE" },
		{ "a\u2028b", 0x2028, "LINE SEPARATOR" },
		{ "a\u2029b", 0x2029, "PARAGRAPH SEPARATOR" },
		{ "a\u00adb", 0x00AD, "SOFT HYPHEN" },
		{ "a\U000E0041", 0xE0041, "TAG CHARACTER" },
		{ "a\u2065b", 0, NULL },          /* unassigned, not listed */
	};
	const char *name;
	uint32_t cp;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		name = utf8_format_char(rows[i].in, &cp);
		T_OK(cp == rows[i].cp && (name == NULL ? rows[i].name == NULL :
		    rows[i].name != NULL && strcmp(name, rows[i].name) == 0),
		    "utf8_format_char row %zu: U+%04X %s", i, (unsigned)cp,
		    name ? name : "none");
	}
}

int
main(void)
{
	test_buf_printf();
	test_csv_field();
	test_base64();
	test_dates_hours();
	test_utf8();
	test_format_chars();
	test_serial();
	return t_done();
}
