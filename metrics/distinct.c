/*
 * distinct.c: Distinct-n counters with dense n-gram ids (see distinct.h).
 *
 * Per n: an open-addressing table maps an n-gram to a dense id. The key of
 * an n-gram is one 64-bit integer: the dense id of its (n-1)-gram prefix and
 * its last token id (for n = 1, the token id), so every order compares one
 * integer stored in the slot itself, whatever n is. `seq` holds the dense
 * ids of all lines' n-grams back to back and `off[line]` where each line
 * starts. An
 * n-gram's "esconv" flag says whether it occurred anywhere but as the last
 * n-gram of its line, which is what the ESConv variant counts as unique.
 */
#include "distinct.h"

#include <stdlib.h>
#include <string.h>

#define EMPTY UINT32_MAX

typedef struct {
  uint64_t key; /* (prefix id << 32) | last token id */
  uint32_t id;  /* dense id, EMPTY for a free slot */
} slot;

typedef struct {
  unsigned char *esconv; /* per dense id: seen outside a line's last place */
  size_t ntypes, types_cap;
  slot *slots;
  size_t nslots;   /* power of two, load <= 1/2 */
  uint32_t *seq;   /* dense ids of every line's n-grams */
  size_t seq_len, seq_cap;
  size_t *off; /* off[i]: start of line i in seq; off[lines] = seq_len */
  uint64_t unique_esconv, total_esconv;
} order;

struct es_distinct {
  unsigned max_n;
  size_t lines, off_cap;
  order ord[ES_DISTINCT_MAX_N];
};

static size_t hash_key(uint64_t key) {
  uint64_t h = key * 0x9e3779b97f4a7c15ull;
  return (size_t)(h ^ (h >> 29));
}

es_status es_distinct_new(unsigned max_n, es_distinct **out) {
  *out = NULL;
  if (max_n < 1 || max_n > ES_DISTINCT_MAX_N) return ES_ERR_ARG;
  es_distinct *d = calloc(1, sizeof *d);
  if (!d) return ES_ERR_NOMEM;
  d->max_n = max_n;
  d->off_cap = 256;
  for (unsigned k = 0; k < max_n; k++) {
    order *o = &d->ord[k];
    o->nslots = 1024;
    o->slots = malloc(o->nslots * sizeof *o->slots);
    o->off = malloc(d->off_cap * sizeof *o->off);
    if (!o->slots || !o->off) {
      es_distinct_free(d);
      return ES_ERR_NOMEM;
    }
    for (size_t i = 0; i < o->nslots; i++) o->slots[i].id = EMPTY;
    o->off[0] = 0;
  }
  *out = d;
  return ES_OK;
}

void es_distinct_free(es_distinct *d) {
  if (!d) return;
  for (unsigned k = 0; k < ES_DISTINCT_MAX_N; k++) {
    order *o = &d->ord[k];
    free(o->esconv);
    free(o->slots);
    free(o->seq);
    free(o->off);
  }
  free(d);
}

/* Makes room for `more` new types and `grams` more sequence entries in o,
 * before anything is changed, so that an add either completes or leaves the
 * counter as it was. */
static es_status reserve(order *o, size_t more, size_t grams) {
  if (o->ntypes + more > o->types_cap) {
    size_t cap = o->types_cap ? o->types_cap : 256;
    while (cap < o->ntypes + more) cap *= 2;
    unsigned char *e = realloc(o->esconv, cap);
    if (!e) return ES_ERR_NOMEM;
    o->esconv = e;
    o->types_cap = cap;
  }
  if (2 * (o->ntypes + more) > o->nslots) {
    size_t ns = o->nslots;
    while (2 * (o->ntypes + more) > ns) ns *= 2;
    slot *slots = malloc(ns * sizeof *slots);
    if (!slots) return ES_ERR_NOMEM;
    for (size_t i = 0; i < ns; i++) slots[i].id = EMPTY;
    for (size_t k = 0; k < o->nslots; k++) {
      if (o->slots[k].id == EMPTY) continue;
      size_t i = hash_key(o->slots[k].key) & (ns - 1);
      while (slots[i].id != EMPTY) i = (i + 1) & (ns - 1);
      slots[i] = o->slots[k];
    }
    free(o->slots);
    o->slots = slots;
    o->nslots = ns;
  }
  if (o->seq_len + grams > o->seq_cap) {
    size_t cap = o->seq_cap ? o->seq_cap : 1024;
    while (cap < o->seq_len + grams) cap *= 2;
    uint32_t *s = realloc(o->seq, cap * sizeof *s);
    if (!s) return ES_ERR_NOMEM;
    o->seq = s;
    o->seq_cap = cap;
  }
  return ES_OK;
}

/* The dense id of key, a new one on first sight (room is reserved). */
static uint32_t intern(order *o, uint64_t key) {
  size_t mask = o->nslots - 1, i = hash_key(key) & mask;
  for (; o->slots[i].id != EMPTY; i = (i + 1) & mask)
    if (o->slots[i].key == key) return o->slots[i].id;
  uint32_t id = (uint32_t)o->ntypes++;
  o->esconv[id] = 0;
  o->slots[i].key = key;
  o->slots[i].id = id;
  return id;
}

