/*
 * rouge.h: ROUGE on token-id sequences, as rouge_score 0.1.2 and the ESConv
 * metric code (codes_zcj/metric/myMetrics.py) compute it.
 *
 * Layers, lowest first:
 *
 *   LCS          longest-common-subsequence length of two id sequences:
 *                bit-parallel (64 positions per machine word), and a plain
 *                dynamic-programming version kept as its reference
 *   statistics   per-instance sufficient statistics (LCS length and the two
 *                lengths; clipped n-gram overlap and the two n-gram counts),
 *                small structs a caller can store per line and resample
 *   scores       rouge_score's rougeL / rougeN / rougeLsum Score
 *                (precision, recall, fmeasure) and myMetrics' rouge-l
 *                (LCS F with beta 1.2) and f1 (unigram F1), each computed
 *                from the statistics with the same floating-point operations
 *                as the Python code, so results agree to the last bit
 *   scorer       es_rouge_scorer: text in, Score out, like
 *                rouge_scorer.RougeScorer(types, use_stemmer).score(target,
 *                prediction), over the rouge_score tokenizer (tokenize.h)
 *
 * Argument order: the statistics functions take (hypothesis, reference);
 * the scorer keeps rouge_score's (target, prediction). Functions that can
 * allocate return es_status (ES_ERR_NOMEM); the others never fail. Nothing
 * here keeps global state: distinct objects may be used from distinct
 * threads.
 */
#ifndef ES_ROUGE_H
#define ES_ROUGE_H

#include "es_common.h"

/* ---- longest common subsequence ---------------------------------------- */

/* The LCS length of a[0..na) and b[0..nb) in *out. Bit-parallel (Allison-Dix
 * / Hyyrö): O(ceil(min/64) * max) word operations. Allocates only when both
 * sequences are longer than 64 (ES_ERR_NOMEM then possible). */
es_status es_lcs_length(const int32_t *a, size_t na, const int32_t *b, size_t nb, size_t *out);

/* The same by the textbook dynamic programme, O(na * nb) time and
 * O(min(na, nb)) memory: the reference the fast version is tested against. */
es_status es_lcs_length_dp(const int32_t *a, size_t na, const int32_t *b, size_t nb, size_t *out);

/* rouge_score's lcs_ind(ref, can): the ref indices of the one LCS its
 * _lcs_table + _backtrack_norec read out (ties broken as it breaks them),
 * ascending, into idx (room for min(nr, nc) entries); their number in *nidx.
 * O(nr * nc) memory. */
es_status es_rouge_lcs_indices(const int32_t *ref, size_t nr, const int32_t *can, size_t nc,
                               size_t *idx, size_t *nidx);

/* ---- per-instance statistics ------------------------------------------- */

/* LCS statistics of one (hypothesis, reference) pair: every LCS-based score
 * below is a function of these three numbers. */
typedef struct {
  uint32_t lcs, hyp_len, ref_len;
} es_lcs_stats;

es_status es_lcs_stats_get(const int32_t *hyp, size_t nh, const int32_t *ref, size_t nr,
                           es_lcs_stats *out);

/* Clipped n-gram overlap of one pair: overlap = sum over n-grams g of
 * min(count_hyp(g), count_ref(g)); hyp_count / ref_count = the number of
 * n-grams of each side (len - n + 1, or 0). n >= 1. */
typedef struct {
  uint32_t overlap, hyp_count, ref_count;
} es_ngram_stats;

es_status es_ngram_stats_get(const int32_t *hyp, size_t nh, const int32_t *ref, size_t nr,
                             unsigned n, es_ngram_stats *out);

/* ---- rouge_score --------------------------------------------------------- */

typedef struct {
  double precision, recall, fmeasure;
} es_rouge_score;

/* scoring.fmeasure: 2PR/(P+R), 0 when P+R is 0. */
double es_rouge_fmeasure(double precision, double recall);

/* _score_lcs: P = lcs/hyp_len, R = lcs/ref_len; all 0 when either side has
 * no token. */
