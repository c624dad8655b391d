/*
 * test_fetch.c: es_fetch against tests/fetch_server.py on 127.0.0.1 (a
 * random free port; skipped with 77 when python3 is absent), and
 * es_dataset_locate / es_fetch_cache_dir.
 *
 * The test builds ExTES.zip itself with libarchive (the small ExTES-shaped
 * tests/fixtures/fetch/ExTES.json under ExTES/, beside a __MACOSX decoy),
 * computes its git blob id, and checks: success with the right id (file,
 * FILE.sha256, no temporary left), the cached copy kept, repaired and
 * forced; refusal of a wrong id and of corrupted bytes; 404, a truncated
 * body, an unreachable port, an archive without the member, a download
 * that is not a zip (each leaving the cache empty); redirects; ESConv.json
 * (no archive); URL and blob id from the environment; option errors.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "dialogue.h"
#include "exitcode.h"
#include "fetch.h"
#include "testlib.h"

static char root[] = "/tmp/esbench-test-fetch-XXXXXX";
static char www[1100];
static pid_t server_pid = -1;
static int server_stdin = -1;
static int port;

static const char *at(const char *fmt, const char *name) {
  static char buf[4][1200];
  static int k;
  k = (k + 1) % 4;
  snprintf(buf[k], sizeof buf[k], fmt, root, name);
  return buf[k];
}

static char *url(const char *mode, const char *name) {
  static char buf[4][256];
  static int k;
  k = (k + 1) % 4;
  snprintf(buf[k], sizeof buf[k], "http://127.0.0.1:%d/%s/%s", port, mode, name);
  return buf[k];
}

/* ---- fixtures -------------------------------------------------------------- */

static void hex(const unsigned char *md, size_t n, char *out) {
  for (size_t i = 0; i < n; i++) snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* git hash-object of a file, and its sha256 */
static void hash(const char *path, char blob[41], char sha256[65]) {
  size_t n;
  char *data = test_read_file(path, &n);
  char head[64];
  unsigned char md[32];
  unsigned int len;
  int hn = snprintf(head, sizeof head, "blob %zu", n);
  EVP_MD_CTX *c = EVP_MD_CTX_new();
  EVP_DigestInit_ex(c, EVP_sha1(), NULL);
  EVP_DigestUpdate(c, head, (size_t)hn + 1);
  EVP_DigestUpdate(c, data, n);
  EVP_DigestFinal_ex(c, md, &len);
  EVP_MD_CTX_free(c);
  if (blob) hex(md, 20, blob);
  EVP_Digest(data, n, md, &len, EVP_sha256(), NULL);
  if (sha256) hex(md, 32, sha256);
  free(data);
}

/* A zip at path holding the given entries (name, bytes) with fixed times. */
static void make_zip(const char *path, const char *const *names, const char *const *data,
                     const size_t *sizes, int n) {
  struct archive *a = archive_write_new();
  archive_write_set_format_zip(a);
  if (archive_write_open_filename(a, path) != ARCHIVE_OK) {
    fprintf(stderr, "cannot write %s: %s\n", path, archive_error_string(a));
    exit(1);
  }
  for (int i = 0; i < n; i++) {
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, names[i]);
    archive_entry_set_size(e, (la_int64_t)sizes[i]);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_mtime(e, 1700000000, 0);
    archive_write_header(a, e);
    archive_write_data(a, data[i], sizes[i]);
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
}

static void copy_file(const char *from, const char *to) {
  size_t n;
  char *data = test_read_file(from, &n);
  FILE *f = fopen(to, "wb");
  if (!data || !f || fwrite(data, 1, n, f) != n) {
    fprintf(stderr, "cannot copy %s to %s\n", from, to);
    exit(1);
  }
  fclose(f);
  free(data);
}

/* Files in dir (hidden ones included); -1 when dir is absent. */
static int count_files(const char *dir) {
  DIR *d = opendir(dir);
  int n = 0;
  if (!d) return -1;
  for (struct dirent *e; (e = readdir(d));)
    n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
  closedir(d);
  return n;
}

static int same_bytes(const char *a, const char *b) {
  size_t na, nb;
  char *x = test_read_file(a, &na), *y = test_read_file(b, &nb);
  int same = x && y && na == nb && memcmp(x, y, na) == 0;
  free(x);
  free(y);
  return same;
}

/* ---- the server --------------------------------------------------------------- */

static void stop_server(void) {
  if (server_pid <= 0) return;
  if (server_stdin >= 0) close(server_stdin); /* the server exits at end of stdin */
  server_stdin = -1;
  for (int i = 0; i < 50; i++) {
    if (waitpid(server_pid, NULL, WNOHANG) == server_pid) {
      server_pid = -1;
      return;
    }
    struct timespec ts = {0, 100000000};
    nanosleep(&ts, NULL);
  }
  kill(server_pid, SIGTERM);
  waitpid(server_pid, NULL, 0);
  server_pid = -1;
}

static void cleanup(void) {
  stop_server();
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", root);
}

static void start_server(void) {
  int in[2], out[2];
  char script[1100];
  snprintf(script, sizeof script, "%s/fetch_server.py", test_tests_dir());
  if (pipe(in) != 0 || pipe(out) != 0) exit(1);
  server_pid = fork();
  if (server_pid < 0) exit(1);
  if (server_pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    close(in[0]);
    close(in[1]);
    close(out[0]);
    close(out[1]);
    execlp("python3", "python3", script, "--dir", www, (char *)NULL);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  server_stdin = in[1];
  FILE *f = fdopen(out[0], "r");
  char line[64] = "";
  if (!f || !fgets(line, sizeof line, f) || sscanf(line, "PORT %d", &port) != 1) {
    fprintf(stderr, "fetch_server.py did not start (read '%s')\n", line);
    exit(1);
  }
  fclose(f);
}

/* A port on 127.0.0.1 where nothing listens (bound, then released). */
static int free_port(void) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {0};
  socklen_t len = sizeof a;
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 ||
      getsockname(s, (struct sockaddr *)&a, &len) != 0)
    exit(1);
  close(s);
  return ntohs(a.sin_port);
}

