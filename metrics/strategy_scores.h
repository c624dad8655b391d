/*
 * strategy_scores.h: classification scores of predicted support strategies,
 * as scikit-learn's accuracy_score / precision_recall_fscore_support /
 * confusion_matrix give them with their defaults.
 *
 * Labels are compared as exact byte strings. The label set is
 * sorted(set(gold) | set(pred)) in code-point order (strcmp on UTF-8), so a
 * class that is only ever predicted is a label too (support 0) and counts in
 * the macro averages, as in sklearn. Zero division gives 0 (sklearn's
 * default "warn" result): P = 0 for a class never predicted, R = 0 for a
 * class absent from gold, F1 = 0 when P + R = 0.
 *
 * A NULL prediction means the strategy could not be extracted from the
 * reply. It is wrong (it lowers accuracy and the recall of its gold class),
 * it is counted (unextracted), and it is NOT a label: it adds no class to the
 * macro averages and no prediction to any class's precision. The confusion
 * matrix gives it its own last column, "(none)", after the label columns.
 */
#ifndef ES_STRATEGY_SCORES_H
#define ES_STRATEGY_SCORES_H

#include "es_common.h"

/* The column label of unextracted predictions in reports. */
#define ES_STRATEGY_NONE "(none)"

typedef struct {
  double precision, recall, f1;
  size_t support;   /* gold instances of the class */
  size_t predicted; /* instances predicted as the class */
  size_t tp;        /* both */
} es_strategy_class;

/* The scores: a plain struct the caller owns (es_strategy_scores_compute
 * fills it, es_strategy_scores_release frees its arrays). */
typedef struct {
  size_t n;                                       /* instances */
  size_t correct;                                 /* prediction == gold */
  size_t unextracted;                             /* prediction NULL */
  double accuracy;                                /* correct / n (0 when n is 0) */
  double macro_precision, macro_recall, macro_f1; /* unweighted means over labels */
  double weighted_f1;                             /* sum over labels of f1 * support, over n */
  size_t nlabels;
  char **labels;                /* sorted */
  es_strategy_class *per_class; /* per label */
  /* confusion[i * (nlabels + 1) + j] = #(gold = labels[i], pred = labels[j]);
   * column j = nlabels counts the unextracted predictions of gold labels[i] */
  size_t *confusion;
} es_strategy_scores;

/* Scores n (gold[i], pred[i]) pairs into *out (the caller's struct; free its
 * contents with es_strategy_scores_release, also after a failure). gold[i]
 * must not be NULL (ES_ERR_ARG): instances without a gold strategy are the
 * caller's to leave out. The strings are copied. n may be 0 (no label,
 * every score 0). */
es_status es_strategy_scores_compute(const char *const *gold, const char *const *pred, size_t n,
                                     es_strategy_scores *out);

/* Frees the contents of s and zeroes it (not s itself); accepts NULL. */
void es_strategy_scores_release(es_strategy_scores *s);

/* The index of label in s->labels, or -1. */
long es_strategy_label_index(const es_strategy_scores *s, const char *label);

/* #(gold = labels[gold_label], pred = column pred_col), pred_col == nlabels
 * being the "(none)" column; 0 when out of range. */
size_t es_strategy_confusion(const es_strategy_scores *s, size_t gold_label, size_t pred_col);

#endif
