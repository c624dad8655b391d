/*
 * test_stats.c: the significance tests against scipy 1.10.1 and sacreBLEU
 * 2.6.0 on the golden sets, sacreBLEU's own 30 significance vectors on
 * WMT17 en-de (../shared/golden/peer-vectors), and a calibration test.
 *
 * Tolerances. scipy's t-test, Wilcoxon and binomial values are computed,
 * not sampled: equal to 1e-9 (absolute on p, relative on the statistics).
 * Resampling p-values cannot match to the digit with another generator
 * (sacreBLEU draws from numpy's PCG64, esbench from GSL's MT19937): an
 * estimate p^ from N draws has the binomial standard error
 * se = sqrt(p (1 - p) / N), so two independent estimates differ by
 * sqrt(2) se on average; the test allows |ours - theirs| <= 4 sqrt(2) se +
 * 2 / (N + 1) (a false alarm about once in 30,000 comparisons), with p
 * taken as the larger of the two and at least 1 / (N + 1).
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "stats.h"
#include "testlib.h"

static int cmp_double(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

static double mc_tol(double p1, double p2, size_t N) {
  double p = p1 > p2 ? p1 : p2;
  if (p < 1.0 / (double)(N + 1)) p = 1.0 / (double)(N + 1);
  return 4 * sqrt(2.0) * sqrt(p * (1 - p) / (double)N) + 2.0 / (double)(N + 1);
}

static double *json_doubles(cJSON *arr, size_t *n) {
  *n = (size_t)cJSON_GetArraySize(arr);
  double *v = malloc((*n ? *n : 1) * sizeof *v);
  size_t k = 0;
  cJSON *e;
  cJSON_ArrayForEach(e, arr) v[k++] = e->valuedouble;
  return v;
}

static void check_scipy(cJSON *want, const double *a, const double *b, size_t n, const char *what) {
  double t, p, df, w, wp;
  int exact;
  es_stat_ttest_rel(a, b, n, &t, &p, &df);
  double wt = test_json_at(want, "ttest_rel.statistic")->valuedouble;
  double wpv = test_json_at(want, "ttest_rel.pvalue")->valuedouble;
  CHECK_MSG(fabs(t - wt) <= 1e-9 * fabs(wt) + 1e-12, "%s: t %.17g != %.17g", what, t, wt);
  CHECK_MSG(fabs(p - wpv) <= 1e-9, "%s: t-test p %.17g != %.17g", what, p, wpv);
  CHECK_NEAR(df, test_json_at(want, "ttest_rel.df")->valuedouble, 0);
  es_stat_wilcoxon(a, b, n, &w, &wp, &exact);
  double ws = test_json_at(want, "wilcoxon.statistic")->valuedouble;
  double wwp = test_json_at(want, "wilcoxon.pvalue")->valuedouble;
  const char *mode = test_json_at(want, "wilcoxon.mode_used")->valuestring;
  CHECK_MSG(w == ws, "%s: W %.17g != %.17g", what, w, ws);
  CHECK_MSG(fabs(wp - wwp) <= 1e-9, "%s: Wilcoxon p %.17g != %.17g", what, wp, wwp);
  CHECK_MSG(exact == !strcmp(mode, "exact"), "%s: Wilcoxon mode %s", what, mode);
}

static char **read_lines(const char *dir, const char *name, size_t *n, char **keep) {
  char path[1024];
  size_t len;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  *keep = test_read_file(path, &len);
  if (!*keep) return NULL;
  return test_split_lines(*keep, n);
}

/* The 13a segments of hyps against refs (sacreBLEU's per-line statistics). */
static es_bleu_seg *segs_13a(char **refs, char **hyps, size_t n) {
  es_scores *sc = NULL;
  size_t bad;
  int side;
  es_status st = es_score_corpus(ES_PROFILE_SACREBLEU, (const char *const *)refs,
                                 (const char *const *)hyps, n, 2, &sc, &bad, &side);
  CHECK(st == ES_OK);
  if (st != ES_OK) return NULL;
  es_bleu_seg *s = malloc(n * sizeof *s);
  memcpy(s, es_scores_bleu_segs(sc), n * sizeof *s);
  es_scores_free(sc);
  return s;
}

