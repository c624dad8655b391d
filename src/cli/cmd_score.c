/*
 * cmd_score.c: `esbench score`: the metrics library on plain text files,
 * one segment per line, without a suite (like the sacrebleu command).
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "esmetrics.h"
#include "exitcode.h"
#include "lines.h"
#include "profile.h"

#define MAX_SYSTEMS 64

static void usage(FILE *f) {
  fprintf(f,
          "usage: esbench score --ref REF --hyp HYP [--hyp HYP ...] [options]\n"
          "\n"
          "Scores each hypothesis file against the reference file (one segment per\n"
          "line, UTF-8) with the metrics of a profile.\n"
          "\n"
          "  --profile P              esconv (default), sacrebleu, rouge_score, or all\n"
          "  --strategies GOLD PRED   strategy labels, one per line (an empty PRED line is a\n"
          "                           strategy that could not be extracted); give it once per\n"
          "                           --hyp, in the same order, or alone without --hyp\n"
          "  --json                   print JSON (full precision, with signatures)\n"
          "  --threads N              threads (default 2)\n");
}

typedef struct {
  const char *path;
  es_lines lines;
  const char *gold_path, *pred_path;
  es_lines gold, pred;
  es_strategy_scores strat;
  int has_strat;
  es_scores *scores[3];
} sys;

static int same_count(const char *a, size_t na, const char *b, size_t nb) {
  if (na == nb) return 0;
  return cli_fail(ES_EXIT_USAGE, "'%s' has %zu lines but '%s' has %zu", a, na, b, nb);
}

static int score_strategies(sys *s) {
  if (same_count(s->pred_path, s->pred.n, s->gold_path, s->gold.n)) return ES_EXIT_USAGE;
  const char **pred = malloc((s->pred.n ? s->pred.n : 1) * sizeof *pred);
  if (!pred) return cli_fail(ES_EXIT_INTERNAL, "out of memory");
  for (size_t i = 0; i < s->pred.n; i++) pred[i] = s->pred.line[i][0] ? s->pred.line[i] : NULL;
  es_status st = es_strategy_scores_compute((const char *const *)s->gold.line, pred, s->gold.n,
                                            &s->strat);
  free(pred);
  if (st != ES_OK) return cli_fail(ES_EXIT_INTERNAL, "strategy scores: %s", es_status_str(st));
  s->has_strat = 1;
  return 0;
}

/* The width of the first column: the longest name among the systems. */
static int name_width(const sys *systems, size_t nsys, int pred) {
  int w = 6;
  for (size_t k = 0; k < nsys; k++) {
    const char *n = pred ? systems[k].pred_path : systems[k].path;
    if (n && (int)strlen(n) > w) w = (int)strlen(n);
  }
  return w;
}

static void print_table(sys *systems, size_t nsys, const int *profiles, size_t nprof) {
  int w = name_width(systems, nsys, 0), wp = name_width(systems, nsys, 1);
  for (size_t p = 0; p < nprof; p++) {
    const es_scores *first = NULL;
    for (size_t k = 0; k < nsys && !first; k++) first = systems[k].scores[p];
    if (!first) continue;
    printf("profile %s\n%-*s", es_profile_name((es_profile)profiles[p]), w, "system");
    for (size_t q = 0; q < es_scores_count(first); q++) printf(" %13s", es_scores_get(first, q)->name);
    printf("\n");
    for (size_t k = 0; k < nsys; k++) {
      if (!systems[k].scores[p]) continue;
      printf("%-*s", w, systems[k].path);
      for (size_t q = 0; q < es_scores_count(systems[k].scores[p]); q++)
        printf(" %13.4f", es_scores_get(systems[k].scores[p], q)->value);
      printf("\n");
    }
    printf("signatures:\n");
    for (size_t q = 0; q < es_scores_count(first); q++)
      printf("  %-13s %s\n", es_scores_get(first, q)->name, es_scores_get(first, q)->signature);
    printf("\n");
  }
  int any = 0;
  for (size_t k = 0; k < nsys; k++) any |= systems[k].has_strat;
  if (!any) return;
  printf("strategy\n%-*s %9s %9s %9s %9s %11s\n", wp, "system", "accuracy", "macro-f1",
         "weight-f1", "n", "unextracted");
  for (size_t k = 0; k < nsys; k++) {
    const es_strategy_scores *s = &systems[k].strat;
    if (!systems[k].has_strat) continue;
    printf("%-*s %9.4f %9.4f %9.4f %9zu %11zu\n", wp, systems[k].pred_path, 100 * s->accuracy,
           100 * s->macro_f1, 100 * s->weighted_f1, s->n, s->unextracted);
  }
}

