/*
 * model.c: the model backends that need no server: builtin and replay.
 *
 * Adding a backend: add its es_model_type in suite.h (and its keys in the
 * suite schema), a constructor and a reply function here, and a row in the
 * backends table below.
 */
#include "model.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "es_common.h"
#include "exitcode.h"
#include "retrieval.h"

#define MAJORITY_DEFAULT_REPLY \
  "I hear you, and what you are feeling makes sense. Can you tell me more about it?"

typedef enum { B_RETRIEVAL, B_REFERENCE, B_MAJORITY, B_REPLAY, B_SERVED } backend;

typedef struct {
  char *id, *reply;
  size_t line; /* in the replay file, for the duplicate-id message */
} replay_entry;

struct es_model {
  backend kind;
  const es_model_cfg *cfg;
  const es_suite *suite;
  /* retrieval */
  es_bm25 *bm25;
  const es_instances *train;
  /* majority, and retrieval's fallback */
  long majority;
  size_t fallbacks;
  /* replay: the file's replies, sorted by instance id */
  replay_entry *replay;
  size_t replay_lines, replay_unknown;
  /* openai and exec */
  const es_served_io *io;
  es_served_stats served;
  int has_served;
};

static char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

/* "[Label] text" when the strategy is known, else the text. */
static char *with_strategy(const es_suite *s, long strategy, const char *text) {
  if (strategy < 0) return xstrdup(text);
  const char *name = s->labels.names[strategy];
  size_t n = strlen(name) + strlen(text) + 4;
  char *out = malloc(n);
  if (out) snprintf(out, n, "[%s] %s", name, text);
  return out;
}

static int retrieval_new(es_model *m, const es_model_env *env, es_error *err) {
  const es_instances *train = env->train;
  const char **docs = malloc((train->n ? train->n : 1) * sizeof *docs);
  if (!docs) return es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
  for (size_t i = 0; i < train->n; i++) docs[i] = es_instance_last_seeker(&train->items[i]);
  m->bm25 = es_bm25_new(docs, train->n);
  free(docs);
  if (!m->bm25) return es_error_set(err, ES_EXIT_INTERNAL, "out of memory indexing the train split");
  m->train = train;
  return 0;
}

static int majority_new(es_model *m, const es_model_env *env, es_error *err) {
  size_t nl = env->suite->labels.n;
  size_t *count = calloc(nl ? nl : 1, sizeof *count);
  if (!count) return es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
  for (size_t i = 0; i < env->train->n; i++)
    if (env->train->items[i].gold_strategy >= 0) count[env->train->items[i].gold_strategy]++;
  m->majority = -1;
  for (size_t l = 0; l < nl; l++)
    if (count[l] > 0 && (m->majority < 0 || count[l] > count[m->majority])) m->majority = (long)l;
  free(count);
  return 0;
}

static int cmp_entry(const void *a, const void *b) {
  return strcmp(((const replay_entry *)a)->id, ((const replay_entry *)b)->id);
}

/* Reads the JSONL replay file: one {"id": ..., "reply": ...} per line. Blank
 * lines are allowed; anything else that is not such an object is an error
 * at file:line:column, and so is an id given twice. */
