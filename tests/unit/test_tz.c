/*
 * test_tz.c - times as people read them (core/tz.h) and the note's signed
 * utc-offset (docs/formats.md §3): the zone check refuses what is not a
 * zone file, the shown time is Beijing time by default, offsets parse
 * only in their one spelling, and a note with a bad, misplaced or
 * repeated utc-offset is refused while a note without one decodes as
 * before.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cert/cert.h"
#include "core/tz.h"
#include "core/util.h"
#include "t.h"

#define HEAD \
	"hourseal/cert/v1\n" \
	"serial: 2026-7K3M-9Q2D-XW8P-4HJN\n" \
	"kind: course\n" \
	"issuer: 厦门市人力资源和社会保障局\n" \
	"year: 2026\n" \
	"name: 张三\n" \
	"id: 3501**********123X\n" \
	"id-digest: LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE=\n" \
	"public: 12\n" \
	"professional: 0\n" \
	"total: 12\n" \
	"record: public | online | 2026-03-01 | 2026-03-03 | 12 | 新时代政绩观 | 福建省继续教育基地\n" \
	"issued: 2026-12-05T16:30:00Z\n"

static void
test_zone_check(void)
{
	static const char *bad[] = {
		"", "../../etc/passwd", "Asia/../../etc/shadow", "/etc/passwd",
		"Asia//Shanghai", "Asia/", "-x", "Asia/Shang hai", "Asia/Shanghai\n",
		"Mars/Olympus_Mons", "Asia/上海", "Asia",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	};
	char err[HS_ERRLEN];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		T_OK(hs_tz_check(bad[i], err) == HS_ERR_INVALID && err[0],
		    "bad zone %zu refused", i + 1);
	}
	T_OK(hs_tz_check("Asia/Shanghai", err) == HS_OK, "Asia/Shanghai known");
	T_OK(hs_tz_check("America/New_York", err) == HS_OK,
	    "America/New_York known");
	T_OK(hs_tz_set("Mars/Olympus_Mons", err) != HS_OK,
	    "an unknown zone is not set");
}

static void
test_show(void)
{
	char out[HS_TIME_SHOW_MAX], d[11], err[HS_ERRLEN];
	time_t t;

	/* Default: Beijing time, without anyone setting it. */
	T_STREQ(hs_tz_name(), "Asia/Shanghai", "the default zone");
	T_OK(time_parse_rfc3339("2026-12-05T16:30:50Z", &t) == 0, "parse");
	hs_time_show(t, false, out);
	T_STREQ(out, "2026-12-06 00:30 (北京时间)", "shown in Beijing time");
	hs_time_show(t, true, out);
	T_STREQ(out, "2026-12-06 00:30 (Beijing time)", "and in English");
	hs_date_show(t, d);
	T_STREQ(d, "2026-12-06", "the Beijing date");
	T_OK(hs_tz_offset(t) == 8 * 3600, "offset +8 hours");
	T_OK(hs_year_show(1798734600) == 2027, "00:30 on 1 January 2027 Beijing "
	    "time is 2027 (it is still 2026 in UTC)");
	hs_time_show_str("not a time <b>", false, out);
	T_STREQ(out, "not a time <b>", "a string that is no time stays");
	hs_time_show_str(NULL, false, out);
	T_STREQ(out, "", "NULL shows nothing");

	T_OK(hs_tz_set("America/New_York", err) == HS_OK, "set New York");
	hs_time_show(t, false, out);
	T_STREQ(out, "2026-12-05 11:30 (America/New_York)",
	    "another zone names itself");
	T_OK(hs_tz_offset(t) == -5 * 3600, "EST is -5 hours");
	T_OK(time_parse_rfc3339("2026-07-01T12:00:00Z", &t) == 0 &&
	    hs_tz_offset(t) == -4 * 3600, "EDT in July is -4 hours");
	T_OK(hs_tz_set("Asia/Shanghai", err) == HS_OK, "back to Beijing");
}

