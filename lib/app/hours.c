/*
 * hours.c - this module answers a title system's question about one
 * practitioner's hours: it validates the request body, finds the person
 * by id-digest within the token's region, evaluates each year exactly as
 * `summary` does and lists the year's valid certificates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "app/hours.h"
#include "cert/cert.h"
#include "store/certs.h"
#include "store/config.h"
#include "store/lookup.h"
#include "store/records.h"
#include "core/util.h"

/* A region scope: 2..12 digits. */
static bool
region_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 2 && n <= 12 && strspn(s, "0123456789") == n;
}

enum hs_err
hours_request_parse(const char *body, size_t len, long today, struct hours_query *q,
    char *err)
{
	json_t *j = NULL, *id, *years, *v;
	json_error_t je;
	const char *key;
	char reason[HS_ERRLEN];
	enum hs_err rc = HS_ERR_INVALID;
	size_t i, k;

	memset(q, 0, sizeof(*q));
	if (len > HOURS_MAX_BODY)
		return hs_fail(err, HS_ERR_TOOBIG, "body: longer than %d bytes",
		    HOURS_MAX_BODY);
	if (!utf8_valid(body, len))
		return hs_fail(err, HS_ERR_FORMAT, "body: not valid UTF-8");
	/* The ID may sit in the parser's message: never pass je.text on. */
	j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL) {
		rc = hs_fail(err, HS_ERR_FORMAT, "body: not valid JSON (or a key "
		    "given twice) near line %d, column %d", je.line, je.column);
		goto out;
	}
	if (!json_is_object(j)) {
		rc = hs_fail(err, HS_ERR_INVALID, "body: must be a JSON object");
		goto out;
	}
	json_object_foreach(j, key, v) {
		if (strcmp(key, "id_number") != 0 && strcmp(key, "years") != 0) {
			rc = hs_fail(err, HS_ERR_INVALID, "body: unknown key "
			    "\"%.40s\" (known: id_number, years)", key);
			goto out;
		}
	}
	id = json_object_get(j, "id_number");
	if (id == NULL || !json_is_string(id)) {
		rc = hs_fail(err, HS_ERR_INVALID, "id_number: required, a "
		    "string");
		goto out;
	}
	if (idnum_validate(json_string_value(id), today, q->id_number,
	    reason) != HS_OK) {
		rc = hs_fail(err, HS_ERR_INVALID, "id_number: %s", reason);
		goto out;
	}
	years = json_object_get(j, "years");
	if (years == NULL || !json_is_array(years) ||
	    json_array_size(years) == 0 ||
	    json_array_size(years) > HOURS_MAX_YEARS) {
		rc = hs_fail(err, HS_ERR_INVALID, "years: required, an array of "
		    "1 to %d years", HOURS_MAX_YEARS);
		goto out;
	}
	json_array_foreach(years, i, v) {
		json_int_t y;

		if (!json_is_integer(v)) {
			rc = hs_fail(err, HS_ERR_INVALID, "years: item %zu is not "
			    "an integer (write 2024, not \"2024\")", i + 1);
			goto out;
		}
		y = json_integer_value(v);
		if (y < HOURS_YEAR_MIN || y > HOURS_YEAR_MAX) {
			rc = hs_fail(err, HS_ERR_INVALID, "years: %lld is outside "
			    "%d..%d", (long long)y, HOURS_YEAR_MIN,
			    HOURS_YEAR_MAX);
			goto out;
		}
		for (k = 0; k < q->nyears; k++)
			if (q->years[k] == (int)y) {
				rc = hs_fail(err, HS_ERR_INVALID, "years: %lld is "
				    "given twice", (long long)y);
				goto out;
			}
		q->years[q->nyears++] = (int)y;
	}
	rc = HS_OK;
out:
	if (rc != HS_OK)
		OPENSSL_cleanse(q, sizeof(*q));
	json_decref(j);
	return rc;
}

/* The valid certificates of practitioner pid for y->year. */
static enum hs_err
year_serials(sqlite3 *db, int64_t pid, struct hours_year *y, char *err)
{
	struct certs_filter f;
	struct certs_iter *it = NULL;
	struct certs_row row;
	enum hs_err rc;

	memset(&f, 0, sizeof(f));
	f.year = y->year;
	f.practitioner_id = pid;
	f.state = CERTS_VALID;
	if ((rc = certs_iter_open(db, &f, &it, err)) != HS_OK)
		return rc;
	while ((rc = certs_iter_next(it, &row, err)) == HS_OK)
		if (y->nserials < HOURS_MAX_SERIALS)
			snprintf(y->serials[y->nserials++], SERIAL_SIZE, "%s",
			    row.serial);
	certs_iter_free(it);
	return rc == HS_ERR_NOTFOUND ? HS_OK : rc;
}