static int replay_new(es_model *m, const es_model_env *env, es_error *err) {
  (void)env;
  const char *path = m->cfg->path;
  FILE *f = fopen(path, "rb");
  if (!f) return es_error_set(err, ES_EXIT_USAGE, "cannot open replay file '%s': %s", path,
                              strerror(errno));
  char *line = NULL;
  size_t cap = 0, lineno = 0, ecap = 0;
  ssize_t len;
  int rc = -1;
  while ((len = getline(&line, &cap, f)) >= 0) {
    lineno++;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
    size_t lead = strspn(line, " \t"), bad;
    if ((size_t)len == lead) continue;
    if (es_utf8_validate(line, (size_t)len, &bad) != ES_OK) {
      es_error_set(err, ES_EXIT_USAGE, "%s:%zu:%zu: invalid UTF-8 in replay file", path, lineno,
                   es_utf8_chars(line, bad) + 1);
      goto out;
    }
    const char *end = NULL;
    cJSON *obj = cJSON_ParseWithLengthOpts(line, (size_t)len, &end, 0);
    if (!obj) {
      size_t col = end ? es_utf8_chars(line, (size_t)(end - line)) + 1 : 1;
      es_error_at(err, ES_EXIT_USAGE, path, lineno, col, line, "malformed JSON in replay file");
      goto out;
    }
    size_t after = (size_t)(end - line);
    after += strspn(line + after, " \t");
    if (after < (size_t)len) {
      cJSON_Delete(obj);
      es_error_at(err, ES_EXIT_USAGE, path, lineno, es_utf8_chars(line, after) + 1, line,
                  "text after the JSON object in replay file (one object per line)");
      goto out;
    }
    cJSON *id = cJSON_GetObjectItemCaseSensitive(obj, "id");
    cJSON *reply = cJSON_GetObjectItemCaseSensitive(obj, "reply");
    if (!cJSON_IsObject(obj) || !cJSON_IsString(id) || !cJSON_IsString(reply)) {
      cJSON_Delete(obj);
      es_error_at(err, ES_EXIT_USAGE, path, lineno, lead + 1, line,
                  "expected an object with string fields \"id\" and \"reply\"");
      goto out;
    }
    if (m->replay_lines == ecap) {
      ecap = ecap ? 2 * ecap : 1024;
      replay_entry *e = realloc(m->replay, ecap * sizeof *e);
      if (!e) {
        cJSON_Delete(obj);
        es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
        goto out;
      }
      m->replay = e;
    }
    replay_entry *e = &m->replay[m->replay_lines];
    e->id = xstrdup(id->valuestring);
    e->reply = xstrdup(reply->valuestring);
    e->line = lineno;
    cJSON_Delete(obj);
    m->replay_lines++;
    if (!e->id || !e->reply) {
      es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
      goto out;
    }
  }
  if (ferror(f)) {
    es_error_set(err, ES_EXIT_USAGE, "cannot read replay file '%s': %s", path, strerror(errno));
    goto out;
  }
  if (m->replay_lines) qsort(m->replay, m->replay_lines, sizeof *m->replay, cmp_entry);
  for (size_t i = 1; i < m->replay_lines; i++)
    if (!strcmp(m->replay[i].id, m->replay[i - 1].id)) {
      size_t later = m->replay[i].line > m->replay[i - 1].line ? m->replay[i].line : m->replay[i - 1].line;
      es_error_at(err, ES_EXIT_USAGE, path, later, 1, NULL, "duplicate id '%s' in replay file",
                  m->replay[i].id);
      goto out;
    }
  rc = 0;
out:
  free(line);
  fclose(f);
  return rc;
}

/* The backends. The constructor may be NULL (nothing to prepare). */
static const struct {
  const char *name; /* builtin name, or the type for other backends */
  backend kind;
  int (*make)(es_model *m, const es_model_env *env, es_error *err);
} backends[] = {
    {"retrieval", B_RETRIEVAL, retrieval_new}, /* also needs majority_new: see es_model_new */
    {"reference", B_REFERENCE, NULL},
    {"majority", B_MAJORITY, majority_new},
    {"replay", B_REPLAY, replay_new},
    {"openai", B_SERVED, NULL},
    {"exec", B_SERVED, NULL},
};

es_model *es_model_new(const es_model_cfg *cfg, const es_model_env *env, es_error *err) {
  const char *key = cfg->type == ES_MODEL_BUILTIN ? cfg->builtin : es_model_type_name(cfg->type);
  es_model *m = calloc(1, sizeof *m);
  if (!m) {
    es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
    return NULL;
  }
  m->cfg = cfg;
  m->suite = env->suite;
  m->io = env->io;
  for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++) {
    if (!key || strcmp(key, backends[i].name) != 0) continue;
    m->kind = backends[i].kind;
    if ((backends[i].make && backends[i].make(m, env, err) != 0) ||
        (m->kind == B_RETRIEVAL && majority_new(m, env, err) != 0)) {
      /* a message that starts with file:line:col keeps it first */
      if (m->kind != B_REPLAY) es_error_prefix(err, "model '%s'", cfg->name);
      es_model_free(m);
      return NULL;
    }
    return m;
  }
  es_error_set(err, ES_EXIT_USAGE, "model '%s': unknown backend '%s'", cfg->name,
               key ? key : "(none)");
  es_model_free(m);
  return NULL;
}

