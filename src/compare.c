/*
 * compare.c: models against a baseline with intervals and paired tests,
 * from results.json (see compare.h).
 */
#include "compare.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "exitcode.h"
#include "extract.h"
#include "outdir.h"
#include "stats.h"
#include "tokenize.h"

enum { K_BLEU, K_MEAN, K_DISTINCT, K_STRATEGY, K_JUDGE };

#define ES_COMPARE_THREADS 2

/* What one model brought from its run. */
typedef struct {
  const cJSON *json;     /* its entry in models[] */
  cJSON *root;           /* the run's document (not owned) */
  es_bleu_seg *seg;      /* per instance (zero where not answered) */
  unsigned char *answered;
  char **body;           /* per instance: the scored reply text, or NULL */
} model_data;

typedef struct {
  int kind;
  int order;             /* BLEU / DISTINCT: n */
  const char *key;       /* MEAN: the per-instance score key; JUDGE: the rubric */
  double scale;
  es_profile profile;
} metric_def;

static int oom(es_error *err) { return es_error_set(err, ES_EXIT_INTERNAL, "out of memory"); }

cJSON *es_results_load(const char *dir, es_error *err) {
  char path[4096];
  size_t dl = strlen(dir);
  if (dl > 5 && !strcmp(dir + dl - 5, ".json")) snprintf(path, sizeof path, "%s", dir);
  else snprintf(path, sizeof path, "%s/results.json", dir);
  FILE *f = fopen(path, "rb");
  if (!f) {
    es_error_set(err, ES_EXIT_USAGE, "cannot open '%s': %s", path, strerror(errno));
    return NULL;
  }
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = len >= 0 ? malloc((size_t)len + 1) : NULL;
  size_t got = buf ? fread(buf, 1, (size_t)len, f) : 0;
  fclose(f);
  if (!buf) {
    oom(err);
    return NULL;
  }
  buf[got] = 0;
  cJSON *j = cJSON_ParseWithLength(buf, got);
  free(buf);
  if (!j || !cJSON_IsObject(j) || !cJSON_GetObjectItemCaseSensitive(j, "instances") ||
      !cJSON_GetObjectItemCaseSensitive(j, "models")) {
    cJSON_Delete(j);
    es_error_set(err, ES_EXIT_USAGE, "'%s' is not an esbench results.json", path);
    return NULL;
  }
  return j;
}

static const cJSON *at(const cJSON *o, const char *a, const char *b, const char *c) {
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);
  if (b) x = cJSON_GetObjectItemCaseSensitive(x, b);
  if (c) x = cJSON_GetObjectItemCaseSensitive(x, c);
  return x;
}

static const char *str_at(const cJSON *o, const char *a, const char *b, const char *c) {
  const cJSON *x = at(o, a, b, c);
  return cJSON_IsString(x) ? x->valuestring : NULL;
}

/* Runs compare when their data, instances and shared metric signatures are
 * equal. */
static int check_comparable(cJSON *const *roots, char *const *runs, size_t nruns, es_error *err) {
  const char *ds0 = str_at(roots[0], "dataset", "sha256", NULL);
  const char *ids0 = str_at(roots[0], "dataset", "split", "instance_ids_sha256");
  for (size_t r = 1; r < nruns; r++) {
    const char *ds = str_at(roots[r], "dataset", "sha256", NULL);
    const char *ids = str_at(roots[r], "dataset", "split", "instance_ids_sha256");
    if (!ds0 || !ds || strcmp(ds0, ds))
      return es_error_set(err, ES_EXIT_INCOMPARABLE,
                          "'%s' and '%s' evaluated different data (dataset sha256 %.12s... and %.12s...)",
                          runs[0], runs[r], ds0 ? ds0 : "?", ds ? ds : "?");
    if (!ids0 || !ids || strcmp(ids0, ids))
      return es_error_set(err, ES_EXIT_INCOMPARABLE,
                          "'%s' and '%s' evaluated different instances (instance ids sha256 "
                          "%.12s... and %.12s...: another split, context or max_instances)",
                          runs[0], runs[r], ids0 ? ids0 : "?", ids ? ids : "?");
    const cJSON *s0 = cJSON_GetObjectItemCaseSensitive(roots[0], "signatures"), *sig;
    cJSON_ArrayForEach(sig, cJSON_GetObjectItemCaseSensitive(roots[r], "signatures")) {
      const cJSON *o = cJSON_GetObjectItemCaseSensitive(s0, sig->string);
      if (cJSON_IsString(o) && cJSON_IsString(sig) && strcmp(o->valuestring, sig->valuestring))
        return es_error_set(err, ES_EXIT_INCOMPARABLE,
                            "'%s' and '%s' computed %s differently ('%s' and '%s')", runs[0],
                            runs[r], sig->string, o->valuestring, sig->valuestring);
    }
  }
  return 0;
}