static void check_paired(const es_bleu_seg *sa, const es_bleu_seg *sb, size_t n, cJSON *bs, cJSON *ar,
                         const char *what) {
  es_stat_data A = {.kind = ES_STAT_BLEU, .n = n, .seg = sa, .profile = ES_PROFILE_SACREBLEU, .order = 4};
  es_stat_data B = A;
  B.seg = sb;
  double va = es_stat_value(&A, NULL, 0), vb = es_stat_value(&B, NULL, 0);
  CHECK_MSG(fabs(va - test_json_at(bs, "baseline.BLEU.score")->valuedouble) < 1e-9, "%s: BLEU A", what);
  CHECK_MSG(fabs(vb - test_json_at(bs, "system.BLEU.score")->valuedouble) < 1e-9, "%s: BLEU B", what);
  size_t Bn = 1000;
  uint32_t *idx = es_stat_boot_indices(n, Bn, 12345);
  double *ra = malloc(Bn * sizeof *ra), *rb = malloc(Bn * sizeof *rb);
  es_stat_resample(&A, idx, Bn, ra);
  es_stat_resample(&B, idx, Bn, rb);
  double p = es_stat_paired_bs_p(rb, ra, Bn, vb, va), want = test_json_at(bs, "p_value")->valuedouble;
  CHECK_MSG(fabs(p - want) <= mc_tol(p, want, Bn), "%s: paired bootstrap p %g, sacreBLEU %g", what, p, want);
  double par = es_stat_paired_ar_p(&B, &A, 10000, 12345);
  double war = test_json_at(ar, "p_value")->valuedouble;
  CHECK_MSG(fabs(par - war) <= mc_tol(par, war, 10000), "%s: AR p %g, sacreBLEU %g", what, par, war);
  free(idx);
  free(ra);
  free(rb);
}

