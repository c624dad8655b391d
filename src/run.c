/*
 * run.c: the flow of one run (dataset -> instances -> models -> replies ->
 * strategies -> metrics), held in memory for the writers.
 */
#include "run.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exitcode.h"
#include "fetch.h"
#include "prompt.h"

static void logf_(const es_run_options *opt, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void logf_(const es_run_options *opt, const char *fmt, ...) {
  if (!opt->log) return;
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  opt->log(opt->log_ctx, msg);
}

/* The sha256 of the file at path as lower-case hex (malloc'ed), or NULL
 * with err. */
static char *file_sha256(const char *path, es_error *err) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    es_error_set(err, ES_EXIT_USAGE, "cannot open '%s': %s", path, strerror(errno));
    return NULL;
  }
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  unsigned char buf[65536], dig[32];
  unsigned int dl = 0;
  size_t got;
  char *hex = malloc(65);
  int ok = md && hex && EVP_DigestInit_ex(md, EVP_sha256(), NULL);
  while (ok && (got = fread(buf, 1, sizeof buf, f)) > 0) ok = EVP_DigestUpdate(md, buf, got);
  ok = ok && !ferror(f) && EVP_DigestFinal_ex(md, dig, &dl) && dl == 32;
  for (unsigned i = 0; ok && i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", dig[i]);
  fclose(f);
  EVP_MD_CTX_free(md);
  if (!ok) {
    free(hex);
    es_error_set(err, ES_EXIT_USAGE, "cannot read '%s'", path);
    return NULL;
  }
  return hex;
}

/* The dataset file: the suite's explicit path, else a data folder or the
 * cache, else (online) a download. */
static int locate_dataset(const es_run_options *opt, const es_suite *s, char **path,
                          es_error *err) {
  if (s->dataset.path) {
    *path = strdup(s->dataset.path);
    return *path ? 0 : es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
  }
  es_error where;
  if (es_dataset_locate(s->dataset.name, s->dataset.file, opt->data_dir, path, &where) == 0)
    return 0;
  const char *own = es_fetch_file_name(s->dataset.name);
  if (opt->offline || !own || strcmp(own, s->dataset.file) != 0) {
    /* offline, or a file of the user's own that no download can provide */
    *err = where;
    return -1;
  }
  logf_(opt, "%s not found locally; downloading it (esbench fetch %s)", s->dataset.file,
        s->dataset.name);
  es_fetch_options fo = {0};
  if (es_fetch_dataset(s->dataset.name, &fo, path, err) == 0) return 0;
  /* the download error already says how to get the file by hand */
  es_error_prefix(err, "'%s' is not in --data-dir, $ESBENCH_DATA_DIR or the cache", s->dataset.file);
  return -1;
}

