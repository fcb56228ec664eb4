/* serve_share.c - (issue 14: being built) */
#include "serve.h"

void
serve_my_share_list(struct sreq *q)
{
	serve_error(q, 501, "not built yet");
}

void
serve_my_share_add(struct sreq *q)
{
	serve_error(q, 501, "not built yet");
}

void
serve_my_share_withdraw(struct sreq *q)
{
	serve_error(q, 501, "not built yet");
}

void
serve_share_report(struct sreq *q)
{
	serve_error(q, 501, "not built yet");
}

void
serve_share_qr(struct sreq *q)
{
	serve_error(q, 501, "not built yet");
}
