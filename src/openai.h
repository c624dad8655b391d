/*
 * openai.h: a batch client for OpenAI-compatible /v1/chat/completions.
 *
 * es_openai_run sends a batch of chat requests over libcurl's multi
 * interface from the calling thread (no thread per request), keeps HTTP/1.1
 * connections alive (and multiplexes over HTTP/2 when the server offers it),
 * and ends every request as exactly one of a reply or a failure with a
 * reason. Around that:
 *
 * - Retries. 429, 5xx, 408, timeouts, dropped connections, connection
 *   failures and malformed bodies are retried up to max_retries times, after
 *   an exponential backoff with full jitter (a uniform draw in
 *   [0, min(backoff_max, backoff_base * 2^(retry-1))], from a generator
 *   seeded by (seed, request index, attempt), so a run is reproducible). A
 *   429 or 503 carrying "Retry-After: N" (seconds) waits N seconds instead.
 *   No retry starts later than retry_total seconds after the request's first
 *   attempt: a wait that would cross that bound fails the request at once.
 *   Other 4xx fail at once; a 401 says the key in $api_key_env was rejected
 *   (or that the variable is not set), never the key.
 * - Adaptive concurrency. The number of requests in flight starts at
 *   initial_concurrency (default: max_concurrency), halves on a 429 or 503
 *   (once per round: a reply to a request sent before the last cut does not
 *   cut again), and grows by one after grow_every successes in a row,
 *   never above max_concurrency.
 * - Secrets. The API key is read from the environment variable named by
 *   api_key_env when the client is made and lives only in the request
 *   headers handed to libcurl (wiped when the client is freed). It is never
 *   copied into results, reasons, stats or errors; reasons quoting a server
 *   message have any occurrence of the key masked, and of the value of an
 *   extra header (6 bytes or more: such values may be credentials too).
 *
 * - Rate limits. With rpm, an attempt (first or retry) starts only when a
 *   token bucket refilled at rpm/60 per second, holding at most
 *   max(1, rpm/60) (one second's worth), has a token. With tpm, an attempt
 *   is charged an estimate of its tokens (a quarter of the body's bytes plus
 *   params.max_tokens or max_completion_tokens when given) against a bucket
 *   refilled at tpm/60 per second (at most one second's worth); it may start
 *   while the balance is positive, so one large request is never starved.
 *   The charge is corrected to the reply's usage.total_tokens, and refunded
 *   when the attempt fails.
 *
 * Library code: nothing here prints.
 */
#ifndef ES_OPENAI_H
#define ES_OPENAI_H

#include <stddef.h>
#include <signal.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "error.h"

struct es_openai_stats;

typedef struct {
  const char *base_url;      /* e.g. "http://127.0.0.1:8000/v1"; "/chat/completions"
                                is appended (a trailing '/' is dropped) */
  const char *model;         /* the "model" field of every request */
  const char *api_key_env;   /* name of the variable holding the key, or NULL */
  const char *const *headers; /* nheaders extra "Name: value" headers */
  size_t nheaders;
  double timeout;            /* seconds per attempt (default 120) */
  double connect_timeout;    /* seconds to connect (default 10) */
  double retry_total;        /* seconds: no retry starts later than this after the
                                first attempt (default 600) */
  int max_concurrency;       /* requests in flight at most (default 8) */
  int initial_concurrency;   /* starting value, 0: max_concurrency */
  int grow_every;            /* successes in a row per +1 (default 8) */
  int max_retries;           /* retries after the first attempt (default 5) */
  double backoff_base;       /* seconds (default 1) */
  double backoff_max;        /* seconds (default 60) */
  uint64_t seed;             /* jitter seed (default 0) */
  double rpm;                /* attempts started per minute at most; 0: no limit */
  double tpm;                /* tokens per minute at most (estimated before, corrected
                                after each reply: see "Rate limits"); 0: no limit */
  /* Polled by the run loop (at least 4 times a second): when it becomes
   * non-zero the run stops as if the progress callback had asked to (what
   * is not done fails "cancelled"). A signal handler may set it. NULL: none. */
  const volatile sig_atomic_t *stop;
  /* Called about 10 times a second while the run goes on, also while no
   * request ends (for live progress lines). NULL: none. */
  void (*tick)(void *arg, const struct es_openai_stats *st);
  void *tick_arg;
} es_openai_config;

