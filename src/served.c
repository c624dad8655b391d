/*
 * served.c: openai and exec models through the request cache (served.h).
 */
#include "served.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <strings.h>
#include <unistd.h>

#include "exec_backend.h"
#include "exitcode.h"
#include "model.h"
#include "prompt.h"
#include "strbuf.h"

/* One instance's request. */
typedef struct {
  const es_served_request *q; /* the caller's request */
  char *messages_json; /* exec: the chat as JSON text */
  char key[ES_CACHE_KEY_SIZE];
  size_t same_as;   /* the instance whose request is identical and sent in its
                       place, or SIZE_MAX */
  size_t copies;    /* instances answered by this one's request (1 + duplicates) */
} request;

/* The state shared with the backends' callbacks. */
typedef struct {
  const es_model_cfg *cfg;
  const es_served_io *io;
  char **text, **error; /* the caller's outcome arrays */
  es_served_stats *st;
  request *reqs;
  size_t *pending; /* instance index of each sent request */
  es_progress_state ps;
  int oom;
  int put_warned;
} batch;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const char *params_of(const batch *b, size_t i) {
  return b->reqs[i].q->params_json ? b->reqs[i].q->params_json : b->cfg->params_json;
}

static void logmsg(const batch *b, const char *msg) {
  if (b->io->log) b->io->log(b->io->log_ctx, msg);
}

/* A header that carries a credential: its value stays out of the cache key
 * (a rotated key must not empty the cache, and keys are not to be hashed
 * into files); the name alone goes in. */
static int credential_header(const char *line) {
  static const char *const words[] = {"auth", "key", "token", "secret", "password", "cookie"};
  size_t n = strcspn(line, ":");
  for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
    for (size_t i = 0; i + strlen(words[w]) <= n; i++)
      if (!strncasecmp(line + i, words[w], strlen(words[w]))) return 1;
  return 0;
}

static int cmp_line(const void *a, const void *b) {
  return strcasecmp(*(char *const *)a, *(char *const *)b);
}

/* The endpoint part of the cache key. openai: the base URL without
 * trailing '/', then the extra headers sorted by name, one "\nName: value"
 * each (a routing header such as X-Deployment picks what answers), with
 * the value left out of credential headers. exec: the command as a JSON
 * array and the working directory (relative paths in it are resolved
 * there). */
static char *endpoint_of(const es_model_cfg *cfg) {
  es_strbuf b = {0};
  if (cfg->type == ES_MODEL_OPENAI) {
    size_t n = strlen(cfg->base_url);
    while (n > 0 && cfg->base_url[n - 1] == '/') n--;
    es_strbuf_add(&b, cfg->base_url, n);
    char **sorted = malloc((cfg->nheaders ? cfg->nheaders : 1) * sizeof *sorted);
    if (!sorted) {
      free(b.buf);
      return NULL;
    }
    if (cfg->nheaders) memcpy(sorted, cfg->headers, cfg->nheaders * sizeof *sorted);
    qsort(sorted, cfg->nheaders, sizeof *sorted, cmp_line);
    for (size_t h = 0; h < cfg->nheaders; h++) {
      es_strbuf_puts(&b, "\n");
      if (credential_header(sorted[h])) es_strbuf_add(&b, sorted[h], strcspn(sorted[h], ":") + 1);
      else es_strbuf_puts(&b, sorted[h]);
    }
    free(sorted);
  } else {
    cJSON *a = cJSON_CreateStringArray((const char *const *)cfg->command, (int)cfg->ncommand);
    char *cmd = a ? cJSON_PrintUnformatted(a) : NULL, *cwd = getcwd(NULL, 0);
    cJSON_Delete(a);
    if (cmd) es_strbuf_puts(&b, cmd);
    es_strbuf_puts(&b, "\n");
    if (cwd) es_strbuf_puts(&b, cwd);
    if (!cmd || !cwd) b.oom = 1;
    free(cmd);
    free(cwd);
  }
  if (b.oom || !b.buf) {
    free(b.buf);
    return NULL;
  }
  return b.buf;
}

