/* cmd_compare.c: `esbench compare RUN_DIR [RUN_DIR ...]`: every model
 * against the baseline, with intervals and paired tests (compare.h). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare.h"
#include "exitcode.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: esbench compare RUN_DIR [RUN_DIR ...] [options]\n"
          "\n"
          "Compares every model of the run folders with the baseline, metric by metric:\n"
          "value, 95%% bootstrap interval, and paired tests (bootstrap and approximate\n"
          "randomization as sacreBLEU computes them; t-test and Wilcoxon on per-instance\n"
          "metrics; McNemar on strategy accuracy), Holm-adjusted over models x metrics.\n"
          "Runs must have evaluated the same instances of the same data. Prints the\n"
          "table and writes compare.json and compare.csv into the first run folder.\n"
          "\n"
          "  --baseline NAME      the model to compare with (default: the suite's)\n"
          "  --bootstrap N        bootstrap resamples (default: the suite's, 1000)\n"
          "  --permutations N     randomization trials (default: the suite's, 10000)\n"
          "  --seed N             generator seed (default: the suite's, 12345)\n"
          "  --alpha A            significance level (default: the suite's, 0.05)\n"
          "  --out DIR            write the files into DIR instead\n"
          "  --no-write           print only\n"
          "\n"
          "Exit status: 0, 2 usage or unreadable input, 3 runs that cannot be compared.\n");
}

static int parse_long(const char *s, long lo, long hi, long *out) {
  char *end;
  long v = strtol(s, &end, 10);
  if (*end || end == s || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

int cli_compare_option(int c, const char *arg, es_compare_options *opt) {
  long v;
  char *end;
  switch (c) {
    case 'b': opt->baseline = arg; return 1;
    case 'B':
      if (parse_long(arg, 1, 100000000, &v)) return cli_fail(ES_EXIT_USAGE, "--bootstrap takes 1 to 1e8"), -1;
      opt->bootstrap = v;
      return 1;
    case 'R':
      if (parse_long(arg, 1, 100000000, &v)) return cli_fail(ES_EXIT_USAGE, "--permutations takes 1 to 1e8"), -1;
      opt->permutations = v;
      return 1;
    case 's':
      if (parse_long(arg, 0, 2147483647L, &v)) return cli_fail(ES_EXIT_USAGE, "--seed takes a non-negative integer"), -1;
      opt->seed = v;
      return 1;
    case 'a':
      opt->alpha = strtod(arg, &end);
      if (*end || !(opt->alpha > 0 && opt->alpha < 1))
        return cli_fail(ES_EXIT_USAGE, "--alpha takes a number in (0, 1)"), -1;
      return 1;
  }
  return 0;
}

int cmd_compare(int argc, char **argv) {
  static const struct option longopts[] = {
      {"baseline", required_argument, NULL, 'b'}, {"bootstrap", required_argument, NULL, 'B'},
      {"permutations", required_argument, NULL, 'R'}, {"seed", required_argument, NULL, 's'},
      {"alpha", required_argument, NULL, 'a'},    {"out", required_argument, NULL, 'o'},
      {"no-write", no_argument, NULL, 'n'},       {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  es_compare_options opt = {NULL, 0, 0, -1, 0, 0};
  const char *outdir = NULL;
  int nowrite = 0, c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    int k = cli_compare_option(c, optarg, &opt);
    if (k < 0) return ES_EXIT_USAGE;
    if (k > 0) continue;
    switch (c) {
      case 'o': outdir = optarg; break;
      case 'n': nowrite = 1; break;
      case 'h': usage(stdout); return ES_EXIT_OK;
      default: usage(stderr); return ES_EXIT_USAGE;
    }
  }
  if (optind >= argc) {
    usage(stderr);
    return ES_EXIT_USAGE;
  }
  es_error err = {0};
  es_compare *cmp = NULL;
  if (es_compare_run(argv + optind, (size_t)(argc - optind), &opt, &cmp, &err) != 0) return cli_report(&err);
  int w = 5;
  for (size_t m = 0; m < cmp->nmodels; m++)
    if ((int)strlen(cmp->models[m].name) > w) w = (int)strlen(cmp->models[m].name);
  printf("%-*s  %-20s %9s  %-19s %9s %10s %10s  %s\n", w, "model", "metric", "value", "95% CI", "delta",
         "p (AR)", "p (Holm)", "");
  for (size_t m = 0; m < cmp->nmodels; m++)
    for (size_t k = 0; k < cmp->nmetrics; k++) {
      const es_cmp_cell *e = &cmp->cells[m * cmp->nmetrics + k];
      char ci[64] = "-";
      if (!isnan(e->ci_low)) snprintf(ci, sizeof ci, "[%.2f, %.2f]", e->ci_low, e->ci_high);
      printf("%-*s  %-20s %9.2f  %-19s", w, cmp->models[m].name, cmp->metrics[k].name, e->value, ci);
      if (m == cmp->baseline) printf(" %9s %10s %10s  %s\n", "", "", "", "(baseline)");
      else if (!e->has_test || isnan(e->p_ar)) printf(" %9s %10s %10s\n", "-", "-", "-");
      else
        printf(" %+9.2f %10.4g %10.4g  %s\n", e->delta, e->p_ar, e->adj_ar, e->significant ? "*" : "");
    }
  printf("\n* significant against %s at alpha %g (approximate randomization, %ld trials, Holm over "
         "%zu models x %zu metrics); %s\n",
         cmp->models[cmp->baseline].name, cmp->alpha, cmp->permutations, cmp->nmodels - 1,
         cmp->nmetrics, cmp->test_signature);
  int code = ES_EXIT_OK;
  if (!nowrite) {
    const char *dir = outdir ? outdir : argv[optind];
    if (es_compare_write(cmp, dir, &err) != 0) code = cli_report(&err);
    else fprintf(stderr, "esbench: wrote %s/compare.json and compare.csv\n", dir);
  }
  es_compare_free(cmp);
  return code;
}
