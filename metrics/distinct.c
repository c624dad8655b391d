/*
 * distinct.c: Distinct-n counters with dense n-gram ids (see distinct.h).
 *
 * Per n: an open-addressing table maps an n-gram (its n ids, stored once per
 * distinct n-gram in `keys`) to a dense id; `seq` holds the dense ids of all
 * lines' n-grams back to back and `off[line]` where each line starts. An
 * n-gram's "esconv" flag says whether it occurred anywhere but as the last
 * n-gram of its line, which is what the ESConv variant counts as unique.
 */
#include "distinct.h"

#include <stdlib.h>
#include <string.h>

#define EMPTY UINT32_MAX

typedef struct {
  int32_t *keys;         /* n ids per dense id */
  uint64_t *hashes;      /* hash per dense id (for growing the table) */
  unsigned char *esconv; /* per dense id: seen outside a line's last place */
  size_t ntypes, types_cap;
  uint32_t *slots; /* dense id, EMPTY */
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

static uint64_t hash_ids(const int32_t *p, unsigned n) {
  uint64_t h = 0x9e3779b97f4a7c15ull;
  for (unsigned i = 0; i < n; i++) {
    h = (h ^ (uint32_t)p[i]) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  return h;
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
    memset(o->slots, 0xff, o->nslots * sizeof *o->slots);
    o->off[0] = 0;
  }
  *out = d;
  return ES_OK;
}

void es_distinct_free(es_distinct *d) {
  if (!d) return;
  for (unsigned k = 0; k < ES_DISTINCT_MAX_N; k++) {
    order *o = &d->ord[k];
    free(o->keys);
    free(o->hashes);
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
static es_status reserve(order *o, unsigned n, size_t more, size_t grams) {
  if (o->ntypes + more > o->types_cap) {
    size_t cap = o->types_cap ? o->types_cap : 256;
    while (cap < o->ntypes + more) cap *= 2;
    int32_t *k = realloc(o->keys, cap * n * sizeof *k);
    if (!k) return ES_ERR_NOMEM;
    o->keys = k;
    uint64_t *h = realloc(o->hashes, cap * sizeof *h);
    if (!h) return ES_ERR_NOMEM;
    o->hashes = h;
    unsigned char *e = realloc(o->esconv, cap);
    if (!e) return ES_ERR_NOMEM;
    o->esconv = e;
    o->types_cap = cap;
  }
  if (2 * (o->ntypes + more) > o->nslots) {
    size_t ns = o->nslots;
    while (2 * (o->ntypes + more) > ns) ns *= 2;
    uint32_t *slots = malloc(ns * sizeof *slots);
    if (!slots) return ES_ERR_NOMEM;
    memset(slots, 0xff, ns * sizeof *slots);
    for (size_t id = 0; id < o->ntypes; id++) {
      size_t i = (size_t)o->hashes[id] & (ns - 1);
      while (slots[i] != EMPTY) i = (i + 1) & (ns - 1);
      slots[i] = (uint32_t)id;
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

/* The dense id of the n-gram at p, a new one if unseen (room reserved). */
static uint32_t intern(order *o, const int32_t *p, unsigned n) {
  uint64_t h = hash_ids(p, n);
  size_t mask = o->nslots - 1, i = (size_t)h & mask;
  for (; o->slots[i] != EMPTY; i = (i + 1) & mask) {
    uint32_t id = o->slots[i];
    if (o->hashes[id] == h && memcmp(o->keys + (size_t)id * n, p, n * sizeof *p) == 0) return id;
  }
  uint32_t id = (uint32_t)o->ntypes++;
  memcpy(o->keys + (size_t)id * n, p, n * sizeof *p);
  o->hashes[id] = h;
  o->esconv[id] = 0;
  o->slots[i] = id;
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
    es_status st = reserve(&d->ord[k], n, grams, grams);
    if (st != ES_OK) return st;
  }
  for (unsigned k = 0; k < d->max_n; k++) {
    order *o = &d->ord[k];
    unsigned n = k + 1;
    size_t grams = len >= n ? len - n + 1 : 0;
    for (size_t i = 0; i < grams; i++) {
      uint32_t id = intern(o, ids + i, n);
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
