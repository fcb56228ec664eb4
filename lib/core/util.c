#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "core/util.h"

void
buf_init(struct buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

static bool
buf_grow(struct buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->oom)
		return false;
	if (extra > SIZE_MAX - b->len - 1) {
		b->oom = true;
		return false;
	}
	need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if ((p = realloc(b->data, cap)) == NULL) {
		b->oom = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (!buf_grow(b, n))
		return;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_fill(struct buf *b, char c, size_t n)
{
	if (!buf_grow(b, n))
		return;
	memset(b->data + b->len, c, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	/* Format straight into the free space; again only if it was short. */
	if (!buf_grow(b, 128))
		return;
	room = b->cap - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->data[b->len] = '\0';
		return;
	}
	if ((size_t)n >= room) {
		if (!buf_grow(b, (size_t)n)) {
			if (b->data != NULL)
				b->data[b->len] = '\0';
			return;
		}
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void
buf_csv_field(struct buf *b, const char *s, bool guard)
{
	bool lead = guard && s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;

	if (!lead && strpbrk(s, ",\"\r\n") == NULL) {
		buf_puts(b, s);
		return;
	}
	buf_putc(b, '"');
	if (lead)
		buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

char *
buf_steal(struct buf *b)
{
	char *p;

	if (b->oom) {
		buf_free(b);
		return NULL;
	}
	if (b->data == NULL)
		buf_grow(b, 0);
	if (b->oom) {
		buf_free(b);
		return NULL;
	}
	p = b->data;
	memset(b, 0, sizeof(*b));
	return p;
}

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
b64_encode(const uint8_t *in, size_t n, char *out, size_t outcap)
{
	size_t i, o = 0;
	uint32_t v;

	if (outcap < B64_LEN(n)) {
		if (outcap > 0)
			out[0] = '\0';
		return 0;
	}
	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64chars[v >> 18 & 63];
		out[o++] = b64chars[v >> 12 & 63];
		out[o++] = b64chars[v >> 6 & 63];
		out[o++] = b64chars[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = b64chars[v >> 18 & 63];
		out[o++] = b64chars[v >> 12 & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64chars[v >> 18 & 63];
		out[o++] = b64chars[v >> 12 & 63];
		out[o++] = b64chars[v >> 6 & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

static int
b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long
b64_decode(const char *in, size_t inlen, uint8_t *out, size_t outcap)
{
	size_t i, o = 0, pad = 0;
	int a, b, c, d;

	if (inlen % 4 != 0)
		return -1;
	if (inlen >= 1 && in[inlen - 1] == '=')
		pad++;
	if (inlen >= 2 && in[inlen - 2] == '=')
		pad++;
	if (inlen / 4 * 3 - pad > outcap)
		return -1;
	for (i = 0; i < inlen; i += 4) {
		bool last = i + 4 == inlen;

		a = b64val(in[i]);
		b = b64val(in[i + 1]);
		c = (last && pad == 2) ? 0 : b64val(in[i + 2]);
		d = (last && pad >= 1) ? 0 : b64val(in[i + 3]);
		if (a < 0 || b < 0 || c < 0 || d < 0)
			return -1;
		/* Reject non-canonical encodings: unused bits must be zero. */
		if (last && pad == 2 && (b & 15) != 0)
			return -1;
		if (last && pad == 1 && (c & 3) != 0)
			return -1;
		out[o++] = (uint8_t)(a << 2 | b >> 4);
		if (!(last && pad == 2))
			out[o++] = (uint8_t)(b << 4 | c >> 2);
		if (!(last && pad >= 1))
			out[o++] = (uint8_t)(c << 6 | d);
	}
	return (long)o;
}

void
hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hx[in[i] >> 4];
		out[2 * i + 1] = hx[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
hex_decode(const char *in, uint8_t *out, size_t n)
{
	size_t i;
	int h, l;

	for (i = 0; i < n; i++) {
		if ((h = hex_digit(in[2 * i])) < 0 ||
		    (l = hex_digit(in[2 * i + 1])) < 0)
			return -1;
		out[i] = (uint8_t)(h << 4 | l);
	}
	return in[2 * n] == '\0' ? 0 : -1;
}

/*
 * SHA256() looks the algorithm up in OpenSSL's provider store on every
 * call, which costs more than hashing a short input. The implementation
 * is fetched once per process instead (set once, then only read).
 */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void
sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void
sha256(const void *p, size_t n, uint8_t out[32])
{
	pthread_once(&sha256_once, sha256_fetch);
	if (sha256_md == NULL || EVP_Digest(p, n, out, NULL, sha256_md,
	    NULL) != 1)
		SHA256(p, n, out);
}

enum hs_err
random_bytes(void *p, size_t n)
{
	uint8_t *q = p;
	ssize_t r;

	while (n > 0) {
		r = getrandom(q, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return HS_ERR_IO;
		}
		q += r;
		n -= (size_t)r;
	}
	return HS_OK;
}

size_t
utf8_next(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c;
	size_t len, i;

	if (n == 0)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	} else if ((u[0] & 0xE0) == 0xC0) {
		len = 2;
		c = u[0] & 0x1F;
	} else if ((u[0] & 0xF0) == 0xE0) {
		len = 3;
		c = u[0] & 0x0F;
	} else if ((u[0] & 0xF8) == 0xF0) {
		len = 4;
		c = u[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (u[i] & 0x3F);
	}
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
	    (len == 4 && c < 0x10000) || c > 0x10FFFF ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

bool
utf8_valid(const char *s, size_t n)
{
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		if ((k = utf8_next(s + i, n - i, &cp)) == 0)
			return false;
		i += k;
	}
	return true;
}

size_t
utf8_count(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* Invisible and direction-changing characters, with their names. */
static const struct {
	uint32_t lo, hi;
	const char *name;
} format_chars[] = {
	{ 0x00AD, 0x00AD, "SOFT HYPHEN" },
	{ 0x061C, 0x061C, "ARABIC LETTER MARK" },
	{ 0x180E, 0x180E, "MONGOLIAN VOWEL SEPARATOR" },
	{ 0x200B, 0x200B, "ZERO WIDTH SPACE" },
	{ 0x200C, 0x200C, "ZERO WIDTH NON-JOINER" },
	{ 0x200D, 0x200D, "ZERO WIDTH JOINER" },
	{ 0x200E, 0x200E, "LEFT-TO-RIGHT MARK" },
	{ 0x200F, 0x200F, "RIGHT-TO-LEFT MARK" },
	{ 0x2028, 0x2028, "LINE SEPARATOR" },
	{ 0x2029, 0x2029, "PARAGRAPH SEPARATOR" },
	{ 0x202A, 0x202A, "LEFT-TO-RIGHT EMBEDDING" },
	{ 0x202B, 0x202B, "RIGHT-TO-LEFT EMBEDDING" },
	{ 0x202C, 0x202C, "POP DIRECTIONAL FORMATTING" },
	{ 0x202D, 0x202D, "LEFT-TO-RIGHT OVERRIDE" },
	{ 0x202E, 0x202E, "RIGHT-TO-LEFT OVERRIDE" },
	{ 0x2060, 0x2060, "WORD JOINER" },
	{ 0x2061, 0x2064, "INVISIBLE OPERATOR" },
	{ 0x2066, 0x2066, "LEFT-TO-RIGHT ISOLATE" },
	{ 0x2067, 0x2067, "RIGHT-TO-LEFT ISOLATE" },
	{ 0x2068, 0x2068, "FIRST STRONG ISOLATE" },
	{ 0x2069, 0x2069, "POP DIRECTIONAL ISOLATE" },
	{ 0x206A, 0x206F, "DEPRECATED FORMAT CHARACTER" },
	{ 0xFEFF, 0xFEFF, "ZERO WIDTH NO-BREAK SPACE" },
	{ 0xFFF9, 0xFFFB, "INTERLINEAR ANNOTATION CHARACTER" },
	{ 0xE0001, 0xE007F, "TAG CHARACTER" },
};

const char *
utf8_format_char(const char *s, uint32_t *cp)
{
	size_t i = 0, n = strlen(s), k, j;
	uint32_t c;

	*cp = 0;
	while (i < n) {
		if ((unsigned char)s[i] < 0x80) { /* ASCII: none of them */
			i++;
			continue;
		}
		if ((k = utf8_next(s + i, n - i, &c)) == 0)
			return NULL;
		i += k;
		/* Below U+00AD and from U+2070 to U+FEFE (CJK among them)
		 * there are none: skip the table for most text. */
		if (c < 0x00AD || (c >= 0x2070 && c < 0xFEFF))
			continue;
		for (j = 0; j < sizeof(format_chars) / sizeof(format_chars[0]);
		    j++)
			if (c >= format_chars[j].lo && c <= format_chars[j].hi) {
				*cp = c;
				return format_chars[j].name;
			}
	}
	return NULL;
}

bool
has_control(const char *s)
{
	size_t i = 0, n = strlen(s), k;
	uint32_t cp;

	while (i < n) {
		if ((k = utf8_next(s + i, n - i, &cp)) == 0)
			return true;
		if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
			return true;
		i += k;
	}
	return false;
}

double
time_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
time_rfc3339(time_t t, char out[21])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
time_now_rfc3339(char out[21])
{
	time_rfc3339(time(NULL), out);
}

bool
date_valid(int y, int m, int d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	int max;

	if (m < 1 || m > 12 || d < 1)
		return false;
	max = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return d <= max;
}

/* Days from civil date (proleptic Gregorian), after Howard Hinnant's algorithm. */
static long
days_from_civil(long y, long m, long d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
date_format(long z, char out[11])
{
	long era, doe, yoe, y, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp + (mp < 10 ? 3 : -9);
	y += m <= 2;
	y = labs(y) % 10000;
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

int
date_parse(const char *s, long *days)
{
	int y, m, d, i;

	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return -1;
		} else if (s[i] < '0' || s[i] > '9')
			return -1;
	}
	if (s[10] != '\0')
		return -1;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1900 || y > 2999 || !date_valid(y, m, d))
		return -1;
	*days = days_from_civil(y, m, d);
	return 0;
}

int
time_parse_rfc3339(const char *s, time_t *t)
{
	long days;
	char date[11];
	int hh, mm, ss, i;

	if (strlen(s) != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    s[19] != 'Z')
		return -1;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (date_parse(date, &days) != 0)
		return -1;
	for (i = 11; i < 19; i++)
		if (i != 13 && i != 16 && (s[i] < '0' || s[i] > '9'))
			return -1;
	hh = (s[11] - '0') * 10 + (s[12] - '0');
	mm = (s[14] - '0') * 10 + (s[15] - '0');
	ss = (s[17] - '0') * 10 + (s[18] - '0');
	if (hh > 23 || mm > 59 || ss > 59)
		return -1;
	*t = (time_t)days * 86400 + hh * 3600 + mm * 60 + ss;
	return 0;
}

void
hours_format(long tenths, char out[HOURS_SIZE])
{
	if (tenths % 10 == 0)
		snprintf(out, HOURS_SIZE, "%ld", tenths / 10);
	else
		snprintf(out, HOURS_SIZE, "%ld.%ld", tenths / 10,
		    labs(tenths % 10));
}

int
hours_parse(const char *s, long *tenths)
{
	long v = 0;
	int digits = 0;

	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9') {
		if (++digits > 6)
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	v *= 10;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -1;
		v += *s++ - '0';
	}
	if (*s != '\0' || v <= 0)
		return -1;
	*tenths = v;
	return 0;
}

enum hs_err
path_join(char *out, size_t outsz, const char *dir, const char *name,
    char *err)
{
	int n = snprintf(out, outsz, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= outsz)
		return hs_fail(err, HS_ERR_INVALID, "path too long: %s/%s",
		    dir, name);
	return HS_OK;
}

#ifndef HS_TEMPLATES_DIR
#define HS_TEMPLATES_DIR "templates"
#endif

void
path_templates(char *out, size_t n)
{
	const char *e = getenv("HOURSEAL_TEMPLATES");
	char exe[PATH_MAX], cand[PATH_MAX + 64], real[PATH_MAX], *slash;
	ssize_t len;
	struct stat sb;

	if (e != NULL && *e != '\0' && strlen(e) < n) {
		memcpy(out, e, strlen(e) + 1);
		return;
	}
	/* An installed binary: PREFIX/bin/x finds PREFIX/share/hourseal. */
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		exe[len] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			if (snprintf(cand, sizeof(cand), "%s/../share/hourseal/"
			    "templates", exe) < (int)sizeof(cand) &&
			    realpath(cand, real) != NULL &&
			    strlen(real) < n && stat(real, &sb) == 0 &&
			    S_ISDIR(sb.st_mode)) {
				memcpy(out, real, strlen(real) + 1);
				return;
			}
		}
	}
	snprintf(out, n, "%s", HS_TEMPLATES_DIR);
}

int
dec_parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 19 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}
