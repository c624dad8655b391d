/* cmd_run.c: `esbench run SUITE`: run a suite and write its run folder. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "exitcode.h"
#include "run.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: esbench run SUITE.yaml [options]\n"
          "\n"
          "Runs every model of the suite on its dataset split, scores the replies and\n"
          "writes a run folder (results.json, summary.csv, instances.csv).\n"
          "\n"
          "  --data-dir DIR   look for the dataset file in DIR first\n"
          "                   (then $ESBENCH_DATA_DIR, then the cache)\n"
          "  --offline        never download the dataset\n"
          "  --out-dir DIR    write the run folder under DIR (default: the suite's report.dir)\n"
          "  --name NAME      the run folder's name (default: SUITE-TIMESTAMP)\n"
          "  --threads N      threads for the metrics (default 2)\n"
          "  --quiet          no progress messages on stderr\n"
          "\n"
          "Exit status: 0 success, 1 some instances failed, 2 usage/config/input error.\n");
}

static void log_stderr(void *ctx, const char *msg) {
  (void)ctx;
  fprintf(stderr, "esbench: %s\n", msg);
}

/* The short summary table on stdout: models x reported metrics. */
static void print_summary(const es_run *run) {
  const es_suite *s = run->suite;
  int w = 5; /* the model column fits the longest name: rows must stay apart */
  for (size_t m = 0; m < run->nmodels; m++)
    if ((int)strlen(run->models[m].cfg->name) > w) w = (int)strlen(run->models[m].cfg->name);
  printf("%-*s", w, "model");
  for (size_t k = 0; k < s->metrics.nnames; k++) {
    if (!strcmp(s->metrics.names[k], "strategy")) printf(" %8s %8s", "acc", "macro-f1");
    else printf(" %8s", s->metrics.names[k]);
  }
  printf(" %8s\n", "failed");
  for (size_t m = 0; m < run->nmodels; m++) {
    const es_model_run *mr = &run->models[m];
    printf("%-*s", w, mr->cfg->name);
    for (size_t k = 0; k < s->metrics.nnames; k++) {
      const char *name = s->metrics.names[k];
      if (!strcmp(name, "strategy")) {
        printf(" %8.2f %8.2f", 100.0 * mr->strategy.accuracy,
               100.0 * mr->strategy.macro_f1);
        continue;
      }
      const es_metric *mt = es_scores_find(mr->scores, name);
      if (mt) printf(" %8.2f", mt->value);
      else printf(" %8s", "-");
    }
    printf(" %8zu\n", mr->replies.failed);
  }
}

int cmd_run(int argc, char **argv) {
  static const struct option longopts[] = {
      {"data-dir", required_argument, NULL, 'd'}, {"offline", no_argument, NULL, 'o'},
      {"out-dir", required_argument, NULL, 'O'},  {"name", required_argument, NULL, 'n'},
      {"threads", required_argument, NULL, 't'},  {"quiet", no_argument, NULL, 'q'},
      {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
  es_run_options opt = {0};
  opt.threads = 2;
  opt.log = log_stderr;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
      case 'd': opt.data_dir = optarg; break;
      case 'o': opt.offline = 1; break;
      case 'O': opt.out_root = optarg; break;
      case 'n': opt.run_name = optarg; break;
      case 't': {
        char *end;
        long t = strtol(optarg, &end, 10);
        if (*end || t < 1 || t > 64) return cli_fail(ES_EXIT_USAGE, "--threads takes 1 to 64, not '%s'", optarg);
        opt.threads = (int)t;
        break;
      }
      case 'q': opt.log = NULL; break;
      case 'h': usage(stdout); return ES_EXIT_OK;
      default: usage(stderr); return ES_EXIT_USAGE;
    }
  }
  if (optind != argc - 1) {
    usage(stderr);
    return ES_EXIT_USAGE;
  }
  opt.suite_path = argv[optind];
  es_error err = {0};
  es_run *run = NULL;
  if (es_run_execute(&opt, &run, &err) != 0) return cli_report(&err);
  if (es_run_write(run, &opt, &err) != 0) {
    es_run_free(run);
    return cli_report(&err);
  }
  print_summary(run);
  printf("\nwrote %s\n", run->out_path);
  int code = ES_EXIT_OK;
  if (run->failed) {
    fprintf(stderr, "esbench: %zu instance%s failed (see results.json \"failures\")\n", run->failed,
            run->failed == 1 ? "" : "s");
    code = ES_EXIT_FAILURES;
  }
  es_run_free(run);
  return code;
}
