/*
 * test_pdf.c - the certificate PDF renderer.
 *
 *   test_pdf                 unit tests (templates, errors, fallbacks)
 *   test_pdf render DIR      writes the fixture PDFs and their attachments
 *                            to DIR for tests/e2e/pdf.sh
 *   test_pdf bench N         renders N annual certificates with 8 records
 *                            (64 different people and course mixes) and
 *                            prints "pdfs_per_cpu_s pdfs_per_wall_s
 *                            mean_bytes max_bytes"
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pdf/font.h"
#include "pdf/pdf.h"
#include "pdf/qr.h"
#include "t.h"

static const char *const courses[][2] = {
	{ "新时代政绩观树立与践行", "福建省专业技术人员继续教育基地" },
	{ "人工智能与大数据应用概论", "福建省继续教育公共服务平台" },
	{ "临床护理质量管理与持续改进", "福州市卫生健康委员会" },
	{ "医疗安全与风险防范", "福建医科大学附属协和医院" },
	{ "中医药适宜技术推广应用", "福建中医药大学" },
	{ "传染病防控知识更新", "福建省疾病预防控制中心" },
	{ "急救技能培训（心肺复苏）", "福州市急救中心" },
	{ "论文：基层医院护理人力资源配置研究", "中华护理杂志" },
	{ "医学伦理与卫生法律法规", "福建省医学会" },
	{ "心理健康与医患沟通技巧", "福建省心理卫生协会" },
	{ "数字经济与产业转型", "福建省专业技术人员继续教育基地" },
	{ "安全生产法律法规解读", "福建省应急管理厅培训中心" },
};
#define NCOURSES (sizeof(courses) / sizeof(courses[0]))

static const char *const forms[] = { "online", "face-to-face",
	"industry", "employer", "practice", "academic", "achievement",
	"other" };

struct fixture {
	struct cert c;
	struct buf note;
	char receipt[400];
};

/* A certificate like the ones the issuer makes; n records, of one or two
 * days (days 0: a third of them one day, the others two). */
static void
fixture_days(struct fixture *f, const char *name, size_t n, bool met,
    enum cert_kind kind, unsigned seed, int days)
{
	struct cert *c = &f->c;
	long pub = 0, pro = 0;
	size_t i;

	memset(f, 0, sizeof(*f));
	snprintf(c->serial, sizeof(c->serial), "2024-7K3M-9Q2D-XW8P-%04u",
	    1000 + seed % 9000);
	/* Crockford: no I L O U; digits are fine. */
	c->kind = kind;
	snprintf(c->issuer, sizeof(c->issuer), "福建省专业技术人员继续教育中心");
	c->year = 2024;
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->id_masked, sizeof(c->id_masked), "3501**********123X");
	{
		uint8_t h[32];

		sha256(name, strlen(name), h);
		b64_encode(h, sizeof(h), c->id_digest, sizeof(c->id_digest));
	}
	snprintf(c->unit, sizeof(c->unit), "福州市第一医院");
	c->records = calloc(n ? n : 1, sizeof(*c->records));
	c->nrecords = n;
	for (i = 0; i < n; i++) {
		struct cert_record *r = &c->records[i];
		size_t k = (i + seed) % NCOURSES;
		int day = (int)(i % 27) + 1, mon = (int)(i % 12) + 1;

		snprintf(r->subject, sizeof(r->subject), "%s",
		    i % 4 == 0 ? "public" : "professional");
		snprintf(r->form, sizeof(r->form), "%s",
		    forms[(i + seed) % 8]);
		snprintf(r->start, sizeof(r->start), "2024-%02d-%02d", mon,
		    day);
		snprintf(r->end, sizeof(r->end), "2024-%02d-%02d", mon,
		    days == 1 || (days == 0 && i % 3 == 0) ? day : day + 1);
		/* Two public courses of 15 hours make the 30 of a year. */
		r->hours10 = i % 4 == 0 ? 150 : i % 5 == 2 ? 125 :
		    100 + (long)(i % 3) * 20;
		if (n > NCOURSES)
			snprintf(r->title, sizeof(r->title), "%s（第%zu期）",
			    courses[k][0], i / NCOURSES + 1);
		else
			snprintf(r->title, sizeof(r->title), "%s",
			    courses[k][0]);
		snprintf(r->provider, sizeof(r->provider), "%s",
		    courses[k][1]);
		if (i % 4 == 0)
			pub += r->hours10;
		else
			pro += r->hours10;
	}
	c->public10 = pub;
	c->professional10 = pro;
	c->total10 = pub + pro;
	c->req_total10 = 900;
	c->req_public10 = 300;
	c->req_professional10 = 600;
	/* Met as the policy would say; "met" false forces a shortfall. */
	c->met = met && c->total10 >= c->req_total10 &&
	    c->public10 >= c->req_public10 &&
	    c->professional10 >= c->req_professional10;
	snprintf(c->issued, sizeof(c->issued), "2024-12-31T10:00:00Z");

	/* The note as the issuer signs it (cert_encode), fixture signature. */
	buf_init(&f->note);
	{
		char err[HS_ERRLEN];

		if (cert_encode(c, &f->note, err) != HS_OK) {
			fprintf(stderr, "fixture %s: %s\n", name, err);
			abort();
		}
	}
	buf_printf(&f->note, "\n\xe2\x80\x94 ledger.hourseal.example.cn/fj "
	    "AAAAAfixturesignature%04u==\n", seed);
	snprintf(f->receipt, sizeof(f->receipt), "c2sp.org/tlog-proof@v1\n"
	    "index %u\nBASE64HASHONE=\nBASE64HASHTWO=\n\n"
	    "ledger.hourseal.example.cn/fj\n%u\nROOTHASH=\n\n"
	    "\xe2\x80\x94 ledger.hourseal.example.cn/fj AAAAcheckpoint==\n",
	    seed, seed + 1);
}

