/* cmd_run.c: `esbench run SUITE`: run a suite and write its run folder. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
          "  --cache FILE     the request cache of openai and exec models (default:\n"
          "                   $ESBENCH_CACHE, else $XDG_CACHE_HOME/esbench/requests.sqlite)\n"
          "  --no-cache       neither read nor write the request cache\n"
          "  --quiet          no progress messages on stderr\n"
          "\n"
          "Progress goes to stderr: a live line per served model on a terminal, else a\n"
          "line every $ESBENCH_PROGRESS_INTERVAL seconds (default 10). Ctrl-C stops the\n"
          "run cleanly (a second one at once); the replies received so far stay in the\n"
          "cache, and running the same command again sends only the missing requests.\n"
          "\n"
          "Exit status: 0 success, 1 some instances failed, 2 usage/config/input error,\n"
          "130 interrupted.\n");
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
  const es_judge *jd = run->judge;
  for (size_t r = 0; jd && r < jd->nrubrics; r++) printf(" %8.8s", s->judge.rubrics[r].name);
  if (jd && jd->pairs) printf(" %8s", "win%");
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
    for (size_t r = 0; jd && r < jd->nrubrics; r++) {
      double v = jd->scores[r * jd->nmodels + m].mean;
      if (v == v) printf(" %8.2f", v);
      else printf(" %8s", "-");
    }
    if (jd && jd->pairs) {
      const es_judge_pairs *pr = &jd->pairs[m];
      if (m != jd->baseline && pr->decided) printf(" %8.1f", 100.0 * (double)pr->model_wins / (double)pr->decided);
      else printf(" %8s", "-");
    }
    printf(" %8zu\n", mr->replies.failed);
  }
  if (jd) { /* what the judge could not score is always shown */
    printf("\njudge (%s): %zu parse failure%s after the reminder, %zu failed request%s",
           s->judge.model.name, jd->parse_failures, jd->parse_failures == 1 ? "" : "s", jd->failed,
           jd->failed == 1 ? "" : "s");
    for (size_t r = 0; r < jd->nrubrics; r++)
      if (jd->alpha[r] == jd->alpha[r])
        printf("%s %s alpha %.3f", r ? "," : ";", s->judge.rubrics[r].name, jd->alpha[r]);
    printf("\n");
  }
}

static volatile sig_atomic_t stop_requested;

/* The first SIGINT or SIGTERM asks the run to stop cleanly; the handler
 * then steps aside so that a second one ends the process at once (every
 * reply received is already committed to the cache): SA_RESETHAND. */
static void on_stop(int sig) {
  (void)sig;
  stop_requested = 1;
}

int cmd_run(int argc, char **argv) {
  static const struct option longopts[] = {
      {"data-dir", required_argument, NULL, 'd'}, {"offline", no_argument, NULL, 'o'},
      {"out-dir", required_argument, NULL, 'O'},  {"name", required_argument, NULL, 'n'},
      {"threads", required_argument, NULL, 't'},  {"quiet", no_argument, NULL, 'q'},
      {"cache", required_argument, NULL, 'c'},    {"no-cache", no_argument, NULL, 'N'},
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
      case 'c': opt.cache_path = optarg; break;
      case 'N': opt.no_cache = 1; break;
      case 'h': usage(stdout); return ES_EXIT_OK;
      default: usage(stderr); return ES_EXIT_USAGE;
    }
  }
  if (optind != argc - 1) {
    usage(stderr);
    return ES_EXIT_USAGE;
  }
  if (opt.cache_path && opt.no_cache)
    return cli_fail(ES_EXIT_USAGE, "--cache and --no-cache contradict each other");
  opt.suite_path = argv[optind];
  double interval = 10;
  const char *iv = getenv("ESBENCH_PROGRESS_INTERVAL");
  if (iv && *iv) {
    char *end;
    interval = strtod(iv, &end);
    if (*end || !(interval > 0 && interval <= 86400))
      return cli_fail(ES_EXIT_USAGE, "ESBENCH_PROGRESS_INTERVAL must be a number of seconds, not '%s'", iv);
  }
  es_progress *progress = NULL;
  if (opt.log && !(progress = es_progress_new(stderr, isatty(STDERR_FILENO), interval)))
    return cli_fail(ES_EXIT_INTERNAL, "out of memory");
  opt.progress = progress;
  opt.stop = &stop_requested;
  struct sigaction sa = {0};
  sa.sa_handler = on_stop;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  es_error err = {0};
  es_run *run = NULL;
  int rc = es_run_execute(&opt, &run, &err);
  es_progress_free(progress);
  if (rc != 0) return cli_report(&err);
  if (stop_requested) { /* between the last model and the write: still nothing written */
    es_run_free(run);
    return cli_fail(ES_EXIT_INTERRUPTED,
                    "interrupted before writing the run folder; run the same command again "
                    "(replies in the request cache are not asked again)");
  }
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
  if (run->judge && run->judge->failed) {
    fprintf(stderr, "esbench: %zu judge request%s failed (see results.json \"judge\")\n",
            run->judge->failed, run->judge->failed == 1 ? "" : "s");
    code = ES_EXIT_FAILURES;
  }
  es_run_free(run);
  return code;
}
