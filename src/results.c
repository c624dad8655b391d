/*
 * results.c: writing a run folder: results.json (the machine-readable
 * truth: config echo, dataset and split hashes, signatures, per-instance
 * replies and scores, aggregates, counts of everything dropped, repaired or
 * failed), summary.csv and instances.csv.
 *
 * results.json, schema 1 (every later output is rendered from it; a change
 * that breaks a reader bumps results_schema):
 *
 *   esbench     {version, results_schema}
 *   created     UTC ISO 8601 time of the run
 *   suite       the resolved suite: name, path, dataset {name, split, ratio,
 *               split_file, context_turns, max_instances}, task {prompt_file,
 *               prompt_sha256, reply_format, strategy_pattern}, labels {file,
 *               strategies}, models [{name, type, builtin|path|reply;
 *               openai: base_url, model, api_key_env (the variable's name,
 *               never its value), header_names (never values), params; exec:
 *               command, params}],
 *               metrics {profile, list}, stats {baseline, seed, bootstrap,
 *               permutations, alpha}
 *   dataset     {name, path, sha256 (of the file), dialogues, counts {quirk:
 *               n, ...: what the adapter repaired or dropped}, split {method,
 *               file_sha256 (with a split file), evaluated, train/valid/
 *               test_dialogues, instance_ids_sha256 (of the evaluated ids in
 *               order: two runs are comparable only when it is equal)},
 *               instances {evaluated, without_gold_strategy,
 *               supporter_turns_without_seeker_before, train_instances}}
 *   signatures  {metric: signature} for the profile's metrics and "strategy"
 *   totals      {models, instances, failed}
 *   models      [{name, instances, answered, failed, failures {reason: n},
 *               counts {backend counter: n}, metrics {metric: {value, n,
 *               level ("corpus" or "mean-of-instances"), signature}},
 *               strategy {n (answered instances with a gold strategy: what
 *               the scores are over), stated_known, not_stated,
 *               stated_unknown (over all answered replies), accuracy,
 *               macro_f1, weighted_f1, macro_precision, macro_recall,
 *               correct, unextracted, per_class {label: {precision, recall,
 *               f1, support, predicted}}, confusion {columns (labels, then
 *               "(none)"), rows (one per label, counts)}}}]
 *   instances   [{id, dialogue, turn, context_turns, scenario, gold_strategy,
 *               gold, context [{speaker ("seeker", "supporter"), text,
 *               strategy (supporter turns with one)}], replies {model: {reply, cut ([byte offset, bytes]
 *               of the strategy tag removed before scoring, when there was
 *               one), strategy, strategy_status
 *               ("ok", "missing", "unknown"), strategy_stated (when unknown),
 *               strategy_correct (when there is a gold strategy), scores
 *               {per-instance metric: value}, bleu_stats [hyp_len, ref_len,
 *               match1..4, total1..4]} or {error}}}]
 *   judge       (when enabled) {model {name, type, base_url, model}, scale
 *               [lo, hi], samples, temperature, rubrics [{name, file, kind,
 *               template_sha256, pattern, match, signature}], pairwise
 *               {name, ..., baseline}, reliability {rubric:
 *               {krippendorff_alpha_interval (over samples, null when k < 2
 *               or undefined), correlation {metric: {pearson, spearman, n}}}},
 *               totals {requests, failed, parse_failures}}; and models[].judge
 *               {rubric: {mean, judged, scored, samples_per_item,
 *               parse_failures, fixed_by_reminder, failed,
 *               krippendorff_alpha_interval}, pairwise {against, pairs,
 *               decided, wins, losses, ties, flips, position_flip_rate,
 *               win_rate, parse_failures, failed}}; and
 *               instances[].replies[model].judge {rubric: {score, sd,
 *               samples [score or null]} or {error}, pairwise ("better",
 *               "worse", "tie" or null)}
 *   execution   how the requests of openai and exec models went: {cache
 *               (the request cache's path, when one was used), models
 *               {name: {requests, cached, sent, ok, failed, attempts,
 *               retries, seconds, cache_put_failed (when any); openai:
 *               retries_by {429, 5xx, timeout, dropped, connect,
 *               malformed}, rate_waits, final_concurrency, prompt_tokens,
 *               completion_tokens; exec: workers, restarts, timeouts,
 *               crashes, garbage}}, judge {the same, summed over the judge's
 *               requests}}. Together with "created" it is the only
 *               part that differs between a run that was interrupted and
 *               resumed and one that ran straight through.
 *
 * Metric values are x100 except length; strategy scores are in [0, 1].
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "exitcode.h"
#include "outdir.h"
#include "run.h"

#define RESULTS_SCHEMA 1
/* How the strategy scores are computed (strategy_scores.h): labels are the
 * union of gold and predicted labels seen, an unstated or unknown strategy
 * is wrong, zero division gives 0 (sklearn's defaults). */