static void
fixture(struct fixture *f, const char *name, size_t n, bool met,
    enum cert_kind kind, unsigned seed)
{
	fixture_days(f, name, n, met, kind, seed, 0);
}

static void
fixture_free(struct fixture *f)
{
	free(f->c.records);
	buf_free(&f->note);
}

#define BASE_URL "https://verify.hourseal.example.cn"

static int
render_to(struct pdf_renderer *r, struct fixture *f, const char *tpl,
    struct buf *out, char *err)
{
	return pdf_render(r, tpl, &f->c, f->note.data, f->note.len,
	    f->receipt, strlen(f->receipt), BASE_URL, out, err);
}

static int
write_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[1024];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "wb")) == NULL)
		return -1;
	if (fwrite(p, 1, n, fp) != n) {
		fclose(fp);
		return -1;
	}
	return fclose(fp);
}

/* Writes NAME.pdf, NAME.note, NAME.proof and NAME.txt (the expected
 * strings, one a line: name, titles, hours) for one fixture. */
static int
emit(struct pdf_renderer *r, const char *dir, const char *name,
    struct fixture *f, const char *tpl)
{
	struct buf out, exp;
	char err[HS_ERRLEN], fn[256];
	size_t i;
	int rc;

	buf_init(&out);
	buf_init(&exp);
	if ((rc = render_to(r, f, tpl, &out, err)) != HS_OK) {
		fprintf(stderr, "%s: %s\n", name, err);
		return -1;
	}
	snprintf(fn, sizeof(fn), "%s.pdf", name);
	write_file(dir, fn, out.data, out.len);
	snprintf(fn, sizeof(fn), "%s.note", name);
	write_file(dir, fn, f->note.data, f->note.len);
	snprintf(fn, sizeof(fn), "%s.proof", name);
	write_file(dir, fn, f->receipt, strlen(f->receipt));
	buf_printf(&exp, "name\t%s\nserial\t%s\nurl\t%s/c/%s\n"
	    "issuer\t%s\n", f->c.name, f->c.serial, BASE_URL, f->c.serial,
	    f->c.issuer);
	for (i = 0; i < f->c.nrecords; i++) {
		const struct cert_record *rec = &f->c.records[i];
		char h[HOURS_SIZE];

		hours_format(rec->hours10, h);
		buf_printf(&exp, "title\t%s\nhours\t%s\n", rec->title, h);
		/* A table row read in order: dates, hours, provider. */
		if (f->c.kind == CERT_ANNUAL)
			buf_printf(&exp, "row\t%s%s%s%s\n", rec->start,
			    strcmp(rec->start, rec->end) ? rec->end : "", h,
			    rec->provider);
	}
	{
		char h[HOURS_SIZE];

		hours_format(f->c.total10, h);
		buf_printf(&exp, "total\t%s\n", h);
	}
	snprintf(fn, sizeof(fn), "%s.txt", name);
	write_file(dir, fn, exp.data, exp.len);
	buf_free(&out);
	buf_free(&exp);
	return 0;
}

static const char rare_name[] =
    "\xe5\xa0\x83\xe8\xb5\x9f\xe6\x98\x87\xe5\x96\x86\xe7\x8a\x87"
    "\xe6\xb7\xbc\xe4\xb6\xae\xf0\xa0\x87\x94"; /* 堃赟昇喆犇淼䶮𠇔 */

