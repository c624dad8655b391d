/*
 * judge.h: LLM-judge scores for the replies of a run.
 *
 * The judge is any served model (openai or exec: the same cache, retries,
 * concurrency and progress as the candidates). For each score rubric
 * (suites/judges/NAME.yaml), each model and each instance it answered, the
 * judge is asked `samples` times (sample j sends params.seed = seed + j when
 * samples > 1, and the suite's temperature); with a pairwise rubric, each
 * model is compared with the baseline on every instance both answered,
 * asked in both orders.
 *
 * Prompts: the rubric's template with {{context}} (the conversation so
 * far), {{reply}} (the reply without its strategy tag), {{gold}},
 * {{strategy}}, {{gold_strategy}}, {{scenario}}, {{scale_min}},
 * {{scale_max}} (pairwise: {{reply_a}}, {{reply_b}}). Every text that comes
 * from data or from a model is fenced (es_judge_fence): it cannot close its
 * block or open a new one, so a reply cannot pass itself off as the
 * judge's instructions.
 *
 * Parsing is strict (es_judge_parse): the rubric's pattern must match (the
 * last match counts unless the rubric says first), its group 1 must be a
 * number inside the scale (pairwise: A, B or C). Anything else is a parse
 * failure; the request is asked once more with the rubric's reminder added,
 * and a second failure is counted, never replaced by a default. An
 * instance's score is the mean of its samples that parsed; their standard
 * deviation is kept.
 *
 * Reliability: Krippendorff's alpha (interval metric) over the samples (k
 * >= 2) per rubric and per model; Pearson and Spearman correlations of the
 * judge's instance scores with the per-instance reference metrics; and for
 * pairwise, the position-flip rate: a pair whose verdict follows the
 * position instead of the reply (A both times, or B both times) is a flip
 * and counts as a tie.
 */
#ifndef ES_JUDGE_H
#define ES_JUDGE_H

#include <stddef.h>

#include "error.h"
#include "served.h"

struct es_run;

#define ES_JUDGE_NO_VERDICT 2 /* es_judge_pairs.outcome: not both verdicts */

/* One rubric's scores of one model. Arrays are per instance of the run. */
typedef struct {
  double *score;    /* mean of the parsed samples; NAN when none (or not judged) */
  double *sd;       /* their sample standard deviation (0 for one); NAN when none */
  double *samples;  /* [i * k + j]: sample j's score, NAN when it has none */
  char **why;       /* an answered instance without a score: why (the first
                       sample's problem); NULL otherwise */
  size_t judged;    /* answered instances sent to the judge */
  size_t scored;    /* of those, with a score */
  size_t parse_failures; /* samples with no valid score after the reminder */
  size_t fixed_by_reminder; /* samples whose first reply did not parse, the second did */
  size_t failed;    /* samples whose request failed (network, server, worker) */
  double mean;      /* over the scored instances; NAN when none */
  double alpha;     /* Krippendorff's alpha (interval) over the samples; NAN when
                       k < 2 or undefined (no variation) */
} es_judge_scores;

/* A model against the baseline, with a pairwise rubric. */
typedef struct {
  signed char *outcome; /* per instance: 1 the model's reply is better, -1 the
                           baseline's, 0 tie (or a flip), ES_JUDGE_NO_VERDICT */
  size_t pairs;         /* instances both answered (asked in both orders) */
  size_t decided;       /* pairs with both verdicts */
  size_t model_wins, baseline_wins, ties, flips;
  size_t parse_failures, failed; /* verdicts, not pairs */
} es_judge_pairs;

typedef struct {
  const char *metric;
  double pearson, spearman; /* NAN when fewer than 3 points or no variance */
  size_t n;
} es_judge_corr;

typedef struct {
  size_t n, nmodels, nrubrics, k;
  es_judge_scores *scores;   /* [r * nmodels + m] */
  double *alpha;             /* [r]: over every model's samples */
  es_judge_corr *corr;       /* [r * ncorr + c] */
  size_t ncorr;
  es_judge_pairs *pairs;     /* [m], NULL without a pairwise rubric; the
                                baseline's own entry stays empty */
  size_t baseline;           /* the baseline model's index */
  es_served_stats stats;     /* every judge request of the run, summed */
  size_t failed;             /* requests that failed, over everything */
  size_t parse_failures;     /* replies that did not parse after the reminder */
} es_judge;

/* Judges the replies of run (its models scored) with run->suite's judge.
 * Returns 0 and *out, or -1 with err when the judge cannot run at all
 * (the program cannot start, out of memory); a judge whose requests fail
 * still returns 0, with the failures counted. */
int es_judge_run(struct es_run *run, const es_served_io *io, es_judge **out, es_error *err);
void es_judge_free(es_judge *j);

/* "<<<LABEL id>>>\ntext\n<<<END LABEL id>>>", where id is the first 12 hex
 * digits of the sha256 of the neutralised text, and the text is neutralised
 * so that it holds no "<<<" or ">>>" (a space is put into any such run).
 * malloc'ed; NULL when out of memory. */
char *es_judge_fence(const char *label, const char *text);

/* Parses a judge reply with the compiled rubric pattern (es_judge_compile).
 * Score rubrics: *value gets the number (lo <= value <= hi). Pairwise:
 * *value gets 1 (A), -1 (B) or 0 (C). Returns 0, or -1 with why filled. */
typedef struct es_judge_pattern es_judge_pattern;
es_judge_pattern *es_judge_compile(const char *pattern, int match_first, int pairwise,
                                   es_error *err);
void es_judge_pattern_free(es_judge_pattern *p);
int es_judge_parse(const es_judge_pattern *p, const char *reply, double lo, double hi,
                   double *value, char *why, size_t whysize);

/* Krippendorff's alpha, interval metric, for units rows of k values
 * (v[u * k + j], NAN for missing). Units with fewer than 2 values are left
 * out. NAN when fewer than 2 pairable values or no variation at all. */
double es_krippendorff_interval(const double *v, size_t units, size_t k);

#endif
