/*
 * cmd.h - the issuer's subcommands. Each lives in issuer/cmd_<name>.c and
 * is called with argv[0] = the subcommand name and the global options
 * (--data) already removed. Each returns the process exit status:
 * 0 ok, 1 invalid input or a failed check, 2 could not run.
 */
#ifndef HS_ISSUER_CMD_H
#define HS_ISSUER_CMD_H

struct cli {
	const char *data_dir; /* --data, $HOURSEAL_DATA or ./data */
	const char *prog;     /* "hourseal-issuer" */
};

#define CMD(name) int cmd_##name(const struct cli *, int, char **)
CMD(init);
CMD(import);
CMD(stamp);
CMD(summary);
CMD(keygen);
CMD(key);
CMD(issue);
CMD(revoke);
CMD(reissue);
CMD(list);
CMD(show);
CMD(export);
CMD(publish);
CMD(audit);
CMD(tiles);
#undef CMD

#endif
