/*
 * strbuf.h: a growable NUL-terminated string for building text.
 *
 * Zero-initialise ({0}) before use. Appends never fail loudly: on an
 * allocation failure the buffer stops growing and `oom` is set, so a
 * builder checks once at the end. buf is NULL until the first append;
 * es_strbuf_release frees it.
 */
#ifndef ES_STRBUF_H
#define ES_STRBUF_H

#include <stddef.h>

typedef struct {
  char *buf;
  size_t len, cap;
  int oom;
} es_strbuf;

void es_strbuf_add(es_strbuf *b, const char *s, size_t n);
void es_strbuf_puts(es_strbuf *b, const char *s);
void es_strbuf_release(es_strbuf *b);

#endif