es_status es_distinct_add(es_distinct *d, const int32_t *ids, size_t len) {
  if (d->lines + 2 > d->off_cap) {
    size_t cap = d->off_cap * 2;
    for (unsigned k = 0; k < d->max_n; k++) {
      size_t *off = realloc(d->ord[k].off, cap * sizeof *off);
      if (!off) return ES_ERR_NOMEM; /* the larger arrays so far are harmless */
      d->ord[k].off = off;
    }
    d->off_cap = cap;
  }
  for (unsigned k = 0; k < d->max_n; k++) {
    unsigned n = k + 1;
    size_t grams = len >= n ? len - n + 1 : 0;
    if (grams > UINT32_MAX - d->ord[k].ntypes) return ES_ERR_ARG;
    es_status st = reserve(&d->ord[k], grams, grams);
    if (st != ES_OK) return st;
  }
  for (unsigned k = 0; k < d->max_n; k++) {
    order *o = &d->ord[k];
    unsigned n = k + 1;
    size_t grams = len >= n ? len - n + 1 : 0;
    /* the prefixes: this line's (n-1)-grams, counted just before */
    const uint32_t *prefix = k && grams ? d->ord[k - 1].seq + d->ord[k - 1].off[d->lines] : NULL;
    for (size_t i = 0; i < grams; i++) {
      uint64_t key = (k ? (uint64_t)prefix[i] << 32 : 0) | (uint32_t)ids[i + k];
      uint32_t id = intern(o, key);
      o->seq[o->seq_len++] = id;
      if (i + 1 < grams) { /* myMetrics: range(0, len(sen) - k) */
        o->total_esconv++;
        if (!o->esconv[id]) {
          o->esconv[id] = 1;
          o->unique_esconv++;
        }
      }
    }
    o->off[d->lines + 1] = o->seq_len;
  }
  d->lines++;
  return ES_OK;
}

size_t es_distinct_lines(const es_distinct *d) { return d->lines; }

es_distinct_counts es_distinct_get(const es_distinct *d, unsigned n, es_distinct_variant v) {
  es_distinct_counts c = {0, 0};
  if (n < 1 || n > d->max_n) return c;
  const order *o = &d->ord[n - 1];
  if (v == ES_DISTINCT_ESCONV) {
    c.unique = o->unique_esconv;
    c.total = o->total_esconv;
  } else {
    c.unique = o->ntypes;
    c.total = o->seq_len;
  }
  return c;
}

double es_distinct_ratio(es_distinct_counts c) {
  return c.total ? (double)c.unique / (double)c.total : 0.0;
}

double es_distinct_score(const es_distinct *d, unsigned n, es_distinct_variant v) {
  return es_distinct_ratio(es_distinct_get(d, n, v));
}

size_t es_distinct_types(const es_distinct *d, unsigned n) {
  return n >= 1 && n <= d->max_n ? d->ord[n - 1].ntypes : 0;
}

const uint32_t *es_distinct_line_ngrams(const es_distinct *d, size_t line, unsigned n,
                                        size_t *count) {
  *count = 0;
  if (n < 1 || n > d->max_n || line >= d->lines) return NULL;
  const order *o = &d->ord[n - 1];
  *count = o->off[line + 1] - o->off[line];
  return *count ? o->seq + o->off[line] : NULL;
}

es_distinct_counts es_distinct_recount(const es_distinct *d, unsigned n, es_distinct_variant v,
                                       const size_t *lines, size_t nlines, unsigned char *mark) {
  es_distinct_counts c = {0, 0};
  if (n < 1 || n > d->max_n) return c;
  const order *o = &d->ord[n - 1];
  size_t drop = v == ES_DISTINCT_ESCONV; /* the last n-gram of each line */
  for (int pass = 0; pass < 2; pass++) { /* count, then clear the marks */
    for (size_t i = 0; i < nlines; i++) {
      size_t l = lines[i];
      if (l >= d->lines) continue;
      size_t a = o->off[l], b = o->off[l + 1];
      if (b - a <= drop) continue;
      b -= drop;
      if (pass == 1) {
        for (size_t k = a; k < b; k++) mark[o->seq[k]] = 0;
        continue;
      }
      c.total += b - a;
      for (size_t k = a; k < b; k++)
        if (!mark[o->seq[k]]) {
          mark[o->seq[k]] = 1;
          c.unique++;
        }
    }
  }
  return c;
}

es_distinct_counts es_distinct_recount_gen(const es_distinct *d, unsigned n, es_distinct_variant v,
                                           const size_t *lines, size_t nlines, uint32_t *stamp,
                                           uint32_t gen) {
  es_distinct_counts c = {0, 0};
  if (n < 1 || n > d->max_n) return c;
  const order *o = &d->ord[n - 1];
  size_t drop = v == ES_DISTINCT_ESCONV; /* the last n-gram of each line */
  for (size_t i = 0; i < nlines; i++) {
    size_t l = lines[i];
    if (l >= d->lines) continue;
    size_t a = o->off[l], b = o->off[l + 1];
    if (b - a <= drop) continue;
    b -= drop;
    c.total += b - a;
    for (size_t k = a; k < b; k++)
      if (stamp[o->seq[k]] != gen) {
        stamp[o->seq[k]] = gen;
        c.unique++;
      }
  }
  return c;
}
