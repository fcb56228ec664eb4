#include <pthread.h>
#include <string.h>

#include "store/store.h"

/*
 * Migrations: migrations[i] takes the schema from version i to i + 1.
 * Never edit a released migration; add a new one.
 *
 * Append-only tables (stamps, leaves, tree hashes, checkpoints,
 * revocations) refuse UPDATE and DELETE with triggers, so a mistake or an
 * intruder with SQL access cannot quietly rewrite history; `audit` checks
 * the hashes in case someone drops the triggers.
 */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE practitioners ("
	"  id INTEGER PRIMARY KEY,"
	"  id_number TEXT NOT NULL UNIQUE,"     /* full GB 11643 number: issuer only */
	"  id_masked TEXT NOT NULL,"
	"  id_digest TEXT NOT NULL,"            /* base64 HMAC-SHA-256 with the pepper */
	"  name TEXT NOT NULL,"
	"  unit TEXT NOT NULL DEFAULT '',"
	"  created TEXT NOT NULL"
	");"
	"CREATE TABLE records ("
	"  id INTEGER PRIMARY KEY,"
	"  practitioner_id INTEGER NOT NULL REFERENCES practitioners(id),"
	"  year INTEGER NOT NULL,"
	"  subject TEXT NOT NULL CHECK (subject IN ('public','professional')),"
	"  public_type TEXT CHECK (public_type IN ('compulsory','elective')),"
	"  form INTEGER NOT NULL CHECK (form BETWEEN 1 AND 9),"
	"  title TEXT NOT NULL,"
	"  provider TEXT NOT NULL,"
	"  start_date TEXT NOT NULL,"
	"  end_date TEXT NOT NULL,"
	"  hours10 INTEGER NOT NULL CHECK (hours10 > 0)," /* tenths of an hour */
	"  author_role TEXT CHECK (author_role IN ('first','other')),"
	"  domain TEXT,"
	"  ref TEXT UNIQUE,"
	"  source TEXT NOT NULL,"                /* file:line it came from */
	"  imported TEXT NOT NULL,"
	"  UNIQUE (practitioner_id, title, provider, start_date, end_date)"
	");"
	"CREATE INDEX records_year ON records(year, practitioner_id);"
	"CREATE TABLE stamps ("
	"  id INTEGER PRIMARY KEY,"
	"  record_id INTEGER NOT NULL UNIQUE REFERENCES records(id),"
	"  decision TEXT NOT NULL CHECK (decision IN ('stamped','rejected')),"
	"  authority TEXT NOT NULL,"
	"  authority_kind TEXT NOT NULL CHECK (authority_kind IN ('hr','industry','auto')),"
	"  reason TEXT,"
	"  at TEXT NOT NULL"
	");"
	"CREATE TRIGGER stamps_no_update BEFORE UPDATE ON stamps"
	"  BEGIN SELECT RAISE(ABORT, 'stamps are append-only'); END;"
	"CREATE TRIGGER stamps_no_delete BEFORE DELETE ON stamps"
	"  BEGIN SELECT RAISE(ABORT, 'stamps are append-only'); END;"
	/* Signing keys. The secret stays in the key directory; this is the
	 * public half and its validity. */
	"CREATE TABLE keys ("
	"  label TEXT PRIMARY KEY,"
	"  vkey TEXT NOT NULL UNIQUE,"          /* name+hex8+base64(0x01||pub) */
	"  created TEXT NOT NULL,"
	"  not_before TEXT NOT NULL,"
	"  retired TEXT,"                       /* signs nothing new after this */
	"  compromised_since TEXT"              /* signatures after this are void */
	");"
	/* A key row is never deleted; its identity never changes; retired is
	 * set once; compromised_since can only move earlier. */
	"CREATE TRIGGER keys_no_delete BEFORE DELETE ON keys"
	"  BEGIN SELECT RAISE(ABORT, 'keys are never deleted'); END;"
	"CREATE TRIGGER keys_fixed BEFORE UPDATE OF label, vkey, created,"
	"  not_before ON keys"
	"  BEGIN SELECT RAISE(ABORT, 'a key''s identity cannot change'); END;"
	"CREATE TRIGGER keys_retire_once BEFORE UPDATE OF retired ON keys"
	"  WHEN OLD.retired IS NOT NULL"
	"  BEGIN SELECT RAISE(ABORT, 'a key is retired only once'); END;"
	"CREATE TRIGGER keys_compromise_earlier BEFORE UPDATE OF"
	"  compromised_since ON keys WHEN OLD.compromised_since IS NOT NULL"
	"  AND (NEW.compromised_since IS NULL OR"
	"  NEW.compromised_since > OLD.compromised_since)"
	"  BEGIN SELECT RAISE(ABORT, 'compromised_since only moves earlier');"
	"  END;"
	/* The RFC 6962 log. leaves.idx is the leaf index; tree holds the
	 * interior hashes (layout owned by ledger.c). */
	"CREATE TABLE leaves ("
	"  idx INTEGER PRIMARY KEY,"
	"  entry BLOB NOT NULL,"
	"  hash BLOB NOT NULL"
	");"
	"CREATE TABLE tree ("
	"  id INTEGER PRIMARY KEY,"
	"  hash BLOB NOT NULL"
	");"
	"CREATE TABLE checkpoints ("
	"  size INTEGER PRIMARY KEY,"
	"  root BLOB NOT NULL,"
	"  note TEXT NOT NULL,"
	"  created TEXT NOT NULL"
	");"
	"CREATE TABLE latest_checkpoint ("
	"  one INTEGER PRIMARY KEY CHECK (one = 1),"
	"  size INTEGER NOT NULL,"
	"  note TEXT NOT NULL"
	");"
	"CREATE TRIGGER leaves_no_update BEFORE UPDATE ON leaves"
	"  BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;"
	"CREATE TRIGGER leaves_no_delete BEFORE DELETE ON leaves"
	"  BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;"
	"CREATE TRIGGER tree_no_update BEFORE UPDATE ON tree"
	"  BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;"
	"CREATE TRIGGER tree_no_delete BEFORE DELETE ON tree"
	"  BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;"
	"CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints"
	"  BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;"
	"CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints"
	"  BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;"
	/* Issued certificates. The personal fields are copies of the note's
	 * (masked) ones so the verifier never needs the practitioners table. */
	"CREATE TABLE certificates ("
	"  serial TEXT PRIMARY KEY,"
	"  practitioner_id INTEGER REFERENCES practitioners(id),"
	"  year INTEGER NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('annual','course')),"
	"  name TEXT NOT NULL,"
	"  id_masked TEXT NOT NULL,"
	"  id_digest TEXT NOT NULL,"
	"  unit TEXT NOT NULL DEFAULT '',"
	"  total10 INTEGER NOT NULL,"
	"  status TEXT,"                        /* met / unmet; NULL for course */
	"  record_set TEXT NOT NULL,"           /* digest of the records it covers */
	"  note TEXT NOT NULL,"                 /* the whole signed note */
	"  leaf_index INTEGER NOT NULL UNIQUE REFERENCES leaves(idx),"
	"  key_label TEXT NOT NULL REFERENCES keys(label),"
	"  issued TEXT NOT NULL,"
	"  pdf_sha256 TEXT,"
	"  pdf_file TEXT,"
	"  replaces TEXT REFERENCES certificates(serial)"
	");"
	"CREATE INDEX certificates_holder ON certificates(practitioner_id, year);"
	"CREATE TABLE cert_records ("
	"  serial TEXT NOT NULL REFERENCES certificates(serial),"
	"  record_id INTEGER NOT NULL REFERENCES records(id),"
	"  PRIMARY KEY (serial, record_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX cert_records_record ON cert_records(record_id);"
	"CREATE TABLE revocations ("
	"  serial TEXT PRIMARY KEY REFERENCES certificates(serial),"
	"  reason TEXT NOT NULL CHECK (reason IN"
	"    ('superseded','error','fraud','withdrawn')),"
	"  note TEXT,"
	"  at TEXT NOT NULL,"
	"  leaf_index INTEGER NOT NULL UNIQUE REFERENCES leaves(idx),"
	"  replaced_by TEXT REFERENCES certificates(serial)"
	");"
	"CREATE TRIGGER certificates_no_delete BEFORE DELETE ON certificates"
	"  BEGIN SELECT RAISE(ABORT, 'certificates are append-only'); END;"
	"CREATE TRIGGER certificates_no_update BEFORE UPDATE OF serial, note,"
	"  leaf_index ON certificates"
	"  BEGIN SELECT RAISE(ABORT, 'certificates are append-only'); END;"
	"CREATE TRIGGER revocations_no_update BEFORE UPDATE ON revocations"
	"  BEGIN SELECT RAISE(ABORT, 'revocations are append-only'); END;"
	"CREATE TRIGGER revocations_no_delete BEFORE DELETE ON revocations"
	"  BEGIN SELECT RAISE(ABORT, 'revocations are append-only'); END;",
	/* 1 -> 2: the issuing service (accounts, scoped 验印, corrections,
	 * the audit chain). Times the service compares often (sessions,
	 * locks, expiries) are Unix seconds; the rest are RFC 3339. */
	/* Unit -> region (an administrative-division code prefix), data HR
	 * maintains; import's optional region column fills it. */
	"CREATE TABLE units ("
	"  name TEXT PRIMARY KEY,"
	"  region TEXT NOT NULL CHECK (length(region) BETWEEN 2 AND 12"
	"    AND region NOT GLOB '*[^0-9]*')"
	");"
	/* A record carries its unit and the unit's region (copied when the
	 * record is stored or the unit's region changes: '' is outside
	 * every scope, visible to province-level HR only), its current
	 * state and version, and the stamps row that decided that state. */
	"ALTER TABLE records ADD COLUMN unit TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE records ADD COLUMN region TEXT NOT NULL DEFAULT '';"
	/* CHECKs list values with OR, not IN: SQLite builds a temporary
	 * b-tree for an IN list of more than two constants on every
	 * execution of an INSERT, which made import 50% slower. */
	"ALTER TABLE records ADD COLUMN state TEXT NOT NULL DEFAULT 'waiting'"
	"  CHECK (state = 'waiting' OR state = 'stamped' OR"
	"  state = 'rejected' OR state = 'withdrawn');"
	"ALTER TABLE records ADD COLUMN version INTEGER NOT NULL DEFAULT 1;"
	"ALTER TABLE records ADD COLUMN stamp_id INTEGER REFERENCES stamps(id);"
	"ALTER TABLE records ADD COLUMN submitted_by TEXT;" /* account or token */
	"UPDATE records SET unit = (SELECT p.unit FROM practitioners p"
	"  WHERE p.id = records.practitioner_id);"
	/* stamps becomes a history: several decisions per record (stamp,
	 * reject, withdraw; again after a correction), still append-only. */
	"CREATE TABLE stamps_v2 ("
	"  id INTEGER PRIMARY KEY,"
	"  record_id INTEGER NOT NULL REFERENCES records(id),"
	"  version INTEGER NOT NULL DEFAULT 1," /* the record version decided */
	"  decision TEXT NOT NULL CHECK (decision = 'stamped' OR"
	"    decision = 'rejected' OR decision = 'withdrawn'),"
	"  authority TEXT NOT NULL,"            /* the organisation */
	"  authority_kind TEXT NOT NULL CHECK (authority_kind = 'hr' OR"
	"    authority_kind = 'industry' OR authority_kind = 'auto'),"
	"  account TEXT,"                       /* who; NULL before schema 2 */
	"  reason TEXT,"
	"  at TEXT NOT NULL"
	");"
	"INSERT INTO stamps_v2 (id, record_id, decision, authority,"
	"  authority_kind, reason, at) SELECT id, record_id, decision,"
	"  authority, authority_kind, reason, at FROM stamps;"
	"DROP TABLE stamps;"
	"ALTER TABLE stamps_v2 RENAME TO stamps;"
	"CREATE INDEX stamps_record ON stamps(record_id, id);"
	"CREATE TRIGGER stamps_no_update BEFORE UPDATE ON stamps"
	"  BEGIN SELECT RAISE(ABORT, 'stamps are append-only'); END;"
	"CREATE TRIGGER stamps_no_delete BEFORE DELETE ON stamps"
	"  BEGIN SELECT RAISE(ABORT, 'stamps are append-only'); END;"
	"UPDATE records SET stamp_id = (SELECT max(s.id) FROM stamps s"
	"  WHERE s.record_id = records.id);"
	"UPDATE records SET state = (SELECT s.decision FROM stamps s"
	"  WHERE s.id = records.stamp_id) WHERE stamp_id IS NOT NULL;"
	/* Every earlier version of a corrected record, as a JSON object of
	 * its fields (design §2b names), with who changed it and why. */
	"CREATE TABLE record_versions ("
	"  record_id INTEGER NOT NULL REFERENCES records(id),"
	"  version INTEGER NOT NULL,"
	"  fields TEXT NOT NULL,"
	"  account TEXT,"
	"  reason TEXT,"
	"  at TEXT NOT NULL,"
	"  PRIMARY KEY (record_id, version)"
	") WITHOUT ROWID;"
	"CREATE TRIGGER record_versions_no_update BEFORE UPDATE ON"
	"  record_versions BEGIN SELECT RAISE(ABORT,"
	"  'record history is append-only'); END;"
	"CREATE TRIGGER record_versions_no_delete BEFORE DELETE ON"
	"  record_versions BEGIN SELECT RAISE(ABORT,"
	"  'record history is append-only'); END;"
	/* Staff and practitioner accounts. The scope columns that apply to
	 * the role are set (hr, auditor: region; industry: region and
	 * domain; provider: provider; employer: unit; practitioner:
	 * practitioner_id); org is the organisation the account acts for,
	 * the name a stamp carries. */
	"CREATE TABLE accounts ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  role TEXT NOT NULL CHECK (role IN ('hr','industry','provider',"
	"    'employer','auditor','practitioner')),"
	"  region TEXT NOT NULL DEFAULT '',"
	"  domain TEXT NOT NULL DEFAULT '',"
	"  provider TEXT NOT NULL DEFAULT '',"
	"  unit TEXT NOT NULL DEFAULT '',"
	"  practitioner_id INTEGER REFERENCES practitioners(id),"
	"  org TEXT NOT NULL,"
	"  pw_hash TEXT,"                       /* Argon2id; NULL until set */
	"  totp_secret BLOB,"                   /* NULL until enrolment starts */
	"  totp_enrolled INTEGER NOT NULL DEFAULT 0,"
	"  totp_last_step INTEGER NOT NULL DEFAULT 0," /* no code twice */
	"  failures INTEGER NOT NULL DEFAULT 0,"
	"  next_try INTEGER NOT NULL DEFAULT 0," /* backoff: not before */
	"  locked INTEGER NOT NULL DEFAULT 0,"   /* until an hr lifts it */
	"  disabled INTEGER NOT NULL DEFAULT 0,"
	"  created INTEGER NOT NULL,"
	"  created_by TEXT NOT NULL"
	");"
	/* One-time invitations and resets: only the SHA-256 of the token. */
	"CREATE TABLE invitations ("
	"  hash BLOB PRIMARY KEY,"
	"  account_id INTEGER NOT NULL REFERENCES accounts(id),"
	"  created INTEGER NOT NULL,"
	"  expires INTEGER NOT NULL,"
	"  used INTEGER"
	") WITHOUT ROWID;"
	/* Sessions: only the SHA-256 of the 256-bit token. */
	"CREATE TABLE sessions ("
	"  hash BLOB PRIMARY KEY,"
	"  account_id INTEGER NOT NULL REFERENCES accounts(id),"
	"  csrf TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  ended INTEGER,"
	"  client TEXT NOT NULL DEFAULT ''"
	") WITHOUT ROWID;"
	"CREATE INDEX sessions_account ON sessions(account_id);"
	/* API tokens: only the SHA-256 of the token. */
	"CREATE TABLE api_tokens ("
	"  id INTEGER PRIMARY KEY,"
	"  hash BLOB NOT NULL UNIQUE,"
	"  label TEXT NOT NULL,"
	"  role TEXT NOT NULL CHECK (role IN ('provider','title-system','hr')),"
	"  region TEXT NOT NULL DEFAULT '',"
	"  provider TEXT NOT NULL DEFAULT '',"
	"  org TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  expires INTEGER NOT NULL,"
	"  last_used INTEGER,"
	"  revoked INTEGER"
	");"
	/* The audit log: every state change and sign-in, each row's hash
	 * covering the previous row's (store/audit.c has the exact bytes);
	 * its head goes into the ledger with every checkpoint. */
	"CREATE TABLE audit ("
	"  seq INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  role TEXT NOT NULL,"
	"  org TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  object TEXT NOT NULL,"
	"  detail TEXT NOT NULL DEFAULT '',"
	"  client TEXT NOT NULL DEFAULT '',"
	"  hash BLOB NOT NULL"
	");"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
	/* 2 -> 3: the 验印 workflow (app/stamp.c). A decision must follow
	 * the record's state: stamped or rejected only while it waits,
	 * withdrawn only once stamped or rejected. */
	/* (Import stores an automatically stamped record as stamped with
	 * no stamp_id yet, then adds its stamp: allowed once.) */
	"CREATE TRIGGER stamps_follow_state BEFORE INSERT ON stamps WHEN"
	"  (SELECT CASE WHEN NEW.decision = 'withdrawn' THEN"
	"  r.state NOT IN ('stamped','rejected') ELSE NOT (r.state ="
	"  'waiting' OR (NEW.decision = 'stamped' AND r.state = 'stamped'"
	"  AND r.stamp_id IS NULL)) END FROM records r WHERE r.id ="
	"  NEW.record_id) IS NOT 0"
	"  BEGIN SELECT RAISE(ABORT, 'the record''s state does not allow"
	"  this decision (a record is stamped or rejected once per"
	"  version)'); END;"
	/* The 验印 queue pages by key (id > after, in id order) in one state:
	 * an index per equality it filters on keeps every page a short
	 * index walk; the region prefix is checked on the index entries
	 * (a range on records_queue would sort every match). unit also
	 * serves unit set and import's region fill. */
	"CREATE INDEX records_state ON records(state, id, region);"
	"CREATE INDEX records_domain ON records(state, domain, id, region);"
	"CREATE INDEX records_provider ON records(state, provider, id);"
	"CREATE INDEX records_unit ON records(state, unit, id);"
	/* The APIs' lookups (issuer/serve_api.c): POST /api/v1/hours finds
	 * a person by id-digest; GET /api/v1/records pages a provider's
	 * records in any state. */
	"CREATE INDEX practitioners_digest ON practitioners(id_digest);"
	"CREATE INDEX records_provider_id ON records(provider, id);",
	/* 3 -> 4: the practitioner's pages (service.md §5, issue 14).
	 * Activation codes: one-time, 30 days, made by an hr or employer
	 * account for a person in its scope; only the SHA-256 of the
	 * normalised code is kept (store/activation.c). A newer code for
	 * the same person spends the older ones (spent). */
	"CREATE TABLE activation_codes ("
	"  id INTEGER PRIMARY KEY,"
	"  practitioner_id INTEGER NOT NULL REFERENCES practitioners(id),"
	"  hash BLOB NOT NULL UNIQUE,"
	"  created INTEGER NOT NULL,"
	"  expires INTEGER NOT NULL,"
	"  created_by TEXT NOT NULL,"           /* the account that made it */
	"  used INTEGER,"                       /* when it set a password */
	"  spent INTEGER"                       /* when a newer one replaced it */
	");"
	"CREATE INDEX activation_codes_holder ON"
	"  activation_codes(practitioner_id);"
	/* One practitioner account per person. */
	"CREATE UNIQUE INDEX accounts_practitioner ON accounts(practitioner_id)"
	"  WHERE practitioner_id IS NOT NULL;"
	/* A holder's audit rows (their account's sign-ins on /my/account,
	 * everything about them in /my/data.json) by object, newest last. */
	"CREATE INDEX audit_object ON audit(object, seq);"
	/* When the holder last read their notices (/my/). */
	"ALTER TABLE accounts ADD COLUMN notices_seen INTEGER NOT NULL"
	"  DEFAULT 0;"
	/* Share codes: the holder's choice of certificates, shown to anyone
	 * with the code at /s/<code> until expires or withdrawn; only the
	 * SHA-256 of the code is kept (store/share.c). */
	"CREATE TABLE share_codes ("
	"  id INTEGER PRIMARY KEY,"
	"  practitioner_id INTEGER NOT NULL REFERENCES practitioners(id),"
	"  hash BLOB NOT NULL UNIQUE,"
	"  label TEXT NOT NULL DEFAULT '',"
	"  created INTEGER NOT NULL,"
	"  expires INTEGER NOT NULL,"
	"  withdrawn INTEGER,"
	"  views INTEGER NOT NULL DEFAULT 0,"
	"  last_view INTEGER"
	");"
	"CREATE INDEX share_codes_holder ON share_codes(practitioner_id);"
	"CREATE TABLE share_code_certs ("
	"  share_id INTEGER NOT NULL REFERENCES share_codes(id),"
	"  serial TEXT NOT NULL REFERENCES certificates(serial),"
	"  PRIMARY KEY (share_id, serial)"
	") WITHOUT ROWID;"
	/* The signed hand-off's nonces (/my/sso): each is accepted once;
	 * rows older than the hand-off's window may be pruned. */
	"CREATE TABLE sso_nonces ("
	"  nonce TEXT PRIMARY KEY,"
	"  seen INTEGER NOT NULL"
	") WITHOUT ROWID;",
};

