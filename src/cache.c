/*
 * cache.c: the request cache, model replies in SQLite keyed by a hash of
 * the request (cache.h is the contract).
 */
#include "cache.h"

#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "exitcode.h"
#include "url.h"
#include "outdir.h"

/* Rows deleted and pages freed per transaction by es_cache_prune: small
 * enough that another writer waits a few milliseconds at most. */
#define PRUNE_BATCH 256
#define VACUUM_PAGES 512

struct es_cache {
  sqlite3 *db;
  char *path;
  sqlite3_stmt *get;
  sqlite3_stmt *put;
};

/* ---- keys ---------------------------------------------------------------- */

static int put_u64(EVP_MD_CTX *ctx, uint64_t v) {
  unsigned char b[8];
  for (int i = 7; i >= 0; i--, v >>= 8) b[i] = (unsigned char)(v & 0xff);
  return EVP_DigestUpdate(ctx, b, sizeof b);
}

/* A field: its length in 8 bytes big-endian, then its bytes. */
static int put_str(EVP_MD_CTX *ctx, const char *s) {
  size_t n = s ? strlen(s) : 0;
  return put_u64(ctx, (uint64_t)n) && (n == 0 || EVP_DigestUpdate(ctx, s, n));
}

int es_cache_key(const es_cache_request *req, char key[ES_CACHE_KEY_SIZE], es_error *err) {
  key[0] = '\0';
  if (!req->backend || !req->model || (req->n_messages && !req->messages))
    return es_error_set(err, ES_EXIT_USAGE, "cache key: backend and model are required");
  for (size_t i = 0; i < req->n_messages; i++)
    if (!req->messages[i].role || !req->messages[i].content)
      return es_error_set(err, ES_EXIT_USAGE, "cache key: message %zu has no role or content", i);
  if (req->endpoint && es_url_has_credentials(req->endpoint))
    return es_error_set(err, ES_EXIT_USAGE,
                        "cache key: the endpoint URL carries credentials (user:password@); "
                        "pass the key through api_key_env instead");

  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
  /* The order below is the serialisation: change it only with a new
   * ES_CACHE_KEY_VERSION. */
  ok = ok && put_str(ctx, "esbench-cache-key") && put_u64(ctx, ES_CACHE_KEY_VERSION);
  ok = ok && put_str(ctx, req->backend) && put_str(ctx, req->endpoint) &&
       put_str(ctx, req->model) && put_str(ctx, req->params_json);
  ok = ok && put_u64(ctx, (uint64_t)req->n_messages);
  for (size_t i = 0; ok && i < req->n_messages; i++)
    ok = put_str(ctx, req->messages[i].role) && put_str(ctx, req->messages[i].content);
  ok = ok && put_u64(ctx, req->sample);
  ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen) && mdlen == 32;
  EVP_MD_CTX_free(ctx);
  if (!ok) return es_error_set(err, ES_EXIT_INTERNAL, "cache key: sha256 failed");
  static const char hex[] = "0123456789abcdef";
  for (unsigned i = 0; i < 32; i++) {
    key[2 * i] = hex[md[i] >> 4];
    key[2 * i + 1] = hex[md[i] & 15];
  }
  key[64] = '\0';
  return 0;
}

static int valid_key(const char *key) {
  if (!key) return 0;
  size_t i = 0;
  for (; key[i]; i++)
    if (i >= 64 || !((key[i] >= '0' && key[i] <= '9') || (key[i] >= 'a' && key[i] <= 'f')))
      return 0;
  return i == 64;
}

/* ---- errors ---------------------------------------------------------------- */

/* Fills err for a SQLite failure rc while doing `what`. */
static int db_error(es_cache *c, int rc, es_error *err, const char *what) {
  const char *path = c->path ? c->path : "";
  const char *msg = c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
      return es_error_set(err, ES_EXIT_USAGE,
                          "cache '%s' is not a database: remove it or choose another cache file",
                          path);
    case SQLITE_CORRUPT:
      return es_error_set(err, ES_EXIT_USAGE,
                          "cache '%s' is corrupt (%s); remove it to start a new cache", path, msg);
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return es_error_set(err, ES_EXIT_USAGE, "cannot open cache '%s': %s", path, msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return es_error_set(err, ES_EXIT_INTERNAL,
                          "cache '%s' stayed locked by another process for %d s while %s", path,
                          ES_CACHE_BUSY_MS / 1000, what);
    default:
      return es_error_set(err, ES_EXIT_INTERNAL, "cache '%s': %s while %s", path, msg, what);
  }
}