#define STRATEGY_SIGNATURE \
  "strategy|labels:gold+predicted|unextracted:wrong|zero_division:0|version:esbench-" ESBENCH_VERSION

/* cJSON calls that can only fail for memory set this flag instead of being
 * checked one by one; the writer checks it once before printing. */
typedef struct {
  int oom;
} jctx;

static cJSON *jobj(jctx *j, cJSON *parent, const char *key) {
  cJSON *o = cJSON_CreateObject();
  if (!o || (parent && !cJSON_AddItemToObject(parent, key, o))) {
    cJSON_Delete(o);
    j->oom = 1;
    return NULL;
  }
  return o;
}

static cJSON *jarr(jctx *j, cJSON *parent, const char *key) {
  cJSON *o = cJSON_CreateArray();
  if (!o || !parent || !cJSON_AddItemToObject(parent, key, o)) {
    cJSON_Delete(o);
    j->oom = 1;
    return NULL;
  }
  return o;
}

static void jstr(jctx *j, cJSON *o, const char *key, const char *v) {
  if (!o) return;
  if (!(v ? cJSON_AddStringToObject(o, key, v) : cJSON_AddNullToObject(o, key))) j->oom = 1;
}

static void jnum(jctx *j, cJSON *o, const char *key, double v) {
  if (o && !cJSON_AddNumberToObject(o, key, v)) j->oom = 1;
}

static void jpush(jctx *j, cJSON *arr, cJSON *item) {
  if (!item || !arr || !cJSON_AddItemToArray(arr, item)) {
    cJSON_Delete(item);
    j->oom = 1;
  }
}

/* A number, or null when it is not one (NAN: undefined, not measured). */
static void jnum_or_null(jctx *j, cJSON *o, const char *key, double v) {
  if (!o) return;
  if (isnan(v) || isinf(v)) {
    if (!cJSON_AddNullToObject(o, key)) j->oom = 1;
  } else {
    jnum(j, o, key, v);
  }
}

static void sha256_hex(const char *s, size_t n, char out[65]) {
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(s, n, md, &len, EVP_sha256(), NULL);
  for (unsigned i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static const char *label(const es_suite *s, long idx) {
  return idx >= 0 ? s->labels.names[idx] : NULL;
}

static void echo_config(jctx *j, cJSON *root, const es_run *run) {
  const es_suite *s = run->suite;
  cJSON *su = jobj(j, root, "suite");
  jstr(j, su, "name", s->name);
  jstr(j, su, "path", s->path);
  cJSON *ds = jobj(j, su, "dataset");
  jstr(j, ds, "name", s->dataset.name);
  jstr(j, ds, "split", s->dataset.split);
  cJSON *ratio = cJSON_CreateIntArray((const int[]){(int)s->dataset.ratio[0],
                                                    (int)s->dataset.ratio[1],
                                                    (int)s->dataset.ratio[2]}, 3);
  if (!ratio || !ds || !cJSON_AddItemToObject(ds, "ratio", ratio)) {
    cJSON_Delete(ratio);
    j->oom = 1;
  }
  jstr(j, ds, "split_file", s->dataset.split_file);
  jnum(j, ds, "context_turns", s->dataset.context_turns);
  jnum(j, ds, "max_instances", (double)s->dataset.max_instances);
  cJSON *task = jobj(j, su, "task");
  char h[65];
  sha256_hex(s->task.prompt, strlen(s->task.prompt), h);
  jstr(j, task, "prompt_file", s->task.prompt_file);
  jstr(j, task, "prompt_sha256", h);
  jstr(j, task, "reply_format", s->task.reply_format);
  jstr(j, task, "strategy_pattern", s->task.strategy_pattern);
  cJSON *labels = jobj(j, su, "labels");
  jstr(j, labels, "file", s->labels_file);
  cJSON *names = jarr(j, labels, "strategies");
  for (size_t i = 0; i < s->labels.n; i++) jpush(j, names, cJSON_CreateString(s->labels.names[i]));
  cJSON *models = jarr(j, su, "models");
  for (size_t m = 0; m < s->nmodels; m++) {
    cJSON *mo = jobj(j, NULL, NULL);
    jstr(j, mo, "name", s->models[m].name);
    const es_model_cfg *mc = &s->models[m];
    jstr(j, mo, "type", es_model_type_name(mc->type));
    if (mc->builtin) jstr(j, mo, "builtin", mc->builtin);
    if (mc->path) jstr(j, mo, "path", mc->path);
    if (mc->reply) jstr(j, mo, "reply", mc->reply);
    if (mc->base_url) jstr(j, mo, "base_url", mc->base_url);
    if (mc->model) jstr(j, mo, "model", mc->model);
    if (mc->api_key_env) jstr(j, mo, "api_key_env", mc->api_key_env); /* the name only */
    if (mc->nheaders) { /* header names only: values may be secrets */
      cJSON *hn = jarr(j, mo, "header_names");
      for (size_t h = 0; h < mc->nheaders; h++) {
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)strcspn(mc->headers[h], ":"), mc->headers[h]);
        jpush(j, hn, cJSON_CreateString(name));
      }
    }
    if (mc->ncommand) {
      cJSON *cmd = jarr(j, mo, "command");
      for (size_t a = 0; a < mc->ncommand; a++) jpush(j, cmd, cJSON_CreateString(mc->command[a]));
    }
    if (mc->params_json) {
      cJSON *pj = cJSON_Parse(mc->params_json);
      if (!pj || !cJSON_AddItemToObject(mo, "params", pj)) {
        cJSON_Delete(pj);
        j->oom = 1;
      }
    }
    jpush(j, models, mo);
  }
  cJSON *met = jobj(j, su, "metrics");
  jstr(j, met, "profile", s->metrics.profile);
  cJSON *list = jarr(j, met, "list");
  for (size_t k = 0; k < s->metrics.nnames; k++)
    jpush(j, list, cJSON_CreateString(s->metrics.names[k]));
  cJSON *st = jobj(j, su, "stats");
  jstr(j, st, "baseline", s->stats.baseline);
  jnum(j, st, "seed", (double)s->stats.seed);
  jnum(j, st, "bootstrap", (double)s->stats.bootstrap);
  jnum(j, st, "permutations", (double)s->stats.permutations);
  jnum(j, st, "alpha", s->stats.alpha);
}

