/*
 * http.c - the HTTP core on libmicrohttpd (see http.h).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "web/http.h"

/* Status codes counted separately in the metrics; others go to "other". */
static const int metric_codes[] = {
	200, 204, 301, 302, 303, 304, 400, 403, 404, 405, 408, 411, 413, 414,
	415, 422, 429, 431, 500, 503,
};
#define NCODES (sizeof(metric_codes) / sizeof(metric_codes[0]) + 1)

/* Latency histogram bounds in seconds (Prometheus "le" labels). */
static const double lat_bounds[] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
	2.5, 5,
};
#define NBOUNDS (sizeof(lat_bounds) / sizeof(lat_bounds[0]))

/* The per-IP token buckets: a fixed table, so memory stays bounded. */
#define RL_SLOTS 16384
#define RL_SHARDS 64
#define RL_PROBE 8

struct rl_slot {
	uint8_t addr[16];
	int used;
	double tokens;
	double last;
};

struct ratelimit {
	double rate, burst;
	pthread_mutex_t mu[RL_SHARDS];
	struct rl_slot *slots;
};

struct epmetrics {
	uint64_t count[NCODES];
	uint64_t lat[NBOUNDS + 1]; /* non-cumulative; +Inf last */
	uint64_t lat_sum_us;
};

/*
 * One open connection, for the deadlines: MHD's own timeout is idle time,
 * which a client sending a byte now and then never reaches. deadline_ms
 * (monotonic ms; 0: none while the handler runs) is moved on by the
 * connection's own thread; the reaper thread shuts down the socket of a
 * connection past it, and MHD then closes it. A connection leaves the
 * list (under mu) before MHD closes its socket, so the reaper never
 * touches a descriptor that was reused.
 */
struct http_conn {
	struct http_conn *prev, *next;
	int fd;
	uint64_t deadline_ms;
	int expired;
};

struct http_server {
	struct MHD_Daemon *d;
	struct http_opts o;
	struct http_app app;
	struct ratelimit rl_general, rl_strict;
	struct epmetrics *ep; /* app.nendpoints entries */
	uint64_t rejected_ratelimit;
	uint64_t inflight;
	unsigned mhd_logged;
	char address[80];
	double started;
	pthread_mutex_t conns_mu;
	pthread_cond_t reaper_cv;
	struct http_conn *conns;
	uint64_t nconns;
	uint64_t deadline_closed;
	pthread_t reaper;
	int reaper_started;
	int reaper_stop;
};

struct http_req {
	struct http_server *s;
	struct MHD_Connection *c;
	const char *method;
	char *path;          /* decoded path, query cut off */
	struct http_route route;
	struct buf body;
	int too_big;
	int routed;
	int replied;
	int status;
	size_t sent;
	size_t discarded;
	size_t target_len;   /* request target with its query string */
	double t0;
	struct http_conn *conn; /* NULL if MHD did not tell */
	char client[INET6_ADDRSTRLEN];
	uint8_t client_bin[16];
	char note[48];
	char *log_path;      /* NULL: the request's path */
};

void
http_opts_default(struct http_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->listen = "127.0.0.1:8080";
	o->threads = 2;
	o->max_conns = 1000;
	o->per_ip_conns = 32;
	o->timeout = 15;
	o->header_timeout = 10;
	o->body_rate = 32 * 1024;
	o->rate = 50;
	o->burst = 200;
	o->strict_rate = 0.2;   /* one ID guess every 5 seconds */
	o->strict_burst = 5;
	o->max_url = 2048;
	o->max_headers = 64;
	o->trust_proxy = 0;
	o->access_log = NULL;
	o->prog = "hourseal-verifier";
}

/* ---- rate limiting ---- */

static enum hs_err
rl_init(struct ratelimit *rl, double rate, double burst)
{
	size_t i;

	rl->rate = rate;
	rl->burst = burst < 1 ? 1 : burst;
	for (i = 0; i < RL_SHARDS; i++)
		pthread_mutex_init(&rl->mu[i], NULL);
	rl->slots = NULL;
	if (rate <= 0)
		return HS_OK;
	rl->slots = calloc(RL_SLOTS, sizeof(*rl->slots));
	return rl->slots ? HS_OK : HS_ERR_NOMEM;
}

