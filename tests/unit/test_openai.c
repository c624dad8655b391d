/*
 * test_openai.c: the batch chat client (src/openai.c) against the local test
 * server tests/openai_server.py (python3; the test skips with 77 without it):
 * a clean run, a run under injected faults (same replies), retries used up,
 * the API key (sent, never shown, 401 naming the variable), Retry-After and
 * the retry time bound, and a refused connection.
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "openai.h"
#include "testlib.h"

#define KEY "sk-esbench-test-7c1e93d2a4"
#define WRONG_KEY "sk-esbench-wrong-55aa01"

static char tmpdir[64];
static pid_t servers[8];
static int nservers;

static void kill_servers(void) {
  for (int k = 0; k < nservers; k++)
    if (servers[k] > 0) {
      kill(servers[k], SIGTERM);
      waitpid(servers[k], NULL, 0);
      servers[k] = 0;
    }
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A server with the given extra arguments (NULL-ended); its log path goes
 * to log (size 128). Returns the port, or exits 1 when it cannot start. */
static int server_start(const char *const *extra, char *log) {
  static int count;
  char portfile[128], script[1024];
  count++;
  snprintf(portfile, sizeof portfile, "%s/port%d", tmpdir, count);
  snprintf(log, 128, "%s/log%d.jsonl", tmpdir, count);
  snprintf(script, sizeof script, "%s/openai_server.py", test_tests_dir());
  const char *argv[40] = {"python3", script, "--port", "0", "--port-file", portfile,
                          "--log", log, "--max-seconds", "120"};
  int a = 10;
  for (; extra && *extra && a < 38; extra++) argv[a++] = *extra;
  argv[a] = NULL;
  pid_t pid = fork();
  if (pid < 0) exit(1);
  if (pid == 0) {
    execvp("python3", (char *const *)argv);
    _exit(127);
  }
  servers[nservers++] = pid;
  for (int tries = 0; tries < 1000; tries++) {
    size_t len = 0;
    char *text = test_read_file(portfile, &len);
    if (text && len > 0 && text[len - 1] == '\n') {
      int port = atoi(text);
      free(text);
      return port;
    }
    free(text);
    if (waitpid(pid, NULL, WNOHANG) == pid) break;
    usleep(10000);
  }
  fprintf(stderr, "the test server did not start\n");
  servers[--nservers] = 0;
  kill(pid, SIGKILL);
  kill_servers();
  exit(1);
}

static void config(es_openai_config *cfg, int port, int conc) {
  static char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/", port);
  es_openai_config_init(cfg);
  cfg->base_url = url;
  cfg->model = "test-model";
  cfg->max_concurrency = conc;
  cfg->timeout = 10;
  cfg->backoff_base = 0.02;
  cfg->backoff_max = 0.2;
  cfg->retry_total = 20;
  cfg->seed = 42;
}

/* n requests, numbered from first; the strings live in a static pool. */
#define MAXREQ 2000
static char msg_text[MAXREQ + 100][200];
static es_openai_request *make_requests(size_t first, size_t n) {
  es_openai_request *q = calloc(n, sizeof *q);
  for (size_t k = 0; k < n; k++) {
    size_t i = first + k;
    snprintf(msg_text[k + first],
             sizeof msg_text[0],
             "[{\"role\":\"system\",\"content\":\"You are a supporter.\"},"
             "{\"role\":\"user\",\"content\":\"Message %zu: I feel lonely since I moved.\"}]",
             i);
    q[k].messages_json = msg_text[k + first];
    q[k].params_json = (i % 2) ? "{\"temperature\":0.7,\"max_tokens\":64}" : "{\"temperature\":0}";
  }
  return q;
}

typedef struct {
  size_t calls;
  int min_conc, max_conc;
  unsigned char *seen;
  int dup;
} progress_log;

static int on_progress(void *arg, size_t index, const es_openai_result *r,
                       const es_openai_stats *st) {
  progress_log *p = arg;
  (void)r;
  p->calls++;
  if (p->seen[index]) p->dup = 1;
  p->seen[index] = 1;
  if (st->concurrency < p->min_conc) p->min_conc = st->concurrency;
  if (st->concurrency > p->max_conc) p->max_conc = st->concurrency;
  return 0;
}