static void dataset_section(jctx *j, cJSON *root, const es_run *run) {
  const es_dataset *d = run->dataset;
  cJSON *ds = jobj(j, root, "dataset");
  jstr(j, ds, "name", d->name);
  jstr(j, ds, "path", d->path);
  jstr(j, ds, "sha256", d->sha256);
  jnum(j, ds, "dialogues", (double)d->n);
  cJSON *counts = jobj(j, ds, "counts");
  for (size_t k = 0; k < d->ncounts; k++) jnum(j, counts, d->counts[k].what, (double)d->counts[k].n);
  cJSON *sp = jobj(j, ds, "split");
  const es_suite *s = run->suite;
  char method[64];
  snprintf(method, sizeof method, "content-hash %u:%u:%u", s->dataset.ratio[0],
           s->dataset.ratio[1], s->dataset.ratio[2]);
  jstr(j, sp, "method", s->dataset.split_file ? "file" : method);
  if (run->split_file_sha256) jstr(j, sp, "file_sha256", run->split_file_sha256);
  jstr(j, sp, "evaluated", s->dataset.split);
  jnum(j, sp, "train_dialogues", (double)run->split_count[0]);
  jnum(j, sp, "valid_dialogues", (double)run->split_count[1]);
  jnum(j, sp, "test_dialogues", (double)run->split_count[2]);
  /* a hash of the evaluated instance ids: two runs compare only when equal */
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  unsigned char dig[32];
  unsigned int dl = 0;
  char hex[65] = "";
  if (md && EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
    for (size_t i = 0; i < run->test.n; i++)
      EVP_DigestUpdate(md, run->test.items[i].id, strlen(run->test.items[i].id) + 1);
    EVP_DigestFinal_ex(md, dig, &dl);
    for (unsigned i = 0; i < dl; i++) snprintf(hex + 2 * i, 3, "%02x", dig[i]);
  }
  EVP_MD_CTX_free(md);
  jstr(j, sp, "instance_ids_sha256", hex);
  cJSON *in = jobj(j, ds, "instances");
  jnum(j, in, "evaluated", (double)run->test.n);
  jnum(j, in, "without_gold_strategy", (double)run->test.no_strategy);
  jnum(j, in, "supporter_turns_without_seeker_before", (double)run->test.skipped_no_seeker);
  jnum(j, in, "train_instances", (double)run->train.n);
}

/* How the served models' requests went: cache hits, requests sent,
 * retries, time. Not part of the results proper: an interrupted and resumed
 * run differs here from a straight one, and nowhere else. */