static void
rl_free(struct ratelimit *rl)
{
	size_t i;

	for (i = 0; i < RL_SHARDS; i++)
		pthread_mutex_destroy(&rl->mu[i]);
	free(rl->slots);
}

static uint32_t
addr_hash(const uint8_t a[16])
{
	uint32_t h = 2166136261u;
	int i;

	for (i = 0; i < 16; i++)
		h = (h ^ a[i]) * 16777619u;
	return h;
}

/*
 * Takes one token for addr. Returns 0 if allowed, else the seconds to wait
 * (at least 1). Slots are grouped so that a probe run never crosses a
 * shard: each shard owns RL_SLOTS / RL_SHARDS consecutive slots.
 */
static unsigned
rl_take(struct ratelimit *rl, const uint8_t addr[16], double now)
{
	uint32_t h = addr_hash(addr);
	size_t per = RL_SLOTS / RL_SHARDS, shard = h % RL_SHARDS;
	size_t base = shard * per, start = (h / RL_SHARDS) % per, i, pick;
	struct rl_slot *sl = NULL, *oldest = NULL;
	unsigned wait = 0;

	if (rl->slots == NULL)
		return 0;
	pthread_mutex_lock(&rl->mu[shard]);
	for (i = 0; i < RL_PROBE; i++) {
		pick = base + (start + i) % per;
		if (rl->slots[pick].used &&
		    memcmp(rl->slots[pick].addr, addr, 16) == 0) {
			sl = &rl->slots[pick];
			break;
		}
		if (oldest == NULL || !rl->slots[pick].used ||
		    (oldest->used && rl->slots[pick].last < oldest->last))
			oldest = &rl->slots[pick];
	}
	if (sl == NULL) {
		/* A new client, or the least recently seen one is evicted. */
		sl = oldest;
		memcpy(sl->addr, addr, 16);
		sl->used = 1;
		sl->tokens = rl->burst;
		sl->last = now;
	}
	sl->tokens += (now - sl->last) * rl->rate;
	if (sl->tokens > rl->burst)
		sl->tokens = rl->burst;
	sl->last = now;
	if (sl->tokens >= 1) {
		sl->tokens -= 1;
	} else {
		double w = ceil((1 - sl->tokens) / rl->rate);

		wait = w < 1 ? 1 : w > 3600 ? 3600 : (unsigned)w;
	}
	pthread_mutex_unlock(&rl->mu[shard]);
	return wait;
}

/* ---- deadlines ---- */

static uint64_t
mono_ms(void)
{
	return (uint64_t)(time_mono() * 1000);
}

/* The connection's deadline: secs from now, or none (secs < 0). */
static void
conn_deadline(struct http_conn *c, double secs)
{
	if (c == NULL)
		return;
	__atomic_store_n(&c->deadline_ms, secs < 0 ? 0 :
	    mono_ms() + (uint64_t)(secs * 1000), __ATOMIC_RELAXED);
}

/* Time allowed to move n bytes: the header time plus n at the least rate. */
static double
transfer_secs(const struct http_server *s, size_t n)
{
	return (double)s->o.header_timeout + (double)n /
	    (double)(s->o.body_rate ? s->o.body_rate : 1);
}

/* Shuts down the connections past their deadline, a few times a second. */
static void *
reaper_main(void *arg)
{
	struct http_server *s = arg;
	struct http_conn *c;
	struct timespec ts;
	uint64_t now, d;

	pthread_mutex_lock(&s->conns_mu);
	while (!s->reaper_stop) {
		now = mono_ms();
		for (c = s->conns; c != NULL; c = c->next) {
			d = __atomic_load_n(&c->deadline_ms, __ATOMIC_RELAXED);
			if (d != 0 && now > d && !c->expired) {
				__atomic_store_n(&c->expired, 1,
				    __ATOMIC_RELAXED);
				(void)shutdown(c->fd, SHUT_RDWR);
				__atomic_add_fetch(&s->deadline_closed, 1,
				    __ATOMIC_RELAXED);
			}
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 250 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&s->reaper_cv, &s->conns_mu, &ts);
	}
	pthread_mutex_unlock(&s->conns_mu);
	return NULL;
}

