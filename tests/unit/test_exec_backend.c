/* test_exec_backend: the exec backend against real worker processes (the
 * example worker and the misbehaving ones in tests/fixtures/exec): many
 * requests over several workers, crashes and restarts, garbage, hangs and
 * timeouts, error answers, a program that cannot start, 1 MB lines, and no
 * zombies or leaked descriptors afterwards. Skips (77) without python3. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "exec_backend.h"
#include "exitcode.h"
#include "testlib.h"

static char python[1024];
static char script[6][1024]; /* example, crash_after, garbage, hang_on, error_reply */

enum { EXAMPLE, CRASH, GARBAGE, HANG, ERROR_REPLY };

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int count_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  if (!d) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) n++;
  closedir(d);
  return n;
}

/* The real interpreter (not a pyenv shim, whose start-up is slow), or 77. */
static void find_python(void) {
  FILE *p = popen("python3 -c 'import sys; print(sys.executable)' 2>/dev/null", "r");
  if (!p || !fgets(python, sizeof python, p) || python[0] != '/') {
    if (p) pclose(p);
    fprintf(stderr, "test_exec_backend: python3 not found, skipped\n");
    exit(77);
  }
  pclose(p);
  python[strcspn(python, "\n")] = '\0';
}

typedef struct {
  es_exec_request *req;
  es_exec_result *res;
  char **ids, **msgs;
  size_t n;
} batch;

/* n requests with ids "<prefix><k>" and a user message "<word> <k>". */
static void batch_make(batch *b, size_t n, const char *prefix, const char *word) {
  b->n = n;
  b->req = calloc(n, sizeof *b->req);
  b->res = calloc(n, sizeof *b->res);
  b->ids = calloc(n, sizeof *b->ids);
  b->msgs = calloc(n, sizeof *b->msgs);
  for (size_t k = 0; k < n; k++) {
    size_t len = strlen(word) + 200;
    b->ids[k] = malloc(64);
    b->msgs[k] = malloc(len);
    snprintf(b->ids[k], 64, "%s%zu", prefix, k);
    /* pretty-printed over several lines, with escapes in the content */
    snprintf(b->msgs[k], len,
             "[\n  {\"role\": \"system\", \"content\": \"be kind\"},\n"
             "  {\"role\": \"user\", \"content\": \"%s \\\"q\\\" \\\\ %zu\"}\n]",
             word, k);
    b->req[k].id = b->ids[k];
    b->req[k].messages = b->msgs[k];
    b->req[k].params = k % 2 ? "{\"temperature\": 0.7,\n \"seed\": 12345678901234567}" : NULL;
  }
}

static void batch_free(batch *b) {
  for (size_t k = 0; k < b->n; k++) {
    free(b->ids[k]);
    free(b->msgs[k]);
    es_exec_result_release(&b->res[k]);
  }
  free(b->req);
  free(b->res);
  free(b->ids);
  free(b->msgs);
}

/* The example worker's reply to batch_make's request k. */
static void expected_reply(const char *word, size_t k, char *dst, size_t max) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s \"q\" \\ %zu", word, k);
  size_t n = strlen(msg);
  snprintf(dst, max, "[Question] ");
  size_t o = strlen(dst);
  for (size_t i = 0; i < n && o + 1 < max; i++) dst[o++] = msg[n - 1 - i];
  dst[o] = '\0';
}

static es_exec *start(int which, const char *arg, int workers, double timeout, int max_restarts) {
  const char *argv[] = {python, script[which], arg, NULL};
  es_exec_config cfg = {argv, workers, timeout, max_restarts, 0, 2.0, NULL};
  es_error err = {0};
  es_exec *x = es_exec_new(&cfg, &err);
  CHECK_MSG(x != NULL, "es_exec_new: %s", err.msg);
  return x;
}

static size_t progress_calls, progress_last;
static void on_progress(void *ctx, size_t index, const es_exec_result *r, size_t done,
                        size_t total) {
  (void)ctx;
  (void)total;
  progress_calls++;
  CHECK(done == progress_last + 1);
  CHECK(r != NULL && (r->reply != NULL) != (r->error != NULL));
  CHECK(index < total);
  progress_last = done;
}