static int print_json(sys *systems, size_t nsys, const int *profiles, size_t nprof,
                      const char *ref) {
  cJSON *root = cJSON_CreateObject();
  cJSON *arr = cJSON_AddArrayToObject(root, "systems");
  if (!root || !arr || !cJSON_AddStringToObject(root, "ref", ref ? ref : "")) goto oom;
  for (size_t k = 0; k < nsys; k++) {
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddItemToArray(arr, o)) goto oom;
    if (systems[k].path && !cJSON_AddStringToObject(o, "hyp", systems[k].path)) goto oom;
    for (size_t p = 0; p < nprof; p++) {
      if (!systems[k].scores[p]) continue;
      cJSON *prof = cJSON_AddObjectToObject(o, es_profile_name((es_profile)profiles[p]));
      if (!prof) goto oom;
      for (size_t q = 0; q < es_scores_count(systems[k].scores[p]); q++) {
        const es_metric *m = es_scores_get(systems[k].scores[p], q);
        cJSON *mo = cJSON_AddObjectToObject(prof, m->name);
        if (!mo || !cJSON_AddNumberToObject(mo, "value", m->value) ||
            !cJSON_AddStringToObject(mo, "signature", m->signature))
          goto oom;
      }
    }
    if (systems[k].has_strat) {
      const es_strategy_scores *s = &systems[k].strat;
      cJSON *so = cJSON_AddObjectToObject(o, "strategy");
      if (!so || !cJSON_AddStringToObject(so, "pred", systems[k].pred_path) ||
          !cJSON_AddNumberToObject(so, "accuracy", s->accuracy) ||
          !cJSON_AddNumberToObject(so, "macro_f1", s->macro_f1) ||
          !cJSON_AddNumberToObject(so, "weighted_f1", s->weighted_f1) ||
          !cJSON_AddNumberToObject(so, "n", (double)s->n) ||
          !cJSON_AddNumberToObject(so, "unextracted", (double)s->unextracted))
        goto oom;
      cJSON *pc = cJSON_AddObjectToObject(so, "per_class");
      if (!pc) goto oom;
      for (size_t l = 0; l < s->nlabels; l++) {
        cJSON *c = cJSON_AddObjectToObject(pc, s->labels[l]);
        if (!c || !cJSON_AddNumberToObject(c, "precision", s->per_class[l].precision) ||
            !cJSON_AddNumberToObject(c, "recall", s->per_class[l].recall) ||
            !cJSON_AddNumberToObject(c, "f1", s->per_class[l].f1) ||
            !cJSON_AddNumberToObject(c, "support", (double)s->per_class[l].support))
          goto oom;
      }
    }
  }
  char *text = cJSON_Print(root);
  cJSON_Delete(root);
  if (!text) return cli_fail(ES_EXIT_INTERNAL, "out of memory");
  puts(text);
  free(text);
  return 0;
oom:
  cJSON_Delete(root);
  return cli_fail(ES_EXIT_INTERNAL, "out of memory");
}