/* ---- request helpers ---- */

const char *
http_method(const struct http_req *r)
{
	return r->method;
}

const char *
http_path(const struct http_req *r)
{
	return r->path;
}

const char *
http_query(const struct http_req *r, const char *key)
{
	return MHD_lookup_connection_value(r->c, MHD_GET_ARGUMENT_KIND, key);
}

const char *
http_header(const struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, name);
}

const char *
http_cookie(const struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->c, MHD_COOKIE_KIND, name);
}

const char *
http_client(const struct http_req *r)
{
	return r->client;
}

const void *
http_body(const struct http_req *r, size_t *len)
{
	*len = r->body.len;
	return r->body.data ? r->body.data : "";
}

int
http_route_endpoint(const struct http_req *r)
{
	return r->route.endpoint;
}

void
http_set_log_note(struct http_req *r, const char *note)
{
	snprintf(r->note, sizeof(r->note), "%s", note);
}

void
http_set_log_path(struct http_req *r, const char *path)
{
	free(r->log_path);
	r->log_path = strndup(path, 255);
}

int
http_replied(const struct http_req *r)
{
	return r->replied;
}

void
http_log_path(const char *path, char out[256])
{
	size_t i, o = 0, run, k;
	static const char hexd[] = "0123456789ABCDEF";

	for (i = 0; path[i] != '\0' && o < 200; ) {
		/* A run of 15+ digits or X could be an ID number: mask it. */
		for (run = 0; isdigit((unsigned char)path[i + run]) ||
		    path[i + run] == 'X' || path[i + run] == 'x'; run++)
			;
		if (run >= 15) {
			const char *m = "[masked]";

			for (k = 0; m[k] && o < 200; k++)
				out[o++] = m[k];
			i += run;
			continue;
		}
		if (run > 0) {
			for (k = 0; k < run && o < 200; k++)
				out[o++] = path[i + k];
			i += run;
			continue;
		}
		unsigned char ch = (unsigned char)path[i++];

		if (ch > 0x20 && ch < 0x7f && ch != '%' && ch != '"' &&
		    ch != '\\') {
			out[o++] = (char)ch;
		} else if (o + 3 <= 200) {
			out[o++] = '%';
			out[o++] = hexd[ch >> 4];
			out[o++] = hexd[ch & 15];
		} else {
			break;
		}
	}
	if (path[i] != '\0' && o + 3 <= 255) {
		out[o++] = '.';
		out[o++] = '.';
		out[o++] = '.';
	}
	out[o] = '\0';
}

static size_t
code_slot(int status)
{
	size_t i;

	for (i = 0; i < NCODES - 1; i++)
		if (metric_codes[i] == status)
			return i;
	return NCODES - 1;
}

