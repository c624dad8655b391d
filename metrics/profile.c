/*
 * profile.c: scoring a corpus with every metric of one profile.
 *
 * Several profiles can be scored in one pass: each tokenization and each
 * per-line statistic is computed once, whichever profiles need it (the
 * sacrebleu and rouge_score profiles share their 13a BLEU and standard
 * Distinct entirely). The lines are cut into one contiguous block per
 * thread; each thread tokenizes its block into its own vocabulary and
 * computes everything that is per line (BLEU statistics, LCS, unigram
 * overlap, lengths). The other threads' Distinct tokens are then mapped
 * into the first thread's vocabulary (one lookup per vocabulary entry, not
 * per token), Distinct-n is counted over the whole corpus, one token source
 * per thread, and each profile's metrics are assembled.
 */
#include "profile.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esmetrics.h"
#include "porter.h"
#include "tok_impl.h"

#define MAX_METRICS 16
#define MAX_THREADS 64

/* The per-line work a set of profiles needs. Each is done once per line,
 * however many of the requested profiles use it. */
enum {
  W_NLTK = 1,        /* nltk tokens of lower-cased text: nltk BLEU statistics,
                        ESConv ROUGE-L and F1, length, ESConv Distinct */
  W_13A = 2,         /* 13a tokens: BLEU statistics, length */
  W_SENTENCE = 4,    /* sentence BLEU on the 13a statistics */
  W_ROUGE = 8,       /* rouge_score tokens: rougeL F */
  W_ROUGE_STEM = 16, /* rouge_score tokens, Porter-stemmed: rougeL F (the
                        stems of the W_ROUGE tokens, each distinct token
                        stemmed once per thread) */
  W_SPACE = 32,      /* lower().split() tokens of the hypothesis: Distinct */
};

/* The profiles. Adding one: a row here, its enum value in profile.h, and
 * its metrics in build_scores(). */
static const struct {
  const char *name;
  unsigned work;
} profiles[] = {
    [ES_PROFILE_ESCONV] = {"esconv", W_NLTK},
    [ES_PROFILE_SACREBLEU] = {"sacrebleu", W_13A | W_SENTENCE | W_ROUGE | W_SPACE},
    [ES_PROFILE_ROUGE_SCORE] = {"rouge_score", W_13A | W_ROUGE_STEM | W_SPACE},
};
#define NPROFILES (sizeof profiles / sizeof profiles[0])

const char *es_profile_name(es_profile p) {
  return (unsigned)p < NPROFILES ? profiles[p].name : "?";
}

int es_profile_parse(const char *name) {
  for (size_t i = 0; i < NPROFILES; i++)
    if (!strcmp(profiles[i].name, name)) return (int)i;
  return -1;
}

struct es_scores {
  es_profile p;
  size_t n;
  es_metric m[MAX_METRICS];
  size_t nm;
  double *lines[MAX_METRICS];
  char sig[MAX_METRICS][192];
  es_bleu_seg *segs;
};

/* Per-line results of all the work, for all lines (each thread writes its
 * own block of lines). Arrays of work not requested stay NULL. */
typedef struct {
  es_bleu_seg *seg_nltk, *seg_13a;
  es_lcs_stats *lcs_nltk, *lcs_rouge, *lcs_stem; /* ROUGE-L of each tokenization */
  double *f1, *len_nltk, *len_13a, *sbleu;
} per_line;

/* One thread's share: lines [a, b). */
typedef struct {
  unsigned work;
  const char *const *refs, *const *hyps;
  size_t a, b;
  per_line *out;
  es_vocab *vocab;        /* this thread's token ids */
  es_seq *dist_nltk;      /* per line of [a, b): Distinct tokens of each source */
  es_seq *dist_space;
  int32_t *stem_of;       /* token id -> id of its Porter stem, -1 not yet known */
  size_t stem_cap;
  es_status st;
  size_t bad_line;
  int bad_side;
} job;

/* Length of s without trailing Python white space (str.rstrip()). */
static size_t rstrip_len(const char *s) {
  size_t n = strlen(s);
  for (;;) {
    size_t k = n, w = 0;
    while (k > 0 && n - k < 3 && ((unsigned char)s[k - 1] & 0xc0) == 0x80) k--;
    if (k > 0) w = es_tok_space_len((const unsigned char *)s + k - 1, n - k + 1);
    if (!w || k - 1 + w != n) return n;
    n = k - 1;
  }
}


