/*
 * openai.c: the batch client for OpenAI-compatible chat completions (see
 * openai.h): one libcurl multi handle driven from the calling thread, a
 * queue of requests ready to go, a list of requests waiting out a backoff,
 * and a pool of easy handles (one per request in flight) reused from attempt
 * to attempt so connections stay alive.
 */
#include "openai.h"

#include <ctype.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "exitcode.h"
#include "url.h"
#include "lazylib.h"

#define MAX_RESPONSE (64u << 20) /* bytes: a larger body is refused */
#define WHY_MAX 200              /* bytes of a failure description */

/* ---- client ------------------------------------------------------------------------ */

struct es_openai {
  const es_curl_lib *cl;
  es_openai_config cfg; /* strings below are the client's copies */
  char *url, *model, *key_env;
  char *key;                   /* NULL when the variable is unset or empty */
  struct curl_slist *headers;  /* holds "Authorization: Bearer <key>" */
  size_t nfixed;               /* headers before the suite's own (whose values
                                  are masked like the key) */
  es_openai_stats stats;
};

void es_openai_config_init(es_openai_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->timeout = 120;
  cfg->connect_timeout = 10;
  cfg->retry_total = 600;
  cfg->max_concurrency = 8;
  cfg->grow_every = 8;
  cfg->max_retries = 5;
  cfg->backoff_base = 1;
  cfg->backoff_max = 60;
}

const char *es_openai_retry_name(es_openai_retry_reason r) {
  static const char *const names[ES_OPENAI_RETRY_NREASONS] = {
      "429", "5xx", "timeout", "dropped", "connect", "malformed"};
  return (unsigned)r < ES_OPENAI_RETRY_NREASONS ? names[r] : "?";
}

static void wipe(char *s) {
  if (!s) return;
  volatile char *p = s;
  while (*p) *p++ = 0;
}

void es_openai_free(es_openai *c) {
  if (!c) return;
  if (c->headers) {
    for (struct curl_slist *h = c->headers; h; h = h->next) wipe(h->data);
    c->cl->slist_free_all(c->headers);
  }
  wipe(c->key);
  free(c->key);
  free(c->url);
  free(c->model);
  free(c->key_env);
  if (c->cl) c->cl->global_cleanup();
  free(c);
}

/* Appends line to the client's header list; 0 or -1 (out of memory). */
static int add_header(es_openai *c, const char *line) {
  struct curl_slist *h = c->cl->slist_append(c->headers, line);
  if (!h) return -1;
  c->headers = h;
  return 0;
}