/* ---- tests --------------------------------------------------------------------- */

static char zip_blob[41], json_sha[65], esconv_blob[41], esconv_sha[65], json_fixture[1100];

static es_fetch_options opts(const char *u, const char *blob, const char *cache) {
  es_fetch_options o = {0};
  o.url = u;
  o.blob_id = blob;
  o.cache_dir = cache;
  o.connect_timeout = 5;
  o.low_speed_time = 5;
  return o;
}

/* A fetch of extes from u that must fail with a message holding want and
 * leave the cache folder empty. */
static void check_refused(const char *u, const char *blob, const char *want, const char *label) {
  char cache[1200];
  snprintf(cache, sizeof cache, "%s", at("%s/refused-%s", label));
  es_fetch_options o = opts(u, blob, cache);
  es_fetch_result res;
  es_error err = {0};
  CHECK_MSG(es_fetch("extes", &o, &res, &err) == -1, "%s: fetch succeeded", label);
  CHECK_MSG(strstr(err.msg, want) != NULL, "%s: '%s' not in: %s", label, want, err.msg);
  CHECK_MSG(count_files(cache) == 0, "%s: %d files left in the cache", label, count_files(cache));
  CHECK(res.path == NULL);
}

static void test_extes(void) {
  char cache[1200];
  snprintf(cache, sizeof cache, "%s", at("%s/%s", "cache"));
  es_fetch_options o = opts(url("ok", "ExTES.zip"), zip_blob, cache);
  es_fetch_result res;
  es_error err = {0};
  char want[1300];

  CHECK_MSG(es_fetch("extes", &o, &res, &err) == 0, "fetch: %s", err.msg);
  CHECK_STR(res.path, at("%s/cache/%s", "ExTES.json"));
  CHECK_STR(res.sha256, json_sha);
  CHECK_STR(res.blob_id, zip_blob);
  CHECK_STR(res.url, url("ok", "ExTES.zip"));
  CHECK_INT(res.cached, 0);
  struct stat st;
  CHECK(stat(at("%s/www/%s", "ExTES.zip"), &st) == 0 && res.bytes == (size_t)st.st_size);
  CHECK(same_bytes(at("%s/cache/%s", "ExTES.json"), json_fixture));
  size_t n;
  char *sha = test_read_file(at("%s/cache/%s", "ExTES.json.sha256"), &n);
  snprintf(want, sizeof want, "%s  ExTES.json\n", json_sha);
  CHECK_STR(sha, want);
  free(sha);
  CHECK_INT(count_files(cache), 2); /* no temporary left */
  es_fetch_result_release(&res);

  /* what was fetched loads */
  es_dataset *ds = NULL;
  CHECK(es_dataset_load("extes", at("%s/cache/%s", "ExTES.json"), NULL, &ds, &err) == 0);
  CHECK(ds && ds->n == 2 && strcmp(ds->sha256, json_sha) == 0);
  es_dataset_free(ds);

  /* a good cached copy is kept, even when the server has gone wrong */
  o.url = url("404", "ExTES.zip");
  CHECK_MSG(es_fetch("extes", &o, &res, &err) == 0, "cached: %s", err.msg);
  CHECK_INT(res.cached, 1);
  CHECK_INT(res.bytes, 0);
  CHECK_STR(res.sha256, json_sha);
  es_fetch_result_release(&res);

  /* a cached copy that disagrees with its .sha256 is downloaded again */
  FILE *f = fopen(at("%s/cache/%s", "ExTES.json"), "ab");
  fputs(" ", f);
  fclose(f);
  o.url = url("ok", "ExTES.zip");
  CHECK_MSG(es_fetch("extes", &o, &res, &err) == 0, "repair: %s", err.msg);
  CHECK_INT(res.cached, 0);
  CHECK(same_bytes(at("%s/cache/%s", "ExTES.json"), json_fixture));
  es_fetch_result_release(&res);

  /* --force downloads a good copy again; redirects are followed */
  o.force = 1;
  o.url = url("redirect", "ExTES.zip");
  CHECK_MSG(es_fetch("extes", &o, &res, &err) == 0, "force: %s", err.msg);
  CHECK_INT(res.cached, 0);
  CHECK(res.bytes > 0);
  CHECK_INT(count_files(cache), 2);
  es_fetch_result_release(&res);

  /* es_fetch_dataset returns the path alone */
  char *path = NULL;
  o.force = 0;
  CHECK(es_fetch_dataset("extes", &o, &path, &err) == 0);
  CHECK_STR(path, at("%s/cache/%s", "ExTES.json"));
  free(path);
}

