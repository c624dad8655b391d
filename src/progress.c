/* progress.c: progress lines (see progress.h). */
#include "progress.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct es_progress {
  FILE *f;
  int live;
  double interval;
  char model[128];
  double t0, last;
  int drawn; /* a live line is on screen */
};

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

es_progress *es_progress_new(FILE *f, int live, double interval) {
  es_progress *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->f = f;
  p->live = live;
  p->interval = interval > 0 ? interval : 10;
  return p;
}

void es_progress_free(es_progress *p) { free(p); }

void es_progress_begin(es_progress *p, const char *model) {
  if (!p) return;
  snprintf(p->model, sizeof p->model, "%s", model);
  p->t0 = p->last = now_s();
  p->drawn = 0;
}

/* "45s", "12m05s", "3h02m" */
static void duration(char *buf, size_t size, double s) {
  if (s < 0) s = 0;
  long t = (long)(s + 0.5);
  if (t < 60) snprintf(buf, size, "%lds", t);
  else if (t < 3600) snprintf(buf, size, "%ldm%02lds", t / 60, t % 60);
  else snprintf(buf, size, "%ldh%02ldm", t / 3600, (t % 3600) / 60);
}

void es_progress_format(char *buf, size_t size, const char *model, const es_progress_state *st,
                        double elapsed) {
  size_t sent = st->done - st->cached;
  double rate = elapsed > 0 ? (double)sent / elapsed : 0;
  char eta[32] = "-", tail[64] = "";
  if (st->done >= st->total) snprintf(eta, sizeof eta, "done in ");
  if (st->done >= st->total) duration(eta + 8, sizeof eta - 8, elapsed);
  else if (rate > 0) duration(eta, sizeof eta, (double)(st->total - st->done) / rate);
  if (st->concurrency > 0) snprintf(tail, sizeof tail, "  concurrency %d", st->concurrency);
  int pct = st->total ? (int)(100.0 * (double)st->done / (double)st->total) : 100;
  int n = snprintf(buf, size, "%s  %zu/%zu  %d%%  %.1f/s  %s%s  retries %zu  failed %zu%s",
                   model, st->done, st->total, pct, rate, st->done >= st->total ? "" : "ETA ", eta,
                   st->retries, st->failed, tail);
  if (st->cached && n > 0 && (size_t)n < size)
    snprintf(buf + n, size - (size_t)n, "  (cached %zu)", st->cached);
}

static void draw(es_progress *p, const es_progress_state *st, int final) {
  char line[512];
  es_progress_format(line, sizeof line, p->model, st, now_s() - p->t0);
  if (p->live) fprintf(p->f, "\r\033[Kesbench: %s%s", line, final ? "\n" : "");
  else fprintf(p->f, "esbench: %s\n", line);
  fflush(p->f);
  p->drawn = p->live && !final;
}

void es_progress_update(es_progress *p, const es_progress_state *st) {
  if (!p) return;
  double t = now_s();
  if (t - p->last < (p->live ? 0.1 : p->interval)) return;
  p->last = t;
  draw(p, st, 0);
}

void es_progress_end(es_progress *p, const es_progress_state *st) {
  if (!p) return;
  draw(p, st, 1);
}