static int exec_sql(es_cache *c, const char *sql, es_error *err, const char *what) {
  int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
  return rc == SQLITE_OK ? 0 : db_error(c, rc, err, what);
}

/* The single integer a query returns (0 when it returns no row). */
static int query_int(es_cache *c, const char *sql, int64_t *out, es_error *err, const char *what) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(c->db, sql, -1, &st, NULL);
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) rc = SQLITE_OK;
  }
  sqlite3_finalize(st);
  return rc == SQLITE_OK ? 0 : db_error(c, rc, err, what);
}

/* ---- opening --------------------------------------------------------------- */

static const char SCHEMA_SQL[] =
    "CREATE TABLE schema_version(version INTEGER NOT NULL);"
    "INSERT INTO schema_version VALUES(1);"
    "CREATE TABLE entries("
    "  key TEXT PRIMARY KEY NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  meta TEXT,"
    "  reply TEXT NOT NULL);"
    "CREATE INDEX entries_created ON entries(created);";

/* Creates the schema in an empty database, or checks an existing one. The
 * check and the creation share one write transaction, so processes opening
 * a new cache together create it once. */
static int init_schema(es_cache *c, es_error *err) {
  int64_t app = 0, tables = 0, version = 0;
  if (query_int(c, "PRAGMA application_id", &app, err, "reading the header") != 0) return -1;
  if (app == ES_CACHE_APP_ID) goto check_version; /* the common case: no write lock */
  if (exec_sql(c, "BEGIN IMMEDIATE", err, "creating the schema") != 0) return -1;
  if (query_int(c, "PRAGMA application_id", &app, err, "reading the header") != 0 ||
      query_int(c, "SELECT count(*) FROM sqlite_master", &tables, err, "reading the schema") != 0)
    goto rollback;
  if (app == 0 && tables == 0) {
    char sql[sizeof SCHEMA_SQL + 64];
    snprintf(sql, sizeof sql, "PRAGMA application_id=%d;%s", ES_CACHE_APP_ID, SCHEMA_SQL);
    if (exec_sql(c, sql, err, "creating the schema") != 0) goto rollback;
    app = ES_CACHE_APP_ID;
  }
  if (exec_sql(c, "COMMIT", err, "creating the schema") != 0) goto rollback;
  if (app != ES_CACHE_APP_ID)
    return es_error_set(err, ES_EXIT_USAGE,
                        "'%s' is a database of another program, not an esbench cache", c->path);
check_version:
  if (query_int(c, "SELECT max(version) FROM schema_version", &version, err,
                "reading the schema version") != 0)
    return -1;
  if (version > ES_CACHE_SCHEMA)
    return es_error_set(err, ES_EXIT_USAGE,
                        "cache '%s' has schema version %lld, newer than this esbench reads (%d): "
                        "use a newer esbench or another cache",
                        c->path, (long long)version, ES_CACHE_SCHEMA);
  if (version < 1)
    return es_error_set(err, ES_EXIT_USAGE, "cache '%s' has no schema version", c->path);
  return 0;
rollback:
  sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
  return -1;
}

/* Switches to WAL. Changing the journal mode needs a moment of exclusive
 * access, which SQLite reports as BUSY without calling the busy handler
 * when another process opens the same new file at that instant: retry. */