static void test_refusals(void) {
  char wrong[41];
  memcpy(wrong, zip_blob, 41);
  wrong[0] = wrong[0] == '0' ? '1' : '0';
  char want[200];
  snprintf(want, sizeof want, "its git blob id is %s, expected %s", zip_blob, wrong);
  check_refused(url("ok", "ExTES.zip"), wrong, want, "wrong-id");
  check_refused(url("ok", "ExTES.zip"), wrong, "refusing 'http://127.0.0.1:", "wrong-id2");
  check_refused(url("corrupt", "ExTES.zip"), zip_blob, "expected", "corrupt");
  check_refused(url("404", "ExTES.zip"), zip_blob, "returned error: 404", "404");
  check_refused(url("404", "ExTES.zip"), zip_blob,
                "; download ExTES.zip on a machine with internet, unzip it, and set "
                "ESBENCH_DATA_DIR to the folder holding ExTES.json, or pass --data-dir",
                "404-hint");
  check_refused(url("truncated", "ExTES.zip"), zip_blob, "cannot download", "truncated");
  char unreachable[128];
  snprintf(unreachable, sizeof unreachable, "http://127.0.0.1:%d/ok/ExTES.zip", free_port());
  check_refused(unreachable, zip_blob, "cannot download 'http://127.0.0.1:", "unreachable");

  char blob[41];
  hash(at("%s/www/%s", "other.zip"), blob, NULL);
  check_refused(url("ok", "other.zip"), blob, "no 'ExTES.json' in the archive from", "member");
  hash(json_fixture, blob, NULL);
  check_refused(url("ok", "ExTES.json"), blob, "cannot unpack 'ExTES.json' from", "not-zip");

  es_fetch_options o = opts(NULL, zip_blob, at("%s/%s", "opt-errors"));
  es_fetch_result res;
  es_error err = {0};
  CHECK(es_fetch("extes", &o, &res, &err) == -1);
  CHECK_MSG(strstr(err.msg, "needs an overridden URL (--url or ESBENCH_EXTES_URL)") != NULL,
            "got: %s", err.msg);
  CHECK_INT(err.exit, ES_EXIT_USAGE);
  o.url = url("ok", "ExTES.zip");
  o.blob_id = "3677EE03";
  CHECK(es_fetch("extes", &o, &res, &err) == -1);
  CHECK(strstr(err.msg, "bad blob id '3677EE03'") != NULL);
  CHECK(es_fetch("extez", &o, &res, &err) == -1);
  CHECK(strstr(err.msg, "unknown dataset 'extez'") != NULL);
  CHECK_INT(count_files(at("%s/%s", "opt-errors")), -1); /* nothing created */
}

