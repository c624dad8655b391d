/*
 * bleu.c: BLEU over token ids: the n-gram counter, sacrebleu 2.6.0's
 * compute_bleu and nltk 3.8's corpus_bleu with its eight smoothing methods.
 *
 * The reference implementations are Python; where float operations decide
 * the last bits, the order of operations here is theirs (each one is noted
 * next to its formula), so scores are bit-identical, not merely close.
 */
#include "bleu.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esmetrics.h" /* ESMETRICS_VERSION */

/* ======================================================================
 * The counter
 *
 * An n-gram is named by a 64-bit key: (name of its (n-1)-gram prefix + 1,
 * last token), so the table compares integers, never token arrays, and an
 * n-gram of any order costs one probe. Slots carry the generation that
 * filled them; bumping the generation empties the table in O(1) between
 * segments. Each segment uses only the first power of two of slots that
 * keeps its load at most 1/2, so short segments stay in cache after a long
 * one grew the allocation.
 *
 * One reference (the usual case) goes order by order. Unigrams are counted
 * in arrays indexed by token id. An (n+1)-gram can only match if its n-gram
 * prefix occurs in the reference, so hypothesis positions whose prefix
 * found no match are dropped before the next order, and reference
 * positions whose prefix is not in the table likewise: on dissimilar pairs
 * most of the higher-order work disappears. A bigram's prefix is its first
 * token (bit 31 of the low word set, which token ids never have); a longer
 * n-gram's prefix is the slot of its prefix. The clipped count
 * sum_g min(hyp(g), ref(g)) is accumulated as the reference occurrences
 * that still find an unmatched hypothesis occurrence.
 *
 * Several references: every hypothesis n-gram gets a dense id (prefix =
 * id + 1, unigrams prefix 0); each reference is counted, the max per n-gram
 * kept, and the hypothesis counts clipped.
 * ====================================================================== */

typedef struct {
  uint64_t key;
  uint32_t gen; /* the segment that filled the slot */
  int32_t id;   /* several references: dense id */
  int32_t cnt;  /* one reference: occurrences in the hypothesis */
  int32_t used; /* one reference: of those, matched in the reference */
} slot;

/* One reference: a token's counts, together so one cache line serves. */
typedef struct {
  uint32_t gen; /* the segment that counted the token */
  int32_t cnt;  /* occurrences in the hypothesis */
  int32_t used; /* of those, matched in the reference */
} unigram;

struct es_bleu_counter {
  int order;
  uint32_t gen; /* this segment's generation (never 0) */
  slot *slots;
  size_t cap;  /* slots allocated, a power of two */
  size_t mask; /* this segment's table: slots[0..mask] */
  int shift;   /* 64 - log2(mask + 1) */
  /* one reference: unigrams by token id (ucap), n-gram slots by position (pcap) */
  unigram *uni;
  size_t ucap;
  int32_t *hpos, *hslot, *rpos, *rslot; /* surviving positions, their slots */
  size_t pcap;
  /* several references: per dense id (gcap) */
  int32_t *hyp_cnt, *ref_cur, *ref_max, *touched;
  uint8_t *gorder;
  size_t gcap;
};

void es_bleu_counter_free(es_bleu_counter *c) {
  if (!c) return;
  free(c->slots);
  free(c->uni);
  free(c->hpos);
  free(c->hslot);
  free(c->rpos);
  free(c->rslot);
  free(c->hyp_cnt);
  free(c->ref_cur);
  free(c->ref_max);
  free(c->touched);
  free(c->gorder);
  free(c);
}

/* The capacity to grow `have` to for `need` elements: doubling from 256. */
static size_t next_cap(size_t have, size_t need) {
  size_t cap = have ? have : 256;
  while (cap < need) cap *= 2;
  return cap;
}

/* p (have elements of elem bytes) reallocated to cap elements, the new ones
 * zeroed when zero is set; NULL (p untouched) when out of memory. */
static void *resize(void *p, size_t elem, size_t have, size_t cap, int zero) {
  char *q = realloc(p, cap * elem);
  if (q && zero) memset(q + have * elem, 0, (cap - have) * elem);
  return q;
}

/* Resizes the counter array c->field from have to cap elements. */
#define RESIZE(c, field, have, cap, zero)                                       \
  do {                                                                          \
    void *p_ = resize((c)->field, sizeof *(c)->field, (have), (cap), (zero));   \
    if (!p_) return ES_ERR_NOMEM;                                               \
    (c)->field = p_;                                                            \
  } while (0)

/* Makes room for `grams` table entries at load <= 1/2 and selects the part
 * of the table this segment uses. */
static es_status table_reserve(es_bleu_counter *c, size_t grams) {
  size_t size = 64;
  int bits = 6;
  while (size < 2 * grams) {
    size *= 2;
    bits++;
  }
  if (size + 1 > c->cap) { /* + NOT_FOUND's slot */
    RESIZE(c, slots, c->cap, size + 1, 1);
    c->cap = size + 1;
  }
  c->mask = size - 1;
  c->shift = 64 - bits;
  return ES_OK;
}