static void golden_set(const char *set) {
  char dir[1024];
  if (!test_golden_dir(set, dir, sizeof dir)) {
    fprintf(stderr, "note: golden set %s is absent: its stats checks are skipped\n", set);
    return;
  }
  char path[1100];
  size_t len;
  snprintf(path, sizeof path, "%s/expected.json", dir);
  char *text = test_read_file(path, &len);
  cJSON *e = text ? cJSON_Parse(text) : NULL;
  free(text);
  CHECK_MSG(e != NULL, "%s: expected.json", set);
  if (!e) return;
  cJSON *pair = test_json_at(e, "pair");
  struct {
    const char *key, *a, *b;
  } sets[] = {{"scipy_sentence_bleu", "systems.hyp_a.sacrebleu.sentence_bleu",
               "systems.hyp_b.sacrebleu.sentence_bleu"},
              {"scipy_rougeL", "systems.hyp_a.rouge_score.rougeL.per_line_f",
               "systems.hyp_b.rouge_score.rougeL.per_line_f"},
              {"scipy_rougeL_stemmer", "systems.hyp_a.rouge_score.rougeL_stemmer.per_line_f",
               "systems.hyp_b.rouge_score.rougeL_stemmer.per_line_f"}};
  for (size_t k = 0; k < 3; k++) {
    size_t na, nb;
    cJSON *ja = test_json_at(e, sets[k].a), *jb = test_json_at(e, sets[k].b);
    CHECK_MSG(ja && jb, "%s: %s", set, sets[k].a);
    if (!ja || !jb) continue;
    double *a = json_doubles(ja, &na), *b = json_doubles(jb, &nb);
    char what[256];
    snprintf(what, sizeof what, "%s %s", set, sets[k].key);
    check_scipy(cJSON_GetObjectItem(pair, sets[k].key), a, b, na, what);
    /* the 30 lines 101-130: small n, the exact Wilcoxon distribution */
    cJSON *sl = test_json_at(pair, "slice_lines_101_130");
    cJSON *w = sl ? cJSON_GetObjectItem(sl, sets[k].key) : NULL;
    if (w && na >= 130) {
      snprintf(what, sizeof what, "%s %s lines 101-130", set, sets[k].key);
      check_scipy(w, a + 100, b + 100, 30, what);
    }
    free(a);
    free(b);
  }
  /* McNemar on the strategy sets */
  char *k1, *k2, *k3;
  size_t n1, n2, n3;
  char **gold = read_lines(dir, "strat_gold.txt", &n1, &k1), **sa = read_lines(dir, "strat_a.txt", &n2, &k2),
       **sb = read_lines(dir, "strat_b.txt", &n3, &k3);
  if (gold && sa && sb && n1 == n2 && n1 == n3) {
    size_t a_only = 0, b_only = 0;
    for (size_t i = 0; i < n1; i++) {
      int ca = !strcmp(sa[i], gold[i]), cb = !strcmp(sb[i], gold[i]);
      a_only += ca && !cb;
      b_only += cb && !ca;
    }
    CHECK_INT(a_only, (size_t)test_json_at(pair, "mcnemar_exact.a_correct_b_wrong")->valuedouble);
    CHECK_INT(b_only, (size_t)test_json_at(pair, "mcnemar_exact.a_wrong_b_correct")->valuedouble);
    double p = es_stat_mcnemar_exact(a_only, b_only), want = test_json_at(pair, "mcnemar_exact.pvalue")->valuedouble;
    CHECK_MSG(fabs(p - want) <= 1e-9 && fabs(p - want) <= 1e-6 * want, "%s McNemar p %.17g != %.17g", set, p, want);
  }
  free(gold), free(sa), free(sb), free(k1), free(k2), free(k3);
  /* paired bootstrap, AR, and the bootstrap CI of corpus BLEU */
  char **ref = read_lines(dir, "ref.txt", &n1, &k1), **ha = read_lines(dir, "hyp_a.txt", &n2, &k2),
       **hb = read_lines(dir, "hyp_b.txt", &n3, &k3);
  if (ref && ha && hb) {
    es_bleu_seg *ga = segs_13a(ref, ha, n1), *gb = segs_13a(ref, hb, n1);
    if (ga && gb) {
      char what[128];
      snprintf(what, sizeof what, "%s all lines", set);
      check_paired(ga, gb, n1, test_json_at(pair, "sacrebleu_paired_bs"), test_json_at(pair, "sacrebleu_paired_ar"), what);
      cJSON *sl = test_json_at(pair, "slice_lines_101_130");
      if (sl && n1 >= 130) {
        snprintf(what, sizeof what, "%s lines 101-130", set);
        check_paired(ga + 100, gb + 100, 30, cJSON_GetObjectItem(sl, "sacrebleu_paired_bs"),
                     cJSON_GetObjectItem(sl, "sacrebleu_paired_ar"), what);
      }
      /* 95% percentile interval of corpus BLEU, 1000 resamples */
      cJSON *ci = test_json_at(e, "systems.hyp_a.bootstrap_ci_corpus_bleu");
      es_stat_data A = {.kind = ES_STAT_BLEU, .n = n1, .seg = ga, .profile = ES_PROFILE_SACREBLEU, .order = 4};
      uint32_t *idx = es_stat_boot_indices(n1, 1000, 12345);
      double *r = malloc(1000 * sizeof *r), mean = 0;
      es_stat_resample(&A, idx, 1000, r);
      for (int b = 0; b < 1000; b++) mean += r[b] / 1000;
      qsort(r, 1000, sizeof *r, cmp_double);
      double sd = test_json_at(ci, "std_ddof0")->valuedouble;
      double lo = es_stat_quantile(r, 1000, 0.025), hi = es_stat_quantile(r, 1000, 0.975);
      /* a 2.5% quantile of 1000 draws has a standard error of about
       * sqrt(.025 .975 / 1000) / phi(1.96) = 0.085 sd, the mean sd / sqrt(1000);
       * two independent estimates differ by sqrt(2) of that: allow 4x */
      CHECK_MSG(fabs(lo - test_json_at(ci, "ci_low")->valuedouble) <= 4 * sqrt(2.0) * 0.085 * sd,
                "%s CI low %g", set, lo);
      CHECK_MSG(fabs(hi - test_json_at(ci, "ci_high")->valuedouble) <= 4 * sqrt(2.0) * 0.085 * sd,
                "%s CI high %g", set, hi);
      CHECK_MSG(fabs(mean - test_json_at(ci, "mean")->valuedouble) <= 4 * sqrt(2.0) * sd / sqrt(1000.0),
                "%s CI mean %.6f, numpy's %.6f, sd %.6f", set, mean, test_json_at(ci, "mean")->valuedouble, sd);
      free(idx);
      free(r);
    }
    free(ga);
    free(gb);
  }
  free(ref), free(ha), free(hb), free(k1), free(k2), free(k3);
  cJSON_Delete(e);
}

