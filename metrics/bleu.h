/*
 * bleu.h: BLEU over token-id sequences, exactly as sacrebleu 2.6.0 and
 * nltk 3.8 compute it.
 *
 * Three layers, each usable alone:
 *
 *   1. es_bleu_counter turns one hypothesis and its references into the
 *      segment's sufficient statistics (es_bleu_seg): hypothesis length,
 *      closest reference length, and per n-gram order the clipped matches
 *      and the hypothesis's n-gram count. sacrebleu and nltk are both
 *      functions of these numbers, so a corpus is counted once and scored
 *      many ways, and the statistics module resamples segments without
 *      counting again.
 *   2. es_bleu_sums adds segments up; it also keeps nltk's per-segment
 *      max(1, count) denominators.
 *   3. Scores from sums: es_bleu_sacre_compute (sacrebleu's
 *      BLEU.compute_bleu / _compute_score_from_stats) and
 *      es_bleu_nltk_precisions + es_bleu_nltk_weighted (nltk's
 *      corpus_bleu). Sentence-level scores are the same formulas on the sums
 *      of one segment.
 *
 * Tokenize first (tokenize.h: ES_TOK_13A for sacrebleu's default, ES_TOK_NLTK
 * | ES_TOK_LOWER for the ESConv profile) into one es_vocab per corpus, so
 * that equal tokens have equal ids.
 *
 * Shared definitions (same in sacrebleu and nltk):
 *   closest reference length: the reference length with the smallest
 *     |ref_len - hyp_len|, ties to the shorter reference;
 *   match[n]: sum over distinct hypothesis (n+1)-grams g of
 *     min(count_hyp(g), max over references of count_ref(g));
 *   total[n]: the hypothesis's (n+1)-gram count, max(0, hyp_len - n).
 *
 * sacrebleu drops references that are the empty string before tokenizing
 * (a segment needs at least one left); callers reproduce that by not
 * passing them. Nothing here allocates except the counter; nothing prints.
 */
#ifndef ES_BLEU_H
#define ES_BLEU_H

#include <stddef.h>
#include <stdint.h>

#include "es_common.h"

/* Highest n-gram order supported (nltk's tests go to 9). */
#define ES_BLEU_MAX_ORDER 9

/* ---- segment statistics ------------------------------------------------ */

/* One segment's sufficient statistics. Entries at and beyond `order` are 0. */
typedef struct {
  int32_t order;                    /* orders counted, 1..ES_BLEU_MAX_ORDER */
  int32_t hyp_len;                  /* hypothesis tokens */
  int32_t ref_len;                  /* closest reference length */
  int32_t match[ES_BLEU_MAX_ORDER]; /* clipped (n+1)-gram matches */
  int32_t total[ES_BLEU_MAX_ORDER]; /* hypothesis (n+1)-grams */
} es_bleu_seg;

/* A reusable n-gram counter (an open-addressing table on packed ids, plus
 * arrays indexed by token id). It allocates only when a segment is longer,
 * or holds a larger token id, than any before; use one per thread. */
typedef struct es_bleu_counter es_bleu_counter;

/* A counter for orders 1..max_order in *out. ES_ERR_ARG when max_order is
 * outside 1..ES_BLEU_MAX_ORDER, ES_ERR_NOMEM. Free with
 * es_bleu_counter_free. */
es_status es_bleu_counter_new(int max_order, es_bleu_counter **out);
/* Frees the counter; accepts NULL. */
void es_bleu_counter_free(es_bleu_counter *c);

/* Fills *out with the statistics of hypothesis hyp against the nrefs
 * references refs[0..nrefs). Token ids are es_vocab ids (>= 0). ES_ERR_ARG
 * when nrefs is 0, an id is negative or a sequence is longer than
 * 2^28 / max_order tokens; ES_ERR_NOMEM. *out is unspecified on error. */
es_status es_bleu_count(es_bleu_counter *c, const es_seq *hyp, const es_seq *refs,
                        size_t nrefs, es_bleu_seg *out);

/* ---- corpus sums ------------------------------------------------------- */

typedef struct {
  int32_t order;   /* lowest order of the added segments (0 when empty) */
  int64_t nseg;    /* segments added */
  int64_t hyp_len; /* sacrebleu sys_len, nltk hyp_lengths */
  int64_t ref_len; /* sum of closest reference lengths */
  int64_t match[ES_BLEU_MAX_ORDER];
  int64_t total[ES_BLEU_MAX_ORDER];
  int64_t nltk_den[ES_BLEU_MAX_ORDER]; /* sum of max(1, total) per segment */
} es_bleu_sums;