static void test_esconv_and_env(void) {
  char cache[1200];
  snprintf(cache, sizeof cache, "%s", at("%s/%s", "cache-esconv"));
  es_fetch_options o = opts(url("ok", "ESConv.json"), esconv_blob, cache);
  es_fetch_result res;
  es_error err = {0};
  CHECK_MSG(es_fetch("esconv", &o, &res, &err) == 0, "esconv: %s", err.msg);
  CHECK_STR(res.path, at("%s/cache-esconv/%s", "ESConv.json"));
  CHECK_STR(res.sha256, esconv_sha);
  CHECK_STR(res.blob_id, esconv_blob);
  CHECK_INT(count_files(cache), 2);
  es_fetch_result_release(&res);

  /* URL and blob id from the environment */
  setenv("ESBENCH_ESCONV_URL", url("ok", "ESConv.json"), 1);
  setenv("ESBENCH_ESCONV_BLOB", esconv_blob, 1);
  o = opts(NULL, NULL, at("%s/%s", "cache-env"));
  CHECK_MSG(es_fetch("esconv", &o, &res, &err) == 0, "env: %s", err.msg);
  CHECK_STR(res.url, url("ok", "ESConv.json"));
  es_fetch_result_release(&res);
  setenv("ESBENCH_ESCONV_BLOB", zip_blob, 1);
  o.force = 1;
  CHECK(es_fetch("esconv", &o, &res, &err) == -1);
  CHECK(strstr(err.msg, "refusing") != NULL);
  CHECK(same_bytes(at("%s/cache-env/%s", "ESConv.json"), at("%s/www/%s", "ESConv.json")));
  CHECK_INT(count_files(at("%s/%s", "cache-env")), 2); /* the good copy stays */
  unsetenv("ESBENCH_ESCONV_URL");
  unsetenv("ESBENCH_ESCONV_BLOB");
}