static int
cmd_render(const char *dir)
{
	struct pdf_renderer *r = NULL;
	struct fixture f;
	char err[HS_ERRLEN];
	int bad = 0;

	if (pdf_renderer_new(NULL, &r, err) != HS_OK) {
		fprintf(stderr, "renderer: %s\n", err);
		return 2;
	}
	mkdir(dir, 0755);
	fixture(&f, "林堃", 8, true, CERT_ANNUAL, 1);
	bad |= emit(r, dir, "annual8", &f, NULL);
	fixture_free(&f);
	fixture(&f, rare_name, 3, false, CERT_ANNUAL, 2);
	bad |= emit(r, dir, "rare", &f, NULL);
	fixture_free(&f);
	fixture(&f, "欧阳志远", 40, true, CERT_ANNUAL, 3);
	bad |= emit(r, dir, "long40", &f, NULL);
	fixture_free(&f);
	fixture(&f, "李四", 1, true, CERT_COURSE, 4);
	bad |= emit(r, dir, "course", &f, NULL);
	fixture_free(&f);
	/* Every field at its longest; no unit; a Latin name. */
	fixture(&f, "欧阳娜娜·阿依古丽·买买提·艾尔肯·帕尔哈提·努尔买买提·迪丽热巴·古力娜扎", 9,
	    true, CERT_ANNUAL, 6);
	f.c.unit[0] = '\0';
	snprintf(f.c.issuer, sizeof(f.c.issuer), "%s",
	    "新疆维吾尔自治区人力资源和社会保障厅专业技术人员继续教育中心"
	    "（乌鲁木齐市沙依巴克区分中心）");
	{
		size_t k;
		char *t = f.c.records[1].title;

		t[0] = '\0';
		for (k = 0; k < 12; k++)
			strcat(t, "基于大数据与人工智能的");
		snprintf(f.c.records[2].title, sizeof(f.c.records[2].title),
		    "%s", "Evidence-Based Nursing Practice: A Systematic "
		    "Approach to Continuing Professional Development (2024)");
		snprintf(f.c.records[3].provider,
		    sizeof(f.c.records[3].provider), "%s",
		    "中国科学院大学附属肿瘤医院（浙江省肿瘤医院）继续医学教育"
		    "培训中心远程教育部");
	}
	bad |= emit(r, dir, "long_fields", &f, NULL);
	fixture_free(&f);
	fixture(&f, "John Smith", 0, false, CERT_ANNUAL, 7);
	bad |= emit(r, dir, "no_records", &f, NULL);
	fixture_free(&f);
	/* The table starting on page 1 and continuing: nN has N records. */
	{
		static const size_t ns[] = { 1, 9, 10, 11, 25, 60 };
		size_t k;
		char nm[16];

		for (k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
			/* Two-day courses: every row has two lines, as
			 * most rows of the demo do. */
			fixture_days(&f, "陈思远", ns[k], true, CERT_ANNUAL,
			    (unsigned)(20 + k), 2);
			snprintf(nm, sizeof(nm), "n%zu", ns[k]);
			bad |= emit(r, dir, nm, &f, NULL);
			fixture_free(&f);
		}
	}
	/* Only in HanaMinA (U+3400, U+9FCC, glyph 33445) and HanaMinB. */
	fixture(&f, "\xe3\x90\x80\xe9\xbf\x8c\xf0\xaa\x9b\x96", 2, true,
	    CERT_ANNUAL, 5);
	bad |= emit(r, dir, "fallback", &f, NULL);
	fixture_free(&f);
	pdf_renderer_free(r);
	return bad ? 1 : 0;
}

static double
now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *const bench_names[] = { "张三", "李四", "王五",
	"赵敏", "陈建华", "林晓燕", "黄志强", "吴桂芳", "郑伟", "刘洋" };

static int
cmd_bench(long n)
{
	struct pdf_renderer *r = NULL;
	struct fixture *fx;
	struct buf out;
	char err[HS_ERRLEN];
	double t0, t1, c0, c1, bytes = 0;
	size_t maxlen = 0;
	long i;

	if (pdf_renderer_new(NULL, &r, err) != HS_OK) {
		fprintf(stderr, "renderer: %s\n", err);
		return 2;
	}
	/* Different people and course mixes, as in a real batch. */
	fx = calloc(64, sizeof(*fx));
	for (i = 0; i < 64; i++)
		fixture(&fx[i], bench_names[i % 10], 8, i % 3 != 0,
		    CERT_ANNUAL, (unsigned)i * 7 + 1);
	buf_init(&out);
	/* Warm up: HarfBuzz's per-font accelerators are built on first use. */
	for (i = 0; i < 64; i++) {
		buf_reset(&out);
		if (render_to(r, &fx[i], NULL, &out, err) != HS_OK) {
			fprintf(stderr, "render: %s\n", err);
			return 1;
		}
	}
	t0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < n; i++) {
		buf_reset(&out);
		if (render_to(r, &fx[i % 64], NULL, &out, err) != HS_OK) {
			fprintf(stderr, "render: %s\n", err);
			return 1;
		}
		bytes += (double)out.len;
		if (out.len > maxlen)
			maxlen = out.len;
	}
	t1 = now(CLOCK_MONOTONIC);
	c1 = now(CLOCK_PROCESS_CPUTIME_ID);
	/* PDFs per CPU second (one thread), per wall second, mean bytes. */
	printf("%.0f %.0f %.0f %zu\n", (double)n / (c1 - c0),
	    (double)n / (t1 - t0), bytes / (double)n, maxlen);
	for (i = 0; i < 64; i++)
		fixture_free(&fx[i]);
	free(fx);
	buf_free(&out);
	pdf_renderer_free(r);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Unit tests                                                         */
