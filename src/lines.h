/*
 * lines.h: reading a text file of one segment per line.
 *
 * Lines end with "\n" (a "\r\n" ending loses its "\r" too); the final line
 * needs no newline, and a final newline does not start an empty line, so
 * "a\nb\n" is two lines and "a\n\nb" is three (an empty line is an empty
 * segment). Nothing else is stripped. Every line must be valid UTF-8: the
 * error names file:line:column. A NUL byte is an error.
 */
#ifndef ES_LINES_H
#define ES_LINES_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

typedef struct {
  char *buf;      /* the file's bytes, lines NUL-terminated in place */
  char **line;    /* n pointers into buf */
  size_t n;
} es_lines;

/* Reads f to its end into a NUL-terminated malloc'ed buffer (*out; length
 * in *len, not counting the NUL). Returns 0, ENOMEM, or the errno of the
 * read error (nothing is allocated then). */
int es_read_stream(FILE *f, char **out, size_t *len);

/* Reads path ("-" is standard input). 0 or -1 with err (ES_EXIT_USAGE). */
int es_lines_read(const char *path, es_lines *out, es_error *err);
void es_lines_release(es_lines *l);

#endif
