/* test_cache: request keys, the SQLite reply cache, and its behaviour under
 * several writer processes and a kill -9. */
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "exitcode.h"
#include "testlib.h"

static char root[256];

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void path_of(char *buf, size_t cap, const char *name) {
  snprintf(buf, cap, "%s/%s", root, name);
}

/* The key of a small request whose fields the caller varies. */
static void key_of(const char *backend, const char *endpoint, const char *model,
                   const char *params, const char *r0, const char *c0, const char *r1,
                   const char *c1, uint64_t sample, char key[ES_CACHE_KEY_SIZE]) {
  es_cache_msg m[2] = {{r0, c0}, {r1, c1}};
  es_cache_request q = {backend, endpoint, model, params, m, 2, sample};
  es_error err = {0};
  if (es_cache_key(&q, key, &err) != 0) test_fail(__FILE__, __LINE__, "key: %s", err.msg);
}

/* A key numbered i in a family (for the bulk tests). */
static void numbered_key(const char *family, int i, char key[ES_CACHE_KEY_SIZE]) {
  char content[64];
  snprintf(content, sizeof content, "%s message %d", family, i);
  key_of("exec", "./worker.py", "m", "{}", "system", "s", "user", content, 0, key);
}

static void test_keys(void) {
  es_error err = {0};
  /* pinned: computed independently (Python hashlib over the serialisation
   * in cache.h); a change here empties every user's cache */
  es_cache_msg m[2] = {{"system", "You are a supportive listener."},
                       {"user", "I feel alone. \xe6\x88\x91\xe5\xbe\x88\xe5\xad\xa4\xe7\x8b\xac "
                                "\xf0\x9f\x98\x94"}};
  es_cache_request q = {"openai", "http://127.0.0.1:8000/v1", "llama-3-8b",
                        "{\"max_tokens\":128,\"temperature\":0}", m, 2, 0};
  char k[ES_CACHE_KEY_SIZE], k2[ES_CACHE_KEY_SIZE];
  CHECK(es_cache_key(&q, k, &err) == 0);
  CHECK_STR(k, "766b958aeea7f64b67844ea19aa9bc070ce7f07d0d44331d3d7894744e496982");
  CHECK(es_cache_key(&q, k2, &err) == 0);
  CHECK_STR(k, k2);
  es_cache_request e = {"exec", NULL, "m", NULL, NULL, 0, 0};
  CHECK(es_cache_key(&e, k, &err) == 0);
  CHECK_STR(k, "3dcd3ac3d40a2e2ac3c7a84b675ac0d1023c1eb596ddeac13fc64ba12022714f");

  /* every field changes the key */
  char base[ES_CACHE_KEY_SIZE], v[10][ES_CACHE_KEY_SIZE];
  key_of("openai", "http://h/v1", "m", "{}", "system", "s", "user", "u", 0, base);
  key_of("exec", "http://h/v1", "m", "{}", "system", "s", "user", "u", 0, v[0]);
  key_of("openai", "http://h2/v1", "m", "{}", "system", "s", "user", "u", 0, v[1]);
  key_of("openai", "http://h/v1", "m2", "{}", "system", "s", "user", "u", 0, v[2]);
  key_of("openai", "http://h/v1", "m", "{\"t\":1}", "system", "s", "user", "u", 0, v[3]);
  key_of("openai", "http://h/v1", "m", "{}", "user", "s", "user", "u", 0, v[4]);
  key_of("openai", "http://h/v1", "m", "{}", "system", "s2", "user", "u", 0, v[5]);
  key_of("openai", "http://h/v1", "m", "{}", "system", "s", "assistant", "u", 0, v[6]);
  key_of("openai", "http://h/v1", "m", "{}", "system", "s", "user", "u ", 0, v[7]);
  key_of("openai", "http://h/v1", "m", "{}", "system", "s", "user", "u", 1, v[8]);
  /* the message order matters */
  key_of("openai", "http://h/v1", "m", "{}", "user", "u", "system", "s", 0, v[9]);
  for (int i = 0; i < 10; i++) {
    CHECK_MSG(strcmp(base, v[i]) != 0, "variant %d has the base key", i);
    for (int j = 0; j < i; j++) CHECK_MSG(strcmp(v[i], v[j]) != 0, "variants %d, %d collide", i, j);
  }

  /* shifting a boundary between adjacent fields changes the key */
  char a[ES_CACHE_KEY_SIZE], b[ES_CACHE_KEY_SIZE];
  key_of("openai", "x", "ab", "c", "r", "s", "r", "s", 0, a);
  key_of("openai", "x", "a", "bc", "r", "s", "r", "s", 0, b);
  CHECK(strcmp(a, b) != 0);
  key_of("openai", "x", "m", "p", "ab", "c", "r", "s", 0, a);
  key_of("openai", "x", "m", "p", "a", "bc", "r", "s", 0, b);
  CHECK(strcmp(a, b) != 0);
  key_of("openai", "x", "m", "p", "r", "ab", "c", "s", 0, a);
  key_of("openai", "x", "m", "p", "r", "a", "bc", "s", 0, b);
  CHECK(strcmp(a, b) != 0);
  key_of("openaix", "", "m", "p", "r", "s", "r", "s", 0, a);
  key_of("openai", "x", "m", "p", "r", "s", "r", "s", 0, b);
  CHECK(strcmp(a, b) != 0);
  /* one message "ab" vs two messages: the count is hashed */
  es_cache_msg one[1] = {{"user", "ab"}};
  es_cache_msg two[2] = {{"user", "a"}, {"user", "b"}};
  es_cache_request q1 = {"exec", "w", "m", "{}", one, 1, 0};
  es_cache_request q2 = {"exec", "w", "m", "{}", two, 2, 0};
  CHECK(es_cache_key(&q1, a, &err) == 0 && es_cache_key(&q2, b, &err) == 0);
  CHECK(strcmp(a, b) != 0);
  /* a sample index differing only in high bytes */
  key_of("exec", "w", "m", "{}", "r", "s", "r", "s", 1, a);
  key_of("exec", "w", "m", "{}", "r", "s", "r", "s", (uint64_t)1 << 32 | 1, b);
  CHECK(strcmp(a, b) != 0);

  /* bad requests */
  es_cache_request bad = {"openai", "https://user:sk-secret@api.example.com/v1", "m", "{}",
                          NULL, 0, 0};
  CHECK(es_cache_key(&bad, k, &err) == -1);
  CHECK_INT(err.exit, ES_EXIT_USAGE);
  CHECK(strstr(err.msg, "credentials") != NULL);
  CHECK(strstr(err.msg, "sk-secret") == NULL);
  bad.endpoint = "https://api.example.com/v1?x=a@b";
  CHECK(es_cache_key(&bad, k, &err) == 0); /* an '@' past the host is not userinfo */
  bad.model = NULL;
  CHECK(es_cache_key(&bad, k, &err) == -1);
  es_cache_msg nul[1] = {{"user", NULL}};
  es_cache_request q3 = {"exec", "w", "m", "{}", nul, 1, 0};
  CHECK(es_cache_key(&q3, k, &err) == -1);
}