/* The per-instance values of metric md for model m (NAN where none). */
static void values_of(const cJSON *instances, const char *model, const metric_def *md, double *x) {
  size_t i = 0;
  const cJSON *in;
  cJSON_ArrayForEach(in, instances) {
    const cJSON *r = at(in, "replies", model, NULL);
    x[i] = NAN;
    if (md->kind == K_MEAN) {
      const cJSON *v = at(r, "scores", md->key, NULL);
      if (cJSON_IsNumber(v)) x[i] = v->valuedouble;
    } else if (md->kind == K_STRATEGY) {
      const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, "strategy_correct");
      if (cJSON_IsBool(v)) x[i] = cJSON_IsTrue(v) ? 1 : 0;
    } else if (md->kind == K_JUDGE) {
      const cJSON *v = at(r, "judge", md->key, "score");
      if (cJSON_IsNumber(v)) x[i] = v->valuedouble;
    }
    i++;
  }
}

typedef struct {
  es_compare *c;
  model_data *md;
  cJSON *const *roots;
  const metric_def *defs;
  es_distinct **dist;   /* per DISTINCT metric order: every model's lines (model k at k * n) */
} ctx;

/* The data of model m for metric k over all n instances. */
static es_stat_data stat_data(ctx *x, size_t m, size_t k, double *vals) {
  const metric_def *d = &x->defs[k];
  size_t n = x->c->instances;
  es_stat_data s = {0};
  s.n = n;
  if (d->kind == K_BLEU) {
    s.kind = ES_STAT_BLEU;
    s.seg = x->md[m].seg;
    s.profile = d->profile;
    s.order = d->order;
  } else if (d->kind == K_DISTINCT) {
    s.kind = ES_STAT_DISTINCT;
    s.dist = x->dist[d->order - 1];
    s.line0 = m * n;
    s.order = d->order;
    s.variant = d->profile == ES_PROFILE_ESCONV ? ES_DISTINCT_ESCONV : ES_DISTINCT_STANDARD;
  } else {
    s.kind = ES_STAT_MEAN;
    s.x = vals;
    s.scale = d->scale;
  }
  return s;
}

/* Restricts s to the instances keep[0..nk): a copy of their values or
 * segments into xbuf or sbuf, or for DISTINCT their positions in pbuf (the
 * counter keeps every line; es_stat_data.subset picks them). */