es_status es_bleu_counter_new(int max_order, es_bleu_counter **out) {
  *out = NULL;
  if (max_order < 1 || max_order > ES_BLEU_MAX_ORDER) return ES_ERR_ARG;
  es_bleu_counter *c = calloc(1, sizeof *c);
  if (!c) return ES_ERR_NOMEM;
  c->order = max_order;
  if (table_reserve(c, 256) != ES_OK) {
    es_bleu_counter_free(c);
    return ES_ERR_NOMEM;
  }
  *out = c;
  return ES_OK;
}

static inline size_t slot_of(const es_bleu_counter *c, uint64_t key) {
  return (size_t)((key * UINT64_C(0x9E3779B97F4A7C15)) >> c->shift);
}

/* The slot of key, claimed (counts zeroed) when absent. */
static inline size_t slot_intern(es_bleu_counter *c, uint64_t key) {
  for (size_t i = slot_of(c, key);; i = (i + 1) & c->mask) {
    slot *s = &c->slots[i];
    if (s->gen != c->gen) {
      s->gen = c->gen;
      s->key = key;
      s->cnt = 0;
      s->used = 0;
      return i;
    }
    if (s->key == key) return i;
  }
}

/* The slot of key, or NOT_FOUND: the slot after the table, whose counts
 * are always 0, so callers need no branch on the result. */
#define NOT_FOUND(c) ((int32_t)(c)->mask + 1)
static inline int32_t slot_find(const es_bleu_counter *c, uint64_t key) {
  for (size_t i = slot_of(c, key);; i = (i + 1) & c->mask) {
    const slot *s = &c->slots[i];
    int occupied = s->gen == c->gen;
    if (!occupied || s->key == key) return occupied ? (int32_t)i : NOT_FOUND(c);
  }
}

static inline uint64_t key_of(uint32_t prefix, uint32_t low) { return (uint64_t)prefix << 32 | low; }

/* Grows the per-position and per-token arrays of the one-reference walk. */
static es_status one_ref_reserve(es_bleu_counter *c, size_t npos, size_t ntok) {
  if (npos > c->pcap) {
    size_t cap = next_cap(c->pcap, npos);
    RESIZE(c, hpos, c->pcap, cap, 0);
    RESIZE(c, hslot, c->pcap, cap, 0);
    RESIZE(c, rpos, c->pcap, cap, 0);
    RESIZE(c, rslot, c->pcap, cap, 0);
    c->pcap = cap;
  }
  if (ntok > c->ucap) { /* zeroed: the loops read counts of absent tokens */
    size_t cap = next_cap(c->ucap, ntok);
    RESIZE(c, uni, c->ucap, cap, 1);
    c->ucap = cap;
  }
  return ES_OK;
}

/* Whether a token is shared is a coin toss to the branch predictor, so the
 * unigram loops update counts through conditional moves and the positions
 * that go on to bigrams are compacted into lists without branches. Higher
 * orders keep compacting the lists as they go. */
static es_status count_one_ref(es_bleu_counter *c, const es_seq *hyp, const es_seq *ref,
                               int32_t maxtok, es_bleu_seg *out) {
  const int32_t L = (int32_t)hyp->len, R = (int32_t)ref->len;
  const int32_t *h = hyp->ids, *t = ref->ids;
  es_status st = one_ref_reserve(c, (size_t)(L > R ? L : R), (size_t)maxtok + 1);
  if (st != ES_OK) return st;
  const uint32_t gen = c->gen;
  unigram *uni = c->uni;
  int32_t *hpos = c->hpos, *hslot = c->hslot, *rpos = c->rpos, *rslot = c->rslot;
  slot *slots = c->slots;

  /* unigrams, by token id; on the way, the reference positions whose
   * token the hypothesis has, where a bigram match may start (the last
   * position lands past the list's end: nr stops at R - 1 below) */
  for (int32_t i = 0; i < L; i++) {
    unigram *u = &uni[h[i]];
    int32_t fresh = u->gen != gen;
    u->cnt = fresh ? 1 : u->cnt + 1;
    u->used = fresh ? 0 : u->used;
    u->gen = gen;
  }
  int32_t matched = 0, nr = 0;
  for (int32_t j = 0; j < R; j++) {
    unigram *u = &uni[t[j]];
    int32_t in_hyp = u->gen == gen, m = in_hyp & (u->used < u->cnt);
    u->used += m;
    matched += m;
    rpos[nr] = j;
    nr += in_hyp;
  }
  out->match[0] = matched;
  if (!matched || c->order < 2 || L < 2 || R < 2) return ES_OK;
  nr -= uni[t[R - 1]].gen == gen; /* no bigram starts at the last token */

  /* bigrams: hypothesis positions whose first token the reference has,
   * reference positions whose first token the hypothesis has; the key's
   * prefix is that token */
  int32_t nh = 0;
  for (int32_t i = 0; i < L - 1; i++) {
    hpos[nh] = i;
    nh += uni[h[i]].used != 0;
  }
  for (int32_t k = 0; k < nh; k++) {
    int32_t i = hpos[k];
    size_t s = slot_intern(c, key_of((uint32_t)h[i], 0x80000000u | (uint32_t)h[i + 1]));
    slots[s].cnt++;
    hslot[k] = (int32_t)s;
  }
  slots[NOT_FOUND(c)] = (slot){0};
  matched = 0;
  for (int32_t k = 0; k < nr; k++) {
    int32_t j = rpos[k];
    int32_t s = slot_find(c, key_of((uint32_t)t[j], 0x80000000u | (uint32_t)t[j + 1]));
    int32_t m = slots[s].used < slots[s].cnt;
    slots[s].used += m;
    matched += m;
    rslot[k] = s;
  }
  out->match[1] = matched;

  /* longer n-grams: the key's prefix is the slot of the (n-1)-gram; by now
   * the survivors are mostly all or mostly none, so plain branches do */
  for (int n = 2; matched && n < c->order && n < L && n < R; n++) {
    int32_t m = 0;
    for (int32_t k = 0; k < nh; k++) {
      int32_t i = hpos[k], q = hslot[k];
      if (i + n < L && slots[q].used != 0) {
        size_t s = slot_intern(c, key_of((uint32_t)q + 1, (uint32_t)h[i + n]));
        slots[s].cnt++;
        hpos[m] = i;
        hslot[m++] = (int32_t)s;
      }
    }
    nh = m;
    m = 0;
    matched = 0;
    for (int32_t k = 0; k < nr; k++) {
      int32_t j = rpos[k], q = rslot[k];
      if (j + n < R && q != NOT_FOUND(c)) {
        int32_t s = slot_find(c, key_of((uint32_t)q + 1, (uint32_t)t[j + n]));
        int32_t hit = slots[s].used < slots[s].cnt;
        slots[s].used += hit;
        matched += hit;
        rpos[m] = j;
        rslot[m++] = s;
      }
    }
    nr = m;
    out->match[n] = matched;
  }
  return ES_OK;
}