es_openai *es_openai_new(const es_openai_config *cfg, es_error *err) {
  if (!cfg->base_url || !*cfg->base_url)
    return es_error_set(err, ES_EXIT_USAGE, "openai backend: no base_url"), NULL;
  if (strncmp(cfg->base_url, "http://", 7) && strncmp(cfg->base_url, "https://", 8))
    return es_error_set(err, ES_EXIT_USAGE, "openai backend: base_url must start with http:// or https://"),
           NULL;
  if (es_url_has_credentials(cfg->base_url))
    return es_error_set(err, ES_EXIT_USAGE,
                        "openai backend: base_url carries credentials (user:password@); "
                        "pass the key through api_key_env instead"),
           NULL;
  if (!cfg->model || !*cfg->model)
    return es_error_set(err, ES_EXIT_USAGE, "openai backend: no model"), NULL;
  if (cfg->max_concurrency < 1 || cfg->max_retries < 0 || cfg->timeout <= 0 ||
      cfg->retry_total < 0 || cfg->backoff_base < 0 || cfg->backoff_max < 0 ||
      cfg->initial_concurrency < 0 || cfg->grow_every < 0 || !(cfg->rpm >= 0) ||
      !(cfg->tpm >= 0))
    return es_error_set(err, ES_EXIT_USAGE, "openai backend: invalid limits in the configuration"), NULL;
  for (size_t i = 0; i < cfg->nheaders; i++)
    if (!cfg->headers[i] || strpbrk(cfg->headers[i], "\r\n") || !strchr(cfg->headers[i], ':'))
      return es_error_set(err, ES_EXIT_USAGE, "openai backend: extra header %zu is not one 'Name: value' line",
                          i + 1),
             NULL;

  const es_curl_lib *cl = es_curl_lib_get(err);
  if (!cl) return NULL;
  CURLcode rc = cl->global_init(CURL_GLOBAL_DEFAULT);
  if (rc != CURLE_OK)
    return es_error_set(err, ES_EXIT_INTERNAL, "cannot start libcurl: %s", cl->easy_strerror(rc)), NULL;
  es_openai *c = calloc(1, sizeof *c);
  if (!c) {
    cl->global_cleanup();
    return es_error_set(err, ES_EXIT_INTERNAL, "out of memory"), NULL;
  }
  c->cl = cl;
  c->cfg = *cfg;
  c->cfg.headers = NULL;
  c->cfg.nheaders = 0;
  if (c->cfg.initial_concurrency == 0 || c->cfg.initial_concurrency > c->cfg.max_concurrency)
    c->cfg.initial_concurrency = c->cfg.max_concurrency;
  if (c->cfg.grow_every == 0) c->cfg.grow_every = 8;

  size_t blen = strlen(cfg->base_url);
  while (blen > 0 && cfg->base_url[blen - 1] == '/') blen--;
  c->url = malloc(blen + sizeof "/chat/completions");
  c->model = strdup(cfg->model);
  c->key_env = cfg->api_key_env && *cfg->api_key_env ? strdup(cfg->api_key_env) : NULL;
  if (!c->url || !c->model || (cfg->api_key_env && *cfg->api_key_env && !c->key_env)) goto oom;
  memcpy(c->url, cfg->base_url, blen);
  strcpy(c->url + blen, "/chat/completions");
  c->cfg.base_url = c->cfg.model = c->cfg.api_key_env = NULL; /* use the copies */

  if (add_header(c, "Content-Type: application/json") || add_header(c, "Expect:")) goto oom;
  const char *key = c->key_env ? getenv(c->key_env) : NULL;
  if (key && *key) {
    if (strpbrk(key, "\r\n")) {
      es_openai_free(c);
      return es_error_set(err, ES_EXIT_USAGE, "openai backend: $%s holds a line break", cfg->api_key_env),
             NULL;
    }
    if (!(c->key = strdup(key))) goto oom;
    size_t n = strlen(key) + sizeof "Authorization: Bearer ";
    char *line = malloc(n);
    if (!line) goto oom;
    snprintf(line, n, "Authorization: Bearer %s", key);
    int bad = add_header(c, line);
    wipe(line);
    free(line);
    if (bad) goto oom;
  }
  for (struct curl_slist *h = c->headers; h; h = h->next) c->nfixed++;
  for (size_t i = 0; i < cfg->nheaders; i++)
    if (add_header(c, cfg->headers[i])) goto oom;
  return c;
oom:
  es_openai_free(c);
  es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
  return NULL;
}

const es_openai_stats *es_openai_last_stats(const es_openai *c) { return &c->stats; }

void es_openai_result_release(es_openai_result *r) {
  if (!r) return;
  free(r->reply);
  free(r->reason);
  memset(r, 0, sizeof *r);
}

/* ---- one run ----------------------------------------------------------------------- */

/* An easy handle and the response it is receiving. */
typedef struct slot {
  CURL *easy;
  size_t index; /* the request it carries */
  char *data;
  size_t len, cap;
  int too_large;
  double retry_after; /* seconds, -1 when the response had none */
  double started;
  char errbuf[CURL_ERROR_SIZE];
  struct slot *next_free;
} slot;

/* Where a request stands. */
typedef struct {
  char *body;    /* the JSON sent, from the first attempt until it ends */
  double first;  /* start of the first attempt */
  double due;    /* when a retry may start */
  int attempts;
  int status;    /* HTTP status of the last attempt */
  int ended;
  double est;    /* estimated tokens of one attempt (the tpm charge) */
  int held;      /* this attempt's start was held back by rpm/tpm (counted) */
} req_state;

typedef struct {
  es_openai *c;
  const es_openai_request *reqs;
  es_openai_result *res;
  size_t n;
  req_state *st;
  slot *slots, *free_slots;
  CURLM *multi;
  size_t *ready; /* ring of request indices */
  size_t rhead, rcount;
  size_t *delayed; /* unordered indices waiting for their due time */
  size_t ndelayed;
  double t0, last_cut;
  int streak; /* successes since the last growth or cut */
  es_openai_progress_fn progress;
  void *arg;
  int cancel;
  int oom;
  double rpm_tokens, tpm_tokens, refilled, last_tick; /* rate buckets, tick time */
} run;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/* Full jitter: uniform in [0, min(max, base * 2^(retry-1))], from (seed, i, retry). */
static double backoff(const es_openai_config *cfg, size_t i, int retry) {
  double cap = cfg->backoff_base * ldexp(1.0, retry > 60 ? 60 : retry - 1);
  if (cap > cfg->backoff_max) cap = cfg->backoff_max;
  uint64_t r = mix64(mix64(cfg->seed ^ mix64(i)) + (uint64_t)retry);
  return cap * (double)(r >> 11) * 0x1.0p-53;
}