static void
test_offsets(void)
{
	static const char *bad[] = {
		"+8:00", "+08:0", "+0800", "08:00", "+08:07", "+14:30", "+15:00",
		"-00:00", "+08:60", "+0a:00", "+08:00 ", "\xef\xbc\x8b" "08:00",
	};
	char out[7];
	long s;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_OK(hs_offset_parse(bad[i], strlen(bad[i]), &s) != 0,
		    "offset \"%s\" refused", bad[i]);
	T_OK(hs_offset_parse("+08:00", 6, &s) == 0 && s == 28800, "+08:00");
	T_OK(hs_offset_parse("-03:30", 6, &s) == 0 && s == -12600, "-03:30");
	T_OK(hs_offset_parse("+05:45", 6, &s) == 0 && s == 20700, "+05:45");
	T_OK(hs_offset_parse("+14:00", 6, &s) == 0 && s == 50400, "+14:00");
	T_OK(hs_offset_parse("+00:00", 6, &s) == 0 && s == 0, "+00:00");
	hs_offset_format(28800, out);
	T_STREQ(out, "+08:00", "format +8 hours");
	hs_offset_format(-12600, out);
	T_STREQ(out, "-03:30", "format -3.5 hours");
	hs_offset_format(0, out);
	T_STREQ(out, "+00:00", "format UTC");
}

static void
test_note(void)
{
	static const struct {
		const char *tail, *why;
	} bad[] = {
		{ "utc-offset: +8:00\n", "utc-offset" },
		{ "utc-offset: -00:00\n", "utc-offset" },
		{ "utc-offset: +08:00 \n", "utc-offset" },
		{ "utc-offset: \n", "utc-offset" },
		{ "utc-offset: +08:00\nutc-offset: +08:00\n", "verify" },
		{ "verify: https://v.example.cn\nutc-offset: +08:00\n",
		    "nothing may follow" },
		{ "utc-offset: +08:00\nverify: https://v.example.cn\nx: y\n",
		    "nothing may follow" },
		{ "tz: Asia/Shanghai\n", "may follow" },
	};
	struct cert c;
	struct buf b;
	char err[HS_ERRLEN], text[4096];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", HEAD, bad[i].tail);
		err[0] = '\0';
		T_OK(cert_decode(text, strlen(text), &c, err) == HS_ERR_FORMAT &&
		    strstr(err, bad[i].why) != NULL, "bad note tail %zu refused "
		    "naming \"%s\"", i + 1, bad[i].why);
	}
	/* Without it: decodes as before and re-encodes byte for byte. */
	buf_init(&b);
	T_OK(cert_decode(HEAD, strlen(HEAD), &c, err) == HS_OK &&
	    !c.has_utc_offset, "a note without utc-offset decodes (%s)", err);
	T_OK(cert_encode(&c, &b, err) == HS_OK && b.len == strlen(HEAD) &&
	    memcmp(b.data, HEAD, b.len) == 0, "and encodes to the same bytes");
	cert_free(&c);
	buf_reset(&b);
	/* With it, and with verify after it: round trip. */
	snprintf(text, sizeof(text), "%sutc-offset: +08:00\nverify: "
	    "https://verify.example.cn\n", HEAD);
	T_OK(cert_decode(text, strlen(text), &c, err) == HS_OK &&
	    c.has_utc_offset && c.utc_offset == 28800 &&
	    strcmp(c.verify_url, "https://verify.example.cn") == 0,
	    "utc-offset +08:00 then verify decode (%s)", err);
	T_OK(cert_encode(&c, &b, err) == HS_OK && b.len == strlen(text) &&
	    memcmp(b.data, text, b.len) == 0, "and encode to the same bytes");
	/* The encoder refuses an offset no note may carry. */
	c.utc_offset = 8 * 3600 + 7 * 60;
	buf_reset(&b);
	T_OK(cert_encode(&c, &b, err) == HS_ERR_INVALID &&
	    strstr(err, "utc-offset") != NULL, "encode refuses +08:07 (%s)", err);
	c.utc_offset = -15 * 3600;
	T_OK(cert_encode(&c, &b, err) == HS_ERR_INVALID, "and -15 hours");
	cert_free(&c);
	buf_free(&b);
}

int
main(void)
{
	test_show();
	test_zone_check();
	test_offsets();
	test_note();
	return t_done();
}
