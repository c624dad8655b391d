/* strbuf.c: the growable string of strbuf.h. */
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

void es_strbuf_add(es_strbuf *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    while (b->len + n + 1 > cap) cap *= 2;
    char *nb = realloc(b->buf, cap);
    if (!nb) {
      b->oom = 1;
      return;
    }
    b->buf = nb;
    b->cap = cap;
  }
  memcpy(b->buf + b->len, s, n);
  b->len += n;
  b->buf[b->len] = '\0';
}

void es_strbuf_puts(es_strbuf *b, const char *s) { es_strbuf_add(b, s, strlen(s)); }

void es_strbuf_release(es_strbuf *b) {
  free(b->buf);
  b->buf = NULL;
  b->len = b->cap = 0;
  b->oom = 0;
}