/* The dense id of key; a new one (*fresh = 1) when absent. */
static inline int32_t gram_intern(es_bleu_counter *c, uint64_t key, int32_t *next_id,
                                  int *fresh) {
  for (size_t i = slot_of(c, key);; i = (i + 1) & c->mask) {
    slot *s = &c->slots[i];
    if (s->gen != c->gen) {
      s->gen = c->gen;
      s->key = key;
      *fresh = 1;
      return s->id = (*next_id)++;
    }
    if (s->key == key) {
      *fresh = 0;
      return s->id;
    }
  }
}

static es_status count_many_refs(es_bleu_counter *c, const es_seq *hyp, const es_seq *refs,
                                 size_t nrefs, es_bleu_seg *out) {
  const int order = c->order;
  const int32_t L = (int32_t)hyp->len, *h = hyp->ids;
  size_t need = hyp->len * (size_t)order;
  if (need > c->gcap) {
    size_t cap = next_cap(c->gcap, need);
    RESIZE(c, hyp_cnt, c->gcap, cap, 0);
    RESIZE(c, ref_cur, c->gcap, cap, 0);
    RESIZE(c, ref_max, c->gcap, cap, 0);
    RESIZE(c, touched, c->gcap, cap, 0);
    RESIZE(c, gorder, c->gcap, cap, 0);
    c->gcap = cap;
  }
  int32_t ngrams = 0;
  for (int32_t i = 0; i < L; i++) {
    int32_t prefix = 0;
    int nmax = L - i < order ? L - i : order;
    for (int n = 0; n < nmax; n++) {
      int fresh;
      int32_t g = gram_intern(c, key_of((uint32_t)prefix, (uint32_t)h[i + n]), &ngrams, &fresh);
      if (fresh) {
        c->gorder[g] = (uint8_t)n;
        c->hyp_cnt[g] = 0;
        c->ref_cur[g] = 0;
        c->ref_max[g] = 0;
      }
      c->hyp_cnt[g]++;
      prefix = g + 1;
    }
  }
  for (size_t r = 0; r < nrefs; r++) {
    const int32_t R = (int32_t)refs[r].len, *t = refs[r].ids;
    size_t ntouched = 0;
    for (int32_t i = 0; i < R; i++) {
      int32_t prefix = 0;
      int nmax = R - i < order ? R - i : order;
      for (int n = 0; n < nmax; n++) {
        int32_t k = slot_find(c, key_of((uint32_t)prefix, (uint32_t)t[i + n]));
        if (k == NOT_FOUND(c)) break;
        int32_t g = c->slots[k].id;
        if (c->ref_cur[g]++ == 0) c->touched[ntouched++] = g;
        prefix = g + 1;
      }
    }
    for (size_t k = 0; k < ntouched; k++) {
      int32_t g = c->touched[k];
      if (c->ref_cur[g] > c->ref_max[g]) c->ref_max[g] = c->ref_cur[g];
      c->ref_cur[g] = 0;
    }
  }
  for (int32_t g = 0; g < ngrams; g++) {
    int32_t m = c->hyp_cnt[g] < c->ref_max[g] ? c->hyp_cnt[g] : c->ref_max[g];
    out->match[c->gorder[g]] += m;
  }
  return ES_OK;
}

/* The largest id of s (-1 when empty), or -2 when an id is negative or s
 * is longer than limit tokens. */
