/*
 * config.h - the issuer's data directory: DIR/config.json, DIR/pepper,
 * DIR/hourseal.db.
 *
 * config.json (written by `hourseal-issuer init`):
 *   {"issuer": "...", "origin": "ledger.example.cn/fj",
 *    "base_url": "https://verify.example.cn", "policy": "fujian",
 *    "keys_dir": "/abs/path/keys", "templates_dir": "/abs/path/templates"}
 * Relative paths in it are taken relative to the data directory.
 */
#ifndef HS_CONFIG_H
#define HS_CONFIG_H

#include <limits.h>
#include <stdint.h>

#include "cert/pepper.h"
#include "core/hs.h"

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
	uint8_t pepper[PEPPER_SIZE]; /* secret key of id-digest (cert/pepper.h) */
};

/* The data directory: flag if given, else $HOURSEAL_DATA, else "./data". */
const char *config_data_dir(const char *flag);


/*
 * Creates DIR (which must not hold a config yet) with config.json from c's
 * issuer, origin, base_url, policy, keys_dir and templates_dir (empty ones
 * get defaults), a fresh random pepper (mode 0600) and an empty database.
 */
enum hs_err config_init(const char *dir, const struct config *c, char *err);

/* Loads DIR's config and pepper into c. Call config_wipe when done. */
enum hs_err config_load(const char *dir, struct config *c, char *err);

/* Wipes the pepper. Accepts NULL. */
void config_wipe(struct config *c);

/* id-digest with c's pepper (pepper_id_digest); out: 45 bytes. */
void config_id_digest(const struct config *c, const char *id_number,
    char out[45]);

#endif