/* The same; with strip, each side is rstrip()ed first (sacreBLEU strips
 * every segment before its tokenizer: it matters for 13a, which joins a
 * "-" and a line break). */
static es_status tokenize2_strip(es_tokenizer *t, job *j, size_t i, int strip, es_seq *ref,
                                 es_seq *hyp) {
  es_seq_clear(ref);
  es_seq_clear(hyp);
  es_status st = es_tokenize_ids(t, j->refs[i], strip ? rstrip_len(j->refs[i]) : strlen(j->refs[i]),
                                 j->vocab, ref);
  if (st != ES_OK) {
    j->bad_line = i;
    j->bad_side = 0;
    return st;
  }
  st = es_tokenize_ids(t, j->hyps[i], strip ? rstrip_len(j->hyps[i]) : strlen(j->hyps[i]),
                       j->vocab, hyp);
  if (st != ES_OK) {
    j->bad_line = i;
    j->bad_side = 1;
  }
  return st;
}

/* Tokenizes line i's reference and hypothesis with t. */
static es_status tokenize2(es_tokenizer *t, job *j, size_t i, es_seq *ref, es_seq *hyp) {
  return tokenize2_strip(t, j, i, 0, ref, hyp);
}

static es_status lcs_of(es_tokenizer *t, job *j, size_t i, es_seq *ref, es_seq *hyp,
                        es_lcs_stats *lcs) {
  es_status st = tokenize2(t, j, i, ref, hyp);
  return st != ES_OK ? st : es_lcs_stats_get(hyp->ids, hyp->len, ref->ids, ref->len, lcs);
}

/* Replaces every id of q by the id of its stem as rouge_score computes it
 * (nltk's Porter stemmer on tokens longer than 3 bytes; an empty result is
 * dropped like rouge_score's final filter drops it). */
static es_status stem_ids(job *j, es_seq *q) {
  size_t out = 0;
  for (size_t k = 0; k < q->len; k++) {
    int32_t id = q->ids[k];
    if ((size_t)id >= j->stem_cap) {
      size_t cap = j->stem_cap ? j->stem_cap : 4096;
      while (cap <= (size_t)id) cap *= 2;
      int32_t *m = realloc(j->stem_of, cap * sizeof *m);
      if (!m) return ES_ERR_NOMEM;
      memset(m + j->stem_cap, 0xff, (cap - j->stem_cap) * sizeof *m);
      j->stem_of = m;
      j->stem_cap = cap;
    }
    if (j->stem_of[id] < 0) {
      size_t len;
      const char *w = es_vocab_str(j->vocab, id, &len);
      int32_t sid = id;
      if (len > 3) {
        char buf[256], *stem = len < sizeof buf ? buf : malloc(len + 1);
        if (!stem) return ES_ERR_NOMEM;
        size_t sl = es_porter_stem(w, len, stem);
        sid = sl ? es_vocab_intern(j->vocab, stem, sl) : INT32_MAX;
        if (stem != buf) free(stem);
        if (sid < 0) return ES_ERR_NOMEM;
      }
      j->stem_of[id] = sid; /* (the vocabulary may have moved w: not used again) */
    }
    if (j->stem_of[id] != INT32_MAX) q->ids[out++] = j->stem_of[id];
  }
  q->len = out;
  return ES_OK;
}