/* ---------------------------------------------------------------- */

static char tmpdir[256];

/* Writes one template file into a fresh directory and loads it. */
static enum hs_err
load_one(const char *json, char *err)
{
	struct pdf_renderer *r = NULL;
	char path[512];
	enum hs_err rc;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/t.json", tmpdir);
	fp = fopen(path, "w");
	fputs(json, fp);
	fclose(fp);
	rc = pdf_renderer_new(tmpdir, &r, err);
	pdf_renderer_free(r);
	unlink(path);
	return rc;
}

#define UMING "/usr/share/fonts/truetype/arphic/uming.ttc"
#define HANA_A "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf"
#define HANA_B "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"

/* A minimal valid template with one text element; %s is spliced in. */
static void
mini(char *out, size_t cap, const char *fonts, const char *element,
    const char *extra)
{
	snprintf(out, cap, "{ \"page\": {\"size\": \"A4\"}, %s"
	    "\"fonts\": {%s},"
	    "\"labels\": {\"subject\": {\"public\": \"公需\", "
	    "\"public/compulsory\": \"必修\", \"public/elective\": \"选修\", "
	    "\"professional\": \"专业\"}, \"form\": {\"online\": \"网授\", "
	    "\"face-to-face\": \"面授\", \"industry\": \"行业\", \"employer\": "
	    "\"单位\", \"practice\": \"实践\", \"degree\": \"学历\", "
	    "\"academic\": \"学术\", \"achievement\": \"成果\", \"other\": "
	    "\"其他\"}, \"status\": {\"met\": \"达标\", \"unmet\": "
	    "\"未达标\"}},"
	    "\"elements\": [%s] }", extra, fonts, element);
}

static const char *const body_uming = "\"body\": [\"" UMING "\"]";

