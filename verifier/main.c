/*
 * hourseal-verifier: the verification service (serve) and the offline
 * check of a PDF or a certificate note (check).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vcmd.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *usage;
} cmds[] = {
	{ "serve", vcmd_serve, "serve --db FILE --key FILE [--state FILE] "
	    "[--listen 127.0.0.1:8080] [--threads N] [options: serve --help]" },
	{ "check", vcmd_check, "check FILE.pdf|FILE.note --key KEYFILE "
	    "[--proof FILE] [--checkpoint FILE] [--ledger DIR] [--base-url URL] "
	    "[--templates DIR] [--json]" },
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: hourseal-verifier COMMAND [ARGS]\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %s\n", cmds[i].usage);
}

int
main(int argc, char **argv)
{
	size_t k;

	if (argc < 2 || strcmp(argv[1], "help") == 0 ||
	    strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (k = 0; k < NCMDS; k++) {
		if (strcmp(argv[1], cmds[k].name) != 0)
			continue;
		optind = 0;
		return cmds[k].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "hourseal-verifier: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
