#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/i18n.h"
#include "core/progress.h"
#include "core/util.h"

struct progress {
	FILE *f;
	char what[32];
	long total;
	long done;
	long every;
	long next_line;   /* plain mode: print when done reaches this */
	bool tty;
	bool quiet;
	bool drawn;       /* tty mode: a bar is on the line */
	double start;
	double last_draw;
};

static void
fmt_duration(char *out, size_t outsz, double secs)
{
	long s = secs < 0 ? 0 : (long)(secs + 0.5);

	if (s >= 3600)
		snprintf(out, outsz, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60,
		    s % 60);
	else
		snprintf(out, outsz, "%ld:%02ld", s / 60, s % 60);
}

void
progress_format(char *out, size_t outsz, const char *what, long done,
    long total, double elapsed)
{
	double rate = elapsed > 0 ? (double)done / elapsed : 0;
	char left[32];

	if (total > 0 && rate > 0 && done <= total) {
		fmt_duration(left, sizeof(left), (double)(total - done) / rate);
		snprintf(out, outsz, _("%ld/%ld %s, %.0f/s, %s left"), done,
		    total, _(what), rate, left);
	} else
		snprintf(out, outsz, _("%ld %s, %.0f/s"), done, _(what), rate);
}

struct progress *
progress_new(FILE *f, const char *what, long total, bool tty, bool quiet,
    long every)
{
	struct progress *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->f = f;
	snprintf(p->what, sizeof(p->what), "%s", what);
	p->total = total;
	p->tty = tty;
	p->quiet = quiet;
	p->every = every > 0 ? every : 1000;
	p->next_line = p->every;
	p->start = time_mono();
	return p;
}

static void
draw(struct progress *p, double t)
{
	char line[160], bar[32];
	int width = 24, fill, i;

	progress_format(line, sizeof(line), p->what, p->done, p->total,
	    t - p->start);
	fill = p->total > 0 ? (int)((double)width * (double)p->done /
	    (double)p->total) : 0;
	if (fill > width)
		fill = width;
	for (i = 0; i < width; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[width] = '\0';
	/* \r and erase-to-end redraw the same terminal line. */
	fprintf(p->f, "\r[%s] %s\033[K", bar, line);
	fflush(p->f);
	p->drawn = true;
	p->last_draw = t;
}

void
progress_set(struct progress *p, long done)
{
	char line[160];
	double t;

	if (p == NULL || p->quiet)
		return;
	p->done = done;
	if (p->tty) {
		t = time_mono();
		if (t - p->last_draw >= 0.1)
			draw(p, t);
		return;
	}
	if (done < p->next_line)
		return;
	while (p->next_line <= done)
		p->next_line += p->every;
	progress_format(line, sizeof(line), p->what, done, p->total,
	    time_mono() - p->start);
	fprintf(p->f, "%s\n", line);
	fflush(p->f);
}

void
progress_total(struct progress *p, long total)
{
	if (p != NULL)
		p->total = total;
}

void
progress_end(struct progress *p)
{
	char d[32];
	double t, el;

	if (p == NULL)
		return;
	if (!p->quiet) {
		t = time_mono();
		el = t - p->start;
		if (p->tty && p->drawn)
			fputs("\r\033[K", p->f);
		fmt_duration(d, sizeof(d), el);
		fprintf(p->f, _("%ld %s in %s (%.0f/s)\n"), p->done, _(p->what), d,
		    el > 0 ? (double)p->done / el : 0.0);
		fflush(p->f);
	}
	free(p);
}
