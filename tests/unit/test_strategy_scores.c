/*
 * test_strategy_scores: strategy classification scores
 * (metrics/strategy_scores.c).
 *
 *   1. hand cases: an unextracted (NULL) prediction, a class only ever
 *      predicted, a gold class never predicted, no instance, byte order of
 *      non-ASCII labels, a NULL gold label
 *   2. golden sets synth and esconv-test: every strategy.* key (labels,
 *      accuracy, macro/weighted F1, macro P/R, per class P/R/F1, support,
 *      predicted, tp, the confusion matrix, n) for both systems
 */
#include "testlib.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "esmetrics.h"

/* ---- 1. hand cases ---------------------------------------------------------- */

static void test_hand(void) {
  es_strategy_scores s;
  const char *gold[] = {"A", "A", "B", "C"}, *pred[] = {"A", NULL, "C", "C"};
  CHECK(es_strategy_scores_compute(gold, pred, 4, &s) == ES_OK);
  CHECK(s.n == 4 && s.correct == 2 && s.unextracted == 1);
  CHECK(s.nlabels == 3); /* the NULL is no label */
  CHECK_STR(s.labels[0], "A");
  CHECK_STR(s.labels[2], "C");
  CHECK(s.accuracy == 0.5);
  const es_strategy_class *a = &s.per_class[0], *b = &s.per_class[1], *c = &s.per_class[2];
  CHECK(a->support == 2 && a->predicted == 1 && a->tp == 1 && a->precision == 1.0 &&
        a->recall == 0.5);
  CHECK(a->f1 == 2 * 1.0 * 0.5 / 1.5);
  CHECK(b->support == 1 && b->predicted == 0 && b->precision == 0 && b->recall == 0 && b->f1 == 0);
  CHECK(c->support == 1 && c->predicted == 2 && c->precision == 0.5 && c->recall == 1.0);
  CHECK_NEAR(s.macro_f1, (2.0 / 3 + 0 + 2.0 / 3) / 3, 1e-15);
  CHECK_NEAR(s.weighted_f1, (2.0 / 3 * 2 + 2.0 / 3) / 4, 1e-15);
  CHECK_NEAR(s.macro_precision, 0.5, 1e-15);
  CHECK_NEAR(s.macro_recall, 0.5, 1e-15);
  /* rows A, B, C; columns A, B, C, (none) */
  static const size_t cm[3][4] = {{1, 0, 0, 1}, {0, 0, 1, 0}, {0, 0, 1, 0}};
  for (size_t i = 0; i < 3; i++)
    for (size_t j = 0; j < 4; j++)
      CHECK_MSG(es_strategy_confusion(&s, i, j) == cm[i][j], "confusion[%zu][%zu]", i, j);
  CHECK(es_strategy_confusion(&s, 3, 0) == 0 && es_strategy_confusion(&s, 0, 4) == 0);
  CHECK(es_strategy_label_index(&s, "B") == 1);
  CHECK(es_strategy_label_index(&s, "D") == -1);
  CHECK(es_strategy_label_index(&s, NULL) == -1);
  es_strategy_scores_release(&s);
  CHECK(s.labels == NULL && s.nlabels == 0);
  es_strategy_scores_release(&s); /* twice is harmless */
  es_strategy_scores_release(NULL);

  /* a class that is only predicted counts in the macro mean with F1 0 */
  const char *g2[] = {"X", "X"}, *p2[] = {"X", "Y"};
  CHECK(es_strategy_scores_compute(g2, p2, 2, &s) == ES_OK);
  CHECK(s.nlabels == 2 && s.per_class[1].support == 0 && s.per_class[1].f1 == 0);
  CHECK(s.per_class[0].precision == 1.0 && s.per_class[0].recall == 0.5);
  CHECK_NEAR(s.macro_f1, (2 * 0.5 / 1.5) / 2, 1e-15);
  CHECK_NEAR(s.weighted_f1, 2 * 0.5 / 1.5, 1e-15);
  es_strategy_scores_release(&s);

  /* nothing to score */
  CHECK(es_strategy_scores_compute(NULL, NULL, 0, &s) == ES_OK);
  CHECK(s.n == 0 && s.nlabels == 0 && s.accuracy == 0 && s.macro_f1 == 0 && s.weighted_f1 == 0);
  es_strategy_scores_release(&s);

  /* every prediction unextracted */
  const char *p3[] = {NULL, NULL};
  CHECK(es_strategy_scores_compute(g2, p3, 2, &s) == ES_OK);
  CHECK(s.nlabels == 1 && s.unextracted == 2 && s.accuracy == 0 && s.per_class[0].recall == 0);
  CHECK(es_strategy_confusion(&s, 0, 1) == 2);
  es_strategy_scores_release(&s);

  /* code-point order: "Z" < "a" < "\u00c9" (strcmp on UTF-8 bytes) */
  const char *g4[] = {"\xc3\x89motion", "a", "Z"}, *p4[] = {"Z", "Z", "Z"};
  CHECK(es_strategy_scores_compute(g4, p4, 3, &s) == ES_OK);
  CHECK(s.nlabels == 3);
  if (s.nlabels == 3) {
    CHECK_STR(s.labels[0], "Z");
    CHECK_STR(s.labels[1], "a");
    CHECK_STR(s.labels[2], "\xc3\x89motion");
  }
  es_strategy_scores_release(&s);

  const char *g5[] = {"A", NULL};
  CHECK(es_strategy_scores_compute(g5, p2, 2, &s) == ES_ERR_ARG);
  es_strategy_scores_release(&s);
}