static void subset(es_stat_data *s, const size_t *keep, size_t nk, double *xbuf, es_bleu_seg *sbuf,
                   uint32_t *pbuf) {
  if (s->kind == ES_STAT_MEAN) {
    for (size_t k = 0; k < nk; k++) xbuf[k] = s->x[keep[k]];
    s->x = xbuf;
  } else if (s->kind == ES_STAT_BLEU) {
    for (size_t k = 0; k < nk; k++) sbuf[k] = s->seg[keep[k]];
    s->seg = sbuf;
  } else {
    for (size_t k = 0; k < nk; k++) pbuf[k] = (uint32_t)keep[k];
    s->subset = pbuf;
  }
  s->n = nk;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Scratch of one worker thread. */
typedef struct {
  double **vals;
  size_t *keep;
  double *xa, *xb, *ra, *rb;
  es_bleu_seg *sa, *sb;
  uint32_t *pos;
} scratch;

static void scratch_free(scratch *w, size_t nm) {
  for (size_t m = 0; w->vals && m < nm; m++) free(w->vals[m]);
  free(w->vals);
  free(w->keep);
  free(w->xa);
  free(w->xb);
  free(w->ra);
  free(w->rb);
  free(w->sa);
  free(w->sb);
  free(w->pos);
}

static int scratch_init(scratch *w, size_t n, size_t nm, size_t B) {
  memset(w, 0, sizeof *w);
  size_t nn = n ? n : 1;
  w->vals = calloc(nm ? nm : 1, sizeof *w->vals);
  w->keep = malloc(nn * sizeof *w->keep);
  w->xa = malloc(nn * sizeof *w->xa);
  w->xb = malloc(nn * sizeof *w->xb);
  w->sa = malloc(nn * sizeof *w->sa);
  w->sb = malloc(nn * sizeof *w->sb);
  w->pos = malloc(nn * sizeof *w->pos);
  w->ra = malloc((B ? B : 1) * sizeof *w->ra);
  w->rb = malloc((B ? B : 1) * sizeof *w->rb);
  if (!w->vals || !w->keep || !w->xa || !w->xb || !w->sa || !w->sb || !w->pos || !w->ra || !w->rb) return -1;
  for (size_t m = 0; m < nm; m++)
    if (!(w->vals[m] = malloc(nn * sizeof **w->vals))) return -1;
  return 0;
}

/* Metric k for every model: values, intervals, tests. 0, or -1 (memory). */
static int one_metric(ctx *x, size_t k, scratch *w) {
  es_compare *c = x->c;
  size_t n = c->instances, nm = c->nmodels, nk = c->nmetrics;
  size_t B = (size_t)c->bootstrap;
  double **vals = w->vals, *xa = w->xa, *xb = w->xb, *ra = w->ra, *rb = w->rb;
  size_t *keep = w->keep;
  es_bleu_seg *sa = w->sa, *sb = w->sb;
  const metric_def *d = &x->defs[k];
  for (size_t m = 0; m < nm; m++) {
    const char *name = str_at(x->md[m].json, "name", NULL, NULL);
    values_of(cJSON_GetObjectItemCaseSensitive(x->roots[c->models[m].run], "instances"), name, d,
              vals[m]);
  }
  for (size_t m = 0; m < nm; m++) {
    es_cmp_cell *cell = &c->cells[m * nk + k];
    /* the model's own instances: answered, and with a value for MEAN kinds */
    size_t nkeep = 0;
    for (size_t i = 0; i < n; i++)
      if (x->md[m].answered[i] && (d->kind == K_BLEU || d->kind == K_DISTINCT || !isnan(vals[m][i])))
        keep[nkeep++] = i;
    es_stat_data s = stat_data(x, m, k, vals[m]);
    cell->n = nkeep;
    cell->value = cell->ci_low = cell->ci_high = NAN;
    if (nkeep == 0) continue;
    uint32_t *idx = es_stat_boot_indices(nkeep, B, c->seed);
    if (!idx) return -1;
    subset(&s, keep, nkeep, xa, sa, w->pos);
    cell->value = es_stat_value(&s, NULL, 0);
    es_stat_resample(&s, idx, B, ra);
    free(idx);
    qsort(ra, B, sizeof *ra, cmp_d);
    cell->ci_low = es_stat_quantile(ra, B, 0.025);
    cell->ci_high = es_stat_quantile(ra, B, 0.975);
  }
  /* paired tests against the baseline (or each model's counterpart) */
  for (size_t m = 0; m < nm; m++) {
    es_cmp_cell *cell = &c->cells[m * nk + k];
    size_t b0 = c->against[m];
    cell->p_bs = cell->p_ar = cell->p_t = cell->t = cell->p_w = cell->w = cell->p_mcnemar = NAN;
    cell->delta = NAN;
    if (b0 == SIZE_MAX || m == b0) continue;
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
      int ok = x->md[m].answered[i] && x->md[b0].answered[i];
      if (d->kind != K_BLEU && d->kind != K_DISTINCT) ok = ok && !isnan(vals[m][i]) && !isnan(vals[b0][i]);
      if (ok) keep[np++] = i;
    }
    cell->n_paired = np;
    if (np < 2) continue;
    cell->has_test = 1;
    es_stat_data S = stat_data(x, m, k, vals[m]), A = stat_data(x, b0, k, vals[b0]);
    uint32_t *idx = es_stat_boot_indices(np, B, c->seed);
    if (!idx) return -1;
    /* both systems over the paired instances (Distinct's share one
     * position list: one counter holds every model's lines) */
    subset(&S, keep, np, xa, sa, w->pos);
    subset(&A, keep, np, xb, sb, w->pos);
    double vs = es_stat_value(&S, NULL, 0), va = es_stat_value(&A, NULL, 0);
    es_stat_resample(&S, idx, B, rb);
    es_stat_resample(&A, idx, B, ra);
    cell->p_bs = es_stat_paired_bs_p(rb, ra, B, vs, va);
    cell->p_ar = es_stat_paired_ar_p(&S, &A, (size_t)c->permutations, c->seed);
    if (S.kind == ES_STAT_MEAN) {
      double df;
      es_stat_ttest_rel(S.x, A.x, np, &cell->t, &cell->p_t, &df);
      int exact;
      es_stat_wilcoxon(S.x, A.x, np, &cell->w, &cell->p_w, &exact);
    }
    if (d->kind == K_STRATEGY) {
      size_t a_only = 0, s_only = 0;
      for (size_t q = 0; q < np; q++) {
        a_only += A.x[q] == 1 && S.x[q] == 0;
        s_only += S.x[q] == 1 && A.x[q] == 0;
      }
      cell->p_mcnemar = es_stat_mcnemar_exact(a_only, s_only);
    }
    free(idx);
    cell->delta = vs - va;
  }
  return 0;
}

typedef struct {
  ctx *x;
  pthread_mutex_t lock;
  size_t next;
  int failed;
} pool;

static void *worker(void *arg) {
  pool *p = arg;
  es_compare *c = p->x->c;
  scratch w;
  if (scratch_init(&w, c->instances, c->nmodels, (size_t)c->bootstrap) != 0) {
    pthread_mutex_lock(&p->lock);
    p->failed = 1;
    pthread_mutex_unlock(&p->lock);
    scratch_free(&w, c->nmodels);
    return NULL;
  }
  for (;;) {
    pthread_mutex_lock(&p->lock);
    size_t k = p->failed ? c->nmetrics : p->next++;
    pthread_mutex_unlock(&p->lock);
    if (k >= c->nmetrics) break;
    if (one_metric(p->x, k, &w) != 0) {
      pthread_mutex_lock(&p->lock);
      p->failed = 1;
      pthread_mutex_unlock(&p->lock);
    }
  }
  scratch_free(&w, c->nmodels);
  return NULL;
}

