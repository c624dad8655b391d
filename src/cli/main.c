/* main.c: esbench's entry point: dispatches to one subcommand. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h> /* before the check below: it defines __GLIBC__ */
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>

#include "cli.h"
#include "exitcode.h"

/* The subcommands. To add one, see cli.h. */
static const struct {
  const char *name;
  int (*fn)(int argc, char **argv);
  const char *summary;
} commands[] = {
    {"run", cmd_run, "run a suite's models on its dataset and score them"},
    {"score", cmd_score, "score plain-text hypothesis files against references"},
    {"fetch", cmd_fetch, "download a dataset (extes, esconv) into the cache"},
    {"compare", cmd_compare, "models against the baseline: intervals and paired tests"},
    {"gate", cmd_gate, "fail CI on a real regression against a baseline run"},
    {"report", cmd_report, "render a run folder's CSV and HTML again from results.json"},
    {"table", cmd_table, "the paper table (LaTeX, Markdown, CSV) of runs"},
    {"cache", cmd_cache, "statistics and pruning of the request cache"},
};

int cli_report(const es_error *err) {
  fprintf(stderr, "esbench: %s\n", err->msg);
  return err->exit;
}

int cli_fail(int code, const char *fmt, ...) {
  va_list ap;
  fputs("esbench: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return code;
}

static void usage(FILE *f) {
  fprintf(f, "usage: esbench <command> [options]\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fprintf(f, "\n'esbench <command> --help' describes a command's options.\n");
}

/* esbench is a short batch process that allocates and frees tables of
 * megabytes (vocabularies, n-gram tables) as they grow. By default glibc
 * maps each large block afresh and unmaps it when freed, so every growth
 * step pays its page faults again; keeping freed memory in the heap lets
 * the next table reuse it (measured: 4% of a whole `esbench score`). */
static void tune_allocator(void) {
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
#endif
}

int main(int argc, char **argv) {
  tune_allocator();
  /* a peer that closes a connection or a pipe (a model server over TLS, an
   * exec worker, `esbench score | head`) is an error to report, not a
   * signal that kills the run */
  signal(SIGPIPE, SIG_IGN);
  if (argc < 2) {
    usage(stderr);
    return ES_EXIT_USAGE;
  }
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    usage(stdout);
    return ES_EXIT_OK;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("esbench %s\n", ESBENCH_VERSION);
    return ES_EXIT_OK;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
  fprintf(stderr, "esbench: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return ES_EXIT_USAGE;
}