/* Computes request i's key (and, for exec, its text). 0, or -1 with err. */
static int prepare(batch *b, const char *endpoint, size_t i, es_error *err) {
  request *r = &b->reqs[i];
  const es_model_cfg *cfg = b->cfg;
  const cJSON *chat = r->q->messages;
  if (cfg->type == ES_MODEL_EXEC && !(r->messages_json = cJSON_PrintUnformatted(chat)))
    return es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
  size_t nm = (size_t)cJSON_GetArraySize(chat);
  es_cache_msg *msgs = malloc((nm ? nm : 1) * sizeof *msgs);
  if (!msgs) return es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
  size_t k = 0;
  const cJSON *m;
  cJSON_ArrayForEach(m, chat) {
    const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
    if (!cJSON_IsString(role) || !cJSON_IsString(content)) {
      free(msgs);
      return es_error_set(err, ES_EXIT_INTERNAL, "a chat message without role or content (a bug)");
    }
    msgs[k].role = role->valuestring;
    msgs[k].content = content->valuestring;
    k++;
  }
  es_cache_request q = {es_model_type_name(cfg->type), endpoint,
                        cfg->type == ES_MODEL_OPENAI ? cfg->model : cfg->name,
                        params_of(b, i), msgs, nm, r->q->sample};
  int rc = es_cache_key(&q, r->key, err);
  free(msgs);
  return rc;
}

/* A reply for instance i arrived: the cache first, then the run. */
static void take_reply(batch *b, size_t i, const char *reply) {
  es_error err = {0};
  if (b->io->cache && es_cache_put(b->io->cache, b->reqs[i].key, reply, NULL, &err) < 0) {
    b->st->cache_put_failed++;
    if (!b->put_warned) {
      char msg[ES_ERROR_MSG_MAX + 128];
      snprintf(msg, sizeof msg,
               "warning: cannot store a reply in the request cache (%s); the run goes on, "
               "but a rerun will send such requests again", err.msg);
      logmsg(b, msg);
      b->put_warned = 1;
    }
  }
  if (!(b->text[i] = strdup(reply))) b->oom = 1;
  b->st->ok++;
  b->ps.done += b->reqs[i].copies;
}

static void take_failure(batch *b, size_t i, const char *why) {
  if (!(b->error[i] = strdup(why ? why : "failed"))) b->oom = 1;
  b->st->failed++;
  if (why && !strcmp(why, "cancelled")) b->st->cancelled++;
  b->ps.failed += b->reqs[i].copies;
  b->ps.done += b->reqs[i].copies;
}

/* ---- openai --------------------------------------------------------------------- */

static void openai_tick(void *arg, const struct es_openai_stats *os) {
  batch *b = arg;
  b->ps.retries = os->retries;
  b->ps.concurrency = os->concurrency;
  es_progress_update(b->io->progress, &b->ps);
}

static int openai_done(void *arg, size_t index, const es_openai_result *r, const es_openai_stats *os) {
  batch *b = arg;
  size_t i = b->pending[index];
  if (r->ok) {
    take_reply(b, i, r->reply);
    if (r->prompt_tokens >= 0) b->st->prompt_tokens += r->prompt_tokens;
    if (r->completion_tokens >= 0) b->st->completion_tokens += r->completion_tokens;
  } else {
    take_failure(b, i, r->reason);
  }
  openai_tick(b, os);
  return b->oom;
}

static int run_openai(batch *b, size_t n, es_error *err) {
  const es_model_cfg *cfg = b->cfg;
  es_openai_config oc;
  es_openai_config_init(&oc);
  oc.base_url = cfg->base_url;
  oc.model = cfg->model;
  oc.api_key_env = cfg->api_key_env;
  oc.headers = (const char *const *)cfg->headers;
  oc.nheaders = cfg->nheaders;
  oc.timeout = cfg->timeout;
  oc.connect_timeout = cfg->connect_timeout;
  oc.retry_total = cfg->retry_total;
  oc.max_concurrency = cfg->concurrency;
  oc.max_retries = cfg->retries;
  oc.rpm = cfg->rpm;
  oc.tpm = cfg->tpm;
  oc.stop = b->io->stop;
  oc.tick = openai_tick;
  oc.tick_arg = b;
  es_openai *c = es_openai_new(&oc, err);
  if (!c) return es_error_prefix(err, "model '%s'", cfg->name), -1;
  es_openai_request *q = calloc(n ? n : 1, sizeof *q);
  es_openai_result *res = calloc(n ? n : 1, sizeof *res);
  int rc = -1;
  if (!q || !res) {
    es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
    goto out;
  }
  for (size_t k = 0; k < n; k++) {
    q[k].messages = b->reqs[b->pending[k]].q->messages;
    q[k].params_json = params_of(b, b->pending[k]);
  }
  b->ps.concurrency = cfg->concurrency;
  if (es_openai_run(c, q, n, res, openai_done, b, err) != 0) goto out;
  const es_openai_stats *os = es_openai_last_stats(c);
  b->st->attempts = os->attempts;
  b->st->retries = os->retries;
  memcpy(b->st->retries_by, os->retries_by, sizeof b->st->retries_by);
  b->st->rate_waits = os->rate_waits;
  b->st->concurrency = os->concurrency;
  b->ps.concurrency = os->concurrency;
  for (size_t k = 0; k < n; k++) es_openai_result_release(&res[k]);
  rc = 0;
out:
  free(q);
  free(res);
  es_openai_free(c);
  return rc;
}