/* Replaces every occurrence of secret in s by asterisks, in place: "***",
 * or as many as the secret has bytes when it is shorter (the text never
 * grows), scanning on past each mask (a secret made of '*' cannot loop). */
static void mask_one(const char *secret, size_t kl, char *s) {
  size_t keep = kl < 3 ? kl : 3;
  for (char *p = s; (p = strstr(p, secret)); p += keep) {
    memset(p, '*', keep);
    memmove(p + keep, p + kl, strlen(p + kl) + 1);
  }
}

/* Masks the key and the values of the suite's extra headers (those of 6
 * bytes or more: shorter ones are not secrets, and masking them would
 * garble messages) wherever they appear in s. */
static void mask_key(const es_openai *c, char *s) {
  if (!s) return;
  if (c->key && *c->key) mask_one(c->key, strlen(c->key), s);
  size_t k = 0;
  for (const struct curl_slist *h = c->headers; h; h = h->next, k++) {
    if (k < c->nfixed) continue;
    const char *v = strchr(h->data, ':');
    if (!v) continue;
    v += 1 + strspn(v + 1, " \t");
    size_t n = strlen(v);
    if (n >= 6) mask_one(v, n, s);
  }
}

static void update_stats(run *r) {
  r->c->stats.elapsed = now_s() - r->t0;
}

/* Ends request i: with reply (taken) when not NULL, else as a failure
 * with reason (the key masked). Calls the progress callback. */
static void end_request(run *r, size_t i, char *reply, const char *reason) {
  req_state *s = &r->st[i];
  es_openai_result *res = &r->res[i];
  es_openai_stats *stats = &r->c->stats;
  s->ended = 1;
  free(s->body);
  s->body = NULL;
  res->attempts = s->attempts;
  res->http_status = s->status;
  if (reply) {
    res->ok = 1;
    res->reply = reply;
    stats->ok++;
  } else {
    res->ok = 0;
    if ((res->reason = strdup(reason)))
      mask_key(r->c, res->reason);
    else
      r->oom = 1;
    stats->failed++;
  }
  stats->done++;
  if (r->progress) { /* every ending, also while cancelling */
    update_stats(r);
    if (r->progress(r->arg, i, res, stats)) r->cancel = 1;
  }
}

