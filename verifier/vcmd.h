/*
 * vcmd.h - the verifier's subcommands, called with argv[0] = the
 * subcommand name. They return the exit status: 0 valid/ok, 1 invalid,
 * 2 could not check or run.
 */
#ifndef HS_VCMD_H
#define HS_VCMD_H

int vcmd_serve(int argc, char **argv);
int vcmd_check(int argc, char **argv);

#endif