static void served_stats(jctx *j, cJSON *o, const es_model_cfg *cfg, const es_served_stats *st);

static void execution_section(jctx *j, cJSON *root, const es_run *run) {
  cJSON *ex = jobj(j, root, "execution");
  if (run->cache_path) jstr(j, ex, "cache", run->cache_path);
  cJSON *models = jobj(j, ex, "models");
  for (size_t m = 0; m < run->nmodels; m++) {
    const es_model_run *mr = &run->models[m];
    if (mr->has_served) served_stats(j, jobj(j, models, mr->cfg->name), mr->cfg, &mr->served);
  }
  if (run->judge) served_stats(j, jobj(j, ex, "judge"), &run->suite->judge.model, &run->judge->stats);
}

static void served_stats(jctx *j, cJSON *o, const es_model_cfg *cfg, const es_served_stats *st) {
  {
    jnum(j, o, "requests", (double)st->requests);
    jnum(j, o, "cached", (double)st->cached);
    jnum(j, o, "sent", (double)st->sent);
    jnum(j, o, "ok", (double)st->ok);
    jnum(j, o, "failed", (double)st->failed);
    jnum(j, o, "attempts", (double)st->attempts);
    jnum(j, o, "retries", (double)st->retries);
    jnum(j, o, "seconds", st->seconds);
    if (st->cache_put_failed) jnum(j, o, "cache_put_failed", (double)st->cache_put_failed);
    if (cfg->type == ES_MODEL_OPENAI) {
      cJSON *by = jobj(j, o, "retries_by");
      for (int k = 0; k < ES_OPENAI_RETRY_NREASONS; k++)
        jnum(j, by, es_openai_retry_name((es_openai_retry_reason)k), (double)st->retries_by[k]);
      jnum(j, o, "rate_waits", (double)st->rate_waits);
      jnum(j, o, "final_concurrency", st->concurrency);
      jnum(j, o, "prompt_tokens", (double)st->prompt_tokens);
      jnum(j, o, "completion_tokens", (double)st->completion_tokens);
    } else {
      jnum(j, o, "workers", st->concurrency);
      jnum(j, o, "restarts", (double)st->restarts);
      jnum(j, o, "timeouts", (double)st->timeouts);
      jnum(j, o, "crashes", (double)st->crashes);
      jnum(j, o, "garbage", (double)st->garbage);
    }
  }
}

/* The signature of a judge rubric's scores: everything that makes them
 * what they are. */
static void judge_signature(const es_run *run, const es_rubric *rb, char *out, size_t size) {
  const es_suite *s = run->suite;
  const es_model_cfg *jm = &s->judge.model;
  char h[65];
  sha256_hex(rb->template_text, strlen(rb->template_text), h);
  h[12] = '\0';
  snprintf(out, size,
           "judge:%s|model:%s:%s|template:%s|scale:%d-%d|samples:%d|temperature:%g|match:%s|"
           "reminder:1|version:esbench-" ESBENCH_VERSION,
           rb->name, es_model_type_name(jm->type),
           jm->type == ES_MODEL_OPENAI ? jm->model : jm->command[0], h, s->judge.scale_min,
           s->judge.scale_max, s->judge.samples, s->judge.temperature,
           rb->match_first ? "first" : "last");
}

static void rubric_echo(jctx *j, cJSON *o, const es_rubric *rb) {
  char h[65];
  sha256_hex(rb->template_text, strlen(rb->template_text), h);
  jstr(j, o, "name", rb->name);
  jstr(j, o, "file", rb->file);
  jstr(j, o, "kind", rb->pairwise ? "pairwise" : "score");
  jstr(j, o, "template_sha256", h);
  jstr(j, o, "pattern", rb->pattern);
  jstr(j, o, "match", rb->match_first ? "first" : "last");
}