/* ---- exec ----------------------------------------------------------------------- */

static void exec_done(void *arg, size_t index, const es_exec_result *r, size_t done, size_t total) {
  batch *b = arg;
  size_t i = b->pending[index];
  (void)done, (void)total;
  if (r->reply) take_reply(b, i, r->reply);
  else take_failure(b, i, r->error);
  if (r->attempts > 1) b->ps.retries++;
  es_progress_update(b->io->progress, &b->ps);
}

static int run_exec(batch *b, size_t n, es_error *err) {
  const es_model_cfg *cfg = b->cfg;
  es_exec_config xc = {(const char *const *)cfg->command, cfg->workers, cfg->timeout,
                       cfg->max_restarts, 0, cfg->start_timeout, b->io->stop};
  es_exec *x = es_exec_new(&xc, err);
  if (!x) return es_error_prefix(err, "model '%s'", cfg->name), -1;
  es_exec_request *q = calloc(n ? n : 1, sizeof *q);
  es_exec_result *res = calloc(n ? n : 1, sizeof *res);
  int rc = -1;
  if (!q || !res) {
    es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
    goto out;
  }
  for (size_t k = 0; k < n; k++) {
    size_t i = b->pending[k];
    q[k].id = b->reqs[i].q->id;
    q[k].messages = b->reqs[i].messages_json;
    q[k].params = params_of(b, i);
  }
  b->ps.concurrency = cfg->workers;
  if (es_exec_run(x, q, n, res, exec_done, b, err) != 0) goto out;
  es_exec_stats xs;
  es_exec_get_stats(x, &xs);
  for (size_t k = 0; k < n; k++) {
    b->st->attempts += (size_t)res[k].attempts;
    es_exec_result_release(&res[k]);
  }
  b->st->retries = xs.retries;
  b->st->restarts = xs.restarts;
  b->st->timeouts = xs.timeouts;
  b->st->crashes = xs.crashes;
  b->st->garbage = xs.garbage;
  b->st->concurrency = cfg->workers;
  rc = 0;
out:
  free(q);
  free(res);
  es_exec_free(x);
  return rc;
}

/* ---- the batch ------------------------------------------------------------------ */

static const request *sort_reqs; /* qsort has no context argument */
static int by_key(const void *a, const void *b) {
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  int c = strcmp(sort_reqs[x].key, sort_reqs[y].key);
  return c ? c : (x > y) - (x < y);
}

/* Identical requests (the same key: two instances whose context renders
 * the same) are sent once: the first instance's request answers the
 * others. Compacts pending[0..*np) to one instance per key, in instance
 * order. */
static void share_identical(batch *b, size_t *np) {
  size_t n = *np, *sorted = malloc((n ? n : 1) * sizeof *sorted);
  if (!sorted) { /* no sharing: each is sent (correct, only slower) */
    return;
  }
  memcpy(sorted, b->pending, n * sizeof *sorted);
  sort_reqs = b->reqs;
  qsort(sorted, n, sizeof *sorted, by_key);
  for (size_t k = 1; k < n; k++) {
    request *prev = &b->reqs[sorted[k - 1]], *cur = &b->reqs[sorted[k]];
    if (strcmp(prev->key, cur->key) != 0) continue;
    size_t first = prev->same_as != SIZE_MAX ? prev->same_as : sorted[k - 1];
    cur->same_as = first;
    b->reqs[first].copies++;
  }
  free(sorted);
  size_t m = 0;
  for (size_t k = 0; k < n; k++)
    if (b->reqs[b->pending[k]].same_as == SIZE_MAX) b->pending[m++] = b->pending[k];
  *np = m;
}