/* ---- 2. golden sets ------------------------------------------------------------ */

static size_t compared;

static void expect(int ok, const char *set, const char *sys, const char *what, double got,
                   double want) {
  compared++;
  CHECK_MSG(ok, "%s %s %s: %.17g, expected %.17g", set, sys, what, got, want);
}

static void expect_num(const char *set, const char *sys, const char *what, double got, cJSON *w) {
  double want = cJSON_IsNumber(w) ? w->valuedouble : NAN;
  expect(fabs(got - want) <= 1e-12 * fabs(want) || got == want, set, sys, what, got, want);
}

static void golden_set(const char *set, const char *dir) {
  char path[1024];
  snprintf(path, sizeof path, "%s/expected.json", dir);
  char *text = test_read_file(path, NULL), *gbuf = NULL;
  cJSON *exp = text ? cJSON_Parse(text) : NULL;
  free(text);
  size_t ng = 0;
  snprintf(path, sizeof path, "%s/strat_gold.txt", dir);
  char **gold = (gbuf = test_read_file(path, NULL)) ? test_split_lines(gbuf, &ng) : NULL;
  CHECK_MSG(exp && gold, "cannot read the strategy files of %s", set);
  compared = 0;
  static const char *systems[] = {"hyp_a", "hyp_b"}, *files[] = {"strat_a.txt", "strat_b.txt"};
  for (int k = 0; k < 2 && exp && gold; k++) {
    const char *sys = systems[k];
    size_t np = 0;
    snprintf(path, sizeof path, "%s/%s", dir, files[k]);
    char *pbuf = test_read_file(path, NULL);
    char **pred = pbuf ? test_split_lines(pbuf, &np) : NULL;
    CHECK(pred && np == ng);
    es_strategy_scores s;
    if (!pred || np != ng ||
        es_strategy_scores_compute((const char *const *)gold, (const char *const *)pred, ng, &s) !=
            ES_OK) {
      CHECK(0);
      free(pred);
      free(pbuf);
      continue;
    }
    cJSON *st = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(exp, "systems"), sys),
        "strategy");
    cJSON *labels = cJSON_GetObjectItemCaseSensitive(st, "labels");
    expect((size_t)cJSON_GetArraySize(labels) == s.nlabels, set, sys, "number of labels",
           (double)s.nlabels, cJSON_GetArraySize(labels));
    expect_num(set, sys, "n", (double)s.n, cJSON_GetObjectItemCaseSensitive(st, "n"));
    static const char *keys[] = {"accuracy", "macro_f1", "weighted_f1", "macro_precision",
                                 "macro_recall"};
    double got[] = {s.accuracy, s.macro_f1, s.weighted_f1, s.macro_precision, s.macro_recall};
    for (int i = 0; i < 5; i++)
      expect_num(set, sys, keys[i], got[i], cJSON_GetObjectItemCaseSensitive(st, keys[i]));
    cJSON *per_class = cJSON_GetObjectItemCaseSensitive(st, "per_class");
    cJSON *rows = cJSON_GetObjectItemCaseSensitive(st, "confusion_matrix");
    for (size_t l = 0; l < s.nlabels; l++) {
      cJSON *lab = cJSON_GetArrayItem(labels, (int)l);
      compared++;
      CHECK_MSG(cJSON_IsString(lab) && strcmp(lab->valuestring, s.labels[l]) == 0,
                "%s %s label %zu: '%s'", set, sys, l, s.labels[l]);
      cJSON *pc = cJSON_GetObjectItemCaseSensitive(per_class, s.labels[l]);
      const es_strategy_class *c = &s.per_class[l];
      char what[256];
      static const char *fk[] = {"precision", "recall", "f1", "support", "predicted", "tp"};
      double fv[] = {c->precision,         c->recall,    c->f1, (double)c->support,
                     (double)c->predicted, (double)c->tp};
      for (int i = 0; i < 6; i++) {
        snprintf(what, sizeof what, "per_class '%s' %s", s.labels[l], fk[i]);
        expect_num(set, sys, what, fv[i], cJSON_GetObjectItemCaseSensitive(pc, fk[i]));
      }
      cJSON *row = cJSON_GetArrayItem(rows, (int)l);
      for (size_t j = 0; j < s.nlabels; j++) {
        snprintf(what, sizeof what, "confusion_matrix[%zu][%zu]", l, j);
        expect_num(set, sys, what, (double)es_strategy_confusion(&s, l, j),
                   cJSON_GetArrayItem(row, (int)j));
      }
      /* no prediction is missing in the golden files: the (none) column is 0 */
      CHECK(es_strategy_confusion(&s, l, s.nlabels) == 0);
    }
    CHECK(s.unextracted == 0);
    es_strategy_scores_release(&s);
    free(pred);
    free(pbuf);
  }
  printf("golden %s: %zu values compared\n", set, compared);
  free(gold);
  free(gbuf);
  cJSON_Delete(exp);
}

int main(void) {
  test_hand();
  char dir[1024];
  if (test_golden_dir("synth", dir, sizeof dir))
    golden_set("synth", dir);
  else
    CHECK_MSG(0, "golden set synth not found");
  if (test_golden_dir("esconv-test", dir, sizeof dir))
    golden_set("esconv-test", dir);
  else
    printf("note: ESBENCH_SHARED absent: esconv-test skipped\n");
  return test_finish("strategy_scores");
}