/* sacreBLEU's test_significance.py: 15 systems against LIUM-NMT on WMT17
 * en-de, BLEU with tokenize none, paired bootstrap (2000) and AR (10000). */
static void peer_vectors(void) {
  const char *shared = test_shared_dir_opt("sacreBLEU's significance vectors");
  if (!shared) return;
  char path[1024], cmd[1200];
  snprintf(path, sizeof path, "%s/golden/peer-vectors/bleu_sacrebleu.json", shared);
  size_t len;
  char *text = test_read_file(path, &len);
  cJSON *vec = text ? cJSON_Parse(text) : NULL;
  free(text);
  snprintf(cmd, sizeof cmd, "xz -dc '%s/golden/peer-vectors/wmt17_en_de.json.xz'", shared);
  FILE *f = popen(cmd, "r");
  size_t cap = 8 << 20, got = 0, r;
  char *buf = malloc(cap);
  while (f && (r = fread(buf + got, 1, cap - got - 1, f)) > 0) {
    got += r;
    if (got + 1 == cap) buf = realloc(buf, cap *= 2);
  }
  if (f) pclose(f);
  buf[got] = 0;
  cJSON *data = cJSON_Parse(buf);
  free(buf);
  CHECK_MSG(vec && data, "peer vectors or WMT17 data unreadable (xz installed?)");
  if (!vec || !data) {
    cJSON_Delete(vec);
    cJSON_Delete(data);
    return;
  }
  /* whitespace tokens (tokenize none), one vocabulary for everything */
  es_vocab *voc = es_vocab_new();
  es_bleu_counter *ctr = NULL;
  es_bleu_counter_new(4, &ctr);
  cJSON *refs = cJSON_GetObjectItem(data, "reference"), *systems = cJSON_GetObjectItem(data, "systems");
  size_t n = (size_t)cJSON_GetArraySize(refs);
  es_seq *rs = calloc(n, sizeof *rs);
  for (size_t i = 0; i < n; i++) {
    const char *s = cJSON_GetArrayItem(refs, (int)i)->valuestring;
    for (const char *p = s; *p;) {
      while (*p == ' ') p++;
      const char *q = p;
      while (*q && *q != ' ') q++;
      if (q > p) es_seq_push(&rs[i], es_vocab_intern(voc, p, (size_t)(q - p)));
      p = q;
    }
  }
  size_t checked = 0;
  double worst = 0;
  cJSON *v;
  cJSON_ArrayForEach(v, vec) {
    const char *kind = cJSON_GetObjectItem(v, "kind")->valuestring;
    int bs = !strcmp(kind, "sacrebleu.paired_bs");
    if (!bs && strcmp(kind, "sacrebleu.paired_ar")) continue;
    cJSON *in = cJSON_GetObjectItem(v, "input");
    const char *names[2] = {cJSON_GetObjectItem(in, "baseline")->valuestring,
                            cJSON_GetObjectItem(in, "system")->valuestring};
    es_bleu_seg *segs[2];
    for (int k = 0; k < 2; k++) {
      cJSON *lines = cJSON_GetObjectItem(systems, names[k] + strlen("systems/"));
      segs[k] = malloc(n * sizeof *segs[k]);
      es_seq h = {0};
      for (size_t i = 0; i < n; i++) {
        es_seq_clear(&h);
        const char *s = cJSON_GetArrayItem(lines, (int)i)->valuestring;
        for (const char *p = s; *p;) {
          while (*p == ' ') p++;
          const char *q = p;
          while (*q && *q != ' ') q++;
          if (q > p) es_seq_push(&h, es_vocab_intern(voc, p, (size_t)(q - p)));
          p = q;
        }
        es_bleu_count(ctr, &h, &rs[i], 1, &segs[k][i]);
      }
      es_seq_release(&h);
    }
    es_stat_data A = {.kind = ES_STAT_BLEU, .n = n, .seg = segs[0], .profile = ES_PROFILE_SACREBLEU, .order = 4};
    es_stat_data B = A;
    B.seg = segs[1];
    size_t N = (size_t)cJSON_GetObjectItem(cJSON_GetObjectItem(v, "options"), "n_samples")->valuedouble;
    double p;
    if (bs) {
      uint32_t *idx = es_stat_boot_indices(n, N, 12345);
      double *ra = malloc(N * sizeof *ra), *rb = malloc(N * sizeof *rb);
      es_stat_resample(&A, idx, N, ra);
      es_stat_resample(&B, idx, N, rb);
      p = es_stat_paired_bs_p(rb, ra, N, es_stat_value(&B, NULL, 0), es_stat_value(&A, NULL, 0));
      free(idx), free(ra), free(rb);
    } else {
      p = es_stat_paired_ar_p(&B, &A, N, 12345);
    }
    double want = cJSON_GetObjectItem(v, "recomputed")->valuedouble, tol = mc_tol(p, want, N);
    CHECK_MSG(fabs(p - want) <= tol, "%s: p %g, sacreBLEU %g (tolerance %g)",
              cJSON_GetObjectItem(v, "id")->valuestring, p, want, tol);
    double pp = (p > want ? p : want), se = sqrt(2 * pp * (1 - pp) / (double)N);
    if (se > 0 && fabs(p - want) / se > worst) worst = fabs(p - want) / se;
    fprintf(stderr, "%-22s %s p %.5f sacreBLEU %.5f\n", cJSON_GetObjectItem(v, "id")->valuestring,
            bs ? "bs" : "ar", p, want);
    checked++;
    free(segs[0]);
    free(segs[1]);
  }
  CHECK_INT(checked, 30);
  fprintf(stderr, "sacreBLEU significance vectors: %zu checked, largest difference %.2f standard errors\n",
          checked, worst);
  for (size_t i = 0; i < n; i++) es_seq_release(&rs[i]);
  free(rs);
  es_bleu_counter_free(ctr);
  es_vocab_free(voc);
  cJSON_Delete(vec);
  cJSON_Delete(data);
}

