/*
 * util.h - small shared helpers: growable buffers, base64, hex, SHA-256,
 * randomness, UTF-8 checks and time stamps (files: file.h, included).
 */
#ifndef HS_UTIL_H
#define HS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/hs.h"
#include "core/file.h"

/* A growable byte buffer, always NUL-terminated after len bytes. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
	bool oom; /* set once an append failed; later appends are no-ops */
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);            /* frees data; accepts NULL */
void buf_reset(struct buf *b);           /* len = 0, keeps memory */
void buf_add(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_fill(struct buf *b, char c, size_t n); /* n copies of c */
/*
 * Appends s as one RFC 4180 CSV field, quoted only when it must be. With
 * guard, a field a spreadsheet would run as a formula (one starting with
 * = + - @, a tab or a carriage return) gets a leading ' (OWASP's advice
 * against CSV injection). Every CSV file hourseal writes uses it; import
 * reads such a "'=..." back as "=..." (a fixed rejects file).
 */
void buf_csv_field(struct buf *b, const char *s, bool guard);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Returns data and gives up ownership (caller frees); NULL if oom. */
char *buf_steal(struct buf *b);

/* Standard base64 with padding. Returns bytes written to out (NUL-terminated). */
size_t b64_encode(const uint8_t *in, size_t n, char *out, size_t outcap);
/* Size needed by b64_encode including the NUL. */
#define B64_LEN(n) ((((n) + 2) / 3) * 4 + 1)
/*
 * Decodes strict, padded standard base64 of exactly inlen characters.
 * Returns the decoded length, or -1 if malformed or longer than outcap.
 */
long b64_decode(const char *in, size_t inlen, uint8_t *out, size_t outcap);

void hex_encode(const uint8_t *in, size_t n, char *out); /* out: 2n+1 */
/* Decodes exactly 2*n hex characters; returns 0 or -1. */
int hex_decode(const char *in, uint8_t *out, size_t n);
/* The value of one hex digit (either case), or -1 if c is not one. */
int hex_digit(char c);

void sha256(const void *p, size_t n, uint8_t out[32]);

/* Fills p with n bytes from the OS CSPRNG; HS_ERR_IO if it fails. */
enum hs_err random_bytes(void *p, size_t n);

/* True if s[0..n) is valid UTF-8 (no overlongs, no surrogates). */
bool utf8_valid(const char *s, size_t n);
/*
 * Decodes one code point from s (n bytes available). Returns its length
 * in bytes and stores it in *cp, or 0 if invalid.
 */
size_t utf8_next(const char *s, size_t n, uint32_t *cp);
/* Number of code points in a valid UTF-8 string. */
size_t utf8_count(const char *s);
/*
 * The first invisible or direction-changing character in valid UTF-8 s
 * (bidi embeddings, overrides, isolates and marks, zero-width characters,
 * U+FEFF, the line and paragraph separators, soft hyphen, tags): returns
 * its name and stores it in *cp, or NULL if there is none. Such text
 * shows something other than what it is, or breaks a line.
 */
const char *utf8_format_char(const char *s, uint32_t *cp);
/* True if s has C0/C1 control characters or DEL. */
bool has_control(const char *s);

/* file_read, file_write_atomic and the other writers: file.h. */

/* Current UTC time as RFC 3339 "YYYY-MM-DDTHH:MM:SSZ" (21 bytes). */
void time_now_rfc3339(char out[21]);
void time_rfc3339(time_t t, char out[21]);
/* Seconds on the monotonic clock (for durations). */
double time_mono(void);
/* Parses "YYYY-MM-DDTHH:MM:SSZ" (UTC); returns 0 or -1. */
int time_parse_rfc3339(const char *s, time_t *t);
/*
 * Parses a calendar date "YYYY-MM-DD" that really exists; returns the
 * days since 1970-01-01 or fills err. Years 1900..2999.
 */
int date_parse(const char *s, long *days);
/* Days since epoch -> "YYYY-MM-DD" (11 bytes). */
void date_format(long days, char out[11]);
/* True if y/m/d is a real calendar date. */
bool date_valid(int y, int m, int d);

/* Hours are kept as integer tenths: 125 is "12.5", 120 is "12". */
#define HOURS_SIZE 24
void hours_format(long tenths, char out[HOURS_SIZE]);
/* Parses "12" or "12.5" (> 0, at most one decimal); returns 0 or -1. */
int hours_parse(const char *s, long *tenths);



/*
 * Where the shipped templates are when nothing else says: $HOURSEAL_TEMPLATES;
 * else share/hourseal/templates beside an installed binary
 * (<dir of the executable>/../share/hourseal/templates), which `make install`
 * fills; else the source tree's templates/ that the binary was built in.
 * Writes a NUL-terminated path of at most n - 1 bytes to out.
 */
void path_templates(char *out, size_t n);

/* out = dir "/" name; HS_ERR_INVALID (message in err) if it does not fit. */
enum hs_err path_join(char *out, size_t outsz, const char *dir,
    const char *name, char *err);
/*
 * Parses s[0..n) as a canonical unsigned decimal (digits only, no leading
 * zero, at most 19 digits) no larger than max. Returns 0 or -1.
 */
int dec_parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out);

#endif
