/*
 * test_golden: every profile's numbers against the reference
 * implementations' golden values (golden/<set>/expected.json; the README
 * there says how each was computed).
 *
 * Sets: synth (copied into tests/golden/synth, so a fresh clone checks it)
 * and esconv-test (read from ../shared; skipped with a message when that is
 * absent). Corpus values must agree to 1e-9 relative and print identically
 * with 2 decimals (the precision papers and sacreBLEU print); per-line
 * values within 1e-9. A mismatch names set, system, metric, line and both
 * values.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "esmetrics.h"
#include "profile.h"
#include "testlib.h"

static size_t compared;

static void corpus(const char *set, const char *sys, const es_scores *s, const char *metric,
                   cJSON *exp, const char *key, double scale) {
  const es_metric *m = es_scores_find(s, metric);
  cJSON *e = test_json_at(exp, key);
  CHECK_MSG(m && cJSON_IsNumber(e), "%s %s: missing %s or %s", set, sys, metric, key);
  if (!m || !cJSON_IsNumber(e)) return;
  double want = e->valuedouble * scale, got = m->value;
  char a[64], b[64];
  snprintf(a, sizeof a, "%.2f", got);
  snprintf(b, sizeof b, "%.2f", want);
  CHECK_MSG(test_near(got, want, 1e-9) && !strcmp(a, b), "%s %s %s: %.17g, reference %s = %.17g",
            set, sys, metric, got, key, want);
  compared++;
}

static void per_line(const char *set, const char *sys, const es_scores *s, const char *metric,
                     cJSON *exp, const char *key, double scale) {
  const es_metric *m = es_scores_find(s, metric);
  cJSON *arr = test_json_at(exp, key);
  CHECK_MSG(m && m->lines && cJSON_GetArraySize(arr) == (int)es_scores_lines(s),
            "%s %s: missing per-line %s or %s", set, sys, metric, key);
  if (!m || !m->lines || cJSON_GetArraySize(arr) != (int)es_scores_lines(s)) return;
  size_t i = 0;
  for (cJSON *e = arr->child; e; e = e->next, i++) {
    double want = e->valuedouble * scale;
    CHECK_MSG(test_near(m->lines[i], want, 1e-9), "%s %s %s line %zu: %.17g, reference %.17g", set,
              sys, metric, i + 1, m->lines[i], want);
    compared++;
  }
}

static void bleu_stats(const char *set, const char *sys, const es_scores *s, cJSON *exp) {
  cJSON *arr = test_json_at(exp, "sacrebleu.per_line_stats");
  const es_bleu_seg *g = es_scores_bleu_segs(s);
  size_t i = 0;
  for (cJSON *row = arr ? arr->child : NULL; row; row = row->next, i++) {
    int want[10], got[10] = {g[i].hyp_len, g[i].ref_len, g[i].match[0], g[i].match[1],
                             g[i].match[2], g[i].match[3], g[i].total[0], g[i].total[1],
                             g[i].total[2], g[i].total[3]};
    int k = 0;
    for (cJSON *v = row->child; v && k < 10; v = v->next) want[k++] = v->valueint;
    CHECK_MSG(k == 10 && !memcmp(want, got, sizeof want),
              "%s %s sacrebleu statistics line %zu: [%d %d %d %d ...] reference [%d %d %d %d ...]",
              set, sys, i + 1, got[0], got[1], got[2], got[3], want[0], want[1], want[2], want[3]);
    compared++;
  }
  CHECK_MSG(i == es_scores_lines(s), "%s %s: %zu statistics rows for %zu lines", set, sys, i,
            es_scores_lines(s));
}

static void check_set(const char *set, const char *dir) {
  char p[1024];
  size_t n;
  snprintf(p, sizeof p, "%s/expected.json", dir);
  char *text = test_read_file(p, &n);
  CHECK_MSG(text != NULL, "cannot read %s", p);
  if (!text) return;
  cJSON *root = cJSON_Parse(text);
  free(text);
  snprintf(p, sizeof p, "%s/ref.txt", dir);
  char *refbuf = test_read_file(p, NULL);
  size_t nref = 0;
  char **refs = refbuf ? test_split_lines(refbuf, &nref) : NULL;
  CHECK(root && refs);
  static const char *const systems[2] = {"hyp_a", "hyp_b"};
  for (int k = 0; k < 2 && root && refs; k++) {
    snprintf(p, sizeof p, "%s/%s.txt", dir, systems[k]);
    char *hypbuf = test_read_file(p, NULL);
    size_t nhyp = 0;
    char **hyps = hypbuf ? test_split_lines(hypbuf, &nhyp) : NULL;
    CHECK_INT(nhyp, nref);
    cJSON *exp = test_json_at(root, "systems");
    exp = cJSON_GetObjectItem(exp, systems[k]);
    const char *sys = systems[k];
    es_scores *s = NULL;

    /* esconv profile: the ESConv repository's myMetrics */
    CHECK(es_score_corpus(ES_PROFILE_ESCONV, (const char *const *)refs, (const char *const *)hyps,
                          nref, 2, &s, NULL, NULL) == ES_OK);
    if (s) {
      static const char *const names[] = {"bleu-1", "bleu-2", "bleu-3", "bleu-4", "dist-1",
                                          "dist-2", "dist-3", "f1", "rouge-l", "length"};
      for (size_t q = 0; q < sizeof names / sizeof names[0]; q++) {
        char key[128];
        snprintf(key, sizeof key, "esconv_mymetrics.result.%s", names[q]);
        corpus(set, sys, s, names[q], exp, key, 1.0);
      }
      per_line(set, sys, s, "f1", exp, "esconv_mymetrics.per_line.f1", 100.0);
      per_line(set, sys, s, "rouge-l", exp, "esconv_mymetrics.per_line.rouge-l", 100.0);
      es_scores_free(s);
      s = NULL;
    }
    /* sacrebleu profile: sacreBLEU, rouge_score without stemmer, distinct */
    CHECK(es_score_corpus(ES_PROFILE_SACREBLEU, (const char *const *)refs, (const char *const *)hyps,
                          nref, 2, &s, NULL, NULL) == ES_OK);
    if (s) {
      corpus(set, sys, s, "bleu-4", exp, "sacrebleu.corpus.score", 1.0);
      const es_metric *b4 = es_scores_find(s, "bleu-4");
      cJSON *sig = test_json_at(exp, "sacrebleu.corpus.signature");
      if (b4 && cJSON_IsString(sig)) {
        /* same fields as sacreBLEU's signature; only the version differs */
        size_t stem = strstr(sig->valuestring, "version:") - sig->valuestring;
        CHECK_MSG(!strncmp(b4->signature, sig->valuestring, stem), "signature '%s' vs '%s'",
                  b4->signature, sig->valuestring);
      }
      corpus(set, sys, s, "sentence-bleu", exp, "sacrebleu.sentence_bleu_mean", 1.0);
      per_line(set, sys, s, "sentence-bleu", exp, "sacrebleu.sentence_bleu", 1.0);
      corpus(set, sys, s, "rouge-l", exp, "rouge_score.rougeL.mean_f", 100.0);
      corpus(set, sys, s, "rouge-l-p", exp, "rouge_score.rougeL.mean_precision", 100.0);
      corpus(set, sys, s, "rouge-l-r", exp, "rouge_score.rougeL.mean_recall", 100.0);
      per_line(set, sys, s, "rouge-l", exp, "rouge_score.rougeL.per_line_f", 100.0);
      corpus(set, sys, s, "dist-1", exp, "distinct.distinct_1", 100.0);
      corpus(set, sys, s, "dist-2", exp, "distinct.distinct_2", 100.0);
      corpus(set, sys, s, "dist-3", exp, "distinct.distinct_3", 100.0);
      bleu_stats(set, sys, s, exp);
      es_scores_free(s);
      s = NULL;
    }
    /* rouge_score profile: rougeL with the Porter stemmer */
    CHECK(es_score_corpus(ES_PROFILE_ROUGE_SCORE, (const char *const *)refs,
                          (const char *const *)hyps, nref, 1, &s, NULL, NULL) == ES_OK);
    if (s) {
      corpus(set, sys, s, "rouge-l", exp, "rouge_score.rougeL_stemmer.mean_f", 100.0);
      corpus(set, sys, s, "rouge-l-p", exp, "rouge_score.rougeL_stemmer.mean_precision", 100.0);
      corpus(set, sys, s, "rouge-l-r", exp, "rouge_score.rougeL_stemmer.mean_recall", 100.0);
      per_line(set, sys, s, "rouge-l", exp, "rouge_score.rougeL_stemmer.per_line_f", 100.0);
      corpus(set, sys, s, "bleu-4", exp, "sacrebleu.corpus.score", 1.0);
      es_scores_free(s);
    }
    /* all profiles in one pass give exactly what separate passes give */
    es_profile ps[3] = {ES_PROFILE_ESCONV, ES_PROFILE_SACREBLEU, ES_PROFILE_ROUGE_SCORE};
    es_scores *multi[3], *single;
    CHECK(es_score_corpus_multi(ps, 3, (const char *const *)refs, (const char *const *)hyps, nref,
                                2, multi, NULL, NULL) == ES_OK);
    for (int p = 0; p < 3; p++) {
      CHECK(es_score_corpus(ps[p], (const char *const *)refs, (const char *const *)hyps, nref, 1,
                            &single, NULL, NULL) == ES_OK);
      CHECK_INT(es_scores_count(multi[p]), es_scores_count(single));
      for (size_t q = 0; q < es_scores_count(single) && q < es_scores_count(multi[p]); q++) {
        const es_metric *a = es_scores_get(multi[p], q), *b = es_scores_get(single, q);
        CHECK_MSG(!strcmp(a->name, b->name) && a->value == b->value && !strcmp(a->signature, b->signature),
                  "%s %s %s: one pass %.17g, separate %.17g", set, sys, b->name, a->value, b->value);
        if (a->lines && b->lines)
          CHECK(!memcmp(a->lines, b->lines, es_scores_lines(single) * sizeof *a->lines));
      }
      CHECK(!memcmp(es_scores_bleu_segs(multi[p]), es_scores_bleu_segs(single),
                    es_scores_lines(single) * sizeof(es_bleu_seg)));
      es_scores_free(single);
      es_scores_free(multi[p]);
    }
    free(hyps);
    free(hypbuf);
  }
  free(refs);
  free(refbuf);
  cJSON_Delete(root);
}

