/* serve_my.c - (issue 14: being built) */
#include "serve.h"

void
serve_my_home(struct sreq *q)
{
	serve_error(q, 501, "not built yet");
}

void
serve_my_records(struct sreq *q)
{
	serve_error(q, 501, "not built yet");
}

void
serve_my_certs(struct sreq *q)
{
	serve_error(q, 501, "not built yet");
}

void
serve_my_cert_pdf(struct sreq *q)
{
	serve_error(q, 501, "not built yet");
}

void
serve_my_cert_show(struct sreq *q)
{
	serve_error(q, 501, "not built yet");
}

void
serve_my_cert_request(struct sreq *q)
{
	serve_error(q, 501, "not built yet");
}

void
serve_my_notices(struct sreq *q)
{
	serve_error(q, 501, "not built yet");
}

void
serve_my_data(struct sreq *q)
{
	serve_error(q, 501, "not built yet");
}