static void *run_job(void *arg) {
  job *j = arg;
  per_line *o = j->out;
  es_tokenizer *t_nltk = NULL, *t_13a = NULL, *t_rouge = NULL, *t_space = NULL;
  es_bleu_counter *bc = NULL;
  es_seq ref = {0}, hyp = {0};
  es_status st = ES_OK;
  if ((j->work & W_NLTK) && (st = es_tokenizer_new(ES_TOK_NLTK, ES_TOK_LOWER | ES_TOK_VALID_UTF8, &t_nltk)) != ES_OK) goto out;
  if ((j->work & W_13A) && (st = es_tokenizer_new(ES_TOK_13A, ES_TOK_VALID_UTF8, &t_13a)) != ES_OK) goto out;
  if ((j->work & (W_ROUGE | W_ROUGE_STEM)) && (st = es_tokenizer_new(ES_TOK_ROUGE, ES_TOK_VALID_UTF8, &t_rouge)) != ES_OK)
    goto out;
  if ((j->work & W_SPACE) && (st = es_tokenizer_new(ES_TOK_SPACE, ES_TOK_LOWER | ES_TOK_VALID_UTF8, &t_space)) != ES_OK)
    goto out;
  if ((st = es_bleu_counter_new(4, &bc)) != ES_OK) goto out;
  es_bleu_sacre_opts sent;
  es_bleu_sacre_defaults(&sent, 1);
  for (size_t i = j->a; i < j->b; i++) {
    es_lcs_stats lcs;
    /* validated once here, so that no tokenizer checks again */
    int ref_ok = es_utf8_validate(j->refs[i], strlen(j->refs[i]), NULL) == ES_OK;
    if (!ref_ok || es_utf8_validate(j->hyps[i], strlen(j->hyps[i]), NULL) != ES_OK) {
      st = ES_ERR_UTF8;
      j->bad_line = i;
      j->bad_side = ref_ok;
      goto out;
    }
    if (t_nltk) {
      if ((st = lcs_of(t_nltk, j, i, &ref, &hyp, &lcs)) != ES_OK) goto out;
      if ((st = es_bleu_count(bc, &hyp, &ref, 1, &o->seg_nltk[i])) != ES_OK) goto out;
      o->lcs_nltk[i] = lcs;
      es_ngram_stats uni;
      if ((st = es_ngram_stats_get(hyp.ids, hyp.len, ref.ids, ref.len, 1, &uni)) != ES_OK) goto out;
      o->f1[i] = 100.0 * es_esconv_f1(&uni, 1);
      o->len_nltk[i] = (double)hyp.len;
      es_seq *d = &j->dist_nltk[i - j->a];
      for (size_t k = 0; k < hyp.len; k++)
        if ((st = es_seq_push(d, hyp.ids[k])) != ES_OK) goto out;
    }
    if (t_13a) {
      if ((st = tokenize2_strip(t_13a, j, i, 1, &ref, &hyp)) != ES_OK) goto out;
      if ((st = es_bleu_count(bc, &hyp, &ref, 1, &o->seg_13a[i])) != ES_OK) goto out;
      o->len_13a[i] = (double)hyp.len;
      if (j->work & W_SENTENCE) {
        es_bleu_sums one;
        es_bleu_sacre_result r;
        es_bleu_sums_init(&one);
        es_bleu_sums_add(&one, &o->seg_13a[i]);
        if ((st = es_bleu_sacre_compute(&one, &sent, &r)) != ES_OK) goto out;
        o->sbleu[i] = r.score;
      }
    }
    if (t_rouge) {
      if ((st = tokenize2(t_rouge, j, i, &ref, &hyp)) != ES_OK) goto out;
      if (j->work & W_ROUGE) {
        if ((st = es_lcs_stats_get(hyp.ids, hyp.len, ref.ids, ref.len, &lcs)) != ES_OK) goto out;
        o->lcs_rouge[i] = lcs;
      }
      if (j->work & W_ROUGE_STEM) {
        if ((st = stem_ids(j, &ref)) != ES_OK || (st = stem_ids(j, &hyp)) != ES_OK) goto out;
        if ((st = es_lcs_stats_get(hyp.ids, hyp.len, ref.ids, ref.len, &lcs)) != ES_OK) goto out;
        o->lcs_stem[i] = lcs;
      }
    }
    if (t_space) {
      st = es_tokenize_ids(t_space, j->hyps[i], strlen(j->hyps[i]), j->vocab,
                           &j->dist_space[i - j->a]);
      if (st != ES_OK) {
        j->bad_line = i;
        j->bad_side = 1;
        goto out;
      }
    }
  }
out:
  j->st = st;
  es_tokenizer_free(t_nltk);
  es_tokenizer_free(t_13a);
  es_tokenizer_free(t_rouge);
  es_tokenizer_free(t_space);
  es_bleu_counter_free(bc);
  es_seq_release(&ref);
  es_seq_release(&hyp);
  return NULL;
}

/* Maps the Distinct tokens of threads 1.. into thread 0's vocabulary (one
 * lookup per vocabulary entry, not per token). */