es_rouge_score es_rouge_l(es_lcs_stats st);

/* _score_ngrams: P = overlap/max(hyp_count, 1), R = overlap/max(ref_count, 1). */
es_rouge_score es_rouge_n(es_ngram_stats st);

/* _summary_level_lcs (rougeLsum): ref and hyp are lists of sentences
 * (token-id sequences); union LCS of each reference sentence against all
 * hypothesis sentences, hits counted without reusing a token, as
 * ROUGE-1.5.5 does. All 0 when either list has no sentence or no token. */
es_status es_rouge_lsum(const es_seq *ref, size_t nref, const es_seq *hyp, size_t nhyp,
                        es_rouge_score *out);

/* _union_lcs(ref, cans): the reference tokens at the union of the LCS index
 * sets of ref against each candidate, in ref order, appended to out. */
es_status es_rouge_union_lcs(const int32_t *ref, size_t nr, const es_seq *cans, size_t ncans,
                             es_seq *out);

/* score_multi's choice: the index of the first score with the largest
 * fmeasure (numpy.argmax); 0 when n is 0. */
size_t es_rouge_best(const es_rouge_score *scores, size_t n);

/* ---- ESConv myMetrics ------------------------------------------------------ */

#define ES_ESCONV_ROUGE_BETA 1.2

/* calc_rouge_l for one hypothesis and its references (one es_lcs_stats per
 * reference): P = max over references of lcs/hyp_len, R = max of
 * lcs/ref_len (taken separately), score = (1+b^2)PR / (R + b^2 P) with
 * b = 1.2, or 0 when P or R is 0. In [0, 1] (myMetrics prints x100). */
double es_esconv_rouge_l(const es_lcs_stats *per_ref, size_t nrefs);

/* calc_unigram_f1: max over references of 2PR/(P+R) from the clipped
 * unigram overlap (es_ngram_stats with n = 1). In [0, 1]. */
double es_esconv_f1(const es_ngram_stats *per_ref, size_t nrefs);

/* ---- text scorer (rouge_scorer.RougeScorer) ------------------------------ */

typedef enum {
  ES_ROUGE_N,    /* "rouge1" .. "rouge9": n-gram overlap */
  ES_ROUGE_L,    /* "rougeL": LCS over the whole text */
  ES_ROUGE_LSUM, /* "rougeLsum": summary-level LCS over "\n"-separated sentences */
} es_rouge_kind;

typedef struct {
  es_rouge_kind kind;
  unsigned n; /* ES_ROUGE_N only */
} es_rouge_type;

/* Parses a rouge_score type name; ES_ERR_ARG for the names rouge_score
 * rejects ("rouge0", "rouge10", "rougen", ...). */
es_status es_rouge_type_parse(const char *name, es_rouge_type *out);

typedef struct es_rouge_scorer es_rouge_scorer;

/* A scorer with rouge_score's DefaultTokenizer(use_stemmer); it interns
 * tokens into its own vocabulary, which grows with every new word (one
 * scorer per corpus or per thread, not per process). Free with
 * es_rouge_scorer_free. */
es_status es_rouge_scorer_new(int use_stemmer, es_rouge_scorer **out);
void es_rouge_scorer_free(es_rouge_scorer *s);

/* RougeScorer.score(target, prediction)[type] on UTF-8 text (ES_ERR_UTF8
 * when invalid). For rougeLsum, sentences are the non-empty "\n"-separated
 * parts (split_summaries=False). */
es_status es_rouge_scorer_score(es_rouge_scorer *s, es_rouge_type type, const char *target,
                                size_t tlen, const char *prediction, size_t plen,
                                es_rouge_score *out);

/* RougeScorer.score_multi: the score of the target with the largest
 * fmeasure (the first of equals). ES_ERR_ARG when ntargets is 0. */
es_status es_rouge_scorer_score_multi(es_rouge_scorer *s, es_rouge_type type,
                                      const char *const *targets, const size_t *tlens,
                                      size_t ntargets, const char *prediction, size_t plen,
                                      es_rouge_score *out);

#endif