static void
test_templates(void)
{
	static const struct {
		const char *fonts, *element, *extra;
		enum hs_err want;
		const char *msg;
	} cases[] = {
		{ NULL, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"text\": \"{name} 学时\"}", "", HS_OK, "" },
		{ NULL, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"colour\": \"#000000\", \"text\": \"x\"}", "", HS_ERR_FORMAT,
		    "t.json: elements[0]: unknown key \"colour\"" },
		{ NULL, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"text\": \"姓名 {nmae}\"}", "", HS_ERR_FORMAT,
		    "elements[0].text: unknown field {nmae}" },
		{ NULL, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"text\": \"{name\"}", "", HS_ERR_FORMAT, "unclosed '{'" },
		{ NULL, "{\"type\": \"text\", \"x\": 230, \"y\": 30, "
		    "\"text\": \"x\"}", "", HS_ERR_FORMAT,
		    "elements[0]: \"x\" is 230, must be 0..210" },
		{ NULL, "{\"type\": \"text\", \"x\": 150, \"y\": 30, "
		    "\"width\": 100, \"text\": \"x\"}", "", HS_ERR_FORMAT,
		    "elements[0]: off the page" },
		{ NULL, "{\"type\": \"rect\", \"x\": 100, \"y\": 250, "
		    "\"w\": 50, \"h\": 60}", "", HS_ERR_FORMAT,
		    "elements[0]: off the page" },
		{ NULL, "{\"type\": \"qr\", \"x\": 20, \"y\": 30, "
		    "\"size\": 20}", "", HS_ERR_FORMAT, "at least 25 mm" },
		{ NULL, "{\"type\": \"seal\", \"x\": 200, \"y\": 100}", "",
		    HS_ERR_FORMAT, "elements[0]: off the page" },
		{ NULL, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"font\": \"heading\", \"text\": \"x\"}", "", HS_ERR_FORMAT,
		    "unknown font role \"heading\"" },
		{ NULL, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"text\": \"\\ue000\"}", "", HS_ERR_FONT,
		    "t.json: elements[0] text: U+E000" },
		{ NULL, "{\"type\": \"circle\"}", "", HS_ERR_FORMAT,
		    "\"type\": unknown value \"circle\"" },
		{ NULL, "{\"type\": \"table\", \"x\": 20, \"y\": 50, "
		    "\"bottom\": 200, \"columns\": [{\"title\": \"课程\", "
		    "\"field\": \"course\", \"width\": 50}]}", "", HS_ERR_FORMAT,
		    "columns[0]: \"field\": unknown value \"course\"" },
		{ NULL, "{\"type\": \"table\", \"x\": 20, \"y\": 50, "
		    "\"bottom\": 200, \"columns\": [{\"title\": \"课程\", "
		    "\"field\": \"title\", \"width\": 200}]}", "", HS_ERR_FORMAT,
		    "off the page" },
		{ "\"body\": [\"/nonexistent/font.ttf\"]", "{\"type\": "
		    "\"text\", \"x\": 20, \"y\": 30, \"text\": \"x\"}", "",
		    HS_ERR_IO, "fonts.body[0]: /nonexistent/font.ttf: No such "
		    "file or directory" },
		{ "\"body\": [{\"file\": \"" UMING "\", \"index\": 9}]",
		    "{\"type\": \"text\", \"x\": 20, \"y\": 30, \"text\": \"x\"}",
		    "", HS_ERR_FORMAT, "has 4 faces, no index 9" },
		{ "\"body\": [\"/etc/passwd\"]", "{\"type\": \"text\", \"x\": "
		    "20, \"y\": 30, \"text\": \"x\"}", "", HS_ERR_FORMAT,
		    "/etc/passwd: not a font file" },
		{ NULL, "{\"type\": \"text\", \"x\": 20, \"y\": 30, "
		    "\"text\": \"x\"}", "\"page\": {\"size\": \"A3\"}, ",
		    HS_ERR_FORMAT, "duplicate" },
	};
	char json[8192], err[HS_ERRLEN];
	enum hs_err rc;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mini(json, sizeof(json), cases[i].fonts ? cases[i].fonts :
		    body_uming, cases[i].element, cases[i].extra);
		err[0] = '\0';
		rc = load_one(json, err);
		T_OK(rc == cases[i].want && strstr(err, cases[i].msg) != NULL,
		    "template case %zu: %s -> \"%s\"", i, hs_strerror(rc), err);
	}
	rc = load_one("{ \"page\": ", err);
	T_OK(rc == HS_ERR_FORMAT &&
	    strstr(err, "t.json: line 1") != NULL, "bad JSON: %s", err);
	{
		struct pdf_renderer *r = NULL;

		rc = pdf_renderer_new("/nonexistent", &r, err);
		T_OK(rc == HS_ERR_IO &&
		    r == NULL, "missing directory: %s", err);
	}
}

static void
test_fonts(void)
{
	static const uint32_t rare[] = { 0x5803, 0x8D5F, 0x6607, 0x5586,
		0x7287, 0x6DFC, 0x4DAE, 0x201D4 };
	struct font_face *um = NULL, *wq = NULL, *hb = NULL;
	char err[HS_ERRLEN];
	uint32_t gid, gids[3], cps[3], newgid[3];
	struct buf ttf;
	size_t i;
	bool all = true;
	enum hs_err rc;

	rc = font_face_open(UMING, 0, &um, err);
	T_OK(rc == HS_OK, "open uming");
	rc = font_face_open("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
	    0, &wq, err);
	T_OK(rc == HS_OK, "open wqy-microhei");
	rc = font_face_open(HANA_B, 0, &hb, err);
	T_OK(rc == HS_OK, "open HanaMinB");
	if (um == NULL || wq == NULL || hb == NULL)
		return;
	for (i = 0; i < 8; i++)
		all = all && font_face_glyph(um, rare[i], &gid);
	T_OK(all, "uming has all eight rare name characters");
	T_OK(!font_face_glyph(wq, 0x4DAE, &gid) &&
	    !font_face_glyph(wq, 0x201D4, &gid),
	    "wqy-microhei lacks U+4DAE and U+201D4 (so titles fall back)");
	T_OK(!font_face_glyph(um, 0x2A6D6, &gid) &&
	    font_face_glyph(hb, 0x2A6D6, &gid),
	    "U+2A6D6 is only in HanaMinB (fonts-hanazono)");
	T_OK(font_face_glyph(um, ' ', &gid), "a space counts as drawn");
	T_OK(!font_face_glyph(um, 0xE000, &gid), "no private-use glyphs");

	/* Subset renumbers glyphs 1..n and keeps the order. */
	font_face_glyph(um, 0x5803, &gids[0]);
	font_face_glyph(um, 0x4DAE, &gids[1]);
	font_face_glyph(um, 0x201D4, &gids[2]);
	cps[0] = 0x5803;
	cps[1] = 0x4DAE;
	cps[2] = 0x201D4;
	buf_init(&ttf);
	rc = font_subset(um, gids, cps, 3, &ttf, newgid, err);
	T_OK(rc == HS_OK,
	    "subset three glyphs: %s", err);
	T_OK(ttf.len > 100 && ttf.len < 8000 && newgid[0] >= 1 &&
	    newgid[0] <= 3 && newgid[1] <= 3 && newgid[2] <= 3 &&
	    newgid[0] != newgid[1] && newgid[1] != newgid[2],
	    "subset is small (%zu bytes) with glyph IDs %u %u %u", ttf.len,
	    newgid[0], newgid[1], newgid[2]);
	T_OK(gids[1] > 20000, "U+4DAE is glyph %u in the source", gids[1]);
	buf_free(&ttf);
	font_face_free(wq);
	rc = font_face_open("/nonexistent.ttf", 0, &wq, err);
	T_OK(rc == HS_ERR_IO && wq == NULL, "missing font file: %s", err);
	font_face_free(um);
	font_face_free(hb);
}