static void test_basic(void) {
  char path[512];
  path_of(path, sizeof path, "sub/dir/basic.sqlite"); /* folders are created */
  es_error err = {0};
  es_cache *c = NULL;
  CHECK(es_cache_open(path, &c, &err) == 0);
  if (!c) {
    test_fail(__FILE__, __LINE__, "open: %s", err.msg);
    return;
  }
  char k1[ES_CACHE_KEY_SIZE], k2[ES_CACHE_KEY_SIZE], k3[ES_CACHE_KEY_SIZE];
  numbered_key("basic", 1, k1);
  numbered_key("basic", 2, k2);
  numbered_key("basic", 3, k3);
  char *reply = (char *)"x", *meta = (char *)"x";

  /* a miss is not an error and clears the outputs */
  CHECK_INT(es_cache_get(c, k1, &reply, &meta, &err), 0);
  CHECK(reply == NULL && meta == NULL);

  /* round trip with UTF-8 and meta */
  const char *utf8 =
      "[Reflection of feelings] \xe2\x80\x9cIt sounds lonely\xe2\x80\x9d \xf0\x9f\x92\x99"
      " \xc3\xa9t\xc3\xa9\n\ttabs, \"quotes\", 'single'";
  CHECK_INT(es_cache_put(c, k1, utf8, "{\"usage\":{\"total_tokens\":42}}", &err), 1);
  CHECK_INT(es_cache_get(c, k1, &reply, &meta, &err), 1);
  CHECK_STR(reply, utf8);
  CHECK_STR(meta, "{\"usage\":{\"total_tokens\":42}}");
  free(reply);
  free(meta);

  /* first value wins */
  CHECK_INT(es_cache_put(c, k1, "another reply", NULL, &err), 0);
  CHECK_INT(es_cache_get(c, k1, &reply, NULL, &err), 1);
  CHECK_STR(reply, utf8);
  free(reply);

  /* no meta; empty reply is a reply */
  CHECK_INT(es_cache_put(c, k2, "", NULL, &err), 1);
  CHECK_INT(es_cache_get(c, k2, &reply, &meta, &err), 1);
  CHECK_STR(reply, "");
  CHECK(meta == NULL);
  free(reply);

  /* a 1 MB reply */
  size_t big_n = 1 << 20;
  char *big = malloc(big_n + 1);
  for (size_t i = 0; i < big_n; i++) big[i] = (char)('a' + i % 26);
  memcpy(big + 1000, "\xe5\xbf\x83", 3); /* UTF-8 inside */
  big[big_n] = '\0';
  CHECK_INT(es_cache_put(c, k3, big, "{}", &err), 1);
  CHECK_INT(es_cache_get(c, k3, &reply, &meta, &err), 1);
  CHECK(reply && strlen(reply) == big_n && memcmp(reply, big, big_n) == 0);
  free(reply);
  free(meta);

  /* malformed keys and missing replies are refused */
  CHECK_INT(es_cache_get(c, "abc", &reply, NULL, &err), -1);
  CHECK_INT(err.exit, ES_EXIT_INTERNAL);
  char upper[ES_CACHE_KEY_SIZE];
  memcpy(upper, k1, sizeof upper);
  upper[0] = 'A';
  CHECK_INT(es_cache_put(c, upper, "r", NULL, &err), -1);
  CHECK_INT(es_cache_put(c, k1, NULL, NULL, &err), -1);

  es_cache_info info;
  CHECK(es_cache_stats(c, &info, &err) == 0);
  CHECK_INT(info.entries, 3);
  CHECK_INT(info.data_bytes, (int64_t)(strlen(utf8) + strlen("{\"usage\":{\"total_tokens\":42}}") +
                                       big_n + 2));
  CHECK(info.file_bytes > (int64_t)big_n);
  CHECK(info.oldest > 0 && info.oldest <= info.newest);
  es_cache_close(c);

  /* reopening keeps every entry */
  CHECK(es_cache_open(path, &c, &err) == 0);
  CHECK_INT(es_cache_get(c, k1, &reply, NULL, &err), 1);
  CHECK_STR(reply, utf8);
  free(reply);
  CHECK_INT(es_cache_get(c, k3, &reply, NULL, &err), 1);
  CHECK(reply && strcmp(reply, big) == 0);
  free(reply);
  free(big);

  /* prune: age two entries by an hour behind the cache's back */
  sqlite3 *db = NULL;
  CHECK(sqlite3_open(path, &db) == SQLITE_OK);
  char sql[256];
  snprintf(sql, sizeof sql, "UPDATE entries SET created = created - 7200 WHERE key IN ('%s','%s')",
           k1, k3);
  CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
  sqlite3_close(db);
  int64_t removed = -1;
  CHECK(es_cache_prune(c, 86400, &removed, &err) == 0);
  CHECK_INT(removed, 0);
  CHECK(es_cache_prune(c, 3600, &removed, &err) == 0);
  CHECK_INT(removed, 2);
  CHECK_INT(es_cache_get(c, k1, &reply, NULL, &err), 0);
  CHECK_INT(es_cache_get(c, k3, &reply, NULL, &err), 0);
  CHECK_INT(es_cache_get(c, k2, &reply, NULL, &err), 1);
  free(reply);
  CHECK(es_cache_stats(c, &info, &err) == 0);
  CHECK_INT(info.entries, 1);
  CHECK(info.file_bytes < (int64_t)big_n / 4); /* the 1 MB went back to the file system */
  CHECK(es_cache_prune(c, 0, &removed, &err) == 0);
  CHECK_INT(removed, 1);
  CHECK(es_cache_stats(c, &info, &err) == 0);
  CHECK_INT(info.entries, 0);
  CHECK_INT(info.oldest, 0);
  es_cache_close(c);
  es_cache_close(NULL);
}