static es_status merge_vocab(job *jobs, int nthreads) {
  for (int t = 1; t < nthreads; t++) {
    size_t nv = es_vocab_size(jobs[t].vocab);
    int32_t *map = malloc((nv ? nv : 1) * sizeof *map);
    if (!map) return ES_ERR_NOMEM;
    for (size_t id = 0; id < nv; id++) {
      size_t len;
      const char *str = es_vocab_str(jobs[t].vocab, (int32_t)id, &len);
      map[id] = es_vocab_intern(jobs[0].vocab, str, len);
      if (map[id] < 0) {
        free(map);
        return ES_ERR_NOMEM;
      }
    }
    for (size_t i = 0; i < jobs[t].b - jobs[t].a; i++) {
      es_seq *ds[2] = {jobs[t].dist_nltk ? &jobs[t].dist_nltk[i] : NULL,
                       jobs[t].dist_space ? &jobs[t].dist_space[i] : NULL};
      for (int k = 0; k < 2; k++)
        for (size_t q = 0; ds[k] && q < ds[k]->len; q++) ds[k]->ids[q] = map[ds[k]->ids[q]];
    }
    free(map);
  }
  return ES_OK;
}

/* Counts Distinct-1..3 over one token source of every job's lines. */
typedef struct {
  job *jobs;
  int nthreads;
  int space;      /* 1: dist_space, 0: dist_nltk */
  es_distinct *d;
  es_status st;
} distinct_job;

static void *run_distinct(void *arg) {
  distinct_job *dj = arg;
  dj->st = es_distinct_new(3, &dj->d);
  for (int t = 0; t < dj->nthreads && dj->st == ES_OK; t++) {
    es_seq *seqs = dj->space ? dj->jobs[t].dist_space : dj->jobs[t].dist_nltk;
    for (size_t i = 0; i < dj->jobs[t].b - dj->jobs[t].a && dj->st == ES_OK; i++)
      dj->st = es_distinct_add(dj->d, seqs[i].ids, seqs[i].len);
  }
  return NULL;
}

/* Neumaier-compensated mean: the exact mean up to the last bit, like fsum. */
static double mean(const double *x, size_t n) {
  double sum = 0.0, c = 0.0;
  for (size_t i = 0; i < n; i++) {
    double t = sum + x[i];
    c += fabs(sum) >= fabs(x[i]) ? (sum - t) + x[i] : (x[i] - t) + sum;
    sum = t;
  }
  return n ? (sum + c) / (double)n : 0.0;
}

/* Appends a metric. With lines, the per-line values are copied (n of them).
 * Returns ES_ERR_NOMEM when the copy fails. */
static es_status add_metric(es_scores *s, const char *name, double value, const double *lines,
                            const char *signature) {
  es_metric *m = &s->m[s->nm];
  if (lines) {
    s->lines[s->nm] = malloc((s->n ? s->n : 1) * sizeof *lines);
    if (!s->lines[s->nm]) return ES_ERR_NOMEM;
    memcpy(s->lines[s->nm], lines, s->n * sizeof *lines);
  }
  m->name = name;
  m->value = lines ? mean(lines, s->n) : value;
  m->lines = s->lines[s->nm];
  snprintf(s->sig[s->nm], sizeof s->sig[0], "%s", signature);
  m->signature = s->sig[s->nm];
  s->nm++;
  return ES_OK;
}

#define VERSION_FIELD "version:esbench-" ESMETRICS_VERSION

/* rouge-l (the F of the profile: beta 1.2 for the ESConv code, else F1)
 * with its precision and recall, per line and as means, x100. */
static es_status add_rouge(es_scores *s, const es_lcs_stats *lcs, int esconv, const char *sig) {
  double *x = malloc((s->n ? s->n : 1) * sizeof *x);
  es_status st = ES_ERR_NOMEM;
  if (!x) return st;
  static const char *const names[3] = {"rouge-l", "rouge-l-p", "rouge-l-r"};
  for (int k = 0; k < 3; k++) {
    for (size_t i = 0; i < s->n; i++) {
      es_rouge_score r = es_rouge_l(lcs[i]); /* P = lcs/hyp, R = lcs/ref, 0 when empty */
      x[i] = 100.0 * (k == 1 ? r.precision
                      : k == 2 ? r.recall
                      : esconv ? es_esconv_rouge_l(&lcs[i], 1)
                               : r.fmeasure);
    }
    if ((st = add_metric(s, names[k], 0, x, sig)) != ES_OK) break;
  }
  free(x);
  return st;
}

