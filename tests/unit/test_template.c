/*
 * test_template.c - certificate templates without fonts (lib/pdf/
 * template.c): the shipped templates and hostile template JSON parse, or
 * fail naming the file and the field, and parsing opens no font. Binding
 * the fonts (pdf_tpl_bind) is the separate step where a missing font
 * shows.
 *
 * Every template here names fonts that do not exist unless the case is
 * about binding: a parse that succeeds has opened none.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf/pdf_int.h"
#include "t.h"

#define NOFONT "/nonexistent/hourseal-test/no-such-font.ttf"
#define TDIR   "/nonexistent/hourseal-test/templates"

static const char labels[] = "{\"subject\": {\"public\": \"公需\", "
    "\"public/compulsory\": \"必修\", \"public/elective\": \"选修\", "
    "\"professional\": \"专业\"}, \"form\": {\"online\": \"网授\", "
    "\"face-to-face\": \"面授\", \"industry\": \"行业\", \"employer\": "
    "\"单位\", \"practice\": \"实践\", \"degree\": \"学历\", "
    "\"academic\": \"学术\", \"achievement\": \"成果\", \"other\": "
    "\"其他\"}, \"status\": {\"met\": \"达标\", \"unmet\": \"未达标\"}}";

static const char body_nofont[] = "\"body\": [\"" NOFONT "\"]";
static const char text_el[] = "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
    "\"text\": \"{name} 学时\"}";

/*
 * A template: extra top-level members (each ending in ", "), the members
 * of "fonts" (NULL: body_nofont), "labels" (NULL: labels) and the items
 * of "elements".
 */
static void
tpl_json(struct buf *b, const char *extra, const char *fonts,
    const char *lab, const char *elements)
{
	buf_reset(b);
	buf_printf(b, "{ %s\"page\": {\"size\": \"A4\"}, \"fonts\": {%s}, "
	    "\"labels\": %s, \"elements\": [%s] }", extra,
	    fonts ? fonts : body_nofont, lab ? lab : labels, elements);
}

/* Parses b as "t.json" from TDIR. */
static enum hs_err
parse(const struct buf *b, struct tpl **out, char *err)
{
	err[0] = '\0';
	return pdf_tpl_parse(TDIR, "t.json", b->data, b->len, out, err);
}

/* n copies of item, comma-separated. */
static void
repeat(struct buf *b, const char *item, size_t n)
{
	size_t i;

	buf_reset(b);
	for (i = 0; i < n; i++)
		buf_printf(b, "%s%s", i ? ", " : "", item);
}

