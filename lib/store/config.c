#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "cert/pepper.h"
#include "store/config.h"
#include "store/store.h"
#include "core/util.h"

const char *
config_data_dir(const char *flag)
{
	const char *e;

	if (flag != NULL && *flag != '\0')
		return flag;
	if ((e = getenv("HOURSEAL_DATA")) != NULL && *e != '\0')
		return e;
	return "./data";
}

/* Makes path absolute against base (or the cwd if base is NULL). */
static enum hs_err
absolute(const char *base, const char *path, char out[PATH_MAX], char *err)
{
	char cwd[PATH_MAX];

	if (path[0] == '/') {
		if (snprintf(out, PATH_MAX, "%s", path) >= PATH_MAX)
			return hs_fail(err, HS_ERR_INVALID, "path too long");
		return HS_OK;
	}
	if (base == NULL) {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return hs_fail(err, HS_ERR_IO, "getcwd: %s",
			    strerror(errno));
		base = cwd;
	}
	return path_join(out, PATH_MAX, base, path, err);
}

static enum hs_err
resolve_policy(struct config *c, char *err)
{
	if (strchr(c->policy, '/') != NULL || strstr(c->policy, ".json")) {
		return absolute(c->data_dir, c->policy, c->policy_path, err);
	}
	if (snprintf(c->policy_path, sizeof(c->policy_path),
	    "%s/policy/%s.json", c->templates_dir, c->policy) >=
	    (int)sizeof(c->policy_path))
		return hs_fail(err, HS_ERR_INVALID, "policy path too long");
	return HS_OK;
}

enum hs_err
config_init(const char *dir, const struct config *in, char *err)
{
	struct config c;
	char path[PATH_MAX], hexpep[65], tdef[PATH_MAX];
	json_t *j = NULL;
	char *text = NULL;
	sqlite3 *db = NULL;
	struct stat st;
	enum hs_err rc;

	memset(&c, 0, sizeof(c));
	if ((rc = absolute(NULL, dir, c.data_dir, err)) != HS_OK)
		return rc;
	if ((rc = path_join(path, sizeof(path), c.data_dir, "config.json",
	    err)) != HS_OK)
		return rc;
	if (stat(path, &st) == 0)
		return hs_fail(err, HS_ERR_EXISTS,
		    "%s already holds an hourseal data directory; refusing to "
		    "overwrite it", dir);
	snprintf(c.issuer, sizeof(c.issuer), "%s",
	    in->issuer[0] ? in->issuer : "福建省专业技术人员继续教育中心");
	snprintf(c.origin, sizeof(c.origin), "%s",
	    in->origin[0] ? in->origin : "ledger.hourseal.example.cn/fj");
	snprintf(c.base_url, sizeof(c.base_url), "%s",
	    in->base_url[0] ? in->base_url : "http://127.0.0.1:8080");
	snprintf(c.policy, sizeof(c.policy), "%s",
	    in->policy[0] ? in->policy : "fujian");
	snprintf(c.time_zone, sizeof(c.time_zone), "%s",
	    in->time_zone[0] ? in->time_zone : HS_TZ_DEFAULT);
	if ((rc = hs_tz_check(c.time_zone, err)) != HS_OK)
		return rc;
	if ((rc = absolute(NULL, in->keys_dir[0] ? in->keys_dir : "keys",
	    c.keys_dir, err)) != HS_OK)
		return rc;
	path_templates(tdef, sizeof(tdef));
	if ((rc = absolute(NULL, in->templates_dir[0] ? in->templates_dir :
	    tdef, c.templates_dir, err)) != HS_OK)
		return rc;
	if (has_control(c.issuer) || strchr(c.issuer, '|') != NULL)
		return hs_fail(err, HS_ERR_INVALID,
		    "issuer: control characters and '|' are not allowed");
	if (has_control(c.origin) || strchr(c.origin, ' ') != NULL ||
	    strchr(c.origin, '+') != NULL || c.origin[0] == '\0')
		return hs_fail(err, HS_ERR_INVALID,
		    "origin: must be non-empty, without spaces or '+'");
	while (strlen(c.base_url) > 0 && c.base_url[strlen(c.base_url) - 1]
	    == '/')
		c.base_url[strlen(c.base_url) - 1] = '\0';
	if (strncmp(c.base_url, "http://", 7) != 0 &&
	    strncmp(c.base_url, "https://", 8) != 0)
		return hs_fail(err, HS_ERR_INVALID,
		    "base_url: must start with http:// or https://");
	/* Every value checked first: a refused init leaves nothing. */
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return hs_fail(err, HS_ERR_IO, "%s: %s", dir, strerror(errno));

	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "issuer",
	    c.issuer, "origin", c.origin, "base_url", c.base_url, "policy",
	    c.policy, "keys_dir", c.keys_dir, "templates_dir",
	    c.templates_dir, "time_zone", c.time_zone);
	if (j == NULL || (text = json_dumps(j, JSON_INDENT(2) |
	    JSON_PRESERVE_ORDER)) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	/* The pepper first: a half-made directory has no config.json and
	 * can be initialised again. */
	if ((rc = random_bytes(c.pepper, sizeof(c.pepper))) != HS_OK) {
		hs_fail(err, rc, "cannot read random bytes");
		goto out;
	}
	hex_encode(c.pepper, sizeof(c.pepper), hexpep);
	if ((rc = path_join(path, sizeof(path), c.data_dir, "pepper", err))
	    != HS_OK)
		goto out;
	hexpep[64] = '\n';
	rc = file_write_atomic(path, hexpep, 65, 0600, err);
	OPENSSL_cleanse(hexpep, sizeof(hexpep));
	if (rc != HS_OK)
		goto out;
	if ((rc = path_join(path, sizeof(path), c.data_dir, "hourseal.db",
	    err)) != HS_OK)
		goto out;
	if ((rc = store_open(path, STORE_CREATE, &db, err)) != HS_OK)
		goto out;
	if ((rc = path_join(path, sizeof(path), c.data_dir, "config.json",
	    err)) != HS_OK)
		goto out;
	{
		size_t n = strlen(text);
		char *t2 = realloc(text, n + 2);

		if (t2 == NULL) {
			rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
			goto out;
		}
		text = t2;
		text[n] = '\n';
		text[n + 1] = '\0';
	}
	rc = file_write_atomic(path, text, strlen(text), 0644, err);
out:
	store_close(db);
	json_decref(j);
	free(text);
	config_wipe(&c);
	return rc;
}

