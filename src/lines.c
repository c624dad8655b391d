/* lines.c: one-segment-per-line text files, validated as UTF-8. */
#include "lines.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "es_common.h"
#include "exitcode.h"

int es_read_stream(FILE *f, char **out, size_t *len) {
  size_t cap = 0, n = 0;
  char *buf = NULL;
  for (;;) {
    if (n + 65536 + 1 > cap) {
      cap = cap ? cap * 2 : 262144;
      char *nb = realloc(buf, cap);
      if (!nb) {
        free(buf);
        return ENOMEM;
      }
      buf = nb;
    }
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) break;
  }
  if (ferror(f)) {
    int e = errno ? errno : EIO;
    free(buf);
    return e;
  }
  buf[n] = '\0';
  *out = buf;
  *len = n;
  return 0;
}

int es_lines_read(const char *path, es_lines *out, es_error *err) {
  memset(out, 0, sizeof *out);
  FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
  if (!f) return es_error_set(err, ES_EXIT_USAGE, "cannot open '%s': %s", path, strerror(errno));
  size_t len = 0;
  char *buf = NULL;
  int e = es_read_stream(f, &buf, &len);
  if (f != stdin) fclose(f);
  f = NULL;
  if (e) {
    if (e == ENOMEM) es_error_set(err, ES_EXIT_INTERNAL, "out of memory reading '%s'", path);
    else es_error_set(err, ES_EXIT_USAGE, "cannot read '%s': %s", path, strerror(e));
    goto fail;
  }
  size_t nlines = 0;
  for (const char *p = buf, *end = buf + len; (p = memchr(p, '\n', (size_t)(end - p))); p++)
    nlines++;
  if (len && buf[len - 1] != '\n') nlines++;
  out->line = malloc((nlines ? nlines : 1) * sizeof *out->line);
  if (!out->line) {
    es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
    goto fail;
  }
  size_t start = 0;
  for (size_t k = 0; k < nlines; k++) {
    char *nl = memchr(buf + start, '\n', len - start);
    size_t end = nl ? (size_t)(nl - buf) : len;
    size_t stop = end > start && buf[end - 1] == '\r' ? end - 1 : end;
    size_t bad;
    if (memchr(buf + start, '\0', stop - start)) {
      size_t at = (size_t)((char *)memchr(buf + start, '\0', stop - start) - (buf + start));
      size_t col = es_utf8_chars(buf + start, at) + 1;
      es_error_set(err, ES_EXIT_USAGE, "%s:%zu:%zu: NUL byte in text", path, k + 1, col);
      goto fail;
    }
    if (es_utf8_validate(buf + start, stop - start, &bad) != ES_OK) {
      es_error_set(err, ES_EXIT_USAGE, "%s:%zu:%zu: invalid UTF-8 (byte 0x%02x)", path, k + 1,
                   es_utf8_chars(buf + start, bad) + 1, (unsigned char)buf[start + bad]);
      goto fail;
    }
    buf[stop] = '\0';
    out->line[k] = buf + start;
    start = end + 1;
  }
  out->buf = buf;
  out->n = nlines;
  return 0;
fail:
  if (f && f != stdin) fclose(f);
  free(buf);
  free(out->line);
  memset(out, 0, sizeof *out);
  return -1;
}

void es_lines_release(es_lines *l) {
  if (!l) return;
  free(l->buf);
  free(l->line);
  memset(l, 0, sizeof *l);
}