static void test_bad_files(void) {
  char path[512];
  es_error err = {0};
  es_cache *c = (es_cache *)&err;

  path_of(path, sizeof path, "garbage.sqlite");
  FILE *f = fopen(path, "w");
  for (int i = 0; i < 200; i++) fputs("this is not a database at all\n", f);
  fclose(f);
  CHECK_INT(es_cache_open(path, &c, &err), -1);
  CHECK(c == NULL);
  CHECK_INT(err.exit, ES_EXIT_USAGE);
  CHECK_MSG(strstr(err.msg, "is not a database") && strstr(err.msg, path), "msg: %s", err.msg);

  /* a SQLite database of another program */
  path_of(path, sizeof path, "other.sqlite");
  sqlite3 *db = NULL;
  CHECK(sqlite3_open(path, &db) == SQLITE_OK);
  CHECK(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL) == SQLITE_OK);
  sqlite3_close(db);
  CHECK_INT(es_cache_open(path, &c, &err), -1);
  CHECK_INT(err.exit, ES_EXIT_USAGE);
  CHECK_MSG(strstr(err.msg, "not an esbench cache") != NULL, "msg: %s", err.msg);

  /* a cache written by a newer esbench */
  path_of(path, sizeof path, "newer.sqlite");
  CHECK(es_cache_open(path, &c, &err) == 0);
  es_cache_close(c);
  CHECK(sqlite3_open(path, &db) == SQLITE_OK);
  CHECK(sqlite3_exec(db, "UPDATE schema_version SET version = 2", NULL, NULL, NULL) == SQLITE_OK);
  sqlite3_close(db);
  CHECK_INT(es_cache_open(path, &c, &err), -1);
  CHECK_INT(err.exit, ES_EXIT_USAGE);
  CHECK_MSG(strstr(err.msg, "schema version 2") != NULL, "msg: %s", err.msg);

  /* a cache whose pages were overwritten (the header survives) */
  path_of(path, sizeof path, "corrupt.sqlite");
  CHECK(es_cache_open(path, &c, &err) == 0);
  char key[ES_CACHE_KEY_SIZE];
  for (int i = 0; i < 20; i++) {
    numbered_key("corrupt", i, key);
    CHECK_INT(es_cache_put(c, key, "a reply", NULL, &err), 1);
  }
  es_cache_close(c); /* the last close moves the WAL into the file */
  struct stat st;
  CHECK(stat(path, &st) == 0 && st.st_size >= 3 * 4096);
  f = fopen(path, "r+b");
  CHECK(f && fseek(f, 4096, SEEK_SET) == 0);
  for (long i = 4096; i < (long)st.st_size; i++) fputc(0xa5, f);
  fclose(f);
  int rc = es_cache_open(path, &c, &err);
  if (rc == 0) { /* the damage may only show on use */
    es_cache_info info;
    rc = es_cache_stats(c, &info, &err);
    es_cache_close(c);
  }
  CHECK_INT(rc, -1);
  CHECK_INT(err.exit, ES_EXIT_USAGE);
  CHECK_MSG(strstr(err.msg, "is corrupt") != NULL, "msg: %s", err.msg);

  /* a folder cannot be created under a file */
  char p2[600];
  path_of(path, sizeof path, "garbage.sqlite");
  snprintf(p2, sizeof p2, "%s/x/cache.sqlite", path);
  CHECK_INT(es_cache_open(p2, &c, &err), -1);
  CHECK_INT(err.exit, ES_EXIT_USAGE);
}