/* end_request for a failure, the reason given as printf. */
static void fail_request(run *r, size_t i, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail_request(run *r, size_t i, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  end_request(r, i, NULL, buf);
}

static void push_ready(run *r, size_t i) {
  r->ready[(r->rhead + r->rcount) % r->n] = i;
  r->rcount++;
}

/* Schedules a retry of request i after the failure why (reason kind k), or
 * ends it when the retries or the time bound are used up. */
static void retry_or_fail(run *r, size_t i, es_openai_retry_reason k, double retry_after, double now,
                          const char *why) {
  req_state *s = &r->st[i];
  const es_openai_config *cfg = &r->c->cfg;
  if (s->attempts > cfg->max_retries) {
    fail_request(r, i, "%s after %d attempt%s", why, s->attempts, s->attempts == 1 ? "" : "s");
    return;
  }
  double delay = retry_after >= 0 ? retry_after : backoff(cfg, i, s->attempts);
  if (now + delay - s->first > cfg->retry_total) {
    fail_request(r, i, "%s after %d attempt%s (retry time bound of %g s reached)", why,
                s->attempts, s->attempts == 1 ? "" : "s", cfg->retry_total);
    return;
  }
  r->c->stats.retries++;
  r->c->stats.retries_by[k]++;
  s->due = now + delay;
  r->delayed[r->ndelayed++] = i;
}

/* Builds the JSON body of request i into st[i].body; 0, or -1 with the
 * request ended as a failure (invalid input) or r->oom set. */
static int build_body(run *r, size_t i) {
  const es_openai_request *q = &r->reqs[i];
  const char *bad = NULL;
  cJSON *o = cJSON_CreateObject(), *msgs = NULL, *params = NULL;
  if (!o || !cJSON_AddStringToObject(o, "model", r->c->model)) goto oom;
  if (q->messages)
    msgs = cJSON_Duplicate(q->messages, 1);
  else if (q->messages_json)
    msgs = cJSON_ParseWithOpts(q->messages_json, NULL, 1); /* nothing may follow it */
  if (!msgs || !cJSON_IsArray(msgs)) {
    bad = "messages are not a JSON array";
    goto out;
  }
  cJSON_AddItemToObject(o, "messages", msgs);
  msgs = NULL;
  if (q->params || q->params_json) {
    params = q->params ? cJSON_Duplicate(q->params, 1) : cJSON_ParseWithOpts(q->params_json, NULL, 1);
    if (!params || !cJSON_IsObject(params)) {
      bad = "params are not a JSON object";
      goto out;
    }
    const cJSON *mt = cJSON_GetObjectItemCaseSensitive(params, "max_tokens");
    if (!cJSON_IsNumber(mt)) mt = cJSON_GetObjectItemCaseSensitive(params, "max_completion_tokens");
    if (cJSON_IsNumber(mt) && mt->valuedouble > 0) r->st[i].est = mt->valuedouble;
    cJSON *p;
    while ((p = params->child)) {
      if (!strcmp(p->string, "model") || !strcmp(p->string, "messages") ||
          !strcmp(p->string, "stream")) {
        bad = "params may not set 'model', 'messages' or 'stream'";
        goto out;
      }
      cJSON_DetachItemViaPointer(params, p);
      cJSON_AddItemToObject(o, p->string, p);
    }
  }
  if (!(r->st[i].body = cJSON_PrintUnformatted(o))) goto oom;
  r->st[i].est += (double)strlen(r->st[i].body) / 4;
out:
  cJSON_Delete(o);
  cJSON_Delete(msgs);
  cJSON_Delete(params);
  if (bad) fail_request(r, i, "invalid request: %s", bad);
  return bad || !r->st[i].body ? -1 : 0;
oom:
  r->oom = 1;
  bad = NULL;
  goto out;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg) {
  slot *s = arg;
  size_t len = size * n;
  if (s->len + len > MAX_RESPONSE) {
    s->too_large = 1;
    return 0;
  }
  if (s->len + len + 1 > s->cap) {
    size_t cap = s->cap ? s->cap : 4096;
    while (cap < s->len + len + 1) cap *= 2;
    char *d = realloc(s->data, cap);
    if (!d) return 0;
    s->data = d;
    s->cap = cap;
  }
  memcpy(s->data + s->len, p, len);
  s->len += len;
  s->data[s->len] = 0;
  return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg) {
  slot *s = arg;
  size_t len = size * n;
  if (len >= 5 && !memcmp(p, "HTTP/", 5)) {
    s->retry_after = -1; /* a new response (after a 100 or a redirect) */
  } else if (len > 12 && !strncasecmp(p, "retry-after:", 12)) {
    size_t k = 12;
    while (k < len && (p[k] == ' ' || p[k] == '\t')) k++;
    double v = 0;
    int digits = 0;
    for (; k < len && isdigit((unsigned char)p[k]); k++, digits++) v = v * 10 + (p[k] - '0');
    if (digits > 0 && digits < 10) s->retry_after = v; /* an HTTP date is ignored */
  }
  return len;
}

/* Sets the options every attempt on this handle shares; 0 or -1. */
static int setup_easy(run *r, slot *s) {
  const es_curl_lib *cl = r->c->cl;
  const es_openai_config *cfg = &r->c->cfg;
  if (!(s->easy = cl->easy_init())) return -1;
  CURL *e = s->easy;
  cl->easy_setopt(e, CURLOPT_URL, r->c->url);
  cl->easy_setopt(e, CURLOPT_POST, 1L);
  cl->easy_setopt(e, CURLOPT_HTTPHEADER, r->c->headers);
  cl->easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  cl->easy_setopt(e, CURLOPT_WRITEDATA, s);
  cl->easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  cl->easy_setopt(e, CURLOPT_HEADERDATA, s);
  cl->easy_setopt(e, CURLOPT_PRIVATE, s);
  cl->easy_setopt(e, CURLOPT_ERRORBUFFER, s->errbuf);
  cl->easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  /* rounded up: a timeout under 1 ms must not become 0, which is none */
  cl->easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)ceil(cfg->timeout * 1000));
  cl->easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                  (long)((cfg->connect_timeout > 0 ? cfg->connect_timeout : 10) * 1000));
  cl->easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
  cl->easy_setopt(e, CURLOPT_USERAGENT, "esbench/" ESBENCH_VERSION);
