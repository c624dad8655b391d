/*
 * gate.h: the CI regression gate: a run against a baseline run, rule by
 * rule, failing only for a real regression.
 *
 * Rules (YAML: a file whose top level is the gate, or a suite's `gate:`
 * section):
 *
 *   alpha: 0.05                  # for the significance of drops (default 0.05)
 *   rules:
 *     - metric: bleu-4           # a metric the runs report (compare.h names:
 *                                #   bleu-1..4, rouge-l, dist-1..3, f1, length,
 *                                #   sentence-bleu, strategy-accuracy, judge-<rubric>)
 *       model: retrieval         # optional: every model of the current run
 *       direction: higher        # higher (default) or lower is better
 *       max_drop: 0.5            # the largest tolerated drop, in the metric's unit
 *       # or max_drop_relative: 0.02   (a share of the baseline value)
 *       significant: true        # a drop beyond the tolerance fails only when it is
 *                                # also significant (paired approximate randomization
 *                                # against the baseline run's model of the same name,
 *                                # Holm-corrected across the rules); default false
 *   floors:
 *     - metric: failed-rate      # failed instances / instances
 *       max: 0.01
 *     - metric: judge-parse-failure-rate   # over every rubric (or
 *       max: 0.02                          #   judge-<rubric>-parse-failure-rate)
 *     - metric: bleu-4           # any metric above, with min or max
 *       min: 1.0
 *
 * Verdicts: pass; within tolerance (a drop no larger than allowed); not
 * significant (a larger drop that chance explains: passes, and is said so);
 * regression; missing (a rule's metric or model is not in one of the runs:
 * fails); floor passed or failed (the current run alone).
 */
#ifndef ES_GATE_H
#define ES_GATE_H

#include <stddef.h>

#include "compare.h"
#include "error.h"

typedef struct {
  char *metric, *model; /* model NULL: every model */
  int lower_better;
  double max_drop;
  int relative;
  int significant;
  size_t line, col;     /* where the rule is written */
} es_gate_rule;

typedef struct {
  char *metric, *model;
  double min, max;      /* NAN when not given */
  size_t line, col;
} es_gate_floor;

typedef struct {
  char *file;
  double alpha;
  es_gate_rule *rules;
  size_t nrules;
  es_gate_floor *floors;
  size_t nfloors;
} es_gate_rules;

enum { ES_GATE_PASS, ES_GATE_WITHIN, ES_GATE_NOT_SIGNIFICANT, ES_GATE_REGRESSION, ES_GATE_MISSING,
       ES_GATE_FLOOR_OK, ES_GATE_FLOOR_FAIL };

/* One checked rule or floor for one model. */
typedef struct {
  char *name;      /* "bleu-4: drop at most 0.5, significant" */
  char *model;
  double base, cur, delta, p, p_adj; /* NAN where not applicable */
  int verdict;
  char *detail;    /* one sentence */
} es_gate_row;

typedef struct {
  es_gate_row *rows;
  size_t n;
  size_t failed;
} es_gate_result;

/* Loads the rules of file (its `gate:` section when it has one, else its
 * top level). 0, or -1 with err (ES_EXIT_USAGE, file:line:col). */
int es_gate_rules_load(const char *file, es_gate_rules *out, es_error *err);
void es_gate_rules_free(es_gate_rules *r);

/* Checks the current run (dir) against the baseline (a run folder or a
 * results.json). 0 and *out, or -1 with err: ES_EXIT_INCOMPARABLE when the
 * runs evaluated other instances or data, ES_EXIT_USAGE for a rule naming a
 * metric neither run reports or an unreadable input. */
int es_gate_check(const char *current, const char *baseline, const es_gate_rules *rules,
                  es_gate_result *out, es_error *err);
void es_gate_result_free(es_gate_result *r);

/* Writes gate.md and gate.xml (JUnit) into dir, atomically. */
int es_gate_write(const es_gate_result *r, const char *dir, const char *baseline, es_error *err);

/* The name of a verdict ("pass", "regression", ...). */
const char *es_gate_verdict_name(int v);

#endif
