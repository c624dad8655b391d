/* csv.c: quoting and formula-injection neutralisation for CSV cells. */
#include "csv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void es_csv_text(FILE *f, const char *s, int first) {
  if (!first) fputc(',', f);
  if (!s) return;
  int formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
                s[0] == '\r';
  int quote = formula || strpbrk(s, ",\"\r\n") != NULL;
  if (quote) fputc('"', f);
  if (formula) fputc('\'', f);
  for (const char *p = s; *p; p++) {
    if (*p == '"') fputc('"', f);
    fputc(*p, f);
  }
  if (quote) fputc('"', f);
}

void es_csv_number(FILE *f, double v, int first) {
  if (!first) fputc(',', f);
  if (isnan(v)) return;
  /* the shortest of %.15g..%.17g that reads back as the same double */
  char buf[64];
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (strtod(buf, NULL) == v) break;
  }
  fputs(buf, f);
}

void es_csv_int(FILE *f, long long v, int first) {
  if (!first) fputc(',', f);
  fprintf(f, "%lld", v);
}

void es_csv_end_row(FILE *f) { fputs("\r\n", f); }