/* Every metric (on up to ES_COMPARE_THREADS threads: metrics are
 * independent, and each worker draws its own generators from the seed, so
 * the result does not depend on the threads), then Holm. */
static int compute(ctx *x, es_error *err) {
  es_compare *c = x->c;
  size_t nm = c->nmodels, nk = c->nmetrics;
  pool p = {x, PTHREAD_MUTEX_INITIALIZER, 0, 0};
  pthread_t tid[ES_COMPARE_THREADS];
  int started = 0;
  for (int t = 1; t < ES_COMPARE_THREADS && (size_t)t < nk; t++)
    if (pthread_create(&tid[started], NULL, worker, &p) == 0) started++;
  worker(&p);
  for (int t = 0; t < started; t++) pthread_join(tid[t], NULL);
  if (p.failed) return oom(err);
  /* Holm over models x metrics, per kind of test */
  size_t cells = nm * nk;
  double *pv = malloc((cells ? cells : 1) * sizeof *pv), *adj = malloc((cells ? cells : 1) * sizeof *adj);
  if (!pv || !adj) {
    free(pv);
    free(adj);
    return oom(err);
  }
#define HOLM(field, out)                                              \
  for (size_t q = 0; q < cells; q++) pv[q] = c->cells[q].field;       \
  es_stat_holm(pv, cells, adj);                                       \
  for (size_t q = 0; q < cells; q++) c->cells[q].out = adj[q];
  HOLM(p_bs, adj_bs)
  HOLM(p_ar, adj_ar)
  HOLM(p_t, adj_t)
  HOLM(p_w, adj_w)
  HOLM(p_mcnemar, adj_mcnemar)
#undef HOLM
  for (size_t q = 0; q < cells; q++) c->cells[q].significant = c->cells[q].adj_ar < c->alpha;
  free(pv);
  free(adj);
  return 0;
}

/* The metric definitions of the first run: its suite's list, plus the
 * judge rubrics. */
static int define_metrics(es_compare *c, cJSON *root, metric_def **defs, es_error *err) {
  const char *prof = str_at(root, "suite", "metrics", "profile");
  int p = prof ? es_profile_parse(prof) : -1;
  if (p < 0) return es_error_set(err, ES_EXIT_USAGE, "results.json names no metric profile");
  const cJSON *list = at(root, "suite", "metrics", "list"), *e;
  const cJSON *judge = at(root, "judge", "rubrics", NULL);
  size_t cap = (size_t)cJSON_GetArraySize(list) + (size_t)cJSON_GetArraySize(judge) + 1;
  c->metrics = calloc(cap, sizeof *c->metrics);
  *defs = calloc(cap, sizeof **defs);
  if (!c->metrics || !*defs) return oom(err);
  const cJSON *sigs = cJSON_GetObjectItemCaseSensitive(root, "signatures");
  cJSON_ArrayForEach(e, list) {
    if (!cJSON_IsString(e)) continue;
    const char *name = e->valuestring;
    metric_def d = {.profile = (es_profile)p, .scale = 1};
    int is_bleu = !strncmp(name, "bleu-", 5), is_dist = !strncmp(name, "dist-", 5);
    if ((is_bleu || is_dist) && !(name[5] >= '1' && name[5] <= (is_bleu ? '4' : '3') && !name[6]))
      return es_error_set(err, ES_EXIT_USAGE, "results.json lists an unknown metric '%s'", name);
    if (is_bleu) d.kind = K_BLEU, d.order = name[5] - '0';
    else if (is_dist) d.kind = K_DISTINCT, d.order = name[5] - '0';
    else if (!strcmp(name, "strategy")) d.kind = K_STRATEGY, d.scale = 100;
    else d.kind = K_MEAN, d.key = name;
    es_cmp_metric *cm = &c->metrics[c->nmetrics];
    const char *sig = str_at(sigs, name, NULL, NULL);
    if (!(cm->name = strdup(d.kind == K_STRATEGY ? "strategy-accuracy" : name)) ||
        !(cm->signature = strdup(sig ? sig : ""))) return oom(err);
    (*defs)[c->nmetrics++] = d;
  }
  cJSON_ArrayForEach(e, judge) {
    const char *rn = str_at(e, "name", NULL, NULL);
    if (!rn) continue;
    metric_def d = {.kind = K_JUDGE, .key = rn, .scale = 1};
    es_cmp_metric *cm = &c->metrics[c->nmetrics];
    char name[160];
    snprintf(name, sizeof name, "judge-%s", rn);
    const char *sig = str_at(e, "signature", NULL, NULL);
    if (!(cm->name = strdup(name)) || !(cm->signature = strdup(sig ? sig : ""))) return oom(err);
    (*defs)[c->nmetrics++] = d;
  }
  return 0;
}

