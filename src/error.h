/*
 * error.h: the harness's one error type.
 *
 * Library code (everything in src/ but src/cli/) never prints: it fills an
 * es_error and returns -1. The CLI prints err.msg after "esbench: " and
 * exits with err.exit (see exitcode.h). Messages follow git's guidelines:
 * lower case, no final period, the problem first, the subject in quotes:
 *   cannot open 'suites/x.yaml': No such file or directory
 * Config errors carry "file:line:column: " first and may continue with the
 * offending line and a caret on the following lines.
 */
#ifndef ES_ERROR_H
#define ES_ERROR_H

#include <stddef.h>

#define ES_ERROR_MSG_MAX 4096

typedef struct {
  int exit;                    /* the exit code the CLI should use */
  char msg[ES_ERROR_MSG_MAX];  /* empty when no error */
} es_error;

/* Sets the message (printf format) and exit code; returns -1 so callers can
 * write "return es_error_set(err, ...)". err may be NULL. */
int es_error_set(es_error *err, int exit_code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like es_error_set, for a config error at file:line:column (1-based):
 * writes "file:line:col: message", then the source line and a caret under
 * column col (read from the file when line_text is NULL). */
int es_error_at(es_error *err, int exit_code, const char *file, size_t line, size_t col,
                const char *line_text, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Prefixes the existing message with "context: " (printf format). */
void es_error_prefix(es_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