int es_served_batch(const es_model_cfg *cfg, const char *label, const es_served_request *reqs,
                    size_t n, const es_served_io *io, char **text, char **error,
                    es_served_stats *st, es_error *err) {
  batch b = {cfg, io, text, error, st, NULL, NULL, {0}, 0, 0};
  char *endpoint = NULL;
  int rc = -1;
  memset(st, 0, sizeof *st);
  memset(text, 0, n * sizeof *text);
  memset(error, 0, n * sizeof *error);
  double t0 = now_s();
  b.reqs = calloc(n ? n : 1, sizeof *b.reqs);
  b.pending = malloc((n ? n : 1) * sizeof *b.pending);
  endpoint = endpoint_of(cfg);
  if (!b.reqs || !b.pending || !endpoint) {
    es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
    goto out;
  }
  st->requests = n;
  size_t npending = 0;
  for (size_t i = 0; i < n; i++) {
    b.reqs[i].q = &reqs[i];
    if (prepare(&b, endpoint, i, err) != 0) goto out;
    char *hit = NULL;
    int got = io->cache ? es_cache_get(io->cache, b.reqs[i].key, &hit, NULL, err) : 0;
    if (got < 0) {
      es_error_prefix(err, "%s: the request cache", label);
      goto out;
    }
    b.reqs[i].same_as = SIZE_MAX;
    b.reqs[i].copies = 1;
    if (got) {
      text[i] = hit;
      st->cached++;
    } else {
      b.pending[npending++] = i;
    }
  }
  share_identical(&b, &npending);
  b.ps.total = n;
  b.ps.cached = b.ps.done = st->cached;
  st->sent = npending;
  es_progress_begin(io->progress, label);
  if (npending > 0) {
    es_progress_update(io->progress, &b.ps);
    int r = cfg->type == ES_MODEL_OPENAI ? run_openai(&b, npending, err) : run_exec(&b, npending, err);
    if (r != 0) goto out;
    /* the requests that shared another's get its outcome */
    for (size_t i = 0; i < n && !b.oom; i++) {
      size_t f = b.reqs[i].same_as;
      if (f == SIZE_MAX) continue;
      if (text[f] && !(text[i] = strdup(text[f]))) b.oom = 1;
      if (error[f] && !(error[i] = strdup(error[f]))) b.oom = 1;
    }
    for (size_t i = 0; i < n && !b.oom; i++) /* every request ends one way or the other */
      if (!text[i] && !error[i] && !(error[i] = strdup("cancelled"))) b.oom = 1;
    if (b.oom) {
      es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
      goto out;
    }
  }
  b.ps.retries = st->retries;
  es_progress_end(io->progress, &b.ps);
  rc = 0;
out:
  st->seconds = now_s() - t0;
  for (size_t i = 0; b.reqs && i < n; i++) free(b.reqs[i].messages_json);
  free(b.reqs);
  free(b.pending);
  free(endpoint);
  if (rc != 0)
    for (size_t i = 0; i < n; i++) {
      free(text[i]);
      free(error[i]);
      text[i] = error[i] = NULL;
    }
  return rc;
}

int es_served_reply(const es_model_cfg *cfg, const es_suite *s, const es_instances *test,
                    const es_served_io *io, es_replies *out, es_served_stats *st,
                    es_error *err) {
  size_t n = test->n;
  int rc = -1;
  memset(out, 0, sizeof *out);
  out->n = n;
  out->text = calloc(n ? n : 1, sizeof *out->text);
  out->error = calloc(n ? n : 1, sizeof *out->error);
  es_served_request *reqs = calloc(n ? n : 1, sizeof *reqs);
  if (!out->text || !out->error || !reqs) {
    es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    reqs[i].id = test->items[i].id;
    if (!(reqs[i].messages = es_prompt_render(s, &test->items[i]))) {
      es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
      goto out;
    }
  }
  if (es_served_batch(cfg, cfg->name, reqs, n, io, out->text, out->error, st, err) != 0) goto out;
  for (size_t i = 0; i < n; i++) out->failed += !out->text[i];
  rc = 0;
out:
  for (size_t i = 0; reqs && i < n; i++) cJSON_Delete((cJSON *)reqs[i].messages);
  free(reqs);
  if (rc != 0) es_replies_release(out);
  return rc;
}