static int set_wal(es_cache *c, es_error *err) {
  for (int waited = 0;; waited += 5) {
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(c->db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
    const char *mode = NULL;
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
      mode = (const char *)sqlite3_column_text(st, 0);
    int is_wal = mode && strcmp(mode, "wal") == 0;
    sqlite3_finalize(st);
    if (is_wal) return 0;
    if (rc == SQLITE_ROW)
      return es_error_set(err, ES_EXIT_USAGE, "cache '%s': cannot use WAL journal mode (got '%s')",
                          c->path, mode ? mode : "");
    if ((rc & 0xff) != SQLITE_BUSY || waited >= ES_CACHE_BUSY_MS)
      return db_error(c, rc, err, "setting WAL mode");
    sqlite3_sleep(5);
  }
}

/* The folder part of path, created when absent. */
static int make_parent(const char *path, es_error *err) {
  const char *slash = strrchr(path, '/');
  if (!slash || slash == path) return 0;
  size_t n = (size_t)(slash - path);
  char *dir = malloc(n + 1);
  if (!dir) return es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
  memcpy(dir, path, n);
  dir[n] = '\0';
  struct stat st;
  int rc = stat(dir, &st) == 0 ? 0 : es_mkdirs(dir, err);
  free(dir);
  return rc;
}

int es_cache_open(const char *path, es_cache **out, es_error *err) {
  *out = NULL;
  if (!path || !*path) return es_error_set(err, ES_EXIT_USAGE, "empty cache path");
  if (make_parent(path, err) != 0) return -1;
  es_cache *c = calloc(1, sizeof *c);
  if (!c || !(c->path = strdup(path))) {
    free(c);
    return es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
  }
  int rc = sqlite3_open_v2(path, &c->db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK) {
    db_error(c, rc, err, "opening");
    goto fail;
  }
  sqlite3_extended_result_codes(c->db, 1);
  sqlite3_busy_timeout(c->db, ES_CACHE_BUSY_MS);
  /* auto_vacuum must be chosen before the first table exists, so only for
   * a new file (never touching another program's database); it lets prune
   * hand pages back in small steps instead of a VACUUM that rewrites the
   * whole file under an exclusive lock. */
  int64_t pages = 0;
  if (query_int(c, "PRAGMA page_count", &pages, err, "opening") != 0 ||
      (pages == 0 && exec_sql(c, "PRAGMA auto_vacuum=INCREMENTAL", err, "configuring") != 0) ||
      set_wal(c, err) != 0 ||
      exec_sql(c, "PRAGMA synchronous=NORMAL; PRAGMA journal_size_limit=67108864", err,
               "configuring") != 0 ||
      init_schema(c, err) != 0)
    goto fail;
  rc = sqlite3_prepare_v3(c->db, "SELECT reply, meta FROM entries WHERE key=?1", -1,
                          SQLITE_PREPARE_PERSISTENT, &c->get, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v3(c->db,
                            "INSERT OR IGNORE INTO entries(key, created, size, meta, reply) "
                            "VALUES(?1, ?2, ?3, ?4, ?5)",
                            -1, SQLITE_PREPARE_PERSISTENT, &c->put, NULL);
  if (rc != SQLITE_OK) {
    db_error(c, rc, err, "preparing statements");
    goto fail;
  }
  *out = c;
  return 0;
fail:
  es_cache_close(c);
  return -1;
}

void es_cache_close(es_cache *c) {
  if (!c) return;
  sqlite3_finalize(c->get);
  sqlite3_finalize(c->put);
  sqlite3_close_v2(c->db);
  free(c->path);
  free(c);
}

/* ---- get and put ------------------------------------------------------------- */

static char *dup_column(sqlite3_stmt *st, int col, int *oom) {
  if (sqlite3_column_type(st, col) == SQLITE_NULL) return NULL;
  const unsigned char *s = sqlite3_column_text(st, col);
  size_t n = (size_t)sqlite3_column_bytes(st, col);
  char *p = s ? malloc(n + 1) : NULL;
  if (!p) {
    *oom = 1;
    return NULL;
  }
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

int es_cache_get(es_cache *c, const char *key, char **reply, char **meta, es_error *err) {
  *reply = NULL;
  if (meta) *meta = NULL;
  if (!valid_key(key)) return es_error_set(err, ES_EXIT_INTERNAL, "cache: malformed key");
  int result = -1, oom = 0;
  sqlite3_bind_text(c->get, 1, key, 64, SQLITE_STATIC);
  int rc = sqlite3_step(c->get);
  if (rc == SQLITE_ROW) {
    *reply = dup_column(c->get, 0, &oom);
    if (meta) *meta = dup_column(c->get, 1, &oom);
    if (oom || !*reply) {
      free(*reply);
      *reply = NULL;
      if (meta) {
        free(*meta);
        *meta = NULL;
      }
      es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
      goto out;
    }
    result = 1;
  } else if (rc == SQLITE_DONE) {
    result = 0;
  } else {
    db_error(c, rc, err, "reading");
  }
out:
  sqlite3_reset(c->get);
  sqlite3_clear_bindings(c->get);
  return result;
}

int es_cache_put(es_cache *c, const char *key, const char *reply, const char *meta,
                 es_error *err) {
  if (!valid_key(key)) return es_error_set(err, ES_EXIT_INTERNAL, "cache: malformed key");
  if (!reply) return es_error_set(err, ES_EXIT_INTERNAL, "cache: no reply to store");
  size_t rn = strlen(reply), mn = meta ? strlen(meta) : 0;
  if (rn > INT32_MAX / 2 || mn > INT32_MAX / 2)
    return es_error_set(err, ES_EXIT_USAGE, "cache: reply too large to store");
  sqlite3_stmt *st = c->put;
  sqlite3_bind_text(st, 1, key, 64, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
  sqlite3_bind_int64(st, 3, (sqlite3_int64)(rn + mn));
  if (meta)
    sqlite3_bind_text(st, 4, meta, (int)mn, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, 4);
  sqlite3_bind_text(st, 5, reply, (int)rn, SQLITE_STATIC);
  /* One statement in autocommit mode is one transaction: it takes the write
   * lock before reading (so the busy handler covers it) and is committed to
   * the WAL when step returns. */
  int rc = sqlite3_step(st);
  int result =
      rc == SQLITE_DONE ? sqlite3_changes(c->db) > 0 : db_error(c, rc, err, "storing a reply");
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return result;
}

/* ---- stats and prune --------------------------------------------------------- */

int es_cache_stats(es_cache *c, es_cache_info *info, es_error *err) {
  memset(info, 0, sizeof *info);
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(c->db,
                              "SELECT count(*), total(size), min(created), max(created) "
                              "FROM entries",
                              -1, &st, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    info->entries = sqlite3_column_int64(st, 0);
    info->data_bytes = (int64_t)sqlite3_column_double(st, 1);
    info->oldest = sqlite3_column_int64(st, 2);
    info->newest = sqlite3_column_int64(st, 3);
    rc = SQLITE_OK;
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_OK) return db_error(c, rc, err, "counting entries");
  int64_t pages = 0, page_size = 0;
  if (query_int(c, "PRAGMA page_count", &pages, err, "reading the size") != 0 ||
      query_int(c, "PRAGMA page_size", &page_size, err, "reading the size") != 0)
    return -1;
  info->file_bytes = pages * page_size;
  return 0;
}

int es_cache_prune(es_cache *c, int64_t older_than, int64_t *removed, es_error *err) {
  int64_t n = 0, freelist = 0;
  int result = -1;
  sqlite3_stmt *st = NULL;
  if (removed) *removed = 0;
  if (older_than < 0) return es_error_set(err, ES_EXIT_USAGE, "cache prune: negative age");
  int64_t cutoff = (int64_t)time(NULL) - older_than;
  int rc = sqlite3_prepare_v2(c->db,
                              "DELETE FROM entries WHERE key IN (SELECT key FROM entries "
                              "WHERE created <= ?1 ORDER BY created LIMIT ?2)",
                              -1, &st, NULL);
  if (rc != SQLITE_OK) {
    db_error(c, rc, err, "pruning");
    goto out;
  }
  sqlite3_bind_int64(st, 1, cutoff);
  sqlite3_bind_int(st, 2, PRUNE_BATCH);
  /* Each batch is its own short transaction, so other writers wait at most
   * one batch; readers never wait (WAL). */
  for (;;) {
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
      db_error(c, rc, err, "pruning");
      goto out;
    }
    int changed = sqlite3_changes(c->db);
    n += changed;
    if (removed) *removed = n;
    if (changed < PRUNE_BATCH) break;
  }
  /* Hand the freed pages back to the file system a few at a time. */
  char sql[64];
  snprintf(sql, sizeof sql, "PRAGMA incremental_vacuum(%d)", VACUUM_PAGES);
  for (int64_t before = -1;; before = freelist) {
    if (query_int(c, "PRAGMA freelist_count", &freelist, err, "pruning") != 0) goto out;
    /* stop when done, or when a file made without auto_vacuum frees nothing */
    if (freelist == 0 || freelist == before) break;
    if (exec_sql(c, sql, err, "pruning") != 0) goto out;
  }
  /* A passive checkpoint never waits for readers or writers. */
  sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
  result = 0;
out:
  sqlite3_finalize(st);
  return result;
}