void
http_metrics_text(const struct http_req *r, struct buf *out)
{
	const struct http_server *s = r->s;
	size_t e, c, b;

	buf_puts(out, "# HELP hourseal_http_requests_total HTTP requests "
	    "by endpoint and status.\n"
	    "# TYPE hourseal_http_requests_total counter\n");
	for (e = 0; e < s->app.nendpoints; e++)
		for (c = 0; c < NCODES; c++) {
			uint64_t v = __atomic_load_n(&s->ep[e].count[c],
			    __ATOMIC_RELAXED);

			if (v == 0)
				continue;
			if (c < NCODES - 1)
				buf_printf(out, "hourseal_http_requests_total"
				    "{endpoint=\"%s\",code=\"%d\"} %llu\n",
				    s->app.endpoints[e], metric_codes[c],
				    (unsigned long long)v);
			else
				buf_printf(out, "hourseal_http_requests_total"
				    "{endpoint=\"%s\",code=\"other\"} %llu\n",
				    s->app.endpoints[e],
				    (unsigned long long)v);
		}
	buf_puts(out, "# HELP hourseal_http_request_duration_seconds Time "
	    "from request headers to the last byte queued.\n"
	    "# TYPE hourseal_http_request_duration_seconds histogram\n");
	for (e = 0; e < s->app.nendpoints; e++) {
		uint64_t cum = 0;

		for (b = 0; b <= NBOUNDS; b++) {
			cum += __atomic_load_n(&s->ep[e].lat[b],
			    __ATOMIC_RELAXED);
			if (b < NBOUNDS)
				buf_printf(out, "hourseal_http_request_duration"
				    "_seconds_bucket{endpoint=\"%s\",le=\"%g\"}"
				    " %llu\n", s->app.endpoints[e],
				    lat_bounds[b], (unsigned long long)cum);
			else
				buf_printf(out, "hourseal_http_request_duration"
				    "_seconds_bucket{endpoint=\"%s\",le=\"+Inf\"}"
				    " %llu\n", s->app.endpoints[e],
				    (unsigned long long)cum);
		}
		buf_printf(out, "hourseal_http_request_duration_seconds_sum"
		    "{endpoint=\"%s\"} %.6f\n", s->app.endpoints[e],
		    (double)__atomic_load_n(&s->ep[e].lat_sum_us,
		    __ATOMIC_RELAXED) / 1e6);
		buf_printf(out, "hourseal_http_request_duration_seconds_count"
		    "{endpoint=\"%s\"} %llu\n", s->app.endpoints[e],
		    (unsigned long long)cum);
	}
	buf_printf(out, "# HELP hourseal_http_rate_limited_total Requests "
	    "answered 429.\n# TYPE hourseal_http_rate_limited_total counter\n"
	    "hourseal_http_rate_limited_total %llu\n",
	    (unsigned long long)__atomic_load_n(&s->rejected_ratelimit,
	    __ATOMIC_RELAXED));
	buf_printf(out, "# HELP hourseal_http_deadline_closed_total "
	    "Connections closed for not sending a request's headers or body "
	    "(or not taking the answer) in time.\n"
	    "# TYPE hourseal_http_deadline_closed_total counter\n"
	    "hourseal_http_deadline_closed_total %llu\n"
	    "# HELP hourseal_http_connections Open connections.\n"
	    "# TYPE hourseal_http_connections gauge\n"
	    "hourseal_http_connections %llu\n",
	    (unsigned long long)__atomic_load_n(&s->deadline_closed,
	    __ATOMIC_RELAXED),
	    (unsigned long long)__atomic_load_n(&s->nconns,
	    __ATOMIC_RELAXED));
	buf_printf(out, "# HELP hourseal_http_in_flight Requests being "
	    "handled.\n# TYPE hourseal_http_in_flight gauge\n"
	    "hourseal_http_in_flight %llu\n",
	    (unsigned long long)__atomic_load_n(&s->inflight,
	    __ATOMIC_RELAXED));
	buf_printf(out, "# HELP hourseal_uptime_seconds Seconds since the "
	    "server started.\n# TYPE hourseal_uptime_seconds gauge\n"
	    "hourseal_uptime_seconds %.0f\n", time_mono() - s->started);
	if (s->app.metrics != NULL)
		s->app.metrics(s->app.ctx, out);
}

static const char *const security_headers[] = {
	"Content-Security-Policy", "default-src 'none'; style-src 'self'; "
	    "img-src 'self' data:; form-action 'self'",
	"X-Content-Type-Options", "nosniff",
	"Referrer-Policy", "no-referrer",
	"X-Frame-Options", "DENY",
	NULL,
};

void
http_reply(struct http_req *r, int status, const char *ctype,
    const void *body, size_t len, enum http_mem mem,
    const char *const *headers)
{
	struct MHD_Response *resp;
	size_t i;

	if (r->replied) {
		if (mem == HTTP_MEM_FREE)
			free((void *)body);
		return;
	}
	r->replied = 1;
	r->status = status;
	resp = MHD_create_response_from_buffer(len, (void *)body,
	    mem == HTTP_MEM_FREE ? MHD_RESPMEM_MUST_FREE :
	    MHD_RESPMEM_PERSISTENT);
	if (resp == NULL) {
		if (mem == HTTP_MEM_FREE)
			free((void *)body);
		r->status = 500;
		return;
	}
	for (i = 0; security_headers[i] != NULL; i += 2)
		MHD_add_response_header(resp, security_headers[i],
		    security_headers[i + 1]);
	if (ctype != NULL)
		MHD_add_response_header(resp, "Content-Type", ctype);
	for (i = 0; headers != NULL && headers[i] != NULL &&
	    headers[i + 1] != NULL; i += 2)
		MHD_add_response_header(resp, headers[i], headers[i + 1]);
	r->sent = len;
	/* The client has this long to take the answer. */
	conn_deadline(r->conn, transfer_secs(r->s, len));
	if (MHD_queue_response(r->c, (unsigned)status, resp) != MHD_YES)
		r->status = 500;
	MHD_destroy_response(resp);
}

