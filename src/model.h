/*
 * model.h: models that produce one reply per instance.
 *
 * A model is created from its suite entry and then asked for replies to a
 * set of instances in one batch (backends that talk to servers schedule the
 * batch themselves). Each instance ends with a reply text or an error
 * string saying why there is none; nothing is silently dropped.
 *
 * Backends (the table in model.c says how to add one):
 *   builtin retrieval  BM25 over the train split's seeker turns: the reply
 *                      that followed the most similar seeker turn (the
 *                      majority reply when no word is shared: counted)
 *   builtin reference  the gold reply (the upper bound)
 *   builtin majority   the most frequent train strategy with a fixed reply
 *   replay             replies read from a JSONL file of {"id", "reply"}
 *   openai, exec       a server or a local program, through the request
 *                      cache (served.h)
 */
#ifndef ES_MODEL_H
#define ES_MODEL_H

#include <stddef.h>

#include "dialogue.h"
#include "error.h"
#include "instances.h"
#include "served.h"
#include "suite.h"

/* What a model may learn from (the suite and the train split's instances)
 * and what a served model runs with (io: cache, Ctrl-C flag, progress;
 * NULL: no cache, no stop flag, quiet). */
typedef struct {
  const es_suite *suite;
  const es_instances *train;
  const es_served_io *io;
} es_model_env;

/* Replies for n instances. text[i] is the reply (malloc'ed) or NULL, in
 * which case error[i] (malloc'ed) says why. */
typedef struct es_replies {
  size_t n;
  char **text;
  char **error;
  size_t failed;
} es_replies;

typedef struct es_model es_model;

/* Builds the model of cfg (a builtin indexes the train split here).
 * Returns NULL with err filled on bad configuration or input. */
es_model *es_model_new(const es_model_cfg *cfg, const es_model_env *env, es_error *err);
void es_model_free(es_model *m);

/* Replies to every instance of test into out (initialised here; release
 * with es_replies_release). Per-instance failures are recorded in out, not
 * returned; -1 with err only when the whole model cannot run (unreadable
 * replay file, out of memory). */
int es_model_reply(es_model *m, const es_instances *test, es_replies *out, es_error *err);

/* Backend-specific counters for results.json ("replay_unknown_ids", ...):
 * calls fn for each; may call it zero times. */
void es_model_counts(const es_model *m, void (*fn)(void *ctx, const char *what, size_t n),
                     void *ctx);

/* How a served model's requests went (NULL for the other backends, and
 * before es_model_reply). */
const es_served_stats *es_model_served(const es_model *m);

void es_replies_release(es_replies *r);

#endif
