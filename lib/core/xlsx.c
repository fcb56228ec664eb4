/*
 * xlsx.c - this module reads one worksheet of an .xlsx workbook as rows
 * of text (xlsx.h): libzip opens the archive from memory, and libxml2's
 * streaming reader goes through the workbook (the sheets and the date
 * system), its relationships (where the parts are), the styles (which
 * cells are dates), the shared strings, then the sheet twice (its merged
 * ranges, then its rows). Every part is bounded as it inflates.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/xmlreader.h>
#include <zip.h>

#include "core/util.h"
#include "core/xlsx.h"

#define MAX_SHEETS 1024
#define MAX_XFS 65536
#define MAX_NUMFMTS 4096
#define NAME_MAX_BYTES 512

struct xlsx {
	zip_t *za;
	uint64_t total;               /* bytes inflated so far */
	char *err;
	bool date1904;
	/* The sheets in the workbook's order. */
	struct sheet { char *name, *rid; } sheets[MAX_SHEETS];
	size_t nsheets;
	char *sheet_path, *strings_path, *styles_path;
	/* Styles: which cell formats (the cells' s="") are dates. */
	bool *xf_date;
	size_t nxf;
	/* Shared strings: offsets into strings. */
	struct buf strings;
	size_t *str_off;
	size_t nstr, str_cap;
	/* Merged ranges (0-based, inclusive) and their values. */
	struct merge { uint32_t r1, c1, r2, c2; char *value; } *merges;
	size_t nmerges;
};

/* One part being inflated. */
struct part {
	struct xlsx *x;
	zip_file_t *zf;
	const char *name;
	uint64_t bytes;
	enum hs_err failed;           /* set by the read callback */
	char xmlerr[160];             /* libxml2's first complaint */
};

/* libxml2's complaints: kept (the first) for the message, never printed. */
static void
part_xml_error(void *ctx, xmlErrorPtr e)
{
	struct part *p = ctx;

	if (p->xmlerr[0] == '\0' && e != NULL && e->message != NULL) {
		snprintf(p->xmlerr, sizeof(p->xmlerr), "%s", e->message);
		p->xmlerr[strcspn(p->xmlerr, "\n")] = '\0';
	}
}

bool
xlsx_is_zip(const void *data, size_t len)
{
	return len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0;
}

int
xlsx_serial_days(double serial, bool date1904, long *days)
{
	long s;

	if (!isfinite(serial) || serial < 0 || serial >= 2958466)
		return -1;
	s = (long)floor(serial);
	if (date1904) {
		*days = s - 24107;          /* serial 0: 1904-01-01 */
		return 0;
	}
	if (s == 60 || s == 0)
		return -1;                  /* 1900-02-29, 1900-01-00 */
	/* Serials before 60 are one day later than Excel's count says,
	 * because Excel counts a 1900-02-29. */
	*days = s < 60 ? s - 25568 : s - 25569;
	return 0;
}

static int
part_read(void *ctx, char *buf, int len)
{
	struct part *p = ctx;
	zip_int64_t n;

	if (p->failed != HS_OK)
		return -1;
	n = zip_fread(p->zf, buf, (zip_uint64_t)len);
	if (n < 0) {
		p->failed = hs_fail(p->x->err, HS_ERR_FORMAT, "%s: cannot be "
		    "inflated: %s", p->name, zip_file_strerror(p->zf));
		return -1;
	}
	p->bytes += (uint64_t)n;
	p->x->total += (uint64_t)n;
	if (p->bytes > XLSX_MAX_PART || p->x->total > XLSX_MAX_TOTAL) {
		p->failed = hs_fail(p->x->err, HS_ERR_TOOBIG, "%s inflates "
		    "to more than %llu MiB: refused (a zip bomb?)", p->name,
		    (unsigned long long)((p->bytes > XLSX_MAX_PART ?
		    XLSX_MAX_PART : XLSX_MAX_TOTAL) >> 20));
		return -1;
	}
	return (int)n;
}

static int
part_close(void *ctx)
{
	(void)ctx;
	return 0;
}

/*
 * Opens part name for streaming: checked against the bounds before a
 * byte is inflated. HS_ERR_NOTFOUND if the archive has no such part.
 */