#if LIBCURL_VERSION_NUM >= 0x075500
  cl->easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
  return 0;
}

/* Refills the rate buckets up to now. */
static void refill(run *r, double now) {
  const es_openai_config *cfg = &r->c->cfg;
  double dt = now - r->refilled;
  r->refilled = now;
  if (cfg->rpm > 0) {
    double cap = cfg->rpm / 60 > 1 ? cfg->rpm / 60 : 1;
    r->rpm_tokens += dt * cfg->rpm / 60;
    if (r->rpm_tokens > cap) r->rpm_tokens = cap;
  }
  if (cfg->tpm > 0) {
    double cap = cfg->tpm / 60 > 1 ? cfg->tpm / 60 : 1;
    r->tpm_tokens += dt * cfg->tpm / 60;
    if (r->tpm_tokens > cap) r->tpm_tokens = cap;
  }
}

/* Takes what an attempt of request i costs from the rate buckets and
 * returns 0, or returns the seconds until it may start (taking nothing). */
static double rate_take(run *r, size_t i, double now) {
  const es_openai_config *cfg = &r->c->cfg;
  if (cfg->rpm <= 0 && cfg->tpm <= 0) return 0;
  refill(r, now);
  double wait = 0;
  if (cfg->rpm > 0 && r->rpm_tokens < 1) wait = (1 - r->rpm_tokens) * 60 / cfg->rpm;
  if (cfg->tpm > 0 && r->tpm_tokens <= 0) {
    double w = (1e-6 - r->tpm_tokens) * 60 / cfg->tpm;
    if (w > wait) wait = w;
  }
  if (wait > 0) {
    if (!r->st[i].held) r->c->stats.rate_waits++;
    r->st[i].held = 1;
    return wait < 1e-3 ? 1e-3 : wait;
  }
  r->st[i].held = 0;
  if (cfg->rpm > 0) r->rpm_tokens -= 1;
  if (cfg->tpm > 0) r->tpm_tokens -= r->st[i].est;
  return 0;
}

/* Corrects the tpm charge of an attempt of request i that used `used`
 * tokens (-1: unknown, keep the estimate; 0: a failed attempt, refunded). */
static void rate_settle(run *r, size_t i, double used) {
  const es_openai_config *cfg = &r->c->cfg;
  if (cfg->tpm <= 0 || used < 0) return;
  double cap = cfg->tpm / 60 > 1 ? cfg->tpm / 60 : 1;
  r->tpm_tokens += r->st[i].est - used;
  if (r->tpm_tokens > cap) r->tpm_tokens = cap;
}

/* Starts the next attempt of request i on a free slot; 0 or -1 (r->oom or
 * a libcurl failure, with the request ended). */
static int start(run *r, size_t i, double now) {
  req_state *st = &r->st[i];
  const es_curl_lib *cl = r->c->cl;
  if (!st->body && build_body(r, i)) return r->oom ? -1 : 0;
  slot *s = r->free_slots;
  if (!s->easy && setup_easy(r, s)) {
    r->oom = 1;
    return -1;
  }
  r->free_slots = s->next_free;
  s->index = i;
  s->len = 0;
  s->too_large = 0;
  s->retry_after = -1;
  s->errbuf[0] = 0;
  s->started = now;
  if (st->attempts == 0) st->first = now;
  st->attempts++;
  cl->easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(st->body));
  cl->easy_setopt(s->easy, CURLOPT_POSTFIELDS, st->body);
  CURLMcode mc = cl->multi_add_handle(r->multi, s->easy);
  if (mc != CURLM_OK) {
    s->next_free = r->free_slots;
    r->free_slots = s;
    fail_request(r, i, "cannot start a request: %s", cl->multi_strerror(mc));
    return 0;
  }
  r->c->stats.attempts++;
  r->c->stats.in_flight++;
  return 0;
}

/* Copies the server's error message (if the body has one) into out, with
 * the key masked (before it is cut: a cut could leave part of the key),
 * cut, and with control characters replaced. */