static int score_model(const es_run_options *opt, es_run *run, es_model_run *mr,
                       es_error *err) {
  const es_instances *test = &run->test;
  const es_suite *s = run->suite;
  int rc = -1;
  const char **refs = NULL, **hyps = NULL, **gold = NULL, **pred = NULL;
  char **bodies = NULL;
  es_extractor *x = es_extractor_new(s->task.strategy_pattern, &s->labels, err);
  if (!x) return -1;
  mr->ext = calloc(test->n ? test->n : 1, sizeof *mr->ext);
  mr->answered = malloc((test->n ? test->n : 1) * sizeof *mr->answered);
  refs = malloc((test->n ? test->n : 1) * sizeof *refs);
  hyps = malloc((test->n ? test->n : 1) * sizeof *hyps);
  bodies = calloc(test->n ? test->n : 1, sizeof *bodies);
  gold = malloc((test->n ? test->n : 1) * sizeof *gold);
  pred = malloc((test->n ? test->n : 1) * sizeof *pred);
  if (!mr->ext || !mr->answered || !refs || !hyps || !bodies || !gold || !pred) {
    es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
    goto out;
  }
  size_t nstrat = 0;
  for (size_t i = 0; i < test->n; i++) {
    const char *reply = mr->replies.text[i];
    if (!reply) continue;
    es_extraction *e = &mr->ext[i];
    size_t len = strlen(reply);
    if (es_extract(x, reply, len, e, err) != 0) {
      es_error_prefix(err, "model '%s': instance '%s'", mr->cfg->name, test->items[i].id);
      goto out;
    }
    if (e->status == ES_STRAT_OK) mr->strat_ok++;
    else if (e->status == ES_STRAT_MISSING) mr->strat_missing++;
    else mr->strat_unknown++;
    bodies[i] = malloc(len + 1);
    if (bodies[i]) es_extract_body(reply, len, e, bodies[i]);
    if (!bodies[i]) {
      es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
      goto out;
    }
    refs[mr->nanswered] = test->items[i].gold;
    hyps[mr->nanswered] = bodies[i];
    mr->answered[mr->nanswered++] = i;
    if (test->items[i].gold_strategy >= 0) {
      gold[nstrat] = s->labels.names[test->items[i].gold_strategy];
      pred[nstrat] = e->status == ES_STRAT_OK ? s->labels.names[e->strategy] : NULL;
      nstrat++;
    }
  }
  int p = es_profile_parse(s->metrics.profile);
  size_t bad_line = 0;
  int bad_side = 0;
  es_status st = es_score_corpus((es_profile)p, refs, hyps, mr->nanswered,
                                 opt->threads > 0 ? opt->threads : 2, &mr->scores, &bad_line,
                                 &bad_side);
  if (st != ES_OK) {
    if (st == ES_ERR_UTF8) {
      size_t i = mr->answered[bad_line];
      es_error_set(err, ES_EXIT_USAGE, "model '%s': instance '%s': %s is not valid UTF-8",
                   mr->cfg->name, test->items[i].id, bad_side ? "the reply" : "the gold reply");
    } else {
      es_error_set(err, ES_EXIT_INTERNAL, "model '%s': scoring failed: %s", mr->cfg->name,
                   es_status_str(st));
    }
    goto out;
  }
  mr->strategy_n = nstrat;
  st = es_strategy_scores_compute(gold, pred, nstrat, &mr->strategy);
  if (st != ES_OK) {
    es_error_set(err, ES_EXIT_INTERNAL, "model '%s': strategy scores failed: %s", mr->cfg->name,
                 es_status_str(st));
    goto out;
  }
  rc = 0;
out:
  if (bodies)
    for (size_t i = 0; i < test->n; i++) free(bodies[i]);
  free(bodies);
  free(refs);
  free(hyps);
  free(gold);
  free(pred);
  es_extractor_free(x);
  return rc;
}

int es_run_cache_path(const char *given, char **out, es_error *err) {
  const char *env = getenv("ESBENCH_CACHE");
  *out = NULL;
  if (given || (env && *env)) {
    *out = strdup(given ? given : env);
  } else {
    char *dir = NULL;
    if (es_fetch_cache_dir(&dir, err) != 0) {
      es_error_prefix(err, "no place for the request cache (use --cache FILE)");
      return -1;
    }
    size_t n = strlen(dir) + sizeof "/requests.sqlite";
    if ((*out = malloc(n))) snprintf(*out, n, "%s/requests.sqlite", dir);
    free(dir);
  }
  return *out ? 0 : es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
}

/* The request cache of a run whose suite has served models: opened (and
 * created) at the options' path, or NULL for --no-cache or when no model
 * needs it. */
static int open_cache(const es_run_options *opt, es_run *run, es_cache **out, es_error *err) {
  const es_suite *s = run->suite;
  int served = 0;
  *out = NULL;
  for (size_t m = 0; m < s->nmodels; m++)
    served |= s->models[m].type == ES_MODEL_OPENAI || s->models[m].type == ES_MODEL_EXEC;
  served |= s->judge.enabled;
  if (!served || opt->no_cache) return 0;
  if (es_run_cache_path(opt->cache_path, &run->cache_path, err) != 0) return -1;
  if (es_cache_open(run->cache_path, out, err) != 0) {
    es_error_prefix(err, "the request cache (--cache FILE picks another, --no-cache runs without)");
    return -1;
  }
  logf_(opt, "request cache: %s", run->cache_path);
  return 0;
}