/* Empties *s. A zero-initialised es_bleu_sums is empty too. */
void es_bleu_sums_init(es_bleu_sums *s);
/* Adds one segment to *s. */
void es_bleu_sums_add(es_bleu_sums *s, const es_bleu_seg *seg);

/* ---- sacrebleu ------------------------------------------------------------ */

typedef enum {
  ES_BLEU_SMOOTH_EXP,   /* sacrebleu's default: NIST geometric (mteval-v13a) */
  ES_BLEU_SMOOTH_NONE,
  ES_BLEU_SMOOTH_FLOOR, /* zero precisions become value / total (default 0.1) */
  ES_BLEU_SMOOTH_ADD_K, /* orders >= 2 add value to matches and totals (default 1) */
} es_bleu_smooth;

typedef struct {
  es_bleu_smooth smooth;
  double smooth_value; /* floor / add-k value; negative = the method's default */
  int effective_order; /* 1: average over the orders with a non-zero total */
  int max_order;       /* 1..ES_BLEU_MAX_ORDER (sacrebleu's max_ngram_order) */
} es_bleu_sacre_opts;

/* sacrebleu's defaults (exp smoothing, order 4). sentence = 1 gives
 * sacrebleu.sentence_bleu()'s effective_order = True, 0 corpus_bleu()'s
 * False. */
void es_bleu_sacre_defaults(es_bleu_sacre_opts *o, int sentence);

/* A BLEUScore. counts and totals are as sacrebleu reports them: with add-k,
 * orders >= 2 include the added value (so they are doubles). */
typedef struct {
  double score;                         /* 0..100 */
  double precisions[ES_BLEU_MAX_ORDER]; /* 0..100 */
  double counts[ES_BLEU_MAX_ORDER];
  double totals[ES_BLEU_MAX_ORDER];
  double bp;
  int64_t sys_len, ref_len;
  int order; /* entries used in the arrays (= max_order) */
} es_bleu_sacre_result;

/* sacrebleu's BLEU from summed statistics (BLEU.compute_bleu with the same
 * float operations, so the score is bit-identical). Corpus BLEU = the sums
 * of every segment; sentence BLEU = the sums of one segment with
 * effective_order 1; a resample = the sums of its segments. ES_ERR_ARG when
 * max_order is out of range or above s->order (for a non-empty s). */
es_status es_bleu_sacre_compute(const es_bleu_sums *s, const es_bleu_sacre_opts *o,
                                es_bleu_sacre_result *out);

/* Fields of the signature that the options do not hold. */
typedef struct {
  int nrefs;           /* references per segment; -1 when it varies ("var") */
  int lowercase;       /* "case:lc" instead of "case:mixed" */
  const char *tok;     /* tokenizer name as sacrebleu spells it: "13a", "none" */
  const char *version; /* NULL: "esbench-" ESMETRICS_VERSION (see below) */
  int64_t bs, ar, seed; /* bootstrap / AR trials and seed; 0 = not shown */
} es_bleu_sig_info;

/* Writes sacrebleu's BLEU signature, e.g.
 *   nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:esbench-0.1.0
 * (with short != 0 the abbreviated keys: #:1|c:mixed|e:no|tok:13a|s:exp|v:...)
 * to buf like snprintf: returns the length the whole signature needs,
 * writes at most size bytes including the NUL. The fields and their order
 * are sacrebleu's (nrefs, bs, ar, seed, case, eff, tok, smooth, version);
 * floor and add-k show their value as "floor[0.10]". The version field
 * names the implementation that produced the numbers: esbench's by default,
 * never sacrebleu's, although the scores equal sacrebleu 2.6.0's. */
int es_bleu_sacre_signature(const es_bleu_sacre_opts *o, const es_bleu_sig_info *info, int short_form,
                            char *buf, size_t size);

/* ---- nltk ----------------------------------------------------------------- *
 * nltk.translate.bleu_score 3.8:
 * corpus_bleu / sentence_bleu with any weights and SmoothingFunction methods
 * 0-7; auto_reweigh (off by default) is not implemented. nltk's
 * modified_precision divides by max(1, n-gram count) per segment, so a
 * hypothesis shorter than n adds 1 to the order-n denominator: the sums keep
 * those denominators (es_bleu_sums.nltk_den). */