/* Per model: answered flags, BLEU segments, scored texts (for Distinct). */
static int model_arrays(ctx *x, size_t m, es_error *err) {
  es_compare *c = x->c;
  size_t n = c->instances;
  model_data *md = &x->md[m];
  md->seg = calloc(n ? n : 1, sizeof *md->seg);
  md->answered = calloc(n ? n : 1, 1);
  md->body = calloc(n ? n : 1, sizeof *md->body);
  if (!md->seg || !md->answered || !md->body) return oom(err);
  const char *name = str_at(md->json, "name", NULL, NULL);
  const cJSON *in;
  size_t i = 0;
  cJSON_ArrayForEach(in, cJSON_GetObjectItemCaseSensitive(md->root, "instances")) {
    if (i >= n) break;
    const cJSON *r = at(in, "replies", name, NULL);
    const cJSON *reply = cJSON_GetObjectItemCaseSensitive(r, "reply");
    const cJSON *bs = cJSON_GetObjectItemCaseSensitive(r, "bleu_stats");
    if (cJSON_IsString(reply) && cJSON_GetArraySize(bs) == 10) {
      md->answered[i] = 1;
      int v[10];
      for (int q = 0; q < 10; q++) {
        const cJSON *x = cJSON_GetArrayItem(bs, q);
        double d = cJSON_IsNumber(x) ? x->valuedouble : -1;
        if (!(d >= 0 && d <= 1e9 && d == floor(d)))
          return es_error_set(err, ES_EXIT_USAGE,
                              "results.json: model '%s', instance %zu: bleu_stats must be 10 "
                              "non-negative integers",
                              name, i + 1);
        v[q] = (int)d;
      }
      if (v[2] > v[6] || v[3] > v[7] || v[4] > v[8] || v[5] > v[9])
        return es_error_set(err, ES_EXIT_USAGE,
                            "results.json: model '%s', instance %zu: bleu_stats has more matches than n-grams",
                            name, i + 1);
      es_bleu_seg *s = &md->seg[i];
      s->order = 4, s->hyp_len = v[0], s->ref_len = v[1];
      for (int q = 0; q < 4; q++) s->match[q] = v[2 + q], s->total[q] = v[6 + q];
      const cJSON *cut = cJSON_GetObjectItemCaseSensitive(r, "cut");
      es_extraction e = {0};
      size_t len = strlen(reply->valuestring);
      if (cJSON_GetArraySize(cut) == 2) {
        double a = cJSON_GetArrayItem(cut, 0)->valuedouble, b = cJSON_GetArrayItem(cut, 1)->valuedouble;
        /* only a cut that lies inside the reply (a hand-edited file may say anything) */
        if (a >= 0 && b >= 0 && a <= (double)len && b <= (double)len - a && a == floor(a) && b == floor(b)) {
          e.cut_off = (size_t)a;
          e.cut_len = (size_t)b;
        }
      }
      if (!(md->body[i] = malloc(len + 1))) return oom(err);
      es_extract_body(reply->valuestring, len, &e, md->body[i]);
    }
    i++;
  }
  return 0;
}

/* One es_distinct per n holding every model's scored texts, model m's at
 * lines m * n .. m * n + n - 1 (an unanswered instance is an empty line). */
static int build_distinct(ctx *x, es_profile p, es_error *err) {
  es_compare *c = x->c;
  es_tokenizer *tok = NULL;
  es_vocab *voc = es_vocab_new();
  es_seq ids = {0};
  int rc = -1;
  if (!voc || es_tokenizer_new(p == ES_PROFILE_ESCONV ? ES_TOK_NLTK : ES_TOK_SPACE, ES_TOK_LOWER, &tok) != ES_OK) {
    oom(err);
    goto out;
  }
  for (int k = 0; k < 3; k++)
    if (es_distinct_new((unsigned)k + 1, &x->dist[k]) != ES_OK) {
      oom(err);
      goto out;
    }
  for (size_t m = 0; m < c->nmodels; m++)
    for (size_t i = 0; i < c->instances; i++) {
      es_seq_clear(&ids);
      const char *b = x->md[m].body[i];
      if (b && es_tokenize_ids(tok, b, strlen(b), voc, &ids) != ES_OK) {
        es_error_set(err, ES_EXIT_USAGE, "a reply of model '%s' cannot be tokenized (not UTF-8?)",
                     c->models[m].name);
        goto out;
      }
      for (int k = 0; k < 3; k++)
        if (es_distinct_add(x->dist[k], ids.ids, ids.len) != ES_OK) {
          oom(err);
          goto out;
        }
    }
  rc = 0;
out:
  es_seq_release(&ids);
  es_tokenizer_free(tok);
  es_vocab_free(voc);
  return rc;
}