static enum hs_err
part_open(struct xlsx *x, const char *name, struct part *p,
    xmlTextReaderPtr *r)
{
	zip_int64_t i;
	zip_stat_t st;

	memset(p, 0, sizeof(*p));
	p->x = x;
	p->name = name;
	*r = NULL;
	if ((i = zip_name_locate(x->za, name, 0)) < 0)
		return hs_fail(x->err, HS_ERR_NOTFOUND, "%s: not in the "
		    "workbook", name);
	zip_stat_init(&st);
	if (zip_stat_index(x->za, (zip_uint64_t)i, 0, &st) != 0 ||
	    !(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE))
		return hs_fail(x->err, HS_ERR_FORMAT, "%s: unreadable entry",
		    name);
	if (st.size > XLSX_MAX_PART)
		return hs_fail(x->err, HS_ERR_TOOBIG, "%s would inflate to "
		    "%llu MiB (at most %llu): refused", name,
		    (unsigned long long)(st.size >> 20),
		    (unsigned long long)(XLSX_MAX_PART >> 20));
	if (st.size > ((uint64_t)1 << 20) &&
	    st.size / (st.comp_size ? st.comp_size : 1) > XLSX_MAX_RATIO)
		return hs_fail(x->err, HS_ERR_TOOBIG, "%s is compressed "
		    "%llu to 1 (at most %d to 1): refused (a zip bomb?)", name,
		    (unsigned long long)(st.size / (st.comp_size ?
		    st.comp_size : 1)), XLSX_MAX_RATIO);
	if (x->total + st.size > XLSX_MAX_TOTAL)
		return hs_fail(x->err, HS_ERR_TOOBIG, "the workbook inflates "
		    "to more than %llu MiB: refused",
		    (unsigned long long)(XLSX_MAX_TOTAL >> 20));
	if ((p->zf = zip_fopen_index(x->za, (zip_uint64_t)i, 0)) == NULL)
		return hs_fail(x->err, HS_ERR_FORMAT, "%s: %s", name,
		    zip_strerror(x->za));
	*r = xmlReaderForIO(part_read, part_close, p, name, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (*r == NULL) {
		zip_fclose(p->zf);
		p->zf = NULL;
		return hs_fail(x->err, HS_ERR_NOMEM, "out of memory");
	}
	xmlTextReaderSetStructuredErrorHandler(*r, part_xml_error, p);
	return HS_OK;
}

static void
part_close_all(struct part *p, xmlTextReaderPtr r)
{
	if (r != NULL)
		xmlFreeTextReader(r);
	if (p->zf != NULL)
		zip_fclose(p->zf);
	p->zf = NULL;
}

/*
 * The next node of r: 1, 0 at the end, or -1 with x->err set (bad XML,
 * a DTD, too deep, or the part's own failure).
 */
static int
next_node(struct xlsx *x, struct part *p, xmlTextReaderPtr r)
{
	int k = xmlTextReaderRead(r);

	if (p->failed != HS_OK)
		return -1;
	if (k < 0) {
		hs_fail(x->err, HS_ERR_FORMAT, "%s: not well-formed XML%s%.80s",
		    p->name, p->xmlerr[0] ? ": " : "", p->xmlerr);
		return -1;
	}
	if (k == 0)
		return 0;
	if (xmlTextReaderNodeType(r) == XML_READER_TYPE_DOCUMENT_TYPE) {
		p->failed = hs_fail(x->err, HS_ERR_FORMAT, "%s: a DOCTYPE "
		    "(DTD) is not allowed in a workbook", p->name);
		return -1;
	}
	if (xmlTextReaderNodeType(r) == XML_READER_TYPE_ENTITY_REFERENCE) {
		p->failed = hs_fail(x->err, HS_ERR_FORMAT, "%s: entity "
		    "references are not allowed", p->name);
		return -1;
	}
	if (xmlTextReaderDepth(r) > XLSX_MAX_DEPTH) {
		p->failed = hs_fail(x->err, HS_ERR_TOOBIG, "%s: elements "
		    "nested more than %d deep", p->name, XLSX_MAX_DEPTH);
		return -1;
	}
	return 1;
}

/* The element's local name, or "" if the node is not an element. */
static const char *
elem(xmlTextReaderPtr r)
{
	const xmlChar *n;

	if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT &&
	    xmlTextReaderNodeType(r) != XML_READER_TYPE_END_ELEMENT)
		return "";
	n = xmlTextReaderConstLocalName(r);
	return n ? (const char *)n : "";
}

static bool
is_start(xmlTextReaderPtr r, const char *name)
{
	return xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT &&
	    strcmp(elem(r), name) == 0;
}

static bool
is_end(xmlTextReaderPtr r, const char *name)
{
	return (xmlTextReaderNodeType(r) == XML_READER_TYPE_END_ELEMENT ||
	    (xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT &&
	    xmlTextReaderIsEmptyElement(r))) && strcmp(elem(r), name) == 0;
}

