/*
 * served.h: the models that call a server (type openai) or a local program
 * (type exec), through the request cache.
 *
 * Every instance becomes one request: the messages es_prompt_render makes
 * of it and the model's params. Its cache key (cache.h) covers the backend
 * type, the endpoint (an openai model's base_url without trailing '/' and
 * its extra headers, credential values left out; an exec model's command
 * and working directory), the model (an openai model's `model`; an exec
 * model's suite name), the params, the messages and the sample index (0).
 * An exec worker gets the instance id too, to match answers to requests;
 * its reply must depend on the messages and params alone, since a cached
 * or shared reply may serve another instance with the same request. Requests found in the cache are answered from it and
 * not sent; the others go to the backend in one batch, and each reply is
 * put in the cache the moment it arrives (committed before the next one is
 * handled), so a run killed at any point loses at most the replies in
 * flight. Failures are never cached. Identical requests of one batch (two
 * instances whose contexts render the same) are sent once and answer all
 * of them.
 *
 * A reply that arrives while the cache cannot be written (disk full, the
 * lock held beyond its bound) is still used by this run; the failure is
 * counted (cache_put_failed) and reported once on the log.
 */
#ifndef ES_SERVED_H
#define ES_SERVED_H

#include <cjson/cJSON.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "cache.h"
#include "error.h"
#include "instances.h"
#include "openai.h"
#include "progress.h"
#include "suite.h"

struct es_replies; /* model.h */

/* What a served model runs with. */
typedef struct {
  es_cache *cache;                     /* NULL: no cache (--no-cache) */
  const volatile sig_atomic_t *stop;   /* Ctrl-C: what is not done fails "cancelled" */
  es_progress *progress;               /* NULL: no progress lines */
  void (*log)(void *ctx, const char *msg); /* warnings, or NULL */
  void *log_ctx;
} es_served_io;

/* How the requests of one model went (for results.json's "execution":
 * these differ between an interrupted-and-resumed run and a straight one). */
typedef struct {
  size_t requests;      /* instances */
  size_t cached;        /* answered from the cache */
  size_t sent;          /* sent to the backend (identical requests once) */
  size_t ok, failed;    /* of the sent ones */
  size_t cancelled;     /* of the failed ones: stopped by Ctrl-C */
  size_t cache_put_failed;
  size_t attempts;      /* HTTP attempts / worker sends */
  size_t retries;
  size_t retries_by[ES_OPENAI_RETRY_NREASONS]; /* openai */
  size_t rate_waits;    /* openai: starts held back by rpm/tpm */
  int concurrency;      /* openai: the limit at the end; exec: workers */
  long prompt_tokens, completion_tokens; /* openai usage summed over sent replies
                                            that report it */
  unsigned long restarts, timeouts, crashes, garbage; /* exec */
  double seconds;       /* wall time of the batch */
} es_served_stats;

/* One request of a batch. */
typedef struct {
  const cJSON *messages;   /* the chat: an array of {"role", "content"} (borrowed) */
  const char *id;          /* exec: the "id" sent (unique within the batch) */
  uint64_t sample;         /* the cache key's sample index (0 for the first) */
  const char *params_json; /* NULL: the model's params */
} es_served_request;

/* Sends the n requests to the served model cfg through the cache (as
 * above) and fills text[i] (the reply) or error[i] (why there is none) for
 * each, malloc'ed (the caller frees them). label names the batch in
 * progress lines and errors. 0, or -1 with err when the batch cannot run
 * (everything released). */
int es_served_batch(const es_model_cfg *cfg, const char *label, const es_served_request *reqs,
                    size_t n, const es_served_io *io, char **text, char **error,
                    es_served_stats *st, es_error *err);

/* Replies of the served model cfg (openai or exec) to every instance of
 * test: out->text[i] or out->error[i] for each (out initialised here, see
 * model.h). Returns 0 (failures are in out), or -1 with err when the model
 * cannot run at all (the program cannot start, bad config, out of memory,
 * the cache unreadable). */
int es_served_reply(const es_model_cfg *cfg, const es_suite *s, const es_instances *test,
                    const es_served_io *io, struct es_replies *out, es_served_stats *st,
                    es_error *err);

#endif