/* The judge's configuration and reliability figures. */
static void judge_section(jctx *j, cJSON *root, const es_run *run) {
  const es_suite *s = run->suite;
  const es_judge *jd = run->judge;
  if (!jd) return;
  cJSON *o = jobj(j, root, "judge");
  cJSON *mo = jobj(j, o, "model");
  const es_model_cfg *jm = &s->judge.model;
  jstr(j, mo, "name", jm->name);
  jstr(j, mo, "type", es_model_type_name(jm->type));
  if (jm->base_url) jstr(j, mo, "base_url", jm->base_url);
  if (jm->model) jstr(j, mo, "model", jm->model);
  cJSON *scale = cJSON_CreateIntArray((const int[]){s->judge.scale_min, s->judge.scale_max}, 2);
  if (!scale || !o || !cJSON_AddItemToObject(o, "scale", scale)) {
    cJSON_Delete(scale);
    j->oom = 1;
  }
  jnum(j, o, "samples", s->judge.samples);
  jnum(j, o, "temperature", s->judge.temperature);
  cJSON *rubrics = jarr(j, o, "rubrics");
  cJSON *rel = jobj(j, o, "reliability");
  for (size_t r = 0; r < jd->nrubrics; r++) {
    const es_rubric *rb = &s->judge.rubrics[r];
    cJSON *ro = jobj(j, NULL, NULL);
    rubric_echo(j, ro, rb);
    char sig[512];
    judge_signature(run, rb, sig, sizeof sig);
    jstr(j, ro, "signature", sig);
    jpush(j, rubrics, ro);
    cJSON *rr = jobj(j, rel, rb->name);
    jnum_or_null(j, rr, "krippendorff_alpha_interval", jd->alpha[r]);
    cJSON *corr = jobj(j, rr, "correlation");
    for (size_t c = 0; c < jd->ncorr; c++) {
      const es_judge_corr *jc = &jd->corr[r * jd->ncorr + c];
      cJSON *co = jobj(j, corr, jc->metric);
      jnum_or_null(j, co, "pearson", jc->pearson);
      jnum_or_null(j, co, "spearman", jc->spearman);
      jnum(j, co, "n", (double)jc->n);
    }
  }
  if (s->judge.pairwise) {
    cJSON *po = jobj(j, o, "pairwise");
    rubric_echo(j, po, s->judge.pairwise);
    jstr(j, po, "baseline", s->stats.baseline);
  }
  cJSON *tot = jobj(j, o, "totals");
  jnum(j, tot, "requests", (double)jd->stats.requests);
  jnum(j, tot, "failed", (double)jd->failed);
  jnum(j, tot, "parse_failures", (double)jd->parse_failures);
}

/* models[].judge: per rubric, and the pairwise comparison with the baseline. */
static void model_judge(jctx *j, cJSON *mo, const es_run *run, size_t m) {
  const es_suite *s = run->suite;
  const es_judge *jd = run->judge;
  if (!jd) return;
  cJSON *o = jobj(j, mo, "judge");
  for (size_t r = 0; r < jd->nrubrics; r++) {
    const es_judge_scores *sc = &jd->scores[r * jd->nmodels + m];
    cJSON *ro = jobj(j, o, s->judge.rubrics[r].name);
    jnum_or_null(j, ro, "mean", sc->mean);
    jnum(j, ro, "judged", (double)sc->judged);
    jnum(j, ro, "scored", (double)sc->scored);
    jnum(j, ro, "samples_per_item", (double)jd->k);
    jnum(j, ro, "parse_failures", (double)sc->parse_failures);
    jnum(j, ro, "fixed_by_reminder", (double)sc->fixed_by_reminder);
    jnum(j, ro, "failed", (double)sc->failed);
    jnum_or_null(j, ro, "krippendorff_alpha_interval", sc->alpha);
  }
  if (jd->pairs && m != jd->baseline) {
    const es_judge_pairs *pr = &jd->pairs[m];
    cJSON *po = jobj(j, o, "pairwise");
    jstr(j, po, "against", s->stats.baseline);
    jnum(j, po, "pairs", (double)pr->pairs);
    jnum(j, po, "decided", (double)pr->decided);
    jnum(j, po, "wins", (double)pr->model_wins);
    jnum(j, po, "losses", (double)pr->baseline_wins);
    jnum(j, po, "ties", (double)pr->ties);
    jnum(j, po, "flips", (double)pr->flips);
    jnum_or_null(j, po, "position_flip_rate", pr->decided ? (double)pr->flips / (double)pr->decided : NAN);
    jnum_or_null(j, po, "win_rate", pr->decided ? (double)pr->model_wins / (double)pr->decided : NAN);
    jnum(j, po, "parse_failures", (double)pr->parse_failures);
    jnum(j, po, "failed", (double)pr->failed);
  }
}