static enum hs_err
get_str(json_t *j, const char *key, char *out, size_t outsz, bool required,
    char *err)
{
	json_t *v = json_object_get(j, key);

	if (v == NULL) {
		if (required)
			return hs_fail(err, HS_ERR_FORMAT, "config.json: "
			    "missing \"%s\"", key);
		out[0] = '\0';
		return HS_OK;
	}
	if (!json_is_string(v))
		return hs_fail(err, HS_ERR_FORMAT,
		    "config.json: \"%s\" must be a string", key);
	if (snprintf(out, outsz, "%s", json_string_value(v)) >= (int)outsz)
		return hs_fail(err, HS_ERR_FORMAT,
		    "config.json: \"%s\" is too long", key);
	return HS_OK;
}

/*
 * The hand-off's HMAC key file: opened without following a link, a
 * regular file readable by its owner only, 64-512 hex digits and an
 * optional line end. A key anybody else could read is no shared secret.
 */
static enum hs_err
load_sso_key(const char *path, struct config *c, char *err)
{
	char buf[2 * CONFIG_SSO_KEY_MAX + 4];
	struct stat st;
	ssize_t n;
	size_t len;
	int fd;
	enum hs_err rc = HS_OK;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return hs_fail(err, HS_ERR_IO, "sso_hmac_key_file %s: %s", path,
		    strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return hs_fail(err, HS_ERR_INVALID, "sso_hmac_key_file %s: not "
		    "a regular file", path);
	}
	if ((st.st_mode & 077) != 0) {
		close(fd);
		return hs_fail(err, HS_ERR_INVALID, "sso_hmac_key_file %s: mode "
		    "%03o lets others read the key; chmod 600 it", path,
		    (unsigned)(st.st_mode & 0777));
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0) {
		OPENSSL_cleanse(buf, sizeof(buf));
		return hs_fail(err, HS_ERR_IO, "sso_hmac_key_file %s: %s", path,
		    strerror(errno));
	}
	len = (size_t)n;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	if ((size_t)n == sizeof(buf) || len % 2 != 0 ||
	    len < 2 * CONFIG_SSO_KEY_MIN || len > 2 * CONFIG_SSO_KEY_MAX ||
	    hex_decode(buf, c->sso_hmac_key, len / 2) != 0)
		rc = hs_fail(err, HS_ERR_FORMAT, "sso_hmac_key_file %s: "
		    "expected %d-%d hex digits (openssl rand -hex 32)", path,
		    2 * CONFIG_SSO_KEY_MIN, 2 * CONFIG_SSO_KEY_MAX);
	else
		c->sso_hmac_len = len / 2;
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

/* The hand-off's keys, if config.json names any (config.h). */
static enum hs_err
load_sso(json_t *j, struct config *c, char *err)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	uint8_t raw[33];
	json_t *v;
	enum hs_err rc;

	if ((rc = get_str(j, "sso_hmac_key_file", tmp, sizeof(tmp), false,
	    err)) != HS_OK)
		return rc;
	if (tmp[0] != '\0') {
		if ((rc = absolute(c->data_dir, tmp, path, err)) != HS_OK ||
		    (rc = load_sso_key(path, c, err)) != HS_OK)
			return rc;
	}
	if ((rc = get_str(j, "sso_ed25519_public_key", tmp, sizeof(tmp), false,
	    err)) != HS_OK)
		return rc;
	if (tmp[0] != '\0') {
		if (strlen(tmp) != 44 || b64_decode(tmp, 44, raw,
		    sizeof(raw)) != 32)
			return hs_fail(err, HS_ERR_FORMAT, "config.json: "
			    "\"sso_ed25519_public_key\" must be the standard "
			    "base64 of 32 bytes (44 characters)");
		memcpy(c->sso_ed25519, raw, 32);
		c->sso_has_ed25519 = true;
	}
	/* The RFC 3161 TSA of PAdES signatures (pdf/pades.h), optional. */
	if ((rc = get_str(j, "pades_tsa_url", c->pades_tsa_url,
	    sizeof(c->pades_tsa_url), false, err)) != HS_OK)
		return rc;
	if (c->pades_tsa_url[0] != '\0' && (strncmp(c->pades_tsa_url,
	    "http://", 7) != 0 || has_control(c->pades_tsa_url)))
		return hs_fail(err, HS_ERR_FORMAT, "config.json: "
		    "\"pades_tsa_url\" must be an http:// URL");
	if ((v = json_object_get(j, "pades_tsa_timeout")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > 120)
			return hs_fail(err, HS_ERR_FORMAT, "config.json: "
			    "\"pades_tsa_timeout\" must be a whole number of "
			    "seconds from 1 to 120");
		c->pades_tsa_timeout = (int)json_integer_value(v);
	}
	return HS_OK;
}