static int stop_after_5(void *arg, size_t index, const es_openai_result *r,
                        const es_openai_stats *st) {
  (void)index, (void)r, (void)st;
  return ++*(int *)arg >= 5;
}

/* Runs n requests from first with cfg; results malloc'ed. */
static es_openai_result *run_batch(const es_openai_config *cfg, size_t first, size_t n,
                                   es_openai_stats *stats, progress_log *pl) {
  es_error err = {0};
  es_openai *c = es_openai_new(cfg, &err);
  CHECK_MSG(c != NULL, "es_openai_new: %s", err.msg);
  if (!c) return NULL;
  es_openai_request *q = make_requests(first, n);
  es_openai_result *res = calloc(n, sizeof *res);
  progress_log local = {0};
  if (!pl) pl = &local;
  memset(pl, 0, sizeof *pl);
  pl->min_conc = 1 << 30;
  pl->seen = calloc(n, 1);
  int rc = es_openai_run(c, q, n, res, on_progress, pl, &err);
  CHECK_MSG(rc == 0, "es_openai_run: %s", err.msg);
  CHECK_INT(pl->calls, n);
  CHECK(!pl->dup);
  if (stats) *stats = *es_openai_last_stats(c);
  const es_openai_stats *st = es_openai_last_stats(c);
  CHECK_INT(st->done, n);
  CHECK_INT(st->ok + st->failed, n);
  CHECK_INT(st->attempts, n + st->retries); /* a first try or a retry each */
  free(pl->seen);
  pl->seen = NULL;
  free(q);
  es_openai_free(c);
  return res;
}

static void free_results(es_openai_result *res, size_t n) {
  if (!res) return;
  for (size_t i = 0; i < n; i++) es_openai_result_release(&res[i]);
  free(res);
}

/* The log's JSON lines (a cJSON array, the caller deletes it). */
static cJSON *read_log(const char *log) {
  size_t len = 0, nl = 0;
  char *buf = test_read_file(log, &len);
  cJSON *arr = cJSON_CreateArray();
  if (!buf) return arr;
  char **lines = test_split_lines(buf, &nl);
  for (size_t k = 0; k < nl; k++) {
    cJSON *j = cJSON_Parse(lines[k]);
    if (j) cJSON_AddItemToArray(arr, j);
  }
  free(lines);
  free(buf);
  return arr;
}