enum hs_err
hours_lookup(sqlite3 *db, const struct config *cfg, const struct policy *pol,
    const char *region, const struct hours_query *q, struct hours_answer *a,
    char *err)
{
	char digest[PEPPER_DIGEST_SIZE];
	int64_t pid;
	size_t i;
	enum hs_err rc;

	memset(a, 0, sizeof(*a));
	if (!region_valid(region))
		return hs_fail(err, HS_ERR_INVALID, "region: must be 2 to 12 "
		    "digits");
	config_id_digest(cfg, q->id_number, digest);
	rc = lookup_person_digest(db, digest, region, false, &pid,
	    a->id_masked, err);
	OPENSSL_cleanse(digest, sizeof(digest));
	if (rc != HS_OK)
		return rc;
	for (i = 0; i < q->nyears; i++) {
		if ((rc = hours_year(db, pol, pid, q->years[i], &a->years[i],
		    err)) != HS_OK)
			return rc;
		a->nyears++;
	}
	return HS_OK;
}

enum hs_err
hours_year(sqlite3 *db, const struct policy *pol, int64_t pid, int year,
    struct hours_year *y, char *err)
{
	struct cert_record *recs = NULL;
	enum hs_err rc;

	memset(y, 0, sizeof(*y));
	y->year = year;
	/* The same records and arithmetic as summary and issue. */
	if ((rc = records_stamped(db, pid, y->year, pol, &recs, NULL,
	    &y->nrecords, err)) != HS_OK)
		return rc;
	policy_evaluate(pol, recs, y->nrecords, &y->r);
	free(recs);
	return year_serials(db, pid, y, err);
}

/* Tenths as a JSON number: 30 or 12.5. */
static json_t *
hours_value(long tenths)
{
	if (tenths % 10 == 0)
		return json_integer(tenths / 10);
	return json_real((double)tenths / 10.0);
}

enum hs_err
hours_to_json(const struct hours_answer *a, const struct policy *pol,
    char **out, char *err)
{
	bool split = policy_split_public(pol);
	json_t *root, *arr, *o, *req, *ser;
	size_t i, k;

	*out = NULL;
	root = json_object();
	arr = json_array();
	json_object_set_new(root, "id", json_string(a->id_masked));
	json_object_set_new(root, "policy", json_string(policy_name(pol)));
	json_object_set_new(root, "years", arr);
	for (i = 0; i < a->nyears; i++) {
		const struct hours_year *y = &a->years[i];

		o = json_object();
		req = json_object();
		ser = json_array();
		json_object_set_new(o, "year", json_integer(y->year));
		json_object_set_new(o, "public", hours_value(y->r.public10));
		if (split) {
			json_object_set_new(o, "compulsory",
			    hours_value(y->r.compulsory10));
			json_object_set_new(o, "elective",
			    hours_value(y->r.elective10));
		}
		json_object_set_new(o, "professional",
		    hours_value(y->r.professional10));
		json_object_set_new(o, "total", hours_value(y->r.total10));
		json_object_set_new(req, "total",
		    hours_value(policy_req_total10(pol)));
		json_object_set_new(req, "public",
		    hours_value(policy_req_public10(pol)));
		if (split) {
			json_object_set_new(req, "compulsory",
			    hours_value(policy_req_compulsory10(pol)));
			json_object_set_new(req, "elective",
			    hours_value(policy_req_elective10(pol)));
		}
		json_object_set_new(req, "professional",
		    hours_value(policy_req_professional10(pol)));
		json_object_set_new(o, "requirement", req);
		json_object_set_new(o, "met", json_boolean(y->r.met));
		json_object_set_new(o, "records",
		    json_integer((json_int_t)y->nrecords));
		for (k = 0; k < y->nserials; k++)
			json_array_append_new(ser, json_string(y->serials[k]));
		json_object_set_new(o, "serials", ser);
		json_array_append_new(arr, o);
	}
	*out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (*out == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	return HS_OK;
}
