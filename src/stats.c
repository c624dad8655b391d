/*
 * stats.c: paired tests and intervals (see stats.h).
 */
#include "stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static gsl_rng *rng_new(uint64_t seed) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  if (r) gsl_rng_set(r, (unsigned long)(seed + 1));
  return r;
}

/* Scratch for Distinct recounts: a mark byte per n-gram type and a line list. */
typedef struct {
  uint32_t *stamp; /* per n-gram type: the last recount that saw it */
  uint32_t gen;
  size_t types;
  size_t *lines;
} dscratch;

static int dscratch_init(dscratch *sc, const es_stat_data *d, size_t m) {
  sc->types = es_distinct_types(d->dist, (unsigned)d->order);
  sc->stamp = calloc(sc->types ? sc->types : 1, sizeof *sc->stamp);
  sc->gen = 0;
  sc->lines = malloc((m ? m : 1) * sizeof *sc->lines);
  return sc->stamp && sc->lines ? 0 : -1;
}

static void dscratch_free(dscratch *sc) {
  free(sc->stamp);
  free(sc->lines);
}

/* Distinct-n x 100 of the lines line0 + idx[k] (or the m lines from line0;
 * with swap, line i comes from od where swap[i] is set). */
static double distinct_with(const es_stat_data *d, const uint32_t *idx, size_t m,
                            const es_stat_data *od, const uint32_t *swap, dscratch *sc) {
  for (size_t k = 0; k < m; k++) {
    size_t pos = idx ? idx[k] : k, inst = d->subset ? d->subset[pos] : pos;
    sc->lines[k] = swap && swap[pos] ? od->line0 + inst : d->line0 + inst;
  }
  if (++sc->gen == 0) { /* wrapped: start the stamps afresh */
    memset(sc->stamp, 0, (sc->types ? sc->types : 1) * sizeof *sc->stamp);
    sc->gen = 1;
  }
  es_distinct_counts c =
      es_distinct_recount_gen(d->dist, (unsigned)d->order, d->variant, sc->lines, m, sc->stamp, sc->gen);
  return 100.0 * es_distinct_ratio(c);
}

static double distinct_value(const es_stat_data *d, const uint32_t *idx, size_t m,
                             const es_stat_data *od, const uint32_t *swap) {
  dscratch sc;
  double v = dscratch_init(&sc, d, m) == 0 ? distinct_with(d, idx, m, od, swap, &sc) : NAN;
  dscratch_free(&sc);
  return v;
}

double es_stat_value(const es_stat_data *d, const uint32_t *idx, size_t m) {
  if (!idx) m = d->n;
  if (d->kind == ES_STAT_DISTINCT) return distinct_value(d, idx, m, NULL, NULL);
  if (d->kind == ES_STAT_MEAN) {
    double s = 0;
    for (size_t k = 0; k < m; k++) s += d->x[idx ? idx[k] : k];
    return m ? d->scale * s / (double)m : NAN;
  }
  es_bleu_sums sums;
  es_bleu_sums_init(&sums);
  for (size_t k = 0; k < m; k++) es_bleu_sums_add(&sums, &d->seg[idx ? idx[k] : k]);
  double v = NAN;
  if (es_profile_bleu(d->profile, &sums, d->order, &v) != ES_OK) return NAN;
  return v;
}

uint32_t *es_stat_boot_indices(size_t n, size_t B, uint64_t seed) {
  if (B && n > SIZE_MAX / B / sizeof(uint32_t)) return NULL;
  size_t cells = n * B;
  uint32_t *idx = malloc((cells ? cells : 1) * sizeof *idx);
  gsl_rng *r = rng_new(seed);
  if (!idx || !r || n > UINT32_MAX) {
    free(idx);
    if (r) gsl_rng_free(r);
    return NULL;
  }
  for (size_t k = 0; k < n * B; k++) idx[k] = (uint32_t)gsl_rng_uniform_int(r, n);
  gsl_rng_free(r);
  return idx;
}

