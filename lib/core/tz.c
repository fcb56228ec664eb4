/*
 * tz.c - times as people read them (tz.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/tz.h"
#include "core/util.h"

static char zone[HS_TZ_NAME_MAX + 1];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static const char *
zonedir(void)
{
	const char *d = getenv("TZDIR");

	return d != NULL && d[0] == '/' ? d : "/usr/share/zoneinfo";
}

enum hs_err
hs_tz_check(const char *name, char *err)
{
	char path[PATH_MAX], magic[4];
	const char *p, *seg;
	struct stat st;
	size_t n = strnlen(name, HS_TZ_NAME_MAX + 1);
	ssize_t r;
	int fd;

	if (n == 0 || n > HS_TZ_NAME_MAX)
		return hs_fail(err, HS_ERR_INVALID, "time zone: 1-%d characters, "
		    "an IANA name such as Asia/Shanghai", HS_TZ_NAME_MAX);
	for (p = name; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '/' || *p == '_' ||
		    *p == '+' || *p == '-'))
			return hs_fail(err, HS_ERR_INVALID, "time zone \"%.64s\": "
			    "only A-Z a-z 0-9 / _ + - are allowed (an IANA name "
			    "such as Asia/Shanghai)", name);
	/* no empty segment, none starting with '-' */
	for (seg = name; ; seg = p + 1) {
		p = strchr(seg, '/');
		if (p == seg || seg[0] == '\0' || seg[0] == '-')
			return hs_fail(err, HS_ERR_INVALID, "time zone \"%s\": "
			    "not an IANA name such as Asia/Shanghai", name);
		if (p == NULL)
			break;
	}
	if (snprintf(path, sizeof(path), "%s/%s", zonedir(), name) >=
	    (int)sizeof(path))
		return hs_fail(err, HS_ERR_INVALID, "time zone: path too long");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0 &&
	    errno == ELOOP)
		fd = open(path, O_RDONLY | O_CLOEXEC); /* links inside tzdata */
	if (fd < 0)
		return hs_fail(err, HS_ERR_INVALID, "time zone \"%s\" is unknown "
		    "(no %s; is the tzdata package installed?)", name, path);
	r = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ?
	    read(fd, magic, sizeof(magic)) : -1;
	close(fd);
	if (r != (ssize_t)sizeof(magic) || memcmp(magic, "TZif", 4) != 0)
		return hs_fail(err, HS_ERR_INVALID, "time zone \"%s\": %s is not "
		    "a zone file", name, path);
	return HS_OK;
}

static void
apply(const char *name)
{
	snprintf(zone, sizeof(zone), "%s", name);
	setenv("TZ", name, 1);
	tzset();
}

/* The default when nobody chose: Asia/Shanghai, or plain UTC+8 if this
 * machine has no tzdata (Beijing has had no daylight saving since 1991). */
static void
apply_default(void)
{
	if (zone[0] != '\0')
		return;
	if (hs_tz_check(HS_TZ_DEFAULT, NULL) == HS_OK)
		apply(HS_TZ_DEFAULT);
	else {
		setenv("TZ", "CST-8", 1);
		tzset();
		snprintf(zone, sizeof(zone), "%s", HS_TZ_DEFAULT);
	}
}

enum hs_err
hs_tz_set(const char *name, char *err)
{
	enum hs_err rc;

	if ((rc = hs_tz_check(name, err)) != HS_OK)
		return rc;
	apply(name);
	pthread_once(&once, apply_default); /* now a no-op */
	return HS_OK;
}

const char *
hs_tz_name(void)
{
	pthread_once(&once, apply_default);
	return zone;
}

static void
local(time_t t, struct tm *tm)
{
	pthread_once(&once, apply_default);
	if (localtime_r(&t, tm) == NULL) {
		memset(tm, 0, sizeof(*tm));
		tm->tm_mday = 1;
	}
}

void
hs_time_local(time_t t, struct tm *tm)
{
	local(t, tm);
}

long
hs_tz_offset(time_t t)
{
	struct tm tm;

	local(t, &tm);
	return tm.tm_gmtoff;
}

static bool
beijing(const char *z)
{
	return strcmp(z, "Asia/Shanghai") == 0 || strcmp(z, "PRC") == 0 ||
	    strcmp(z, "Asia/Chongqing") == 0 || strcmp(z, "Asia/Harbin") == 0;
}

void
hs_time_show(time_t t, bool en, char out[HS_TIME_SHOW_MAX])
{
	struct tm tm;
	const char *z;

	local(t, &tm);
	z = zone;
	snprintf(out, HS_TIME_SHOW_MAX, "%04u-%02u-%02u %02u:%02u (%.40s)",
	    (unsigned)(tm.tm_year + 1900) % 10000, (unsigned)(tm.tm_mon + 1)
	    % 13, (unsigned)tm.tm_mday % 32, (unsigned)tm.tm_hour % 24,
	    (unsigned)tm.tm_min % 60,
	    beijing(z) ? (en ? "Beijing time" :
	    "\xe5\x8c\x97\xe4\xba\xac\xe6\x97\xb6\xe9\x97\xb4") : z);
}

void
hs_time_show_str(const char *s, bool en, char out[HS_TIME_SHOW_MAX])
{
	time_t t;

	if (s != NULL && time_parse_rfc3339(s, &t) == 0)
		hs_time_show(t, en, out);
	else
		snprintf(out, HS_TIME_SHOW_MAX, "%.*s", HS_TIME_SHOW_MAX - 1,
		    s != NULL ? s : "");
}

void
hs_date_show(time_t t, char out[11])
{
	struct tm tm;

	local(t, &tm);
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)(tm.tm_year + 1900) %
	    10000, (unsigned)(tm.tm_mon + 1) % 13, (unsigned)tm.tm_mday % 32);
}

int
hs_year_show(time_t t)
{
	struct tm tm;

	local(t, &tm);
	return tm.tm_year + 1900;
}

int
hs_offset_parse(const char *s, size_t len, long *secs)
{
	int h, m;

	if (len != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':')
		return -1;
	if (s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9' ||
	    s[4] < '0' || s[4] > '9' || s[5] < '0' || s[5] > '9')
		return -1;
	h = (s[1] - '0') * 10 + (s[2] - '0');
	m = (s[4] - '0') * 10 + (s[5] - '0');
	if (m % 15 != 0 || m >= 60 || h > 14 || (h == 14 && m != 0))
		return -1;
	if (h == 0 && m == 0 && s[0] == '-')
		return -1; /* one spelling of UTC: "+00:00" */
	*secs = (long)(h * 3600 + m * 60) * (s[0] == '-' ? -1 : 1);
	return 0;
}

void
hs_offset_format(long secs, char out[7])
{
	long a = secs < 0 ? -secs : secs;

	if (a > 14 * 3600)
		a = 14 * 3600;
	a -= a % (15 * 60);
	out[0] = secs < 0 ? '-' : '+';
	out[1] = (char)('0' + a / 36000);
	out[2] = (char)('0' + (a / 3600) % 10);
	out[3] = ':';
	out[4] = (char)('0' + (a / 600) % 6);
	out[5] = (char)('0' + (a / 60) % 10);
	out[6] = '\0';
}