void es_model_free(es_model *m) {
  if (!m) return;
  es_bm25_free(m->bm25);
  for (size_t i = 0; i < m->replay_lines; i++) {
    free(m->replay[i].id);
    free(m->replay[i].reply);
  }
  free(m->replay);
  free(m);
}

static char *reply_one(es_model *m, const es_instance *in, char **error) {
  switch (m->kind) {
    case B_REFERENCE:
      return with_strategy(m->suite, in->gold_strategy, in->gold);
    case B_MAJORITY:
      return with_strategy(m->suite, m->majority, m->cfg->reply ? m->cfg->reply : MAJORITY_DEFAULT_REPLY);
    case B_RETRIEVAL: {
      long d = es_bm25_best(m->bm25, es_instance_last_seeker(in));
      if (d < 0) { /* no word in common with any train turn: the majority reply */
        m->fallbacks++;
        return with_strategy(m->suite, m->majority, MAJORITY_DEFAULT_REPLY);
      }
      const es_instance *hit = &m->train->items[d];
      return with_strategy(m->suite, hit->gold_strategy, hit->gold);
    }
    case B_SERVED: /* es_model_reply sends them as one batch */
      break;
    case B_REPLAY: {
      replay_entry key = {(char *)in->id, NULL, 0};
      const replay_entry *r =
          m->replay_lines ? bsearch(&key, m->replay, m->replay_lines, sizeof key, cmp_entry) : NULL;
      if (!r) {
        *error = xstrdup("replay: no reply for this instance id in the replay file");
        return NULL;
      }
      return xstrdup(r->reply);
    }
  }
  return NULL;
}

int es_model_reply(es_model *m, const es_instances *test, es_replies *out, es_error *err) {
  if (m->kind == B_SERVED) {
    static const es_served_io quiet = {0};
    int rc = es_served_reply(m->cfg, m->suite, test, m->io ? m->io : &quiet, out, &m->served, err);
    m->has_served = rc == 0;
    return rc;
  }
  memset(out, 0, sizeof *out);
  out->n = test->n;
  out->text = calloc(test->n ? test->n : 1, sizeof *out->text);
  out->error = calloc(test->n ? test->n : 1, sizeof *out->error);
  if (!out->text || !out->error) goto oom;
  for (size_t i = 0; i < test->n; i++) {
    out->text[i] = reply_one(m, &test->items[i], &out->error[i]);
    if (!out->text[i]) {
      if (!out->error[i]) goto oom;
      out->failed++;
    }
  }
  if (m->kind == B_REPLAY) {
    /* ids in the file that name no instance of this split */
    size_t matched = test->n - out->failed;
    m->replay_unknown = m->replay_lines > matched ? m->replay_lines - matched : 0;
  }
  return 0;
oom:
  es_replies_release(out);
  return es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
}

void es_model_counts(const es_model *m, void (*fn)(void *ctx, const char *what, size_t n),
                     void *ctx) {
  if (m->kind == B_RETRIEVAL) fn(ctx, "retrieval_fallback_to_majority", m->fallbacks);
  if (m->kind == B_REPLAY) {
    fn(ctx, "replay_lines", m->replay_lines);
    fn(ctx, "replay_unknown_ids", m->replay_unknown);
  }
}

const es_served_stats *es_model_served(const es_model *m) {
  return m->has_served ? &m->served : NULL;
}

void es_replies_release(es_replies *r) {
  if (!r) return;
  for (size_t i = 0; i < r->n; i++) {
    if (r->text) free(r->text[i]);
    if (r->error) free(r->error[i]);
  }
  free(r->text);
  free(r->error);
  memset(r, 0, sizeof *r);
}