static void
test_shipped(void)
{
	static const struct {
		const char *file, *name;
		int kind;
		bool table;
	} want[] = {
		{ "annual.json", "annual", CERT_ANNUAL, true },
		{ "course.json", "course", CERT_COURSE, false },
	};
	char dir[PATH_MAX], path[PATH_MAX + 32], err[HS_ERRLEN];
	size_t i, k, f;

	path_templates(dir, sizeof(dir));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct tpl *t = NULL;
		struct buf moved;
		char *text = NULL, *p;
		size_t len, nstatic = 0, nrefs = 0;
		bool abs = true;
		enum hs_err rc;

		rc = pdf_tpl_load(dir, want[i].file, &t, err);
		T_OK(rc == HS_OK && t != NULL, "%s parses without fonts: %s",
		    want[i].file, rc == HS_OK ? "ok" : err);
		if (t == NULL)
			continue;
		for (k = 0; k < t->nroles; k++)
			for (f = 0; f < t->roles[k].nfaces; f++) {
				nrefs++;
				abs = abs && t->roles[k].refs[f].file[0] == '/';
			}
		for (k = 0; k < MAX_FACES; k++)
			nstatic += t->statics[k] != NULL;
		T_OK(strcmp(t->name, want[i].name) == 0 &&
		    t->kind == want[i].kind && t->has_table == want[i].table &&
		    t->nels > 10 && t->pw == 210 && t->ph == 297,
		    "%s: template \"%s\", %zu elements, %s table", want[i].file,
		    t->name, t->nels, t->has_table ? "a" : "no");
		T_OK(t->nroles >= 1 && nrefs >= t->nroles && abs &&
		    nstatic == 0, "%s: %zu font roles naming %zu fonts by "
		    "absolute path, no subsets cut", want[i].file, t->nroles,
		    nrefs);
		pdf_tpl_free(t);
		t = NULL;

		/*
		 * The same template with every font somewhere that does not
		 * exist still parses: no font is opened. Binding fails.
		 */
		snprintf(path, sizeof(path), "%s/%s", dir, want[i].file);
		if (file_read(path, MAX_TPL_BYTES, &text, &len, err) != HS_OK) {
			T_OK(0, "read %s: %s", path, err);
			continue;
		}
		buf_init(&moved);
		for (p = text; *p != '\0';) {
			const char *from = "/usr/share/fonts/";
			char *q = strstr(p, from);

			if (q == NULL) {
				buf_puts(&moved, p);
				break;
			}
			buf_add(&moved, p, (size_t)(q - p));
			buf_puts(&moved, "/nonexistent/fonts/");
			p = q + strlen(from);
		}
		rc = pdf_tpl_parse(dir, want[i].file, moved.data, moved.len,
		    &t, err);
		T_OK(rc == HS_OK && t != NULL && strncmp(t->roles[0].refs[0].file,
		    "/nonexistent/fonts/", 19) == 0, "%s with its fonts moved "
		    "away parses: %s", want[i].file, rc == HS_OK ? "ok" : err);
		if (t != NULL) {
			struct pdf_renderer *r = calloc(1, sizeof(*r));

			if (r == NULL || snprintf(r->dir, sizeof(r->dir), "%s",
			    dir) >= (int)sizeof(r->dir))
				abort();
			rc = pdf_tpl_bind(r, t, err);
			snprintf(path, sizeof(path), "%s: fonts.%s[0]: "
			    "/nonexistent/fonts/", want[i].file,
			    t->roles[0].name);
			T_OK(rc == HS_ERR_IO && strstr(err, path) != NULL &&
			    r->nfaces == 0, "binding it fails: %s", err);
			pdf_tpl_free(t);
			pdf_renderer_free(r);
		}
		buf_free(&moved);
		free(text);
	}
}

/* Parse, then bind: the two steps give a template a renderer can use. */
static void
test_bind(void)
{
	char dir[PATH_MAX], err[HS_ERRLEN];
	struct pdf_renderer *r = calloc(1, sizeof(*r));
	struct tpl *t = NULL;
	enum hs_err rc;
	size_t k, nstatic = 0;
	uint32_t gid;
	int face;

	path_templates(dir, sizeof(dir));
	if (r == NULL || snprintf(r->dir, sizeof(r->dir), "%s", dir) >=
	    (int)sizeof(r->dir))
		abort();
	rc = pdf_tpl_load(dir, "annual.json", &t, err);
	if (rc == HS_OK)
		rc = pdf_tpl_bind(r, t, err);
	T_OK(rc == HS_OK && r->nfaces > 0, "annual.json binds: %zu faces: %s",
	    r->nfaces, rc == HS_OK ? "ok" : err);
	if (rc != HS_OK) {
		pdf_tpl_free(t);
		pdf_renderer_free(r);
		return;
	}
	for (k = 0; k < MAX_FACES; k++)
		nstatic += t->statics[k] != NULL;
	T_OK(nstatic > 0, "binding cut %zu static subsets", nstatic);
	/* "证" (U+8BC1) is in the first font of every chain of annual.json. */
	face = pdf_resolve_face(r, &t->roles[0], 0x8BC1, &gid);
	T_OK(face == t->roles[0].faces[0] && gid > 0,
	    "resolution through the bound chain: face %d glyph %u", face,
	    (unsigned)gid);
	r->tpls[r->ntpls++] = t;
	T_OK(pdf_renderer_has_template(r, "annual"), "the renderer has it");
	pdf_renderer_free(r);
}

