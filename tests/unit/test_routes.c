/*
 * test_routes.c - walks the verifier's route table (site.h) against a
 * real server on loopback, so the table cannot drift from what the
 * service does: every entry's path answers a method it does not take
 * with 405 and the table's Allow header, a body one byte over its kind's
 * limit with 413, a serial that does not parse with 404 before the
 * method, and /metrics counts each under the entry's endpoint name.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "web/http.h"
#include "site.h"
#include "vfix.h"
#include "t.h"

static char dir[] = "/tmp/hs-test-routes.XXXXXX";
static int port;

/*
 * One request (Connection: close) with a Content-Length of clen and, if
 * send_body, that many bytes of body. Returns the status; the head
 * (status line and headers) goes to head.
 */
static int
request(const char *method, const char *path, long long clen, int send_body,
    char *head, size_t headsz)
{
	struct sockaddr_in a;
	struct timeval tv = { 10, 0 };
	char req[1024], resp[8192], *e;
	size_t got = 0;
	ssize_t k;
	int fd, status = -1, n;

	head[0] = '\0';
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	n = snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: t\r\n"
	    "Connection: close\r\n", method, path);
	if (clen >= 0)
		n += snprintf(req + n, sizeof(req) - (size_t)n,
		    "Content-Type: text/plain\r\nContent-Length: %lld\r\n",
		    clen);
	n += snprintf(req + n, sizeof(req) - (size_t)n, "\r\n");
	if (write(fd, req, (size_t)n) != n) {
		close(fd);
		return -1;
	}
	if (send_body && clen > 0) {
		char *body = malloc((size_t)clen);

		if (body != NULL) {
			memset(body, 'a', (size_t)clen);
			/* The server may answer and close before it is all
			 * read; that is fine. */
			(void)!write(fd, body, (size_t)clen);
			free(body);
		}
	}
	while (got < sizeof(resp) - 1 &&
	    (k = read(fd, resp + got, sizeof(resp) - 1 - got)) > 0)
		got += (size_t)k;
	resp[got] = '\0';
	close(fd);
	if (sscanf(resp, "HTTP/1.%*d %d", &status) != 1)
		return -1;
	if ((e = strstr(resp, "\r\n\r\n")) != NULL)
		*e = '\0';
	snprintf(head, headsz, "%s", resp);
	return status;
}

/* The value of header name in head ("" if absent). */
static void
header(const char *head, const char *name, char *out, size_t n)
{
	const char *p = head;
	size_t l = strlen(name);

	out[0] = '\0';
	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, l) == 0 && p[l] == ':') {
			size_t k = strcspn(p + l + 1, "\r\n");
			const char *v = p + l + 1;

			while (*v == ' ')
				v++, k--;
			snprintf(out, n, "%.*s", (int)k, v);
			return;
		}
	}
}

/* A path the entry answers: its path with the fixture's serial. */
static void
sample_path(const struct site_route *e, const char *serial, char *out,
    size_t n)
{
	switch (e->match) {
	case SITE_SERIAL_QUERY:
		snprintf(out, n, "%s?s=%s", e->path, serial);
		break;
	case SITE_SERIAL:
		snprintf(out, n, "%s%s%s", e->path, serial, e->suffix);
		break;
	case SITE_PREFIX:
		snprintf(out, n, "%s0/000", e->path);
		break;
	default:
		snprintf(out, n, "%s", e->path);
		break;
	}
}

/* A method e does not take, and one it takes. */
static const char *
wrong_method(const struct site_route *e)
{
	return (e->methods & SITE_POST) ? "PUT" : "POST";
}

static const char *
right_method(const struct site_route *e)
{
	return (e->methods & SITE_GET) ? "GET" : "POST";
}