static int run(es_exec *x, batch *b) {
  es_error err = {0};
  progress_calls = progress_last = 0;
  int rc = es_exec_run(x, b->req, b->n, b->res, on_progress, NULL, &err);
  CHECK_MSG(rc == 0, "es_exec_run: %s", err.msg);
  CHECK_INT(progress_calls, b->n);
  return rc;
}

static void test_example_many(void) {
  es_exec *x = start(EXAMPLE, NULL, 4, 10, 3);
  if (!x) return;
  batch b;
  batch_make(&b, 200, "dlg-", "hello there");
  double t0 = now_s();
  run(x, &b);
  double dt = now_s() - t0;
  size_t ok = 0;
  for (size_t k = 0; k < b.n; k++) {
    char want[512];
    expected_reply("hello there", k, want, sizeof want);
    if (b.res[k].reply && strcmp(b.res[k].reply, want) == 0 && b.res[k].attempts == 1) ok++;
    else
      CHECK_MSG(0, "request %zu: reply '%s' error '%s'", k, b.res[k].reply ? b.res[k].reply : "",
                b.res[k].error ? b.res[k].error : "");
  }
  CHECK_INT(ok, 200);
  fprintf(stderr, "example worker: 200 requests over 4 workers in %.3f s (%.0f requests/s)\n",
          dt, 200 / dt);
  /* a second run on the same workers */
  batch b2;
  batch_make(&b2, 2000, "again-", "x");
  t0 = now_s();
  run(x, &b2);
  dt = now_s() - t0;
  ok = 0;
  for (size_t k = 0; k < b2.n; k++) {
    char want[512];
    expected_reply("x", k, want, sizeof want);
    ok += b2.res[k].reply && strcmp(b2.res[k].reply, want) == 0;
  }
  CHECK_INT(ok, 2000);
  fprintf(stderr, "example worker: 2000 requests over 4 workers in %.3f s (%.0f requests/s)\n",
          dt, 2000 / dt);
  es_exec_stats st;
  es_exec_get_stats(x, &st);
  CHECK_INT(st.started, 4);
  CHECK_INT(st.restarts, 0);
  CHECK_INT(st.replies, 2200);
  batch_free(&b);
  batch_free(&b2);
  es_exec_free(x);
}

static void test_crash_every_10(void) {
  es_exec *x = start(CRASH, "10", 4, 10, 100);
  if (!x) return;
  batch b;
  batch_make(&b, 200, "c", "crashy");
  run(x, &b);
  size_t ok = 0, retried = 0;
  for (size_t k = 0; k < b.n; k++) {
    char want[512];
    expected_reply("crashy", k, want, sizeof want);
    if (b.res[k].reply && strcmp(b.res[k].reply, want) == 0) ok++;
    else CHECK_MSG(0, "request %zu: error '%s'", k, b.res[k].error ? b.res[k].error : "");
    retried += b.res[k].attempts == 2;
  }
  CHECK_INT(ok, 200);
  es_exec_stats st;
  es_exec_get_stats(x, &st);
  /* each process answers 10 and crashes on its 11th: 200 answers need at
   * least 16 crashes beyond the 4 first processes' 40 answers */
  CHECK_MSG(st.crashes >= 16 && st.crashes <= 20, "crashes %lu", st.crashes);
  CHECK_INT(st.restarts, st.crashes);
  CHECK_INT(st.retries, st.crashes);
  CHECK_INT(retried, st.retries);
  batch_free(&b);
  es_exec_free(x);

  /* a program that crashes at once, restarts exhausted: a clear reason */
  x = start(CRASH, "0", 2, 10, 1);
  if (!x) return;
  batch_make(&b, 6, "z", "w");
  run(x, &b);
  for (size_t k = 0; k < b.n; k++) {
    CHECK(b.res[k].reply == NULL);
    CHECK_MSG(b.res[k].error && (strstr(b.res[k].error, "keeps crashing") ||
                                 strstr(b.res[k].error, "after a retry")),
              "error '%s'", b.res[k].error ? b.res[k].error : "");
  }
  CHECK_MSG(b.res[5].error && strstr(b.res[5].error, "keeps crashing") &&
                strstr(b.res[5].error, "exited with status 3: crash_after: simulated crash"),
            "error '%s'", b.res[5].error ? b.res[5].error : "");
  fprintf(stderr, "crashing program: %s\n", b.res[5].error ? b.res[5].error : "");
  es_exec_stats st2;
  es_exec_get_stats(x, &st2);
  CHECK_INT(st2.restarts, 2);
  batch_free(&b);
  es_exec_free(x);
}

