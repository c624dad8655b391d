/*
 * profile.c: scoring a corpus with every metric of one profile.
 *
 * The lines are cut into one contiguous block per thread. Each thread
 * tokenizes its block into its own vocabulary and computes everything that
 * is per line (BLEU statistics, LCS, unigram overlap, lengths). The main
 * thread then maps the other threads' distinct-n tokens into the first
 * thread's vocabulary (one lookup per vocabulary entry, not per token),
 * counts Distinct-n over the whole corpus and sums the BLEU statistics.
 */
#include "profile.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esmetrics.h"

#define MAX_METRICS 16
#define MAX_THREADS 64

typedef enum { BLEU_NLTK_ESCONV, BLEU_SACRE } bleu_kind;
typedef enum { ROUGE_ESCONV, ROUGE_SCORE } rouge_kind;

/* The profiles. Adding one: a row here (and its enum value in profile.h). */
static const struct {
  const char *name;
  es_tok_kind bleu_tok;       /* tokens of BLEU, f1 and length */
  unsigned bleu_flags;
  bleu_kind bleu;
  es_tok_kind rouge_tok;      /* tokens of ROUGE-L */
  unsigned rouge_flags;
  rouge_kind rouge;
  es_tok_kind dist_tok;       /* tokens of Distinct-n */
  unsigned dist_flags;
  int dist_skip_last;         /* the ESConv variant */
  int sentence_bleu, f1;      /* whether these metrics exist in the profile */
} profiles[] = {
    [ES_PROFILE_ESCONV] = {"esconv", ES_TOK_NLTK, ES_TOK_LOWER, BLEU_NLTK_ESCONV, ES_TOK_NLTK,
                           ES_TOK_LOWER, ROUGE_ESCONV, ES_TOK_NLTK, ES_TOK_LOWER, 1, 0, 1},
    [ES_PROFILE_SACREBLEU] = {"sacrebleu", ES_TOK_13A, 0, BLEU_SACRE, ES_TOK_ROUGE, 0,
                              ROUGE_SCORE, ES_TOK_SPACE, ES_TOK_LOWER, 0, 1, 0},
    [ES_PROFILE_ROUGE_SCORE] = {"rouge_score", ES_TOK_13A, 0, BLEU_SACRE, ES_TOK_ROUGE_PORTER,
                                0, ROUGE_SCORE, ES_TOK_SPACE, ES_TOK_LOWER, 0, 0, 0},
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

/* One thread's share: lines [a, b). */
typedef struct {
  es_profile p;
  const char *const *refs, *const *hyps;
  size_t a, b;
  es_vocab *vocab;
  es_seq *dist;          /* distinct-n tokens of each hypothesis in [a, b) */
  es_bleu_seg *segs;     /* all lines; this thread writes [a, b) */
  double *rouge, *f1, *len, *sbleu;
  es_status st;
  size_t bad_line;
  int bad_side;
} job;

static es_status tokenize2(es_tokenizer *t, job *j, size_t i, es_seq *ref, es_seq *hyp) {
  es_seq_clear(ref);
  es_seq_clear(hyp);
  es_status st = es_tokenize_ids(t, j->refs[i], strlen(j->refs[i]), j->vocab, ref);
  if (st != ES_OK) {
    j->bad_line = i;
    j->bad_side = 0;
    return st;
  }
  st = es_tokenize_ids(t, j->hyps[i], strlen(j->hyps[i]), j->vocab, hyp);
  if (st != ES_OK) {
    j->bad_line = i;
    j->bad_side = 1;
  }
  return st;
}

static void *run_job(void *arg) {
  job *j = arg;
  const __typeof__(profiles[0]) *pr = &profiles[j->p];
  es_tokenizer *tb = NULL, *tr = NULL, *td = NULL;
  es_bleu_counter *bc = NULL;
  es_seq ref = {0}, hyp = {0}, rref = {0}, rhyp = {0};
  es_status st;
  if ((st = es_tokenizer_new(pr->bleu_tok, pr->bleu_flags, &tb)) != ES_OK) goto out;
  int rouge_same = pr->rouge_tok == pr->bleu_tok && pr->rouge_flags == pr->bleu_flags;
  int dist_same = pr->dist_tok == pr->bleu_tok && pr->dist_flags == pr->bleu_flags;
  if (!rouge_same && (st = es_tokenizer_new(pr->rouge_tok, pr->rouge_flags, &tr)) != ES_OK) goto out;
  if (!dist_same && (st = es_tokenizer_new(pr->dist_tok, pr->dist_flags, &td)) != ES_OK) goto out;
  if ((st = es_bleu_counter_new(4, &bc)) != ES_OK) goto out;
  es_bleu_sacre_opts sent;
  es_bleu_sacre_defaults(&sent, 1);
  for (size_t i = j->a; i < j->b; i++) {
    if ((st = tokenize2(tb, j, i, &ref, &hyp)) != ES_OK) goto out;
    if ((st = es_bleu_count(bc, &hyp, &ref, 1, &j->segs[i])) != ES_OK) goto out;
    j->len[i] = (double)hyp.len;
    if (pr->sentence_bleu) {
      es_bleu_sums one;
      es_bleu_sacre_result r;
      es_bleu_sums_init(&one);
      es_bleu_sums_add(&one, &j->segs[i]);
      if ((st = es_bleu_sacre_compute(&one, &sent, &r)) != ES_OK) goto out;
      j->sbleu[i] = r.score;
    }
    const es_seq *rr = &ref, *rh = &hyp;
    if (tr) {
      if ((st = tokenize2(tr, j, i, &rref, &rhyp)) != ES_OK) goto out;
      rr = &rref;
      rh = &rhyp;
    }
    es_lcs_stats lcs;
    if ((st = es_lcs_stats_get(rh->ids, rh->len, rr->ids, rr->len, &lcs)) != ES_OK) goto out;
    if (pr->rouge == ROUGE_ESCONV) {
      j->rouge[i] = 100.0 * es_esconv_rouge_l(&lcs, 1);
    } else {
      j->rouge[i] = 100.0 * es_rouge_l(lcs).fmeasure;
    }
    if (pr->f1) {
      es_ngram_stats uni;
      if ((st = es_ngram_stats_get(hyp.ids, hyp.len, ref.ids, ref.len, 1, &uni)) != ES_OK) goto out;
      j->f1[i] = 100.0 * es_esconv_f1(&uni, 1);
    }
    es_seq *d = &j->dist[i - j->a];
    if (td) {
      st = es_tokenize_ids(td, j->hyps[i], strlen(j->hyps[i]), j->vocab, d);
      if (st != ES_OK) {
        j->bad_line = i;
        j->bad_side = 1;
        goto out;
      }
    } else {
      for (size_t k = 0; k < hyp.len; k++)
        if ((st = es_seq_push(d, hyp.ids[k])) != ES_OK) goto out;
    }
  }
  st = ES_OK;
out:
  j->st = st;
  es_tokenizer_free(tb);
  es_tokenizer_free(tr);
  es_tokenizer_free(td);
  es_bleu_counter_free(bc);
  es_seq_release(&ref);
  es_seq_release(&hyp);
  es_seq_release(&rref);
  es_seq_release(&rhyp);
  return NULL;
}

/* Appends a metric; lines (owned by s from now on) may be NULL. */
static void add_metric(es_scores *s, const char *name, double value, double *lines,
                       const char *signature) {
  es_metric *m = &s->m[s->nm];
  s->lines[s->nm] = lines;
  m->name = name;
  m->value = value;
  m->lines = lines;
  snprintf(s->sig[s->nm], sizeof s->sig[0], "%s", signature);
  m->signature = s->sig[s->nm];
  s->nm++;
}

static double mean(const double *x, size_t n) {
  /* Neumaier-compensated sum: the exact mean up to the last bit, like fsum */
  double sum = 0.0, c = 0.0;
  for (size_t i = 0; i < n; i++) {
    double t = sum + x[i];
    c += fabs(sum) >= fabs(x[i]) ? (sum - t) + x[i] : (x[i] - t) + sum;
    sum = t;
  }
  return n ? (sum + c) / (double)n : 0.0;
}

/* Maps every thread's distinct tokens into thread 0's vocabulary. */
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
      es_seq *d = &jobs[t].dist[i];
      for (size_t k = 0; k < d->len; k++) d->ids[k] = map[d->ids[k]];
    }
    free(map);
  }
  return ES_OK;
}