/* Answers through the application's error page, with headers (NULL or
 * name/value pairs). */
static void
reply_error_h(struct http_req *r, int status, const char *msg,
    const char *const *headers)
{
	r->s->app.error(r->s->app.ctx, r, status, msg, headers);
	if (!r->replied)
		http_reply(r, status, "text/plain; charset=utf-8", msg,
		    strlen(msg), HTTP_MEM_STATIC, headers);
}

static void
reply_error(struct http_req *r, int status, const char *msg)
{
	reply_error_h(r, status, msg, NULL);
}

/* ---- libmicrohttpd callbacks ---- */

static enum MHD_Result
count_header(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	(void)kind;
	(void)key;
	(void)value;
	(*(unsigned *)cls)++;
	return MHD_YES;
}

static void
set_client(struct http_req *r)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;
	const char *fwd;
	int loopback = 0;

	memset(r->client_bin, 0, 16);
	snprintf(r->client, sizeof(r->client), "unknown");
	ci = MHD_get_connection_info(r->c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || ci->client_addr == NULL)
		return;
	sa = ci->client_addr;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)sa;

		/* As an IPv4-mapped IPv6 address, so one table serves both. */
		r->client_bin[10] = r->client_bin[11] = 0xff;
		memcpy(r->client_bin + 12, &a->sin_addr, 4);
		inet_ntop(AF_INET, &a->sin_addr, r->client, sizeof(r->client));
		loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)sa;

		memcpy(r->client_bin, &a->sin6_addr, 16);
		inet_ntop(AF_INET6, &a->sin6_addr, r->client,
		    sizeof(r->client));
		loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
	}
	if (!r->s->o.trust_proxy || !loopback)
		return;
	/* Behind a local reverse proxy: the proxy says who the client is. */
	fwd = http_header(r, "X-Real-IP");
	if (fwd == NULL)
		return;
	{
		struct in_addr a4;
		struct in6_addr a6;

		if (inet_pton(AF_INET, fwd, &a4) == 1) {
			memset(r->client_bin, 0, 16);
			r->client_bin[10] = r->client_bin[11] = 0xff;
			memcpy(r->client_bin + 12, &a4, 4);
			inet_ntop(AF_INET, &a4, r->client, sizeof(r->client));
		} else if (inet_pton(AF_INET6, fwd, &a6) == 1) {
			memcpy(r->client_bin, &a6, 16);
			inet_ntop(AF_INET6, &a6, r->client, sizeof(r->client));
		}
	}
}

/*
 * First call for a request: bounds, routing and rate limits, all before
 * any body byte is read. Returns 1 if an answer was queued already.
 */
