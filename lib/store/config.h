/*
 * config.h - the issuer's data directory: DIR/config.json, DIR/pepper,
 * DIR/hourseal.db.
 *
 * config.json (written by `hourseal-issuer init`):
 *   {"issuer": "...", "origin": "ledger.example.cn/fj",
 *    "base_url": "https://verify.example.cn", "policy": "fujian",
 *    "keys_dir": "/abs/path/keys", "templates_dir": "/abs/path/templates",
 *    "time_zone": "Asia/Shanghai"}
 * time_zone (issue 15): the zone dates and times are shown to people in
 * (pages, the PDF's date of issue via the note's utc-offset); an IANA
 * name under /usr/share/zoneinfo. Absent (directories made before it):
 * Asia/Shanghai. config_load checks it; cmd_open makes it the process's.
 * Relative paths in it are taken relative to the data directory.
 *
 * Optional keys of the provincial platform's signed hand-off (app/sso.h,
 * docs/formats.md), either or both:
 *   "sso_hmac_key_file": a file holding the shared HMAC-SHA-256 key as
 *       64-512 hex digits (32-256 bytes) and an optional line end; it must
 *       be a regular file readable by its owner only (0600 or 0400):
 *       config_load refuses it otherwise;
 *   "sso_ed25519_public_key": the platform's Ed25519 public key, standard
 *       base64 of its 32 bytes (the platform keeps the private key).
 *
 * Optional "pades_tsa_url": an http:// RFC 3161 timestamp authority;
 * when set, every PDF signature carries its token (PAdES B-T).
 * "pades_tsa_timeout": seconds to wait for it, 1-120 (default 20; a TSA
 * that refuses connections is retried until then).
 */
#ifndef HS_CONFIG_H
#define HS_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cert/pepper.h"
#include "core/hs.h"
#include "core/tz.h"

#define CONFIG_SSO_KEY_MIN 32   /* bytes of the hand-off's HMAC key */
#define CONFIG_SSO_KEY_MAX 256

struct config {
	char data_dir[PATH_MAX];
	char db_path[PATH_MAX];      /* DIR/hourseal.db */
	char issuer[256];            /* printed on certificates and the seal */
	char origin[256];            /* ledger origin = signer name in notes */
	char base_url[512];          /* QR codes encode base_url/c/<serial> */
	char policy[PATH_MAX];       /* name under templates/policy/, or a path */
	char policy_path[PATH_MAX];  /* resolved path of the policy file */
	char keys_dir[PATH_MAX];
	char templates_dir[PATH_MAX];
	char time_zone[HS_TZ_NAME_MAX + 1]; /* "Asia/Shanghai" (core/tz.h) */
	uint8_t pepper[PEPPER_SIZE]; /* secret key of id-digest (cert/pepper.h) */
	uint8_t sso_hmac_key[CONFIG_SSO_KEY_MAX]; /* the hand-off's HMAC key */
	size_t sso_hmac_len;         /* 0: none configured */
	uint8_t sso_ed25519[32];     /* the platform's Ed25519 public key */
	bool sso_has_ed25519;
	char pades_tsa_url[512];     /* "" for none */
	int pades_tsa_timeout;       /* seconds; 0 for the default */
};

/* The data directory: flag if given, else $HOURSEAL_DATA, else "./data". */
const char *config_data_dir(const char *flag);


/*
 * Creates DIR (which must not hold a config yet) with config.json from c's
 * issuer, origin, base_url, policy, keys_dir, templates_dir and time_zone
 * (empty ones get defaults; `hourseal-issuer init` requires issuer,
 * base_url and policy from the person, so only programs get these), a fresh random pepper (mode 0600) and an empty database.
 */
enum hs_err config_init(const char *dir, const struct config *c, char *err);

/* Loads DIR's config and pepper into c. Call config_wipe when done. */
enum hs_err config_load(const char *dir, struct config *c, char *err);

/* Wipes the pepper and the hand-off key. Accepts NULL. */
void config_wipe(struct config *c);

/* id-digest with c's pepper (pepper_id_digest); out: 45 bytes. */
void config_id_digest(const struct config *c, const char *id_number,
    char out[45]);

#endif
