/* test_csv: RFC 4180 quoting and formula-injection neutralisation. */
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "testlib.h"

static char *render(const char *const *cells, size_t n) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  for (size_t i = 0; i < n; i++) es_csv_text(f, cells[i], i == 0);
  es_csv_end_row(f);
  fclose(f);
  return buf;
}

int main(void) {
  static const struct {
    const char *cell, *want;
  } cases[] = {
      {"plain", "plain\r\n"},
      {"a,b", "\"a,b\"\r\n"},
      {"say \"hi\"", "\"say \"\"hi\"\"\"\r\n"},
      {"two\nlines", "\"two\nlines\"\r\n"},
      {"=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"\r\n"},
      {"+1", "\"'+1\"\r\n"},
      {"-2+3", "\"'-2+3\"\r\n"},
      {"@SUM(A1)", "\"'@SUM(A1)\"\r\n"},
      {"\tx", "\"'\tx\"\r\n"},
      {"\rx", "\"'\rx\"\r\n"},
      {"café ☕", "café ☕\r\n"},
      {"", "\r\n"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *cells[1] = {cases[i].cell};
    char *out = render(cells, 1);
    CHECK_STR(out, cases[i].want);
    free(out);
  }
  const char *row[3] = {"a", NULL, "c"};
  char *out = render(row, 3);
  CHECK_STR(out, "a,,c\r\n");
  free(out);

  /* numbers are never altered: a negative number stays a number */
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  es_csv_number(f, -1.5, 1);
  es_csv_number(f, 0.1, 0);
  es_csv_number(f, 61.15054756429703, 0);
  es_csv_int(f, -3, 0);
  fclose(f);
  CHECK_STR(buf, "-1.5,0.1,61.15054756429703,-3");
  free(buf);
  return test_finish("csv");
}