static void test_locate(void) {
  char *path = NULL, *cache = NULL;
  es_error err = {0};

  setenv("XDG_CACHE_HOME", at("%s/%s", "xdg"), 1);
  CHECK(es_fetch_cache_dir(&cache, &err) == 0);
  CHECK_STR(cache, at("%s/%s", "xdg/esbench"));
  free(cache);
  setenv("XDG_CACHE_HOME", "relative/ignored", 1);
  setenv("HOME", at("%s/%s", "home"), 1);
  CHECK(es_fetch_cache_dir(&cache, &err) == 0);
  CHECK_STR(cache, at("%s/%s", "home/.cache/esbench"));
  free(cache);
  setenv("XDG_CACHE_HOME", at("%s/%s", "xdg"), 1);
  CHECK_STR(es_fetch_file_name("extes"), "ExTES.json");
  CHECK_STR(es_fetch_file_name("esconv"), "ESConv.json");
  CHECK(es_fetch_file_name("x") == NULL);

  /* nowhere: the message names the three places and the fix */
  unsetenv("ESBENCH_DATA_DIR");
  CHECK(es_dataset_locate("extes", NULL, NULL, &path, &err) == -1);
  char want[2048];
  snprintf(want, sizeof want,
           "cannot find 'ExTES.json': it is not in --data-dir (not given), $ESBENCH_DATA_DIR "
           "(not set) or the cache ('%s/xdg/esbench'); run 'esbench fetch extes', or download "
           "ExTES.zip on a machine with internet, unzip it, and set ESBENCH_DATA_DIR to the "
           "folder holding ExTES.json, or pass --data-dir",
           root);
  CHECK_STR(err.msg, want);
  CHECK_INT(err.exit, ES_EXIT_USAGE);
  CHECK(path == NULL);

  /* the cache, then $ESBENCH_DATA_DIR, then --data-dir win in turn */
  es_fetch_options o = opts(url("ok", "ExTES.zip"), zip_blob, NULL); /* the default cache */
  es_fetch_result res;
  CHECK_MSG(es_fetch("extes", &o, &res, &err) == 0, "fetch: %s", err.msg);
  es_fetch_result_release(&res);
  CHECK(es_dataset_locate("extes", NULL, NULL, &path, &err) == 0);
  CHECK_STR(path, at("%s/%s", "xdg/esbench/ExTES.json"));
  free(path);
  mkdir(at("%s/%s", "env"), 0700);
  mkdir(at("%s/%s", "flag"), 0700);
  copy_file(json_fixture, at("%s/%s", "env/ExTES.json"));
  copy_file(json_fixture, at("%s/%s", "flag/ExTES.json"));
  setenv("ESBENCH_DATA_DIR", at("%s/%s", "env"), 1);
  CHECK(es_dataset_locate("extes", NULL, NULL, &path, &err) == 0);
  CHECK_STR(path, at("%s/%s", "env/ExTES.json"));
  free(path);
  CHECK(es_dataset_locate("extes", NULL, at("%s/%s", "flag"), &path, &err) == 0);
  CHECK_STR(path, at("%s/%s", "flag/ExTES.json"));
  free(path);
  /* a --data-dir without the file falls through to the next place */
  CHECK(es_dataset_locate("extes", NULL, at("%s/%s", "home"), &path, &err) == 0);
  CHECK_STR(path, at("%s/%s", "env/ExTES.json"));
  free(path);
  /* another file name, not found anywhere */
  CHECK(es_dataset_locate("esconv", "FailedESConv.json", at("%s/%s", "flag"), &path, &err) == -1);
  snprintf(want, sizeof want,
           "cannot find 'FailedESConv.json': it is not in --data-dir ('%s/flag'), "
           "$ESBENCH_DATA_DIR ('%s/env') or the cache ('%s/xdg/esbench'); run 'esbench fetch "
           "esconv', or download ESConv.json on a machine with internet and set "
           "ESBENCH_DATA_DIR to the folder holding ESConv.json, or pass --data-dir",
           root, root, root);
  CHECK_STR(err.msg, want);
  CHECK(es_dataset_locate("nope", NULL, NULL, &path, &err) == -1);
  CHECK(strstr(err.msg, "unknown dataset 'nope'") != NULL);
}

int main(void) {
  if (system("python3 -c pass >/dev/null 2>&1") != 0) {
    fprintf(stderr, "SKIP: python3 is absent (needed for tests/fetch_server.py)\n");
    return 77;
  }
  signal(SIGPIPE, SIG_IGN);
  if (!mkdtemp(root)) return 1;
  atexit(cleanup);
  snprintf(www, sizeof www, "%s/www", root);
  mkdir(www, 0700);
  snprintf(json_fixture, sizeof json_fixture, "%s/fixtures/fetch/ExTES.json", test_tests_dir());

  size_t n;
  char *json = test_read_file(json_fixture, &n);
  static const char fork_bytes[] = "\x00\x05\x16\x07 not the JSON";
  const char *names[] = {"__MACOSX/ExTES/._ExTES.json", "ExTES/ExTES.json", "ExTES/README"};
  const char *data[] = {fork_bytes, json, "readme\n"};
  size_t sizes[] = {sizeof fork_bytes - 1, n, 7};
  make_zip(at("%s/www/%s", "ExTES.zip"), names, data, sizes, 3);
  const char *other_names[] = {"ExTES/other.json"};
  make_zip(at("%s/www/%s", "other.zip"), other_names, data + 1, sizes + 1, 1);
  free(json);
  copy_file(json_fixture, at("%s/www/%s", "ExTES.json"));
  char esconv_fixture[1100];
  snprintf(esconv_fixture, sizeof esconv_fixture, "%s/fixtures/fetch/ESConv.json",
           test_tests_dir());
  copy_file(esconv_fixture, at("%s/www/%s", "ESConv.json"));
  hash(at("%s/www/%s", "ExTES.zip"), zip_blob, NULL);
  hash(json_fixture, NULL, json_sha);
  hash(esconv_fixture, esconv_blob, esconv_sha);

  start_server();
  test_extes();
  test_refusals();
  test_esconv_and_env();
  test_locate();
  stop_server();
  return test_finish("fetch");
}
