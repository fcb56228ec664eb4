/* serve_admin_activation.c - (issue 14: being built) */
#include "serve.h"

void
serve_activation_form(struct sreq *q)
{
	serve_error(q, 501, "not built yet");
}

void
serve_activation_post(struct sreq *q)
{
	serve_error(q, 501, "not built yet");
}
