/*
 * retrieval.h: a BM25 index over short texts (the retrieval baseline).
 *
 * Documents and queries are tokenized with rouge_score's tokenizer
 * (lower-cased ASCII letters and digits). Scoring is Okapi BM25 with
 * k1 = 1.2, b = 0.75 and the non-negative idf log(1 + (N - df + 0.5) /
 * (df + 0.5)). Terms that occur in more than a tenth of the documents are
 * stop words and do not score (this bounds the work per query) unless the
 * query has no other term in common with any document. Ties go to the
 * lower document index; a query with no term in any document returns -1.
 */
#ifndef ES_RETRIEVAL_H
#define ES_RETRIEVAL_H

#include <stddef.h>

typedef struct es_bm25 es_bm25;

/* Indexes docs[0..n). Returns NULL when out of memory or a document is not
 * valid UTF-8. */
es_bm25 *es_bm25_new(const char *const *docs, size_t n);
void es_bm25_free(es_bm25 *ix);
/* The best document for query, or -1 when no term of the query scores.
 * Not thread-safe (uses scratch space in the index). */
long es_bm25_best(es_bm25 *ix, const char *query);

#endif
