/*
 * serial.h - certificate serials: YYYY-XXXX-XXXX-XXXX-XXXX, the year and
 * 80 random bits as 16 Crockford base32 characters (no I, L, O, U).
 */
#ifndef HS_SERIAL_H
#define HS_SERIAL_H

#include "core/hs.h"

#define SERIAL_LEN 24 /* "2024-7K3M-9Q2D-XW8P-4HJN" */
#define SERIAL_SIZE (SERIAL_LEN + 1)

/* A new serial for year from the OS CSPRNG. HS_ERR_IO if that fails. */
enum hs_err serial_new(int year, char out[SERIAL_SIZE]);

/*
 * Normalises user input into the canonical form: case-insensitive,
 * dashes and spaces optional, O read as 0 and I/L as 1. Looks at no more
 * than 64 bytes. Returns HS_OK or HS_ERR_INVALID (with the reason in err).
 */
enum hs_err serial_parse(const char *in, char out[SERIAL_SIZE], char *err);

/* The year of a canonical serial. */
int serial_year(const char *serial);

#endif