#define NMIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

enum hs_err
store_err(sqlite3 *db, char *err, const char *what)
{
	int code = sqlite3_errcode(db);

	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return hs_fail(err, HS_ERR_BUSY,
		    "%s: the database is locked (is another hourseal-issuer "
		    "running?)", what);
	return hs_fail(err, HS_ERR_DB, "%s: %s", what, sqlite3_errmsg(db));
}

enum hs_err
store_join(sqlite3 *db, bool *own, char *err)
{
	*own = sqlite3_get_autocommit(db) != 0;
	return *own ? store_begin(db, err) : HS_OK;
}

enum hs_err
store_leave(sqlite3 *db, bool own, enum hs_err rc, char *err)
{
	if (!own)
		return rc;
	if (rc == HS_OK)
		return store_commit(db, err);
	store_rollback(db);
	return rc;
}

enum hs_err
store_exec(sqlite3 *db, const char *sql, char *err)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_err(db, err, "database");
	return HS_OK;
}

int
store_version(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(db, "SELECT max(version) FROM schema_version",
	    -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static enum hs_err
migrate(sqlite3 *db, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc;
	int v;
	size_t i;

	/* Already current: no need to take the write lock. */
	if (store_version(db) == (int)NMIGRATIONS)
		return HS_OK;
	if ((rc = store_exec(db, "CREATE TABLE IF NOT EXISTS schema_version ("
	    "version INTEGER NOT NULL, applied TEXT NOT NULL)", err)) != HS_OK)
		return rc;
	if ((rc = store_begin(db, err)) != HS_OK)
		return rc;
	if ((v = store_version(db)) < 0)
		v = 0;
	if ((size_t)v > NMIGRATIONS) {
		store_rollback(db);
		return hs_fail(err, HS_ERR_STATE,
		    "database schema version %d is newer than this program "
		    "(%zu); upgrade hourseal", v, NMIGRATIONS);
	}
	for (i = (size_t)v; i < NMIGRATIONS; i++) {
		if ((rc = store_exec(db, migrations[i], err)) != HS_OK)
			goto fail;
		if (sqlite3_prepare_v2(db, "INSERT INTO schema_version VALUES "
		    "(?, strftime('%Y-%m-%dT%H:%M:%SZ','now'))", -1, &st,
		    NULL) != SQLITE_OK) {
			rc = store_err(db, err, "migration");
			goto fail;
		}
		sqlite3_bind_int(st, 1, (int)i + 1);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = store_err(db, err, "migration");
			goto fail;
		}
		sqlite3_finalize(st);
		st = NULL;
	}
	return store_commit(db, err);
fail:
	sqlite3_finalize(st);
	store_rollback(db);
	hs_errprefix(err, "migrating to schema %zu", i + 1);
	return rc;
}

/*
 * Before SQLite's first use: no memory statistics. With them on (the
 * default), every allocation of every connection takes one global mutex,
 * and the service's threads, each with its own connection, queue on it
 * (a /my/ page prepares a few dozen statements). Nothing here reads
 * sqlite3_memory_used(). Called before SQLite is initialised only; later
 * it is a harmless SQLITE_MISUSE.
 */
static void
sqlite_setup(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

enum hs_err
store_open(const char *path, enum store_mode mode, sqlite3 **db, char *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	int flags;
	enum hs_err rc;

	*db = NULL;
	pthread_once(&once, sqlite_setup);
	switch (mode) {
	case STORE_CREATE:
		flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
		break;
	case STORE_RW:
		flags = SQLITE_OPEN_READWRITE;
		break;
	default:
		flags = SQLITE_OPEN_READONLY;
		break;
	}
	flags |= SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, db, flags, NULL) != SQLITE_OK) {
		rc = hs_fail(err, HS_ERR_DB, "%s: %s", path,
		    *db ? sqlite3_errmsg(*db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(*db, 5000);
	sqlite3_extended_result_codes(*db, 0);
	if (mode == STORE_RO) {
		/* Proofs and lookups read scattered rows: mapping the file
		 * (up to SQLite's default limit, 2 GB) halves their cost on
		 * large ledgers. */
		sqlite3_exec(*db, "PRAGMA mmap_size=2147418112", NULL, NULL,
		    NULL);
		if (store_version(*db) < 1) {
			rc = hs_fail(err, HS_ERR_DB,
			    "%s: not an hourseal database", path);
			goto fail;
		}
		return HS_OK;
	}
	if ((rc = store_exec(*db, "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", err)) != HS_OK)
		goto fail;
	if ((rc = migrate(*db, err)) != HS_OK)
		goto fail;
	return HS_OK;
fail:
	hs_errprefix(err, "%s", path);
	sqlite3_close(*db);
	*db = NULL;
	return rc;
}

void
store_close(sqlite3 *db)
{
	if (db != NULL)
		sqlite3_close_v2(db);
}

enum hs_err
store_begin(sqlite3 *db, char *err)
{
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return store_err(db, err, "begin transaction");
	return HS_OK;
}

enum hs_err
store_commit(sqlite3 *db, char *err)
{
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		enum hs_err rc = store_err(db, err, "commit");

		store_rollback(db);
		return rc;
	}
	return HS_OK;
}

void
store_rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}