/* nltk.translate.bleu_score.SmoothingFunction().methodK */
typedef enum {
  ES_NLTK_METHOD0, /* no smoothing: a zero precision becomes sys.float_info.min */
  ES_NLTK_METHOD1, /* epsilon / denominator for zero matches */
  ES_NLTK_METHOD2, /* (m + 1) / (d + 1) for orders >= 2 */
  ES_NLTK_METHOD3, /* NIST: the j-th zero order gets 1 / (2^j d) */
  ES_NLTK_METHOD4, /* like 3, scaled by ln(hyp_len) / k */
  ES_NLTK_METHOD5, /* average of orders n-1, n, n+1 (needs `last`, order >= 5) */
  ES_NLTK_METHOD6, /* Gao and He interpolation (needs `last`, order >= 3) */
  ES_NLTK_METHOD7, /* method4 then method5 (needs `last`, order >= 5) */
} es_bleu_nltk_smooth;

typedef struct {
  int order;                  /* orders to compute: nltk's longest weight vector */
  es_bleu_nltk_smooth smooth; /* nltk's smoothing_function=None is METHOD0 */
  double epsilon, alpha, k;   /* SmoothingFunction(): 0.1, 5, 5 */
} es_bleu_nltk_opts;

/* nltk's defaults: the given order and method, epsilon 0.1, alpha 5, k 5. */
void es_bleu_nltk_defaults(es_bleu_nltk_opts *o, int order, es_bleu_nltk_smooth smooth);

/* The smoothed precisions corpus_bleu feeds its weighted sum. */
typedef struct {
  int order;
  int zero;  /* no unigram match: nltk returns 0 whatever the weights */
  double bp; /* brevity penalty of the summed lengths */
  double p[ES_BLEU_MAX_ORDER]; /* smoothed p_n as floats; 0 = left out of the sum */
} es_bleu_nltk_prec;

/* nltk 3.8 corpus_bleu up to the weights: the precisions
 * Fraction(sum match, sum max(1, total)) of each order, smoothed.
 * `last` is the corpus's last segment: nltk passes the last hypothesis and
 * its references to the smoothing function, and methods 5-7 use them
 * (method 5 its 5-gram precision, so last->order >= 5; method 6 its length).
 * It may be NULL for methods 0-4. Fractions stay exact as in Python (as
 * 128-bit integers; should methods 5 and 6 outgrow them on a huge corpus,
 * they continue in doubles). ES_ERR_ARG when o->order is outside
 * 1..s->order, a required `last` is missing or too short, or method 6's
 * assertion (a non-zero third precision) fails. */
es_status es_bleu_nltk_precisions(const es_bleu_sums *s, const es_bleu_seg *last,
                                  const es_bleu_nltk_opts *o, es_bleu_nltk_prec *out);

/* bp * exp(fsum(w_i * log(p_i) for the first min(nw, order) orders with
 * p_i > 0)), or 0 when p->zero: nltk's score for one weight vector. */
double es_bleu_nltk_weighted(const es_bleu_nltk_prec *p, const double *w, int nw);

/* corpus_bleu(list_of_references, hypotheses, weights=w[0..nw),
 * smoothing_function=o->smooth) on summed statistics; o->order 0 means nw.
 * Errors as es_bleu_nltk_precisions. */
es_status es_bleu_nltk_corpus(const es_bleu_sums *s, const es_bleu_seg *last,
                              const es_bleu_nltk_opts *o, const double *w, int nw,
                              double *score);

/* sentence_bleu([refs], hyp, weights=w[0..nw), smoothing_function=...):
 * corpus_bleu on the one segment. */
es_status es_bleu_nltk_sentence(const es_bleu_seg *seg, const es_bleu_nltk_opts *o,
                                const double *w, int nw, double *score);

/* nltk.translate.bleu_score.brevity_penalty(closest_ref_len, hyp_len). */
double es_bleu_nltk_brevity_penalty(int64_t closest_ref_len, int64_t hyp_len);

/* The ESConv profile (codes_zcj/metric/myMetrics.py): out[k-1] = bleu-k =
 * 100 * corpus_bleu(weights=[1/k]*k + [0]*(4-k), method3) for k = 1..4, all
 * four orders counted (s->order >= 4). ES_ERR_ARG otherwise. */
es_status es_bleu_esconv(const es_bleu_sums *s, double out[4]);

#endif