int cmd_score(int argc, char **argv) {
  const char *ref_path = NULL, *profile = "esconv";
  sys systems[MAX_SYSTEMS];
  size_t nhyp = 0, nstrat = 0;
  int json = 0, threads = 2, code = ES_EXIT_USAGE;
  es_lines ref = {0};
  memset(systems, 0, sizeof systems);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int more = i + 1 < argc;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      return ES_EXIT_OK;
    } else if (!strcmp(a, "--json")) {
      json = 1;
    } else if (!strcmp(a, "--ref") && more) {
      ref_path = argv[++i];
    } else if (!strcmp(a, "--hyp") && more) {
      if (nhyp == MAX_SYSTEMS) return cli_fail(ES_EXIT_USAGE, "at most %d --hyp files", MAX_SYSTEMS);
      systems[nhyp++].path = argv[++i];
    } else if (!strcmp(a, "--profile") && more) {
      profile = argv[++i];
    } else if (!strcmp(a, "--threads") && more) {
      char *end;
      long t = strtol(argv[++i], &end, 10);
      if (*end || t < 1 || t > 64) return cli_fail(ES_EXIT_USAGE, "--threads takes 1 to 64, not '%s'", argv[i]);
      threads = (int)t;
    } else if (!strcmp(a, "--strategies") && i + 2 < argc) {
      if (nstrat == MAX_SYSTEMS) return cli_fail(ES_EXIT_USAGE, "at most %d --strategies", MAX_SYSTEMS);
      systems[nstrat].gold_path = argv[i + 1];
      systems[nstrat].pred_path = argv[i + 2];
      nstrat++;
      i += 2;
    } else {
      fprintf(stderr, "esbench: unknown or incomplete option '%s'\n", a);
      usage(stderr);
      return ES_EXIT_USAGE;
    }
  }
  if (nhyp && !ref_path) return cli_fail(ES_EXIT_USAGE, "--hyp needs --ref");
  if (!nhyp && !nstrat) {
    usage(stderr);
    return ES_EXIT_USAGE;
  }
  if (nhyp && nstrat && nstrat != nhyp)
    return cli_fail(ES_EXIT_USAGE, "give --strategies once per --hyp (%zu --hyp, %zu --strategies)",
                    nhyp, nstrat);
  int profiles[3];
  size_t nprof = 0;
  if (!strcmp(profile, "all")) {
    for (int p = 0; p < 3; p++) profiles[nprof++] = p;
  } else if ((profiles[0] = es_profile_parse(profile)) >= 0) {
    nprof = 1;
  } else {
    return cli_fail(ES_EXIT_USAGE, "unknown profile '%s' (esconv, sacrebleu, rouge_score, all)", profile);
  }
  size_t nsys = nhyp > nstrat ? nhyp : nstrat;
  es_error err = {0};
  if (nhyp && es_lines_read(ref_path, &ref, &err) != 0) {
    code = cli_report(&err);
    goto out;
  }
  for (size_t k = 0; k < nsys; k++) {
    sys *s = &systems[k];
    if (s->path) {
      if (es_lines_read(s->path, &s->lines, &err) != 0) {
        code = cli_report(&err);
        goto out;
      }
      if ((code = same_count(s->path, s->lines.n, ref_path, ref.n)) != 0) goto out;
      es_profile ps[3];
      for (size_t p = 0; p < nprof; p++) ps[p] = (es_profile)profiles[p];
      es_status st = es_score_corpus_multi(ps, nprof, (const char *const *)ref.line,
                                           (const char *const *)s->lines.line, ref.n, threads,
                                           s->scores, NULL, NULL);
      if (st != ES_OK) { /* the files are validated UTF-8: only memory can fail */
        code = cli_fail(ES_EXIT_INTERNAL, "scoring '%s': %s", s->path, es_status_str(st));
        goto out;
      }
    }
    if (s->gold_path) {
      if (es_lines_read(s->gold_path, &s->gold, &err) != 0 ||
          es_lines_read(s->pred_path, &s->pred, &err) != 0) {
        code = cli_report(&err);
        goto out;
      }
      if (s->path && (code = same_count(s->pred_path, s->pred.n, s->path, s->lines.n)) != 0)
        goto out;
      if ((code = score_strategies(s)) != 0) goto out;
    }
  }
  code = ES_EXIT_OK;
  if (json) code = print_json(systems, nsys, profiles, nprof, ref_path);
  else print_table(systems, nsys, profiles, nprof);
out:
  for (size_t k = 0; k < nsys; k++) {
    es_lines_release(&systems[k].lines);
    es_lines_release(&systems[k].gold);
    es_lines_release(&systems[k].pred);
    es_strategy_scores_release(&systems[k].strat);
    for (size_t p = 0; p < 3; p++) es_scores_free(systems[k].scores[p]);
  }
  es_lines_release(&ref);
  return code;
}