/* ---- several processes ------------------------------------------------------ */

enum { WRITERS = 4, OWN = 300, SHARED = 100 };

/* A writer: waits at the barrier (a pipe closed by the parent), opens the
 * cache (maybe creating it, together with the others) and puts its own and
 * the shared entries, interleaved. Exits 0 on success. */
static void writer(const char *path, int id, int barrier) {
  char b;
  if (read(barrier, &b, 1) != 0) _exit(10);
  es_error err = {0};
  es_cache *c = NULL;
  if (es_cache_open(path, &c, &err) != 0) {
    fprintf(stderr, "writer %d: %s\n", id, err.msg);
    _exit(11);
  }
  char key[ES_CACHE_KEY_SIZE], reply[64], family[32];
  snprintf(family, sizeof family, "writer %d", id);
  for (int i = 0; i < OWN + SHARED; i++) {
    int shared = i % 4 == 3 && i / 4 < SHARED;
    int n = shared ? i / 4 : i;
    numbered_key(shared ? "shared" : family, n, key);
    snprintf(reply, sizeof reply, "%s reply %d", shared ? "shared" : family, n);
    if (shared) snprintf(reply, sizeof reply, "shared reply %d from %d", n, id);
    if (es_cache_put(c, key, reply, NULL, &err) < 0) {
      fprintf(stderr, "writer %d: put %d: %s\n", id, i, err.msg);
      _exit(12);
    }
  }
  es_cache_close(c);
  _exit(0);
}

