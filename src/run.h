/*
 * run.h: one run of a suite, from the dataset file to the scored replies.
 *
 * es_run_execute does the whole flow of DESIGN.md in order: locate (and,
 * unless offline, fetch) the dataset; load and split it; cut instances;
 * build each model and collect its replies; extract strategies; score with
 * the suite's metric profile. The result is held in memory for the writers
 * (results.json, CSV) and the CLI's summary; es_run_write writes the run
 * folder atomically.
 */
#ifndef ES_RUN_H
#define ES_RUN_H

#include <signal.h>
#include <stddef.h>

#include "dialogue.h"
#include "error.h"
#include "extract.h"
#include "instances.h"
#include "judge.h"
#include "model.h"
#include "profile.h"
#include "strategy_scores.h"
#include "suite.h"

typedef struct {
  const char *suite_path;
  const char *data_dir;   /* --data-dir, or NULL */
  const char *out_root;   /* --out-dir, or NULL for the suite's report.dir */
  const char *run_name;   /* --name, or NULL for <suite>-<UTC timestamp> */
  int offline;            /* never download */
  int threads;            /* metric threads (default 2) */
  const char *cache_path; /* the request cache (NULL: $ESBENCH_CACHE, else
                             <cache folder>/requests.sqlite) */
  int no_cache;           /* neither read nor write the request cache */
  const volatile sig_atomic_t *stop; /* set by SIGINT/SIGTERM, or NULL */
  es_progress *progress;  /* progress lines of served models, or NULL */
  /* progress messages ("loading ...", "model x: ..."), or NULL */
  void (*log)(void *ctx, const char *msg);
  void *log_ctx;
} es_run_options;

typedef struct {
  const es_model_cfg *cfg;
  es_replies replies;
  es_extraction *ext;        /* per instance (zeroed where the reply failed) */
  size_t strat_ok, strat_missing, strat_unknown;
  size_t *answered;          /* instance indexes with a reply */
  size_t nanswered;
  es_scores *scores;         /* text metrics over the answered instances */
  es_strategy_scores strategy; /* over answered instances with a gold strategy */
  size_t strategy_n;
  /* backend counters, e.g. replay_unknown_ids */
  const char *count_what[8];
  size_t count_n[8];
  size_t ncounts;
  es_served_stats served;    /* openai and exec models */
  int has_served;
} es_model_run;

typedef struct es_run {
  es_suite *suite;
  es_dataset *dataset;
  es_split *split;
  size_t split_count[3];   /* dialogues per split */
  char *split_file_sha256; /* when a split file was used */
  es_instances train, test;
  es_model_run *models;
  size_t nmodels;
  char created[32];        /* UTC ISO 8601 */
  char *out_path;          /* the run folder, once written */
  char *cache_path;        /* the request cache used, or NULL (none needed, or --no-cache) */
  size_t failed;           /* instances without a reply, all models */
  es_judge *judge;         /* when the suite's judge is enabled */
} es_run;

/* Checks the options that name the run folder (--name, --out-dir) before
 * any work is done. 0 or -1 with err (ES_EXIT_USAGE). */
int es_run_check_options(const es_run_options *opt, es_error *err);
/* Runs the suite. Returns 0 and *out, or -1 with err (nothing written);
 * ES_EXIT_INTERRUPTED when opt->stop was raised (the message says what is
 * cached and how to resume). */
int es_run_execute(const es_run_options *opt, es_run **out, es_error *err);
/* Writes results.json, summary.csv and instances.csv into a new run folder
 * (atomically); sets run->out_path. 0 or -1 with err. */
int es_run_write(es_run *run, const es_run_options *opt, es_error *err);
void es_run_free(es_run *run);

/* The request cache's path (malloc'ed into *out): given (--cache) when not
 * NULL, else $ESBENCH_CACHE when set, else <cache folder>/requests.sqlite
 * (fetch.h). 0, or -1 with err. */
int es_run_cache_path(const char *given, char **out, es_error *err);

#endif
