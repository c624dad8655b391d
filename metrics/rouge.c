/*
 * rouge.c: LCS, n-gram overlap and the ROUGE scores of rouge_score 0.1.2
 * and of the ESConv metric code (see rouge.h for the contract).
 *
 * The Python expressions each score reproduces are quoted next to it; the C
 * evaluates the same operations in the same order (C11 evaluates a * b * c
 * as (a * b) * c, like Python, and ISO C mode does not contract to FMA), so
 * the doubles are identical, not merely close.
 */
#include "rouge.h"
#include "tokenize.h"

#include <stdlib.h>
#include <string.h>

/* ==== hashing of ids and n-grams ========================================= */

static uint32_t hash_id(int32_t id) { return (uint32_t)id * 0x9e3779b1u; }

/* A slot in a table of mask + 1 (a power of two, at most 2^32) slots. */
static size_t slot_of(int32_t id, size_t mask) {
  return (size_t)(((uint64_t)(uint32_t)id * 0x9e3779b97f4a7c15ull) >> 32) & mask;
}

static uint64_t hash_ids(const int32_t *p, unsigned n) {
  uint64_t h = 0x9e3779b97f4a7c15ull;
  for (unsigned i = 0; i < n; i++) {
    h = (h ^ (uint32_t)p[i]) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  return h;
}

/* Smallest power of two >= 2 * n, at least 16: load factor at most 1/2. */
static size_t table_size(size_t n) {
  size_t s = 16;
  while (s < 2 * n) s *= 2;
  return s;
}

/* A multiset of n-grams: each slot points at the first occurrence of its
 * n-gram in the caller's arrays and keeps two counts (one per side). */
typedef struct {
  const int32_t *key; /* NULL: empty slot */
  uint32_t count[2];
} gram;

#define GRAM_SMALL 128

typedef struct {
  gram *slots;
  size_t mask;
  unsigned n;
  gram small[GRAM_SMALL]; /* the table of small inputs: no allocation */
} gram_table;

static es_status gram_init(gram_table *t, unsigned n, size_t expected) {
  size_t size = table_size(expected);
  t->n = n;
  t->mask = size - 1;
  if (size <= GRAM_SMALL) {
    t->slots = t->small;
    memset(t->small, 0, size * sizeof *t->small);
  } else {
    t->slots = calloc(size, sizeof *t->slots);
    if (!t->slots) return ES_ERR_NOMEM;
  }
  return ES_OK;
}

static void gram_release(gram_table *t) {
  if (t->slots != t->small) free(t->slots);
}

/* Whether the n ids at a and b are equal (n is small: a loop beats memcmp). */
static inline int ids_equal(const int32_t *a, const int32_t *b, unsigned n) {
  for (unsigned i = 0; i < n; i++)
    if (a[i] != b[i]) return 0;
  return 1;
}

/* The slot of the n-gram at key: found, or (insert) a new zero-count slot
 * claimed for it, or NULL when absent and not inserting. The table must not
 * fill up: the caller sized it for every key it inserts. */
static gram *gram_find(gram_table *t, const int32_t *key, int insert) {
  size_t i = (size_t)hash_ids(key, t->n) & t->mask;
  for (;; i = (i + 1) & t->mask) {
    gram *g = &t->slots[i];
    if (!g->key) {
      if (!insert) return NULL;
      g->key = key;
      return g;
    }
    if (g->key[0] == key[0] && ids_equal(g->key + 1, key + 1, t->n - 1)) return g;
  }
}

/* Unigram tables up to this many slots live on the stack. */
#define UNIGRAM_SLOTS 256

/* The clipped unigram overlap of hyp and ref (nr <= UNIGRAM_SLOTS / 2):
 * the reference's ids in a small table whose values are the occurrences
 * still unmatched plus one (0 marks an empty slot), then one probe per
 * hypothesis id. */
static uint32_t unigram_overlap(const int32_t *hyp, size_t nh, const int32_t *ref, size_t nr) {
  int32_t key[UNIGRAM_SLOTS];
  uint32_t left[UNIGRAM_SLOTS];
  size_t mask = table_size(nr) - 1;
  memset(left, 0, (mask + 1) * sizeof *left);
  for (size_t i = 0; i < nr; i++) {
    size_t s = slot_of(ref[i], mask);
    while (left[s] && key[s] != ref[i]) s = (s + 1) & mask;
    key[s] = ref[i];
    left[s] += left[s] ? 1 : 2;
  }
  uint32_t overlap = 0;
  for (size_t i = 0; i < nh; i++) {
    size_t s = slot_of(hyp[i], mask);
    while (left[s] && key[s] != hyp[i]) s = (s + 1) & mask;
    uint32_t hit = left[s] > 1;
    left[s] -= hit;
    overlap += hit;
  }
  return overlap;
}

/* ==== longest common subsequence ========================================= */

/*
 * Bit-parallel LCS (Allison & Dix 1986; Hyyrö 2004). Bit i of V stands for
 * position i of the shorter sequence a; a zero bit marks a position where the
 * LCS row value steps up. For each symbol c of b, with M the positions of c
 * in a:
 *     U = V & M;  V = (V + U) | (V - U)
 * and at the end the LCS length is the number of zero bits among the first
 * na. A symbol absent from a leaves V unchanged and is skipped. The addition
 * carries across words; V - U never borrows (U is a subset of V).
 */

/* na <= 64: one machine word, a stack table of the symbols of a. */
static size_t lcs_one_word(const int32_t *a, size_t na, const int32_t *b, size_t nb) {
  int32_t keys[128];
  uint64_t masks[128];
  unsigned char used[128];
  unsigned bits = na <= 4 ? 3 : na <= 8 ? 4 : na <= 16 ? 5 : na <= 32 ? 6 : 7;
  size_t mask = ((size_t)1 << bits) - 1;
  memset(used, 0, mask + 1);
  for (size_t i = 0; i < na; i++) {
    size_t s = hash_id(a[i]) >> (32 - bits);
    while (used[s] && keys[s] != a[i]) s = (s + 1) & mask;
    if (!used[s]) {
      used[s] = 1;
      keys[s] = a[i];
      masks[s] = 0;
    }
    masks[s] |= (uint64_t)1 << i;
  }
  uint64_t v = ~(uint64_t)0;
  for (size_t j = 0; j < nb; j++) {
    size_t s = hash_id(b[j]) >> (32 - bits);
    while (used[s]) {
      if (keys[s] == b[j]) {
        uint64_t u = v & masks[s];
        v = (v + u) | (v - u);
        break;
      }
      s = (s + 1) & mask;
    }
  }
  uint64_t low = na == 64 ? ~(uint64_t)0 : ((uint64_t)1 << na) - 1;
  return na - (size_t)__builtin_popcountll(v & low);
}

/* Beyond this many 64-bit words of dense match rows, lcs_words keeps the
 * positions of each symbol instead and builds its row when the symbol comes. */
#define LCS_DENSE_WORDS ((size_t)1 << 20)

/* na > 64: ceil(na/64) words per row, one row per distinct symbol of a;
 * the rows are dense, or (long, varied inputs) built on the fly from the
 * symbol's positions so memory stays O(na). */
static es_status lcs_words(const int32_t *a, size_t na, const int32_t *b, size_t nb, size_t *out) {
  size_t nw = (na + 63) / 64, size = table_size(na), mask = size - 1;
  es_status st = ES_ERR_NOMEM;
  uint32_t *slot = calloc(size, sizeof *slot);    /* row + 1, 0 empty */
  int32_t *key = malloc(na * sizeof *key);        /* symbol of each row */
  uint32_t *row_of = malloc(na * sizeof *row_of); /* row of each position of a */
  size_t *start = calloc(na + 2, sizeof *start);  /* sparse: positions of row r */
  uint32_t *pos = NULL;
  uint64_t *rows = NULL, *v = calloc(2 * nw, sizeof *v), *m1 = v + nw;
  if (!slot || !key || !row_of || !start || !v) goto out;
  size_t nrows = 0;
  for (size_t i = 0; i < na; i++) {
    size_t s = slot_of(a[i], mask);
    while (slot[s] && key[slot[s] - 1] != a[i]) s = (s + 1) & mask;
    if (!slot[s]) {
      key[nrows] = a[i];
      slot[s] = (uint32_t)++nrows;
    }
    row_of[i] = slot[s] - 1;
  }
  int dense = nrows <= LCS_DENSE_WORDS / nw;
  if (dense) {
    if (!(rows = calloc(nrows * nw, sizeof *rows))) goto out;
    for (size_t i = 0; i < na; i++) rows[row_of[i] * nw + i / 64] |= (uint64_t)1 << (i % 64);
  } else { /* counting sort of the positions by row */
    if (!(pos = malloc(na * sizeof *pos))) goto out;
    for (size_t i = 0; i < na; i++) start[row_of[i] + 2]++;
    for (size_t r = 2; r <= nrows + 1; r++) start[r] += start[r - 1];
    for (size_t i = 0; i < na; i++) pos[start[row_of[i] + 1]++] = (uint32_t)i;
  }
  memset(v, 0xff, nw * sizeof *v);
  for (size_t j = 0; j < nb; j++) {
    size_t s = slot_of(b[j], mask);
    while (slot[s] && key[slot[s] - 1] != b[j]) s = (s + 1) & mask;
    if (!slot[s]) continue;
    size_t r = slot[s] - 1;
    const uint64_t *m = rows ? rows + r * nw : m1;
    if (!dense)
      for (size_t k = start[r]; k < start[r + 1]; k++)
        m1[pos[k] / 64] |= (uint64_t)1 << (pos[k] % 64);
    uint64_t carry = 0;
    for (size_t w = 0; w < nw; w++) {
      uint64_t u = v[w] & m[w];
      uint64_t sum = v[w] + u;
      uint64_t c = sum < u;
      sum += carry;
      c |= sum < carry;
      v[w] = sum | (v[w] - u);
      carry = c;
    }
    if (!dense)
      for (size_t k = start[r]; k < start[r + 1]; k++) m1[pos[k] / 64] = 0;
  }
  size_t zeros = 0;
  for (size_t w = 0; w < nw; w++) {
    uint64_t x = v[w];
    if (w == nw - 1 && na % 64) x |= ~(uint64_t)0 << (na % 64); /* bits past na */
    zeros += 64 - (size_t)__builtin_popcountll(x);
  }
  *out = zeros;
  st = ES_OK;
out:
  free(slot);
  free(key);
  free(row_of);
  free(start);
  free(pos);
  free(rows);
  free(v);
  return st;
}

/* Swaps the sequences so that a is the shorter (LCS is symmetric). */
static void shorter_first(const int32_t **a, size_t *na, const int32_t **b, size_t *nb) {
  if (*na <= *nb) return;
  const int32_t *t = *a;
  *a = *b;
  *b = t;
  size_t tn = *na;
  *na = *nb;
  *nb = tn;
}

es_status es_lcs_length(const int32_t *a, size_t na, const int32_t *b, size_t nb, size_t *out) {
  shorter_first(&a, &na, &b, &nb); /* bits for the shorter sequence */
  if (na == 0) {
    *out = 0;
    return ES_OK;
  }
  if (na <= 64) {
    *out = lcs_one_word(a, na, b, nb);
    return ES_OK;
  }
  return lcs_words(a, na, b, nb, out);
}

es_status es_lcs_length_dp(const int32_t *a, size_t na, const int32_t *b, size_t nb, size_t *out) {
  shorter_first(&a, &na, &b, &nb);
  size_t *row = calloc(na + 1, sizeof *row); /* row[i]: LCS of a[0..i) and b[0..j) */
  if (!row) return ES_ERR_NOMEM;
  for (size_t j = 0; j < nb; j++) {
    size_t diag = 0; /* the previous row's value at i - 1 */
    for (size_t i = 1; i <= na; i++) {
      size_t up = row[i];
      if (a[i - 1] == b[j])
        row[i] = diag + 1;
      else if (row[i - 1] > row[i])
        row[i] = row[i - 1];
      diag = up;
    }
  }
  *out = row[na];
  free(row);
  return ES_OK;
}

es_status es_rouge_lcs_indices(const int32_t *ref, size_t nr, const int32_t *can, size_t nc,
                               size_t *idx, size_t *nidx) {
  *nidx = 0;
  if (nr == 0 || nc == 0) return ES_OK;
  size_t cols = nc + 1;
  uint32_t *t = calloc((nr + 1) * cols, sizeof *t); /* _lcs_table */
  if (!t) return ES_ERR_NOMEM;
  for (size_t i = 1; i <= nr; i++)
    for (size_t j = 1; j <= nc; j++) {
      uint32_t up = t[(i - 1) * cols + j], left = t[i * cols + j - 1];
      t[i * cols + j] =
          ref[i - 1] == can[j - 1] ? t[(i - 1) * cols + j - 1] + 1 : (up > left ? up : left);
    }
  /* _backtrack_norec: from the end, prefer moving up unless left is larger */
  size_t i = nr, j = nc, k = t[nr * cols + nc];
  *nidx = k;
  while (i > 0 && j > 0) {
    if (ref[i - 1] == can[j - 1]) {
      idx[--k] = i - 1;
      i--;
      j--;
    } else if (t[i * cols + j - 1] > t[(i - 1) * cols + j]) {
      j--;
    } else {
      i--;
    }
  }
  free(t);
  return ES_OK;
}

/* ==== statistics ========================================================= */

es_status es_lcs_stats_get(const int32_t *hyp, size_t nh, const int32_t *ref, size_t nr,
                           es_lcs_stats *out) {
  size_t lcs;
  if (nh > UINT32_MAX || nr > UINT32_MAX) return ES_ERR_ARG;
  es_status st = es_lcs_length(hyp, nh, ref, nr, &lcs);
  if (st != ES_OK) return st;
  out->lcs = (uint32_t)lcs;
  out->hyp_len = (uint32_t)nh;
  out->ref_len = (uint32_t)nr;
  return ES_OK;
}

es_status es_ngram_stats_get(const int32_t *hyp, size_t nh, const int32_t *ref, size_t nr,
                             unsigned n, es_ngram_stats *out) {
  if (n == 0 || nh > UINT32_MAX || nr > UINT32_MAX) return ES_ERR_ARG;
  size_t ch = nh >= n ? nh - n + 1 : 0, cr = nr >= n ? nr - n + 1 : 0;
  out->hyp_count = (uint32_t)ch;
  out->ref_count = (uint32_t)cr;
  out->overlap = 0;
  if (ch == 0 || cr == 0) return ES_OK;
  if (n == 1 && table_size(cr) <= UNIGRAM_SLOTS) {
    out->overlap = unigram_overlap(hyp, nh, ref, nr);
    return ES_OK;
  }
  gram_table t;
  es_status st = gram_init(&t, n, cr);
  if (st != ES_OK) return st;
  for (size_t i = 0; i < cr; i++) gram_find(&t, ref + i, 1)->count[0]++;
  uint32_t overlap = 0;
  for (size_t i = 0; i < ch; i++) {
    gram *g = gram_find(&t, hyp + i, 0);
    if (g && g->count[1] < g->count[0]) { /* clipped at the reference count */
      g->count[1]++;
      overlap++;
    }
  }
  out->overlap = overlap;
  gram_release(&t);
  return ES_OK;
}

/* ==== rouge_score ========================================================= */

double es_rouge_fmeasure(double precision, double recall) {
  /* if precision + recall > 0: return 2 * precision * recall / (precision + recall) */
  if (precision + recall > 0) return 2 * precision * recall / (precision + recall);
  return 0.0;
}

es_rouge_score es_rouge_l(es_lcs_stats st) {
  es_rouge_score s = {0, 0, 0};
  if (st.hyp_len == 0 || st.ref_len == 0) return s;
  s.precision = (double)st.lcs / st.hyp_len;
  s.recall = (double)st.lcs / st.ref_len;
  s.fmeasure = es_rouge_fmeasure(s.precision, s.recall);
  return s;
}

es_rouge_score es_rouge_n(es_ngram_stats st) {
  es_rouge_score s;
  s.precision = (double)st.overlap / (st.hyp_count > 1 ? st.hyp_count : 1);
  s.recall = (double)st.overlap / (st.ref_count > 1 ? st.ref_count : 1);
  s.fmeasure = es_rouge_fmeasure(s.precision, s.recall);
  return s;
}

es_status es_rouge_union_lcs(const int32_t *ref, size_t nr, const es_seq *cans, size_t ncans,
                             es_seq *out) {
  es_status st = ES_OK;
  size_t before = out->len, nidx;
  unsigned char *in = calloc(nr ? nr : 1, 1);
  size_t *idx = malloc((nr ? nr : 1) * sizeof *idx);
  if (!in || !idx) {
    st = ES_ERR_NOMEM;
    goto out;
  }
  for (size_t c = 0; c < ncans; c++) {
    st = es_rouge_lcs_indices(ref, nr, cans[c].ids, cans[c].len, idx, &nidx);
    if (st != ES_OK) goto out;
    for (size_t k = 0; k < nidx; k++) in[idx[k]] = 1;
  }
  for (size_t i = 0; i < nr; i++)
    if (in[i] && (st = es_seq_push(out, ref[i])) != ES_OK) goto out;
out:
  if (st != ES_OK) out->len = before;
  free(in);
  free(idx);
  return st;
}

es_status es_rouge_lsum(const es_seq *ref, size_t nref, const es_seq *hyp, size_t nhyp,
                        es_rouge_score *out) {
  es_rouge_score zero = {0, 0, 0};
  size_t m = 0, n = 0;
  *out = zero;
  for (size_t i = 0; i < nref; i++) m += ref[i].len;
  for (size_t i = 0; i < nhyp; i++) n += hyp[i].len;
  if (m == 0 || n == 0) return ES_OK;

  /* token_cnts_r (count[0]) and token_cnts_c (count[1]) */
  gram_table cnt;
  es_seq lcs = {0};
  es_status st = gram_init(&cnt, 1, m + n);
  if (st != ES_OK) return st;
  for (size_t i = 0; i < nref; i++)
    for (size_t k = 0; k < ref[i].len; k++) gram_find(&cnt, &ref[i].ids[k], 1)->count[0]++;
  for (size_t i = 0; i < nhyp; i++)
    for (size_t k = 0; k < hyp[i].len; k++) gram_find(&cnt, &hyp[i].ids[k], 1)->count[1]++;

  size_t hits = 0;
  for (size_t i = 0; i < nref; i++) {
    lcs.len = 0;
    st = es_rouge_union_lcs(ref[i].ids, ref[i].len, hyp, nhyp, &lcs);
    if (st != ES_OK) goto out;
    for (size_t k = 0; k < lcs.len; k++) { /* no token is counted twice */
      gram *g = gram_find(&cnt, &lcs.ids[k], 0);
      if (g->count[1] > 0 && g->count[0] > 0) {
        hits++;
        g->count[1]--;
        g->count[0]--;
      }
    }
  }
  out->recall = (double)hits / m;
  out->precision = (double)hits / n;
  out->fmeasure = es_rouge_fmeasure(out->precision, out->recall);
out:
  es_seq_release(&lcs);
  gram_release(&cnt);
  return st;
}

size_t es_rouge_best(const es_rouge_score *scores, size_t n) {
  size_t best = 0;
  for (size_t i = 1; i < n; i++)
    if (scores[i].fmeasure > scores[best].fmeasure) best = i;
  return best;
}

/* ==== ESConv myMetrics ===================================================== */

/* lcs / max(len, 1e-10): an int quotient, or 0 / 1e-10 = 0 for no token */
static double ratio_or_zero(uint32_t num, uint32_t den) {
  return den ? (double)num / den : num / 1e-10;
}

double es_esconv_rouge_l(const es_lcs_stats *per_ref, size_t nrefs) {
  /* prec.append(lcs / max(len(hyp), 1e-10)); rec.append(lcs / max(len(ref), 1e-10))
   * if prec_max != 0 and rec_max != 0:
   *     score = ((1 + beta**2)*prec_max*rec_max)/float(rec_max + beta**2*prec_max) */
  const double beta = ES_ESCONV_ROUGE_BETA, b2 = beta * beta; /* beta**2 == 1.44 */
  double p = 0, r = 0;
  for (size_t i = 0; i < nrefs; i++) {
    double pi = ratio_or_zero(per_ref[i].lcs, per_ref[i].hyp_len);
    double ri = ratio_or_zero(per_ref[i].lcs, per_ref[i].ref_len);
    if (i == 0 || pi > p) p = pi;
    if (i == 0 || ri > r) r = ri;
  }
  if (p != 0 && r != 0) return ((1 + b2) * p * r) / (r + b2 * p);
  return 0.0;
}

double es_esconv_f1(const es_ngram_stats *per_ref, size_t nrefs) {
  /* p = cross / max(len(hyp), 1e-10); r = cross / max(len(ref), 1e-10)
   * f1 = 2 * p * r / max(p + r, 1e-10); max over references */
  double best = 0;
  for (size_t i = 0; i < nrefs; i++) {
    double p = ratio_or_zero(per_ref[i].overlap, per_ref[i].hyp_count);
    double r = ratio_or_zero(per_ref[i].overlap, per_ref[i].ref_count);
    double den = p + r > 1e-10 ? p + r : 1e-10;
    double f1 = 2 * p * r / den;
    if (i == 0 || f1 > best) best = f1;
  }
  return best;
}

/* ==== text scorer ========================================================== */

es_status es_rouge_type_parse(const char *name, es_rouge_type *out) {
  /* rouge_scorer.score: "rougeL", "rougeLsum", re.match(r"rouge[0-9]$") with n > 0 */
  if (strcmp(name, "rougeL") == 0) {
    out->kind = ES_ROUGE_L;
    out->n = 0;
  } else if (strcmp(name, "rougeLsum") == 0) {
    out->kind = ES_ROUGE_LSUM;
    out->n = 0;
  } else if (strncmp(name, "rouge", 5) == 0 && name[5] >= '1' && name[5] <= '9' && !name[6]) {
    out->kind = ES_ROUGE_N;
    out->n = (unsigned)(name[5] - '0');
  } else {
    return ES_ERR_ARG;
  }
  return ES_OK;
}

struct es_rouge_scorer {
  es_tokenizer *tok;
  es_vocab *vocab;
  es_seq target, prediction;
  es_seq *sents; /* rougeLsum: target sentences, then prediction sentences */
  size_t sents_cap;
};

es_status es_rouge_scorer_new(int use_stemmer, es_rouge_scorer **out) {
  *out = NULL;
  es_rouge_scorer *s = calloc(1, sizeof *s);
  if (!s) return ES_ERR_NOMEM;
  es_status st = es_tokenizer_new(use_stemmer ? ES_TOK_ROUGE_PORTER : ES_TOK_ROUGE, 0, &s->tok);
  if (st == ES_OK && !(s->vocab = es_vocab_new())) st = ES_ERR_NOMEM;
  if (st != ES_OK) {
    es_rouge_scorer_free(s);
    return st;
  }
  *out = s;
  return ES_OK;
}

void es_rouge_scorer_free(es_rouge_scorer *s) {
  if (!s) return;
  es_tokenizer_free(s->tok);
  es_vocab_free(s->vocab);
  es_seq_release(&s->target);
  es_seq_release(&s->prediction);
  for (size_t i = 0; i < s->sents_cap; i++) es_seq_release(&s->sents[i]);
  free(s->sents);
  free(s);
}

static es_status tokenize_into(es_rouge_scorer *s, const char *text, size_t len, es_seq *out) {
  out->len = 0;
  return es_tokenize_ids(s->tok, text, len, s->vocab, out);
}

/* Tokenizes the non-empty "\n"-separated parts of text into s->sents from
 * index *k on, advancing *k. */
static es_status split_sentences(es_rouge_scorer *s, const char *text, size_t len, size_t *k) {
  const char *p = text, *end = text + len;
  while (p <= end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *stop = nl ? nl : end;
    if (stop > p) { /* sents = [x for x in sents if len(x)] */
      if (*k == s->sents_cap) {
        size_t cap = s->sents_cap ? 2 * s->sents_cap : 8;
        es_seq *ns = realloc(s->sents, cap * sizeof *ns);
        if (!ns) return ES_ERR_NOMEM;
        memset(ns + s->sents_cap, 0, (cap - s->sents_cap) * sizeof *ns);
        s->sents = ns;
        s->sents_cap = cap;
      }
      es_status st = tokenize_into(s, p, (size_t)(stop - p), &s->sents[*k]);
      if (st != ES_OK) return st;
      (*k)++;
    }
    if (!nl) break;
    p = nl + 1;
  }
  return ES_OK;
}

es_status es_rouge_scorer_score(es_rouge_scorer *s, es_rouge_type type, const char *target,
                                size_t tlen, const char *prediction, size_t plen,
                                es_rouge_score *out) {
  es_status st;
  if (type.kind == ES_ROUGE_LSUM) {
    size_t nt = 0, np = 0;
    /* validate first: split_sentences sees only parts of the text */
    if ((st = es_utf8_validate(target, tlen, NULL)) != ES_OK ||
        (st = es_utf8_validate(prediction, plen, NULL)) != ES_OK ||
        (st = split_sentences(s, target, tlen, &nt)) != ES_OK)
      return st;
    np = nt;
    if ((st = split_sentences(s, prediction, plen, &np)) != ES_OK) return st;
    return es_rouge_lsum(s->sents, nt, s->sents + nt, np - nt, out);
  }
  if ((st = tokenize_into(s, target, tlen, &s->target)) != ES_OK ||
      (st = tokenize_into(s, prediction, plen, &s->prediction)) != ES_OK)
    return st;
  const es_seq *t = &s->target, *p = &s->prediction;
  if (type.kind == ES_ROUGE_L) {
    es_lcs_stats ls;
    if ((st = es_lcs_stats_get(p->ids, p->len, t->ids, t->len, &ls)) != ES_OK) return st;
    *out = es_rouge_l(ls);
    return ES_OK;
  }
  if (type.kind != ES_ROUGE_N || type.n == 0) return ES_ERR_ARG;
  es_ngram_stats ns;
  if ((st = es_ngram_stats_get(p->ids, p->len, t->ids, t->len, type.n, &ns)) != ES_OK) return st;
  *out = es_rouge_n(ns);
  return ES_OK;
}

es_status es_rouge_scorer_score_multi(es_rouge_scorer *s, es_rouge_type type,
                                      const char *const *targets, const size_t *tlens,
                                      size_t ntargets, const char *prediction, size_t plen,
                                      es_rouge_score *out) {
  if (ntargets == 0) return ES_ERR_ARG;
  for (size_t i = 0; i < ntargets; i++) {
    es_rouge_score sc;
    es_status st = es_rouge_scorer_score(s, type, targets[i], tlens[i], prediction, plen, &sc);
    if (st != ES_OK) return st;
    if (i == 0 || sc.fmeasure > out->fmeasure) *out = sc; /* numpy.argmax: first maximum */
  }
  return ES_OK;
}
