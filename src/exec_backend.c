/*
 * exec_backend.c: the `exec` model backend, worker processes that speak one
 * JSON object per line on stdin/stdout, driven by one poll() loop (the
 * contract is in exec_backend.h).
 *
 * A worker slot is DOWN (no process), IDLE (running, nothing in flight) or
 * BUSY (one request in flight: its line is being written from `out`, the
 * answer is being collected in `in`). Slots are started lazily after a
 * failure, so a run that ends does not leave fresh idle workers behind for
 * nothing; es_exec_new starts them all once to catch a program that cannot
 * start.
 */
#define _GNU_SOURCE /* pipe2 */
#include "exec_backend.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exitcode.h"
#include "strbuf.h"

enum { SLOT_DOWN, SLOT_IDLE, SLOT_BUSY };

typedef struct {
  int state;
  pid_t pid;
  int to_fd, from_fd, err_fd; /* our ends: worker stdin, stdout, stderr; -1 closed */
  int retired;                /* restart budget spent */
  int restarts;               /* restarts of this slot so far */
  size_t req;                 /* request in flight (BUSY) */
  unsigned long served;        /* requests sent to this process */
  int has_retry;              /* DOWN with a request to retry on its restart */
  size_t retry_req;
  double deadline;            /* monotonic seconds; 0 none */
  double allowed;             /* seconds the request in flight was given */
  char *out;                  /* request line being written */
  size_t out_len, out_off;
  es_strbuf in;               /* bytes read from stdout, not yet a full line */
  size_t in_scan;             /* in.buf[0..in_scan) holds no newline */
  char err_tail[ES_EXEC_STDERR_TAIL];
  size_t err_len;
} slot;

struct es_exec {
  char **argv;
  char cmd[256]; /* the command line, shortened, for messages */
  int nslots;
  slot *slots;
  double timeout, start_timeout;
  int max_restarts;
  int pass_stderr;
  const volatile sig_atomic_t *stop;
  es_exec_stats stats;
  char last_failure[512]; /* the last crash/start failure, for "keeps crashing" */
};

/* ---------------------------------------------------------------- helpers */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

/* A close-on-exec pipe. 0 or -1 with errno. */
static int cloexec_pipe(int fds[2]) {
#ifdef __linux__
  return pipe2(fds, O_CLOEXEC);
#else
  if (pipe(fds) != 0) return -1;
  fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  fcntl(fds[1], F_SETFD, FD_CLOEXEC);
  return 0;
#endif
}

static void set_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p) memcpy(p, s, n);
  return p;
}

/* The last non-empty line of a slot's stderr tail, at most max bytes, or "". */
static void stderr_last_line(const slot *s, char *dst, size_t max) {
  size_t end = s->err_len;
  while (end > 0 && (s->err_tail[end - 1] == '\n' || s->err_tail[end - 1] == '\r' ||
                     s->err_tail[end - 1] == ' '))
    end--;
  size_t start = end;
  while (start > 0 && s->err_tail[start - 1] != '\n') start--;
  size_t n = end - start;
  if (n >= max) n = max - 1;
  memcpy(dst, s->err_tail + start, n);
  dst[n] = '\0';
}

static void stderr_keep(slot *s, const char *buf, size_t n) {
  if (n >= sizeof s->err_tail) {
    memcpy(s->err_tail, buf + n - sizeof s->err_tail, sizeof s->err_tail);
    s->err_len = sizeof s->err_tail;
    return;
  }
  if (s->err_len + n > sizeof s->err_tail) {
    size_t drop = s->err_len + n - sizeof s->err_tail;
    memmove(s->err_tail, s->err_tail + drop, s->err_len - drop);
    s->err_len -= drop;
  }
  memcpy(s->err_tail + s->err_len, buf, n);
  s->err_len += n;
}