static void
test_qr(void)
{
	struct qr *q = NULL;
	char err[HS_ERRLEN], big[QR_MAX_TEXT + 2];
	enum hs_err rc;

	rc = qr_encode(BASE_URL "/c/2024-7K3M-9Q2D-XW8P-4HJN", &q, err);
	T_OK(rc == HS_OK && qr_width(q) >= 21 && (qr_width(q) - 17) % 4 == 0,
	    "QR for a verification URL: %d modules", q ? qr_width(q) : 0);
	/* Finder pattern: the top-left 7x7 ring is dark. */
	T_OK(q != NULL && qr_dark(q, 0, 0) && qr_dark(q, 6, 6) &&
	    !qr_dark(q, 1, 1) && qr_dark(q, 2, 2), "finder pattern");
	qr_free(q);
	rc = qr_encode("", &q, err);
	T_OK(rc == HS_ERR_INVALID && q == NULL, "empty QR text");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	rc = qr_encode(big, &q, err);
	T_OK(rc == HS_ERR_TOOBIG && q == NULL, "QR text too long");
}

static void
test_render(struct pdf_renderer *r)
{
	struct fixture f;
	struct buf a, b;
	char err[HS_ERRLEN];
	enum hs_err rc;

	buf_init(&a);
	buf_init(&b);
	T_OK(pdf_renderer_has_template(r, "annual") &&
	    pdf_renderer_has_template(r, "course") &&
	    !pdf_renderer_has_template(r, "nope"), "shipped templates");

	fixture(&f, "张三", 8, true, CERT_ANNUAL, 1);
	rc = render_to(r, &f, NULL, &a, err);
	T_OK(rc == HS_OK && a.len > 1000 && memcmp(a.data, "%PDF-1.", 7) ==
	    0 && strstr(a.data + a.len - 8, "%%EOF") != NULL,
	    "annual with 8 records renders: %zu bytes", a.len);
	T_OK(a.len < 60 * 1024, "under 60 KB (%zu bytes)", a.len);
	rc = render_to(r, &f, NULL, &b, err);
	T_OK(rc == HS_OK && a.len == b.len && memcmp(a.data, b.data, a.len) ==
	    0, "the same certificate renders to the same bytes");
	buf_reset(&b);

	/* Failures name the field and leave out alone. */
	buf_puts(&b, "keep");
	snprintf(f.c.name, sizeof(f.c.name), "张\xee\x80\x80");
	rc = render_to(r, &f, NULL, &b, err);
	T_OK(rc == HS_ERR_FONT && strstr(err, "name: U+E000") != NULL &&
	    strstr(err, "role \"body\"") != NULL && strcmp(b.data, "keep") ==
	    0, "a character no font has: %s", err);
	snprintf(f.c.name, sizeof(f.c.name), "张三");
	snprintf(f.c.records[2].title, sizeof(f.c.records[2].title),
	    "课程\xf0\xb0\x80\x80");
	rc = render_to(r, &f, NULL, &b, err);
	T_OK(rc == HS_ERR_FONT && strstr(err, "record 3 title: U+30000") !=
	    NULL, "missing character in a record: %s", err);
	snprintf(f.c.records[2].title, sizeof(f.c.records[2].title), "课程");
	snprintf(f.c.unit, sizeof(f.c.unit), "单位\x01");
	rc = render_to(r, &f, NULL, &b, err);
	T_OK(rc == HS_ERR_INVALID && strstr(err, "unit") != NULL,
	    "control character: %s", err);
	snprintf(f.c.unit, sizeof(f.c.unit), "\xe5\x8d");
	rc = render_to(r, &f, NULL, &b, err);
	T_OK(rc == HS_ERR_INVALID && strstr(err, "UTF-8") != NULL,
	    "bad UTF-8: %s", err);
	snprintf(f.c.unit, sizeof(f.c.unit), "福州市第一医院");
	snprintf(f.c.records[0].form, sizeof(f.c.records[0].form), "webinar");
	rc = render_to(r, &f, NULL, &b, err);
	T_OK(rc == HS_ERR_INVALID && strstr(err, "record 1: unknown form") !=
	    NULL, "unknown form: %s", err);
	snprintf(f.c.records[0].form, sizeof(f.c.records[0].form), "online");
	rc = pdf_render(r, NULL, &f.c, f.note.data, f.note.len, NULL, 0,
	    BASE_URL "/", &b, err);
	T_OK(rc == HS_ERR_INVALID &&
	    strstr(err, "must not end with '/'"), "base URL: %s", err);
	rc = pdf_render(r, NULL, &f.c, f.note.data, f.note.len, NULL, 0,
	    "verify.example.cn", &b, err);
	T_OK(rc == HS_ERR_INVALID,
	    "base URL without scheme: %s", err);
	rc = pdf_render(r, NULL, &f.c, NULL, 0, NULL, 0, BASE_URL, &b, err);
	T_OK(rc == HS_ERR_INVALID, "no note: %s", err);
	rc = pdf_render(r, "nope", &f.c, f.note.data, f.note.len, NULL, 0,
	    BASE_URL, &b, err);
	T_OK(rc == HS_ERR_NOTFOUND, "unknown template: %s",
	    err);
	rc = pdf_render(r, "course", &f.c, f.note.data, f.note.len, NULL, 0,
	    BASE_URL, &b, err);
	T_OK(rc == HS_ERR_INVALID && strstr(err, "course"),
	    "template of the wrong kind: %s", err);
	T_OK(strcmp(b.data, "keep") == 0, "failed renders append nothing");
	fixture_free(&f);

	/* Characters outside uming come from HanaMin, glyph IDs > 32767. */
	fixture(&f, "\xe3\x90\x80\xe9\xbf\x8c\xf0\xaa\x9b\x96", 2, true,
	    CERT_ANNUAL, 5);
	buf_reset(&b);
	rc = render_to(r, &f, NULL, &b, err);
	T_OK(rc == HS_OK && memmem(b.data, b.len, "+HanaMinA", 9) != NULL &&
	    memmem(b.data, b.len, "+HanaMinB", 9) != NULL,
	    "fallback to HanaMinA and HanaMinB: %s",
	    rc == HS_OK ? "ok" : err);
	fixture_free(&f);

	/* A course certificate; 40 records span pages. */
	fixture(&f, "李四", 1, true, CERT_COURSE, 4);
	buf_reset(&b);
	rc = render_to(r, &f, NULL, &b, err);
	T_OK(rc == HS_OK && memmem(b.data, b.len, "/Count 1", 8) != NULL,
	    "course certificate: one page");
	fixture_free(&f);
	fixture(&f, "欧阳志远", 40, true, CERT_ANNUAL, 3);
	buf_reset(&b);
	rc = render_to(r, &f, NULL, &b, err);
	T_OK(rc == HS_OK && memmem(b.data, b.len, "/Count 3", 8) != NULL,
	    "40 records: three pages");
	fixture_free(&f);
	buf_free(&a);
	buf_free(&b);
}

