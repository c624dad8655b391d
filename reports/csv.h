/*
 * csv.h: RFC 4180 CSV output that spreadsheets cannot be tricked by.
 *
 * Cells are quoted when they hold a comma, a double quote, CR or LF (quotes
 * doubled); rows end with CRLF as RFC 4180 says. A text cell that starts
 * with =, +, -, @, TAB or CR would be run as a formula by Excel, LibreOffice
 * and Google Sheets: such a cell gets a leading apostrophe (OWASP's advice),
 * which the spreadsheet shows as text. Numbers are written with
 * es_csv_number and are never altered, so a negative number stays a number.
 */
#ifndef ES_CSV_H
#define ES_CSV_H

#include <stdio.h>

/* A text cell (NULL is an empty cell); first says no comma before it. */
void es_csv_text(FILE *f, const char *s, int first);
/* A number cell: shortest round-trip decimal ("%.17g" trimmed); NaN empty. */
void es_csv_number(FILE *f, double v, int first);
void es_csv_int(FILE *f, long long v, int first);
void es_csv_end_row(FILE *f);

#endif
