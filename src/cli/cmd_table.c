/*
 * cmd_table.c: `esbench table RUN_DIR [RUN_DIR ...] --format latex|markdown|csv`:
 * the paper table. Models are rows, metrics columns (order and names from
 * --columns), the best value of each column in bold, a dagger where a
 * model differs significantly from the baseline (compare.h: Holm-adjusted
 * approximate randomization), explained in a footnote. With --published
 * FILE (YAML: source, and per model a mapping of column label to number)
 * each model that has published numbers gets two more rows: the published
 * values and reproduced - published.
 *
 * LaTeX: booktabs (\toprule, \midrule, \bottomrule), every text escaped.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare.h"
#include "error.h"
#include "exitcode.h"
#include "table.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: esbench table RUN_DIR [RUN_DIR ...] [--format latex|markdown|csv] [options]\n"
          "\n"
          "The paper table of the runs: models as rows, metrics as columns, the best value\n"
          "of each column in bold, a dagger where a model differs significantly from the\n"
          "baseline (as `esbench compare`), explained in a footnote.\n"
          "\n"
          "  --format F         latex (booktabs; default), markdown or csv\n"
          "  --columns LIST     LABEL=metric,... in order (default: B-1..B-4, R-L, D-1..D-3,\n"
          "                     Acc, and the judge rubrics; columns a run lacks are left out)\n"
          "  --published FILE   YAML of published numbers: `source: ...` and `models:`\n"
          "                     {model: {LABEL: number}}; adds published and delta rows\n"
          "  --baseline, --seed, --bootstrap, --permutations, --alpha   as for compare\n"
          "  --out FILE         write the table to FILE (atomically) instead of stdout\n");
}

int cmd_table(int argc, char **argv) {
  static const struct option longopts[] = {
      {"format", required_argument, NULL, 'f'},   {"columns", required_argument, NULL, 'c'},
      {"published", required_argument, NULL, 'p'}, {"baseline", required_argument, NULL, 'b'},
      {"seed", required_argument, NULL, 's'},     {"bootstrap", required_argument, NULL, 'B'},
      {"permutations", required_argument, NULL, 'R'}, {"alpha", required_argument, NULL, 'a'},
      {"out", required_argument, NULL, 'o'},      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  es_compare_options opt = {NULL, 0, 0, -1, 0, 0};
  const char *columns = NULL, *pubfile = NULL, *outfile = NULL;
  int fmt = ES_TABLE_LATEX, ch;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    int k = cli_compare_option(ch, optarg, &opt);
    if (k < 0) return ES_EXIT_USAGE;
    if (k > 0) continue;
    switch (ch) {
      case 'f':
        if (!strcmp(optarg, "latex")) fmt = ES_TABLE_LATEX;
        else if (!strcmp(optarg, "markdown")) fmt = ES_TABLE_MARKDOWN;
        else if (!strcmp(optarg, "csv")) fmt = ES_TABLE_CSV;
        else return cli_fail(ES_EXIT_USAGE, "--format takes latex, markdown or csv, not '%s'", optarg);
        break;
      case 'c': columns = optarg; break;
      case 'p': pubfile = optarg; break;
      case 'o': outfile = optarg; break;
      case 'h': usage(stdout); return ES_EXIT_OK;
      default: usage(stderr); return ES_EXIT_USAGE;
    }
  }
  if (optind >= argc) {
    usage(stderr);
    return ES_EXIT_USAGE;
  }
  es_table_published pub = {0};
  if (pubfile && es_table_published_load(pubfile, &pub) != 0) return ES_EXIT_USAGE;
  es_error err = {0};
  es_compare *c = NULL;
  if (es_compare_run(argv + optind, (size_t)(argc - optind), &opt, &c, &err) != 0) {
    es_table_published_free(&pub);
    return cli_report(&err);
  }
  es_table_column *cols = NULL;
  size_t nc = 0;
  int pr = es_table_columns(columns ? columns : ES_TABLE_DEFAULT_COLUMNS, c, &cols, &nc, columns != NULL);
  int code = ES_EXIT_OK;
  if (pr != 0 || nc == 0) {
    code = pr == -1 ? cli_fail(ES_EXIT_INTERNAL, "out of memory")
                    : nc == 0 && pr == 0 ? cli_fail(ES_EXIT_USAGE, "no column to show") : ES_EXIT_USAGE;
    goto out;
  }
  for (size_t r = 0; r < pub.n; r++) {
    int known = 0;
    for (size_t m = 0; m < c->nmodels; m++) known |= !strcmp(c->models[m].name, pub.rows[r].model);
    if (!known) {
      code = cli_fail(ES_EXIT_USAGE, "%s: model '%s' is not in the runs", pubfile, pub.rows[r].model);
      goto out;
    }
  }
  if (!outfile) {
    es_table_render(stdout, fmt, c, cols, nc, pubfile ? &pub : NULL);
  } else {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", outfile);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
      code = cli_fail(ES_EXIT_INTERNAL, "cannot write '%s'", tmp);
      goto out;
    }
    es_table_render(f, fmt, c, cols, nc, pubfile ? &pub : NULL);
    if (fclose(f) != 0 || rename(tmp, outfile) != 0) {
      remove(tmp);
      code = cli_fail(ES_EXIT_INTERNAL, "cannot write '%s'", outfile);
    }
  }
out:
  free(cols);
  es_table_published_free(&pub);
  es_compare_free(c);
  return code;
}