static void
walk(const char *serial)
{
	const struct site_route *rt;
	size_t n, i;
	char path[256], head[8192], allow[64], m[65536];
	int st, seen[SITE_BODY_KINDS] = { 0 };

	rt = site_routes(&n);
	T_OK(n >= 10, "the route table has %zu entries", n);
	for (i = 0; i < n; i++) {
		const struct site_route *e = &rt[i];
		size_t max = site_body_max(e->body);

		if (e->match == SITE_ANY)
			continue; /* only under --bench-fixed */
		T_OK(e->handler != NULL && e->endpoint != NULL &&
		    (e->methods & (SITE_GET | SITE_POST)) != 0,
		    "route %s%s is complete", e->path,
		    e->suffix ? e->suffix : "");
		sample_path(e, serial, path, sizeof(path));
		st = request(wrong_method(e), path, -1, 0, head, sizeof(head));
		header(head, "Allow", allow, sizeof(allow));
		T_OK(st == 405, "%s %s is 405 (got %d)", wrong_method(e), path,
		    st);
		T_STREQ(allow, site_allow(e->methods), "%s %s: Allow says %s",
		    wrong_method(e), path, site_allow(e->methods));
		st = request("DELETE", path, -1, 0, head, sizeof(head));
		header(head, "Allow", allow, sizeof(allow));
		T_OK(st == 405 && strcmp(allow, site_allow(e->methods)) == 0,
		    "DELETE %s is 405 with Allow (got %d, \"%s\")", path, st,
		    allow);
		/* One byte over the body kind's limit, before any is read. */
		st = request(right_method(e), path, (long long)max + 1,
		    max < 4096, head, sizeof(head));
		T_OK(st == 413, "%s %s with a %s body of %zu bytes is 413 "
		    "(got %d)", right_method(e), path, site_body_name(e->body),
		    max + 1, st);
		seen[e->body] = 1;
		/* Within the limit it is not refused for its size. */
		if (max > 0 && max <= 4096) {
			st = request(right_method(e), path, (long long)max, 1,
			    head, sizeof(head));
			T_OK(st != 413 && st != 405 && st > 0, "%s %s with a "
			    "%zu-byte body is not refused for it (got %d)",
			    right_method(e), path, max, st);
		}
		if (e->match == SITE_SERIAL || e->match == SITE_SERIAL_QUERY) {
			char bad[256];

			if (e->match == SITE_SERIAL)
				snprintf(bad, sizeof(bad), "%sNOT-A-SERIAL%s",
				    e->path, e->suffix);
			else
				snprintf(bad, sizeof(bad), "%s?s=NOT-A-SERIAL",
				    e->path);
			st = request(wrong_method(e), bad, -1, 0, head,
			    sizeof(head));
			T_OK(st == 404, "%s %s is 404 before the method "
			    "(got %d)", wrong_method(e), bad, st);
		}
	}
	for (i = 0; i < SITE_BODY_KINDS; i++)
		T_OK(seen[i], "body kind %s is used by a route",
		    site_body_name((enum site_body)i));
	st = request("GET", "/no/such/route", -1, 0, head, sizeof(head));
	T_OK(st == 404, "a path not in the table is 404 (got %d)", st);

	/* /metrics: every 405 above under its entry's endpoint. */
	{
		struct sockaddr_in a;
		struct timeval tv = { 10, 0 };
		size_t got = 0;
		ssize_t k;
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		const char *q = "GET /metrics HTTP/1.1\r\nHost: t\r\n"
		    "Connection: close\r\n\r\n";

		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_port = htons((uint16_t)port);
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (fd >= 0 && connect(fd, (struct sockaddr *)&a,
		    sizeof(a)) == 0 && write(fd, q, strlen(q)) ==
		    (ssize_t)strlen(q))
			while (got < sizeof(m) - 1 && (k = read(fd, m + got,
			    sizeof(m) - 1 - got)) > 0)
				got += (size_t)k;
		m[got] = '\0';
		if (fd >= 0)
			close(fd);
		for (i = 0; i < n; i++) {
			char want[128];

			if (rt[i].match == SITE_ANY)
				continue;
			snprintf(want, sizeof(want), "hourseal_http_requests_"
			    "total{endpoint=\"%s\",code=\"405\"}",
			    rt[i].endpoint);
			T_OK(strstr(m, want) != NULL, "metrics count 405s of "
			    "%s under endpoint %s", rt[i].path,
			    rt[i].endpoint);
		}
	}
}

int
main(void)
{
	struct vfix f;
	struct site_opts so;
	struct site *s = NULL;
	struct http_app app;
	struct http_opts ho;
	struct http_server *srv = NULL;
	char db[256], key[256], pep[256], serial[SERIAL_SIZE], err[HS_ERRLEN];
	const char *addr, *colon;
	FILE *fp;

	/* vfix.h helpers this test has no use for. */
	(void)vfix_revoke;
	(void)vfix_handover;
	(void)vfix_mark;
	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(db, sizeof(db), "%s/v.db", dir);
	snprintf(key, sizeof(key), "%s/key.pub", dir);
	snprintf(pep, sizeof(pep), "%s/pepper", dir);
	T_OK(vfix_open(&f, db) == 0 && vfix_begin(&f) == 0 &&
	    vfix_cert(&f, 2024, "甲", 300, 640, "2024-12-31T10:00:00Z",
	    serial) == 0 && vfix_commit(&f) == 0, "fixture (%s)", f.err);
	vfix_sql(&f, "PRAGMA wal_checkpoint(TRUNCATE)");
	if ((fp = fopen(key, "w")) != NULL) {
		fprintf(fp, "%s\n", f.vkey);
		fclose(fp);
	}
	vfix_close(&f);
	T_OK(file_write_atomic(pep, VFIX_PEPPER_HEX "\n", 65, 0600, err) ==
	    HS_OK, "pepper file (%s)", err);

	memset(&so, 0, sizeof(so));
	so.db_path = db;
	so.key_files[0] = key;
	so.nkeys = 1;
	so.pepper_path = pep;
	so.no_sweep = 1;
	T_OK(site_open(&so, &s, err) == HS_OK, "site opens (%s)", err);
	if (s == NULL)
		return t_done();
	site_app(s, &app);
	http_opts_default(&ho);
	ho.listen = "127.0.0.1:0";
	ho.threads = 2;
	ho.rate = 0;
	ho.strict_rate = 0;
	ho.access_log = NULL;
	T_OK(http_start(&ho, &app, &srv, err) == HS_OK, "server starts (%s)",
	    err);
	if (srv == NULL) {
		site_close(s);
		return t_done();
	}
	addr = http_address(srv);
	colon = strrchr(addr, ':');
	port = colon ? atoi(colon + 1) : 0;
	walk(serial);
	http_stop(srv);
	site_close(s);
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "%s/v.db.state", dir);
		unlink(cmd);
		snprintf(cmd, sizeof(cmd), "%s/v.db-wal", dir);
		unlink(cmd);
		snprintf(cmd, sizeof(cmd), "%s/v.db-shm", dir);
		unlink(cmd);
		unlink(db);
		unlink(key);
		unlink(pep);
		rmdir(dir);
	}
	return t_done();
}
