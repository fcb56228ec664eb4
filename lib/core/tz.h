/*
 * tz.h - times as people read them (docs/formats.md §3 utc-offset, §7).
 *
 * Machine formats (notes, JSON, the ledger, CSV columns machines read)
 * keep RFC 3339 UTC (core/util.h). Everything shown to a person (pages,
 * the PDF's date of issue, the offline check's report) goes through the
 * functions below, in one process-wide zone: the issuer's configured
 * "time_zone" (default Asia/Shanghai), or the verifier's --tz.
 *
 * The zone is an IANA name under /usr/share/zoneinfo ($TZDIR if set),
 * resolved once by hs_tz_set before any thread starts (it sets the
 * process's TZ and calls tzset); afterwards the functions here only
 * read it and are safe from any thread. A process that never calls
 * hs_tz_set gets HS_TZ_DEFAULT on first use (pthread_once).
 */
#ifndef HS_TZ_H
#define HS_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/hs.h"

#define HS_TZ_DEFAULT "Asia/Shanghai"
#define HS_TZ_NAME_MAX 64
#define HS_TIME_SHOW_MAX 64  /* "2026-12-06 09:20 (北京时间)" and longer */

/*
 * Checks that name is a zone this machine knows: 1-64 characters of
 * A-Z a-z 0-9 / _ + -, no "." component, naming a TZif file under the
 * zone directory. HS_ERR_INVALID (with what is wrong) otherwise.
 */
enum hs_err hs_tz_check(const char *name, char *err);

/*
 * Makes name (hs_tz_check) the zone people's times are shown in. Call
 * once, before starting threads. On error nothing changes.
 */
enum hs_err hs_tz_set(const char *name, char *err);

/* The zone in use ("Asia/Shanghai"). */
const char *hs_tz_name(void);

/* Seconds east of UTC of the zone in use at time t (28800 in Beijing). */
long hs_tz_offset(time_t t);

/*
 * t as a person reads it, in the zone in use:
 * "2026-12-06 09:20 (北京时间)" or, en, "2026-12-06 09:20 (Beijing time)";
 * other zones name themselves: "2026-12-06 02:20 (Europe/Berlin)".
 */
void hs_time_show(time_t t, bool en, char out[HS_TIME_SHOW_MAX]);

/*
 * The same for an RFC 3339 UTC string; a string that is not one is
 * copied as it is (cut to fit), so a page never loses what it had.
 */
void hs_time_show_str(const char *rfc3339, bool en,
    char out[HS_TIME_SHOW_MAX]);

/* t broken down in the zone in use (localtime_r after the zone is set). */
void hs_time_local(time_t t, struct tm *tm);

/* The date alone, "2026-12-06", in the zone in use. */
void hs_date_show(time_t t, char out[11]);

/* The year in the zone in use (the year a person would say it is). */
int hs_year_show(time_t t);

/*
 * A UTC offset as signed in a note: "+08:00", "-03:30", "+00:00"
 * (minutes a multiple of 15, at most 14 hours). hs_offset_parse returns
 * 0 and the seconds east of UTC, or -1; hs_offset_format writes 7 bytes.
 */
int hs_offset_parse(const char *s, size_t len, long *secs);
void hs_offset_format(long secs, char out[7]);

#endif