static void server_message(const es_openai *c, const slot *s, char *out, size_t size) {
  out[0] = 0;
  cJSON *j = s->len ? cJSON_ParseWithLength(s->data, s->len) : NULL;
  const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
  const cJSON *m = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "message") : e;
  if (cJSON_IsString(m)) {
    mask_key(c, m->valuestring); /* the parsed copy is ours to change */
    snprintf(out, size, ": %s", m->valuestring);
    for (char *p = out; *p; p++)
      if ((unsigned char)*p < 0x20) *p = ' ';
  }
  cJSON_Delete(j);
}

/* A 2xx body: ends the request with its reply, or returns -1 (malformed). */
static int take_reply(run *r, size_t i, const slot *s) {
  es_openai_result *res = &r->res[i];
  cJSON *j = cJSON_ParseWithLength(s->data ? s->data : "", s->len);
  const cJSON *ch = cJSON_GetObjectItemCaseSensitive(j, "choices");
  const cJSON *c0 = cJSON_IsArray(ch) ? cJSON_GetArrayItem(ch, 0) : NULL;
  const cJSON *msg = cJSON_GetObjectItemCaseSensitive(c0, "message");
  const cJSON *content = cJSON_GetObjectItemCaseSensitive(msg, "content");
  if (cJSON_IsNull(content) && cJSON_IsObject(msg)) {
    /* a well-formed reply without text (a refusal, a tool call): final, not
     * retried: asking again would only pay for the same answer */
    const cJSON *fr = cJSON_GetObjectItemCaseSensitive(c0, "finish_reason");
    char why[128];
    snprintf(why, sizeof why, "the reply has no content (finish_reason %s)",
             cJSON_IsString(fr) ? fr->valuestring : "not given");
    cJSON_Delete(j);
    end_request(r, i, NULL, why);
    return 0;
  }
  if (!cJSON_IsString(content)) {
    cJSON_Delete(j);
    return -1;
  }
  char *reply = strdup(content->valuestring);
  if (!reply) {
    r->oom = 1;
    cJSON_Delete(j);
    return 0;
  }
  const cJSON *u = cJSON_GetObjectItemCaseSensitive(j, "usage");
  const cJSON *pt = cJSON_GetObjectItemCaseSensitive(u, "prompt_tokens");
  const cJSON *ct = cJSON_GetObjectItemCaseSensitive(u, "completion_tokens");
  const cJSON *tt = cJSON_GetObjectItemCaseSensitive(u, "total_tokens");
  res->prompt_tokens = cJSON_IsNumber(pt) ? (long)pt->valuedouble : -1;
  res->completion_tokens = cJSON_IsNumber(ct) ? (long)ct->valuedouble : -1;
  res->total_tokens = cJSON_IsNumber(tt) ? (long)tt->valuedouble : -1;
  cJSON_Delete(j);
  end_request(r, i, reply, NULL);
  return 0;
}

/* Halves the concurrency on an overload reply, once per round. */
static void overloaded(run *r, const slot *s, double now) {
  es_openai_stats *stats = &r->c->stats;
  r->streak = 0;
  if (s->started < r->last_cut) return; /* sent before the last cut */
  stats->concurrency = stats->concurrency > 1 ? stats->concurrency / 2 : 1;
  r->last_cut = now;
}

static void succeeded(run *r) {
  es_openai_stats *stats = &r->c->stats;
  if (++r->streak >= r->c->cfg.grow_every) {
    r->streak = 0;
    if (stats->concurrency < r->c->cfg.max_concurrency) stats->concurrency++;
  }
}