/* instances[].replies[model].judge */
static void instance_judge(jctx *j, cJSON *r, const es_run *run, size_t m, size_t i) {
  const es_suite *s = run->suite;
  const es_judge *jd = run->judge;
  if (!jd) return;
  cJSON *o = jobj(j, r, "judge");
  for (size_t q = 0; q < jd->nrubrics; q++) {
    const es_judge_scores *sc = &jd->scores[q * jd->nmodels + m];
    cJSON *ro = jobj(j, o, s->judge.rubrics[q].name);
    if (isnan(sc->score[i])) {
      jstr(j, ro, "error", sc->why[i] ? sc->why[i] : "not judged");
      continue;
    }
    jnum(j, ro, "score", sc->score[i]);
    jnum(j, ro, "sd", sc->sd[i]);
    cJSON *arr = jarr(j, ro, "samples");
    for (size_t x = 0; x < jd->k; x++) {
      double v = sc->samples[i * jd->k + x];
      jpush(j, arr, isnan(v) ? cJSON_CreateNull() : cJSON_CreateNumber(v));
    }
  }
  if (jd->pairs && m != jd->baseline) {
    int oc = jd->pairs[m].outcome[i];
    jstr(j, o, "pairwise", oc == 1 ? "better" : oc == -1 ? "worse" : oc == 0 ? "tie" : NULL);
  }
}

static void model_section(jctx *j, cJSON *arr, const es_run *run, const es_model_run *mr) {
  const es_suite *s = run->suite;
  cJSON *mo = jobj(j, NULL, NULL);
  jpush(j, arr, mo);
  jstr(j, mo, "name", mr->cfg->name);
  jnum(j, mo, "instances", (double)run->test.n);
  jnum(j, mo, "answered", (double)mr->nanswered);
  jnum(j, mo, "failed", (double)mr->replies.failed);
  /* failures grouped by reason */
  cJSON *fail = jobj(j, mo, "failures");
  for (size_t i = 0; i < run->test.n; i++) {
    const char *why = mr->replies.error[i];
    if (!why || !fail) continue;
    cJSON *c = cJSON_GetObjectItemCaseSensitive(fail, why);
    if (c) cJSON_SetNumberValue(c, c->valuedouble + 1);
    else jnum(j, fail, why, 1);
  }
  cJSON *counts = jobj(j, mo, "counts");
  for (size_t k = 0; k < mr->ncounts; k++) jnum(j, counts, mr->count_what[k], (double)mr->count_n[k]);
  cJSON *met = jobj(j, mo, "metrics");
  for (size_t k = 0; k < es_scores_count(mr->scores); k++) {
    const es_metric *m = es_scores_get(mr->scores, k);
    cJSON *o = jobj(j, met, m->name);
    jnum(j, o, "value", m->value);
    jnum(j, o, "n", (double)mr->nanswered);
    jstr(j, o, "level", m->lines ? "mean-of-instances" : "corpus");
    jstr(j, o, "signature", m->signature);
  }
  cJSON *st = jobj(j, mo, "strategy");
  jnum(j, st, "n", (double)mr->strategy_n);
  jnum(j, st, "stated_known", (double)mr->strat_ok);
  jnum(j, st, "not_stated", (double)mr->strat_missing);
  jnum(j, st, "stated_unknown", (double)mr->strat_unknown);
  const es_strategy_scores *ss = &mr->strategy;
  jnum(j, st, "accuracy", ss->accuracy);
  jnum(j, st, "macro_f1", ss->macro_f1);
  jnum(j, st, "weighted_f1", ss->weighted_f1);
  jnum(j, st, "macro_precision", ss->macro_precision);
  jnum(j, st, "macro_recall", ss->macro_recall);
  jnum(j, st, "correct", (double)ss->correct);
  jnum(j, st, "unextracted", (double)ss->unextracted);
  cJSON *pc = jobj(j, st, "per_class");
  for (size_t l = 0; l < ss->nlabels; l++) {
    cJSON *c = jobj(j, pc, ss->labels[l]);
    jnum(j, c, "precision", ss->per_class[l].precision);
    jnum(j, c, "recall", ss->per_class[l].recall);
    jnum(j, c, "f1", ss->per_class[l].f1);
    jnum(j, c, "support", (double)ss->per_class[l].support);
    jnum(j, c, "predicted", (double)ss->per_class[l].predicted);
  }
  /* rows: gold labels; columns: the same labels, then the unextracted */
  cJSON *cm = jobj(j, st, "confusion");
  cJSON *cols = jarr(j, cm, "columns");
  for (size_t l = 0; l < ss->nlabels; l++) jpush(j, cols, cJSON_CreateString(ss->labels[l]));
  jpush(j, cols, cJSON_CreateString(ES_STRATEGY_NONE));
  cJSON *rows = jarr(j, cm, "rows");
  for (size_t g = 0; g < ss->nlabels; g++) {
    cJSON *row = cJSON_CreateArray();
    for (size_t c = 0; c <= ss->nlabels && row; c++)
      jpush(j, row, cJSON_CreateNumber((double)es_strategy_confusion(ss, g, c)));
    jpush(j, rows, row);
  }
  (void)s;
}

