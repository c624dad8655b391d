/*
 * progress.h: progress lines for the models that call a server or a
 * program, written to stderr (stdout carries only results).
 *
 * On a terminal each model gets one live line, redrawn in place at most 10
 * times a second and left standing when the model is done:
 *
 *   esbench: qwen  1204/2000  60%  312.4/s  ETA 3s  retries 12  failed 0  concurrency 32
 *
 * Elsewhere (a log file, CI) the same line is printed whole every
 * `interval` seconds and once at the end, so a log shows that a long run is
 * alive without filling up. The rate and ETA count only requests sent in
 * this run: replies found in the cache are shown as "cached N" and do not
 * make the ETA optimistic.
 */
#ifndef ES_PROGRESS_H
#define ES_PROGRESS_H

#include <stddef.h>
#include <stdio.h>

typedef struct {
  size_t total;      /* requests of the model */
  size_t cached;     /* answered from the cache (counted in done) */
  size_t done;       /* ended: answered or failed, cached included */
  size_t failed;
  size_t retries;
  int concurrency;   /* current limit (openai) or workers (exec); 0: not shown */
} es_progress_state;

typedef struct es_progress es_progress;

/* Lines go to f; live is 1 for a terminal (redrawn line), 0 for periodic
 * whole lines every interval seconds (> 0). NULL when out of memory. */
es_progress *es_progress_new(FILE *f, int live, double interval);
/* A new model's line begins (its clock starts now). */
void es_progress_begin(es_progress *p, const char *model);
/* The state changed; draws when it is time. */
void es_progress_update(es_progress *p, const es_progress_state *st);
/* The model is done: draws its final line. */
void es_progress_end(es_progress *p, const es_progress_state *st);
/* Formats st as the line above (without "esbench: " and newline) into
 * buf; elapsed is the seconds since begin. For tests. */
void es_progress_format(char *buf, size_t size, const char *model, const es_progress_state *st,
                        double elapsed);
void es_progress_free(es_progress *p);

#endif
