/*
 * hourseal-issuer tiles DIR
 *
 * Writes the ledger as a static c2sp.org/tlog-tiles tree under DIR, for
 * the latest signed checkpoint: DIR/tile/<L>/<N>[.p/<W>] hash tiles,
 * DIR/tile/entries/<N>[.p/<W>] entry bundles and, last, DIR/checkpoint.
 * Full tiles are immutable: one already there with the right size is
 * kept. Partial tiles of earlier runs stay (clients of older checkpoints
 * may still ask for them). Any static web server or CDN can serve DIR.
 * Exit 0 written, 2 could not.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "core/i18n.h"
#include "store/ledger.h"
#include "store/store.h"
#include "tlog/tile.h"
#include "core/util.h"

struct tiles_run {
	const char *dir;
	struct ledger *l;
	uint64_t size;
	unsigned long written, kept;
	struct buf b;
};

static enum hs_err
one_tile(struct tiles_run *r, const struct tile *t, char *err)
{
	char rel[TILE_PATH_MAX], path[PATH_MAX];
	struct stat st;
	enum hs_err rc;

	if (tile_path_format(t, rel, sizeof(rel)) != 0)
		return hs_fail(err, HS_ERR_INVALID, "bad tile");
	if ((rc = path_join(path, sizeof(path), r->dir, rel, err)) != HS_OK)
		return rc;
	/* A full tile never changes: keep one that is already there. */
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && tile_keep(t,
	    (uint64_t)st.st_size)) {
		r->kept++;
		return HS_OK;
	}
	buf_reset(&r->b);
	if ((rc = ledger_tile(r->l, t, r->size, &r->b, err)) != HS_OK ||
	    (rc = file_mkparents(path, 0755, err)) != HS_OK ||
	    (rc = file_write(path, r->b.data, r->b.len, 0644, FILE_CLEAN,
	    err)) !=
	    HS_OK) {
		hs_errprefix(err, "%s", rel);
		return rc;
	}
	r->written++;
	return HS_OK;
}

/* Every tile (and entry bundle) a client of the tree of r->size needs. */
static enum hs_err
all_tiles(struct tiles_run *r, char *err)
{
	struct tile t;
	enum hs_err rc;
	bool more;

	for (more = tile_range_first(r->size, &t); more;
	    more = tile_range_next(r->size, &t))
		if ((rc = one_tile(r, &t, err)) != HS_OK)
			return rc;
	return HS_OK;
}

struct args {
	const char *dir;
};

static int
parse(const struct cmd *x, int argc, char **argv, void *args)
{
	struct args *a = args;

	return cmd_one_operand(argc, argv, &a->dir);
}

static int
run(struct cmd *x, void *args)
{
	const struct args *a = args;
	struct tiles_run r;
	struct buf note;
	char err[HS_ERRLEN] = "", path[PATH_MAX];
	enum hs_err rc;
	bool tx = false;
	int ret = 2, fd;

	memset(&r, 0, sizeof(r));
	buf_init(&r.b);
	buf_init(&note);
	r.dir = a->dir;
	if (file_mkdirs(r.dir, 0755, err) != HS_OK)
		goto out;
	if (ledger_open(x->db, x->cfg.origin, &r.l, err) != HS_OK)
		goto out;
	/* One read snapshot: the checkpoint and the tiles agree. */
	if (store_exec(x->db, "BEGIN", err) != HS_OK)
		goto out;
	tx = true;
	rc = ledger_latest_checkpoint(r.l, &note, &r.size, err);
	if (rc == HS_ERR_NOTFOUND) {
		hs_fail(err, rc, "no checkpoint has been signed yet; issue "
		    "certificates first");
		goto out;
	}
	if (rc != HS_OK || all_tiles(&r, err) != HS_OK)
		goto out;
	/* Tiles on disk first, then the checkpoint that points at them. */
	if ((fd = open(r.dir, O_RDONLY | O_DIRECTORY)) >= 0) {
		syncfs(fd);
		close(fd);
	}
	if (path_join(path, sizeof(path), r.dir, "checkpoint", err) != HS_OK ||
	    file_write(path, note.data, note.len, 0644, FILE_SYNC | FILE_CLEAN,
	    err) != HS_OK)
		goto out;
	printf(_("tiles: tree size %llu: wrote %lu tiles, kept %lu full tiles "
	    "already there, and the checkpoint, in %s\n"),
	    (unsigned long long)r.size, r.written, r.kept, r.dir);
	ret = 0;
out:
	if (ret != 0)
		cmd_say(x, "%s", err);
	if (tx)
		store_rollback(x->db);
	buf_free(&r.b);
	buf_free(&note);
	ledger_close(r.l);
	return ret;
}

const struct cmd_ops cmd_tiles_ops = { sizeof(struct args), parse, run };
