/*
 * publish.h - the verifier's copy of the issuer database.
 *
 * publish_write builds DIR/verifier.db from the issuer database: the
 * tables a verifier needs (schema_version, keys, leaves, tree, checkpoints,
 * latest_checkpoint, certificates, revocations), with the same table and
 * column names as store.c, and nothing else. Certificates keep only what
 * their signed notes already show (masked ID, id-digest, name, unit,
 * hours); the internal practitioner id, the issuer's PDF path and the
 * operators' revocation notes are dropped. No practitioners, records,
 * stamps or cert_records tables; no pepper (it is never in the database).
 *
 * The file is built under a temporary name in DIR, synced, made mode
 * 0644 and renamed over DIR/verifier.db, so a verifier opening it sees
 * either the old copy or the new one, never a half-written file.
 */
#ifndef HS_PUBLISH_H
#define HS_PUBLISH_H

#include "core/hs.h"

struct publish_stats {
	long long certificates;
	long long revocations;
	long long leaves;
	long long checkpoints;
	long long keys;
};

/*
 * Writes DIR/verifier.db from the issuer database at db_path (read in one
 * consistent snapshot; the issuer may keep writing). DIR is created
 * (0755) if missing. Fills st if not NULL. On failure nothing replaces an
 * existing DIR/verifier.db and no temporary file is left.
 */
enum hs_err publish_write(const char *db_path, const char *dir,
    struct publish_stats *st, char *err);

#endif