int es_compare_run(char *const *runs, size_t nruns, const es_compare_options *opt,
                   es_compare **out, es_error *err) {
  cJSON **roots = calloc(nruns ? nruns : 1, sizeof *roots);
  int rc = -1;
  *out = NULL;
  if (!roots) return oom(err);
  size_t loaded = 0;
  while (loaded < nruns && (roots[loaded] = es_results_load(runs[loaded], err))) loaded++;
  if (loaded == nruns) rc = es_compare_docs(roots, runs, nruns, opt, out, err);
  for (size_t r = 0; r < loaded; r++) cJSON_Delete(roots[r]);
  free(roots);
  return rc;
}

int es_compare_docs(cJSON *const *roots, char *const *runs, size_t nruns,
                    const es_compare_options *opt, es_compare **out, es_error *err) {
  es_compare *c = calloc(1, sizeof *c);
  metric_def *defs = NULL;
  ctx x = {0};
  es_distinct *dist[3] = {NULL, NULL, NULL};
  int rc = -1;
  *out = NULL;
  if (!c) return oom(err);
  if (check_comparable(roots, runs, nruns, err) != 0) goto out;
  c->runs = calloc(nruns, sizeof *c->runs);
  if (!c->runs) {
    oom(err);
    goto out;
  }
  for (size_t r = 0; r < nruns; r++)
    if (!(c->runs[c->nruns++] = strdup(runs[r]))) {
      oom(err);
      goto out;
    }
  const cJSON *st = at(roots[0], "suite", "stats", NULL);
  const cJSON *v;
  c->seed = opt->seed >= 0 ? (uint64_t)opt->seed
            : cJSON_IsNumber(v = at(st, "seed", NULL, NULL)) ? (uint64_t)v->valuedouble : 12345;
  c->bootstrap = opt->bootstrap > 0 ? opt->bootstrap
                 : cJSON_IsNumber(v = at(st, "bootstrap", NULL, NULL)) ? (long)v->valuedouble : 1000;
  c->permutations = opt->permutations > 0 ? opt->permutations
                    : cJSON_IsNumber(v = at(st, "permutations", NULL, NULL)) ? (long)v->valuedouble : 10000;
  c->alpha = opt->alpha > 0 ? opt->alpha : cJSON_IsNumber(v = at(st, "alpha", NULL, NULL)) ? v->valuedouble : 0.05;
  if (!(c->bootstrap >= 1 && c->bootstrap <= 100000000) || !(c->permutations >= 1 && c->permutations <= 100000000) ||
      !(c->alpha > 0 && c->alpha < 1)) {
    es_error_set(err, ES_EXIT_USAGE,
                 "'%s': stats.bootstrap and stats.permutations must be 1 to 1e8 and alpha in (0, 1)", runs[0]);
    goto out;
  }
  c->instances = (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(roots[0], "instances"));
  for (size_t r = 1; r < nruns; r++) {
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(roots[0], "instances"), *b = cJSON_GetObjectItemCaseSensitive(roots[r], "instances");
    int same = (size_t)cJSON_GetArraySize(b) == c->instances;
    for (const cJSON *x = a ? a->child : NULL, *y = b ? b->child : NULL; same && x && y; x = x->next, y = y->next) {
      const char *ix = str_at(x, "id", NULL, NULL), *iy = str_at(y, "id", NULL, NULL);
      same = ix && iy && !strcmp(ix, iy);
    }
    if (!same) {
      es_error_set(err, ES_EXIT_INCOMPARABLE, "'%s' and '%s' list different instances", runs[0], runs[r]);
      goto out;
    }
  }
  /* the models of every run; a name two runs share is prefixed by its run */
  size_t total = 0;
  for (size_t r = 0; r < nruns; r++) total += (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(roots[r], "models"));
  c->models = calloc(total ? total : 1, sizeof *c->models);
  x.md = calloc(total ? total : 1, sizeof *x.md);
  if (!c->models || !x.md) {
    oom(err);
    goto out;
  }
  for (size_t r = 0; r < nruns; r++) {
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(roots[r], "models")) {
      const char *name = str_at(m, "name", NULL, NULL);
      if (!name) {
        es_error_set(err, ES_EXIT_USAGE, "'%s': a model in results.json has no name", runs[r]);
        goto out;
      }
      int dup = 0;
      for (size_t r2 = 0; r2 < nruns; r2++) {
        const cJSON *m2;
        cJSON_ArrayForEach(m2, cJSON_GetObjectItemCaseSensitive(roots[r2], "models"))
          dup += r2 != r && str_at(m2, "name", NULL, NULL) && !strcmp(str_at(m2, "name", NULL, NULL), name);
      }
      char label[1024], run_name[512];
      size_t rl = strlen(runs[r]);
      while (rl > 1 && runs[r][rl - 1] == '/') rl--; /* "runs/a/" is "runs/a" */
      snprintf(run_name, sizeof run_name, "%.*s", (int)rl, runs[r]);
      const char *base = strrchr(run_name, '/');
      snprintf(label, sizeof label, dup ? "%s/%s" : "%s%s", dup ? (base && base[1] ? base + 1 : run_name) : "", name);
      if (!(c->models[c->nmodels].name = strdup(label)) || !(c->models[c->nmodels].own = strdup(name))) {
        oom(err);
        goto out;
      }
      c->models[c->nmodels].run = r;
      x.md[c->nmodels].json = m;
      x.md[c->nmodels].root = roots[r];
      c->nmodels++;
    }
  }
  const char *bl = opt->baseline ? opt->baseline : str_at(roots[0], "suite", "stats", "baseline");
  c->baseline = SIZE_MAX;
  if (!(c->against = malloc((c->nmodels ? c->nmodels : 1) * sizeof *c->against))) {
    oom(err);
    goto out;
  }
  if (opt->pair_by_name && nruns == 2) {
    for (size_t m = 0; m < c->nmodels; m++) {
      c->against[m] = SIZE_MAX;
      if (c->models[m].run != 1) continue;
      const char *name = str_at(x.md[m].json, "name", NULL, NULL);
      for (size_t b = 0; b < c->nmodels; b++)
        if (c->models[b].run == 0 && !strcmp(str_at(x.md[b].json, "name", NULL, NULL), name)) c->against[m] = b;
    }
    c->baseline = 0;
  } else {
    for (size_t m = 0; bl && m < c->nmodels; m++)
      if (!strcmp(c->models[m].name, bl)) c->baseline = m;
    if (c->baseline == SIZE_MAX) {
      es_error_set(err, ES_EXIT_USAGE, "baseline '%s' is not a model of the runs (--baseline NAME)",
                   bl ? bl : "(none)");
      goto out;
    }
    for (size_t m = 0; m < c->nmodels; m++) c->against[m] = c->baseline;
  }
  if (define_metrics(c, roots[0], &defs, err) != 0) goto out;
  if (!(c->cells = calloc(c->nmodels * c->nmetrics + 1, sizeof *c->cells))) {
    oom(err);
    goto out;
  }
  x.c = c;
  x.roots = roots;
  x.defs = defs;
  x.dist = dist;
  for (size_t m = 0; m < c->nmodels; m++)
    if (model_arrays(&x, m, err) != 0) goto out;
  int need_dist = 0;
  for (size_t k = 0; k < c->nmetrics; k++) need_dist |= defs[k].kind == K_DISTINCT;
  if (need_dist && build_distinct(&x, defs[0].profile, err) != 0) goto out;
  char sig[256];
  snprintf(sig, sizeof sig,
           "paired-bs:%ld|paired-ar:%ld|seed:%llu|rng:gsl-mt19937|ci:percentile-95|holm:models*metrics|"
           "version:esbench-" ESBENCH_VERSION,
           c->bootstrap, c->permutations, (unsigned long long)c->seed);
  if (!(c->test_signature = strdup(sig))) {
    oom(err);
    goto out;
  }
  if (compute(&x, err) != 0) goto out;
  rc = 0;
  *out = c;
