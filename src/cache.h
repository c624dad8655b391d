/*
 * cache.h: the request cache, replies of model backends kept in SQLite so a
 * rerun (after a crash, a kill -9 or Ctrl-C) sends only the requests that
 * have no reply yet.
 *
 * Contract:
 *
 * - Keys. A request is keyed by es_cache_key: the sha256 (64 lower-case hex
 *   digits) of a canonical serialisation of the backend identity (backend
 *   type plus endpoint: the base URL of an HTTP backend, the command line of
 *   an exec backend), the model name, the generation parameters (a canonical
 *   JSON string made by the caller), every (role, content) message in order
 *   and the sample index. Every string is preceded by its length (8 bytes,
 *   big-endian) and the message list by its count, so no two different
 *   requests serialise to the same bytes: ("ab", "c") and ("a", "bc")
 *   differ. The serialisation is frozen (tests/unit/test_cache.c pins a
 *   key): changing it silently empties everyone's cache, so a change must
 *   bump ES_CACHE_KEY_VERSION.
 *
 * - Secrets never enter the cache. The caller must not pass API keys,
 *   headers or anything read from api_key_env in any field; es_cache_key
 *   refuses an endpoint URL carrying user:password@ credentials (and does
 *   not repeat it in the error). The reply and meta strings stored by
 *   es_cache_put must be free of them too.
 *
 * - Only successful replies go in. A request that failed (HTTP error,
 *   timeout, malformed body, worker error) is never put, so a rerun tries it
 *   again. A key's first stored value wins forever (INSERT OR IGNORE): a
 *   resumed or concurrent run never changes a reply already cached.
 *
 * - Durability. es_cache_put is one transaction committed before it
 *   returns; once it returns, the reply survives the process being killed
 *   (kill -9 included). The database runs in WAL mode with
 *   synchronous=NORMAL: a power loss or OS crash may lose the last few puts
 *   but never corrupts the file.
 *
 * - Sharing. Several processes may use one cache file at the same time (on a
 *   local file system: WAL needs shared memory, not NFS). Readers never
 *   wait; a writer waits up to ES_CACHE_BUSY_MS for another writer's commit
 *   (each holds the lock only for one short transaction) before failing.
 *   es_cache_prune deletes in small transactions so it never holds the lock
 *   for long.
 *
 * - Threads. An es_cache handle is not thread-safe: use one handle per
 *   thread (or guard it). A handle must not be used across fork(): open a
 *   new one in the child.
 *
 * On-disk schema (version ES_CACHE_SCHEMA): PRAGMA application_id
 * ES_CACHE_APP_ID marks the file; table schema_version(version) holds one
 * row; table entries(key TEXT PRIMARY KEY, created INTEGER unix seconds,
 * size INTEGER bytes of reply + meta, meta TEXT or NULL, reply TEXT), with
 * an index on created for pruning. The large reply comes last in the row so
 * that scans of the small columns never read its overflow pages.
 */
#ifndef ES_CACHE_H
#define ES_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define ES_CACHE_SCHEMA 1          /* the schema this code reads and writes */
#define ES_CACHE_KEY_VERSION 1     /* the key serialisation (hashed first) */
#define ES_CACHE_APP_ID 0x45534243 /* "ESBC" in the SQLite header */
#define ES_CACHE_BUSY_MS 10000     /* how long a writer waits for the lock */
#define ES_CACHE_KEY_SIZE 65       /* 64 hex digits and a NUL */

typedef struct es_cache es_cache;

/* One chat message of a request. */
typedef struct {
  const char *role;    /* "system", "user", "assistant" */
  const char *content; /* UTF-8 */
} es_cache_msg;

/* Everything that determines a reply; nothing else (no keys, no headers,
 * no timeouts or retry settings). Strings are NUL-terminated UTF-8. */
typedef struct {
  const char *backend;         /* backend type: "openai", "exec", ... */
  const char *endpoint;        /* base URL (no credentials) or command line; NULL = "" */
  const char *model;           /* model name as sent to the backend */
  const char *params_json;     /* canonical JSON of the generation params; NULL = "" */
  const es_cache_msg *messages;
  size_t n_messages;
  uint64_t sample;             /* sample index (0 for the first sample) */
} es_cache_request;

/* Statistics for `esbench cache stats`. */
typedef struct {
  int64_t entries;     /* cached replies */
  int64_t data_bytes;  /* bytes of reply + meta text over all entries */
  int64_t file_bytes;  /* size of the database file (pages in use and free) */
  int64_t oldest;      /* created time of the oldest entry (unix s), 0 when empty */
  int64_t newest;      /* created time of the newest entry, 0 when empty */
} es_cache_info;

/* Writes the key of req into key (64 hex digits, NUL-terminated).
 * backend, model, every role and content must be non-NULL. 0, or -1 with
 * err (ES_EXIT_USAGE for a NULL field or an endpoint with credentials,
 * ES_EXIT_INTERNAL when hashing fails). */
int es_cache_key(const es_cache_request *req, char key[ES_CACHE_KEY_SIZE], es_error *err);

/* Opens the cache at path, creating the file and its folders when absent,
 * and stores the handle in *out (NULL on failure). -1 with err:
 * ES_EXIT_USAGE when path is not a database, is corrupt, is a SQLite
 * database of another program, has a newer schema than ES_CACHE_SCHEMA, or
 * cannot be created or opened; ES_EXIT_INTERNAL for other failures. */
int es_cache_open(const char *path, es_cache **out, es_error *err);

/* Closes the handle (NULL is fine). Committed puts are already durable. */
void es_cache_close(es_cache *c);

/* Looks key up. On a hit returns 1 and stores malloc'ed copies of the reply
 * in *reply and of the meta JSON in *meta (NULL when none was stored; meta
 * may be NULL when not wanted); the caller frees both. A miss returns 0 and
 * sets *reply (and *meta) to NULL; it is not an error. -1 with err on
 * failure (a malformed key is ES_EXIT_INTERNAL: a bug). */
int es_cache_get(es_cache *c, const char *key, char **reply, char **meta, es_error *err);

/* Stores a successful reply (non-NULL) and optional meta JSON (NULL for
 * none: e.g. token usage, finish reason) under key, committed before it
 * returns. Returns 1 when stored, 0 when the key already had a value (kept
 * unchanged), -1 with err on failure (the lock not obtained within
 * ES_CACHE_BUSY_MS, disk full, ...). */
int es_cache_put(es_cache *c, const char *key, const char *reply, const char *meta,
                 es_error *err);

/* Fills *info. 0, or -1 with err. */
int es_cache_stats(es_cache *c, es_cache_info *info, es_error *err);

/* Removes the entries at least older_than seconds old (0 removes all), in
 * small transactions, then returns the freed pages to the file system in
 * small steps. *removed (may be NULL) gets the number removed, also on
 * failure. 0, or -1 with err. */
int es_cache_prune(es_cache *c, int64_t older_than, int64_t *removed, es_error *err);

#endif