/* Relative font paths start at the template directory; index is kept. */
static void
test_font_refs(void)
{
	struct buf b;
	struct tpl *t = NULL;
	char err[HS_ERRLEN];
	enum hs_err rc;

	buf_init(&b);
	tpl_json(&b, "", "\"body\": [\"fonts/a.ttf\", {\"file\": \"" NOFONT
	    "\", \"index\": 3}], \"title\": [\"fonts/a.ttf\"]", NULL, text_el);
	rc = parse(&b, &t, err);
	T_OK(rc == HS_OK && t != NULL && t->nroles == 2 &&
	    t->roles[0].nfaces == 2 &&
	    strcmp(t->roles[0].refs[0].file, TDIR "/fonts/a.ttf") == 0 &&
	    t->roles[0].refs[0].index == 0 &&
	    strcmp(t->roles[0].refs[1].file, NOFONT) == 0 &&
	    t->roles[0].refs[1].index == 3 &&
	    strcmp(t->roles[1].name, "title") == 0,
	    "font chains are recorded as paths: %s",
	    t ? t->roles[0].refs[0].file : err);
	pdf_tpl_free(t);
	buf_free(&b);
}

static void
test_hostile(void)
{
	static const struct {
		const char *extra, *fonts, *labels, *elements;
		enum hs_err want;
		const char *msg;
	} cases[] = {
		{ "", NULL, NULL, text_el, HS_OK, "" },
		/* Fonts. */
		{ "", "\"body\": [5]", NULL, text_el, HS_ERR_FORMAT,
		    "t.json: fonts.body[0]: must be a font file path" },
		{ "", "\"body\": [{\"file\": \"a.ttf\", \"index\": 256}]", NULL,
		    text_el, HS_ERR_FORMAT, "\"index\" must be 0..255" },
		{ "", "\"body\": [{\"file\": \"a.ttf\", \"index\": -1}]", NULL,
		    text_el, HS_ERR_FORMAT, "\"index\" must be 0..255" },
		{ "", "\"body\": [{\"file\": \"a.ttf\", \"index\": 1.5}]", NULL,
		    text_el, HS_ERR_FORMAT, "\"index\" must be 0..255" },
		{ "", "\"body\": [{\"file\": \"a.ttf\", \"size\": 1}]", NULL,
		    text_el, HS_ERR_FORMAT,
		    "fonts.body[0]: unknown key \"size\"" },
		{ "", "\"body\": [{\"index\": 0}]", NULL, text_el,
		    HS_ERR_FORMAT, "\"file\" must be a path" },
		{ "", "\"body\": [\"\"]", NULL, text_el, HS_ERR_FORMAT,
		    "empty font path" },
		{ "", "\"body\": []", NULL, text_el, HS_ERR_FORMAT,
		    "fonts.body: must be a list of 1..8 fonts" },
		{ "", "\"body\": \"" NOFONT "\"", NULL, text_el, HS_ERR_FORMAT,
		    "fonts.body: must be a list of 1..8 fonts" },
		{ "", "\"body\": [\"a\", \"a\", \"a\", \"a\", \"a\", \"a\", "
		    "\"a\", \"a\", \"a\"]", NULL, text_el, HS_ERR_FORMAT,
		    "must be a list of 1..8 fonts" },
		{ "", "\"Body\": [\"a\"]", NULL, text_el, HS_ERR_FORMAT,
		    "role names are [a-z0-9_]" },
		{ "", "\"body\": [\"a\"], \"\": [\"a\"]", NULL, text_el,
		    HS_ERR_FORMAT, "role names are [a-z0-9_]" },
		{ "", "\"a\": [\"a\"], \"b\": [\"a\"], \"c\": [\"a\"], \"d\": "
		    "[\"a\"], \"e\": [\"a\"], \"f\": [\"a\"], \"g\": [\"a\"], "
		    "\"h\": [\"a\"], \"body\": [\"a\"]", NULL, text_el,
		    HS_ERR_FORMAT, "more than 8 roles" },
		{ "", "", NULL, text_el, HS_ERR_FORMAT,
		    "fonts: must map role names to font lists" },
		{ "", "\"title\": [\"a\"]", NULL, text_el, HS_ERR_FORMAT,
		    "no font role \"body\" for the default font" },
		/* Text templates. */
		{ "", NULL, NULL, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"text\": \"姓名 {nmae}\"}", HS_ERR_FORMAT,
		    "elements[0].text: unknown field {nmae}" },
		{ "", NULL, NULL, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"text\": \"{name\"}", HS_ERR_FORMAT, "unclosed '{'" },
		{ "", NULL, NULL, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"text\": \"a } b\"}", HS_ERR_FORMAT, "a lone '}'" },
		{ "", NULL, NULL, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"text\": \"{{name}} {{\"}", HS_OK, "" },
		{ "", NULL, NULL, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"text\": \"a\\u0007b\"}", HS_ERR_FORMAT,
		    "\"text\" has a control character" },
		{ "", NULL, NULL, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"text\": \"a\\u007fb\"}", HS_ERR_FORMAT,
		    "\"text\" has a control character" },
		{ "", NULL, NULL, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"text\": \"a\", \"spans\": [{\"text\": \"b\"}]}",
		    HS_ERR_FORMAT, "needs exactly one of \"text\" and "
		    "\"spans\"" },
		{ "", NULL, NULL, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"spans\": []}", HS_ERR_FORMAT,
		    "\"spans\" must be a list of 1..16 spans" },
		{ "", NULL, NULL, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"spans\": [{\"text\": \"b\", \"font\": \"title\"}]}",
		    HS_ERR_FORMAT, "elements[0].spans[0]: unknown font role "
		    "\"title\"" },
		/* Numbers, enumerations, colours, placement. */
		{ "", NULL, NULL, "{\"type\": \"text\", \"x\": \"20\", \"y\": "
		    "30, \"text\": \"x\"}", HS_ERR_FORMAT,
		    "\"x\" must be a number" },
		{ "", NULL, NULL, "{\"type\": \"text\", \"x\": 1e308, \"y\": "
		    "30, \"text\": \"x\"}", HS_ERR_FORMAT, "must be 0..210" },
		{ "", NULL, NULL, "{\"type\": \"text\", \"x\": 1e999, \"y\": "
		    "30, \"text\": \"x\"}", HS_ERR_FORMAT, "t.json: line 1" },
		{ "", NULL, NULL, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"max_lines\": 101, \"text\": \"x\"}", HS_ERR_FORMAT,
		    "\"max_lines\" is 101, must be 0..100" },
		{ "", NULL, NULL, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"size\": 10, \"min_size\": 12, \"text\": \"x\"}",
		    HS_ERR_FORMAT, "\"min_size\" is 12, must be 4..10" },
		{ "", NULL, NULL, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"grow\": \"sideways\", \"text\": \"x\"}", HS_ERR_FORMAT,
		    "\"grow\": unknown value \"sideways\"" },
		{ "", NULL, NULL, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"w\": 5, \"text\": \"x\"}", HS_ERR_FORMAT,
		    "unknown key \"w\"" },
		{ "", NULL, NULL, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"font\": 5, \"text\": \"x\"}", HS_ERR_FORMAT,
		    "\"font\" must be a font role name" },
		{ "", NULL, NULL, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"color\": \"#12345\", \"text\": \"x\"}", HS_ERR_FORMAT,
		    "\"color\" must be a colour" },
		{ "", NULL, NULL, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"color\": \"#gg0000\", \"text\": \"x\"}", HS_ERR_FORMAT,
		    "\"color\" must be a colour" },
		{ "", NULL, NULL, "{\"type\": \"text\", \"x\": 150, \"y\": 30, "
		    "\"width\": 100, \"text\": \"x\"}", HS_ERR_FORMAT,
		    "elements[0]: off the page" },
		{ "", NULL, NULL, "{\"type\": \"line\", \"x1\": -5, \"y1\": 0, "
		    "\"x2\": 10, \"y2\": 0}", HS_ERR_FORMAT, "off the page" },
		{ "", NULL, NULL, "{\"type\": \"qr\", \"x\": 20, \"y\": 30, "
		    "\"size\": 20}", HS_ERR_FORMAT, "at least 25 mm" },
		{ "", NULL, NULL, "{\"type\": \"seal\", \"x\": 200, \"y\": "
		    "100}", HS_ERR_FORMAT, "elements[0]: off the page" },
		{ "", NULL, NULL, "{\"type\": \"seal\", \"x\": 100, \"y\": "
		    "100, \"top\": \"{bad}\"}", HS_ERR_FORMAT,
		    "unknown field {bad}" },
		{ "", NULL, NULL, "{\"type\": \"circle\"}", HS_ERR_FORMAT,
		    "\"type\": unknown value \"circle\"" },
		{ "", NULL, NULL, "{\"x\": 1}", HS_ERR_FORMAT,
		    "\"type\" is required" },
		{ "", NULL, NULL, "5", HS_ERR_FORMAT,
		    "elements[0]: must be an object" },
		{ "", NULL, NULL, "", HS_ERR_FORMAT,
		    "elements: must be a non-empty list" },
		/* The table. */
		{ "", NULL, NULL, "{\"type\": \"table\", \"x\": 20, \"y\": 50, "
		    "\"bottom\": 200, \"columns\": [{\"title\": \"课程\", "
		    "\"field\": \"course\", \"width\": 50}]}", HS_ERR_FORMAT,
		    "columns[0]: \"field\": unknown value \"course\"" },
		{ "", NULL, NULL, "{\"type\": \"table\", \"x\": 20, \"y\": 50, "
		    "\"bottom\": 200, \"columns\": [{\"title\": \"课程\", "
		    "\"width\": 50}]}", HS_ERR_FORMAT,
		    "columns[0]: \"field\" is required" },
		{ "", NULL, NULL, "{\"type\": \"table\", \"x\": 20, \"y\": 50, "
		    "\"bottom\": 40, \"columns\": [{\"title\": \"课程\", "
		    "\"field\": \"title\", \"width\": 50}]}", HS_ERR_FORMAT,
		    "\"bottom\" must be below" },
		{ "", NULL, NULL, "{\"type\": \"table\", \"x\": 20, \"y\": 50, "
		    "\"bottom\": 200, \"columns\": [{\"title\": \"课程\", "
		    "\"field\": \"title\", \"width\": 2}]}", HS_ERR_FORMAT,
		    "must exceed twice the padding" },
		{ "", NULL, NULL, "{\"type\": \"table\", \"x\": 20, \"y\": 50, "
		    "\"bottom\": 200, \"columns\": [{\"title\": \"课程\", "
		    "\"field\": \"title\", \"width\": 200}]}", HS_ERR_FORMAT,
		    "off the page" },
		{ "", NULL, NULL, "{\"type\": \"table\", \"x\": 20, \"y\": 50, "
		    "\"bottom\": 200, \"columns\": []}", HS_ERR_FORMAT,
		    "\"columns\" must be a list of 1..12 columns" },
		{ "", NULL, NULL, "{\"type\": \"table\", \"x\": 20, \"y\": 50, "
		    "\"bottom\": 200, \"columns\": [{\"title\": \"a\", "
		    "\"field\": \"title\", \"width\": 50}]}, {\"type\": "
		    "\"table\", \"x\": 20, \"y\": 50, \"bottom\": 200, "
		    "\"columns\": [{\"title\": \"a\", \"field\": \"title\", "
		    "\"width\": 50}]}", HS_ERR_FORMAT,
		    "a template has at most one table" },
		/* Labels. */
		{ "", NULL, "5", text_el, HS_ERR_FORMAT,
		    "labels: must be an object" },
		{ "", NULL, "{\"subject\": {}, \"form\": {}, \"status\": {}}",
		    text_el, HS_ERR_FORMAT,
		    "labels.subject: \"public\" is required" },
		{ "", NULL, "{\"subject\": {\"public\": 1}}", text_el,
		    HS_ERR_FORMAT, "\"public\" must be a string" },
		{ "", NULL, "{\"subject\": {\"civic\": \"x\"}}", text_el,
		    HS_ERR_FORMAT, "labels.subject: unknown key \"civic\"" },
		{ "", NULL, "{\"colour\": {}}", text_el, HS_ERR_FORMAT,
		    "labels: unknown key \"colour\"" },
		/* The top level and the page. */
		{ "\"kind\": \"monthly\", ", NULL, NULL, text_el, HS_ERR_FORMAT,
		    "\"kind\": unknown value \"monthly\"" },
		{ "\"kind\": \"course\", ", NULL, NULL, text_el, HS_OK, "" },
		{ "\"page\": {\"size\": \"A3\"}, ", NULL, NULL, text_el,
		    HS_ERR_FORMAT, "duplicate" },
		{ "\"paper\": 1, ", NULL, NULL, text_el, HS_ERR_FORMAT,
		    "top level: unknown key \"paper\"" },
		{ "\"title\": 5, ", NULL, NULL, text_el, HS_ERR_FORMAT,
		    "\"title\" must be a string" },
	};
	static struct tpl sentinel;
	struct buf b;
	struct tpl *t;
	char err[HS_ERRLEN];
	enum hs_err rc;
	size_t i;

	buf_init(&b);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tpl_json(&b, cases[i].extra, cases[i].fonts, cases[i].labels,
		    cases[i].elements);
		t = &sentinel;          /* *out is set on failure too */
		rc = parse(&b, &t, err);
		T_OK(rc == cases[i].want && strstr(err, cases[i].msg) != NULL &&
		    t != &sentinel && (rc == HS_OK) == (t != NULL),
		    "hostile case %zu: %s -> \"%s\"", i, hs_strerror(rc), err);
		if (t != &sentinel)
			pdf_tpl_free(t);
	}
	buf_free(&b);
}