es_status es_profile_bleu(es_profile p, const es_bleu_sums *sums, int order, double *out) {
  if (order < 1 || order > 4) return ES_ERR_ARG;
  if (p == ES_PROFILE_ESCONV) {
    double b[4] = {0, 0, 0, 0};
    es_status st = sums->nseg ? es_bleu_esconv(sums, b) : ES_OK;
    *out = b[order - 1];
    return st;
  }
  es_bleu_sacre_opts opt;
  es_bleu_sacre_result r;
  es_bleu_sacre_defaults(&opt, 0);
  opt.max_order = order;
  es_status st = es_bleu_sacre_compute(sums, &opt, &r);
  *out = r.score;
  return st;
}

/* The metrics of profile p from the shared per-line results and Distinct
 * counts. */
static es_status build_scores(es_profile p, size_t n, const per_line *o,
                              const es_distinct *dist_nltk, const es_distinct *dist_space,
                              es_scores **out) {
  static const char *const bleu_names[4] = {"bleu-1", "bleu-2", "bleu-3", "bleu-4"};
  static const char *const dist_names[3] = {"dist-1", "dist-2", "dist-3"};
  es_status st = ES_ERR_NOMEM;
  char sig[192];
  es_scores *s = calloc(1, sizeof *s);
  if (!s) return ES_ERR_NOMEM;
  s->p = p;
  s->n = n;
  const es_bleu_seg *segs = p == ES_PROFILE_ESCONV ? o->seg_nltk : o->seg_13a;
  s->segs = malloc((n ? n : 1) * sizeof *s->segs);
  if (!s->segs) goto fail;
  memcpy(s->segs, segs, n * sizeof *segs);
  es_bleu_sums sums;
  es_bleu_sums_init(&sums);
  for (size_t i = 0; i < n; i++) es_bleu_sums_add(&sums, &segs[i]);

  if (p == ES_PROFILE_ESCONV) {
    double b[4] = {0, 0, 0, 0};
    if (n && (st = es_bleu_esconv(&sums, b)) != ES_OK) goto fail;
    snprintf(sig, sizeof sig, "esconv|tok:nltk-word-lower|bleu:nltk3.8-corpus|smooth:method3|%s",
             VERSION_FIELD);
    for (int k = 0; k < 4; k++)
      if ((st = add_metric(s, bleu_names[k], b[k], NULL, sig)) != ES_OK) goto fail;
    snprintf(sig, sizeof sig, "esconv|tok:nltk-word-lower|rouge-l:lcs-f-beta1.2|mean|%s",
             VERSION_FIELD);
    if ((st = add_rouge(s, o->lcs_nltk, 1, sig)) != ES_OK) goto fail;
    snprintf(sig, sizeof sig, "esconv|tok:nltk-word-lower|unigram-f1|mean|%s", VERSION_FIELD);
    if ((st = add_metric(s, "f1", 0, o->f1, sig)) != ES_OK) goto fail;
    snprintf(sig, sizeof sig, "esconv|tok:nltk-word-lower|distinct:corpus,skip-last-ngram|%s",
             VERSION_FIELD);
    for (int k = 0; k < 3; k++)
      if ((st = add_metric(s, dist_names[k],
                           100.0 * es_distinct_score(dist_nltk, (unsigned)k + 1, ES_DISTINCT_ESCONV),
                           NULL, sig)) != ES_OK)
        goto fail;
    snprintf(sig, sizeof sig, "esconv|tok:nltk-word-lower|mean-hyp-tokens|%s", VERSION_FIELD);
    if ((st = add_metric(s, "length", 0, o->len_nltk, sig)) != ES_OK) goto fail;
  } else {
    for (int k = 0; k < 4; k++) {
      es_bleu_sacre_opts opt;
      es_bleu_sacre_result r;
      es_bleu_sacre_defaults(&opt, 0);
      opt.max_order = k + 1;
      if ((st = es_bleu_sacre_compute(&sums, &opt, &r)) != ES_OK) goto fail;
      es_bleu_sig_info info = {.nrefs = 1, .tok = "13a"};
      es_bleu_sacre_signature(&opt, &info, 0, sig, sizeof sig);
      if ((st = add_metric(s, bleu_names[k], r.score, NULL, sig)) != ES_OK) goto fail;
    }
    if (p == ES_PROFILE_SACREBLEU) {
      snprintf(sig, sizeof sig,
               "sacrebleu-sentence|nrefs:1|case:mixed|eff:yes|tok:13a|smooth:exp|%s", VERSION_FIELD);
      if ((st = add_metric(s, "sentence-bleu", 0, o->sbleu, sig)) != ES_OK) goto fail;
    }
    int stem = p == ES_PROFILE_ROUGE_SCORE;
    snprintf(sig, sizeof sig, "rouge_score|rougeL|tok:default|stem:%s|mean-f|%s",
             stem ? "porter" : "no", VERSION_FIELD);
    if ((st = add_rouge(s, stem ? o->lcs_stem : o->lcs_rouge, 0, sig)) != ES_OK) goto fail;
    snprintf(sig, sizeof sig, "distinct|tok:lower-split|distinct:corpus|%s", VERSION_FIELD);
    for (int k = 0; k < 3; k++)
      if ((st = add_metric(s, dist_names[k],
                           100.0 * es_distinct_score(dist_space, (unsigned)k + 1, ES_DISTINCT_STANDARD),
                           NULL, sig)) != ES_OK)
        goto fail;
    snprintf(sig, sizeof sig, "%s|tok:13a|mean-hyp-tokens|%s", profiles[p].name, VERSION_FIELD);
    if ((st = add_metric(s, "length", 0, o->len_13a, sig)) != ES_OK) goto fail;
  }
  *out = s;
  return ES_OK;
fail:
  es_scores_free(s);
  return st;
}