static int32_t seq_max(const es_seq *s, size_t limit) {
  if (s->len > limit) return -2;
  int32_t hi = -1, lo = 0;
  for (size_t i = 0; i < s->len; i++) {
    int32_t v = s->ids[i];
    hi = v > hi ? v : hi;
    lo = v < lo ? v : lo;
  }
  return lo < 0 ? -2 : hi;
}

es_status es_bleu_count(es_bleu_counter *c, const es_seq *hyp, const es_seq *refs, size_t nrefs,
                        es_bleu_seg *out) {
  const int order = c->order;
  /* slot numbers and counts are int32: at most 2^28 n-grams a segment */
  const size_t limit = ((size_t)1 << 28) / (size_t)order;
  if (nrefs == 0) return ES_ERR_ARG;
  int32_t maxtok = seq_max(hyp, limit);
  if (maxtok < -1) return ES_ERR_ARG;
  for (size_t r = 0; r < nrefs; r++) {
    int32_t m = seq_max(&refs[r], limit);
    if (m < -1) return ES_ERR_ARG;
    maxtok = m > maxtok ? m : maxtok;
  }

  es_status st = table_reserve(c, hyp->len * (size_t)order);
  if (st != ES_OK) return st;
  if (++c->gen == 0) { /* wrapped: forget every slot and unigram for real */
    for (size_t i = 0; i < c->cap; i++) c->slots[i].gen = 0;
    if (c->uni) memset(c->uni, 0, c->ucap * sizeof *c->uni);
    c->gen = 1;
  }

  memset(out, 0, sizeof *out);
  out->order = order;
  const int32_t L = (int32_t)hyp->len;
  out->hyp_len = L;
  for (int n = 0; n < order; n++) out->total[n] = L > n ? L - n : 0;

  /* Closest reference length, ties to the shorter. */
  int32_t best_len = -1, best_diff = -1;
  for (size_t r = 0; r < nrefs; r++) {
    const int32_t R = (int32_t)refs[r].len;
    int32_t diff = R > L ? R - L : L - R;
    if (best_diff < 0 || diff < best_diff || (diff == best_diff && R < best_len)) {
      best_diff = diff;
      best_len = R;
    }
  }
  out->ref_len = best_len;

  /* The one-reference path indexes an array by token id: fine for the ids
   * of any real vocabulary, not for arbitrary large ones (an id near
   * INT32_MAX would ask for gigabytes), which take the hashed path. */
  size_t lr = (size_t)L + refs[0].len;
  if (nrefs == 1 && ((size_t)maxtok < ((size_t)1 << 22) || (size_t)maxtok < 64 * lr))
    return count_one_ref(c, hyp, &refs[0], maxtok, out);
  return count_many_refs(c, hyp, refs, nrefs, out);
}

/* ======================================================================
 * Sums
 * ====================================================================== */

void es_bleu_sums_init(es_bleu_sums *s) { memset(s, 0, sizeof *s); }

void es_bleu_sums_add(es_bleu_sums *s, const es_bleu_seg *seg) {
  if (s->nseg == 0 || seg->order < s->order) s->order = seg->order;
  s->nseg++;
  s->hyp_len += seg->hyp_len;
  s->ref_len += seg->ref_len;
  for (int n = 0; n < seg->order; n++) {
    s->match[n] += seg->match[n];
    s->total[n] += seg->total[n];
    s->nltk_den[n] += seg->total[n] > 1 ? seg->total[n] : 1;
  }
}

/* ======================================================================
 * sacrebleu
 * ====================================================================== */

void es_bleu_sacre_defaults(es_bleu_sacre_opts *o, int sentence) {
  o->smooth = ES_BLEU_SMOOTH_EXP;
  o->smooth_value = -1;
  o->effective_order = sentence != 0;
  o->max_order = 4;
}

static double sacre_smooth_value(const es_bleu_sacre_opts *o) {
  if (o->smooth_value >= 0) return o->smooth_value;
  return o->smooth == ES_BLEU_SMOOTH_FLOOR ? 0.1 : 1.0; /* BLEU.SMOOTH_DEFAULTS */
}