/* Reads what the worker's stderr pipe holds now (non-blocking). */
static void stderr_drain(slot *s) {
  char buf[4096];
  while (s->err_fd >= 0) {
    ssize_t r = read(s->err_fd, buf, sizeof buf);
    if (r > 0) {
      stderr_keep(s, buf, (size_t)r);
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else {
      if (r == 0) close_fd(&s->err_fd);
      break;
    }
  }
}

/* ------------------------------------------------------ process lifecycle */

/* Starts the program in slot s. 0, or -1 with err (exit code set: USAGE when
 * exec failed, INTERNAL when pipes or fork failed) and nothing left open. */
static int slot_start(es_exec *x, slot *s, es_error *err) {
  int in[2] = {-1, -1}, out[2] = {-1, -1}, er[2] = {-1, -1}, ex[2] = {-1, -1};
  int rc = -1;
  if (cloexec_pipe(in) != 0 || cloexec_pipe(out) != 0 || cloexec_pipe(ex) != 0 ||
      (!x->pass_stderr && cloexec_pipe(er) != 0)) {
    es_error_set(err, ES_EXIT_INTERNAL, "cannot start '%s': pipe: %s", x->argv[0],
                 strerror(errno));
    goto out;
  }
  pid_t pid = fork();
  if (pid < 0) {
    es_error_set(err, ES_EXIT_INTERNAL, "cannot start '%s': fork: %s", x->argv[0],
                 strerror(errno));
    goto out;
  }
  if (pid == 0) {
    /* Child: only async-signal-safe calls until exec. dup2 clears
     * close-on-exec on the copies; a pipe end that already is 0, 1 or 2
     * (when esbench runs with a standard descriptor closed) is moved out of
     * the way first so the dup2s cannot clobber each other. */
    int fds[3] = {in[0], out[1], x->pass_stderr ? 2 : er[1]};
    for (int i = 0; i < 3; i++)
      if (fds[i] < 3 && !(i == 2 && x->pass_stderr)) {
        int moved = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
        if (moved < 0) goto child_fail;
        fds[i] = moved;
      }
    for (int i = 0; i < 3; i++)
      if (fds[i] != i && dup2(fds[i], i) < 0) goto child_fail;
    setpgid(0, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execvp(x->argv[0], x->argv);
  child_fail:;
    int e = errno;
    ssize_t w = write(ex[1], &e, sizeof e);
    (void)w;
    _exit(127);
  }
  setpgid(pid, pid); /* also in the child: whichever runs first wins */
  /* Parent: the exec pipe reads EOF when exec succeeded, an errno when not. */
  close_fd(&in[0]);
  close_fd(&out[1]);
  close_fd(&er[1]);
  close_fd(&ex[1]);
  int child_errno = 0;
  ssize_t r;
  do r = read(ex[0], &child_errno, sizeof child_errno);
  while (r < 0 && errno == EINTR);
  if (r > 0) {
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
    es_error_set(err, ES_EXIT_USAGE, "cannot start '%s': %s", x->argv[0],
                 strerror(child_errno));
    goto out;
  }
  s->pid = pid;
  s->to_fd = in[1], in[1] = -1;
  s->from_fd = out[0], out[0] = -1;
  s->err_fd = er[0], er[0] = -1;
  set_nonblock(s->to_fd);
  set_nonblock(s->from_fd);
  if (s->err_fd >= 0) set_nonblock(s->err_fd);
  s->state = SLOT_IDLE;
  s->in.len = 0;
  s->in_scan = 0;
  s->err_len = 0;
  s->served = 0;
  x->stats.started++;
  rc = 0;
out:
  for (int i = 0; i < 2; i++) {
    close_fd(&in[i]);
    close_fd(&out[i]);
    close_fd(&er[i]);
    close_fd(&ex[i]);
  }
  return rc;
}

/* Describes a wait status: "exited with status 3", "killed by signal 11". */
static void describe_status(int status, char *dst, size_t max) {
  if (WIFEXITED(status))
    snprintf(dst, max, "exited with status %d", WEXITSTATUS(status));
  else if (WIFSIGNALED(status))
    snprintf(dst, max, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
  else
    snprintf(dst, max, "stopped");
}

/* Ends the slot's process: closes our pipe ends, kills the process group
 * when kill_it (else waits briefly for it to exit by itself, then kills it),
 * reaps it and writes how it ended to why (may be NULL). */
static void slot_stop(slot *s, int kill_it, char *why, size_t why_max) {
  if (s->state == SLOT_DOWN) return;
  close_fd(&s->to_fd);
  close_fd(&s->from_fd);
  int status = 0, reaped = 0;
  if (!kill_it) {
    for (int i = 0; i < 40 && !reaped; i++) { /* up to 200 ms */
      pid_t r = waitpid(s->pid, &status, WNOHANG);
      if (r == s->pid || (r < 0 && errno != EINTR)) reaped = 1;
      else sleep_ms(5);
    }
  }
  if (!reaped) {
    kill(-s->pid, SIGKILL);
    kill(s->pid, SIGKILL);
    while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  stderr_drain(s);
  close_fd(&s->err_fd);
  if (why) {
    char st[96], last[200];
    describe_status(status, st, sizeof st);
    stderr_last_line(s, last, sizeof last);
    snprintf(why, why_max, "%s%s%s", st, last[0] ? ": " : "", last);
  }
  free(s->out);
  s->out = NULL;
  s->state = SLOT_DOWN;
  s->pid = 0;
  s->deadline = 0;
}

/* ----------------------------------------------------------- public API */

void es_exec_result_release(es_exec_result *r) {
  if (!r) return;
  free(r->reply);
  free(r->error);
  memset(r, 0, sizeof *r);
}

void es_exec_get_stats(const es_exec *x, es_exec_stats *out) {
  if (x) *out = x->stats;
  else memset(out, 0, sizeof *out);
}

void es_exec_free(es_exec *x) {
  if (!x) return;
  /* EOF on stdin first, for all at once, so they exit in parallel. */
  for (int i = 0; i < x->nslots; i++) {
    slot *s = &x->slots[i];
    close_fd(&s->to_fd);
    close_fd(&s->from_fd);
    close_fd(&s->err_fd);
  }
  double until = now_s() + ES_EXEC_GRACE_MS / 1000.0;
  for (;;) {
    int alive = 0;
    for (int i = 0; i < x->nslots; i++) {
      slot *s = &x->slots[i];
      if (s->state == SLOT_DOWN) continue;
      pid_t r = waitpid(s->pid, NULL, WNOHANG);
      if (r == s->pid || (r < 0 && errno == ECHILD)) {
        s->state = SLOT_DOWN;
        s->pid = 0;
      } else {
        alive = 1;
      }
    }
    if (!alive || now_s() >= until) break;
    sleep_ms(5);
  }
  for (int i = 0; i < x->nslots; i++) {
    slot *s = &x->slots[i];
    slot_stop(s, 1, NULL, 0);
    es_strbuf_release(&s->in);
    free(s->out);
  }
  free(x->slots);
  if (x->argv)
    for (char **a = x->argv; *a; a++) free(*a);
  free(x->argv);
  free(x);
}

es_exec *es_exec_new(const es_exec_config *cfg, es_error *err) {
  if (!cfg || !cfg->argv || !cfg->argv[0] || !cfg->argv[0][0]) {
    es_error_set(err, ES_EXIT_USAGE, "exec backend: no program given");
    return NULL;
  }
  if (cfg->workers < 1 || cfg->workers > 4096) {
    es_error_set(err, ES_EXIT_USAGE, "exec backend: workers must be 1..4096, not %d",
                 cfg->workers);
    return NULL;
  }
  if (cfg->max_restarts < 0) {
    es_error_set(err, ES_EXIT_USAGE, "exec backend: max_restarts must be >= 0");
    return NULL;
  }
  es_exec *x = calloc(1, sizeof *x);
  if (!x) goto oom;
  size_t argc = 0;
  while (cfg->argv[argc]) argc++;
  x->argv = calloc(argc + 1, sizeof *x->argv);
  x->slots = calloc((size_t)cfg->workers, sizeof *x->slots);
  if (!x->argv || !x->slots) goto oom;
  for (size_t i = 0; i < argc; i++)
    if (!(x->argv[i] = xstrdup(cfg->argv[i]))) goto oom;
  for (size_t i = 0, o = 0; i < argc && o + 1 < sizeof x->cmd; i++)
    o += (size_t)snprintf(x->cmd + o, sizeof x->cmd - o, "%s%s", i ? " " : "", x->argv[i]);
  x->nslots = cfg->workers;
  x->timeout = cfg->timeout;
  x->start_timeout = cfg->start_timeout > 0 ? cfg->start_timeout : 0;
  x->max_restarts = cfg->max_restarts;
  x->stop = cfg->stop;
  x->pass_stderr = cfg->pass_stderr;
  for (int i = 0; i < x->nslots; i++) {
    slot *s = &x->slots[i];
    s->to_fd = s->from_fd = s->err_fd = -1;
    s->state = SLOT_DOWN;
  }
  for (int i = 0; i < x->nslots; i++)
    if (slot_start(x, &x->slots[i], err) != 0) {
      es_exec_free(x);
      return NULL;
    }
  return x;
oom:
  es_exec_free(x);
  es_error_set(err, ES_EXIT_INTERNAL, "exec backend: out of memory");
  return NULL;
}

/* ---------------------------------------------------------------- the run */

typedef struct {
  es_exec *x;
  const es_exec_request *reqs;
  es_exec_result *res;
  size_t n, done;
  size_t *queue; /* pending request indexes: retries go first */
  size_t qhead, qlen;
  es_exec_progress_fn progress;
  void *ctx;
  int oom;
} run_state;

static void finish(run_state *r, size_t i, char *reply, char *error) {
  es_exec_result *res = &r->res[i];
  if (!reply && !error) r->oom = 1;
  res->reply = reply;
  res->error = error;
  r->done++;
  if (r->progress) r->progress(r->ctx, i, res, r->done, r->n);
}

static void fail(run_state *r, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(run_state *r, size_t i, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  finish(r, i, NULL, xstrdup(buf));
}

/* Puts request i back at the head of the queue (the queue never holds more
 * than n entries, so the slot before qhead is free after a pop). */
static void requeue_front(run_state *r, size_t i) {
  if (r->qhead > 0) {
    r->queue[--r->qhead] = i;
  } else {
    memmove(r->queue + 1, r->queue, r->qlen * sizeof *r->queue);
    r->queue[0] = i;
  }
  r->qlen++;
}

/* Appends s as a JSON string literal (quotes, escapes) to b. */
static void json_string(es_strbuf *b, const char *s) {
  static const char hex[] = "0123456789abcdef";
  es_strbuf_add(b, "\"", 1);
  const char *run = s;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p >= 0x20 && *p != '"' && *p != '\\') continue;
    es_strbuf_add(b, run, (size_t)((const char *)p - run));
    char esc[7] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15], 0};
    if (*p == '"' || *p == '\\') esc[1] = (char)*p, esc[2] = 0;
    else if (*p == '\n') esc[1] = 'n', esc[2] = 0;
    else if (*p == '\t') esc[1] = 't', esc[2] = 0;
    else if (*p == '\r') esc[1] = 'r', esc[2] = 0;
    es_strbuf_puts(b, esc);
    run = (const char *)p + 1;
  }
  es_strbuf_puts(b, run);
  es_strbuf_add(b, "\"", 1);
}

/* Appends JSON text (validated to be of the given cJSON type) on one line:
 * raw newlines in valid JSON can only be white space, so they become
 * spaces; the text is otherwise sent byte for byte (numbers keep their
 * spelling). 0, or -1 when the text is not JSON of that type. */
static int json_raw(es_strbuf *b, const char *text, int type) {
  cJSON *j = cJSON_ParseWithOpts(text, NULL, 1); /* nothing may follow the value: it is sent as is */
  int ok = j && (j->type & 0xff) == type;
  cJSON_Delete(j);
  if (!ok) return -1;
  size_t start = b->len;
  es_strbuf_puts(b, text);
  if (b->oom) return 0;
  for (size_t k = start; k < b->len; k++)
    if (b->buf[k] == '\n' || b->buf[k] == '\r') b->buf[k] = ' ';
  return 0;
}

/* Builds request i's line into *line. 0, -1 when the request is malformed
 * (failed here), -2 out of memory. */
static int build_line(run_state *r, size_t i, char **line, size_t *len) {
  const es_exec_request *q = &r->reqs[i];
  es_strbuf b = {0};
  es_strbuf_puts(&b, "{\"id\":");
  json_string(&b, q->id ? q->id : "");
  es_strbuf_puts(&b, ",\"messages\":");
  if (!q->messages || json_raw(&b, q->messages, cJSON_Array) != 0) {
    es_strbuf_release(&b);
    fail(r, i, "request '%s': messages is not a JSON array", q->id ? q->id : "");
    return -1;
  }
  es_strbuf_puts(&b, ",\"params\":");
  if (json_raw(&b, q->params ? q->params : "{}", cJSON_Object) != 0) {
    es_strbuf_release(&b);
    fail(r, i, "request '%s': params is not a JSON object", q->id ? q->id : "");
    return -1;
  }
  es_strbuf_add(&b, "}\n", 2);
  if (b.oom) {
    es_strbuf_release(&b);
    return -2;
  }
  *line = b.buf;
  *len = b.len;
  return 0;
}

/* The slot's process died, hung or spoke garbage: stop it, charge its
 * restart budget, and deal with the request in flight: retried once when
 * retry, else (or on its second attempt) failed with `what`. kill_it:
 * SIGKILL at once, and `what` is the whole reason; otherwise the process is
 * given a moment to exit and the reason adds how it ended and the last line
 * of its stderr. */
static void slot_fault(run_state *r, slot *s, int kill_it, int retry, const char *what) {
  es_exec *x = r->x;
  int busy = s->state == SLOT_BUSY;
  size_t i = s->req;
  char why[400];
  pid_t pid = s->pid;
  slot_stop(s, kill_it, why, sizeof why);
  if (kill_it)
    snprintf(x->last_failure, sizeof x->last_failure, "%s", what);
  else
    snprintf(x->last_failure, sizeof x->last_failure, "worker (pid %ld) %s: %s", (long)pid,
             what, why);
  if (s->restarts >= x->max_restarts) s->retired = 1;
  if (!busy) return;
  if (retry && r->res[i].attempts < 2) {
    /* Retried on the fresh process started in this slot's place (one that
     * has served nothing yet, so a program that fails after k requests
     * cannot fail the retry too); on another one when the slot is retired. */
    x->stats.retries++;
    if (s->retired) {
      requeue_front(r, i);
    } else {
      s->has_retry = 1;
      s->retry_req = i;
    }
  } else {
    fail(r, i, "%s%s", x->last_failure, retry ? " (after a retry)" : "");
  }
}

/* Handles one complete line from slot s (NUL-terminated, newline removed). */
static void on_line(run_state *r, slot *s, char *line, size_t len) {
  es_exec *x = r->x;
  size_t k = 0;
  while (k < len && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r')) k++;
  if (k == len) return; /* blank lines are ignored */
  char what[300], quote[80];
  size_t ql = len < 60 ? len : 60;
  memcpy(quote, line, ql);
  quote[ql] = '\0';
  for (char *p = quote; *p; p++)
    if ((unsigned char)*p < 0x20) *p = ' ';
  const char *ell = len > 60 ? "..." : "";
  if (s->state != SLOT_BUSY) {
    x->stats.garbage++;
    snprintf(what, sizeof what, "worker sent a line while no request was in flight: '%s%s'",
             quote, ell);
    slot_fault(r, s, 1, 0, what);
    return;
  }
  const char *id = r->reqs[s->req].id ? r->reqs[s->req].id : "";
  const char *end = NULL;
  cJSON *j = cJSON_ParseWithLengthOpts(line, len, &end, 0);
  const char *problem = NULL;
  cJSON *jid = NULL, *rep = NULL, *er = NULL;
  while (j && end && end < line + len && (*end == ' ' || *end == '\t' || *end == '\r')) end++;
  if (j && end && end < line + len) problem = "text after the JSON object";
  else if (!j) problem = "not JSON";
  else if (!cJSON_IsObject(j)) problem = "not a JSON object";
  else {
    jid = cJSON_GetObjectItemCaseSensitive(j, "id");
    rep = cJSON_GetObjectItemCaseSensitive(j, "reply");
    er = cJSON_GetObjectItemCaseSensitive(j, "error");
    if (!cJSON_IsString(jid)) problem = "no string \"id\"";
    else if (strcmp(jid->valuestring, id) != 0) problem = "wrong \"id\"";
    else if (!rep && !er) problem = "neither \"reply\" nor \"error\"";
    else if (!er && !cJSON_IsString(rep)) problem = "\"reply\" is not a string";
  }
  if (problem) {
    x->stats.garbage++;
    snprintf(what, sizeof what, "worker spoke garbage for request '%.60s' (%s): '%s%s'", id,
             problem, quote, ell);
    cJSON_Delete(j);
    slot_fault(r, s, 1, 0, what);
    return;
  }
  size_t i = s->req;
  s->state = SLOT_IDLE;
  s->deadline = 0;
  free(s->out);
  s->out = NULL;
  if (er) {
    x->stats.errors++;
    char *msg = cJSON_IsString(er) ? NULL : cJSON_PrintUnformatted(er);
    fail(r, i, "worker error: %.900s", msg ? msg : er->valuestring ? er->valuestring : "");
    cJSON_free(msg);
  } else {
    x->stats.replies++;
    finish(r, i, xstrdup(rep->valuestring), NULL);
  }
  cJSON_Delete(j);
}

/* Reads the slot's stdout; handles complete lines; EOF is a crash. */
static void on_readable(run_state *r, slot *s) {
  char buf[65536];
  for (;;) {
    ssize_t n = read(s->from_fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) {
      r->x->stats.crashes++;
      slot_fault(r, s, 0, 1, s->state == SLOT_BUSY ? "died serving a request" : "died while idle");
      return;
    }
    es_strbuf_add(&s->in, buf, (size_t)n);
    if (s->in.oom) {
      r->oom = 1;
      return;
    }
    size_t start = 0;
    for (size_t k = s->in_scan; k < s->in.len; k++) {
      if (s->in.buf[k] != '\n') continue;
      s->in.buf[k] = '\0';
      on_line(r, s, s->in.buf + start, k - start);
      start = k + 1;
      if (s->state == SLOT_DOWN) return; /* the fault cleared the buffer */
    }
    memmove(s->in.buf, s->in.buf + start, s->in.len - start);
    s->in.len -= start;
    s->in_scan = s->in.len;
    if (s->in.len > ES_EXEC_MAX_LINE) {
      r->x->stats.garbage++;
      slot_fault(r, s, 1, 0, "worker sent a reply line over the size limit");
      return;
    }
    if ((size_t)n < sizeof buf) return;
  }
}

/* Writes what the pipe takes of the slot's request line. A dead reader
 * (EPIPE) is a crash. */
static void on_writable(run_state *r, slot *s) {
  while (s->out && s->out_off < s->out_len) {
    ssize_t n = write(s->to_fd, s->out + s->out_off, s->out_len - s->out_off);
    if (n > 0) {
      s->out_off += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0 && errno == EPIPE) {
      /* Consume the SIGPIPE raised for this thread (it is blocked). */
      sigset_t pipe_set;
      sigemptyset(&pipe_set);
      sigaddset(&pipe_set, SIGPIPE);
      struct timespec zero = {0, 0};
      while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR) {
      }
    }
    r->x->stats.crashes++;
    slot_fault(r, s, 0, 1, "closed its stdin");
    return;
  }
  if (s->out) {
    free(s->out);
    s->out = NULL;
  }
}

/* Gives idle (or restartable) slots the next requests: a slot's own retry
 * first, else the head of the queue. */
static void dispatch(run_state *r) {
  es_exec *x = r->x;
  for (int w = 0; w < x->nslots && !r->oom; w++) {
    slot *s = &x->slots[w];
    if (!s->has_retry && r->qlen == 0) continue;
    if (s->state == SLOT_DOWN) {
      if (s->retired) continue;
      es_error start_err = {0};
      s->restarts++;
      x->stats.restarts++;
      if (slot_start(x, s, &start_err) != 0) {
        snprintf(x->last_failure, sizeof x->last_failure, "%.500s", start_err.msg);
        if (s->restarts >= x->max_restarts) s->retired = 1;
        if (s->retired && s->has_retry) {
          s->has_retry = 0;
          requeue_front(r, s->retry_req);
        }
        continue;
      }
    }
    if (s->state != SLOT_IDLE) continue;
    size_t i;
    if (s->has_retry) {
      s->has_retry = 0;
      i = s->retry_req;
    } else {
      i = r->queue[r->qhead++];
      r->qlen--;
    }
    char *line;
    size_t len;
    int rc = build_line(r, i, &line, &len);
    if (rc == -2) {
      r->oom = 1;
      return;
    }
    if (rc == -1) {
      w--; /* the slot is still idle: give it the next one */
      continue;
    }
    r->res[i].attempts++;
    s->req = i;
    s->state = SLOT_BUSY;
    s->out = line;
    s->out_len = len;
    s->out_off = 0;
    s->deadline = 0;
    s->allowed = x->timeout + (s->served == 0 ? x->start_timeout : 0);
    if (x->timeout > 0) s->deadline = now_s() + s->allowed;
    s->served++;
    on_writable(r, s);
  }
}

int es_exec_run(es_exec *x, const es_exec_request *requests, size_t n, es_exec_result *results,
                es_exec_progress_fn progress, void *ctx, es_error *err) {
  run_state r = {x, requests, results, n, 0, NULL, 0, n, progress, ctx, 0};
  struct pollfd *pfd = NULL;
  slot **owner = NULL;
  int rc = -1;
  memset(results, 0, n * sizeof *results);
  if (n == 0) return 0;
  r.queue = malloc(n * sizeof *r.queue);
  pfd = malloc((size_t)x->nslots * 3 * sizeof *pfd);
  owner = malloc((size_t)x->nslots * 3 * sizeof *owner);
  if (!r.queue || !pfd || !owner) {
    es_error_set(err, ES_EXIT_INTERNAL, "exec backend: out of memory");
    goto out;
  }
  for (size_t i = 0; i < n; i++) r.queue[i] = i;
  for (int w = 0; w < x->nslots; w++) x->slots[w].has_retry = 0;

  /* Block SIGPIPE in this thread so a write to a dead worker returns EPIPE. */
  sigset_t pipe_set, old_mask;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);

  while (r.done < n && !r.oom) {
    if (x->stop && *x->stop) { /* cancelled: end everything not answered */
      for (int w = 0; w < x->nslots; w++) {
        slot *s = &x->slots[w];
        if (s->state == SLOT_BUSY) {
          size_t i = s->req;
          slot_stop(s, 1, NULL, 0);
          fail(&r, i, "cancelled");
        }
        if (s->has_retry) {
          s->has_retry = 0;
          fail(&r, s->retry_req, "cancelled");
        }
      }
      while (r.qlen > 0) {
        size_t i = r.queue[r.qhead++];
        r.qlen--;
        fail(&r, i, "cancelled");
      }
      break;
    }
    dispatch(&r);
    if (r.oom) break;
    int alive = 0;
    for (int w = 0; w < x->nslots; w++)
      if (x->slots[w].state != SLOT_DOWN || !x->slots[w].retired) alive = 1;
    if (!alive) { /* every slot is retired: fail what is left */
      while (r.qlen > 0) {
        size_t i = r.queue[r.qhead++];
        r.qlen--;
        fail(&r, i, "'%s' keeps crashing (each of %d workers restarted %d times); last: %s",
             x->cmd, x->nslots, x->max_restarts, x->last_failure);
      }
      continue;
    }
    if (r.done >= n) break;

    int np = 0;
    double t = now_s(), next = 0;
    for (int w = 0; w < x->nslots; w++) {
      slot *s = &x->slots[w];
      if (s->state == SLOT_DOWN) continue;
      pfd[np] = (struct pollfd){s->from_fd, POLLIN, 0}, owner[np++] = s;
      if (s->err_fd >= 0) pfd[np] = (struct pollfd){s->err_fd, POLLIN, 0}, owner[np++] = s;
      if (s->out) pfd[np] = (struct pollfd){s->to_fd, POLLOUT, 0}, owner[np++] = s;
      if (s->state == SLOT_BUSY && s->deadline > 0 && (next == 0 || s->deadline < next))
        next = s->deadline;
    }
    int wait_ms = -1;
    if (next > 0) wait_ms = next <= t ? 0 : (int)((next - t) * 1000.0) + 1;
    if (np == 0) wait_ms = wait_ms < 0 ? 10 : wait_ms; /* restarts pending */
    if (x->stop && (wait_ms < 0 || wait_ms > 100)) wait_ms = 100;
    int pr = poll(pfd, (nfds_t)np, wait_ms);
    if (pr < 0 && errno != EINTR) {
      es_error_set(err, ES_EXIT_INTERNAL, "exec backend: poll: %s", strerror(errno));
      pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
      goto out;
    }
    for (int k = 0; pr > 0 && k < np; k++) {
      slot *s = owner[k];
      if (!pfd[k].revents || s->state == SLOT_DOWN) continue;
      if (pfd[k].fd == s->err_fd) stderr_drain(s);
      else if (pfd[k].fd == s->to_fd) on_writable(&r, s);
      else if (pfd[k].fd == s->from_fd) on_readable(&r, s);
    }
    t = now_s();
    for (int w = 0; w < x->nslots; w++) {
      slot *s = &x->slots[w];
      if (s->state == SLOT_BUSY && s->deadline > 0 && t >= s->deadline) {
        char what[200];
        x->stats.timeouts++;
        snprintf(what, sizeof what, "request '%.60s' timed out after %gs",
                 requests[s->req].id ? requests[s->req].id : "", s->allowed);
        slot_fault(&r, s, 1, 1, what);
      }
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
  if (r.oom) {
    es_error_set(err, ES_EXIT_INTERNAL, "exec backend: out of memory");
    goto out;
  }
  rc = 0;
out:
  if (rc != 0) {
    /* A worker stopped mid-request is in an unknown state: end it. */
    for (int w = 0; w < x->nslots; w++)
      if (x->slots[w].state == SLOT_BUSY) slot_stop(&x->slots[w], 1, NULL, 0);
    for (size_t i = 0; i < n; i++) es_exec_result_release(&results[i]);
  }
  free(r.queue);
  free(pfd);
  free(owner);
  return rc;
}
