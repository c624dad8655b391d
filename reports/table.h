/*
 * table.h: the paper table of a comparison (compare.h): models as rows,
 * metrics as columns, the best value of each column in bold, a dagger
 * where a model differs significantly from the baseline (Holm-adjusted
 * approximate randomization), explained in a caption or note; LaTeX
 * (booktabs, every text escaped), Markdown or CSV. Published numbers (a
 * YAML file: `source:` and `models: {name: {LABEL: number}}`) add, for each
 * model that has them, a row of published values and one of reproduced -
 * published deltas.
 */
#ifndef ES_TABLE_H
#define ES_TABLE_H

#include <stdio.h>

#include "compare.h"

enum { ES_TABLE_LATEX, ES_TABLE_MARKDOWN, ES_TABLE_CSV };

/* LABEL=metric pairs in order; the runs' metrics that have no pair are left out */
#define ES_TABLE_DEFAULT_COLUMNS                                                         \
  "B-1=bleu-1,B-2=bleu-2,B-3=bleu-3,B-4=bleu-4,R-L=rouge-l,D-1=dist-1,D-2=dist-2,D-3=dist-3," \
  "Acc=strategy-accuracy,Empathy=judge-empathy,Helpfulness=judge-helpfulness,"          \
  "Fluency=judge-fluency,Strategy=judge-strategy"

typedef struct {
  char label[64], metric[64];
  long k; /* metric index in the comparison */
} es_table_column;

typedef struct {
  char *model;
  char **labels;
  double *values;
  size_t n;
} es_table_published_row;

typedef struct {
  char *source;
  es_table_published_row *rows;
  size_t n;
} es_table_published;

/* Parses spec ("LABEL=metric,...") against c's metrics into *out (n
 * entries; free with free()). explicit_list: an unknown metric is an error
 * (printed) rather than skipped. 0, -1 out of memory, -2 bad spec. */
int es_table_columns(const char *spec, const es_compare *c, es_table_column **out, size_t *n,
                     int explicit_list);
/* Loads published numbers; errors are printed as file:line:col. 0 or -1. */
int es_table_published_load(const char *file, es_table_published *p);
void es_table_published_free(es_table_published *p);
/* Writes the table (fmt ES_TABLE_*) to f. pub may be NULL. */
void es_table_render(FILE *f, int fmt, const es_compare *c, const es_table_column *cols, size_t nc,
                     const es_table_published *pub);

#endif