/*
 * Pagination with a short first page: the table may run down to 120 mm on
 * the last page and to 270 mm on pages that continue.
 */
static int
render_pages(const char *tpl_json, struct fixture *f, struct buf *out,
    char *err)
{
	struct pdf_renderer *r = NULL;
	char path[512];
	const char *p;
	int n = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/t.json", tmpdir);
	fp = fopen(path, "w");
	fputs(tpl_json, fp);
	fclose(fp);
	buf_reset(out);
	if (pdf_renderer_new(tmpdir, &r, err) == HS_OK &&
	    pdf_render(r, "t", &f->c, f->note.data, f->note.len, NULL, 0,
	    BASE_URL, out, err) == HS_OK &&
	    (p = memmem(out->data, out->len, "/Count ", 7)) != NULL)
		n = atoi(p + 7);
	pdf_renderer_free(r);
	unlink(path);
	return n;
}

static int
short_rows(const char *tpl_json, size_t nrec, struct buf *out, char *err)
{
	struct fixture f;
	size_t i;
	int n;

	fixture_days(&f, "张三", nrec, true, CERT_ANNUAL, 1, 1);
	for (i = 0; i < nrec; i++)
		snprintf(f.c.records[i].title, sizeof(f.c.records[i].title),
		    "课程");
	n = render_pages(tpl_json, &f, out, err);
	fixture_free(&f);
	return n;
}