/* Calibration: pairs of systems that differ only by noise. Each
 * simulated comparison draws two exchangeable values per instance; the
 * false-positive rate at alpha 0.05 must stay within a binomial bound of
 * 5% for approximate randomization, the t-test and Wilcoxon. sacreBLEU's
 * paired bootstrap (|d| centred, then compared with the observed
 * difference) behaves as a one-sided test: its rate is about 2 alpha, and
 * the test pins that down, so a change to it is a conscious one. With a
 * real difference, power must rise with n. */
static void calibration(void) {
  unsigned long long state = 88172645463325252ULL;
#define NEXT() (state ^= state << 13, state ^= state >> 7, state ^= state << 17, state)
#define UNIF() ((double)(NEXT() >> 11) * 0x1.0p-53)
  const size_t sims = 400, B = 1000;
  size_t fp_bs = 0, fp_ar = 0, fp_t = 0, fp_w = 0;
  double a[200], b[200], *ra = malloc(B * sizeof *ra), *rb = malloc(B * sizeof *rb);
  for (size_t s = 0; s < sims; s++) {
    /* per instance a difficulty, and two noisy scores around it */
    for (size_t i = 0; i < 200; i++) {
      double d = UNIF();
      a[i] = d + 0.3 * (UNIF() - 0.5);
      b[i] = d + 0.3 * (UNIF() - 0.5);
    }
    es_stat_data A = {.kind = ES_STAT_MEAN, .n = 200, .x = a, .scale = 100};
    es_stat_data Bd = A;
    Bd.x = b;
    uint32_t *idx = es_stat_boot_indices(200, B, s);
    es_stat_resample(&A, idx, B, ra);
    es_stat_resample(&Bd, idx, B, rb);
    fp_bs += es_stat_paired_bs_p(rb, ra, B, es_stat_value(&Bd, NULL, 0), es_stat_value(&A, NULL, 0)) < 0.05;
    fp_ar += es_stat_paired_ar_p(&Bd, &A, 1000, s) < 0.05;
    double t, p, df, w, wp;
    int exact;
    es_stat_ttest_rel(b, a, 200, &t, &p, &df);
    fp_t += p < 0.05;
    es_stat_wilcoxon(b, a, 200, &w, &wp, &exact);
    fp_w += wp < 0.05;
    free(idx);
  }
  free(ra);
  free(rb);
  /* 5% of 400 is 20, sd 4.4: allow 20 +- 3 sd */
  double sd5 = sqrt(sims * 0.05 * 0.95), sd10 = sqrt(sims * 0.10 * 0.90);
  double lo = 0.05 * sims - 3 * sd5, hi = 0.05 * sims + 3 * sd5;
  fprintf(stderr,
          "calibration: false positives in %zu null comparisons at alpha 0.05: AR %zu, t %zu, "
          "Wilcoxon %zu (bound %.0f..%.0f); sacreBLEU's paired bootstrap %zu\n",
          sims, fp_ar, fp_t, fp_w, lo, hi, fp_bs);
  CHECK(fp_ar >= lo && fp_ar <= hi);
  CHECK(fp_t >= lo && fp_t <= hi);
  CHECK(fp_w >= lo && fp_w <= hi);
  CHECK((double)fp_bs > hi && (double)fp_bs <= 0.10 * sims + 3 * sd10);
  /* power with a shift of 0.03, at n = 25, 100, 200 */
  size_t sizes[3] = {25, 100, 200}, power[3] = {0, 0, 0};
  for (int k = 0; k < 3; k++) {
    size_t n = sizes[k];
    for (size_t s = 0; s < 100; s++) {
      for (size_t i = 0; i < n; i++) {
        double d = UNIF();
        a[i] = d + 0.3 * (UNIF() - 0.5);
        b[i] = d + 0.03 + 0.3 * (UNIF() - 0.5);
      }
      es_stat_data A = {.kind = ES_STAT_MEAN, .n = n, .x = a, .scale = 100};
      es_stat_data B = A;
      B.x = b;
      power[k] += es_stat_paired_ar_p(&B, &A, 200, 1000 + s) < 0.05;
    }
  }
  fprintf(stderr, "calibration: power at a shift of 0.03: n=25 %zu%%, n=100 %zu%%, n=200 %zu%%\n", power[0],
          power[1], power[2]);
  CHECK(power[0] < power[1] && power[1] < power[2] && power[2] >= 50);
}

