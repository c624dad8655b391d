/*
 * stats.h: paired significance tests and confidence intervals, with GSL.
 *
 * A statistic is computed over a multiset of instances (the test set, a
 * bootstrap resample, a randomized pseudo-system) from per-instance
 * sufficient statistics, never by scoring text again:
 *
 *   ES_STAT_MEAN   the mean of per-instance values (ROUGE-L, sentence BLEU,
 *                  F1, length, judge scores, strategy correctness as 0/1),
 *                  times scale
 *   ES_STAT_BLEU   corpus BLEU of the profile from summed segment statistics
 *                  (sacreBLEU's formula, or nltk's corpus_bleu with method 3
 *                  for the esconv profile)
 *   ES_STAT_DISTINCT  Distinct-n x 100, recounted over the resampled replies
 *                  from their precomputed n-gram ids (es_distinct_recount);
 *                  both systems' replies are lines of one es_distinct (the
 *                  system's from line0 on), so pseudo-systems mixing them
 *                  recount as well
 *
 * Tests between a system and a baseline on the same instances, computed as
 * sacreBLEU 2.6 computes them:
 *
 *   paired bootstrap: B resamples of instance indices (drawn with
 *     replacement, the same indices for both systems and for every metric);
 *     d_b = |S_b - A_b|; p = (#(d_b - mean(d) >= |S - A|) + 1) / (B + 1).
 *   approximate randomization: R trials; each instance's statistics are
 *     swapped between the two systems with probability 1/2; p = (#(|S'_r -
 *     A'_r| >= |S - A|) + 1) / (R + 1).
 *   sacreBLEU counts only differences strictly greater than the observed
 *   one; esbench counts equal ones too (within 1e-12 relative), so that a
 *   system compared with itself gets p = 1, not 1 / (N + 1). Ties have
 *   probability zero on continuous metrics such as BLEU, where the two
 *   agree; on discrete ones (accuracy) ">=" is the conservative, correct
 *   count.
 *
 * The generator is GSL's MT19937 seeded with seed + 1 (GSL maps the seed 0
 * to its default 4357; the shift keeps 0 a seed of its own). sacreBLEU uses
 * numpy's PCG64, so the p-values agree within Monte Carlo error, not to the
 * digit. Percentile intervals use numpy's default ("linear") method on the
 * sorted resample values.
 *
 * Per-instance tests (mean metrics): the paired t-test (scipy.stats.
 * ttest_rel) and the Wilcoxon signed-rank test (scipy 1.10's wilcoxon
 * defaults: zero differences dropped, exact distribution when n <= 50 and
 * no zero difference, else the normal approximation with the tie
 * correction and no continuity correction; statistic min(R+, R-)); for 0/1
 * correctness, McNemar's exact test (a two-sided binomial test on the
 * discordant pairs, scipy.stats.binomtest). Holm-Bonferroni adjusts a
 * family of p-values.
 */
#ifndef ES_STATS_H
#define ES_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "bleu.h"
#include "distinct.h"
#include "error.h"
#include "profile.h"

typedef enum { ES_STAT_MEAN, ES_STAT_BLEU, ES_STAT_DISTINCT } es_stat_kind;

/* One system's per-instance data for one metric (n instances, aligned with
 * the other system's). */
typedef struct {
  es_stat_kind kind;
  size_t n;
  const double *x;        /* MEAN: the values */
  double scale;           /* MEAN: the mean is multiplied by it (1 or 100) */
  const es_bleu_seg *seg; /* BLEU: the segments */
  es_profile profile;     /* BLEU: whose formula */
  int order;              /* BLEU: 1..4; DISTINCT: n */
  const es_distinct *dist;  /* DISTINCT: the replies of both systems */
  size_t line0;             /* DISTINCT: this system's first line in dist */
  es_distinct_variant variant; /* DISTINCT */
  const uint32_t *subset;   /* DISTINCT: the instances (n of them) the statistic is
                               over, in order; NULL: instances 0..n-1. Resample
                               indices and swaps address positions in it */
} es_stat_data;

/* The statistic over instances idx[0..m) (idx NULL: all n, in order). */
double es_stat_value(const es_stat_data *d, const uint32_t *idx, size_t m);

/* B x n bootstrap indices, uniform with replacement from a generator
 * seeded with seed (see above): row b is resample b. NULL when out of
 * memory. The caller frees it. */
uint32_t *es_stat_boot_indices(size_t n, size_t B, uint64_t seed);

/* The B resample values of d under the index matrix idx (B x n). */
void es_stat_resample(const es_stat_data *d, const uint32_t *idx, size_t B, double *out);

/* The q-quantile (0..1) of the sorted values v[0..n), numpy's linear method. */
double es_stat_quantile(const double *sorted, size_t n, double q);

/* The paired bootstrap p-value from the resample values of the system and
 * the baseline and their observed values. */
double es_stat_paired_bs_p(const double *sys, const double *base, size_t B, double sys_obs,
                           double base_obs);

/* The approximate randomization p-value of sys against base (R trials,
 * generator seeded with seed). */
double es_stat_paired_ar_p(const es_stat_data *sys, const es_stat_data *base, size_t R,
                           uint64_t seed);

/* scipy.stats.ttest_rel(a, b): statistic (mean(a - b) / (sd / sqrt n)),
 * two-sided p, df = n - 1. NAN statistic and p when n < 2; when every
 * difference is the same, the statistic is +-inf (p 0) or NAN (all zero,
 * p NAN), as scipy gives. */
void es_stat_ttest_rel(const double *a, const double *b, size_t n, double *t, double *p,
                       double *df);

/* scipy.stats.wilcoxon(a, b) (1.10 defaults): statistic min(R+, R-),
 * two-sided p; *exact says which method was used. NAN when every
 * difference is zero or n is 0. */
void es_stat_wilcoxon(const double *a, const double *b, size_t n, double *stat, double *p,
                      int *exact);

/* McNemar's exact test: base_only = #(baseline right, system wrong),
 * sys_only = the other discordant count; the two-sided binomial p (1 when
 * both are 0). */
double es_stat_mcnemar_exact(size_t base_only, size_t sys_only);

/* Holm-Bonferroni: adj[i] for p[i] (NAN entries are left out and stay NAN). */
void es_stat_holm(const double *p, size_t n, double *adj);

#endif