static void
test_paginate(void)
{
	static char json[4096];
	struct fixture f;
	struct buf a, b;
	char err[HS_ERRLEN] = "";
	size_t i;
	int n;

	buf_init(&a);
	buf_init(&b);
	mini(json, sizeof(json), body_uming,
	    "{\"type\": \"table\", \"x\": 20, \"y\": 94, \"y_continued\": 20, "
	    "\"bottom\": 120, \"bottom_notlast\": 270, \"columns\": ["
	    "{\"title\": \"序号\", \"field\": \"index\", \"width\": 10}, "
	    "{\"title\": \"课程\", \"field\": \"title\", \"width\": 40}]},"
	    "{\"type\": \"text\", \"on\": \"last\", \"x\": 20, \"y\": 130, "
	    "\"text\": \"合计 {total}\"},"
	    "{\"type\": \"text\", \"x\": 20, \"y\": 285, "
	    "\"text\": \"{page} / {pages}\"}", "");

	/* One-line rows of 6.5 mm under a 6.5 mm header: 2 fit above
	 * 120 mm, 25 above 270 mm on page 1, 37 on later pages. */
	n = short_rows(json, 2, &a, err);
	T_OK(n == 1, "2 short rows fit above bottom: one page (%d) %s", n,
	    err);
	/* Page 1 keeps 24, one goes with the totals (before: 2 + 14 + 9). */
	n = short_rows(json, 25, &a, err);
	T_OK(n == 2, "25 short rows: two pages (%d) %s", n, err);
	/* 25 + 34 + 1 (before: 25 + 14 + 14 + 7). */
	n = short_rows(json, 60, &a, err);
	T_OK(n == 3, "60 short rows: three pages (%d) %s", n, err);

	/* A single row that passes bottom on page 1 (but fits a page):
	 * it stays on page 1, the totals go to page 2 (before, the row ran
	 * into the totals on one page). */
	fixture_days(&f, "张三", 1, true, CERT_ANNUAL, 1, 1);
	f.c.records[0].title[0] = '\0';
	for (i = 0; i < 10; i++)
		strcat(f.c.records[0].title, "基于大数据与人工智能");
	n = render_pages(json, &f, &a, err);
	T_OK(n == 2, "one row taller than page 1 allows: two pages (%d) %s",
	    n, err);
	n = render_pages(json, &f, &b, err);
	T_OK(n == 2 && a.len == b.len && memcmp(a.data, b.data, a.len) == 0,
	    "... rendered twice, the same bytes");
	fixture_free(&f);

	buf_free(&a);
	buf_free(&b);
}

/* Several threads share one renderer, as the issuer's render threads do. */
struct thr {
	struct pdf_renderer *r;
	struct fixture *fx;
	struct buf *want;
	int bad;
};

static void *
thr_main(void *arg)
{
	struct thr *t = arg;
	struct buf out;
	char err[HS_ERRLEN];
	int i;

	buf_init(&out);
	for (i = 0; i < 24; i++) {
		int k = i % 4;

		buf_reset(&out);
		if (render_to(t->r, &t->fx[k], NULL, &out, err) != HS_OK ||
		    out.len != t->want[k].len ||
		    memcmp(out.data, t->want[k].data, out.len) != 0)
			t->bad++;
	}
	buf_free(&out);
	return NULL;
}

static void
test_threads(struct pdf_renderer *r)
{
	struct fixture fx[4];
	struct buf want[4];
	struct thr t[4];
	pthread_t th[4];
	char err[HS_ERRLEN];
	int i, bad = 0;

	for (i = 0; i < 4; i++) {
		fixture(&fx[i], i % 2 ? "王五" : rare_name, 4 + (size_t)i * 9,
		    true, CERT_ANNUAL, (unsigned)i + 20);
		buf_init(&want[i]);
		render_to(r, &fx[i], NULL, &want[i], err);
	}
	for (i = 0; i < 4; i++) {
		t[i].r = r;
		t[i].fx = fx;
		t[i].want = want;
		t[i].bad = 0;
		pthread_create(&th[i], NULL, thr_main, &t[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		bad += t[i].bad;
	}
	T_OK(bad == 0, "4 threads x 24 renders on one renderer give the "
	    "single-threaded bytes (%d differ)", bad);
	for (i = 0; i < 4; i++) {
		fixture_free(&fx[i]);
		buf_free(&want[i]);
	}
}

int
main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "render") == 0)
		return cmd_render(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "bench") == 0)
		return cmd_bench(atol(argv[2]));
	{
		struct pdf_renderer *r = NULL;
		char err[HS_ERRLEN] = "";

		snprintf(tmpdir, sizeof(tmpdir), "%s/hs-pdf.XXXXXX",
		    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (mkdtemp(tmpdir) == NULL)
			return 2;
		test_templates();
		test_fonts();
		test_qr();
		test_paginate();
		enum hs_err rc = pdf_renderer_new(NULL, &r, err);

		T_OK(rc == HS_OK,
		    "load the shipped templates: %s", err);
		if (r != NULL) {
			test_render(r);
			test_threads(r);
		}
		pdf_renderer_free(r);
		rmdir(tmpdir);
	}
	return t_done();
}