/* Invalid UTF-8 anywhere is reported with its line and side, not scored. */
static void invalid_utf8(void) {
  const char *good[3] = {"fine", "also fine", "ok"};
  const char *bad[3] = {"fine", "caf\xc3", "ok"};
  for (int p = 0; p < 3; p++) {
    es_scores *s = NULL;
    size_t line = 99;
    int side = -1;
    CHECK(es_score_corpus((es_profile)p, bad, good, 3, 1, &s, &line, &side) == ES_ERR_UTF8);
    CHECK(s == NULL && line == 1 && side == 0);
    CHECK(es_score_corpus((es_profile)p, good, bad, 3, 1, &s, &line, &side) == ES_ERR_UTF8);
    CHECK(s == NULL && line == 1 && side == 1);
  }
}

/* sacreBLEU rstrip()s each segment before 13a: "a -\n" is "a -", not the
 * "-\n" line-join rule of 13a (2 tokens, BLEU-1 100, not 1 token) */
static void sacrebleu_rstrip(void) {
  const char *refs[1] = {"a -"}, *hyps[1] = {"a -\n"};
  es_scores *s = NULL;
  CHECK(es_score_corpus(ES_PROFILE_SACREBLEU, refs, hyps, 1, 1, &s, NULL, NULL) == ES_OK);
  if (!s) return;
  CHECK_NEAR(es_scores_find(s, "bleu-1")->value, 100.0, 1e-12);
  CHECK_NEAR(es_scores_find(s, "length")->value, 2.0, 0);
  es_scores_free(s);
}

int main(void) {
  char dir[1024];
  invalid_utf8();
  sacrebleu_rstrip();
  struct stat st;
  snprintf(dir, sizeof dir, "%s/golden/synth", test_tests_dir());
  check_set("synth", dir);
  const char *shared = getenv("ESBENCH_SHARED");
  if (shared && stat(shared, &st) == 0) {
    snprintf(dir, sizeof dir, "%s/golden/esconv-test", shared);
    check_set("esconv-test", dir);
  } else if (getenv("ESBENCH_REQUIRE_SHARED") && !strcmp(getenv("ESBENCH_REQUIRE_SHARED"), "1")) {
    CHECK_MSG(0, "shared folder '%s' is required", shared ? shared : "(unset)");
  } else {
    printf("note: ../shared is absent: the esconv-test golden set is skipped\n");
  }
  printf("golden: %zu values compared\n", compared);
  return test_finish("golden");
}
