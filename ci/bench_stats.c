/*
 * bench_stats.c: times the paired tests of src/stats.c on 10,000 synthetic
 * instances (two systems): the paired bootstrap with 1,000 resamples for
 * corpus BLEU (sacreBLEU's formula) plus three per-instance mean metrics,
 * and approximate randomization with 10,000 trials for the same four. One
 * thread; prints the median of REPEATS runs (argv[1], default 5).
 * Built as build/bench_stats; ci/bench_stats.sh runs it. Not a test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "stats.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  int repeats = argc > 1 ? atoi(argv[1]) : 5;
  const size_t n = 10000, B = 1000, R = 10000;
  es_bleu_seg *seg[2];
  double *x[2][3];
  unsigned long long st = 0x9e3779b97f4a7c15ULL;
#define RND() (st ^= st << 13, st ^= st >> 7, st ^= st << 17, st)
  for (int s = 0; s < 2; s++) {
    seg[s] = calloc(n, sizeof *seg[s]);
    for (int k = 0; k < 3; k++) x[s][k] = malloc(n * sizeof *x[s][k]);
    for (size_t i = 0; i < n; i++) {
      es_bleu_seg *g = &seg[s][i];
      g->order = 4;
      g->hyp_len = 5 + (int)(RND() % 30);
      g->ref_len = 5 + (int)(RND() % 30);
      for (int o = 0; o < 4; o++) {
        g->total[o] = g->hyp_len > o ? g->hyp_len - o : 0;
        g->match[o] = g->total[o] ? (int)(RND() % (unsigned)(g->total[o] + 1)) / (o + 1 + s) : 0;
      }
      for (int k = 0; k < 3; k++) x[s][k][i] = (double)(RND() % 1000) / 1000.0;
    }
  }
  double *tb = malloc(repeats * sizeof *tb), *ta = malloc(repeats * sizeof *ta), sink = 0;
  double *ra = malloc(B * sizeof *ra), *rb = malloc(B * sizeof *rb);
  for (int r = 0; r < repeats; r++) {
    es_stat_data A[4], S[4];
    A[0] = (es_stat_data){.kind = ES_STAT_BLEU, .n = n, .seg = seg[0], .profile = ES_PROFILE_SACREBLEU, .order = 4};
    S[0] = A[0];
    S[0].seg = seg[1];
    for (int k = 0; k < 3; k++) {
      A[k + 1] = (es_stat_data){.kind = ES_STAT_MEAN, .n = n, .x = x[0][k], .scale = 100};
      S[k + 1] = A[k + 1];
      S[k + 1].x = x[1][k];
    }
    double t0 = now_s();
    uint32_t *idx = es_stat_boot_indices(n, B, 12345);
    for (int k = 0; k < 4; k++) {
      es_stat_resample(&A[k], idx, B, ra);
      es_stat_resample(&S[k], idx, B, rb);
      sink += es_stat_paired_bs_p(rb, ra, B, es_stat_value(&S[k], NULL, 0), es_stat_value(&A[k], NULL, 0));
      qsort(rb, B, sizeof *rb, cmp_d); /* the interval */
      sink += es_stat_quantile(rb, B, 0.025) + es_stat_quantile(rb, B, 0.975);
    }
    free(idx);
    tb[r] = now_s() - t0;
    t0 = now_s();
    for (int k = 0; k < 4; k++) sink += es_stat_paired_ar_p(&S[k], &A[k], R, 12345);
    ta[r] = now_s() - t0;
  }
  qsort(tb, repeats, sizeof *tb, cmp_d);
  qsort(ta, repeats, sizeof *ta, cmp_d);
  printf("instances %zu; corpus BLEU + 3 mean metrics; median of %d\n", n, repeats);
  printf("paired bootstrap, %zu resamples (with 95%% intervals): %.3f s\n", B, tb[repeats / 2]);
  printf("approximate randomization, %zu trials:                %.3f s\n", R, ta[repeats / 2]);
  fprintf(stderr, "(checksum %g)\n", sink);
  return 0;
}