es_status es_score_corpus_multi(const es_profile *ps, size_t np, const char *const *refs,
                                const char *const *hyps, size_t n, int nthreads,
                                es_scores **outs, size_t *bad_line, int *bad_side) {
  unsigned work = 0;
  for (size_t k = 0; k < np; k++) {
    outs[k] = NULL;
    if ((unsigned)ps[k] >= NPROFILES) return ES_ERR_ARG;
    work |= profiles[ps[k]].work;
  }
  if (nthreads < 1) nthreads = 1;
  if (nthreads > MAX_THREADS) nthreads = MAX_THREADS;
  if ((size_t)nthreads > n / 256 + 1) nthreads = (int)(n / 256 + 1); /* small inputs: one */
  es_status st = ES_ERR_NOMEM;
  job jobs[MAX_THREADS];
  pthread_t tids[MAX_THREADS];
  distinct_job dj[2];
  memset(jobs, 0, sizeof jobs);
  memset(dj, 0, sizeof dj);
  per_line o = {0};
  size_t nn = n ? n : 1;
  int ok = 1;
#define ALLOC(field, bit) \
  if (work & (bit)) ok &= (o.field = malloc(nn * sizeof *o.field)) != NULL
  ALLOC(seg_nltk, W_NLTK);
  ALLOC(lcs_nltk, W_NLTK);
  ALLOC(f1, W_NLTK);
  ALLOC(len_nltk, W_NLTK);
  ALLOC(seg_13a, W_13A);
  ALLOC(len_13a, W_13A);
  ALLOC(sbleu, W_SENTENCE);
  ALLOC(lcs_rouge, W_ROUGE);
  ALLOC(lcs_stem, W_ROUGE_STEM);
#undef ALLOC
  int started = 0;
  for (int t = 0; t < nthreads && ok; t++) {
    job *j = &jobs[t];
    j->work = work;
    j->refs = refs;
    j->hyps = hyps;
    j->a = n * (size_t)t / (size_t)nthreads;
    j->b = n * (size_t)(t + 1) / (size_t)nthreads;
    j->out = &o;
    size_t lines = j->b - j->a ? j->b - j->a : 1;
    ok &= (j->vocab = es_vocab_new()) != NULL;
    if (work & W_NLTK) ok &= (j->dist_nltk = calloc(lines, sizeof *j->dist_nltk)) != NULL;
    if (work & W_SPACE) ok &= (j->dist_space = calloc(lines, sizeof *j->dist_space)) != NULL;
  }
  if (!ok) goto fail;
  for (; started < nthreads - 1; started++)
    if (pthread_create(&tids[started], NULL, run_job, &jobs[started + 1]) != 0) break;
  run_job(&jobs[0]);
  for (int t = started + 1; t < nthreads; t++) run_job(&jobs[t]); /* no thread for these */
  for (int t = 0; t < started; t++) pthread_join(tids[t], NULL);
  for (int t = 0; t < nthreads; t++)
    if (jobs[t].st != ES_OK) {
      st = jobs[t].st;
      if (bad_line) *bad_line = jobs[t].bad_line;
      if (bad_side) *bad_side = jobs[t].bad_side;
      goto fail;
    }
  if ((st = merge_vocab(jobs, nthreads)) != ES_OK) goto fail;

  /* Distinct per token source; the two sources count in parallel */
  int nd = 0;
  if (work & W_NLTK) dj[nd++] = (distinct_job){jobs, nthreads, 0, NULL, ES_OK};
  if (work & W_SPACE) dj[nd++] = (distinct_job){jobs, nthreads, 1, NULL, ES_OK};
  pthread_t dtid;
  int dthread = nd == 2 && nthreads > 1 && pthread_create(&dtid, NULL, run_distinct, &dj[1]) == 0;
  run_distinct(&dj[0]);
  if (nd == 2 && !dthread) run_distinct(&dj[1]);
  if (dthread) pthread_join(dtid, NULL);
  for (int k = 0; k < nd; k++)
    if ((st = dj[k].st) != ES_OK) goto fail;
  es_distinct *dist_nltk = (work & W_NLTK) ? dj[0].d : NULL;
  es_distinct *dist_space = (work & W_SPACE) ? dj[nd - 1].d : NULL;
  for (size_t k = 0; k < np; k++)
    if ((st = build_scores(ps[k], n, &o, dist_nltk, dist_space, &outs[k])) != ES_OK) goto fail;
  st = ES_OK;
fail:
  if (st != ES_OK)
    for (size_t k = 0; k < np; k++) {
      es_scores_free(outs[k]);
      outs[k] = NULL;
    }
  for (int k = 0; k < 2; k++) es_distinct_free(dj[k].d);
  for (int t = 0; t < nthreads; t++) {
    for (size_t i = 0; i < jobs[t].b - jobs[t].a; i++) {
      if (jobs[t].dist_nltk) es_seq_release(&jobs[t].dist_nltk[i]);
      if (jobs[t].dist_space) es_seq_release(&jobs[t].dist_space[i]);
    }
    free(jobs[t].dist_nltk);
    free(jobs[t].dist_space);
    free(jobs[t].stem_of);
    es_vocab_free(jobs[t].vocab);
  }
  free(o.seg_nltk);
  free(o.seg_13a);
  free(o.lcs_nltk);
  free(o.f1);
  free(o.len_nltk);
  free(o.len_13a);
  free(o.sbleu);
  free(o.lcs_rouge);
  free(o.lcs_stem);
  return st;
}

es_status es_score_corpus(es_profile p, const char *const *refs, const char *const *hyps,
                          size_t n, int nthreads, es_scores **out, size_t *bad_line,
                          int *bad_side) {
  return es_score_corpus_multi(&p, 1, refs, hyps, n, nthreads, out, bad_line, bad_side);
}

void es_scores_free(es_scores *s) {
  if (!s) return;
  for (size_t k = 0; k < MAX_METRICS; k++) free(s->lines[k]);
  free(s->segs);
  free(s);
}

size_t es_scores_count(const es_scores *s) { return s->nm; }
const es_metric *es_scores_get(const es_scores *s, size_t i) { return i < s->nm ? &s->m[i] : NULL; }

const es_metric *es_scores_find(const es_scores *s, const char *name) {
  for (size_t i = 0; i < s->nm; i++)
    if (!strcmp(s->m[i].name, name)) return &s->m[i];
  return NULL;
}

const es_bleu_seg *es_scores_bleu_segs(const es_scores *s) { return s->segs; }
size_t es_scores_lines(const es_scores *s) { return s->n; }
