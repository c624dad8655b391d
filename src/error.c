/* error.c: filling es_error messages, with file:line:column and a caret. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int es_error_set(es_error *err, int exit_code, const char *fmt, ...) {
  if (!err) return -1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  err->exit = exit_code;
  return -1;
}

/* Line number line (1-based) of file into buf, without its newline. */
static int read_line(const char *file, size_t line, char *buf, size_t cap) {
  FILE *f = fopen(file, "rb");
  if (!f) return -1;
  size_t cur = 1, n = 0;
  int c;
  while ((c = fgetc(f)) != EOF) {
    if (cur == line) {
      if (c == '\n' || c == '\r') break;
      if (n + 1 < cap) buf[n++] = (char)c;
    } else if (c == '\n') {
      cur++;
    }
  }
  fclose(f);
  buf[n] = '\0';
  return cur == line ? 0 : -1;
}

int es_error_at(es_error *err, int exit_code, const char *file, size_t line, size_t col,
                const char *line_text, const char *fmt, ...) {
  if (!err) return -1;
  char text[512];
  size_t off = (size_t)snprintf(err->msg, sizeof err->msg, "%s:%zu:%zu: ", file, line, col);
  if (off >= sizeof err->msg) off = sizeof err->msg - 1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg + off, sizeof err->msg - off, fmt, ap);
  va_end(ap);
  err->exit = exit_code;
  if (line_text) {
    snprintf(text, sizeof text, "%s", line_text);
    text[strcspn(text, "\r\n")] = '\0';
  } else if (read_line(file, line, text, sizeof text) != 0) {
    return -1;
  }
  /* the caret line copies tabs so it lines up under the column; columns
   * count characters (as libyaml and editors do), so UTF-8 continuation
   * bytes take no room */
  char caret[512];
  size_t k = 0, chars = 0;
  for (size_t i = 0; text[i] && k + 2 < sizeof caret; i++) {
    if (((unsigned char)text[i] & 0xc0) == 0x80) continue;
    if (++chars >= col) break;
    caret[k++] = text[i] == '\t' ? '\t' : ' ';
  }
  caret[k++] = '^';
  caret[k] = '\0';
  off = strlen(err->msg);
  snprintf(err->msg + off, sizeof err->msg - off, "\n %5zu | %s\n       | %s", line, text,
           caret);
  return -1;
}

void es_error_prefix(es_error *err, const char *fmt, ...) {
  if (!err) return;
  char prefix[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  size_t pl = strlen(prefix) + 2, ml = strlen(err->msg);
  if (pl + ml + 1 > sizeof err->msg) ml = sizeof err->msg - pl - 1; /* truncate the tail */
  memmove(err->msg + pl, err->msg, ml);
  memcpy(err->msg, prefix, pl - 2);
  memcpy(err->msg + pl - 2, ": ", 2);
  err->msg[pl + ml] = '\0';
}