out:
  for (size_t m = 0; x.md && m < c->nmodels; m++) {
    free(x.md[m].seg);
    free(x.md[m].answered);
    for (size_t i = 0; x.md[m].body && i < c->instances; i++) free(x.md[m].body[i]);
    free(x.md[m].body);
  }
  free(x.md);
  for (int k = 0; k < 3; k++) es_distinct_free(dist[k]);
  free(defs);
  if (rc != 0) es_compare_free(c);
  return rc;
}

void es_compare_free(es_compare *c) {
  if (!c) return;
  for (size_t r = 0; r < c->nruns; r++) free(c->runs[r]);
  free(c->runs);
  for (size_t m = 0; m < c->nmodels; m++) free(c->models[m].name), free(c->models[m].own);
  free(c->models);
  for (size_t k = 0; k < c->nmetrics; k++) {
    free(c->metrics[k].name);
    free(c->metrics[k].signature);
  }
  free(c->metrics);
  free(c->cells);
  free(c->against);
  free(c->test_signature);
  free(c);
}

/* ---- writing ------------------------------------------------------------------------ */

static void num(cJSON *o, const char *k, double v) {
  if (isnan(v) || isinf(v)) cJSON_AddNullToObject(o, k);
  else cJSON_AddNumberToObject(o, k, v);
}

static int write_atomic(const char *dir, const char *name, const char *text, size_t len, es_error *err) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return es_write_file_atomic(path, text, len, err);
}

