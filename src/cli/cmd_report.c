/* cmd_report.c: `esbench report RUN_DIR`: renders every output of a run
 * folder again from its results.json alone (report.h). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "exitcode.h"
#include "report.h"

int cmd_report(int argc, char **argv) {
  const char *formats[4] = {"csv", "html", NULL, NULL};
  size_t nf = 2;
  const char *dir = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      printf("usage: esbench report RUN_DIR [--latex] [--markdown]\n\n"
             "Renders summary.csv, instances.csv and report.html of the run folder again from its\n"
             "results.json alone (with --latex and --markdown also table.tex and table.md), each\n"
             "file written atomically.\n");
      return ES_EXIT_OK;
    } else if (!strcmp(argv[i], "--latex") && nf < 4) {
      formats[nf++] = "latex";
    } else if (!strcmp(argv[i], "--markdown") && nf < 4) {
      formats[nf++] = "markdown";
    } else if (argv[i][0] == '-' || dir) {
      return cli_fail(ES_EXIT_USAGE, "usage: esbench report RUN_DIR [--latex] [--markdown]");
    } else {
      dir = argv[i];
    }
  }
  if (!dir) return cli_fail(ES_EXIT_USAGE, "usage: esbench report RUN_DIR [--latex] [--markdown]");
  es_error err = {0};
  if (es_report_render(dir, formats, nf, &err) != 0) return cli_report(&err);
  fprintf(stderr, "esbench: rendered %s/{summary.csv,instances.csv,report.html}\n", dir);
  return ES_EXIT_OK;
}