/* Handles the end of the attempt on s (transfer result rc). */
static void finished(run *r, slot *s, CURLcode rc, double now) {
  const es_curl_lib *cl = r->c->cl;
  size_t i = s->index;
  req_state *st = &r->st[i];
  long status = 0;
  char why[WHY_MAX + 64], msg[256];
  cl->multi_remove_handle(r->multi, s->easy);
  r->c->stats.in_flight--;
  cl->easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
  st->status = (int)status;

  size_t ok_before = r->c->stats.ok;
  int settled = 0;
  if (rc == CURLE_OK) {
    if (status >= 200 && status < 300) {
      if (take_reply(r, i, s) == 0) {
        if (r->c->stats.ok > ok_before) { /* a reply, not a final refusal */
          rate_settle(r, i, r->res[i].total_tokens >= 0 ? (double)r->res[i].total_tokens : -1);
          settled = 1;
        }
        succeeded(r);
      } else {
        retry_or_fail(r, i, ES_OPENAI_RETRY_MALFORMED, -1, now, "malformed response");
      }
    } else if (status == 429 || status == 503) {
      overloaded(r, s, now);
      snprintf(why, sizeof why, "http %ld", status);
      retry_or_fail(r, i, status == 429 ? ES_OPENAI_RETRY_429 : ES_OPENAI_RETRY_5XX, s->retry_after,
                    now, why);
    } else if (status >= 500 || status == 408) {
      snprintf(why, sizeof why, "http %ld", status);
      retry_or_fail(r, i, ES_OPENAI_RETRY_5XX, -1, now, why);
    } else if (status == 401) {
      if (!r->c->key_env)
        fail_request(r, i, "http 401: the server wants an API key (set api_key_env)");
      else if (!r->c->key)
        fail_request(r, i, "http 401: the server wants an API key and $%s is not set",
                    r->c->key_env);
      else
        fail_request(r, i, "http 401: the API key in $%s was rejected", r->c->key_env);
    } else {
      server_message(r->c, s, msg, sizeof msg);
      fail_request(r, i, "http %ld%s", status, msg);
    }
  } else {
    const char *detail = s->errbuf[0] ? s->errbuf : cl->easy_strerror(rc);
    switch (rc) {
      case CURLE_OPERATION_TIMEDOUT:
        retry_or_fail(r, i, ES_OPENAI_RETRY_TIMEOUT, -1, now, "timeout");
        break;
      case CURLE_GOT_NOTHING:
      case CURLE_RECV_ERROR:
      case CURLE_SEND_ERROR:
      case CURLE_PARTIAL_FILE:
      case CURLE_HTTP2:
      case CURLE_HTTP2_STREAM:
        retry_or_fail(r, i, ES_OPENAI_RETRY_DROPPED, -1, now, "connection dropped");
        break;
      case CURLE_COULDNT_CONNECT:
        snprintf(why, sizeof why, "cannot connect: %.*s", WHY_MAX - 20, detail);
        retry_or_fail(r, i, ES_OPENAI_RETRY_CONNECT, -1, now, why);
        break;
      case CURLE_WRITE_ERROR:
        if (s->too_large)
          fail_request(r, i, "response larger than %u MiB", MAX_RESPONSE >> 20);
        else
          r->oom = 1;
        break;
      default:
        fail_request(r, i, "%s", detail);
        break;
    }
  }
  /* refunded when the server did no work for the attempt (a 429, no
   * connection); a timeout, a drop or a 5xx may have cost it the tokens */
  if (!settled && ((rc == CURLE_OK && status == 429) || rc == CURLE_COULDNT_CONNECT))
    rate_settle(r, i, 0);
  s->next_free = r->free_slots;
  r->free_slots = s;
}

/* Moves the delayed requests that are due into the ready queue; returns
 * the seconds until the next one is due (a large value when none). */
static double promote(run *r, double now) {
  double next = 1e9;
  for (size_t k = 0; k < r->ndelayed;) {
    size_t i = r->delayed[k];
    if (r->st[i].due <= now) {
      push_ready(r, i);
      r->delayed[k] = r->delayed[--r->ndelayed];
    } else {
      if (r->st[i].due - now < next) next = r->st[i].due - now;
      k++;
    }
  }
  return next;
}

static void run_release(run *r) {
  const es_curl_lib *cl = r->c->cl;
  if (r->slots) {
    for (int k = 0; k < r->c->cfg.max_concurrency; k++) {
      if (!r->slots[k].easy) continue;
      if (r->multi) cl->multi_remove_handle(r->multi, r->slots[k].easy);
      cl->easy_cleanup(r->slots[k].easy);
      free(r->slots[k].data);
    }
  }
  if (r->multi) cl->multi_cleanup(r->multi);
  if (r->st)
    for (size_t i = 0; i < r->n; i++) free(r->st[i].body);
  free(r->slots);
  free(r->st);
  free(r->ready);
  free(r->delayed);
}