static const char *log_str(const cJSON *line, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(line, key);
  return cJSON_IsString(v) ? v->valuestring : "";
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int file_contains(const char *path, const char *s) {
  size_t len = 0;
  char *buf = test_read_file(path, &len);
  int found = buf && strstr(buf, s) != NULL;
  free(buf);
  return found;
}

/* The tick of the stop test: counts, and raises the stop flag at 5. */
struct tick_state {
  int ticks;
  volatile sig_atomic_t *stop;
};
static void tick_fn(void *arg, const struct es_openai_stats *st) {
  struct tick_state *ts = arg;
  (void)st;
  if (++ts->ticks >= 5) *ts->stop = 1;
}

int main(void) {
  if (system("python3 -c pass >/dev/null 2>&1") != 0) {
    fprintf(stderr, "skip: python3 is not available\n");
    return 77;
  }
  snprintf(tmpdir, sizeof tmpdir, "/tmp/es-openai-test-XXXXXX");
  if (!mkdtemp(tmpdir)) return 1;
  atexit(kill_servers);
  char log[128];
  const size_t N = 200;

  /* config errors */
  {
    es_openai_config cfg;
    es_error err = {0};
    es_openai_config_init(&cfg);
    CHECK(es_openai_new(&cfg, &err) == NULL && strstr(err.msg, "base_url"));
    cfg.base_url = "http://127.0.0.1:1/v1";
    cfg.model = "m";
    const char *bad[] = {"X-Test: a\r\nInjected: b"};
    cfg.headers = bad;
    cfg.nheaders = 1;
    CHECK(es_openai_new(&cfg, &err) == NULL && strstr(err.msg, "header"));
  }

  /* (1) clean: every request answered once, replies as the server logged them */
  es_openai_result *clean = NULL;
  {
    const char *args[] = {NULL};
    int port = server_start(args, log);
    es_openai_config cfg;
    config(&cfg, port, 16);
    es_openai_stats st;
    double t = now_s();
    clean = run_batch(&cfg, 0, N, &st, NULL);
    t = now_s() - t;
    size_t ok = 0;
    for (size_t i = 0; i < N; i++) ok += clean[i].ok;
    CHECK_INT(ok, N);
    CHECK_INT(st.retries, 0);
    CHECK_INT(st.attempts, N);
    CHECK(clean[0].ok && clean[0].reply[0] == '[' && clean[0].completion_tokens > 0 &&
          clean[0].prompt_tokens > 0 && clean[0].total_tokens ==
          clean[0].prompt_tokens + clean[0].completion_tokens);
    cJSON *lines = read_log(log);
    size_t nok = 0, resent = 0;
    char **logged = calloc(N + 1, sizeof *logged), **got = calloc(N, sizeof *got);
    const cJSON *line;
    cJSON_ArrayForEach(line, lines) {
      if (!strcmp(log_str(line, "outcome"), "ok") && nok < N + 1) logged[nok++] = (char *)log_str(line, "content");
      const cJSON *a = cJSON_GetObjectItemCaseSensitive(line, "attempt");
      if (cJSON_IsNumber(a) && a->valueint != 1) resent++;
    }
    CHECK_INT(nok, N);
    CHECK_INT(resent, 0);
    for (size_t i = 0; i < N; i++) got[i] = clean[i].ok ? clean[i].reply : "";
    if (nok == N) {
      qsort(logged, N, sizeof *logged, cmp_str);
      qsort(got, N, sizeof *got, cmp_str);
      size_t same = 0;
      for (size_t i = 0; i < N; i++) same += !strcmp(logged[i], got[i]);
      CHECK_INT(same, N);
    }
    free(logged);
    free(got);
    cJSON_Delete(lines);
    /* the same requests again: the same replies */
    es_openai_result *again = run_batch(&cfg, 0, 5, NULL, NULL);
    for (size_t i = 0; again && i < 5; i++)
      CHECK_STR(again[i].ok ? again[i].reply : "", clean[i].reply);
    free_results(again, 5);
    /* a progress callback that says stop: the rest end as "cancelled" */
    {
      es_error err = {0};
      cfg.max_concurrency = 2;
      es_openai *c = es_openai_new(&cfg, &err);
      es_openai_request *q = make_requests(0, 50);
      es_openai_result res[50];
      int calls = 0;
      CHECK(c && es_openai_run(c, q, 50, res, stop_after_5, &calls, &err) == 0);
      size_t ok = 0, cancelled = 0;
      for (size_t i = 0; c && i < 50; i++) {
        ok += res[i].ok;
        cancelled += !res[i].ok && !strcmp(res[i].reason, "cancelled");
        es_openai_result_release(&res[i]);
      }
      CHECK_INT(calls, 50); /* the cancelled ones are reported too */
      CHECK(ok >= 5 && ok <= 7);
      CHECK_INT(ok + cancelled, 50);
      CHECK_INT(es_openai_last_stats(c)->done, 50);
      free(q);
      es_openai_free(c);
    }
    fprintf(stderr, "clean: %zu requests in %.3f s\n", N, t);
  }

  /* (2) faults: every request answered in the end, with the clean replies */
  {
    const char *args[] = {"--rate-429", "0.1", "--rate-500", "0.05", "--rate-malformed", "0.02",
                          "--rate-drop", "0.01", "--rate-hang", "0.01", "--hang-seconds", "3",
                          NULL};
    int port = server_start(args, log);
    es_openai_config cfg;
    config(&cfg, port, 16);
    cfg.timeout = 1;
    cfg.grow_every = 4;
    es_openai_stats st;
    progress_log pl;
    double t = now_s();
    es_openai_result *res = run_batch(&cfg, 0, N, &st, &pl);
    t = now_s() - t;
    size_t same = 0;
    for (size_t i = 0; res && i < N; i++)
      same += res[i].ok && clean[i].ok && !strcmp(res[i].reply, clean[i].reply);
    CHECK_INT(same, N);
    CHECK(st.retries > 0);
    CHECK(st.retries_by[ES_OPENAI_RETRY_429] > 0);
    CHECK(st.retries_by[ES_OPENAI_RETRY_5XX] > 0);
    CHECK(st.retries_by[ES_OPENAI_RETRY_MALFORMED] > 0);
    CHECK(st.retries_by[ES_OPENAI_RETRY_TIMEOUT] > 0);
    CHECK(pl.min_conc < 16); /* cut on 429 */
    CHECK(pl.max_conc <= 16);
    fprintf(stderr,
            "faults: %.3f s, %zu attempts, retries: 429 %zu, 5xx %zu, timeout %zu, dropped %zu, "
            "malformed %zu; concurrency %d..%d\n",
            t, st.attempts, st.retries_by[ES_OPENAI_RETRY_429], st.retries_by[ES_OPENAI_RETRY_5XX],
            st.retries_by[ES_OPENAI_RETRY_TIMEOUT], st.retries_by[ES_OPENAI_RETRY_DROPPED],
            st.retries_by[ES_OPENAI_RETRY_MALFORMED], pl.min_conc, pl.max_conc);
    free_results(res, N);
  }
  free_results(clean, N);

  /* (3) retries used up: every request fails, naming 500 and the attempts */
  {
    const char *args[] = {"--fault-attempts", "0", "--rate-500", "1.0", NULL};
    int port = server_start(args, log);
    es_openai_config cfg;
    config(&cfg, port, 8);
    cfg.max_retries = 2;
    double t = now_s();
    es_openai_result *res = run_batch(&cfg, 0, 20, NULL, NULL);
    t = now_s() - t;
    size_t named = 0;
    for (size_t i = 0; res && i < 20; i++)
      named += !res[i].ok && res[i].attempts == 3 && res[i].http_status == 500 &&
               strstr(res[i].reason, "500") && strstr(res[i].reason, "3 attempts");
    CHECK_INT(named, 20);
    if (res && !res[0].ok) CHECK_STR(res[0].reason, "http 500 after 3 attempts");
    CHECK(t < 5);
    free_results(res, 20);
  }

  /* (4) the API key: sent, never shown; 401 names the variable */
  {
    setenv("ES_OPENAI_TEST_KEY", KEY, 1);
    setenv("ES_OPENAI_TEST_WRONG", WRONG_KEY, 1);
    unsetenv("ES_OPENAI_TEST_NOKEY");
    const char *args[] = {"--require-key", "ES_OPENAI_TEST_KEY", NULL};
    int port = server_start(args, log);
    es_openai_config cfg;
    config(&cfg, port, 4);
    cfg.api_key_env = "ES_OPENAI_TEST_KEY";
    es_openai_result *res = run_batch(&cfg, 0, 10, NULL, NULL);
    size_t ok = 0;
    for (size_t i = 0; res && i < 10; i++) ok += res[i].ok;
    CHECK_INT(ok, 10);
    free_results(res, 10);

    cfg.api_key_env = "ES_OPENAI_TEST_NOKEY";
    res = run_batch(&cfg, 0, 3, NULL, NULL);
    for (size_t i = 0; res && i < 3; i++) {
      CHECK(!res[i].ok && res[i].attempts == 1);
      CHECK(res[i].reason && strstr(res[i].reason, "401") &&
            strstr(res[i].reason, "ES_OPENAI_TEST_NOKEY") && !strstr(res[i].reason, KEY));
    }
    if (res) fprintf(stderr, "no key: %s\n", res[0].reason);
    free_results(res, 3);

    cfg.api_key_env = "ES_OPENAI_TEST_WRONG";
    res = run_batch(&cfg, 0, 3, NULL, NULL);
    for (size_t i = 0; res && i < 3; i++)
      CHECK(!res[i].ok && res[i].reason && strstr(res[i].reason, "401") &&
            strstr(res[i].reason, "ES_OPENAI_TEST_WRONG") && !strstr(res[i].reason, WRONG_KEY) &&
            !strstr(res[i].reason, KEY));
    if (res) fprintf(stderr, "wrong key: %s\n", res[0].reason);
    free_results(res, 3);
    CHECK(!file_contains(log, KEY));
    CHECK(!file_contains(log, WRONG_KEY));
  }

  /* (5) Retry-After: the second attempt comes at least 1 s after the first;
   * a Retry-After past the retry time bound fails at once */
  {
    const char *args[] = {"--rate-429", "1.0", "--fault-attempts", "1", "--retry-after", "1", NULL};
    int port = server_start(args, log);
    es_openai_config cfg;
    config(&cfg, port, 4);
    es_openai_stats st;
    es_openai_result *res = run_batch(&cfg, 0, 4, &st, NULL);
    for (size_t i = 0; res && i < 4; i++) CHECK(res[i].ok && res[i].attempts == 2);
    CHECK_INT(st.retries_by[ES_OPENAI_RETRY_429], 4);
    free_results(res, 4);
    cJSON *lines = read_log(log);
    const cJSON *a, *b;
    size_t pairs = 0, spaced = 0;
    double min_gap = 1e9;
    cJSON_ArrayForEach(a, lines) {
      if (strcmp(log_str(a, "outcome"), "429")) continue;
      cJSON_ArrayForEach(b, lines) {
        if (strcmp(log_str(b, "outcome"), "ok") || strcmp(log_str(a, "hash"), log_str(b, "hash")))
          continue;
        double gap = cJSON_GetObjectItem(b, "time")->valuedouble -
                     cJSON_GetObjectItem(a, "time")->valuedouble;
        pairs++;
        spaced += gap >= 1.0;
        if (gap < min_gap) min_gap = gap;
      }
    }
    CHECK_INT(pairs, 4);
    CHECK_INT(spaced, 4);
    fprintf(stderr, "retry-after: smallest gap %.3f s\n", min_gap);
    cJSON_Delete(lines);

    cfg.retry_total = 0.5;
    double t = now_s();
    res = run_batch(&cfg, 100, 2, NULL, NULL);
    t = now_s() - t;
    for (size_t i = 0; res && i < 2; i++)
      CHECK(!res[i].ok && res[i].attempts == 1 && strstr(res[i].reason, "http 429") &&
            strstr(res[i].reason, "retry time bound"));
    CHECK(t < 0.9);
    free_results(res, 2);
  }

  /* credentials in the URL are refused, and not repeated in the message */
  {
    es_openai_config cfg;
    config(&cfg, 1, 1);
    cfg.base_url = "http://user:s3cret@127.0.0.1:1/v1";
    es_error e = {0};
    es_openai *c = es_openai_new(&cfg, &e);
    CHECK(c == NULL && strstr(e.msg, "credentials") && !strstr(e.msg, "s3cret"));
    es_openai_free(c);
  }

  /* (6) nothing listening: a clean failure with a reason */
  {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {0};
    socklen_t sl = sizeof sa;
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
      port = ntohs(sa.sin_port);
    if (fd >= 0) close(fd);
    CHECK(port > 0);
    es_openai_config cfg;
    config(&cfg, port, 2);
    cfg.max_retries = 1;
    es_openai_result *res = run_batch(&cfg, 0, 3, NULL, NULL);
    for (size_t i = 0; res && i < 3; i++)
      CHECK(!res[i].ok && res[i].attempts == 2 && strstr(res[i].reason, "cannot connect") &&
            strstr(res[i].reason, "after 2 attempts"));
    if (res) fprintf(stderr, "refused: %s\n", res[0].reason);
    free_results(res, 3);

    /* a 1-byte key (a dummy key of a local server) is masked in reasons
     * without the text growing (ASan checks) or the scan looping */
    setenv("ES_OPENAI_TEST_SHORT", "a", 1);
    config(&cfg, port, 2);
    cfg.max_retries = 0;
    cfg.api_key_env = "ES_OPENAI_TEST_SHORT";
    res = run_batch(&cfg, 0, 2, NULL, NULL);
    for (size_t i = 0; res && i < 2; i++)
      CHECK_MSG(!res[i].ok && res[i].reason && !strchr(res[i].reason, 'a') &&
                    strstr(res[i].reason, "*"),
                "short key reason: %s", res && res[i].reason ? res[i].reason : "(none)");
    free_results(res, 2);
    unsetenv("ES_OPENAI_TEST_SHORT");
  }

  /* a header value that a server quotes back (here: a strict server names
   * the unknown model, which is also sent as a header value) is masked in
   * the reason, like the key */
  {
    const char *args[] = {"--strict-models", NULL};
    int port = server_start(args, log);
    es_openai_config cfg;
    config(&cfg, port, 2);
    cfg.model = "tok-9f8e7d6c5b";
    const char *hdr[] = {"X-Api-Token: tok-9f8e7d6c5b"};
    cfg.headers = hdr;
    cfg.nheaders = 1;
    es_openai_result *res = run_batch(&cfg, 0, 2, NULL, NULL);
    for (size_t i = 0; res && i < 2; i++)
      CHECK_MSG(!res[i].ok && res[i].reason && strstr(res[i].reason, "http 404") &&
                    !strstr(res[i].reason, "tok-9f8e7d6c5b") && strstr(res[i].reason, "***"),
                "header value in reason: %s", res && res[i].reason ? res[i].reason : "(none)");
    free_results(res, 2);
  }

  /* rate limits: rpm spaces the starts, tpm holds the token flow */
  {
    const char *args[] = {NULL};
    int port = server_start(args, log);
    es_openai_config cfg;
    es_openai_stats st;
    config(&cfg, port, 8);
    cfg.rpm = 600; /* 10 per second, a burst of 10 */
    double t = now_s();
    es_openai_result *res = run_batch(&cfg, 0, 30, &st, NULL);
    t = now_s() - t;
    /* 10 at once, then 20 at 10/s: at least 1.9 s */
    CHECK_MSG(t >= 1.9 && t < 6, "rpm 600, 30 requests took %.2f s", t);
    CHECK(st.rate_waits > 0 && st.rate_waits <= 30); /* once per held start at most */
    free_results(res, 30);
    cJSON *lines = read_log(log);
    /* in any 1-second window of the server's arrival times, at most 10 + 1 */
    int nl = cJSON_GetArraySize(lines), worst = 0;
    for (int a = 0; a < nl; a++) {
      double ta = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(lines, a), "time")->valuedouble;
      int in = 0;
      for (int b = 0; b < nl; b++) {
        double tb = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(lines, b), "time")->valuedouble;
        in += tb >= ta && tb < ta + 1.0;
      }
      if (in > worst) worst = in;
    }
    CHECK_MSG(worst <= 21, "rpm 600: %d requests within one second (burst 10 + 10/s)", worst);
    cJSON_Delete(lines);

    /* tpm: 6,000 tokens a minute is 100 a second with a burst of 100; the
     * server counts some 20 to 30 tokens per request, so 20 requests need
     * a few seconds, and the tokens used never run ahead of the budget by
     * more than the burst and one request's estimate */
    config(&cfg, port, 8);
    cfg.tpm = 6000;
    t = now_s();
    res = run_batch(&cfg, 0, 20, &st, NULL);
    t = now_s() - t;
    size_t ok = 0;
    double used = 0;
    for (size_t i = 0; res && i < 20; i++) {
      ok += res[i].ok;
      used += (double)res[i].total_tokens;
    }
    CHECK_INT(ok, 20);
    CHECK_MSG(t >= 1.5 && used <= 100 + 100 * t + 120,
              "tpm 6000: %.0f tokens in %.2f s", used, t);
    free_results(res, 20);
  }

  /* the stop flag ends a run within a tick, also while every request hangs;
   * the tick callback runs while nothing ends */
  {
    const char *args[] = {"--rate-hang", "1", "--hang-seconds", "30", NULL};
    int port = server_start(args, log);
    es_openai_config cfg;
    config(&cfg, port, 4);
    static volatile sig_atomic_t stop_flag;
    struct tick_state ts = {0, &stop_flag};
    cfg.stop = &stop_flag;
    cfg.tick_arg = &ts;
    stop_flag = 0;
    es_error err = {0};
    /* the tick raises the stop flag after 5 calls (about half a second) */
    cfg.tick = tick_fn;
    es_openai *c = es_openai_new(&cfg, &err);
    es_openai_request *q = make_requests(0, 6);
    es_openai_result res[6];
    double t = now_s();
    CHECK(c && es_openai_run(c, q, 6, res, NULL, NULL, &err) == 0);
    t = now_s() - t;
    CHECK_MSG(t < 2, "stop took %.2f s", t);
    CHECK(ts.ticks >= 5);
    for (size_t i = 0; c && i < 6; i++) {
      CHECK(!res[i].ok && res[i].reason && !strcmp(res[i].reason, "cancelled"));
      es_openai_result_release(&res[i]);
    }
    free(q);
    es_openai_free(c);
  }

  kill_servers();
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (!getenv("ES_OPENAI_TEST_KEEP") && system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", tmpdir);
  return test_finish("openai");
}