void es_stat_resample(const es_stat_data *d, const uint32_t *idx, size_t B, double *out) {
  if (d->kind == ES_STAT_DISTINCT) {
    dscratch sc;
    int ok = dscratch_init(&sc, d, d->n) == 0;
    for (size_t b = 0; b < B; b++) out[b] = ok ? distinct_with(d, idx + b * d->n, d->n, NULL, NULL, &sc) : NAN;
    dscratch_free(&sc);
    return;
  }
  for (size_t b = 0; b < B; b++) out[b] = es_stat_value(d, idx + b * d->n, d->n);
}

double es_stat_quantile(const double *sorted, size_t n, double q) {
  if (n == 0) return NAN;
  double h = q * (double)(n - 1);
  size_t lo = (size_t)floor(h);
  if (lo + 1 >= n) return sorted[n - 1];
  return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

/* x >= real, allowing for rounding (1e-12 relative): a resample or trial
 * whose difference equals the observed one counts as at least as extreme.
 * sacreBLEU counts only greater ones, which makes a system compared with
 * itself (every difference 0) "significant" at p = 1 / (N + 1); on metrics
 * with continuous values the two rules agree. */
static int at_least(double x, double real) {
  return x >= real - 1e-12 * (fabs(real) > 1 ? fabs(real) : 1);
}

double es_stat_paired_bs_p(const double *sys, const double *base, size_t B, double sys_obs,
                           double base_obs) {
  double mean = 0, real = fabs(sys_obs - base_obs);
  if (!isfinite(real) || B == 0) return NAN; /* nothing to test */
  for (size_t b = 0; b < B; b++) mean += fabs(sys[b] - base[b]);
  mean /= (double)B;
  size_t c = 0;
  for (size_t b = 0; b < B; b++) c += at_least(fabs(sys[b] - base[b]) - mean, real);
  return ((double)c + 1) / ((double)B + 1);
}

/* The fields of a segment that sums add up, as one vector: lengths,
 * matches, totals and nltk's max(1, total) denominators. */
#define NF 16 /* 2 + 3 * 4, padded */

static void seg_vec(const es_bleu_seg *g, int64_t *v) {
  memset(v, 0, NF * sizeof *v);
  v[0] = g->hyp_len;
  v[1] = g->ref_len;
  for (int k = 0; k < g->order && k < 4; k++) {
    v[2 + k] = g->match[k];
    v[6 + k] = g->total[k];
    v[10 + k] = g->total[k] > 1 ? g->total[k] : 1;
  }
}

/* base plus the vector acc (sign +1 or -1), as sums */
static void sums_plus(const es_bleu_sums *base, const int64_t *acc, int sign, es_bleu_sums *out) {
  *out = *base;
  out->hyp_len += sign * acc[0];
  out->ref_len += sign * acc[1];
  for (int k = 0; k < 4; k++) {
    out->match[k] += sign * acc[2 + k];
    out->total[k] += sign * acc[6 + k];
    out->nltk_den[k] += sign * acc[10 + k];
  }
}

double es_stat_paired_ar_p(const es_stat_data *sys, const es_stat_data *base, size_t R,
                           uint64_t seed) {
  size_t n = sys->n;
  double real = fabs(es_stat_value(sys, NULL, 0) - es_stat_value(base, NULL, 0));
  if (!isfinite(real) || R == 0) return NAN; /* nothing to test */
  gsl_rng *r = rng_new(seed);
  if (!r) return NAN;
  size_t c = 0;
  /* each trial swaps a line where a fair coin says so: bit i % 32 of the
   * generator's (i / 32)-th 32-bit output of the trial; the pseudo-systems
   * are the originals plus the differences of the swapped lines, summed
   * over the set bits only */
  if (sys->kind == ES_STAT_DISTINCT) {
    uint32_t *swap = malloc((n ? n : 1) * sizeof *swap);
    dscratch sa = {0}, sb = {0};
    int ok = dscratch_init(&sa, sys, n) == 0 && dscratch_init(&sb, base, n) == 0;
    if (!swap || !ok) {
      free(swap);
      dscratch_free(&sa);
      dscratch_free(&sb);
      gsl_rng_free(r);
      return NAN;
    }
    for (size_t t = 0; t < R; t++) {
      unsigned long bits = 0;
      for (size_t i = 0; i < n; i++) {
        if (i % 32 == 0) bits = gsl_rng_get(r);
        swap[i] = bits & 1;
        bits >>= 1;
      }
      double va = distinct_with(sys, NULL, n, base, swap, &sa);
      double vb = distinct_with(base, NULL, n, sys, swap, &sb);
      c += at_least(fabs(va - vb), real);
    }
    free(swap);
    dscratch_free(&sa);
    dscratch_free(&sb);
  } else if (sys->kind == ES_STAT_MEAN) {
    double sa0 = 0, sb0 = 0, *diff = malloc((n ? n : 1) * sizeof *diff);
    if (!diff) {
      gsl_rng_free(r);
      return NAN;
    }
    for (size_t i = 0; i < n; i++) {
      sa0 += sys->x[i], sb0 += base->x[i];
      diff[i] = base->x[i] - sys->x[i];
    }
    for (size_t t = 0; t < R; t++) {
      double shift = 0;
      for (size_t w = 0; w < n; w += 32) {
        uint32_t bits = (uint32_t)gsl_rng_get(r);
        if (n - w < 32) bits &= (uint32_t)((1ull << (n - w)) - 1);
        while (bits) {
          shift += diff[w + (size_t)__builtin_ctz(bits)];
          bits &= bits - 1;
        }
      }
      double d = fabs(sys->scale * (sa0 + shift) / (double)n - base->scale * (sb0 - shift) / (double)n);
      c += at_least(d, real);
    }
    free(diff);
  } else {
    int64_t (*delta)[NF] = malloc((n ? n : 1) * sizeof *delta);
    if (!delta) {
      gsl_rng_free(r);
      return NAN;
    }
    es_bleu_sums s0, b0;
    es_bleu_sums_init(&s0);
    es_bleu_sums_init(&b0);
    for (size_t i = 0; i < n; i++) {
      int64_t vs[NF], vb[NF];
      es_bleu_sums_add(&s0, &sys->seg[i]);
      es_bleu_sums_add(&b0, &base->seg[i]);
      seg_vec(&sys->seg[i], vs);
      seg_vec(&base->seg[i], vb);
      for (int f = 0; f < NF; f++) delta[i][f] = vb[f] - vs[f];
    }
    for (size_t t = 0; t < R; t++) {
      int64_t acc[NF] = {0};
      for (size_t w = 0; w < n; w += 32) {
        uint32_t bits = (uint32_t)gsl_rng_get(r);
        if (n - w < 32) bits &= (uint32_t)((1ull << (n - w)) - 1);
        while (bits) {
          const int64_t *d = delta[w + (size_t)__builtin_ctz(bits)];
          for (int f = 0; f < NF; f++) acc[f] += d[f];
          bits &= bits - 1;
        }
      }
      es_bleu_sums sa, sb;
      sums_plus(&s0, acc, 1, &sa);
      sums_plus(&b0, acc, -1, &sb);
      double va = NAN, vb = NAN;
      es_profile_bleu(sys->profile, &sa, sys->order, &va);
      es_profile_bleu(base->profile, &sb, base->order, &vb);
      c += at_least(fabs(va - vb), real);
    }
    free(delta);
  }
  gsl_rng_free(r);
  return ((double)c + 1) / ((double)R + 1);
}

void es_stat_ttest_rel(const double *a, const double *b, size_t n, double *t, double *p,
                       double *df) {
  *df = n >= 1 ? (double)n - 1 : NAN;
  if (n < 2) {
    *t = *p = NAN;
    return;
  }
  /* two passes, as numpy: the mean, then the squared deviations */
  double mean = 0, ss = 0;
  for (size_t i = 0; i < n; i++) mean += a[i] - b[i];
  mean /= (double)n;
  for (size_t i = 0; i < n; i++) {
    double e = (a[i] - b[i]) - mean;
    ss += e * e;
  }
  double sd = sqrt(ss / (double)(n - 1));
  *t = mean / (sd / sqrt((double)n));
  if (isnan(*t)) {
    *p = NAN;
  } else if (isinf(*t)) {
    *p = 0;
  } else {
    *p = 2 * gsl_cdf_tdist_Q(fabs(*t), *df);
    if (*p > 1) *p = 1;
  }
}

static int cmp_abs(const void *x, const void *y) {
  double a = fabs(*(const double *)x), b = fabs(*(const double *)y);
  return (a > b) - (a < b);
}

void es_stat_wilcoxon(const double *a, const double *b, size_t n, double *stat, double *p,
                      int *exact) {
  double *d = malloc((n ? n : 1) * sizeof *d);
  *stat = *p = NAN;
  *exact = 0;
  if (!d) return;
  size_t m = 0, zeros = 0;
  for (size_t i = 0; i < n; i++) {
    double x = a[i] - b[i];
    if (x == 0) zeros++;
    else d[m++] = x;
  }
  /* scipy 1.10, mode "auto": exact when n <= 50, unless a difference is zero */
  *exact = n <= 50 && zeros == 0;
  if (m == 0) {
    free(d);
    return;
  }
  qsort(d, m, sizeof *d, cmp_abs);
  /* average ranks of |d| (ties share the mean rank), and the tie term */
  double rplus = 0, rminus = 0, ties = 0;
  for (size_t i = 0; i < m;) {
    size_t j = i + 1;
    while (j < m && fabs(d[j]) == fabs(d[i])) j++;
    double rank = ((double)i + 1 + (double)j) / 2, cnt = (double)(j - i);
    for (size_t k = i; k < j; k++) {
      if (d[k] > 0) rplus += rank;
      else rminus += rank;
    }
    if (cnt > 1) ties += cnt * (cnt * cnt - 1);
    i = j;
  }
  double T = rplus < rminus ? rplus : rminus, cnt = (double)m;
  *stat = T;
  if (!*exact) {
    double mn = cnt * (cnt + 1) * 0.25;
    double se = cnt * (cnt + 1) * (2 * cnt + 1) - 0.5 * ties;
    se = sqrt(se / 24);
    double z = (T - mn) / se;
    *p = 2 * gsl_cdf_ugaussian_Q(fabs(z));
  } else {
    /* the exact distribution of R+ over the 2^m sign patterns */
    size_t top = m * (m + 1) / 2;
    double *c = calloc(top + 1, sizeof *c);
    if (!c) {
      free(d);
      return;
    }
    c[0] = 1;
    for (size_t k = 1; k <= m; k++)
      for (size_t s = top; s >= k; s--) c[s] += c[s - k];
    size_t r = (size_t)rplus; /* scipy truncates a tied (half) rank sum */
    double total = ldexp(1.0, (int)m);
    if (r == top / 2) { /* the centre of the distribution (scipy's rule) */
      *p = 1;
    } else {
      double less = 0, greater = 0;
      for (size_t s = 0; s <= r && s <= top; s++) less += c[s];
      for (size_t s = r; s <= top; s++) greater += c[s];
      less /= total;
      greater /= total;
      *p = 2 * (less < greater ? less : greater);
    }
    free(c);
  }
  if (*p > 1) *p = 1;
  free(d);
}

double es_stat_mcnemar_exact(size_t base_only, size_t sys_only) {
  size_t n = base_only + sys_only, k = base_only < sys_only ? base_only : sys_only;
  if (n == 0 || 2 * k == n) return 1;
  double p = 2 * gsl_cdf_binomial_P((unsigned)k, 0.5, (unsigned)n);
  return p > 1 ? 1 : p;
}

typedef struct {
  double p;
  size_t i;
} ranked;

static int cmp_ranked(const void *x, const void *y) {
  const ranked *a = x, *b = y;
  if (a->p != b->p) return (a->p > b->p) - (a->p < b->p);
  return (a->i > b->i) - (a->i < b->i);
}

void es_stat_holm(const double *p, size_t n, double *adj) {
  ranked *r = malloc((n ? n : 1) * sizeof *r);
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    adj[i] = NAN;
    if (r && !isnan(p[i])) r[m++] = (ranked){p[i], i};
  }
  if (!r) return;
  qsort(r, m, sizeof *r, cmp_ranked);
  double run = 0;
  for (size_t k = 0; k < m; k++) {
    double v = (double)(m - k) * r[k].p;
    if (v > 1) v = 1;
    if (v > run) run = v;
    adj[r[k].i] = run;
  }
  free(r);
}
