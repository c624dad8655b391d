/*
 * cli.h: the subcommands of the esbench executable.
 *
 * Each subcommand is one file src/cli/cmd_NAME.c defining
 *   int cmd_NAME(int argc, char **argv);   (argv[0] is "NAME")
 * that parses its own options, prints errors as "esbench: message" on
 * stderr, and returns an exit code from exitcode.h.
 *
 * Adding a subcommand: write cmd_NAME.c, declare it here, and add a row to
 * the table in main.c (name, function, one-line summary).
 */
#ifndef ES_CLI_H
#define ES_CLI_H

#include "compare.h"
#include "error.h"

int cmd_run(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_cache(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_table(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_gate(int argc, char **argv);

/* The options compare and table share (--baseline, --bootstrap,
 * --permutations, --seed, --alpha as getopt letters b, B, R, s, a): 1 when c
 * is one and arg is valid (set in opt), -1 when arg is not (the message is
 * printed), 0 when c is another option. */
int cli_compare_option(int c, const char *arg, es_compare_options *opt);

/* Prints "esbench: <err->msg>" to stderr and returns err->exit. */
int cli_report(const es_error *err);
/* Prints "esbench: <message>" to stderr and returns code. */
int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
