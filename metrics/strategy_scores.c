/*
 * strategy_scores.c: accuracy, per-class and averaged P/R/F1 and the
 * confusion matrix of strategy predictions (see strategy_scores.h).
 *
 * Labels are collected, sorted with strcmp and deduplicated; each gold and
 * predicted string is then mapped to its label index by binary search, so
 * the cost is O(n log n) in the number of instances.
 */
/* strdup is POSIX: say so here, so that the library also builds outside
 * esbench's CMake flags (plain -std=c11) */
#define _POSIX_C_SOURCE 200809L

#include "strategy_scores.h"

#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

long es_strategy_label_index(const es_strategy_scores *s, const char *label) {
  if (!label || !s->nlabels) return -1;
  const char *const *hit = bsearch(&label, s->labels, s->nlabels, sizeof *s->labels, cmp_str);
  return hit ? (long)(hit - (const char *const *)s->labels) : -1;
}

size_t es_strategy_confusion(const es_strategy_scores *s, size_t gold_label, size_t pred_col) {
  if (gold_label >= s->nlabels || pred_col > s->nlabels) return 0;
  return s->confusion[gold_label * (s->nlabels + 1) + pred_col];
}

void es_strategy_scores_release(es_strategy_scores *s) {
  if (!s) return;
  if (s->labels)
    for (size_t i = 0; i < s->nlabels; i++) free(s->labels[i]);
  free(s->labels);
  free(s->per_class);
  free(s->confusion);
  memset(s, 0, sizeof *s);
}

/* F1 = 2PR/(P+R), 0 when P+R is 0 */
static double f1_of(double p, double r) { return p + r > 0 ? 2 * p * r / (p + r) : 0.0; }

es_status es_strategy_scores_compute(const char *const *gold, const char *const *pred, size_t n,
                                     es_strategy_scores *out) {
  memset(out, 0, sizeof *out);
  for (size_t i = 0; i < n; i++)
    if (!gold[i]) return ES_ERR_ARG;

  es_status st = ES_ERR_NOMEM;
  const char **all = malloc((2 * n + 1) * sizeof *all);
  if (!all) goto out;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    all[k++] = gold[i];
    if (pred[i]) all[k++] = pred[i];
  }
  qsort(all, k, sizeof *all, cmp_str);
  size_t nl = 0;
  for (size_t i = 0; i < k; i++)
    if (nl == 0 || strcmp(all[i], all[nl - 1]) != 0) all[nl++] = all[i];

  out->labels = calloc(nl ? nl : 1, sizeof *out->labels);
  out->per_class = calloc(nl ? nl : 1, sizeof *out->per_class);
  out->confusion = calloc(nl * (nl + 1) + 1, sizeof *out->confusion);
  if (!out->labels || !out->per_class || !out->confusion) goto out;
  for (size_t i = 0; i < nl; i++) {
    if (!(out->labels[i] = strdup(all[i]))) goto out;
    out->nlabels = i + 1; /* release frees what was copied */
  }

  out->n = n;
  for (size_t i = 0; i < n; i++) {
    size_t g = (size_t)es_strategy_label_index(out, gold[i]);
    size_t p = pred[i] ? (size_t)es_strategy_label_index(out, pred[i]) : nl;
    out->confusion[g * (nl + 1) + p]++;
    out->per_class[g].support++;
    if (p == nl) {
      out->unextracted++;
      continue;
    }
    out->per_class[p].predicted++;
    if (p == g) {
      out->per_class[g].tp++;
      out->correct++;
    }
  }

  /* precision = tp / predicted, recall = tp / support, 0 on zero division */
  double sp = 0, sr = 0, sf = 0, sw = 0;
  for (size_t c = 0; c < nl; c++) {
    es_strategy_class *pc = &out->per_class[c];
    pc->precision = pc->predicted ? (double)pc->tp / (double)pc->predicted : 0.0;
    pc->recall = pc->support ? (double)pc->tp / (double)pc->support : 0.0;
    pc->f1 = f1_of(pc->precision, pc->recall);
    sp += pc->precision;
    sr += pc->recall;
    sf += pc->f1;
    sw += pc->f1 * (double)pc->support;
  }
  if (nl) {
    out->macro_precision = sp / (double)nl;
    out->macro_recall = sr / (double)nl;
    out->macro_f1 = sf / (double)nl;
  }
  if (n) {
    out->accuracy = (double)out->correct / (double)n;
    out->weighted_f1 = sw / (double)n;
  }
  st = ES_OK;
out:
  free(all);
  if (st != ES_OK) es_strategy_scores_release(out);
  return st;
}