static void instances_section(jctx *j, cJSON *root, const es_run *run) {
  const es_suite *s = run->suite;
  cJSON *arr = jarr(j, root, "instances");
  size_t nm = run->nmodels;
  size_t *cursor = calloc(nm ? nm : 1, sizeof *cursor); /* next answered index per model */
  if (!cursor) {
    j->oom = 1;
    return;
  }
  for (size_t i = 0; i < run->test.n && !j->oom; i++) {
    const es_instance *in = &run->test.items[i];
    cJSON *o = jobj(j, NULL, NULL);
    jpush(j, arr, o);
    jstr(j, o, "id", in->id);
    jstr(j, o, "dialogue", in->dialogue->id);
    jnum(j, o, "turn", (double)in->turn);
    jnum(j, o, "context_turns", (double)(in->turn - in->ctx_start));
    jstr(j, o, "scenario", in->dialogue->scenario);
    jstr(j, o, "gold_strategy", label(s, in->gold_strategy));
    jstr(j, o, "gold", in->gold);
    cJSON *ctx = jarr(j, o, "context"); /* the turns the models saw */
    for (size_t t = in->ctx_start; t < in->turn; t++) {
      const es_turn *turn = &in->dialogue->turns[t];
      cJSON *to = jobj(j, NULL, NULL);
      jstr(j, to, "speaker", turn->speaker == ES_SEEKER ? "seeker" : "supporter");
      jstr(j, to, "text", turn->text);
      if (turn->speaker != ES_SEEKER && turn->strategy >= 0) jstr(j, to, "strategy", label(s, turn->strategy));
      jpush(j, ctx, to);
    }
    cJSON *reps = jobj(j, o, "replies");
    for (size_t m = 0; m < nm; m++) {
      const es_model_run *mr = &run->models[m];
      cJSON *r = jobj(j, reps, mr->cfg->name);
      const char *text = mr->replies.text[i];
      if (!text) {
        jstr(j, r, "error", mr->replies.error[i]);
        continue;
      }
      const es_extraction *e = &mr->ext[i];
      size_t k = cursor[m]++; /* answered instances are in instance order */
      jstr(j, r, "reply", text);
      if (e->cut_len) { /* the strategy tag cut before scoring: [offset, bytes] */
        cJSON *cut = cJSON_CreateArray();
        jpush(j, cut, cJSON_CreateNumber((double)e->cut_off));
        jpush(j, cut, cJSON_CreateNumber((double)e->cut_len));
        if (!r || !cut || !cJSON_AddItemToObject(r, "cut", cut)) j->oom = 1;
      }
      jstr(j, r, "strategy", label(s, e->strategy));
      jstr(j, r, "strategy_status", es_strat_status_name(e->status));
      if (e->status == ES_STRAT_UNKNOWN) {
        char *raw = strndup(text + e->raw_off, e->raw_len);
        if (!raw) j->oom = 1;
        jstr(j, r, "strategy_stated", raw);
        free(raw);
      }
      if (in->gold_strategy >= 0) {
        if (!cJSON_AddBoolToObject(r, "strategy_correct",
                                   e->status == ES_STRAT_OK && e->strategy == in->gold_strategy))
          j->oom = 1;
      }
      cJSON *sc = jobj(j, r, "scores");
      for (size_t q = 0; q < es_scores_count(mr->scores); q++) {
        const es_metric *mt = es_scores_get(mr->scores, q);
        if (mt->lines) jnum(j, sc, mt->name, mt->lines[k]);
      }
      instance_judge(j, r, run, m, i);
      const es_bleu_seg *g = &es_scores_bleu_segs(mr->scores)[k];
      int v[10] = {g->hyp_len, g->ref_len, g->match[0], g->match[1], g->match[2],
                   g->match[3], g->total[0], g->total[1], g->total[2], g->total[3]};
      cJSON *bs = cJSON_CreateIntArray(v, 10);
      if (!bs || !r || !cJSON_AddItemToObject(r, "bleu_stats", bs)) {
        cJSON_Delete(bs);
        j->oom = 1;
      }
    }
  }
  free(cursor);
}