static void units(void) {
  /* Holm: sorted p times (m - rank), running max, capped at 1 */
  double p[5] = {0.01, 0.04, 0.03, NAN, 0.5}, adj[5];
  es_stat_holm(p, 5, adj);
  CHECK_NEAR(adj[0], 0.04, 1e-15);
  CHECK_NEAR(adj[2], 0.09, 1e-15);
  CHECK_NEAR(adj[1], 0.09, 1e-15); /* 0.08, raised to the running max */
  CHECK(isnan(adj[3]));
  CHECK_NEAR(adj[4], 0.5, 1e-15);
  /* numpy's linear percentile */
  double s[4] = {1, 2, 3, 4};
  CHECK_NEAR(es_stat_quantile(s, 4, 0.5), 2.5, 1e-15);
  CHECK_NEAR(es_stat_quantile(s, 4, 0.025), 1.075, 1e-15);
  /* McNemar: no discordant pairs, or a perfect balance: 1 */
  CHECK_NEAR(es_stat_mcnemar_exact(0, 0), 1, 0);
  CHECK_NEAR(es_stat_mcnemar_exact(7, 7), 1, 0);
  CHECK_NEAR(es_stat_mcnemar_exact(0, 5), 0.0625, 1e-15);
  /* the same seed gives the same resamples; seed 0 is a seed of its own */
  uint32_t *x = es_stat_boot_indices(50, 3, 0), *y = es_stat_boot_indices(50, 3, 0),
           *z = es_stat_boot_indices(50, 3, 4356);
  CHECK(!memcmp(x, y, 150 * sizeof *x) && memcmp(x, z, 150 * sizeof *x));
  free(x), free(y), free(z);
}

int main(void) {
  units();
  golden_set("synth");
  golden_set("esconv-test");
  peer_vectors();
  calibration();
  return test_finish("stats");
}
