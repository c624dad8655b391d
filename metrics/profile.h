/*
 * profile.h: every metric of a named profile over a corpus, in one call.
 *
 * A profile names which reference implementation each metric reproduces:
 *
 *   metric         esconv (ESConv myMetrics)   sacrebleu              rouge_score
 *   tokens         nltk word_tokenize(lower)   13a                    rouge_score tokenizer
 *   bleu-1..4      nltk corpus_bleu, method3   sacreBLEU corpus BLEU  sacreBLEU corpus BLEU
 *                  weights [1/k]*k             max order k, exp       (13a)
 *   sentence-bleu  -                           mean sentence BLEU     -
 *   rouge-l        mean LCS F, beta 1.2        mean rougeL F          mean rougeL F with
 *                                              (no stemmer)           Porter stemmer
 *   rouge-l-p/-r   the precision (LCS / hypothesis tokens) and recall (LCS /
 *                  reference tokens) behind rouge-l, per line and mean
 *   f1             mean unigram F1             -                      -
 *   dist-1..3      ESConv variant (skips each  Li et al. corpus-level distinct-n over
 *                  reply's last n-gram)        lower().split() tokens
 *   length         mean hypothesis tokens      mean 13a tokens        mean tokens
 *
 * All values are x100 (as sacreBLEU and the ESConv code print them) except
 * length. Each metric carries a signature string naming profile, tokenizer,
 * smoothing and version, like sacreBLEU's.
 *
 * Adding a metric to a profile: its per-line work in run_job() and its
 * assembly in build_scores() (profile.c).
 */
#ifndef ES_PROFILE_H
#define ES_PROFILE_H

#include "bleu.h"
#include "es_common.h"

typedef enum { ES_PROFILE_ESCONV, ES_PROFILE_SACREBLEU, ES_PROFILE_ROUGE_SCORE } es_profile;

const char *es_profile_name(es_profile p);

/* bleu-order (1..4) of profile p from summed segment statistics (the
 * profile's own segments: nltk tokens for esconv, 13a for the others), as
 * es_score_corpus computes it: what the statistics module resamples. */
es_status es_profile_bleu(es_profile p, const es_bleu_sums *sums, int order, double *out);
/* The profile named name, or -1. */
int es_profile_parse(const char *name);

typedef struct {
  const char *name;       /* "bleu-4", "rouge-l", ... */
  double value;           /* corpus value, or the mean of the lines */
  const double *lines;    /* per-line values (same scale), NULL for corpus-level metrics */
  const char *signature;  /* e.g. "esconv|tok:nltk-word-lower|bleu:nltk-corpus|smooth:method3|version:0.1.0" */
} es_metric;

typedef struct es_scores es_scores;

/* Scores hyps[i] against refs[i] for i < n (NUL-terminated UTF-8 strings)
 * with nthreads threads (1 = the calling thread only). On ES_ERR_UTF8,
 * *bad_line is the line and *bad_side 0 for a reference, 1 for a
 * hypothesis. The caller owns *out (es_scores_free). */
es_status es_score_corpus(es_profile p, const char *const *refs, const char *const *hyps,
                          size_t n, int nthreads, es_scores **out, size_t *bad_line,
                          int *bad_side);
/* The same for np profiles at once (outs[k] for ps[k]): work that several
 * of them need (a tokenization, BLEU statistics, Distinct) is done once. */
es_status es_score_corpus_multi(const es_profile *ps, size_t np, const char *const *refs,
                                const char *const *hyps, size_t n, int nthreads,
                                es_scores **outs, size_t *bad_line, int *bad_side);
void es_scores_free(es_scores *s);

size_t es_scores_count(const es_scores *s);
const es_metric *es_scores_get(const es_scores *s, size_t i);
/* The metric named name, or NULL when the profile does not compute it. */
const es_metric *es_scores_find(const es_scores *s, const char *name);
/* Per-line BLEU sufficient statistics (es_scores_lines() of them, 4 orders), for resampling. */
const es_bleu_seg *es_scores_bleu_segs(const es_scores *s);
size_t es_scores_lines(const es_scores *s);

#endif