/*
 * The value of the current element's attribute whose local name is
 * name (any prefix) into out (outsz bytes); false if it has none or the
 * value does not fit.
 */
static bool
attr(xmlTextReaderPtr r, const char *name, char *out, size_t outsz)
{
	bool found = false;

	out[0] = '\0';
	if (xmlTextReaderMoveToFirstAttribute(r) != 1)
		return false;
	do {
		const xmlChar *n = xmlTextReaderConstLocalName(r);
		const xmlChar *v = xmlTextReaderConstValue(r);

		if (n != NULL && v != NULL && strcmp((const char *)n, name) ==
		    0 && strlen((const char *)v) < outsz) {
			memcpy(out, v, strlen((const char *)v) + 1);
			found = true;
			break;
		}
	} while (xmlTextReaderMoveToNextAttribute(r) == 1);
	xmlTextReaderMoveToElement(r);
	return found;
}

/* Text of a text node into b, bounded by XLSX_MAX_TEXT. */
static int
add_text(struct xlsx *x, const struct part *p, xmlTextReaderPtr r,
    struct buf *b)
{
	int t = xmlTextReaderNodeType(r);
	const xmlChar *v;

	if (t != XML_READER_TYPE_TEXT && t != XML_READER_TYPE_CDATA &&
	    t != XML_READER_TYPE_WHITESPACE &&
	    t != XML_READER_TYPE_SIGNIFICANT_WHITESPACE)
		return 0;
	if ((v = xmlTextReaderConstValue(r)) == NULL)
		return 0;
	if (b->len + strlen((const char *)v) > XLSX_MAX_TEXT) {
		hs_fail(x->err, HS_ERR_TOOBIG, "%s: a text longer than %d "
		    "bytes", p->name, XLSX_MAX_TEXT);
		return -1;
	}
	buf_puts(b, (const char *)v);
	return 0;
}

/* ---- the workbook and its relationships -------------------------------- */