static int write_json(const es_run *run, const char *path, es_error *err) {
  jctx j = {0};
  cJSON *root = jobj(&j, NULL, NULL);
  cJSON *meta = jobj(&j, root, "esbench");
  jstr(&j, meta, "version", ESBENCH_VERSION);
  jnum(&j, meta, "results_schema", RESULTS_SCHEMA);
  jstr(&j, root, "created", run->created);
  echo_config(&j, root, run);
  dataset_section(&j, root, run);
  cJSON *sigs = jobj(&j, root, "signatures");
  if (run->nmodels) {
    const es_scores *sc = run->models[0].scores;
    for (size_t k = 0; k < es_scores_count(sc); k++)
      jstr(&j, sigs, es_scores_get(sc, k)->name, es_scores_get(sc, k)->signature);
  }
  jstr(&j, sigs, "strategy", STRATEGY_SIGNATURE);
  cJSON *totals = jobj(&j, root, "totals");
  jnum(&j, totals, "models", (double)run->nmodels);
  jnum(&j, totals, "instances", (double)run->test.n);
  jnum(&j, totals, "failed", (double)run->failed);
  cJSON *models = jarr(&j, root, "models");
  for (size_t m = 0; m < run->nmodels; m++) {
    model_section(&j, models, run, &run->models[m]);
    model_judge(&j, cJSON_GetArrayItem(models, (int)m), run, m);
  }
  judge_section(&j, root, run);
  instances_section(&j, root, run);
  execution_section(&j, root, run);
  char *text = j.oom ? NULL : cJSON_Print(root);
  cJSON_Delete(root);
  if (!text) return es_error_set(err, ES_EXIT_INTERNAL, "out of memory writing results.json");
  FILE *f = fopen(path, "wb");
  if (!f) {
    free(text);
    return es_error_set(err, ES_EXIT_INTERNAL, "cannot write '%s': %s", path, strerror(errno));
  }
  fputs(text, f);
  fputc('\n', f);
  free(text);
  return es_outdir_close(f, path, err);
}

#define RUN_NAME_MAX 200

int es_run_check_options(const es_run_options *opt, es_error *err) {
  if (opt->out_root && !*opt->out_root) return es_error_set(err, ES_EXIT_USAGE, "--out-dir is empty");
  const char *n = opt->run_name;
  if (!n) return 0;
  if (!*n || strchr(n, '/') || !strcmp(n, ".") || !strcmp(n, "..") || n[0] == '.')
    return es_error_set(err, ES_EXIT_USAGE,
                        "invalid run name '%s': a folder name without '/' that does not start with '.'", n);
  if (strlen(n) > RUN_NAME_MAX)
    return es_error_set(err, ES_EXIT_USAGE, "run name longer than %d bytes", RUN_NAME_MAX);
  return 0;
}

int es_run_write(es_run *run, const es_run_options *opt, es_error *err) {
  char name[RUN_NAME_MAX + 64];
  if (opt->run_name) {
    snprintf(name, sizeof name, "%s", opt->run_name);
  } else {
    /* <suite>-<UTC timestamp without separators> */
    char ts[32];
    size_t k = 0;
    for (const char *p = run->created; *p && k + 1 < sizeof ts; p++)
      if (*p != '-' && *p != ':') ts[k++] = *p;
    ts[k] = '\0';
    snprintf(name, sizeof name, "%s-%s", run->suite->name, ts);
  }
  if (es_run_check_options(opt, err) != 0) return -1;
  es_outdir od;
  const char *root = opt->out_root ? opt->out_root : run->suite->report.dir;
  if (es_outdir_begin(&od, root, name, err) != 0) return -1;
  /* The outputs, each with the report format that asks for it (results.json
   * always: every other output can be rendered from it). To add a writer:
   * a row here and its format in the suite schema. */
  /* results.json, then everything else rendered from it alone (report.h),
   * as `esbench report` renders it again */
  char *path = es_outdir_file(&od, "results.json");
  int rc = path ? write_json(run, path, err) : es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
  free(path);
  int rendered = 0;
  for (size_t f = 0; f < run->suite->report.nformats; f++) rendered |= strcmp(run->suite->report.formats[f], "json") != 0;
  if (rc == 0 && rendered && opt->log) { /* the paired tests can take a while on a large run */
    char msg[160];
    snprintf(msg, sizeof msg, "intervals and paired tests for the reports: %zu model%s x %zu instances", run->nmodels,
             run->nmodels == 1 ? "" : "s", run->test.n);
    opt->log(opt->log_ctx, msg);
  }
  if (rc == 0)
    rc = es_report_render(od.tmp, (const char *const *)run->suite->report.formats,
                          run->suite->report.nformats, err);
  if (rc != 0) {
    es_outdir_release(&od);
    return -1;
  }
  if (es_outdir_commit(&od, err) != 0) {
    es_outdir_release(&od);
    return -1;
  }
  run->out_path = od.final;
  od.final = NULL;
  es_outdir_release(&od);
  return 0;
}