static void test_garbage(void) {
  static const struct {
    const char *mode, *reason;
  } cases[] = {
      {"notjson", "(not JSON): 'this is not json at all'"},
      {"wrongid", "wrong \"id\""},
      {"noreply", "neither \"reply\" nor \"error\""},
      {"array", "not a JSON object"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    es_exec *x = start(GARBAGE, cases[c].mode, 2, 5, 10);
    if (!x) return;
    batch b;
    batch_make(&b, 4, "g", "w");
    run(x, &b);
    for (size_t k = 0; k < b.n; k++) {
      CHECK(b.res[k].reply == NULL);
      CHECK_INT(b.res[k].attempts, 1);
      CHECK_MSG(b.res[k].error && strstr(b.res[k].error, "garbage") &&
                    strstr(b.res[k].error, cases[c].reason),
                "%s: error '%s'", cases[c].mode, b.res[k].error ? b.res[k].error : "");
    }
    fprintf(stderr, "garbage: %s\n", b.res[0].error ? b.res[0].error : "");
    es_exec_stats st;
    es_exec_get_stats(x, &st);
    CHECK_INT(st.garbage, 4);
    CHECK_INT(st.restarts, 2); /* lazily: the last two are not needed */
    batch_free(&b);
    es_exec_free(x);
  }
  /* garbage past the restart budget: "keeps crashing" for the rest */
  es_exec *x = start(GARBAGE, "notjson", 1, 5, 1);
  if (!x) return;
  batch b;
  batch_make(&b, 5, "g", "w");
  run(x, &b);
  CHECK(b.res[0].error && strstr(b.res[0].error, "garbage"));
  CHECK(b.res[1].error && strstr(b.res[1].error, "garbage"));
  for (size_t k = 2; k < 5; k++)
    CHECK_MSG(b.res[k].error && strstr(b.res[k].error, "keeps crashing"), "error '%s'",
              b.res[k].error ? b.res[k].error : "");
  batch_free(&b);
  es_exec_free(x);
}

static void test_hang(void) {
  es_exec *x = start(HANG, "h5", 4, 0.5, 10);
  if (!x) return;
  batch b;
  /* warm up: every worker serves one request (its first one gets the
   * start-up allowance of 2 s), so the 0.5 s timeout applies below */
  batch_make(&b, 4, "warm", "w");
  run(x, &b);
  for (size_t k = 0; k < b.n; k++) CHECK(b.res[k].reply != NULL);
  batch_free(&b);
  batch_make(&b, 40, "h", "w");
  double t0 = now_s();
  run(x, &b);
  double dt = now_s() - t0;
  for (size_t k = 0; k < b.n; k++) {
    if (k == 5) {
      CHECK(b.res[k].reply == NULL);
      CHECK_INT(b.res[k].attempts, 2);
      CHECK_MSG(b.res[k].error && strstr(b.res[k].error, "request 'h5' timed out after 2.5s (after a retry)"),
                "error '%s'", b.res[k].error ? b.res[k].error : "");
    } else {
      char want[64];
      snprintf(want, sizeof want, "ok:h%zu", k);
      CHECK_STR(b.res[k].reply, want);
    }
  }
  /* 0.5 s, then 0.5 s + 2 s on the fresh process that retries it */
  CHECK_MSG(dt >= 3.0 && dt < 10.0, "hang run took %.2f s", dt);
  fprintf(stderr, "hang run: %.2f s\n", dt);
  es_exec_stats st;
  es_exec_get_stats(x, &st);
  CHECK_INT(st.timeouts, 2);
  CHECK(st.restarts >= 1 && st.restarts <= 2); /* the retry's; maybe the last one's */
  batch_free(&b);
  es_exec_free(x);
}

/* The stop flag, raised from a signal handler as Ctrl-C would: a worker
 * hung on a request is killed, and what is not answered fails "cancelled". */
static volatile sig_atomic_t stop_flag;
static void on_alarm(int sig) {
  (void)sig;
  stop_flag = 1;
}

static void test_stop(void) {
  const char *argv[] = {python, script[HANG], "h3", NULL};
  es_exec_config cfg = {argv, 2, 30, 3, 0, 2.0, &stop_flag};
  es_error err = {0};
  stop_flag = 0;
  es_exec *x = es_exec_new(&cfg, &err);
  CHECK_MSG(x != NULL, "es_exec_new: %s", err.msg);
  if (!x) return;
  batch b;
  batch_make(&b, 20, "h", "w");
  struct sigaction sa = {0};
  sa.sa_handler = on_alarm;
  sigaction(SIGALRM, &sa, NULL);
  struct itimerval it = {{0, 0}, {0, 700000}};
  setitimer(ITIMER_REAL, &it, NULL);
  double t0 = now_s();
  run(x, &b);
  double dt = now_s() - t0;
  CHECK_MSG(dt < 2.0, "stop took %.2f s", dt);
  CHECK(b.res[3].error && !strcmp(b.res[3].error, "cancelled"));
  size_t cancelled = 0, replied = 0;
  for (size_t k = 0; k < b.n; k++) {
    if (b.res[k].reply) replied++;
    else if (b.res[k].error && !strcmp(b.res[k].error, "cancelled")) cancelled++;
  }
  CHECK_INT(replied + cancelled, b.n);
  CHECK(replied >= 3); /* h0..h2 came before the hang */
  batch_free(&b);
  es_exec_free(x);
  signal(SIGALRM, SIG_DFL);
}

static void test_error_reply(void) {
  es_exec *x = start(ERROR_REPLY, NULL, 2, 5, 0);
  if (!x) return;
  batch b;
  batch_make(&b, 6, "e", "w");
  run(x, &b);
  for (size_t k = 0; k < b.n; k++) {
    char want[64];
    snprintf(want, sizeof want, "worker error: model overloaded: e%zu", k);
    CHECK_STR(b.res[k].error, want);
    CHECK(b.res[k].reply == NULL);
  }
  es_exec_stats st;
  es_exec_get_stats(x, &st);
  CHECK_INT(st.errors, 6);
  CHECK_INT(st.restarts, 0);
  batch_free(&b);
  es_exec_free(x);
}

static void test_cannot_start(void) {
  es_error err = {0};
  const char *argv1[] = {"/nonexistent/esbench-worker", "x", NULL};
  es_exec_config cfg = {argv1, 3, 1, 1, 0, 0, NULL};
  CHECK(es_exec_new(&cfg, &err) == NULL);
  CHECK_INT(err.exit, ES_EXIT_USAGE);
  CHECK_STR(err.msg, "cannot start '/nonexistent/esbench-worker': No such file or directory");

  /* the fixture scripts are not executable */
  const char *argv2[] = {script[HANG], NULL};
  cfg.argv = argv2;
  memset(&err, 0, sizeof err);
  CHECK(es_exec_new(&cfg, &err) == NULL);
  CHECK_INT(err.exit, ES_EXIT_USAGE);
  CHECK_MSG(strstr(err.msg, "cannot start '") && strstr(err.msg, "Permission denied"), "%s",
            err.msg);

  const char *argv3[] = {"esbench-no-such-program-on-path", NULL};
  cfg.argv = argv3;
  CHECK(es_exec_new(&cfg, &err) == NULL);
  CHECK_STR(err.msg, "cannot start 'esbench-no-such-program-on-path': No such file or directory");

  cfg.workers = 0;
  CHECK(es_exec_new(&cfg, &err) == NULL);
  CHECK_INT(err.exit, ES_EXIT_USAGE);
}

static void test_big_lines(void) {
  es_exec *x = start(EXAMPLE, NULL, 2, 20, 0);
  if (!x) return;
  enum { N = 4, BIG = 1 << 20 };
  es_exec_request req[N];
  es_exec_result res[N];
  char *msgs[N];
  for (int k = 0; k < N; k++) {
    msgs[k] = malloc(BIG + 100);
    int o = snprintf(msgs[k], 100, "[{\"role\":\"user\",\"content\":\"");
    for (int i = 0; i < BIG; i++) msgs[k][o + i] = (char)('a' + (i * 7 + k) % 26);
    strcpy(msgs[k] + o + BIG, "\"}]");
    req[k].id = k == 0 ? "big-0" : k == 1 ? "big-1" : k == 2 ? "big-2" : "big-3";
    req[k].messages = msgs[k];
    req[k].params = NULL;
  }
  es_error err = {0};
  CHECK_MSG(es_exec_run(x, req, N, res, NULL, NULL, &err) == 0, "%s", err.msg);
  for (int k = 0; k < N; k++) {
    CHECK_MSG(res[k].reply != NULL, "big %d: %s", k, res[k].error ? res[k].error : "");
    if (!res[k].reply) continue;
    CHECK_INT(strlen(res[k].reply), BIG + 11);
    int good = strncmp(res[k].reply, "[Question] ", 11) == 0;
    for (int i = 0; good && i < BIG; i++)
      good = res[k].reply[11 + i] == (char)('a' + ((BIG - 1 - i) * 7 + k) % 26);
    CHECK_MSG(good, "big %d: reply differs", k);
  }
  for (int k = 0; k < N; k++) {
    es_exec_result_release(&res[k]);
    free(msgs[k]);
  }
  es_exec_free(x);
}

static void test_bad_request(void) {
  es_exec *x = start(EXAMPLE, NULL, 1, 5, 0);
  if (!x) return;
  es_exec_request req[4] = {{"a", "{\"not\": \"an array\"}", NULL},
                            {"b", "[{\"role\":\"user\",\"content\":\"ab\"}]", "[1]"},
                            {"c", "[{\"role\":\"user\",\"content\":\"ab\"}]", NULL},
                            /* text after the array would be sent as is and
                             * could add fields to the line ("id") */
                            {"d", "[{\"role\":\"user\",\"content\":\"x\"}], \"id\": \"evil\"", NULL}};
  es_exec_result res[4];
  es_error err = {0};
  CHECK(es_exec_run(x, req, 4, res, NULL, NULL, &err) == 0);
  CHECK_STR(res[0].error, "request 'a': messages is not a JSON array");
  CHECK_STR(res[1].error, "request 'b': params is not a JSON object");
  CHECK_STR(res[2].reply, "[Question] ba");
  CHECK(res[3].error && !res[3].reply);
  for (int k = 0; k < 4; k++) es_exec_result_release(&res[k]);
  CHECK(es_exec_run(x, req, 0, res, NULL, NULL, &err) == 0);
  es_exec_free(x);
  es_exec_free(NULL);
  es_exec_result_release(NULL);
}

int main(void) {
  find_python();
  const char *tests = test_tests_dir();
  snprintf(script[EXAMPLE], sizeof script[0], "%s/exec_worker_example.py", tests);
  snprintf(script[CRASH], sizeof script[0], "%s/fixtures/exec/crash_after.py", tests);
  snprintf(script[GARBAGE], sizeof script[0], "%s/fixtures/exec/garbage.py", tests);
  snprintf(script[HANG], sizeof script[0], "%s/fixtures/exec/hang_on.py", tests);
  snprintf(script[ERROR_REPLY], sizeof script[0], "%s/fixtures/exec/error_reply.py", tests);
  int fds0 = count_fds();
  double t0 = now_s();

  test_cannot_start();
  test_example_many();
  test_crash_every_10();
  test_garbage();
  test_hang();
  test_error_reply();
  test_big_lines();
  test_bad_request();
  test_stop();

  CHECK_INT(count_fds(), fds0);
  errno = 0;
  CHECK_MSG(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD, "a child is left unreaped");
  fprintf(stderr, "test_exec_backend: %.2f s\n", now_s() - t0);
  return test_finish("exec_backend");
}