es_status es_bleu_sacre_compute(const es_bleu_sums *s, const es_bleu_sacre_opts *o,
                                es_bleu_sacre_result *out) {
  const int N = o->max_order;
  if (N < 1 || N > ES_BLEU_MAX_ORDER || (s->nseg > 0 && N > s->order)) return ES_ERR_ARG;
  if ((unsigned)o->smooth > ES_BLEU_SMOOTH_ADD_K) return ES_ERR_ARG;
  const double sv = sacre_smooth_value(o);

  memset(out, 0, sizeof *out);
  out->order = N;
  out->sys_len = s->hyp_len;
  out->ref_len = s->ref_len;
  int any = 0;
  for (int n = 0; n < N; n++) {
    out->counts[n] = (double)s->match[n];
    out->totals[n] = (double)s->total[n];
    any |= s->match[n] != 0;
  }

  /* bp = math.exp(1 - ref_len / sys_len) if sys_len > 0 else 0.0 */
  if (s->hyp_len < s->ref_len)
    out->bp = s->hyp_len > 0 ? exp(1.0 - (double)s->ref_len / (double)s->hyp_len) : 0.0;
  else
    out->bp = 1.0;

  if (!any) return ES_OK; /* "Early stop if there are no matches (#141)" */

  double smooth_mteval = 1.0;
  int eff_order = N;
  for (int n = 1; n <= N; n++) {
    double *cn = &out->counts[n - 1], *tn = &out->totals[n - 1];
    if (o->smooth == ES_BLEU_SMOOTH_ADD_K && n > 1) {
      *cn += sv;
      *tn += sv;
    }
    if (*tn == 0) break;
    if (o->effective_order) eff_order = n;
    if (*cn == 0) {
      if (o->smooth == ES_BLEU_SMOOTH_EXP) {
        smooth_mteval *= 2;
        out->precisions[n - 1] = 100. / (smooth_mteval * *tn);
      } else if (o->smooth == ES_BLEU_SMOOTH_FLOOR) {
        out->precisions[n - 1] = 100. * sv / *tn;
      }
    } else {
      out->precisions[n - 1] = 100. * *cn / *tn;
    }
  }

  /* bp * math.exp(sum([my_log(p) for p in precisions[:eff_order]]) / eff_order),
   * my_log(0) = -9999999999; sum() adds left to right. */
  double sum = 0.0;
  for (int n = 0; n < eff_order; n++) {
    double p = out->precisions[n];
    sum += p == 0.0 ? -9999999999.0 : log(p);
  }
  out->score = out->bp * exp(sum / eff_order);
  return ES_OK;
}

/* The signature being written: like snprintf, len counts what would have
 * been written had buf been large enough. */
typedef struct {
  char *buf;
  size_t size, len;
} sigbuf;

/* Appends "key:value", after a '|' unless first. */
static void sig_put(sigbuf *b, const char *key, const char *value) {
  int n = snprintf(b->buf && b->len < b->size ? b->buf + b->len : NULL,
                   b->buf && b->len < b->size ? b->size - b->len : 0, "%s%s:%s",
                   b->len ? "|" : "", key, value);
  if (n > 0) b->len += (size_t)n;
}

int es_bleu_sacre_signature(const es_bleu_sacre_opts *o, const es_bleu_sig_info *info,
                            int short_form, char *buf, size_t size) {
  if (!o || !info || !info->tok || (!buf && size)) return -1;
  char nrefs[24], bs[24], ar[24], seed[24], smooth[48];
  if (info->nrefs < 0)
    snprintf(nrefs, sizeof nrefs, "var");
  else
    snprintf(nrefs, sizeof nrefs, "%d", info->nrefs);
  snprintf(bs, sizeof bs, "%lld", (long long)info->bs);
  snprintf(ar, sizeof ar, "%lld", (long long)info->ar);
  snprintf(seed, sizeof seed, "%lld", (long long)info->seed);
  switch (o->smooth) {
    case ES_BLEU_SMOOTH_EXP: snprintf(smooth, sizeof smooth, "exp"); break;
    case ES_BLEU_SMOOTH_NONE: snprintf(smooth, sizeof smooth, "none"); break;
    case ES_BLEU_SMOOTH_FLOOR:
      snprintf(smooth, sizeof smooth, "floor[%.2f]", sacre_smooth_value(o));
      break;
    case ES_BLEU_SMOOTH_ADD_K:
      snprintf(smooth, sizeof smooth, "add-k[%.2f]", sacre_smooth_value(o));
      break;
    default: return -1;
  }
  const char *version = info->version ? info->version : "esbench-" ESMETRICS_VERSION;

  sigbuf b = {buf, size, 0};
  if (buf && size) buf[0] = '\0';
  sig_put(&b, short_form ? "#" : "nrefs", nrefs);
  if (info->bs > 0) sig_put(&b, "bs", bs);
  if (info->ar > 0) sig_put(&b, "ar", ar);
  if (info->bs > 0 || info->ar > 0) sig_put(&b, short_form ? "rs" : "seed", seed);
  sig_put(&b, short_form ? "c" : "case", info->lowercase ? "lc" : "mixed");
  sig_put(&b, short_form ? "e" : "eff", o->effective_order ? "yes" : "no");
  sig_put(&b, "tok", info->tok);
  sig_put(&b, short_form ? "s" : "smooth", smooth);
  sig_put(&b, short_form ? "v" : "version", version);
  return b.len > INT32_MAX ? -1 : (int)b.len;
}

/* ======================================================================
 * Python numbers for nltk's smoothing
 *
 * nltk keeps precisions as fractions.Fraction and its smoothing methods mix
 * them with ints and floats; Python's rules decide the type of each result
 * (int op int and Fraction op int/Fraction stay exact, int / int and
 * anything with a float are floats) and float(Fraction) rounds the exact
 * quotient once. pynum follows those rules; exact values are 128-bit
 * integers, and an operation that would overflow falls back to doubles
 * (only methods 5 and 6 on very large corpora get there).
 * ====================================================================== */

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

typedef enum { PY_INT, PY_FRAC, PY_FLOAT } py_kind;