enum hs_err
config_load(const char *dir, struct config *c, char *err)
{
	char path[PATH_MAX], tmp[PATH_MAX], tdef[PATH_MAX];
	json_t *j = NULL;
	json_error_t je;
	enum hs_err rc;

	memset(c, 0, sizeof(*c));
	if ((rc = absolute(NULL, dir, c->data_dir, err)) != HS_OK)
		return rc;
	if ((rc = path_join(path, sizeof(path), c->data_dir, "config.json",
	    err)) != HS_OK)
		return rc;
	if (access(path, F_OK) != 0)
		return hs_fail(err, HS_ERR_NOTFOUND,
		    "%s is not an hourseal data directory (no config.json); "
		    "run 'hourseal-issuer init %s' or pass --data DIR", dir,
		    dir);
	if ((j = json_load_file(path, JSON_REJECT_DUPLICATES, &je)) == NULL)
		return hs_fail(err, HS_ERR_FORMAT, "%s:%d: %s", path, je.line,
		    je.text);
	if (!json_is_object(j)) {
		rc = hs_fail(err, HS_ERR_FORMAT, "%s: not a JSON object", path);
		goto out;
	}
	if ((rc = get_str(j, "issuer", c->issuer, sizeof(c->issuer), true,
	    err)) != HS_OK ||
	    (rc = get_str(j, "origin", c->origin, sizeof(c->origin), true,
	    err)) != HS_OK ||
	    (rc = get_str(j, "base_url", c->base_url, sizeof(c->base_url),
	    true, err)) != HS_OK ||
	    (rc = get_str(j, "policy", c->policy, sizeof(c->policy), false,
	    err)) != HS_OK ||
	    (rc = get_str(j, "keys_dir", tmp, sizeof(tmp), false, err))
	    != HS_OK)
		goto out;
	if ((rc = absolute(c->data_dir, tmp[0] ? tmp : "keys", c->keys_dir,
	    err)) != HS_OK)
		goto out;
	if ((rc = get_str(j, "templates_dir", tmp, sizeof(tmp), false, err))
	    != HS_OK)
		goto out;
	path_templates(tdef, sizeof(tdef));
	if ((rc = absolute(c->data_dir, tmp[0] ? tmp : tdef,
	    c->templates_dir, err)) != HS_OK)
		goto out;
	if (c->policy[0] == '\0')
		snprintf(c->policy, sizeof(c->policy), "fujian");
	if ((rc = get_str(j, "time_zone", c->time_zone, sizeof(c->time_zone),
	    false, err)) != HS_OK)
		goto out;
	if (c->time_zone[0] == '\0')
		snprintf(c->time_zone, sizeof(c->time_zone), "%s",
		    HS_TZ_DEFAULT);
	if ((rc = hs_tz_check(c->time_zone, err)) != HS_OK) {
		hs_errprefix(err, "config.json");
		goto out;
	}
	if ((rc = resolve_policy(c, err)) != HS_OK)
		goto out;
	if ((rc = path_join(c->db_path, sizeof(c->db_path), c->data_dir,
	    "hourseal.db", err)) != HS_OK ||
	    (rc = path_join(path, sizeof(path), c->data_dir, "pepper", err))
	    != HS_OK)
		goto out;
	if ((rc = pepper_load(path, c->pepper, err)) != HS_OK)
		goto out;
	rc = load_sso(j, c, err);
out:
	json_decref(j);
	if (rc != HS_OK)
		config_wipe(c);
	return rc;
}

void
config_wipe(struct config *c)
{
	if (c != NULL) {
		pepper_wipe(c->pepper);
		OPENSSL_cleanse(c->sso_hmac_key, sizeof(c->sso_hmac_key));
		c->sso_hmac_len = 0;
	}
}

void
config_id_digest(const struct config *c, const char *id_number, char out[45])
{
	pepper_id_digest(c->pepper, id_number, out);
}
