/*
 * exec_backend.h: the `exec` model backend, a local program that answers
 * chat requests, started once per worker and kept running for a whole run.
 *
 * Protocol (one JSON object per line each way, UTF-8, '\n' ends a line):
 *
 *   esbench -> worker stdin:   {"id": "...", "messages": [...], "params": {...}}
 *   worker stdout -> esbench:  {"id": "...", "reply": "..."}
 *                          or  {"id": "...", "error": "..."}
 *
 * The worker must flush stdout after each line and must answer the
 * requests in the order it got them; esbench sends a worker one request at a
 * time (the next only after the answer to the previous), so a worker is a
 * simple read-a-line, write-a-line loop. Blank lines from the worker are
 * ignored. tests/exec_worker_example.py is a complete worker.
 *
 * What esbench does with each answer:
 *
 * - {"id", "reply"} with the id of the request in flight and a string
 *   reply: the request succeeded.
 * - {"id", "error"}: the request failed with that message ("worker error:
 *   ..."); the worker stays up.
 * - Anything else is garbage: a line that is not JSON, not an object, has
 *   the wrong id, lacks both "reply" and "error", has a reply that is not a
 *   string, or arrives while no request is in flight. The request fails
 *   with a reason quoting the start of the line and the worker is restarted
 *   (its state is unknown). Garbage is not retried: a program that speaks
 *   garbage once will usually do it again.
 * - The worker exits, crashes or closes stdout while serving a request: the
 *   worker is reaped and the request is retried once on the fresh process
 *   started in its place (one that has served nothing yet, so a program
 *   that fails after k requests cannot fail the retry as well), or on
 *   another worker when that slot's restart budget is spent; a second
 *   failure fails it with the exit status and the last line of the
 *   worker's stderr.
 * - A request gets no answer within the timeout (counted from when its
 *   line is handed to the worker; a process's first request gets
 *   start_timeout more, since it includes the program's start-up): the
 *   worker (its whole process group) is killed with SIGKILL and reaped,
 *   and the request is retried once like a crashed one; a second timeout
 *   fails it.
 *
 * Slots are restarted lazily: a dead worker's replacement is started when
 * there is a request for it, so a run's last failures leave no fresh idle
 * processes behind.
 *
 * Each worker slot may be restarted at most max_restarts times (every
 * restart counts: crash, garbage, timeout). A slot past its budget is
 * retired; when every slot is retired the program "keeps crashing" and every
 * remaining request fails with that reason, naming the last crash. A
 * program that cannot be started at all (not found, not executable) is an
 * error of es_exec_new naming the program and errno (ES_EXIT_USAGE).
 *
 * Processes: each worker runs in its own process group (so a timeout kills
 * a wrapper script's children too), with the default SIGPIPE disposition
 * and an empty signal mask. Its stdin and stdout are pipes; its stderr is
 * captured (the last ES_EXEC_STDERR_TAIL bytes are kept for error
 * messages) or passed through to esbench's stderr. Every descriptor esbench
 * opens is close-on-exec, so no worker inherits another worker's pipes.
 * Writing to a dead worker never raises SIGPIPE in esbench (it is blocked
 * in the calling thread during es_exec_run and any pending one is consumed).
 * es_exec_free closes every worker's pipes (a worker should exit on EOF),
 * waits up to ES_EXEC_GRACE_MS for them to exit, kills the rest with SIGKILL
 * and reaps them all: no zombies, no leaked descriptors.
 *
 * One thread drives all workers with poll(): pipes are non-blocking, partial
 * reads are buffered until a newline, and requests are written while replies
 * are read, so a worker writing a large reply while esbench writes a large
 * request never deadlocks. A handle is not thread-safe; use it from one
 * thread. The backend reaps only its own children (waitpid on their pids)
 * and installs no signal handlers.
 */
#ifndef ES_EXEC_BACKEND_H
#define ES_EXEC_BACKEND_H

#include <signal.h>
#include <stddef.h>

#include "error.h"