typedef struct {
  py_kind kind;
  i128 n, d; /* PY_INT: n (d = 1); PY_FRAC: n / d in lowest terms, d > 0 */
  double f;  /* PY_FLOAT */
} pynum;

static pynum py_int(i128 v) { return (pynum){PY_INT, v, 1, 0}; }
static pynum py_float(double f) { return (pynum){PY_FLOAT, 0, 1, f}; }

static u128 u128_gcd(u128 a, u128 b) {
  while (b) {
    u128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/* The correctly rounded double nearest n / d (d > 0): Python's int / int
 * and float(Fraction). */
static double div_round(i128 n, i128 d) {
  if (n == 0) return 0.0;
  int neg = n < 0;
  u128 un = neg ? -(u128)n : (u128)n, ud = (u128)d;
  const u128 exact = (u128)1 << 53;
  if (un <= exact && ud <= exact) { /* both exact doubles: IEEE division rounds once */
    double q = (double)un / (double)ud;
    return neg ? -q : q;
  }
  /* Long division to 55 quotient bits plus a sticky bit, then one rounding. */
  int e = 0;
  while (un >> 1 >= ud) {
    ud <<= 1;
    e++;
  }
  while (un < ud) {
    un <<= 1;
    e--;
  }
  uint64_t q = 0;
  u128 r = un;
  for (int i = 0; i < 55; i++) {
    q <<= 1;
    if (r >= ud) {
      q |= 1;
      r -= ud;
    }
    r <<= 1;
  }
  if (r) q |= 1;
  double v = ldexp((double)q, e - 54);
  return neg ? -v : v;
}

static double py_to_double(pynum a) {
  switch (a.kind) {
    case PY_INT: return (double)a.n; /* correctly rounded, like float(int) */
    case PY_FRAC: return div_round(a.n, a.d);
    default: return a.f;
  }
}

/* n / d as a Fraction (d != 0), in lowest terms. */
static pynum py_frac(i128 n, i128 d) {
  if (d < 0) {
    n = -n;
    d = -d;
  }
  u128 g = u128_gcd(n < 0 ? -(u128)n : (u128)n, (u128)d);
  if (g > 1) {
    n /= (i128)g;
    d /= (i128)g;
  }
  return (pynum){PY_FRAC, n, d, 0};
}

static int py_is_zero(pynum a) { return a.kind == PY_FLOAT ? a.f == 0.0 : a.n == 0; }
static int py_positive(pynum a) { return a.kind == PY_FLOAT ? a.f > 0.0 : a.n > 0; }

/* The exact result of an operation on n/d pairs, or the float fallback. */
static pynum py_exact_or(int ok, py_kind kind, i128 n, i128 d, double fallback) {
  if (!ok || d == 0) return py_float(fallback);
  if (kind == PY_INT) return py_int(n);
  return py_frac(n, d);
}

static pynum py_add(pynum a, pynum b) {
  double fb = py_to_double(a) + py_to_double(b);
  if (a.kind == PY_FLOAT || b.kind == PY_FLOAT) return py_float(fb);
  i128 x = 0, y = 0, n = 0, d = 0;
  int ok = !__builtin_mul_overflow(a.n, b.d, &x) && !__builtin_mul_overflow(b.n, a.d, &y) &&
           !__builtin_add_overflow(x, y, &n) && !__builtin_mul_overflow(a.d, b.d, &d);
  return py_exact_or(ok, a.kind == PY_INT && b.kind == PY_INT ? PY_INT : PY_FRAC, n, d, fb);
}

static pynum py_mul(pynum a, pynum b) {
  double fb = py_to_double(a) * py_to_double(b);
  if (a.kind == PY_FLOAT || b.kind == PY_FLOAT) return py_float(fb);
  i128 n = 0, d = 0;
  int ok = !__builtin_mul_overflow(a.n, b.n, &n) && !__builtin_mul_overflow(a.d, b.d, &d);
  return py_exact_or(ok, a.kind == PY_INT && b.kind == PY_INT ? PY_INT : PY_FRAC, n, d, fb);
}

/* a / b: int / int is a float (true division), Fractions stay exact. */
static pynum py_div(pynum a, pynum b) {
  if (py_is_zero(b)) return py_float(NAN); /* Python raises ZeroDivisionError */
  if (a.kind == PY_FLOAT || b.kind == PY_FLOAT) return py_float(py_to_double(a) / py_to_double(b));
  if (a.kind == PY_INT && b.kind == PY_INT)
    return py_float(b.n > 0 ? div_round(a.n, b.n) : div_round(-a.n, -b.n));
  i128 n = 0, d = 0;
  int ok = !__builtin_mul_overflow(a.n, b.d, &n) && !__builtin_mul_overflow(a.d, b.n, &d);
  return py_exact_or(ok, PY_FRAC, n, d, py_to_double(a) / py_to_double(b));
}

/* a ** 2 */
static pynum py_square(pynum a) {
  if (a.kind == PY_FLOAT) return py_float(pow(a.f, 2.0));
  return py_mul(a, a);
}

/* A SmoothingFunction parameter: Python keeps an integral default (alpha=5)
 * an int, which keeps Fraction arithmetic exact. */
static pynum py_param(double v) {
  if (v == floor(v) && fabs(v) < 9007199254740992.0) return py_int((i128)v);
  return py_float(v);
}

/* ======================================================================
 * nltk
 * ====================================================================== */

void es_bleu_nltk_defaults(es_bleu_nltk_opts *o, int order, es_bleu_nltk_smooth smooth) {
  o->order = order;
  o->smooth = smooth;
  o->epsilon = 0.1;
  o->alpha = 5;
  o->k = 5;
}

double es_bleu_nltk_brevity_penalty(int64_t closest_ref_len, int64_t hyp_len) {
  if (hyp_len > closest_ref_len) return 1.0;
  if (hyp_len == 0) return 0.0;
  return exp(1.0 - (double)closest_ref_len / (double)hyp_len);
}

/* method4: "1 / (2**incvnt * k / math.log(hyp_len))" per zero order. */
static void nltk_method4(pynum *p, const int64_t *num, const int64_t *den, int N, int64_t hyp_len,
                         double k) {
  int incvnt = 1;
  for (int i = 0; i < N; i++) {
    if (num[i] == 0 && hyp_len > 1) {
      double numerator = 1.0 / (ldexp(1.0, incvnt) * k / log((double)hyp_len));
      p[i] = py_float(numerator / (double)den[i]);
      incvnt++;
    }
  }
}

/* method5: p_n[i] = (m[i-1] + p_i + p_n_plus1[i+1]) / 3 with m[-1] = p_n[0] + 1
 * and p_n_plus1 = p_n + [the last segment's 5-gram precision]. */
static void nltk_method5(pynum *p, int N, const es_bleu_seg *last) {
  pynum plus1[ES_BLEU_MAX_ORDER + 1];
  memcpy(plus1, p, (size_t)N * sizeof *p);
  plus1[N] = py_frac(last->match[4], last->total[4] > 1 ? last->total[4] : 1);
  pynum m = py_add(p[0], py_int(1));
  for (int i = 0; i < N; i++) {
    p[i] = py_div(py_add(py_add(m, plus1[i]), plus1[i + 1]), py_int(3));
    m = p[i];
  }
}

/* method6: for orders >= 3, p_n[i] = (m + alpha * pi0) / (l + alpha) with
 * pi0 = p_n[i-1]**2 / p_n[i-2] (0 when p_n[i-2] == 0), m the raw match
 * count and l the last hypothesis's (i+1)-gram count. */
static void nltk_method6(pynum *p, const int64_t *num, int N, const es_bleu_seg *last,
                         double alpha_v) {
  pynum alpha = py_param(alpha_v);
  for (int i = 2; i < N; i++) {
    pynum pi0 = py_is_zero(p[i - 2]) ? py_int(0) : py_div(py_square(p[i - 1]), p[i - 2]);
    int64_t l = last->hyp_len > i ? last->hyp_len - i : 0;
    p[i] = py_div(py_add(py_int(num[i]), py_mul(alpha, pi0)), py_add(py_int(l), alpha));
  }
}

es_status es_bleu_nltk_precisions(const es_bleu_sums *s, const es_bleu_seg *last,
                                  const es_bleu_nltk_opts *o, es_bleu_nltk_prec *out) {
  const int N = o->order;
  if (N < 1 || N > ES_BLEU_MAX_ORDER || (s->nseg > 0 && N > s->order)) return ES_ERR_ARG;
  if ((unsigned)o->smooth > ES_NLTK_METHOD7) return ES_ERR_ARG;
  memset(out, 0, sizeof *out);
  out->order = N;
  out->bp = es_bleu_nltk_brevity_penalty(s->ref_len, s->hyp_len);
  /* "Returns 0 if there's no matching n-grams" (before any smoothing) */
  if (s->nseg == 0 || s->match[0] == 0) {
    out->zero = 1;
    return ES_OK;
  }
  const es_bleu_nltk_smooth m = o->smooth;
  if (m == ES_NLTK_METHOD5 || m == ES_NLTK_METHOD7) {
    if (!last || last->order < 5) return ES_ERR_ARG;
  }
  if (m == ES_NLTK_METHOD6) {
    /* assert p_n[2], "This smoothing method requires non-zero precision for bigrams." */
    if (!last || N < 3 || s->match[2] == 0) return ES_ERR_ARG;
  }

  /* Fraction(p_numerators[i], p_denominators[i], _normalize=False): the
   * methods read the raw numerator and denominator. */
  const int64_t *num = s->match, *den = s->nltk_den;
  pynum p[ES_BLEU_MAX_ORDER];
  for (int i = 0; i < N; i++) p[i] = py_frac(num[i], den[i]);

  switch (m) {
    case ES_NLTK_METHOD0: /* a zero precision becomes sys.float_info.min */
      for (int i = 0; i < N; i++)
        if (num[i] == 0) p[i] = py_float(DBL_MIN);
      break;
    case ES_NLTK_METHOD1: /* (p_i.numerator + epsilon) / p_i.denominator */
      for (int i = 0; i < N; i++)
        if (num[i] == 0) p[i] = py_float((0.0 + o->epsilon) / (double)den[i]);
      break;
    case ES_NLTK_METHOD2: /* Fraction(num + 1, den + 1) for i != 0 */
      for (int i = 1; i < N; i++) p[i] = py_frac((i128)num[i] + 1, (i128)den[i] + 1);
      break;
    case ES_NLTK_METHOD3: { /* 1 / (2**incvnt * p_i.denominator): int / int */
      int incvnt = 1;
      for (int i = 0; i < N; i++) {
        if (num[i] == 0) {
          p[i] = py_float(div_round(1, (i128)den[i] << incvnt));
          incvnt++;
        }
      }
      break;
    }
    case ES_NLTK_METHOD4: /* corpus_bleu passes hyp_len=hyp_lengths (non-zero here) */
      nltk_method4(p, num, den, N, s->hyp_len, o->k);
      break;
    case ES_NLTK_METHOD5: nltk_method5(p, N, last); break;
    case ES_NLTK_METHOD6: nltk_method6(p, num, N, last, o->alpha); break;
    case ES_NLTK_METHOD7:
      nltk_method4(p, num, den, N, s->hyp_len, o->k);
      nltk_method5(p, N, last);
      break;
  }
  for (int i = 0; i < N; i++) {
    /* a division by zero in a smoothing method (nltk raises
     * ZeroDivisionError: only odd alpha or k get there) is an error, not a
     * precision to leave out */
    if (p[i].kind == PY_FLOAT && !isfinite(p[i].f)) return ES_ERR_ARG;
    out->p[i] = py_positive(p[i]) ? py_to_double(p[i]) : 0.0;
  }
  return ES_OK;
}

/* math.fsum: the correctly rounded sum (Shewchuk's exact partials, then a
 * round-half-even correction of the top partial). */
static double fsum(const double *x, int n) {
  double partials[ES_BLEU_MAX_ORDER + 1];
  int np = 0;
  for (int i = 0; i < n; i++) {
    double v = x[i];
    int j = 0;
    for (int k = 0; k < np; k++) {
      double y = partials[k];
      if (fabs(v) < fabs(y)) {
        double t = v;
        v = y;
        y = t;
      }
      double hi = v + y;
      double lo = y - (hi - v);
      if (lo != 0.0) partials[j++] = lo;
      v = hi;
    }
    np = j;
    partials[np++] = v;
  }
  if (np == 0) return 0.0;
  int k = np - 1;
  double hi = partials[k], lo = 0.0;
  while (k > 0) {
    double v = hi, y = partials[--k];
    hi = v + y;
    lo = y - (hi - v);
    if (lo != 0.0) break;
  }
  /* Round half to even when the partials below would break a tie. */
  if (k > 0 && ((lo < 0.0 && partials[k - 1] < 0.0) || (lo > 0.0 && partials[k - 1] > 0.0))) {
    double y = lo * 2.0, v = hi + y;
    if (y == v - hi) hi = v;
  }
  return hi;
}

double es_bleu_nltk_weighted(const es_bleu_nltk_prec *p, const double *w, int nw) {
  if (p->zero) return 0.0;
  double terms[ES_BLEU_MAX_ORDER];
  int nt = 0, n = nw < p->order ? nw : p->order;
  /* s = (w_i * math.log(p_i) for w_i, p_i in zip(weight, p_n) if p_i > 0) */
  for (int i = 0; i < n; i++)
    if (p->p[i] > 0) terms[nt++] = w[i] * log(p->p[i]);
  return p->bp * exp(fsum(terms, nt));
}

es_status es_bleu_nltk_corpus(const es_bleu_sums *s, const es_bleu_seg *last,
                              const es_bleu_nltk_opts *o, const double *w, int nw,
                              double *score) {
  es_bleu_nltk_opts eff = *o;
  if (eff.order == 0) eff.order = nw;
  if (nw < 1) return ES_ERR_ARG;
  es_bleu_nltk_prec p;
  es_status st = es_bleu_nltk_precisions(s, last, &eff, &p);
  if (st != ES_OK) return st;
  *score = es_bleu_nltk_weighted(&p, w, nw);
  return isfinite(*score) ? ES_OK : ES_ERR_ARG;
}

es_status es_bleu_nltk_sentence(const es_bleu_seg *seg, const es_bleu_nltk_opts *o,
                                const double *w, int nw, double *score) {
  es_bleu_sums s;
  es_bleu_sums_init(&s);
  es_bleu_sums_add(&s, seg);
  return es_bleu_nltk_corpus(&s, seg, o, w, nw, score);
}

es_status es_bleu_esconv(const es_bleu_sums *s, double out[4]) {
  es_bleu_nltk_opts o;
  es_bleu_nltk_defaults(&o, 4, ES_NLTK_METHOD3);
  es_bleu_nltk_prec p;
  es_status st = es_bleu_nltk_precisions(s, NULL, &o, &p);
  if (st != ES_OK) return st;
  for (int k = 1; k <= 4; k++) {
    double w[4];
    for (int i = 0; i < 4; i++) w[i] = i < k ? 1.0 / k : 0.0; /* [1/k]*k + [0]*(4-k) */
    out[k - 1] = 100 * es_bleu_nltk_weighted(&p, w, 4);
  }
  return ES_OK;
}