static void test_writers(void) {
  char path[512];
  path_of(path, sizeof path, "shared/cache.sqlite");
  int fd[2];
  CHECK(pipe(fd) == 0);
  pid_t pids[WRITERS];
  for (int w = 0; w < WRITERS; w++) {
    pids[w] = fork();
    if (pids[w] == 0) {
      close(fd[1]);
      writer(path, w, fd[0]);
    }
  }
  close(fd[0]);
  double t0 = now_s();
  close(fd[1]); /* go */
  for (int w = 0; w < WRITERS; w++) {
    int status = 0;
    CHECK(waitpid(pids[w], &status, 0) == pids[w]);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer %d status %d", w, status);
  }
  double dt = now_s() - t0;
  int total = WRITERS * (OWN + SHARED);
  printf("%d writers: %d puts (%d distinct) in %.3f s: %.0f puts/s\n", WRITERS, total,
         WRITERS * OWN + SHARED, dt, total / dt);

  es_error err = {0};
  es_cache *c = NULL;
  CHECK(es_cache_open(path, &c, &err) == 0);
  if (!c) return;
  es_cache_info info;
  CHECK(es_cache_stats(c, &info, &err) == 0);
  CHECK_INT(info.entries, WRITERS * OWN + SHARED);
  char key[ES_CACHE_KEY_SIZE], want[64], family[32];
  char *reply = NULL;
  int found = 0;
  for (int w = 0; w < WRITERS; w++) {
    snprintf(family, sizeof family, "writer %d", w);
    for (int i = 0; i < OWN + SHARED; i++) {
      if (i % 4 == 3 && i / 4 < SHARED) continue;
      numbered_key(family, i, key);
      snprintf(want, sizeof want, "%s reply %d", family, i);
      if (es_cache_get(c, key, &reply, NULL, &err) == 1 && strcmp(reply, want) == 0) found++;
      free(reply);
    }
  }
  CHECK_INT(found, WRITERS * OWN);
  found = 0;
  for (int n = 0; n < SHARED; n++) {
    numbered_key("shared", n, key);
    snprintf(want, sizeof want, "shared reply %d from ", n);
    if (es_cache_get(c, key, &reply, NULL, &err) == 1 && strncmp(reply, want, strlen(want)) == 0)
      found++;
    free(reply);
  }
  CHECK_INT(found, SHARED);
  es_cache_close(c);

  /* one key, one row: count them with SQL */
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  CHECK(sqlite3_open(path, &db) == SQLITE_OK);
  CHECK(sqlite3_prepare_v2(db, "SELECT count(*), count(DISTINCT key) FROM entries", -1, &st,
                           NULL) == SQLITE_OK);
  CHECK(sqlite3_step(st) == SQLITE_ROW);
  CHECK_INT(sqlite3_column_int(st, 0), WRITERS * OWN + SHARED);
  CHECK_INT(sqlite3_column_int(st, 1), WRITERS * OWN + SHARED);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

static void test_kill9(void) {
  char path[512];
  path_of(path, sizeof path, "kill9.sqlite");
  pid_t pid = fork();
  if (pid == 0) {
    es_error err = {0};
    es_cache *c = NULL;
    char key[ES_CACHE_KEY_SIZE], reply[64];
    if (es_cache_open(path, &c, &err) != 0) _exit(11);
    for (int i = 0; i < 50; i++) {
      numbered_key("kill9", i, key);
      snprintf(reply, sizeof reply, "kill9 reply %d", i);
      if (es_cache_put(c, key, reply, "{}", &err) != 1) _exit(12);
    }
    kill(getpid(), SIGKILL); /* no close, no exit handlers */
    _exit(13);
  }
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child status %d", status);
  es_error err = {0};
  es_cache *c = NULL;
  CHECK(es_cache_open(path, &c, &err) == 0);
  if (!c) return;
  int found = 0;
  char key[ES_CACHE_KEY_SIZE], want[64], *reply = NULL;
  for (int i = 0; i < 50; i++) {
    numbered_key("kill9", i, key);
    snprintf(want, sizeof want, "kill9 reply %d", i);
    if (es_cache_get(c, key, &reply, NULL, &err) == 1 && strcmp(reply, want) == 0) found++;
    free(reply);
  }
  CHECK_INT(found, 50);
  es_cache_close(c);
}

/* Pruning a large cache while another process writes and reads: the
 * writer never fails and never waits long for the lock. */
static void test_prune_under_load(void) {
  char path[512];
  path_of(path, sizeof path, "prune.sqlite");
  es_error err = {0};
  es_cache *c = NULL;
  CHECK(es_cache_open(path, &c, &err) == 0);
  if (!c) return;
  enum { OLD = 3000, NEW = 1000 };
  char key[ES_CACHE_KEY_SIZE], reply[2048];
  memset(reply, 'o', sizeof reply - 1);
  reply[sizeof reply - 1] = '\0';
  sqlite3 *db = NULL;
  CHECK(sqlite3_open(path, &db) == SQLITE_OK);
  sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
  sqlite3_stmt *st = NULL;
  CHECK(sqlite3_prepare_v2(db, "INSERT INTO entries VALUES(?1, 1000, 2047, NULL, ?2)", -1, &st,
                           NULL) == SQLITE_OK);
  for (int i = 0; i < OLD; i++) {
    numbered_key("old", i, key);
    sqlite3_bind_text(st, 1, key, 64, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, reply, -1, SQLITE_STATIC);
    CHECK(sqlite3_step(st) == SQLITE_DONE);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  CHECK(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK);
  sqlite3_close(db);

  int fd[2], res[2];
  CHECK(pipe(fd) == 0 && pipe(res) == 0);
  pid_t pid = fork();
  if (pid == 0) {
    char b;
    close(fd[1]);
    close(res[0]);
    if (read(fd[0], &b, 1) != 0) _exit(10);
    es_cache *w = NULL;
    char *got = NULL;
    if (es_cache_open(path, &w, &err) != 0) _exit(11);
    double worst = 0;
    for (int i = 0; i < NEW; i++) {
      numbered_key("new", i, key);
      double t0 = now_s();
      if (es_cache_put(w, key, "fresh", NULL, &err) != 1) _exit(12);
      double dt = now_s() - t0;
      if (dt > worst) worst = dt;
      numbered_key("old", i, key);
      if (es_cache_get(w, key, &got, NULL, &err) < 0) _exit(13); /* hit or miss */
      free(got);
    }
    es_cache_close(w);
    if (write(res[1], &worst, sizeof worst) != sizeof worst) _exit(14);
    _exit(0);
  }
  close(fd[0]);
  close(res[1]);
  close(fd[1]); /* go */
  int64_t removed = 0;
  double t0 = now_s();
  CHECK(es_cache_prune(c, 3600, &removed, &err) == 0);
  double prune_s = now_s() - t0;
  CHECK_INT(removed, OLD);
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer status %d", status);
  double worst = -1;
  CHECK(read(res[0], &worst, sizeof worst) == sizeof worst);
  close(res[0]);
  CHECK_MSG(worst >= 0 && worst < 1.0, "a put waited %.3f s during prune", worst);
  printf("prune of %d entries (6 MB) in %.3f s while another process wrote %d; "
         "slowest put %.1f ms\n",
         OLD, prune_s, NEW, worst * 1e3);
  es_cache_info info;
  CHECK(es_cache_stats(c, &info, &err) == 0);
  CHECK_INT(info.entries, NEW);
  es_cache_close(c);
}

/* Single-process speed, for the report. */
static void bench(void) {
  char path[512];
  path_of(path, sizeof path, "bench.sqlite");
  es_error err = {0};
  es_cache *c = NULL;
  if (es_cache_open(path, &c, &err) != 0) return;
  enum { N = 2000 };
  char key[ES_CACHE_KEY_SIZE], reply[600], *got = NULL;
  memset(reply, 'r', sizeof reply - 1);
  reply[sizeof reply - 1] = '\0';
  double t0 = now_s();
  int ok = 0;
  for (int i = 0; i < N; i++) {
    numbered_key("bench", i, key);
    ok += es_cache_put(c, key, reply, "{\"usage\":{}}", &err) == 1;
  }
  double t1 = now_s();
  for (int i = 0; i < N; i++) {
    numbered_key("bench", i, key);
    ok += es_cache_get(c, key, &got, NULL, &err) == 1;
    free(got);
  }
  double t2 = now_s();
  CHECK_INT(ok, 2 * N);
  printf("one process: %.0f puts/s, %.0f gets/s (600-byte replies, key hashing included)\n",
         N / (t1 - t0), N / (t2 - t1));
  es_cache_close(c);
}

int main(void) {
  snprintf(root, sizeof root, "/tmp/esbench-cache-%ld", (long)getpid());
  test_keys();
  test_basic();
  test_bad_files();
  test_writers();
  test_kill9();
  test_prune_under_load();
  bench();
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", root);
  return test_finish("cache");
}