static int
first_call(struct http_req *r, const char *url)
{
	struct http_server *s = r->s;
	const char *cl;
	unsigned nh = 0, wait;
	int st;

	set_client(r);
	r->route.endpoint = 0;
	if (r->target_len > s->o.max_url || strlen(url) > s->o.max_url) {
		reply_error(r, 414, "URL too long");
		return 1;
	}
	MHD_get_connection_values(r->c, MHD_HEADER_KIND, count_header, &nh);
	if (nh > s->o.max_headers) {
		reply_error(r, 431, "too many header lines");
		return 1;
	}
	r->route.allow = NULL;
	st = s->app.route(s->app.ctx, r, &r->route);
	if (r->route.endpoint < 0 ||
	    (size_t)r->route.endpoint >= s->app.nendpoints)
		r->route.endpoint = 0;
	if (st == 405 && r->route.allow != NULL) {
		const char *h[] = { "Allow", r->route.allow, NULL };

		reply_error_h(r, st, "method not allowed", h);
		return 1;
	}
	if (st != 0) {
		reply_error(r, st, st == 405 ? "method not allowed" :
		    st == 404 ? "not found" : "bad request");
		return 1;
	}
	r->routed = 1;
	if (r->route.bucket != HTTP_BUCKET_NONE) {
		struct ratelimit *rl = r->route.bucket == HTTP_BUCKET_STRICT ?
		    &s->rl_strict : &s->rl_general;

		wait = rl_take(rl, r->client_bin, time_mono());
		if (wait > 0) {
			char ra[16];
			const char *h[] = { "Retry-After", ra, NULL };
			const char *msg = "too many requests; try again later";

			snprintf(ra, sizeof(ra), "%u", wait);
			__atomic_add_fetch(&s->rejected_ratelimit, 1,
			    __ATOMIC_RELAXED);
			s->app.error(s->app.ctx, r, 429, msg, h);
			if (!r->replied)
				http_reply(r, 429, "text/plain; charset=utf-8",
				    msg, strlen(msg), HTTP_MEM_STATIC, h);
			return 1;
		}
	}
	cl = http_header(r, "Content-Length");
	if (cl != NULL) {
		char *end;
		unsigned long long n;

		errno = 0;
		n = strtoull(cl, &end, 10);
		if (errno != 0 || end == cl || *end != '\0') {
			reply_error(r, 400, "bad Content-Length");
			return 1;
		}
		if (n > r->route.body_max) {
			reply_error(r, 413, r->route.body_max == 0 ?
			    "this address takes no request body" :
			    "request body too large");
			return 1;
		}
		if (n > 0) {
			/* Reserve once; the bound above makes this safe. */
			r->body.data = malloc((size_t)n + 1);
			if (r->body.data == NULL) {
				reply_error(r, 503, "out of memory");
				return 1;
			}
			r->body.cap = (size_t)n + 1;
			r->body.data[0] = '\0';
		}
	}
	return 0;
}

/*
 * Called first with the raw request target (path and query string): the
 * per-request state starts here, so the URL bound covers the query too.
 */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct http_req *r;
	const union MHD_ConnectionInfo *ci;

	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->s = cls;
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci != NULL)
		r->conn = *(void *const *)ci;
	r->t0 = time_mono();
	r->status = 500;
	r->target_len = strlen(uri);
	buf_init(&r->body);
	return r;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct http_server *s = cls;
	struct http_req *r = *con_cls;

	(void)version;
	if (r == NULL)
		return MHD_NO; /* on_uri ran out of memory */
	if (r->c == NULL) {
		char *q;

		r->c = c;
		r->method = method;
		r->path = strdup(url);
		if (r->path == NULL)
			return MHD_NO;
		if ((q = strchr(r->path, '?')) != NULL)
			*q = '\0';
		__atomic_add_fetch(&s->inflight, 1, __ATOMIC_RELAXED);
		if (first_call(r, url))
			return MHD_YES;
		/* Headers are in: the body (if any) has its own deadline,
		 * scaled to its declared length or the route's bound. */
		if (r->route.body_max > 0) {
			const char *cl = http_header(r, "Content-Length");

			conn_deadline(r->conn, transfer_secs(s, cl != NULL ?
			    r->body.cap : r->route.body_max));
		}
		return MHD_YES;
	}
	if (r->replied) {
		/* Answer already queued (an error): drop whatever comes. */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (!r->too_big && r->body.len + *upload_data_size <=
		    r->route.body_max) {
			buf_add(&r->body, upload_data, *upload_data_size);
			if (r->body.oom)
				r->too_big = 1;
		} else {
			/* Over the bound (only possible without a
			 * Content-Length): keep the data out and hang up
			 * once it is far over, rather than read it all. */
			r->too_big = 1;
			r->discarded += *upload_data_size;
			if (r->discarded > r->route.body_max + 65536)
				return MHD_NO;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->too_big) {
		reply_error(r, 413, "request body too large");
		return MHD_YES;
	}
	conn_deadline(r->conn, -1); /* none while the handler runs */
	s->app.handle(s->app.ctx, r);
	if (!r->replied)
		reply_error(r, 500, "internal error");
	return MHD_YES;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct http_req *r = *con_cls;
	double dt;
	size_t b;
	struct epmetrics *m;

	(void)c;
	if (r == NULL)
		return;
	*con_cls = NULL;
	dt = time_mono() - r->t0;
	if (!r->replied)
		r->status = toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ||
		    (r->conn != NULL &&
		    __atomic_load_n(&r->conn->expired, __ATOMIC_RELAXED)) ?
		    408 : 400;
	/* A kept-alive connection has the header time for its next one. */
	conn_deadline(r->conn, s->o.header_timeout);
	m = &s->ep[r->route.endpoint];
	__atomic_add_fetch(&m->count[code_slot(r->status)], 1,
	    __ATOMIC_RELAXED);
	for (b = 0; b < NBOUNDS && dt > lat_bounds[b]; b++)
		;
	__atomic_add_fetch(&m->lat[b], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&m->lat_sum_us, (uint64_t)(dt * 1e6),
	    __ATOMIC_RELAXED);
	if (r->c != NULL)
		__atomic_sub_fetch(&s->inflight, 1, __ATOMIC_RELAXED);
	if (s->o.access_log != NULL) {
		char ts[21], p[256];

		time_now_rfc3339(ts);
		http_log_path(r->log_path ? r->log_path :
		    r->path ? r->path : "", p);
		fprintf(s->o.access_log, "%s %s %s %s %d %zu %.2fms%s%s\n", ts,
		    r->client, r->method ? r->method : "-", p, r->status,
		    r->sent, dt * 1e3, r->note[0] ? " " : "", r->note);
	}
	buf_free(&r->body);
	free(r->path);
	free(r->log_path);
	free(r);
}