es_status es_score_corpus(es_profile p, const char *const *refs, const char *const *hyps,
                          size_t n, int nthreads, es_scores **out, size_t *bad_line,
                          int *bad_side) {
  *out = NULL;
  if ((unsigned)p >= NPROFILES) return ES_ERR_ARG;
  if (nthreads < 1) nthreads = 1;
  if (nthreads > MAX_THREADS) nthreads = MAX_THREADS;
  if ((size_t)nthreads > n / 256 + 1) nthreads = (int)(n / 256 + 1); /* small inputs: one */
  const __typeof__(profiles[0]) *pr = &profiles[p];
  es_status st = ES_ERR_NOMEM;
  es_distinct *dist = NULL;
  job jobs[MAX_THREADS];
  pthread_t tids[MAX_THREADS];
  memset(jobs, 0, sizeof jobs);
  es_scores *s = calloc(1, sizeof *s);
  if (!s) return ES_ERR_NOMEM;
  s->p = p;
  s->n = n;
  size_t nn = n ? n : 1;
  s->segs = calloc(nn, sizeof *s->segs);
  double *rouge = malloc(nn * sizeof *rouge), *f1 = malloc(nn * sizeof *f1),
         *len = malloc(nn * sizeof *len), *sbleu = malloc(nn * sizeof *sbleu);
  if (!s->segs || !rouge || !f1 || !len || !sbleu) goto fail;
  int started = 0;
  for (int t = 0; t < nthreads; t++) {
    job *j = &jobs[t];
    j->p = p;
    j->refs = refs;
    j->hyps = hyps;
    j->a = n * (size_t)t / (size_t)nthreads;
    j->b = n * (size_t)(t + 1) / (size_t)nthreads;
    j->vocab = es_vocab_new();
    j->dist = calloc(j->b - j->a ? j->b - j->a : 1, sizeof *j->dist);
    j->segs = s->segs;
    j->rouge = rouge;
    j->f1 = f1;
    j->len = len;
    j->sbleu = sbleu;
    if (!j->vocab || !j->dist) goto join;
  }
  for (; started < nthreads - 1; started++)
    if (pthread_create(&tids[started], NULL, run_job, &jobs[started + 1]) != 0) break;
  run_job(&jobs[0]);
join:
  for (int t = 0; t < started; t++) pthread_join(tids[t], NULL);
  for (int t = 0; t < nthreads; t++) {
    if (!jobs[t].vocab || !jobs[t].dist) goto fail;
    if (t > 0 && t - 1 >= started) goto fail; /* thread did not start */
    if (jobs[t].st != ES_OK) {
      st = jobs[t].st;
      if (bad_line) *bad_line = jobs[t].bad_line;
      if (bad_side) *bad_side = jobs[t].bad_side;
      goto fail;
    }
  }
  if ((st = merge_vocab(jobs, nthreads)) != ES_OK) goto fail;

  /* ---- corpus-level values ---- */
  es_bleu_sums sums;
  es_bleu_sums_init(&sums);
  for (size_t i = 0; i < n; i++) es_bleu_sums_add(&sums, &s->segs[i]);
  static const char *const bleu_names[4] = {"bleu-1", "bleu-2", "bleu-3", "bleu-4"};
  static const char *const dist_names[3] = {"dist-1", "dist-2", "dist-3"};
  const char *ver = "version:esbench-" ESMETRICS_VERSION;
  char sig[192];
  if (pr->bleu == BLEU_NLTK_ESCONV) {
    double b[4] = {0, 0, 0, 0};
    if (n && (st = es_bleu_esconv(&sums, b)) != ES_OK) goto fail;
    snprintf(sig, sizeof sig, "esconv|tok:nltk-word-lower|bleu:nltk3.8-corpus|smooth:method3|%s",
             ver);
    for (int k = 0; k < 4; k++) add_metric(s, bleu_names[k], b[k], NULL, sig);
  } else {
    for (int k = 0; k < 4; k++) {
      es_bleu_sacre_opts o;
      es_bleu_sacre_result r;
      es_bleu_sacre_defaults(&o, 0);
      o.max_order = k + 1;
      if ((st = es_bleu_sacre_compute(&sums, &o, &r)) != ES_OK) goto fail;
      es_bleu_sig_info info = {.nrefs = 1, .tok = "13a"};
      es_bleu_sacre_signature(&o, &info, 0, sig, sizeof sig);
      add_metric(s, bleu_names[k], r.score, NULL, sig);
    }
  }
  if (pr->sentence_bleu) {
    snprintf(sig, sizeof sig, "sacrebleu-sentence|nrefs:1|case:mixed|eff:yes|tok:13a|smooth:exp|%s",
             ver);
    add_metric(s, "sentence-bleu", mean(sbleu, n), sbleu, sig);
    sbleu = NULL;
  }
  if (pr->rouge == ROUGE_ESCONV)
    snprintf(sig, sizeof sig, "esconv|tok:nltk-word-lower|rouge-l:lcs-f-beta1.2|mean|%s", ver);
  else
    snprintf(sig, sizeof sig, "rouge_score|rougeL|tok:default|stem:%s|mean-f|%s",
             pr->rouge_tok == ES_TOK_ROUGE_PORTER ? "porter" : "no", ver);
  add_metric(s, "rouge-l", mean(rouge, n), rouge, sig);
  rouge = NULL;
  if (pr->f1) {
    snprintf(sig, sizeof sig, "esconv|tok:nltk-word-lower|unigram-f1|mean|%s", ver);
    add_metric(s, "f1", mean(f1, n), f1, sig);
    f1 = NULL;
  }
  if ((st = es_distinct_new(3, &dist)) != ES_OK) goto fail;
  for (int t = 0; t < nthreads; t++)
    for (size_t i = 0; i < jobs[t].b - jobs[t].a; i++)
      if ((st = es_distinct_add(dist, jobs[t].dist[i].ids, jobs[t].dist[i].len)) != ES_OK)
        goto fail;
  if (pr->dist_skip_last)
    snprintf(sig, sizeof sig, "esconv|tok:nltk-word-lower|distinct:corpus,skip-last-ngram|%s", ver);
  else
    snprintf(sig, sizeof sig, "distinct|tok:lower-split|distinct:corpus|%s", ver);
  for (int k = 0; k < 3; k++)
    add_metric(s, dist_names[k],
               100.0 * es_distinct_score(dist, (unsigned)k + 1,
                                         pr->dist_skip_last ? ES_DISTINCT_ESCONV : ES_DISTINCT_STANDARD),
               NULL, sig);
  snprintf(sig, sizeof sig, "%s|tok:%s%s|mean-hyp-tokens|%s", pr->name,
           es_tok_kind_name(pr->bleu_tok), pr->bleu_flags & ES_TOK_LOWER ? "-lower" : "", ver);
  add_metric(s, "length", mean(len, n), len, sig);
  len = NULL;
  st = ES_OK;
  *out = s;
  s = NULL;
fail:
  es_distinct_free(dist);
  for (int t = 0; t < nthreads; t++) {
    if (jobs[t].dist)
      for (size_t i = 0; i < jobs[t].b - jobs[t].a; i++) es_seq_release(&jobs[t].dist[i]);
    free(jobs[t].dist);
    es_vocab_free(jobs[t].vocab);
  }
  free(rouge);
  free(f1);
  free(len);
  free(sbleu);
  es_scores_free(s);
  return st;
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