int es_openai_run(es_openai *c, const es_openai_request *requests, size_t n,
                  es_openai_result *results, es_openai_progress_fn progress, void *arg,
                  es_error *err) {
  const es_curl_lib *cl = c->cl;
  run r = {0};
  int rc = -1;
  memset(results, 0, n * sizeof *results);
  memset(&c->stats, 0, sizeof c->stats);
  c->stats.total = n;
  c->stats.concurrency = c->cfg.initial_concurrency;
  r.c = c;
  r.reqs = requests;
  r.res = results;
  r.n = n;
  r.progress = progress;
  r.arg = arg;
  r.t0 = now_s();
  r.last_cut = -1;
  r.refilled = r.last_tick = r.t0;
  r.rpm_tokens = c->cfg.rpm / 60 > 1 ? c->cfg.rpm / 60 : 1; /* full buckets */
  r.tpm_tokens = c->cfg.tpm / 60 > 1 ? c->cfg.tpm / 60 : 1;
  if (n == 0) return 0;

  int maxc = c->cfg.max_concurrency;
  r.st = calloc(n, sizeof *r.st);
  r.ready = malloc(n * sizeof *r.ready);
  r.delayed = malloc(n * sizeof *r.delayed);
  r.slots = calloc((size_t)maxc, sizeof *r.slots);
  if (!r.st || !r.ready || !r.delayed || !r.slots) goto oom;
  for (int k = maxc - 1; k >= 0; k--) {
    r.slots[k].next_free = r.free_slots;
    r.free_slots = &r.slots[k];
  }
  for (size_t i = 0; i < n; i++) push_ready(&r, i);
  if (!(r.multi = cl->multi_init())) goto oom;
  cl->multi_setopt(r.multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)maxc);
  cl->multi_setopt(r.multi, CURLMOPT_MAXCONNECTS, (long)maxc);

  /* with a stop flag or a tick the loop wakes at least every 100 ms */
  double max_wait = c->cfg.stop || c->cfg.tick ? 0.1 : 1;
  while (c->stats.done < n && !r.cancel && !r.oom) {
    double now = now_s();
    double next_due = promote(&r, now), rate_wait = 0;
    if (c->cfg.stop && *c->cfg.stop) {
      r.cancel = 1;
      break;
    }
    if (c->cfg.tick && now - r.last_tick >= 0.1) {
      r.last_tick = now;
      update_stats(&r);
      c->cfg.tick(c->cfg.tick_arg, &c->stats);
    }
    while (r.rcount > 0 && c->stats.in_flight < c->stats.concurrency && !r.cancel && !r.oom) {
      size_t i = r.ready[r.rhead];
      if (!r.st[i].body && build_body(&r, i)) { /* ended as invalid (or out of memory) */
        r.rhead = (r.rhead + 1) % n;
        r.rcount--;
        continue;
      }
      if ((rate_wait = rate_take(&r, i, now)) > 0) break;
      r.rhead = (r.rhead + 1) % n;
      r.rcount--;
      if (start(&r, i, now)) break;
    }
    if (r.oom || c->stats.done == n || r.cancel) break;
    int running = 0;
    CURLMcode mc = cl->multi_perform(r.multi, &running);
    if (mc != CURLM_OK) {
      es_error_set(err, ES_EXIT_INTERNAL, "libcurl: %s", cl->multi_strerror(mc));
      goto out;
    }
    CURLMsg *m;
    int left, ended = 0;
    now = now_s();
    while ((m = cl->multi_info_read(r.multi, &left))) {
      if (m->msg != CURLMSG_DONE) continue;
      slot *s = NULL;
      CURLcode res = m->data.result;
      cl->easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&s);
      finished(&r, s, res, now);
      ended = 1;
    }
    if (ended || c->stats.done == n) continue;
    int startable = r.rcount > 0 && c->stats.in_flight < c->stats.concurrency;
    double wait = startable ? (rate_wait > 0 ? rate_wait : 0) : next_due;
    if (wait > max_wait) wait = max_wait;
    mc = cl->multi_poll(r.multi, NULL, 0, (int)ceil(wait * 1000), NULL);
    if (mc != CURLM_OK) {
      es_error_set(err, ES_EXIT_INTERNAL, "libcurl: %s", cl->multi_strerror(mc));
      goto out;
    }
  }
  if (r.oom) goto oom;
  if (r.cancel)
    for (size_t i = 0; i < n; i++)
      if (!r.st[i].ended) {
        end_request(&r, i, NULL, "cancelled");
        if (r.oom) goto oom;
      }
  update_stats(&r);
  rc = 0;
  goto out;
oom:
  es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
out:
  run_release(&r);
  if (rc)
    for (size_t i = 0; i < n; i++) es_openai_result_release(&results[i]);
  c->stats.in_flight = 0;
  return rc;
}