static enum hs_err
read_workbook(struct xlsx *x)
{
	struct part p;
	xmlTextReaderPtr r;
	char name[NAME_MAX_BYTES], rid[256], v[16];
	enum hs_err rc;
	int k;

	if ((rc = part_open(x, "xl/workbook.xml", &p, &r)) != HS_OK) {
		if (rc == HS_ERR_NOTFOUND)
			return hs_fail(x->err, HS_ERR_FORMAT, "not an .xlsx "
			    "workbook (it has no xl/workbook.xml)");
		return rc;
	}
	while ((k = next_node(x, &p, r)) == 1) {
		if (is_start(r, "workbookPr") && attr(r, "date1904", v,
		    sizeof(v)))
			x->date1904 = strcmp(v, "1") == 0 ||
			    strcasecmp(v, "true") == 0;
		if (!is_start(r, "sheet"))
			continue;
		if (x->nsheets == MAX_SHEETS) {
			rc = hs_fail(x->err, HS_ERR_TOOBIG, "more than %d "
			    "sheets", MAX_SHEETS);
			goto out;
		}
		if (!attr(r, "name", name, sizeof(name)) ||
		    !attr(r, "id", rid, sizeof(rid))) {
			rc = hs_fail(x->err, HS_ERR_FORMAT, "xl/workbook.xml: a "
			    "sheet without a name or relationship");
			goto out;
		}
		x->sheets[x->nsheets].name = strdup(name);
		x->sheets[x->nsheets].rid = strdup(rid);
		if (x->sheets[x->nsheets].name == NULL ||
		    x->sheets[x->nsheets++].rid == NULL) {
			rc = hs_fail(x->err, HS_ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	rc = k < 0 ? HS_ERR_FORMAT : HS_OK;
	if (k < 0 && p.failed != HS_OK)
		rc = p.failed;
	if (rc == HS_OK && x->nsheets == 0)
		rc = hs_fail(x->err, HS_ERR_FORMAT, "the workbook has no "
		    "sheet");
out:
	part_close_all(&p, r);
	return rc;
}

/* "worksheets/sheet1.xml" relative to xl/, or "/xl/..." absolute. */
static char *
part_path(const char *target)
{
	char path[NAME_MAX_BYTES + 8];

	if (target[0] == '/')
		snprintf(path, sizeof(path), "%s", target + 1);
	else
		snprintf(path, sizeof(path), "xl/%s", target);
	return strdup(path);
}

/* Finds the chosen sheet's part, the shared strings and the styles. */
static enum hs_err
read_rels(struct xlsx *x, const char *want_rid)
{
	struct part p;
	xmlTextReaderPtr r;
	char id[256], type[NAME_MAX_BYTES], target[NAME_MAX_BYTES];
	const char *t;
	enum hs_err rc;
	int k;

	if ((rc = part_open(x, "xl/_rels/workbook.xml.rels", &p, &r)) !=
	    HS_OK) {
		if (rc == HS_ERR_NOTFOUND)
			return hs_fail(x->err, HS_ERR_FORMAT, "not an .xlsx "
			    "workbook (it has no xl/_rels/workbook.xml.rels)");
		return rc;
	}
	while ((k = next_node(x, &p, r)) == 1) {
		if (!is_start(r, "Relationship") || !attr(r, "Id", id,
		    sizeof(id)) || !attr(r, "Type", type, sizeof(type)) ||
		    !attr(r, "Target", target, sizeof(target)))
			continue;
		t = strrchr(type, '/');
		t = t ? t + 1 : type;
		if (strcmp(id, want_rid) == 0 && x->sheet_path == NULL)
			x->sheet_path = part_path(target);
		else if (strcmp(t, "sharedStrings") == 0 &&
		    x->strings_path == NULL)
			x->strings_path = part_path(target);
		else if (strcmp(t, "styles") == 0 && x->styles_path == NULL)
			x->styles_path = part_path(target);
	}
	rc = k < 0 ? (p.failed != HS_OK ? p.failed : HS_ERR_FORMAT) : HS_OK;
	if (rc == HS_OK && x->sheet_path == NULL)
		rc = hs_fail(x->err, HS_ERR_FORMAT, "the sheet's part is not "
		    "in xl/_rels/workbook.xml.rels");
	part_close_all(&p, r);
	return rc;
}

/* ---- styles: which cells are dates --------------------------------------- */

/* A custom number format that shows a date: y or d outside quotes,
 * brackets and escapes ("yyyy/m/d", "yyyy\"年\"m\"月\"d\"日\""). */
static bool
format_is_date(const char *f)
{
	for (; *f != '\0'; f++) {
		if (*f == '"') {
			f = strchr(f + 1, '"');
			if (f == NULL)
				return false;
		} else if (*f == '[') {
			f = strchr(f + 1, ']');
			if (f == NULL)
				return false;
		} else if (*f == '\\' || *f == '_' || *f == '*') {
			if (f[1] == '\0')
				return false;
			f++;
		} else if (*f == 'y' || *f == 'Y' || *f == 'd' || *f == 'D' ||
		    *f == 'e' || *f == 'E')
			return true;
	}
	return false;
}

/* Built-in date formats: 14-22 and the Chinese locale's 27-36, 50-58. */
static bool
builtin_is_date(long id)
{
	return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) ||
	    (id >= 50 && id <= 58);
}

static enum hs_err
read_styles(struct xlsx *x)
{
	struct part p;
	xmlTextReaderPtr r;
	char v[32], code[1024];
	long custom[MAX_NUMFMTS];
	size_t ncustom = 0, i;
	bool in_xfs = false, date;
	enum hs_err rc;
	long id;
	int k;

	if (x->styles_path == NULL)
		return HS_OK;
	if ((rc = part_open(x, x->styles_path, &p, &r)) != HS_OK)
		return rc == HS_ERR_NOTFOUND ? HS_OK : rc;
	while ((k = next_node(x, &p, r)) == 1) {
		if (is_start(r, "numFmt") && attr(r, "numFmtId", v,
		    sizeof(v)) && attr(r, "formatCode", code, sizeof(code)) &&
		    format_is_date(code) && ncustom < MAX_NUMFMTS)
			custom[ncustom++] = atol(v);
		if (is_start(r, "cellXfs") && !xmlTextReaderIsEmptyElement(r))
			in_xfs = true;
		else if (is_end(r, "cellXfs"))
			in_xfs = false;
		else if (in_xfs && is_start(r, "xf")) {
			if (x->nxf == MAX_XFS) {
				rc = hs_fail(x->err, HS_ERR_TOOBIG, "%s: more "
				    "than %d cell formats", x->styles_path,
				    MAX_XFS);
				goto out;
			}
			id = attr(r, "numFmtId", v, sizeof(v)) ? atol(v) : 0;
			date = builtin_is_date(id);
			for (i = 0; i < ncustom && !date; i++)
				date = custom[i] == id;
			if (x->xf_date == NULL && (x->xf_date = calloc(MAX_XFS,
			    sizeof(bool))) == NULL) {
				rc = hs_fail(x->err, HS_ERR_NOMEM, "out of memory");
				goto out;
			}
			x->xf_date[x->nxf++] = date;
		}
	}
	rc = k < 0 ? (p.failed != HS_OK ? p.failed : HS_ERR_FORMAT) : HS_OK;
out:
	part_close_all(&p, r);
	return rc;
}

/* ---- shared strings ------------------------------------------------------ */

static enum hs_err
read_strings(struct xlsx *x)
{
	struct part p;
	xmlTextReaderPtr r;
	struct buf si;
	int k, in_t = 0, in_rph = 0;
	enum hs_err rc;

	if (x->strings_path == NULL)
		return HS_OK;
	if ((rc = part_open(x, x->strings_path, &p, &r)) != HS_OK)
		return rc == HS_ERR_NOTFOUND ? HS_OK : rc;
	buf_init(&si);
	while ((k = next_node(x, &p, r)) == 1) {
		if (is_start(r, "si")) {
			buf_reset(&si);
			in_t = in_rph = 0;
		}
		if (is_start(r, "rPh") && !xmlTextReaderIsEmptyElement(r))
			in_rph = 1;
		else if (is_end(r, "rPh"))
			in_rph = 0;
		if (is_start(r, "t") && !xmlTextReaderIsEmptyElement(r))
			in_t = 1;
		else if (is_end(r, "t"))
			in_t = 0;
		else if (in_t && !in_rph && add_text(x, &p, r, &si) != 0) {
			rc = x->err[0] ? HS_ERR_TOOBIG : HS_ERR_FORMAT;
			goto out;
		}
		if (!is_end(r, "si"))
			continue;
		if (x->nstr == XLSX_MAX_STRINGS ||
		    x->strings.len + si.len + 1 > XLSX_MAX_STRBYTES) {
			rc = hs_fail(x->err, HS_ERR_TOOBIG, "%s: more than %d "
			    "shared strings or %zu MiB of them: refused",
			    x->strings_path, XLSX_MAX_STRINGS,
			    XLSX_MAX_STRBYTES >> 20);
			goto out;
		}
		if (x->nstr == x->str_cap) {
			size_t cap = x->str_cap ? x->str_cap * 2 : 1024;
			size_t *t = realloc(x->str_off, cap * sizeof(*t));

			if (t == NULL) {
				rc = hs_fail(x->err, HS_ERR_NOMEM, "out of "
				    "memory");
				goto out;
			}
			x->str_off = t;
			x->str_cap = cap;
		}
		x->str_off[x->nstr++] = x->strings.len;
		buf_add(&x->strings, si.data ? si.data : "", si.len);
		buf_putc(&x->strings, '\0');
		if (x->strings.oom) {
			rc = hs_fail(x->err, HS_ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	rc = k < 0 ? (p.failed != HS_OK ? p.failed : HS_ERR_FORMAT) : HS_OK;
out:
	buf_free(&si);
	part_close_all(&p, r);
	return rc;
}

/* ---- the sheet ------------------------------------------------------------ */

/*
 * "B12" -> column 1, row 12 (row 0 if the reference has no digits).
 * -1 if it is not a cell reference.
 */
static int
cell_ref(const char *s, uint32_t *col, uint32_t *row)
{
	uint32_t c = 0, r = 0;
	int letters = 0, digits = 0;

	if (s[0] == '$')
		s++;
	for (; (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'); s++) {
		if (++letters > 3)
			return -1;
		c = c * 26 + (uint32_t)((*s | 0x20) - 'a' + 1);
	}
	if (*s == '$')
		s++;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (++digits > 7)
			return -1;
		r = r * 10 + (uint32_t)(*s - '0');
	}
	if (*s != '\0' || letters == 0 || c > 16384)
		return -1;
	*col = c - 1;
	*row = r;
	return 0;
}

/* First pass: the merged ranges. */
static enum hs_err
read_merges(struct xlsx *x)
{
	struct part p;
	xmlTextReaderPtr r;
	char ref[64], *colon;
	struct merge m;
	enum hs_err rc = HS_OK;
	int k;

	if ((rc = part_open(x, x->sheet_path, &p, &r)) != HS_OK)
		return rc == HS_ERR_NOTFOUND ? hs_fail(x->err, HS_ERR_FORMAT,
		    "%s: not in the workbook", x->sheet_path) : rc;
	while ((k = next_node(x, &p, r)) == 1) {
		if (!is_start(r, "mergeCell") || !attr(r, "ref", ref,
		    sizeof(ref)) || (colon = strchr(ref, ':')) == NULL)
			continue;
		*colon = '\0';
		memset(&m, 0, sizeof(m));
		if (cell_ref(ref, &m.c1, &m.r1) != 0 || cell_ref(colon + 1,
		    &m.c2, &m.r2) != 0 || m.r1 == 0 || m.r2 < m.r1 ||
		    m.c2 < m.c1)
			continue;
		if (x->nmerges == XLSX_MAX_MERGES) {
			rc = hs_fail(x->err, HS_ERR_TOOBIG, "%s: more than %d "
			    "merged ranges", x->sheet_path, XLSX_MAX_MERGES);
			break;
		}
		if (x->merges == NULL && (x->merges = calloc(XLSX_MAX_MERGES,
		    sizeof(*x->merges))) == NULL) {
			rc = hs_fail(x->err, HS_ERR_NOMEM, "out of memory");
			break;
		}
		x->merges[x->nmerges++] = m;
	}
	if (rc == HS_OK && k < 0)
		rc = p.failed != HS_OK ? p.failed : HS_ERR_FORMAT;
	part_close_all(&p, r);
	return rc;
}

/* One row being read: its cells' text in cells, at off[col]. */
struct row {
	uint32_t num;
	struct buf text;
	size_t *off;                  /* (size_t)-1: empty */
	size_t ncells, max_cols;
	bool any;                     /* a cell with a value */
};

/* The text of a cell (type t, style s, raw value v) into out. */
static enum hs_err
cell_text(struct xlsx *x, const char *t, long s, const char *v,
    struct buf *out)
{
	double d;
	char *end, num[40], date[11];
	long days, idx;

	if (strcmp(t, "s") == 0) {
		idx = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || idx < 0 ||
		    (size_t)idx >= x->nstr)
			return hs_fail(x->err, HS_ERR_FORMAT, "%s: shared "
			    "string %.20s does not exist", x->sheet_path, v);
		buf_puts(out, x->strings.data + x->str_off[idx]);
		return HS_OK;
	}
	if (strcmp(t, "b") == 0) {
		buf_puts(out, strcmp(v, "1") == 0 ? "TRUE" : "FALSE");
		return HS_OK;
	}
	if (strcmp(t, "d") == 0) {
		/* An ISO 8601 date: its date. */
		buf_add(out, v, strlen(v) >= 10 && v[4] == '-' ? 10 : strlen(v));
		return HS_OK;
	}
	if (strcmp(t, "n") != 0 && t[0] != '\0') {
		buf_puts(out, v);           /* str, inlineStr, e */
		return HS_OK;
	}
	d = strtod(v, &end);
	if (*v == '\0' || *end != '\0' || !isfinite(d)) {
		buf_puts(out, v);
		return HS_OK;
	}
	if (s >= 0 && (size_t)s < x->nxf && x->xf_date[s] && d >= 1) {
		if (xlsx_serial_days(d, x->date1904, &days) == 0) {
			date_format(days, date);
			buf_puts(out, date);
		} else
			buf_puts(out, "1900-02-29");   /* serial 60 */
		return HS_OK;
	}
	snprintf(num, sizeof(num), "%.15G", d);
	buf_puts(out, num);
	return HS_OK;
}

/* Stores the finished cell's text (in val) at column col. */
static enum hs_err
put_cell(struct xlsx *x, struct row *w, uint32_t col, const struct buf *val)
{
	if (col >= w->max_cols) {
		if (val->len == 0)
			return HS_OK;
		return hs_fail(x->err, HS_ERR_FORMAT, "%s: row %u has a value "
		    "past column %zu", x->sheet_path, w->num, w->max_cols);
	}
	w->off[col] = w->text.len;
	buf_add(&w->text, val->data ? val->data : "", val->len);
	buf_putc(&w->text, '\0');
	if (col + 1 > w->ncells)
		w->ncells = col + 1;
	w->any = true;
	return w->text.oom ? hs_fail(x->err, HS_ERR_NOMEM, "out of memory") :
	    HS_OK;
}

/* The row's merged cells filled, then the row to fn. */
static enum hs_err
emit_row(struct xlsx *x, struct row *w, xlsx_row_fn fn, void *ctx,
    const char **cells)
{
	size_t i, c;
	struct merge *m;
	enum hs_err rc;

	for (i = 0; i < x->nmerges; i++) {
		m = &x->merges[i];
		if (w->num == m->r1 && m->value == NULL) {
			const char *v = m->c1 < w->ncells && w->off[m->c1] !=
			    (size_t)-1 ? w->text.data + w->off[m->c1] : "";

			if ((m->value = strdup(v)) == NULL)
				return hs_fail(x->err, HS_ERR_NOMEM, "out of "
				    "memory");
		}
	}
	for (c = 0; c < w->max_cols; c++)
		cells[c] = c < w->ncells && w->off[c] != (size_t)-1 ?
		    w->text.data + w->off[c] : "";
	for (i = 0; i < x->nmerges; i++) {
		m = &x->merges[i];
		if (w->num < m->r1 || w->num > m->r2 || m->value == NULL ||
		    m->value[0] == '\0')
			continue;
		for (c = m->c1; c <= m->c2 && c < w->max_cols; c++) {
			if (cells[c][0] != '\0')
				continue;
			cells[c] = m->value;
			if (c + 1 > w->ncells)
				w->ncells = c + 1;
		}
	}
	if ((rc = fn(ctx, w->num, w->ncells, cells, x->err)) != HS_OK)
		return rc;
	return HS_OK;
}

static enum hs_err
read_rows(struct xlsx *x, size_t max_cols, xlsx_row_fn fn, void *ctx)
{
	struct part p;
	xmlTextReaderPtr r;
	struct row w;
	struct buf val;
	const char **cells = NULL;
	char ref[32], t[16], s[16], rn[16];
	uint32_t col = 0, next_col = 0, rr, last_row = 0;
	long style = -1;
	bool in_c = false, in_v = false, in_t = false, in_rph = false,
	    has_val = false;
	enum hs_err rc;
	int k;
	size_t i;

	memset(&w, 0, sizeof(w));
	buf_init(&w.text);
	buf_init(&val);
	w.max_cols = max_cols;
	if ((w.off = malloc(max_cols * sizeof(*w.off))) == NULL ||
	    (cells = malloc(max_cols * sizeof(*cells))) == NULL) {
		free(w.off);
		return hs_fail(x->err, HS_ERR_NOMEM, "out of memory");
	}
	if ((rc = part_open(x, x->sheet_path, &p, &r)) != HS_OK)
		goto done;
	t[0] = '\0';
	while ((k = next_node(x, &p, r)) == 1) {
		if (is_start(r, "row")) {
			w.num = attr(r, "r", rn, sizeof(rn)) ?
			    (uint32_t)strtoul(rn, NULL, 10) : last_row + 1;
			if (w.num <= last_row || w.num > 1048576) {
				rc = hs_fail(x->err, HS_ERR_FORMAT, "%s: row "
				    "%.15s out of order", x->sheet_path, rn);
				goto out;
			}
			last_row = w.num;
			buf_reset(&w.text);
			for (i = 0; i < max_cols; i++)
				w.off[i] = (size_t)-1;
			w.ncells = 0;
			w.any = false;
			next_col = 0;
		}
		if (is_start(r, "c")) {
			col = next_col;
			if (attr(r, "r", ref, sizeof(ref)) &&
			    cell_ref(ref, &col, &rr) != 0) {
				rc = hs_fail(x->err, HS_ERR_FORMAT, "%s: bad cell "
				    "reference %.20s", x->sheet_path, ref);
				goto out;
			}
			next_col = col + 1;
			if (!attr(r, "t", t, sizeof(t)))
				t[0] = '\0';
			style = attr(r, "s", s, sizeof(s)) ? atol(s) : -1;
			buf_reset(&val);
			has_val = false;
			in_c = !xmlTextReaderIsEmptyElement(r);
			continue;
		}
		if (in_c && (is_start(r, "v") || is_start(r, "is")))
			has_val = true;
		if (in_c && is_start(r, "v") && !xmlTextReaderIsEmptyElement(r))
			in_v = true;
		else if (is_end(r, "v"))
			in_v = false;
		else if (in_c && is_start(r, "rPh") &&
		    !xmlTextReaderIsEmptyElement(r))
			in_rph = true;
		else if (is_end(r, "rPh"))
			in_rph = false;
		else if (in_c && is_start(r, "t") &&
		    !xmlTextReaderIsEmptyElement(r))
			in_t = true;
		else if (is_end(r, "t"))
			in_t = false;
		else if ((in_v || (in_t && !in_rph)) && add_text(x, &p, r,
		    &val) != 0) {
			rc = HS_ERR_TOOBIG;
			goto out;
		}
		if (in_c && is_end(r, "c")) {
			in_c = in_v = in_t = in_rph = false;
			if (has_val) {
				struct buf cell;

				buf_init(&cell);
				buf_putc(&val, '\0');
				rc = strcmp(t, "inlineStr") == 0 ?
				    (buf_puts(&cell, val.data), HS_OK) :
				    cell_text(x, t, style, val.data, &cell);
				if (rc == HS_OK)
					rc = put_cell(x, &w, col, &cell);
				buf_free(&cell);
				if (rc != HS_OK)
					goto out;
			}
		}
		if (is_end(r, "row") && w.num != 0) {
			if (w.any && (rc = emit_row(x, &w, fn, ctx, cells)) !=
			    HS_OK)
				goto out;
			w.num = 0;
		}
	}
	rc = k < 0 ? (p.failed != HS_OK ? p.failed : (x->err[0] ?
	    HS_ERR_FORMAT : hs_fail(x->err, HS_ERR_FORMAT, "%s: bad XML",
	    x->sheet_path))) : HS_OK;
out:
	part_close_all(&p, r);
done:
	buf_free(&w.text);
	buf_free(&val);
	free(w.off);
	free(cells);
	return rc;
}

static void
xlsx_free(struct xlsx *x)
{
	size_t i;

	for (i = 0; i < x->nsheets; i++) {
		free(x->sheets[i].name);
		free(x->sheets[i].rid);
	}
	for (i = 0; i < x->nmerges; i++)
		free(x->merges[i].value);
	free(x->merges);
	free(x->sheet_path);
	free(x->strings_path);
	free(x->styles_path);
	free(x->xf_date);
	free(x->str_off);
	buf_free(&x->strings);
	if (x->za != NULL)
		zip_discard(x->za);
}

/* libxml2 is set up once, before any thread parses. */
static void
xml_init(void)
{
	xmlInitParser();
}

enum hs_err
xlsx_read(const void *data, size_t len, const char *sheet, size_t max_cols,
    xlsx_row_fn fn, void *ctx, char *err)
{
	struct xlsx *x;
	zip_source_t *src;
	zip_error_t ze;
	zip_int64_t n;
	const char *rid = NULL;
	struct buf names;
	enum hs_err rc;
	size_t i;

	static pthread_once_t once = PTHREAD_ONCE_INIT;

	err[0] = '\0';
	pthread_once(&once, xml_init);
	if (!xlsx_is_zip(data, len))
		return hs_fail(err, HS_ERR_FORMAT, "not an .xlsx workbook (not "
		    "a zip archive)");
	if (max_cols == 0)
		return hs_fail(err, HS_ERR_INVALID, "no columns to read");
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	x->err = err;
	buf_init(&x->strings);
	zip_error_init(&ze);
	if ((src = zip_source_buffer_create(data, len, 0, &ze)) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((x->za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS,
	    &ze)) == NULL) {
		zip_source_free(src);
		rc = hs_fail(err, HS_ERR_FORMAT, "not an .xlsx workbook: %s",
		    zip_error_strerror(&ze));
		goto out;
	}
	n = zip_get_num_entries(x->za, 0);
	if (n < 0 || n > XLSX_MAX_ENTRIES) {
		rc = hs_fail(err, HS_ERR_TOOBIG, "the workbook has more than %d "
		    "parts: refused", XLSX_MAX_ENTRIES);
		goto out;
	}
	if ((rc = read_workbook(x)) != HS_OK)
		goto out;
	for (i = 0; i < x->nsheets && rid == NULL; i++)
		if (sheet == NULL || strcmp(x->sheets[i].name, sheet) == 0)
			rid = x->sheets[i].rid;
	if (rid == NULL) {
		buf_init(&names);
		for (i = 0; i < x->nsheets && i < 20; i++) {
			buf_puts(&names, i ? ", \"" : "\"");
			buf_puts(&names, x->sheets[i].name);
			buf_putc(&names, '"');
		}
		rc = hs_fail(err, HS_ERR_FORMAT, "no sheet named \"%.100s\" "
		    "(the workbook has %.300s)", sheet, names.data ?
		    names.data : "none");
		buf_free(&names);
		goto out;
	}
	if ((rc = read_rels(x, rid)) != HS_OK ||
	    (rc = read_styles(x)) != HS_OK ||
	    (rc = read_strings(x)) != HS_OK ||
	    (rc = read_merges(x)) != HS_OK)
		goto out;
	rc = read_rows(x, max_cols, fn, ctx);
out:
	xlsx_free(x);
	free(x);
	xmlResetLastError();
	return rc;
}