static void
on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
	struct http_server *s = cls;
	struct http_conn *hc;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
		    MHD_CONNECTION_INFO_CONNECTION_FD);

		*socket_context = NULL;
		if (ci != NULL && (hc = calloc(1, sizeof(*hc))) != NULL) {
			/* From the first byte, the headers have this long. */
			hc->fd = ci->connect_fd;
			conn_deadline(hc, s->o.header_timeout);
			pthread_mutex_lock(&s->conns_mu);
			hc->next = s->conns;
			if (s->conns != NULL)
				s->conns->prev = hc;
			s->conns = hc;
			__atomic_add_fetch(&s->nconns, 1, __ATOMIC_RELAXED);
			pthread_mutex_unlock(&s->conns_mu);
			*socket_context = hc;
		}
	} else if ((hc = *socket_context) != NULL) {
		pthread_mutex_lock(&s->conns_mu);
		if (hc->prev != NULL)
			hc->prev->next = hc->next;
		else
			s->conns = hc->next;
		if (hc->next != NULL)
			hc->next->prev = hc->prev;
		__atomic_sub_fetch(&s->nconns, 1, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&s->conns_mu);
		*socket_context = NULL;
		free(hc);
	}
	if (s->app.connection != NULL)
		s->app.connection(s->app.ctx,
		    code == MHD_CONNECTION_NOTIFY_STARTED);
}

/* libmicrohttpd's own messages: keep them, but not thousands of them. */
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct http_server *s = cls;
	unsigned k = __atomic_add_fetch(&s->mhd_logged, 1, __ATOMIC_RELAXED);

	if (k > 100 && k % 1000 != 0)
		return;
	fprintf(stderr, "%s: libmicrohttpd: ", s->o.prog ? s->o.prog :
	    "hourseal");
	vfprintf(stderr, fmt, ap);
}

