/*
 * compare.h: every model of one or more run folders against a baseline,
 * metric by metric, with confidence intervals and paired tests (stats.h),
 * computed from results.json alone.
 *
 * Runs are comparable when they evaluated the same instances of the same
 * data: equal dataset sha256 and instance-id sha256 (results.json
 * dataset.split.instance_ids_sha256), and equal signatures for every metric
 * they share. Otherwise es_compare_load refuses with ES_EXIT_INCOMPARABLE
 * and says what differs.
 *
 * For each model and metric: the value over the instances it answered (as
 * the run reported it), a 95% percentile bootstrap interval, and against
 * the baseline on the instances both answered: the paired bootstrap and
 * approximate randomization p-values (sacreBLEU's method), and for
 * per-instance metrics the paired t-test and Wilcoxon, for strategy
 * accuracy McNemar's exact test. Holm-Bonferroni adjusts each kind of test
 * over the family of models x metrics; raw and adjusted p are both kept.
 * A difference is marked significant when the Holm-adjusted approximate
 * randomization p is below alpha (sacreBLEU's bootstrap p behaves as a
 * one-sided test, see stats.h).
 */
#ifndef ES_COMPARE_H
#define ES_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "error.h"

typedef struct {
  double value;        /* the model's value (x100 as reported, strategy accuracy x100) */
  double ci_low, ci_high;
  size_t n;            /* instances the value is over */
  int has_test;        /* compared with the baseline (not the baseline itself) */
  size_t n_paired;     /* instances both answered */
  double delta;        /* value - baseline value, on the paired instances */
  double p_bs, p_ar, p_t, t, p_w, w, p_mcnemar; /* NAN where not applicable */
  double adj_bs, adj_ar, adj_t, adj_w, adj_mcnemar;
  int significant;     /* adj_ar < alpha */
} es_cmp_cell;

typedef struct {
  char *name;          /* bleu-4, rouge-l, dist-2, strategy, judge-empathy, ... */
  char *signature;     /* the metric's own signature */
} es_cmp_metric;

typedef struct {
  char *name;          /* as shown: the model's name, "<run>/<name>" when two runs share it */
  char *own;           /* the model's name in its run */
  size_t run;
} es_cmp_model;

typedef struct {
  char **runs;          /* the run folders */
  size_t nruns;
  es_cmp_model *models;
  size_t nmodels;
  es_cmp_metric *metrics;
  size_t nmetrics;
  es_cmp_cell *cells;   /* [model * nmetrics + metric] */
  size_t baseline;      /* model index */
  size_t *against;      /* per model: the model it is tested against, or
                           SIZE_MAX (the baseline itself; pair_by_name: the
                           first run's models, and names it lacks) */
  size_t instances;
  uint64_t seed;
  long bootstrap, permutations;
  double alpha;
  char *test_signature; /* "paired-bs:1000|paired-ar:10000|seed:12345|rng:gsl-mt19937|..." */
} es_compare;

typedef struct {
  const char *baseline;   /* NULL: the first run's suite baseline */
  long bootstrap, permutations; /* 0: the first run's suite values */
  int64_t seed;           /* -1: the first run's suite value */
  double alpha;           /* 0: the first run's suite value */
  int pair_by_name;       /* with 2 runs: each model of the second run is
                             tested against the model of the same name in
                             the first (the gate), not against one baseline */
} es_compare_options;

/* Loads results.json of each run folder (or the file itself, for a path
 * ending in .json) and computes everything. 0, or -1
 * with err: ES_EXIT_USAGE (unreadable or malformed results.json, an unknown
 * baseline), ES_EXIT_INCOMPARABLE, ES_EXIT_INTERNAL. */
int es_compare_run(char *const *runs, size_t nruns, const es_compare_options *opt,
                   es_compare **out, es_error *err);
/* The same on results.json documents already parsed (roots[r] named
 * runs[r]; the caller keeps them). */
int es_compare_docs(cJSON *const *roots, char *const *runs, size_t nruns,
                    const es_compare_options *opt, es_compare **out, es_error *err);
void es_compare_free(es_compare *c);

/* results.json of the run folder dir (or the file dir itself, when it ends
 * in .json), parsed. NULL with err (ES_EXIT_USAGE) when it cannot be read
 * or is not an esbench results.json (instances and models missing). */
cJSON *es_results_load(const char *dir, es_error *err);

/* Writes compare.json and compare.csv into dir (atomically: temporary
 * names, then renamed). 0 or -1 with err. */
int es_compare_write(const es_compare *c, const char *dir, es_error *err);

#endif
