/* test_lines: one-segment-per-line files: endings, empty lines, bad bytes. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lines.h"
#include "testlib.h"

static char path[64];

static void put(const char *data, size_t n) {
  FILE *f = fopen(path, "wb");
  fwrite(data, 1, n, f);
  fclose(f);
}

int main(void) {
  snprintf(path, sizeof path, "/tmp/esbench-lines-%ld.txt", (long)getpid());
  es_lines l;
  es_error err = {0};

  put("a\nb\n", 4);
  CHECK(es_lines_read(path, &l, &err) == 0);
  CHECK_INT(l.n, 2);
  CHECK_STR(l.line[1], "b");
  es_lines_release(&l);

  put("a\r\n\nb", 5);
  CHECK(es_lines_read(path, &l, &err) == 0);
  CHECK_INT(l.n, 3);
  if (l.n != 3) return test_finish("lines");
  CHECK_STR(l.line[0], "a");
  CHECK_STR(l.line[1], "");
  CHECK_STR(l.line[2], "b");
  es_lines_release(&l);

  put("", 0);
  CHECK(es_lines_read(path, &l, &err) == 0);
  CHECK_INT(l.n, 0);
  es_lines_release(&l);

  put("ok\nbad \xff here\n", 15);
  CHECK(es_lines_read(path, &l, &err) == -1);
  CHECK_MSG(strstr(err.msg, ":2:5: invalid UTF-8") != NULL, "message: %s", err.msg);
  CHECK_INT(err.exit, 2);

  /* columns count characters: "café " is 5 of them */
  put("caf\xc3\xa9 \xff\n", 8);
  CHECK(es_lines_read(path, &l, &err) == -1);
  CHECK_MSG(strstr(err.msg, ":1:6: invalid UTF-8") != NULL, "message: %s", err.msg);

  put("nul\0x\n", 6);
  CHECK(es_lines_read(path, &l, &err) == -1);
  CHECK_MSG(strstr(err.msg, ":1:4: NUL byte") != NULL, "message: %s", err.msg);

  unlink(path);
  CHECK(es_lines_read(path, &l, &err) == -1);
  CHECK(strstr(err.msg, "cannot open") != NULL);
  return test_finish("lines");
}