/* Parses "host:port", "[v6]:port" or ":port". */
static enum hs_err
parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *len,
    int *v6, char *err)
{
	char host[64];
	const char *colon, *h, *hend;
	unsigned long port;
	char *end;

	memset(ss, 0, sizeof(*ss));
	*v6 = 0;
	if (spec[0] == '[') {
		hend = strchr(spec, ']');
		if (hend == NULL || hend[1] != ':')
			goto bad;
		h = spec + 1;
		colon = hend + 1;
		*v6 = 1;
	} else {
		colon = strrchr(spec, ':');
		if (colon == NULL)
			goto bad;
		h = spec;
		hend = colon;
	}
	if ((size_t)(hend - h) >= sizeof(host))
		goto bad;
	memcpy(host, h, (size_t)(hend - h));
	host[hend - h] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || port > 65535)
		goto bad;
	if (*v6) {
		struct sockaddr_in6 *a = (void *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			goto bad;
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (void *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (host[0] == '\0')
			a->sin_addr.s_addr = htonl(INADDR_ANY);
		else if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			goto bad;
		*len = sizeof(*a);
	}
	return HS_OK;
bad:
	return hs_fail(err, HS_ERR_INVALID, "--listen '%s': expected "
	    "HOST:PORT, [IPv6]:PORT or :PORT with a numeric address", spec);
}

enum hs_err
http_start(const struct http_opts *o, const struct http_app *app,
    struct http_server **out, char *err)
{
	struct http_server *s = NULL;
	struct sockaddr_storage ss;
	socklen_t sl;
	int v6;
	unsigned flags;
	const union MHD_DaemonInfo *di;
	enum hs_err rc;

	*out = NULL;
	if ((rc = parse_listen(o->listen, &ss, &sl, &v6, err)) != HS_OK)
		return rc;
	if (app->nendpoints == 0 || app->route == NULL ||
	    app->handle == NULL || app->error == NULL)
		return hs_fail(err, HS_ERR_INVALID, "http: incomplete app");
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	s->o = *o;
	s->app = *app;
	s->started = time_mono();
	pthread_mutex_init(&s->conns_mu, NULL);
	pthread_cond_init(&s->reaper_cv, NULL);
	s->ep = calloc(app->nendpoints, sizeof(*s->ep));
	if (s->ep == NULL ||
	    rl_init(&s->rl_general, o->rate, o->burst) != HS_OK ||
	    rl_init(&s->rl_strict, o->strict_rate, o->strict_burst) != HS_OK) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto fail;
	}
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ERROR_LOG | MHD_USE_ITC;
	if (v6)
		flags |= MHD_USE_IPv6;
	/*
	 * The memory pool holds the request line and headers; it is larger
	 * than max_url so that an over-long URL reaches first_call and gets
	 * our 414 page with the security headers. Beyond the pool,
	 * libmicrohttpd answers 414/431 by itself.
	 */
	s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(o->threads > 1 ?
	    o->threads : 0),
	    MHD_OPTION_CONNECTION_LIMIT, o->max_conns,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->per_ip_conns,
	    MHD_OPTION_CONNECTION_TIMEOUT, o->timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
	    MHD_OPTION_END);
	if (s->d == NULL) {
		rc = hs_fail(err, HS_ERR_IO, "cannot listen on %s (address in "
		    "use, or not a local address?)", o->listen);
		goto fail;
	}
	if (o->header_timeout > 0) {
		if (pthread_create(&s->reaper, NULL, reaper_main, s) != 0) {
			rc = hs_fail(err, HS_ERR_NOMEM, "cannot start a thread");
			goto fail;
		}
		s->reaper_started = 1;
	}
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	{
		char host[INET6_ADDRSTRLEN] = "0.0.0.0";
		unsigned port = di ? di->port : 0;

		if (v6) {
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->
			    sin6_addr, host, sizeof(host));
			snprintf(s->address, sizeof(s->address), "[%s]:%u",
			    host, port);
		} else {
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->
			    sin_addr, host, sizeof(host));
			snprintf(s->address, sizeof(s->address), "%s:%u",
			    host, port);
		}
	}
	*out = s;
	return HS_OK;
fail:
	http_stop(s);
	return rc;
}

const char *
http_address(const struct http_server *s)
{
	return s->address;
}

void
http_stop(struct http_server *s)
{
	if (s == NULL)
		return;
	if (s->reaper_started) {
		pthread_mutex_lock(&s->conns_mu);
		s->reaper_stop = 1;
		pthread_cond_signal(&s->reaper_cv);
		pthread_mutex_unlock(&s->conns_mu);
		pthread_join(s->reaper, NULL);
	}
	if (s->d != NULL)
		MHD_stop_daemon(s->d);
	if (s->o.access_log != NULL)
		fflush(s->o.access_log);
	rl_free(&s->rl_general);
	rl_free(&s->rl_strict);
	free(s->ep);
	pthread_cond_destroy(&s->reaper_cv);
	pthread_mutex_destroy(&s->conns_mu);
	free(s);
}