/* Bounds that need a generated template, and what is not JSON at all. */
static void
test_bounds(void)
{
	static const struct {
		const char *text;
		const char *msg;
	} raw[] = {
		{ "", "t.json: line 1" },
		{ "{ \"page\": ", "t.json: line 1" },
		{ "[]", "top level: must be an object" },
		{ "\"A4\"", "t.json: line 1" },
		{ "{\"elements\": []}", "page: is required" },
		{ "{\"page\": {\"size\": \"A3\"}}", "page.size: must be \"A4\"" },
		{ "{\"page\": {\"size\": \"A4\", \"orientation\": "
		    "\"landscape\"}}", "must be \"portrait\"" },
		{ "{\"page\": {\"size\": \"A4\", \"margin\": 1}}",
		    "page: unknown key \"margin\"" },
		{ "{\"title\": \"a\\u0000b\"}", "t.json: line 1" },
		{ "{\"title\": \"\xff\xfe\"}", "t.json: line 1" },
		{ "{\"title\": \"\xed\xa0\x80\"}", "t.json: line 1" },
		{ "{\"a\": 1, \"a\": 2}", "duplicate" },
	};
	static const char *const bad_names[] = { "t.txt", ".json", "x.jso",
		"json", "" };
	struct buf b, items;
	struct tpl *t = NULL;
	char err[HS_ERRLEN], name[128];
	enum hs_err rc;
	size_t i;

	buf_init(&b);
	buf_init(&items);
	for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		err[0] = '\0';
		t = NULL;
		rc = pdf_tpl_parse(TDIR, "t.json", raw[i].text,
		    strlen(raw[i].text), &t, err);
		T_OK(rc == HS_ERR_FORMAT && t == NULL &&
		    strstr(err, raw[i].msg) != NULL, "not a template %zu: %s",
		    i, err);
	}
	/* A NUL byte inside the buffer ends nothing: it is not JSON. */
	tpl_json(&b, "", NULL, NULL, text_el);
	buf_add(&b, "\0{}", 3);
	rc = parse(&b, &t, err);
	T_OK(rc == HS_ERR_FORMAT && t == NULL, "a NUL after the JSON: %s",
	    err);
	/* Nesting far deeper than any template. */
	buf_reset(&b);
	buf_puts(&b, "{\"title\": ");
	for (i = 0; i < 5000; i++)
		buf_putc(&b, '[');
	for (i = 0; i < 5000; i++)
		buf_putc(&b, ']');
	buf_putc(&b, '}');
	rc = parse(&b, &t, err);
	T_OK(rc == HS_ERR_FORMAT && t == NULL, "5000 nested lists: %s", err);

	/* Over the size bound, however valid. */
	tpl_json(&b, "", NULL, NULL, text_el);
	while (b.len <= MAX_TPL_BYTES)
		buf_puts(&b, "                                ");
	rc = parse(&b, &t, err);
	T_OK(rc == HS_ERR_TOOBIG && t == NULL && strstr(err, "t.json"),
	    "a template over %d bytes: %s", MAX_TPL_BYTES, err);

	/* Elements: 128 parse, 129 do not. */
	repeat(&items, text_el, MAX_ELEMENTS);
	tpl_json(&b, "", NULL, NULL, items.data);
	rc = parse(&b, &t, err);
	T_OK(rc == HS_OK && t != NULL && t->nels == MAX_ELEMENTS,
	    "%d elements: %s", MAX_ELEMENTS, rc == HS_OK ? "ok" : err);
	pdf_tpl_free(t);
	repeat(&items, text_el, MAX_ELEMENTS + 1);
	tpl_json(&b, "", NULL, NULL, items.data);
	rc = parse(&b, &t, err);
	T_OK(rc == HS_ERR_FORMAT && strstr(err, "elements[128]: more than "
	    "128 elements"), "%d elements: %s", MAX_ELEMENTS + 1, err);

	/* Spans: 17 are too many. */
	repeat(&items, "{\"text\": \"x\"}", MAX_SPANS + 1);
	{
		struct buf el;

		buf_init(&el);
		buf_printf(&el, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"spans\": [%s]}", items.data);
		tpl_json(&b, "", NULL, NULL, el.data);
		buf_free(&el);
	}
	rc = parse(&b, &t, err);
	T_OK(rc == HS_ERR_FORMAT && strstr(err, "\"spans\" must be a list of "
	    "1..16 spans"), "%d spans: %s", MAX_SPANS + 1, err);

	/* Columns: 13 are too many. */
	repeat(&items, "{\"title\": \"a\", \"field\": \"index\", "
	    "\"width\": 10}", MAX_COLS + 1);
	{
		struct buf el;

		buf_init(&el);
		buf_printf(&el, "{\"type\": \"table\", \"x\": 5, \"y\": 50, "
		    "\"bottom\": 200, \"columns\": [%s]}", items.data);
		tpl_json(&b, "", NULL, NULL, el.data);
		buf_free(&el);
	}
	rc = parse(&b, &t, err);
	T_OK(rc == HS_ERR_FORMAT && strstr(err, "1..12 columns"),
	    "%d columns: %s", MAX_COLS + 1, err);

	/* Text: 2048 bytes parse, 2049 do not. */
	for (i = MAX_TEXT; i <= MAX_TEXT + 1; i++) {
		struct buf el;
		size_t start;

		buf_init(&el);
		buf_puts(&el, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"text\": \"");
		start = el.len;
		while (el.len < start + i)
			buf_putc(&el, 'a');
		buf_puts(&el, "\"}");
		tpl_json(&b, "", NULL, NULL, el.data);
		buf_free(&el);
		t = NULL;
		rc = parse(&b, &t, err);
		T_OK(i == MAX_TEXT ? rc == HS_OK : rc == HS_ERR_FORMAT &&
		    strstr(err, "\"text\" is longer than 2048 bytes") != NULL,
		    "a text of %zu bytes: %s", i, rc == HS_OK ? "ok" : err);
		pdf_tpl_free(t);
	}

	/* Font paths: one that does not fit is refused, not cut. */
	buf_reset(&items);
	buf_puts(&items, "\"body\": [\"/");
	for (i = 0; i < 700; i++)
		buf_putc(&items, 'f');
	buf_puts(&items, "\"]");
	tpl_json(&b, "", items.data, NULL, text_el);
	rc = parse(&b, &t, err);
	T_OK(rc == HS_ERR_FORMAT && strstr(err, "fonts.body[0]: font path "
	    "too long"), "a 701-byte font path: %s", err);

	/* Template names: "<name>.json", the name at most 63 bytes. */
	tpl_json(&b, "", NULL, NULL, text_el);
	for (i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		rc = pdf_tpl_parse(TDIR, bad_names[i], b.data, b.len, &t, err);
		T_OK(rc == HS_ERR_FORMAT && t == NULL &&
		    strstr(err, "bad template name"), "template file name "
		    "\"%s\": %s", bad_names[i], err);
	}
	memset(name, 'n', 64);
	memcpy(name + 64, ".json", 6);
	rc = pdf_tpl_parse(TDIR, name, b.data, b.len, &t, err);
	T_OK(rc == HS_ERR_FORMAT && t == NULL, "a 64-byte template name");
	name[63] = '\0';
	strcat(name, ".json");
	rc = pdf_tpl_parse(TDIR, name, b.data, b.len, &t, err);
	T_OK(rc == HS_OK && t != NULL && strlen(t->name) == 63,
	    "a 63-byte template name");
	pdf_tpl_free(t);
	rc = pdf_tpl_load(TDIR, "t.json", &t, err);
	T_OK(rc == HS_ERR_NOTFOUND && t == NULL, "a template that is not "
	    "there: %s", err);
	buf_free(&b);
	buf_free(&items);
}

int
main(void)
{
	test_shipped();
	test_bind();
	test_font_refs();
	test_hostile();
	test_bounds();
	return t_done();
}
