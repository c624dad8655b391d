/*
 * retrieval.c: BM25 over an inverted index of token ids.
 *
 * Postings are stored in one flat array grouped by term (CSR layout), each
 * entry a (document, term frequency) pair. A query accumulates scores into
 * a dense per-document array and remembers which documents it touched, so
 * resetting costs only what the query used.
 */
#include "retrieval.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esmetrics.h"

#define BM25_K1 1.2
#define BM25_B 0.75
#define STOP_FRACTION 0.10

typedef struct {
  uint32_t doc, tf;
} posting;

struct es_bm25 {
  es_vocab *vocab;
  es_tokenizer *tok;
  size_t ndocs;
  size_t nterms;
  size_t *start;      /* postings of term t: post[start[t] .. start[t+1]) */
  posting *post;
  double *doclen_norm; /* k1 * (1 - b + b * len / avglen) per document */
  double *idf;         /* per term */
  unsigned char *stop; /* per term: in more than STOP_FRACTION of the documents */
  double *score;       /* scratch: per document */
  uint32_t *touched;   /* scratch: documents with a score */
  es_seq q;            /* scratch: query ids */
};

void es_bm25_free(es_bm25 *ix) {
  if (!ix) return;
  es_vocab_free(ix->vocab);
  es_tokenizer_free(ix->tok);
  free(ix->start);
  free(ix->post);
  free(ix->doclen_norm);
  free(ix->idf);
  free(ix->stop);
  free(ix->score);
  free(ix->touched);
  es_seq_release(&ix->q);
  free(ix);
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

es_bm25 *es_bm25_new(const char *const *docs, size_t n) {
  es_bm25 *ix = calloc(1, sizeof *ix);
  es_seq *toks = calloc(n ? n : 1, sizeof *toks);
  size_t *df = NULL, *fill = NULL;
  if (!ix || !toks) goto fail;
  ix->ndocs = n;
  ix->vocab = es_vocab_new();
  if (!ix->vocab || es_tokenizer_new(ES_TOK_ROUGE, 0, &ix->tok) != ES_OK) goto fail;
  double total_len = 0;
  for (size_t d = 0; d < n; d++) {
    if (es_tokenize_ids(ix->tok, docs[d], strlen(docs[d]), ix->vocab, &toks[d]) != ES_OK)
      goto fail;
    total_len += (double)toks[d].len;
    /* sort the ids so equal terms are adjacent: one posting per (term, doc) */
    if (toks[d].len > 1) qsort(toks[d].ids, toks[d].len, sizeof *toks[d].ids, cmp_u32);
  }
  ix->nterms = es_vocab_size(ix->vocab);
  df = calloc(ix->nterms + 1, sizeof *df);
  ix->start = calloc(ix->nterms + 1, sizeof *ix->start);
  ix->idf = calloc(ix->nterms ? ix->nterms : 1, sizeof *ix->idf);
  ix->stop = calloc(ix->nterms ? ix->nterms : 1, sizeof *ix->stop);
  ix->doclen_norm = malloc((n ? n : 1) * sizeof *ix->doclen_norm);
  ix->score = calloc(n ? n : 1, sizeof *ix->score);
  ix->touched = malloc((n ? n : 1) * sizeof *ix->touched);
  if (!df || !ix->start || !ix->idf || !ix->stop || !ix->doclen_norm || !ix->score || !ix->touched) goto fail;
  size_t npost = 0;
  for (size_t d = 0; d < n; d++)
    for (size_t i = 0; i < toks[d].len; i++)
      if (i == 0 || toks[d].ids[i] != toks[d].ids[i - 1]) {
        df[toks[d].ids[i]]++;
        npost++;
      }
  for (size_t t = 0; t < ix->nterms; t++) ix->start[t + 1] = ix->start[t] + df[t];
  ix->post = malloc((npost ? npost : 1) * sizeof *ix->post);
  fill = malloc((ix->nterms ? ix->nterms : 1) * sizeof *fill);
  if (!ix->post || !fill) goto fail;
  memcpy(fill, ix->start, ix->nterms * sizeof *fill);
  double avglen = n && total_len > 0 ? total_len / (double)n : 1.0;
  for (size_t d = 0; d < n; d++) {
    ix->doclen_norm[d] = BM25_K1 * (1.0 - BM25_B + BM25_B * (double)toks[d].len / avglen);
    for (size_t i = 0; i < toks[d].len;) {
      size_t j = i;
      while (j < toks[d].len && toks[d].ids[j] == toks[d].ids[i]) j++;
      ix->post[fill[toks[d].ids[i]]++] = (posting){(uint32_t)d, (uint32_t)(j - i)};
      i = j;
    }
  }
  for (size_t t = 0; t < ix->nterms; t++) {
    double f = (double)df[t];
    ix->idf[t] = log(1.0 + ((double)n - f + 0.5) / (f + 0.5));
    ix->stop[t] = f > STOP_FRACTION * (double)n;
  }
  for (size_t d = 0; d < n; d++) es_seq_release(&toks[d]);
  free(toks);
  free(df);
  free(fill);
  return ix;
fail:
  if (toks)
    for (size_t d = 0; d < n; d++) es_seq_release(&toks[d]);
  free(toks);
  free(df);
  free(fill);
  es_bm25_free(ix);
  return NULL;
}

/* Token callback for queries: keeps the ids of indexed terms only, so the
 * vocabulary does not grow with every query. */
static int query_term(void *ctx, const char *tok, size_t len) {
  es_bm25 *ix = ctx;
  int32_t id = es_vocab_find(ix->vocab, tok, len);
  return id >= 0 && es_seq_push(&ix->q, id) != ES_OK;
}

/* Scores the documents that share a term with the query (ix->q, sorted)
 * and returns the best, or -1 when none does. */
static long best_match(es_bm25 *ix, int with_stop_words) {
  size_t ntouched = 0;
  for (size_t i = 0; i < ix->q.len; i++) {
    int32_t t = ix->q.ids[i];
    if (i > 0 && t == ix->q.ids[i - 1]) continue; /* a repeated query term counts once */
    if (ix->stop[t] && !with_stop_words) continue;
    double idf = ix->idf[t];
    for (size_t p = ix->start[t]; p < ix->start[t + 1]; p++) {
      uint32_t d = ix->post[p].doc;
      double tf = ix->post[p].tf;
      if (ix->score[d] == 0.0) ix->touched[ntouched++] = d;
      ix->score[d] += idf * tf * (BM25_K1 + 1.0) / (tf + ix->doclen_norm[d]);
    }
  }
  long best = -1;
  double best_score = 0.0;
  for (size_t i = 0; i < ntouched; i++) {
    uint32_t d = ix->touched[i];
    if (ix->score[d] > best_score || (ix->score[d] == best_score && (long)d < best)) {
      best_score = ix->score[d];
      best = d;
    }
    ix->score[d] = 0.0;
  }
  return best;
}

long es_bm25_best(es_bm25 *ix, const char *query) {
  es_seq_clear(&ix->q);
  if (es_tokenize_cb(ix->tok, query, strlen(query), query_term, ix) != ES_OK) return -1;
  if (ix->q.len > 1) qsort(ix->q.ids, ix->q.len, sizeof *ix->q.ids, cmp_u32);
  long best = best_match(ix, 0);
  return best >= 0 ? best : best_match(ix, 1);
}