/* Checks before any request is sent that each openai model's key
 * variable is set (its value is not looked at here). */
static int check_keys(const es_suite *s, es_error *err) {
  for (size_t m = 0; m < s->nmodels; m++) {
    const char *var = s->models[m].api_key_env;
    if (s->models[m].type != ES_MODEL_OPENAI || !var) continue;
    const char *v = getenv(var);
    if (!v || !*v)
      return es_error_set(err, ES_EXIT_USAGE,
                          "model '%s': api_key_env is %s, but $%s is %s (export it, or remove "
                          "api_key_env for a server without keys)",
                          s->models[m].name, var, var, v ? "empty" : "not set");
  }
  return 0;
}

static void log_served(void *ctx, const char *msg) {
  const es_run_options *opt = ctx;
  logf_(opt, "%s", msg);
}

static void add_count(void *ctx, const char *what, size_t n) {
  es_model_run *mr = ctx;
  if (mr->ncounts < sizeof mr->count_n / sizeof mr->count_n[0]) {
    mr->count_what[mr->ncounts] = what;
    mr->count_n[mr->ncounts++] = n;
  }
}

int es_run_execute(const es_run_options *opt, es_run **out, es_error *err) {
  char *data_path = NULL;
  es_cache *cache = NULL;
  es_run *run = calloc(1, sizeof *run);
  *out = NULL;
  if (!run) return es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
  if (es_run_check_options(opt, err) != 0) goto fail;
  time_t now = time(NULL);
  strftime(run->created, sizeof run->created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));

  if (es_suite_load(opt->suite_path, &run->suite, err) != 0) goto fail;
  es_suite *s = run->suite;
  if (es_prompt_check(s, err) != 0) goto fail;
  if (es_profile_parse(s->metrics.profile) < 0) {
    es_error_set(err, ES_EXIT_USAGE, "unknown metric profile '%s'", s->metrics.profile);
    goto fail;
  }
  if (check_keys(s, err) != 0) goto fail;
  if (locate_dataset(opt, s, &data_path, err) != 0) goto fail;
  logf_(opt, "loading %s from %s", s->dataset.name, data_path);
  if (es_dataset_load(s->dataset.name, data_path, &s->labels, &run->dataset, err) != 0) goto fail;
  run->split = malloc((run->dataset->n ? run->dataset->n : 1) * sizeof *run->split);
  if (!run->split) {
    es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
    goto fail;
  }
  if (es_split_assign(run->dataset, s->dataset.ratio, s->dataset.split_file, run->split, err) != 0)
    goto fail;
  if (s->dataset.split_file && !(run->split_file_sha256 = file_sha256(s->dataset.split_file, err)))
    goto fail;
  for (size_t d = 0; d < run->dataset->n; d++) run->split_count[run->split[d]]++;
  es_split want = !strcmp(s->dataset.split, "train")   ? ES_SPLIT_TRAIN
                  : !strcmp(s->dataset.split, "valid") ? ES_SPLIT_VALID
                                                       : ES_SPLIT_TEST;
  if (es_instances_build(run->dataset, run->split, ES_SPLIT_TRAIN, s->dataset.context_turns, 0,
                         &run->train, err) != 0 ||
      es_instances_build(run->dataset, run->split, want, s->dataset.context_turns,
                         s->dataset.max_instances, &run->test, err) != 0)
    goto fail;
  if (run->test.n == 0) {
    es_error_set(err, ES_EXIT_USAGE, "the %s split of '%s' has no instances", s->dataset.split,
                 data_path);
    goto fail;
  }
  logf_(opt, "%zu dialogues (train %zu, valid %zu, test %zu); %zu %s instances", run->dataset->n,
        run->split_count[0], run->split_count[1], run->split_count[2], run->test.n,
        s->dataset.split);

  run->models = calloc(s->nmodels, sizeof *run->models);
  if (!run->models) {
    es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
    goto fail;
  }
  run->nmodels = s->nmodels;
  if (open_cache(opt, run, &cache, err) != 0) goto fail;
  es_served_io io = {cache, opt->stop, opt->progress, log_served, (void *)opt};
  es_model_env env = {s, &run->train, &io};
  for (size_t m = 0; m < s->nmodels; m++) {
    es_model_run *mr = &run->models[m];
    mr->cfg = &s->models[m];
    es_model *model = es_model_new(mr->cfg, &env, err);
    if (!model) goto fail;
    int rc = es_model_reply(model, &run->test, &mr->replies, err);
    if (rc == 0) es_model_counts(model, add_count, mr);
    const es_served_stats *ss = es_model_served(model);
    if (ss) {
      mr->served = *ss;
      mr->has_served = 1;
    }
    es_model_free(model);
    if (rc != 0) goto fail;
    if (opt->stop && *opt->stop) {
      size_t have = 0;
      for (size_t i = 0; i < run->test.n; i++) have += mr->replies.text[i] != NULL;
      es_error_set(err, ES_EXIT_INTERRUPTED,
                   "interrupted: model '%s' has %zu of %zu replies%s; nothing was written. Run "
                   "the same command again to resume: only the requests without a reply are "
                   "sent",
                   mr->cfg->name, have, run->test.n,
                   cache ? " (all of them in the request cache)" : " (--no-cache: none kept)");
      goto fail;
    }
    run->failed += mr->replies.failed;
    if (score_model(opt, run, mr, err) != 0) goto fail;
    if (opt->stop && *opt->stop) {
      es_error_set(err, ES_EXIT_INTERRUPTED,
                   "interrupted while scoring model '%s'; nothing was written. Run the same "
                   "command again to resume: replies in the request cache are not asked again",
                   mr->cfg->name);
      goto fail;
    }
    logf_(opt, "model %s: %zu replies, %zu failed", mr->cfg->name, run->test.n - mr->replies.failed,
          mr->replies.failed);
  }
  if (s->judge.enabled) {
    logf_(opt, "judging with %s: %zu rubric%s x %d sample%s%s", s->judge.model.name,
          s->judge.nrubrics, s->judge.nrubrics == 1 ? "" : "s", s->judge.samples,
          s->judge.samples == 1 ? "" : "s", s->judge.pairwise ? ", pairwise against the baseline" : "");
    if (es_judge_run(run, &io, &run->judge, err) != 0) goto fail;
    if (run->judge->failed || run->judge->parse_failures)
      logf_(opt, "judge: %zu request%s failed, %zu repl%s did not parse after the reminder",
            run->judge->failed, run->judge->failed == 1 ? "" : "s", run->judge->parse_failures,
            run->judge->parse_failures == 1 ? "y" : "ies");
  }
  free(data_path);
  es_cache_close(cache);
  *out = run;
  return 0;
fail:
  free(data_path);
  es_cache_close(cache);
  es_run_free(run);
  return -1;
}

void es_run_free(es_run *run) {
  if (!run) return;
  for (size_t m = 0; m < run->nmodels; m++) {
    es_model_run *mr = &run->models[m];
    es_replies_release(&mr->replies);
    free(mr->ext);
    free(mr->answered);
    es_scores_free(mr->scores);
    es_strategy_scores_release(&mr->strategy);
  }
  free(run->models);
  es_judge_free(run->judge);
  es_instances_release(&run->train);
  es_instances_release(&run->test);
  free(run->split);
  free(run->split_file_sha256);
  es_dataset_free(run->dataset);
  es_suite_free(run->suite);
  free(run->out_path);
  free(run->cache_path);
  free(run);
}