int es_compare_write(const es_compare *c, const char *dir, es_error *err) {
  cJSON *root = cJSON_CreateObject();
  cJSON *runs = cJSON_AddArrayToObject(root, "runs");
  for (size_t r = 0; r < c->nruns; r++) cJSON_AddItemToArray(runs, cJSON_CreateString(c->runs[r]));
  cJSON_AddStringToObject(root, "baseline", c->models[c->baseline].name);
  cJSON_AddNumberToObject(root, "instances", (double)c->instances);
  cJSON_AddNumberToObject(root, "bootstrap", (double)c->bootstrap);
  cJSON_AddNumberToObject(root, "permutations", (double)c->permutations);
  cJSON_AddNumberToObject(root, "seed", (double)c->seed);
  cJSON_AddNumberToObject(root, "alpha", c->alpha);
  cJSON_AddStringToObject(root, "test_signature", c->test_signature);
  cJSON_AddStringToObject(root, "significance",
                          "marked when the Holm-adjusted approximate randomization p is below alpha");
  cJSON *rows = cJSON_AddArrayToObject(root, "results");
  for (size_t m = 0; m < c->nmodels; m++)
    for (size_t k = 0; k < c->nmetrics; k++) {
      const es_cmp_cell *e = &c->cells[m * c->nmetrics + k];
      cJSON *o = cJSON_CreateObject();
      cJSON_AddItemToArray(rows, o);
      cJSON_AddStringToObject(o, "model", c->models[m].name);
      cJSON_AddStringToObject(o, "metric", c->metrics[k].name);
      num(o, "value", e->value);
      num(o, "ci_low", e->ci_low);
      num(o, "ci_high", e->ci_high);
      cJSON_AddNumberToObject(o, "n", (double)e->n);
      cJSON_AddStringToObject(o, "metric_signature", c->metrics[k].signature);
      if (!e->has_test) continue;
      cJSON_AddNumberToObject(o, "n_paired", (double)e->n_paired);
      num(o, "delta", e->delta);
      num(o, "p_paired_bs", e->p_bs);
      num(o, "p_paired_bs_holm", e->adj_bs);
      num(o, "p_paired_ar", e->p_ar);
      num(o, "p_paired_ar_holm", e->adj_ar);
      num(o, "t", e->t);
      num(o, "p_ttest", e->p_t);
      num(o, "p_ttest_holm", e->adj_t);
      num(o, "wilcoxon", e->w);
      num(o, "p_wilcoxon", e->p_w);
      num(o, "p_wilcoxon_holm", e->adj_w);
      num(o, "p_mcnemar", e->p_mcnemar);
      num(o, "p_mcnemar_holm", e->adj_mcnemar);
      cJSON_AddBoolToObject(o, "significant", e->significant);
    }
  char *text = cJSON_Print(root);
  cJSON_Delete(root);
  if (!text) return oom(err);
  int rc = write_atomic(dir, "compare.json", text, strlen(text), err);
  free(text);
  if (rc != 0) return -1;
  /* compare.csv: one row per model x metric */
  char *buf = NULL;
  size_t blen = 0;
  FILE *f = open_memstream(&buf, &blen);
  if (!f) return oom(err);
  static const char *const head[] = {"model", "metric", "value", "ci_low", "ci_high", "n",
                                     "delta", "p_paired_bs", "p_paired_ar", "p_paired_ar_holm",
                                     "p_ttest", "p_wilcoxon", "p_mcnemar", "significant", "signature"};
  for (size_t h = 0; h < sizeof head / sizeof head[0]; h++) es_csv_text(f, head[h], h == 0);
  es_csv_end_row(f);
  for (size_t m = 0; m < c->nmodels; m++)
    for (size_t k = 0; k < c->nmetrics; k++) {
      const es_cmp_cell *e = &c->cells[m * c->nmetrics + k];
      es_csv_text(f, c->models[m].name, 1);
      es_csv_text(f, c->metrics[k].name, 0);
      double vals[] = {e->value, e->ci_low, e->ci_high};
      for (int q = 0; q < 3; q++) {
        if (isnan(vals[q])) es_csv_text(f, NULL, 0);
        else es_csv_number(f, vals[q], 0);
      }
      es_csv_int(f, (long long)e->n, 0);
      double tests[] = {e->delta, e->p_bs, e->p_ar, e->adj_ar, e->p_t, e->p_w, e->p_mcnemar};
      for (int q = 0; q < 7; q++) {
        if (!e->has_test || isnan(tests[q])) es_csv_text(f, NULL, 0);
        else es_csv_number(f, tests[q], 0);
      }
      es_csv_text(f, e->has_test ? (e->significant ? "1" : "0") : NULL, 0);
      es_csv_text(f, c->test_signature, 0);
      es_csv_end_row(f);
    }
  fclose(f);
  rc = buf ? write_atomic(dir, "compare.csv", buf, blen, err) : oom(err);
  free(buf);
  return rc;
}