/* Fills cfg with the defaults above (base_url, model: NULL). */
void es_openai_config_init(es_openai_config *cfg);

/* One request: the messages, either a cJSON array or the same as JSON text
 * (messages wins when both are set), and optional generation parameters, a
 * JSON object (cJSON or text) merged into the body ("model", "messages" and
 * "stream" are not allowed there). The caller keeps ownership. */
typedef struct {
  const cJSON *messages;
  const char *messages_json;
  const cJSON *params;
  const char *params_json;
} es_openai_request;

/* One outcome. ok: reply (choices[0].message.content) and the usage counts
 * (-1 when the server gave none); otherwise reason says why, e.g.
 * "http 500 after 4 attempts", "timeout after 3 attempts". Both strings are
 * malloc'ed and owned by the result: free with es_openai_result_release. */
typedef struct {
  int ok;
  char *reply;
  char *reason;
  long prompt_tokens, completion_tokens, total_tokens;
  int attempts;    /* HTTP attempts made */
  int http_status; /* of the last attempt, 0 when no response */
} es_openai_result;

/* Why an attempt was retried (stats.retries[] index). */
typedef enum {
  ES_OPENAI_RETRY_429,       /* rate limited */
  ES_OPENAI_RETRY_5XX,       /* 5xx (and 408) */
  ES_OPENAI_RETRY_TIMEOUT,   /* no complete reply within the timeout */
  ES_OPENAI_RETRY_DROPPED,   /* connection closed or reset mid-request */
  ES_OPENAI_RETRY_CONNECT,   /* could not connect */
  ES_OPENAI_RETRY_MALFORMED, /* 200 with a body that is not a chat completion */
  ES_OPENAI_RETRY_NREASONS
} es_openai_retry_reason;

/* Name of a retry reason ("429", "5xx", "timeout", ...). */
const char *es_openai_retry_name(es_openai_retry_reason r);

/* The state of a run, for progress lines and accounting. */
typedef struct es_openai_stats {
  size_t total, done, ok, failed;
  size_t attempts;                          /* HTTP attempts started */
  size_t retries;                           /* sum of retries[] */
  size_t retries_by[ES_OPENAI_RETRY_NREASONS];
  int concurrency;                          /* the current limit */
  int in_flight;
  size_t rate_waits;                        /* times a start waited for rpm/tpm */
  double elapsed;                           /* seconds since the run started */
} es_openai_stats;

/* Called after each request ends (index into requests[]; its final result).
 * Return 0 to go on; non-zero stops the run: requests not yet ended fail
 * with the reason "cancelled", each reported through the callback too (its
 * return value is then ignored). */
typedef int (*es_openai_progress_fn)(void *arg, size_t index, const es_openai_result *r,
                                     const es_openai_stats *st);

typedef struct es_openai es_openai;

/* A client for cfg (copied; the strings too). Loads libcurl. Returns NULL
 * with err (ES_EXIT_USAGE for a bad config, ES_EXIT_INTERNAL when libcurl
 * cannot be loaded or memory runs out). An unset or empty api_key_env is
 * not an error here: requests go without a key and a 401 names the variable. */
es_openai *es_openai_new(const es_openai_config *cfg, es_error *err);

/* Frees the client and wipes the key. Accepts NULL. */
void es_openai_free(es_openai *c);

/* Sends requests[0..n) and fills results[0..n) (zeroed first; release each
 * with es_openai_result_release). progress may be NULL. Returns 0 when every
 * request ended (as a reply or a failure: count them in the results or with
 * es_openai_last_stats), or -1 with err when the run could not go on (out of
 * memory, libcurl failure); results are then released. */
int es_openai_run(es_openai *c, const es_openai_request *requests, size_t n,
                  es_openai_result *results, es_openai_progress_fn progress, void *arg,
                  es_error *err);

/* The stats of the last (or current, from a progress callback) run. */
const es_openai_stats *es_openai_last_stats(const es_openai *c);

/* Frees r's strings and zeroes it. Accepts NULL. */
void es_openai_result_release(es_openai_result *r);

#endif
