/*
 * distinct.h: corpus-level Distinct-n (Li et al. 2016) over token-id
 * sequences, and the variant the ESConv metric code computes.
 *
 *   standard  distinct-n = unique n-grams / all n-grams of the corpus, the
 *             n-grams taken within each line (never across lines); 0 when
 *             there is no n-gram
 *   esconv    myMetrics.calc_distinct_k: `for i in range(0, len(sen)-k)`
 *             skips the last n-gram of every line, so a line of exactly n
 *             tokens contributes nothing
 *
 * Lines are added one at a time (es_distinct_add). Every distinct n-gram
 * gets a dense id (0, 1, 2, ... in order of first sight, per n), and the ids
 * of each line's n-grams are kept, so that resampled corpora (bootstrap,
 * permutation tests) can be recounted without hashing again
 * (es_distinct_recount). The ESConv variant's n-grams of a line are the
 * first max(0, count - 1) of its standard ones.
 *
 * An es_distinct is not synchronised; the const functions may be called from
 * several threads once adding is over.
 */
#ifndef ES_DISTINCT_H
#define ES_DISTINCT_H

#include "es_common.h"

#define ES_DISTINCT_MAX_N 4

typedef enum {
  ES_DISTINCT_STANDARD,
  ES_DISTINCT_ESCONV,
} es_distinct_variant;

typedef struct es_distinct es_distinct;

typedef struct {
  uint64_t unique, total;
} es_distinct_counts;

/* A counter of n-grams for n = 1 .. max_n (1 <= max_n <= ES_DISTINCT_MAX_N,
 * else ES_ERR_ARG); it counts both variants. Free with es_distinct_free. */
es_status es_distinct_new(unsigned max_n, es_distinct **out);
void es_distinct_free(es_distinct *d);

/* Adds one line (ids[0..len); len may be 0: an empty line counts as a line
 * with no n-gram). On ES_ERR_NOMEM the counter is unchanged. */
es_status es_distinct_add(es_distinct *d, const int32_t *ids, size_t len);

/* Number of lines added. */
size_t es_distinct_lines(const es_distinct *d);

/* Unique and total n-grams of the corpus so far; zeros for an n out of
 * 1 .. max_n. */
es_distinct_counts es_distinct_get(const es_distinct *d, unsigned n, es_distinct_variant v);

/* unique / total, 0 when total is 0. */
double es_distinct_ratio(es_distinct_counts c);

/* Distinct-n in [0, 1]: es_distinct_ratio(es_distinct_get(d, n, v)). */
double es_distinct_score(const es_distinct *d, unsigned n, es_distinct_variant v);

/* Number of distinct n-grams seen (the range of the dense ids). */
size_t es_distinct_types(const es_distinct *d, unsigned n);

/* The dense ids of the n-grams of line `line`, in order (standard: all of
 * them), count in *count; NULL with *count 0 for a line without n-grams or
 * an argument out of range. Valid until the next es_distinct_add. */
const uint32_t *es_distinct_line_ngrams(const es_distinct *d, size_t line, unsigned n,
                                        size_t *count);

/* Counts of the corpus made of lines[0..nlines) (indices, repeats allowed,
 * as in a bootstrap resample). mark is the caller's scratch of
 * es_distinct_types(d, n) bytes, all zero on entry and left all zero on
 * return, so one buffer per thread serves every call. */
es_distinct_counts es_distinct_recount(const es_distinct *d, unsigned n, es_distinct_variant v,
                                       const size_t *lines, size_t nlines, unsigned char *mark);

/* es_distinct_recount in one pass: stamp is the caller's scratch of
 * es_distinct_types(d, n) entries, and gen a value no entry holds (zero
 * the stamps once, then pass 1, 2, 3, ... on successive calls; clear them
 * again before gen wraps around to 0). Entries seen get gen. */
es_distinct_counts es_distinct_recount_gen(const es_distinct *d, unsigned n, es_distinct_variant v,
                                           const size_t *lines, size_t nlines, uint32_t *stamp,
                                           uint32_t gen);

#endif