#define ES_EXEC_STDERR_TAIL 4096    /* bytes of each worker's stderr kept */
#define ES_EXEC_GRACE_MS 1000       /* how long es_exec_free waits for EOF exits */
#define ES_EXEC_MAX_LINE (256u << 20) /* a longer reply line is garbage */

typedef struct es_exec es_exec;

/* How to run the program. Strings are copied by es_exec_new. */
typedef struct {
  const char *const *argv; /* program and arguments, NULL-terminated; argv[0]
                              is looked up in PATH when it has no '/' */
  int workers;             /* number of worker processes, >= 1 */
  double timeout;          /* seconds per request attempt; <= 0: none */
  int max_restarts;        /* restarts allowed per worker slot, >= 0 */
  int pass_stderr;         /* 1: workers write to esbench's stderr; 0: captured */
  double start_timeout;    /* extra seconds for a fresh process's first request
                              (start-up, model loading); <= 0: none */
  /* Polled at least 10 times a second by es_exec_run: when it becomes
   * non-zero, the workers serving a request are killed (their state is
   * unknown) and every request not yet answered fails "cancelled". A
   * signal handler may set it. NULL: none. */
  const volatile sig_atomic_t *stop;
} es_exec_config;

/* One request. The strings are borrowed for the duration of es_exec_run. */
typedef struct {
  const char *id;       /* unique within one es_exec_run call, any UTF-8 */
  const char *messages; /* JSON array text (may span lines) */
  const char *params;   /* JSON object text; NULL means {} */
} es_exec_request;

/* The outcome of one request. Exactly one of reply and error is set, both
 * malloc'ed and owned by the caller (es_exec_result_release frees them). */
typedef struct {
  char *reply;  /* the worker's reply, decoded from JSON */
  char *error;  /* why the request failed, one line */
  int attempts; /* how many times it was sent (1 or 2) */
} es_exec_result;

/* Counters over the handle's life (es_exec_stats). */
typedef struct {
  unsigned long started;   /* worker processes started, restarts included */
  unsigned long restarts;  /* of those, restarts after a failure */
  unsigned long crashes;   /* workers that exited or closed stdout unasked */
  unsigned long timeouts;  /* requests that hit the timeout */
  unsigned long garbage;   /* garbage lines received */
  unsigned long errors;    /* {"id", "error"} answers */
  unsigned long retries;   /* requests sent a second time */
  unsigned long replies;   /* {"id", "reply"} answers */
} es_exec_stats;

/* Called once per request, when its result is final (results[index] is
 * filled), in completion order: done counts final results so far. */
typedef void (*es_exec_progress_fn)(void *ctx, size_t index, const es_exec_result *result,
                                    size_t done, size_t total);

/* Starts cfg->workers copies of the program. Returns the handle, or NULL
 * with err: ES_EXIT_USAGE for a bad config or a program that cannot be
 * started ("cannot start 'prog': No such file or directory"),
 * ES_EXIT_INTERNAL for out of memory or no descriptors/processes. Nothing
 * is left running on failure. */
es_exec *es_exec_new(const es_exec_config *cfg, es_error *err);

/* Sends the n requests to the workers and fills results[0..n-1] (the caller's
 * array; previous contents are overwritten, not freed). Returns 0 when every
 * request has a result (failures included: see result.error), or -1 with err
 * (ES_EXIT_INTERNAL: out of memory, poll failure) in which case the results
 * are released and zeroed. progress may be NULL. May be called again with
 * more requests; workers stay up between calls. */
int es_exec_run(es_exec *x, const es_exec_request *requests, size_t n, es_exec_result *results,
                es_exec_progress_fn progress, void *ctx, es_error *err);

/* Copies the counters. */
void es_exec_get_stats(const es_exec *x, es_exec_stats *out);

/* Frees reply and error and zeroes the result. Accepts NULL. */
void es_exec_result_release(es_exec_result *r);

/* Stops and reaps every worker, closes every descriptor, frees the handle.
 * Accepts NULL. */
void es_exec_free(es_exec *x);

#endif
